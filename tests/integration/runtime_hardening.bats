#!/usr/bin/env bats
# Hardening that is on by default: seccomp, W^X (noexec + Landlock),
# no_new_privs, stricter validation, and the runtime escapes it closes.

load lib/runtime

setup_file() {
  runtime_setup_file
  install_probe
}
setup() { runtime_setup; }
teardown() { runtime_teardown; }

probe() { # ID ARGS...: run pal-probe in a fresh container, print its answer
  local id=$1
  shift
  make_bundle "$T/$id" pal-probe "$@"
  rt run -b "$T/$id" "$id"
}

@test "default seccomp profile denies kernel-attack surface, allows ordinary calls" {
  for sc in keyctl unshare-user bpf init_module userfaultfd perf_event_open ptrace; do
    run probe "sc-$sc" syscall "$sc"
    [ "$output" = EPERM ] || { echo "$sc: $output"; return 1; }
  done
  run probe sc-ok syscall getpid
  [ "$output" = ok ]
}

@test "the seccomp annotation turns the default profile off, showing it is the filter that denies" {
  make_bundle "$T/so" pal-probe syscall unshare-user
  edit_config "$T/so" '.annotations["io.palisade.hardening.seccomp"] = "off"'
  run rt run -b "$T/so" so
  [ "$output" = ok ]
}

@test "W^X: a binary copied to /tmp, /dev/shm or the writable rootfs cannot run" {
  for dir in /tmp /dev/shm /root; do
    make_bundle "$T/wx$RANDOM" sh -c "cp /bin/busybox $dir/true && $dir/true"
  done
  for b in "$T"/wx*; do
    run rt run -b "$b" "$(basename "$b")"
    [ "$status" -eq 126 ] || { echo "$b: status $status: $output"; return 1; }
    [[ "$output" == *"Permission denied"* ]]
  done
}

@test "W^X: mmap(PROT_EXEC) of a written file and fileless (memfd) execution fail" {
  make_bundle "$T/mm" sh -c 'cp /bin/busybox /tmp/bb; pal-probe mmap-exec /tmp/bb; pal-probe mmap-exec /bin/busybox; pal-probe memfd-exec /bin/busybox true'
  run rt run -b "$T/mm" mm
  [ "${lines[0]}" = EPERM ]
  [ "${lines[1]}" = ok ]
  [ "${lines[2]}" = EACCES ]
}

@test "W^X: the dynamic loader cannot run a dropped file (ld.so /tmp/x)" {
  ld=$(readlink -f /lib64/ld-linux-x86-64.so.2)
  make_bundle "$T/ld" sh -c 'cp /lib64/ld.so /tmp/ld.so; cp /lib64/true.bin /tmp/x; /lib64/ld.so /tmp/x; echo "status=$?"'
  mkdir -p "$T/ld/rootfs/lib64" "$T/ld/rootfs/lib/x86_64-linux-gnu"
  cp "$ld" "$T/ld/rootfs/lib64/ld.so"
  cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$T/ld/rootfs/lib/x86_64-linux-gnu/libc.so.6"
  cp /bin/true "$T/ld/rootfs/lib64/true.bin"
  run rt run -b "$T/ld" ld
  [[ "$output" == *"failed to map segment"* ]] || [[ "$output" == *"Operation not permitted"* ]]
  [[ "$output" != *"status=0"* ]]
  # The same loader runs the image's own copy: W^X is what stops the dropped one.
  make_bundle "$T/ld2" /lib64/ld.so /lib64/true.bin
  mkdir -p "$T/ld2/rootfs/lib64" "$T/ld2/rootfs/lib/x86_64-linux-gnu"
  cp "$ld" "$T/ld2/rootfs/lib64/ld.so"
  cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$T/ld2/rootfs/lib/x86_64-linux-gnu/libc.so.6"
  cp /bin/true "$T/ld2/rootfs/lib64/true.bin"
  rt run -b "$T/ld2" ld2
}

