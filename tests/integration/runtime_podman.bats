#!/usr/bin/env bats
# podman 4 drives palisade-runtime through conmon, unchanged.

load lib/runtime
load lib/engines

setup_file() { engines_setup_file; }
teardown_file() { engines_teardown_file; }
setup() { runtime_setup; }
teardown() {
  podman_teardown
  runtime_teardown
}

@test "podman run: output and exit codes pass through" {
  run prun --rm "$BB_IMAGE" echo hello from podman
  [ "$status" -eq 0 ]
  [ "$output" = "hello from podman" ]
  run prun --rm "$BB_IMAGE" sh -c 'exit 42'
  [ "$status" -eq 42 ]
}

@test "podman run --tmpfs: the tmpfs starts with the image's files (tmpcopyup)" {
  run prun --rm --tmpfs /etc "$BB_IMAGE" sh -c 'head -n 1 /etc/passwd; grep " /etc " /proc/mounts'
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "root:x:0:0:root:/root:/bin/sh" ]
  [[ "${lines[1]}" == "tmpfs /etc tmpfs"* ]]
}

@test "podman run -d, exec, exec -t, stop and rm" {
  name="pal-test-$$-d"
  prun -d --name "$name" "$BB_IMAGE" sleep 1000
  run pman exec "$name" sh -c 'echo in-exec; exit 3'
  [ "$status" -eq 3 ]
  [ "$output" = in-exec ]
  run pman exec -t "$name" tty
  [[ "$output" == /dev/pts/* ]]
  id=$(podman inspect --format '{{.Id}}' "$name")
  [ "$(jq -r .status "$PALISADE_STATE_DIR/$id.json")" = running ]
  [ "$(jq -r .runtime "$PALISADE_STATE_DIR/$id.json")" = palisade ]
  run pman stop -t 1 "$name"
  [ "$status" -eq 0 ]
  [ "$(podman inspect --format '{{.State.Status}}' "$name")" = exited ]
  pman rm "$name"
  [ ! -e "$PALISADE_STATE_DIR/$id.json" ]
}

@test "podman run -t gives the container a terminal" {
  run prun --rm -t "$BB_IMAGE" sh -c 'test -t 0 && tty'
  [ "$status" -eq 0 ]
  [[ "$output" == /dev/pts/* ]]
}

@test "podman kill -s KILL: the container exits 137" {
  name="pal-test-$$-k"
  prun -d --name "$name" "$BB_IMAGE" sleep 1000
  pman kill -s KILL "$name"
  run pman wait "$name"
  [ "$output" = 137 ]
}

@test "hardening under podman: W^X holds, podman's seccomp profile is applied and recorded" {
  run prun --rm "$BB_IMAGE" sh -c 'cp /bin/busybox /tmp/true && /tmp/true'
  [ "$status" -eq 126 ]
  name="pal-test-$$-h"
  prun -d --name "$name" "$BB_IMAGE" sleep 1000
  id=$(podman inspect --format '{{.Id}}' "$name")
  jq -e '.hardening.seccomp == "config" and .hardening.landlock_wx' "$PALISADE_STATE_DIR/$id.json"
  [[ "$(jq -r .cgroup_paths.unified "$PALISADE_STATE_DIR/$id.json")" == *"libpod-$id"* ]]
}

@test "a config error reaches podman's error message" {
  run -127 prun --rm "$BB_IMAGE" no-such-command
  [ "$status" -ne 0 ]
  [[ "$output" == *'executable file not found in $PATH'* ]]
}
