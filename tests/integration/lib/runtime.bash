# Shared setup for tests that drive palisade-runtime directly.
bats_require_minimum_version 1.5.0

# Every test gets its own runtime root, agent state dir, policy and cgroup
# parent, and teardown removes all of it: containers, cgroups, mounts.

require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || {
      echo "missing prerequisite: $tool (run 'make deps')" >&2
      return 1
    }
  done
}

runtime_setup_file() {
  [ "$(id -u)" -eq 0 ] || { echo "integration tests need root" >&2; return 1; }
  : "${PAL_BIN_DIR:?PAL_BIN_DIR must point at the bin directory of a build}"
  export RT="$PAL_BIN_DIR/palisade-runtime"
  [ -x "$RT" ] || { echo "missing $RT: build first" >&2; return 1; }
  require jq busybox
  export ROOTFS_CACHE="$BATS_FILE_TMPDIR/rootfs"
  "$PAL_SRC_DIR/scripts/mk-busybox-rootfs.sh" "$ROOTFS_CACHE"
}

runtime_setup() {
  export T="$BATS_TEST_TMPDIR"
  export RT_ROOT="$T/rtroot"
  export PALISADE_STATE_DIR="$T/agent"
  export PALISADE_POLICY="$T/policy.yaml"
  : > "$PALISADE_POLICY"
  export CG_PARENT="palisade-test-$$-$BATS_TEST_NUMBER"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
}

# rt ARGS...: palisade-runtime with this test's root.
rt() {
  "$RT" --root "$RT_ROOT" "$@"
}

# make_bundle DIR [ARG...]: a bundle with a copy of the busybox rootfs and
# the default spec, running ARGs (default: sh -c 'exit 0'), no terminal, a
# writable root (as podman and containerd give).
make_bundle() {
  local dir=$1
  shift
  mkdir -p "$dir"
  cp -a "$ROOTFS_CACHE" "$dir/rootfs"
  (cd "$dir" && "$RT" spec)
  local args='["sh","-c","exit 0"]'
  if [ $# -gt 0 ]; then
    args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
  fi
  local id
  id=$(basename "$dir")
  jq --argjson a "$args" --arg cg "/$CG_PARENT/$id" \
    '.process.args = $a | .process.terminal = false | .root.readonly = false | .linux.cgroupsPath = $cg' \
    "$dir/config.json" > "$dir/config.json.new"
  mv "$dir/config.json.new" "$dir/config.json"
}

# edit_config DIR JQ-FILTER [JQ-ARGS...] (e.g. --arg name value)
edit_config() {
  local dir=$1 filter=$2
  shift 2
  jq "$@" "$filter" "$dir/config.json" > "$dir/config.json.new" &&
    mv "$dir/config.json.new" "$dir/config.json"
}

# Everything a test may have left: containers in its root, its cgroup dirs.
runtime_teardown() {
  if [ -d "$RT_ROOT" ]; then
    for d in "$RT_ROOT"/*/; do
      [ -d "$d" ] || continue
      "$RT" --root "$RT_ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1 || true
    done
  fi
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
    local p="$h$CG_PARENT"
    [ -d "$p" ] || continue
    find "$p" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# assert_no_leftovers ID: no state, agent record, cgroup dir or process.
assert_no_leftovers() {
  local id=$1
  [ ! -e "$RT_ROOT/$id" ] || { echo "state dir $RT_ROOT/$id left behind"; return 1; }
  [ ! -e "$PALISADE_STATE_DIR/$id.json" ] || { echo "agent record left behind"; return 1; }
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
    [ ! -d "$h$CG_PARENT/$id" ] || { echo "cgroup $h$CG_PARENT/$id left behind"; return 1; }
  done
  if grep -q "$T/.*rootfs" /proc/self/mountinfo; then
    echo "a mount of the test rootfs is left on the host"; return 1
  fi
}

# Builds tests/helpers/probe.c statically into the rootfs cache (bin/pal-probe).
install_probe() {
  require cc
  cc -static -O2 -o "$ROOTFS_CACHE/bin/pal-probe" "$PAL_SRC_DIR/tests/helpers/probe.c" || {
    echo "cannot build the static probe (needs the static libc from libc6-dev)" >&2
    return 1
  }
}
