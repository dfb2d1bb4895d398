#!/usr/bin/env bats
# containerd 1.6 drives palisade-runtime through the runc v2 shim, unchanged.

load lib/runtime
load lib/engines

setup_file() {
  runtime_setup_file
  containerd_start
}
teardown_file() { containerd_stop; }
setup() { runtime_setup; }
teardown() { runtime_teardown; }

crun_ctr() { # ID ARGS...: ctr run --rm with palisade-runtime on the busybox rootfs
  local id=$1
  shift
  cp -a "$ROOTFS_CACHE" "$T/rootfs-$id"
  cctr run --rm --runtime io.containerd.runc.v2 --runc-binary "$RT" --rootfs "$T/rootfs-$id" "$id" "$@"
}

@test "ctr run: output and exit codes pass through" {
  run crun_ctr "c1-$$" /bin/echo hello from containerd
  [ "$status" -eq 0 ]
  [ "$output" = "hello from containerd" ]
  run crun_ctr "c2-$$" /bin/sh -c 'exit 5'
  [ "$status" -eq 5 ]
}

@test "ctr run -d, task exec, kill, delete" {
  id="c3-$$"
  cp -a "$ROOTFS_CACHE" "$T/rootfs-$id"
  cctr run -d --runtime io.containerd.runc.v2 --runc-binary "$RT" --rootfs "$T/rootfs-$id" "$id" /bin/sleep 1000
  run cctr task exec --exec-id e1 "$id" /bin/sh -c 'echo exec-ok; exit 2'
  [ "$status" -eq 2 ]
  [ "$output" = exec-ok ]
  cctr task kill -s KILL "$id"
  for _ in $(seq 1 50); do
    [[ "$(cctr task ls | grep "$id")" == *STOPPED* ]] && break
    sleep 0.1
  done
  [[ "$(cctr task ls | grep "$id")" == *STOPPED* ]]
  cctr task rm "$id"
  cctr c rm "$id"
  [ ! -e "/run/containerd/runc/default/$id" ]
}

@test "ctr run: the runtime's error reaches containerd through log.json" {
  run crun_ctr "c4-$$" /no/such/binary
  [ "$status" -ne 0 ]
  [[ "$output" == *"/no/such/binary"* ]]
}

@test "ctr run: hardening applies (default seccomp, W^X)" {
  run crun_ctr "c5-$$" /bin/sh -c 'cp /bin/busybox /tmp/true; /tmp/true; echo "wx=$?"'
  [[ "$output" == *"wx=126"* ]]
}