@test "W^X off by annotation or by node policy lets the dropped binary run" {
  make_bundle "$T/off1" sh -c 'cp /bin/busybox /tmp/true && /tmp/true'
  edit_config "$T/off1" '.annotations["io.palisade.hardening.wx"] = "off"'
  rt run -b "$T/off1" off1
  printf 'hardening:\n  wx: false\n' > "$PALISADE_POLICY"
  make_bundle "$T/off2" sh -c 'cp /bin/busybox /tmp/true && /tmp/true'
  rt run -b "$T/off2" off2
}

@test "a policy that forbids annotations refuses a container that asks to weaken hardening" {
  printf 'hardening:\n  allow_annotations: false\n' > "$PALISADE_POLICY"
  make_bundle "$T/na" true
  edit_config "$T/na" '.annotations["io.palisade.hardening.wx"] = "off"'
  run rt run -b "$T/na" na
  [ "$status" -ne 0 ]
  [[ "$output" == *"does not allow per-container hardening overrides"* ]]
  assert_no_leftovers na
}

@test "a bad policy file is reported with its line" {
  printf 'hardening:\n  wx: maybe\n' > "$PALISADE_POLICY"
  make_bundle "$T/bp" true
  run rt run -b "$T/bp" bp
  [ "$status" -ne 0 ]
  [[ "$output" == *"policy.yaml:2:"*"hardening.wx must be true or false"* ]]
  assert_no_leftovers bp
}

@test "W^X: an entrypoint outside the system directories runs, and its directory becomes read-only" {
  make_bundle "$T/app" /app/sh -c 'echo running; touch /app/new 2>&1 || true'
  mkdir -p "$T/app/rootfs/app"
  cp /bin/busybox "$T/app/rootfs/app/sh"
  run rt run -b "$T/app" app
  [ "${lines[0]}" = running ]
  [[ "$output" == *"Read-only file system"* ]]
}

@test "W^X: an entrypoint on a writable volume is refused at create with the reason" {
  mkdir -p "$T/vol"
  cp /bin/busybox "$T/vol/bb"
  make_bundle "$T/ev" /data/bb true
  edit_config "$T/ev" '.mounts += [{"destination":"/data","type":"bind","source":$src,"options":["rbind","rw"]}]' --arg src "$T/vol"
  run rt run -b "$T/ev" ev
  [ "$status" -ne 0 ]
  [[ "$output" == *"entrypoint /data/bb is on a writable mount"* ]]
  assert_no_leftovers ev
}

@test "no_new_privs is set unless the config explicitly says false, or the policy turns it off" {
  make_bundle "$T/nnp1" pal-probe nnp
  edit_config "$T/nnp1" 'del(.process.noNewPrivileges)'
  run rt run -b "$T/nnp1" nnp1
  [ "$output" = 1 ]
  make_bundle "$T/nnp2" pal-probe nnp
  edit_config "$T/nnp2" '.process.noNewPrivileges = false'
  run rt run -b "$T/nnp2" nnp2
  [ "$output" = 0 ]
  printf 'hardening:\n  no_new_privs: false\n' > "$PALISADE_POLICY"
  make_bundle "$T/nnp3" pal-probe nnp
  edit_config "$T/nnp3" 'del(.process.noNewPrivileges)'
  run rt run -b "$T/nnp3" nnp3
  [ "$output" = 0 ]
}

@test "unknown capability names are refused (runc only warns)" {
  make_bundle "$T/cap" true
  edit_config "$T/cap" '.process.capabilities.bounding += ["CAP_FOO"]'
  run rt run -b "$T/cap" cap
  [ "$status" -ne 0 ]
  [[ "$output" == *"CAP_FOO"* ]]
  assert_no_leftovers cap
}

@test "relative and escaping mount destinations are refused" {
  make_bundle "$T/rel" true
  edit_config "$T/rel" '.mounts += [{"destination":"tmp/x","type":"tmpfs","source":"tmpfs"}]'
  run rt run -b "$T/rel" rel
  [ "$status" -ne 0 ]
  [[ "$output" == *"mounts["*"destination"* ]]
  make_bundle "$T/esc" true
  edit_config "$T/esc" '.mounts += [{"destination":"/x/../../etc","type":"tmpfs","source":"tmpfs"}]'
  run rt run -b "$T/esc" esc
  [ "$status" -ne 0 ]
  assert_no_leftovers rel
  assert_no_leftovers esc
}

