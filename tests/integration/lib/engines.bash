# Real container engines driving palisade-runtime: podman (through conmon)
# and containerd (through the runc v2 shim), each isolated per test file.

engines_setup_file() {
  runtime_setup_file
  require podman conmon tar
  export BB_IMAGE="localhost/palisade-test/busybox:$$"
  tar -C "$ROOTFS_CACHE" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
  podman import -q "$BATS_FILE_TMPDIR/rootfs.tar" "$BB_IMAGE" >/dev/null
}

engines_teardown_file() {
  podman rmi -f "$BB_IMAGE" >/dev/null 2>&1 || true
}

# pman ARGS...: podman with palisade-runtime and this test's runtime flags
# (every command: stop, rm and exec call the runtime too).
pman() {
  podman --runtime "$RT" --runtime-flag "state-dir=$PALISADE_STATE_DIR" \
    --runtime-flag "policy=$PALISADE_POLICY" \
    --runtime-flag "audit-log=${PALISADE_AUDIT_LOG:-$T/audit.log}" "$@"
}

# prun ARGS...: podman run, with the ulimits this sandbox needs.
prun() {
  pman run --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@"
}

podman_teardown() {
  for c in $(podman ps -aq --filter "name=pal-test-$$" 2>/dev/null); do
    pman rm -f "$c" >/dev/null 2>&1 || true
  done
}

# A private containerd: root, state and socket in the test's temp dir.
containerd_start() {
  require containerd ctr
  export CTRD_DIR="$BATS_FILE_TMPDIR/containerd"
  mkdir -p "$CTRD_DIR"
  cat > "$CTRD_DIR/config.toml" <<TOML
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
[grpc]
  address = "$CTRD_DIR/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
TOML
  containerd --config "$CTRD_DIR/config.toml" > "$CTRD_DIR/containerd.log" 2>&1 &
  echo $! > "$CTRD_DIR/pid"
  for _ in $(seq 1 100); do
    ctr --address "$CTRD_DIR/containerd.sock" version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "containerd did not start: $(tail -5 "$CTRD_DIR/containerd.log")"
  return 1
}

containerd_stop() {
  [ -f "${CTRD_DIR:-/nonexistent}/pid" ] || return 0
  local pid
  pid=$(cat "$CTRD_DIR/pid")
  for t in $(ctr --address "$CTRD_DIR/containerd.sock" task ls -q 2>/dev/null); do
    ctr --address "$CTRD_DIR/containerd.sock" task kill -s KILL "$t" >/dev/null 2>&1 || true
  done
  sleep 0.3
  for t in $(ctr --address "$CTRD_DIR/containerd.sock" task ls -q 2>/dev/null); do
    ctr --address "$CTRD_DIR/containerd.sock" task rm -f "$t" >/dev/null 2>&1 || true
  done
  for c in $(ctr --address "$CTRD_DIR/containerd.sock" c ls -q 2>/dev/null); do
    ctr --address "$CTRD_DIR/containerd.sock" c rm "$c" >/dev/null 2>&1 || true
  done
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # shims of this containerd only (their socket paths live under our state dir)
  pkill -f "containerd-shim-runc-v2.*$CTRD_DIR" 2>/dev/null || true
  grep " $CTRD_DIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# cctr ARGS...: ctr against the private containerd.
cctr() {
  ctr --address "$CTRD_DIR/containerd.sock" "$@"
}
