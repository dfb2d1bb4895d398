#!/usr/bin/env bats
# `palisade run`: bundles written for the user, run with the runtime's code.

load lib/runtime
load lib/engines

setup_file() {
  engines_setup_file
  require skopeo
  export LAYOUT="$BATS_FILE_TMPDIR/layout"
  skopeo copy -q "containers-storage:$BB_IMAGE" "oci:$LAYOUT:bb" >/dev/null
  export PAL="$PAL_BIN_DIR/palisade"
}
teardown_file() { engines_teardown_file; }
setup() {
  runtime_setup
  export PALISADE_RUN_DIR="$T/bundles"
}
teardown() { runtime_teardown; }

prun_pal() {
  "$PAL" run --root "$RT_ROOT" "$@"
}

no_mounts_left() {
  ! grep -q "$T" /proc/self/mountinfo || { echo "mount left: $(grep "$T" /proc/self/mountinfo)"; return 1; }
}

@test "palisade run --rootfs: output, exit status, and --rm leaves nothing" {
  run prun_pal --rm --name r1 --rootfs "$ROOTFS_CACHE" -- sh -c 'echo hello; exit 4'
  [ "$status" -eq 4 ]
  [ "$output" = hello ]
  [ ! -e "$PALISADE_RUN_DIR/r1" ]
  assert_no_leftovers r1
}

@test "palisade run: an OCI layout image is unpacked and run; a containers-storage image is mounted" {
  run prun_pal --rm --name r2 "$LAYOUT:bb" sh -c 'echo from-layout'
  [ "$status" -eq 0 ]
  [[ "$output" == *from-layout* ]]
  [[ "$output" == *"unpacked 1 layers"* ]]
  run prun_pal --rm --name r3 "$BB_IMAGE" sh -c 'echo from-storage; touch /new-file; echo ok'
  [ "$status" -eq 0 ]
  [[ "$output" == *from-storage*ok* ]]
  no_mounts_left
  [ ! -e "$PALISADE_RUN_DIR/r3" ]
  # podman's image layers are untouched by the write above
  run podman run --rm --runtime /usr/bin/runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$BB_IMAGE" test -e /new-file
  [ "$status" -ne 0 ]
}

@test "palisade run: environment, workdir, user, volumes, read-only root, network" {
  mkdir -p "$T/vol" && echo data > "$T/vol/f"
  run prun_pal --rm --name r4 -e FOO=bar -w /tmp -u 1000:1000 -v "$T/vol:/data:ro" --read-only \
    --rootfs "$ROOTFS_CACHE" -- sh -c 'echo $FOO; pwd; id -u; cat /data/f; touch /x 2>&1; grep -c : /proc/net/dev'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = bar ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = 1000 ]
  [ "${lines[3]}" = data ]
  [[ "${lines[4]}" == *"Read-only file system"* ]]
  [ "${lines[5]}" = 1 ]
  # The default admission policy refuses the host's network...
  run prun_pal --rm --name r5 --network host --rootfs "$ROOTFS_CACHE" -- true
  [ "$status" -eq 125 ]
  [[ "$output" == *"would share the host's network"* ]]
  # ...a node policy can allow it.
  printf 'admission:\n  host_namespaces: [pid, ipc, uts, mount]\n' > "$PALISADE_POLICY"
  run prun_pal --rm --name r5 --network host --rootfs "$ROOTFS_CACHE" -- sh -c 'grep -c : /proc/net/dev'
  [ "$output" -gt 1 ]
}

@test "palisade run: capabilities and limits" {
  run prun_pal --rm --name r6 --cap-drop ALL --rootfs "$ROOTFS_CACHE" -- grep CapEff /proc/self/status
  [[ "$output" == *"0000000000000000"* ]]
  prun_pal -d --name r7 --memory 33554432 --pids-limit 30 --rootfs "$ROOTFS_CACHE" -- sleep 1000
  [ "$(jq -r .status "$PALISADE_STATE_DIR/r7.json")" = running ]
  mem=$(jq -r .cgroup_paths.memory "$PALISADE_STATE_DIR/r7.json")
  [ "$(cat "$mem/memory.limit_in_bytes")" = 33554432 ]
  [ "$(cat "$(jq -r .cgroup_paths.pids "$PALISADE_STATE_DIR/r7.json")/pids.max")" = 30 ]
  rt delete --force r7
}

@test "palisade run -d prints the id; --rm -d cleans up once the container exits" {
  run prun_pal -d --rm --name r8 --rootfs "$ROOTFS_CACHE" -- sh -c 'sleep 0.5'
  [ "$status" -eq 0 ]
  [ "$output" = r8 ]
  for _ in $(seq 1 60); do [ -e "$RT_ROOT/r8" ] || break; sleep 0.1; done
  assert_no_leftovers r8
  [ ! -e "$PALISADE_RUN_DIR/r8" ]
}

@test "palisade run: the image's digest is recorded for the agent" {
  prun_pal -d --name r9 "$LAYOUT:bb" sleep 1000
  jq -e '.image.digest | startswith("sha256:")' "$PALISADE_STATE_DIR/r9.json"
  jq -e '.image.reference' "$PALISADE_STATE_DIR/r9.json"
  rt delete --force r9
}

@test "palisade run: bad input" {
  run prun_pal --rm --name r10 /no/such/layout:tag true
  [ "$status" -eq 125 ]
  [[ "$output" == *"/no/such/layout"* ]]
  [ ! -e "$PALISADE_RUN_DIR/r10" ]
  run prun_pal --rootfs "$ROOTFS_CACHE"
  [ "$status" -eq 2 ]
  run prun_pal --name 'bad/name' --rootfs "$ROOTFS_CACHE" -- true
  [ "$status" -eq 125 ]
  run prun_pal --volume relative:/x --rootfs "$ROOTFS_CACHE" -- true
  [ "$status" -eq 2 ]
  run "$PAL" run --help
  [ "$status" -eq 0 ]
  [[ "$output" == Usage:* ]]
}
