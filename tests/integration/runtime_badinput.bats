#!/usr/bin/env bats
# Bad input: a clear message naming the field or thing, a non-zero exit, and
# nothing left behind (no state, agent record, cgroup, mount or process).

load lib/runtime

setup_file() { runtime_setup_file; }
setup() { runtime_setup; }
teardown() { runtime_teardown; }

@test "malformed config.json names the file, line and column" {
  make_bundle "$T/m1" true
  printf '{\n  "ociVersion": "1.0.2",\n  "process": {\n' > "$T/m1/config.json"
  run rt create -b "$T/m1" m1
  [ "$status" -eq 1 ]
  [[ "$output" == *"config.json:"*":"*"invalid JSON"* ]]
  assert_no_leftovers m1
}

@test "a truncated config.json is refused the same way" {
  make_bundle "$T/m2" true
  head -c 300 "$T/m2/config.json" > "$T/m2/c" && mv "$T/m2/c" "$T/m2/config.json"
  run rt create -b "$T/m2" m2
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid JSON"* ]]
  assert_no_leftovers m2
}

@test "a field of the wrong type is named by its path" {
  make_bundle "$T/m3" true
  edit_config "$T/m3" '.process.user.uid = "root"'
  run rt create -b "$T/m3" m3
  [ "$status" -eq 1 ]
  [[ "$output" == *"process.user.uid"* ]]
  assert_no_leftovers m3
}

@test "a missing rootfs names root.path" {
  make_bundle "$T/m4" true
  rm -rf "$T/m4/rootfs"
  run rt create -b "$T/m4" m4
  [ "$status" -eq 1 ]
  [[ "$output" == *"root.path"*"No such file or directory"* ]]
  assert_no_leftovers m4
}

@test "a missing bundle says so" {
  run rt create -b "$T/nowhere" m5
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/nowhere/config.json"* ]]
  assert_no_leftovers m5
}

@test "a bad namespace path names the namespace and leaves no cgroup behind" {
  make_bundle "$T/n1" true
  edit_config "$T/n1" '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/no/such/netns" else . end]'
  run rt create -b "$T/n1" n1
  [ "$status" -eq 1 ]
  [[ "$output" == *"/no/such/netns"* ]]
  assert_no_leftovers n1
}

@test "a namespace path of the wrong kind is refused" {
  require ip
  NETNS="palbad$$"
  ip netns add "$NETNS"
  make_bundle "$T/n2" true
  # a network namespace (not the host's) given as the ipc namespace
  edit_config "$T/n2" '.linux.namespaces = [.linux.namespaces[] | if .type == "ipc" then .path = $p else . end]' --arg p "/run/netns/$NETNS"
  run rt create -b "$T/n2" n2
  ip netns del "$NETNS"
  [ "$status" -eq 1 ]
  [[ "$output" == *"is it a ipc namespace?"* ]] || { echo "$output"; return 1; }
  assert_no_leftovers n2
}

@test "the host's own namespaces are refused by admission" {
  make_bundle "$T/n3" true
  edit_config "$T/n3" '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/proc/self/ns/net" else . end]'
  run rt create -b "$T/n3" n3
  [ "$status" -eq 1 ]
  [[ "$output" == *"admission denied the config: linux.namespaces"*"network"* ]] || { echo "$output"; return 1; }
  assert_no_leftovers n3
}

@test "a bad user namespace mapping is refused" {
  make_bundle "$T/u1" true
  edit_config "$T/u1" '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":0}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  run rt create -b "$T/u1" u1
  [ "$status" -eq 1 ]
  [[ "$output" == *"uidMappings"* ]]
  assert_no_leftovers u1
  # Overlapping ranges pass the parser's shape checks only if it misses them; the kernel refuses too.
  make_bundle "$T/u2" true
  edit_config "$T/u2" '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":10},{"containerID":5,"hostID":200000,"size":10}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  run rt create -b "$T/u2" u2
  [ "$status" -eq 1 ]
  assert_no_leftovers u2
}

@test "a duplicate id is refused and the first container is untouched" {
  make_bundle "$T/d1" sleep 1000
  rt create -b "$T/d1" d1
  pid=$(rt state d1 | jq .pid)
  run rt create -b "$T/d1" d1
  [ "$status" -eq 1 ]
  [[ "$output" == *"container with id 'd1' already exists"* ]]
  [ "$(rt state d1 | jq .pid)" = "$pid" ]
  kill -0 "$pid"
  [ -e "$PALISADE_STATE_DIR/d1.json" ]
}

@test "commands on a missing container say it does not exist" {
  for c in state start pause resume delete; do
    run rt "$c" ghost
    [ "$status" -eq 1 ] || { echo "$c: status $status"; return 1; }
    [[ "$output" == *"container ghost does not exist"* ]]
  done
  run rt kill ghost
  [ "$status" -eq 1 ]
}

@test "an executable that is not there fails at create, as runc does" {
  make_bundle "$T/x1" no-such-program
  run rt create -b "$T/x1" x1
  [ "$status" -eq 1 ]
  [[ "$output" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
  assert_no_leftovers x1
}

@test "a failing createRuntime hook aborts create with its output" {
  make_bundle "$T/h1" true
  printf '#!/bin/sh\necho hook says no >&2\nexit 4\n' > "$T/hook.sh"
  chmod +x "$T/hook.sh"
  edit_config "$T/h1" '.hooks.createRuntime = [{"path":$p}]' --arg p "$T/hook.sh"
  run rt create -b "$T/h1" h1
  [ "$status" -eq 1 ]
  [[ "$output" == *"hook createRuntime[0]"*"exited with status 4"*"hook says no"* ]]
  assert_no_leftovers h1
}

@test "a terminal without a console socket is refused" {
  make_bundle "$T/t1" true
  edit_config "$T/t1" '.process.terminal = true'
  run rt create -b "$T/t1" t1
  [ "$status" -eq 1 ]
  [[ "$output" == *"console-socket"* ]]
  assert_no_leftovers t1
}

@test "an unsupported field is named" {
  make_bundle "$T/f1" true
  edit_config "$T/f1" '.linux.intelRdt = {"closID":"x"}'
  run rt create -b "$T/f1" f1
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.intelRdt"* ]]
  assert_no_leftovers f1
}

@test "--systemd-cgroup without systemd says what to do" {
  make_bundle "$T/sd" true
  edit_config "$T/sd" '.linux.cgroupsPath = "machine.slice:libpod:sd"'
  run "$RT" --root "$RT_ROOT" --systemd-cgroup create -b "$T/sd" sd
  [ "$status" -eq 1 ]
  [[ "$output" == *"systemd"* ]]
  [[ "$output" == *"cgroupfs"* ]]
  assert_no_leftovers sd
}
