#!/usr/bin/env bats
# palisade-runtime's runc-compatible lifecycle against the real kernel.

load lib/runtime

setup_file() { runtime_setup_file; }
setup() { runtime_setup; }
teardown() { runtime_teardown; }

wait_status() { # ID STATUS
  for _ in $(seq 1 100); do
    [ "$(rt state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
    sleep 0.05
  done
  echo "container $1 never reached status $2 (now: $(rt state "$1" 2>&1))"
  return 1
}

@test "run passes the exit status through and leaves nothing behind" {
  make_bundle "$T/c1" sh -c 'exit 3'
  run rt run --bundle "$T/c1" c1
  [ "$status" -eq 3 ]
  assert_no_leftovers c1
}

@test "run: a container killed with SIGKILL exits 137" {
  make_bundle "$T/k1" sleep 1000
  rt run -b "$T/k1" k1 &
  runner=$!
  wait_status k1 running
  rt kill k1 KILL
  status=0
  wait "$runner" || status=$?
  [ "$status" -eq 137 ]
  assert_no_leftovers k1
}

@test "run: the container's output reaches our stdout" {
  make_bundle "$T/o1" echo hello from the container
  run rt run -b "$T/o1" o1
  [ "$status" -eq 0 ]
  [ "$output" = "hello from the container" ]
}

@test "create, state, start, kill and delete, with the pid file and state as runc's" {
  make_bundle "$T/l1" sleep 1000
  rt create --bundle "$T/l1" --pid-file "$T/l1.pid" l1
  run rt state l1
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r .status)" = created ]
  [ "$(echo "$output" | jq -r .pid)" = "$(cat "$T/l1.pid")" ]
  [ "$(echo "$output" | jq -r .id)" = l1 ]
  [ "$(echo "$output" | jq -r .bundle)" = "$T/l1" ]
  [ "$(echo "$output" | jq -r .rootfs)" = "$T/l1/rootfs" ]
  echo "$output" | jq -e '.ociVersion and .created'
  rt start l1
  wait_status l1 running
  rt kill l1 KILL
  wait_status l1 stopped
  [ "$(rt state l1 | jq -r .pid)" = 0 ]
  rt delete l1
  assert_no_leftovers l1
}

@test "the agent record carries the cgroup id BPF sees" {
  make_bundle "$T/a1" sleep 1000
  rt create -b "$T/a1" a1
  rec="$PALISADE_STATE_DIR/a1.json"
  [ "$(jq -r .status "$rec")" = created ]
  rt start a1
  [ "$(jq -r .status "$rec")" = running ]
  cgdir=$(jq -r .cgroup_paths.unified "$rec")
  [ -d "$cgdir" ]
  [ "$(jq -r .cgroup_id "$rec")" = "$(stat -c %i "$cgdir")" ]
  pid=$(jq -r .pid "$rec")
  grep -qx "$pid" "$cgdir/cgroup.procs"
  jq -e '.hardening.seccomp == "default" and .hardening.no_new_privs == true' "$rec"
  rt delete --force a1
  [ ! -e "$rec" ]
  assert_no_leftovers a1
}

@test "kill accepts signal names and numbers; kill --all reaches every process" {
  make_bundle "$T/s1" sh -c 'sleep 1000 & sleep 1000 & wait'
  rt run -d -b "$T/s1" s1
  for _ in $(seq 1 50); do
    [ "$(rt ps --format json s1 | jq length)" -ge 3 ] && break
    sleep 0.05
  done
  [ "$(rt ps --format json s1 | jq length)" -ge 3 ]
  run rt kill s1 SIGFOO
  [ "$status" -ne 0 ]
  [[ "$output" == *"unknown signal"* ]]
  rt kill --all s1 9
  wait_status s1 stopped
  [ "$(rt ps --format json s1 | jq length)" -eq 0 ]
}

@test "killing a stopped container fails and says why" {
  make_bundle "$T/d1" true
  rt create -b "$T/d1" d1
  rt start d1
  wait_status d1 stopped
  run rt kill d1 TERM
  [ "$status" -ne 0 ]
  [[ "$output" == *"d1 is not running"* ]]
}

@test "delete refuses a running container without --force" {
  make_bundle "$T/r1" sleep 1000
  rt run -d -b "$T/r1" r1
  run rt delete r1
  [ "$status" -ne 0 ]
  [[ "$output" == *"--force"* ]]
  rt delete --force r1
  assert_no_leftovers r1
}