@test "a mount target behind a symlink that climbs out of the root is refused" {
  make_bundle "$T/sym" true
  ln -s ../../../../../../tmp "$T/sym/rootfs/evil"
  edit_config "$T/sym" '.mounts += [{"destination":"/evil/x","type":"tmpfs","source":"tmpfs"}]'
  run rt run -b "$T/sym" sym
  [ "$status" -ne 0 ]
  [[ "$output" == *"climbs above the container root"* ]]
  assert_no_leftovers sym
  # An absolute symlink is container-relative: allowed, and it stays inside.
  make_bundle "$T/abs" sh -c 'test -d /var/run/x'
  mkdir -p "$T/abs/rootfs/var"
  ln -s /run "$T/abs/rootfs/var/run"
  edit_config "$T/abs" '.mounts += [{"destination":"/var/run/x","type":"tmpfs","source":"tmpfs"}]'
  rt run -b "$T/abs" abs
  [ -d "$T/abs/rootfs/run/x" ]
}

@test "container ids with '/' or '..' are refused" {
  make_bundle "$T/idc" true
  for bad in ../x a/b .. "" ; do
    run rt create -b "$T/idc" "$bad"
    [ "$status" -ne 0 ] || { echo "accepted id '$bad'"; return 1; }
  done
  [ -z "$(ls -A "$RT_ROOT" 2>/dev/null)" ]
}

@test "CVE-2024-21626: no runtime descriptor reaches the container, and a cwd through one is refused" {
  run probe fds1 fds
  [ "$status" -eq 0 ]
  [ -z "$output" ] || { echo "leaked fds: $output"; return 1; }
  make_bundle "$T/fdx" sleep 1000
  rt run -d -b "$T/fdx" fdx
  run rt exec fdx pal-probe fds
  [ -z "$output" ] || { echo "leaked fds in exec: $output"; return 1; }
  for n in 3 4 5 6 7 8 9 10; do
    make_bundle "$T/cwd$n" sh -c 'pwd; ls'
    edit_config "$T/cwd$n" ".process.cwd = \"/proc/self/fd/$n\""
    run rt run -b "$T/cwd$n" "cwd$n"
    # Either refused, or the directory is inside the container (never the host's /proc).
    if [ "$status" -eq 0 ]; then
      [[ "${lines[0]}" == /* ]] || { echo "cwd fd $n: $output"; return 1; }
      [[ "$output" != *"sysrq-trigger"* ]] || { echo "cwd fd $n reached the host /proc"; return 1; }
    fi
    assert_no_leftovers "cwd$n"
  done
}

@test "CVE-2019-5736: the runtime binary cannot be overwritten through /proc/<pid>/exe" {
  sum=$(sha256sum "$RT" | cut -d' ' -f1)
  make_bundle "$T/cve" sleep 1000
  rt create -b "$T/cve" cve
  pid=$(rt state cve | jq .pid)
  # The container init is the runtime until start: hold its exe as an attacker would.
  exec 9< "/proc/$pid/exe"
  rt start cve
  sleep 0.2
  run bash -c 'echo pwned >> /proc/self/fd/9'
  exec 9<&-
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]] || [[ "$output" == *"Text file busy"* ]]
  [ "$(sha256sum "$RT" | cut -d' ' -f1)" = "$sum" ]
}

@test "the hardening summary reaches the agent record" {
  make_bundle "$T/hs" sleep 1000
  rt run -d -b "$T/hs" hs
  rec="$PALISADE_STATE_DIR/hs.json"
  jq -e '.hardening.wx and .hardening.landlock_wx and .hardening.seccomp == "default" and .hardening.seccomp_log_denials' "$rec"
  jq -e '.hardening.wx_exec_paths | index("/bin")' "$rec"
}