@test "a created but never started container can be deleted" {
  make_bundle "$T/n1" sleep 1000
  rt create -b "$T/n1" n1
  pid=$(rt state n1 | jq .pid)
  rt delete n1
  ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
  assert_no_leftovers n1
}

@test "pause and resume freeze and thaw the container" {
  make_bundle "$T/p1" sh -c 'while :; do date +%s%N > /tmp/tick; sleep 0.05; done'
  rt run -d -b "$T/p1" p1
  rt pause p1
  [ "$(rt state p1 | jq -r .status)" = paused ]
  a=$(cat "$T/p1/rootfs/tmp/tick")
  sleep 0.3
  b=$(cat "$T/p1/rootfs/tmp/tick")
  [ "$a" = "$b" ]
  rt resume p1
  [ "$(rt state p1 | jq -r .status)" = running ]
  sleep 0.3
  c=$(cat "$T/p1/rootfs/tmp/tick")
  [ "$b" != "$c" ]
  run rt resume p1
  [ "$status" -ne 0 ]
}

@test "exec in the foreground returns the command's status" {
  make_bundle "$T/e1" sleep 1000
  rt run -d -b "$T/e1" e1
  run rt exec e1 sh -c 'echo inside; exit 7'
  [ "$status" -eq 7 ]
  [ "$output" = inside ]
  run rt exec --env FOO=bar e1 sh -c 'echo $FOO'
  [ "$output" = bar ]
  run rt exec --cwd /tmp e1 pwd
  [ "$output" = /tmp ]
  run rt exec --user 65534:65534 e1 id -u
  [ "$output" = 65534 ]
}

@test "exec --detach --pid-file, and exec --process FILE" {
  make_bundle "$T/e2" sleep 1000
  rt run -d -b "$T/e2" e2
  rt exec -d --pid-file "$T/e2.exec.pid" e2 sleep 999
  pid=$(cat "$T/e2.exec.pid")
  grep -q sleep "/proc/$pid/cmdline"
  # the exec'd process is in the container's cgroup and pid namespace
  grep -qx "$pid" "$(jq -r .cgroup_paths.unified "$PALISADE_STATE_DIR/e2.json")/cgroup.procs"
  [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$(rt state e2 | jq .pid)/ns/pid)" ]
  jq '.process | .args = ["sh","-c","echo from-process-json"]' "$T/e2/config.json" > "$T/proc.json"
  run rt exec --process "$T/proc.json" e2
  [ "$status" -eq 0 ]
  [ "$output" = from-process-json ]
}

@test "exec into a stopped or missing container fails clearly" {
  run rt exec nosuch true
  [ "$status" -ne 0 ]
  [[ "$output" == *"container nosuch does not exist"* ]]
}

@test "ps and list" {
  make_bundle "$T/q1" sleep 1000
  rt run -d -b "$T/q1" q1
  run rt ps --format json q1
  [ "$(echo "$output" | jq length)" -eq 1 ]
  run rt ps q1
  [[ "$output" == *PID* ]]
  [[ "$output" == *sleep* ]]
  run rt list --format json
  [ "$(echo "$output" | jq -r '.[0].id')" = q1 ]
  run rt list -q
  [ "$output" = q1 ]
  run rt list
  [[ "${lines[0]}" == ID* ]]
}

@test "features and spec" {
  run rt features
  [ "$status" -eq 0 ]
  echo "$output" | jq -e '.ociVersionMax == "1.2.0" and (.hooks | length == 6) and .linux.seccomp.enabled'
  echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")'
  mkdir "$T/sp" && cd "$T/sp"
  rt spec
  jq -e '.process.args == ["sh"]' config.json
  run rt spec
  [ "$status" -ne 0 ]
  [[ "$output" == *"already exists"* ]]
}

@test "every command has --help, and bad usage exits 2" {
  for c in create start run state kill delete exec ps list pause resume features spec; do
    run rt "$c" --help
    [ "$status" -eq 0 ] || { echo "$c --help failed: $output"; return 1; }
    [[ "$output" == Usage:* ]]
  done
  run rt create
  [ "$status" -eq 2 ]
  run rt frobnicate
  [ "$status" -eq 2 ]
  run rt create --no-such-flag x
  [ "$status" -eq 2 ]
  run "$RT" --version
  [[ "$output" == *"palisade-runtime version"* ]]
}

@test "--log-format json writes errors as JSON lines, as containerd's shim reads them" {
  run rt --log "$T/log.json" --log-format json state nosuch
  [ "$status" -ne 0 ]
  jq -e 'select(.level == "error") | .msg | contains("nosuch")' "$T/log.json"
  jq -e '.time' "$T/log.json"
}
