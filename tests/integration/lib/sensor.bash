# Shared helpers for tests/integration/sensor_*.bats: prerequisites, a busybox
# image with the static test helper, and `palisade trace` in the background.
#
# Containers run through podman with the runtime under test:
#   PAL_TEST_RUNTIME (default: this build's palisade-runtime; /usr/bin/runc works too)

source "${BASH_SOURCE[0]%/*}/bpf.bash"

SENSOR_IMAGE="localhost/pal-sensor-bb:test"
SENSOR_RUNTIME="${PAL_TEST_RUNTIME:-$PAL_BIN_DIR/palisade-runtime}"

sensor_fail() {
	echo "# $*" >&3
	echo "$*" >&2
	return 1
}

# Every tool the tests need, or a failure that names what is missing.
sensor_require() {
	[ "$(id -u)" -eq 0 ] || sensor_fail "sensor tests need root (BPF, podman, audit)" || return 1
	[ -x "$PAL_BIN_DIR/palisade" ] || sensor_fail "missing $PAL_BIN_DIR/palisade: build first (make build-asan)" || return 1
	[ -r /sys/kernel/btf/vmlinux ] || sensor_fail "kernel BTF (/sys/kernel/btf/vmlinux) is missing" || return 1
	local t
	for t in bpftool jq podman clang busybox python3; do
		command -v "$t" >/dev/null || sensor_fail "missing prerequisite '$t': run 'make deps'" || return 1
	done
	[ -x "$SENSOR_RUNTIME" ] || sensor_fail "container runtime $SENSOR_RUNTIME not found (set PAL_TEST_RUNTIME)" || return 1
	[ -r /usr/lib/x86_64-linux-gnu/libseccomp.a ] || sensor_fail "missing static libseccomp (libseccomp-dev)" || return 1
}

# Builds the static helper and, once per file, the busybox image holding it.
sensor_setup_file() {
	sensor_require || return 1
	export SENSOR_HELPER="$BATS_FILE_TMPDIR/pal_sensor_helper"
	clang -static -O2 -o "$SENSOR_HELPER" "$PAL_SRC_DIR/tests/data/sensor/pal_sensor_helper.c" \
		-lseccomp 2>"$BATS_FILE_TMPDIR/helper-build.log" ||
		sensor_fail "building the test helper failed: $(cat "$BATS_FILE_TMPDIR/helper-build.log")" || return 1
	local root="$BATS_FILE_TMPDIR/rootfs"
	mkdir -p "$root/bin" "$root/tmp" "$root/etc"
	cp "$(command -v busybox)" "$root/bin/busybox"
	local a
	for a in $("$root/bin/busybox" --list); do
		[ "$a" = busybox ] && continue # the binary itself, not an applet link
		ln -sf busybox "$root/bin/$a"
	done
	cp "$SENSOR_HELPER" "$root/bin/palhelper"
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
	tar -C "$root" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
	podman import -q "$BATS_FILE_TMPDIR/rootfs.tar" "$SENSOR_IMAGE" >/dev/null ||
		sensor_fail "podman import of the busybox image failed" || return 1
	# palisade-runtime's records go where this file's traces read them; its
	# policy lets the loopback test share the host's network.
	export PALISADE_STATE_DIR="$BATS_FILE_TMPDIR/state"
	export SENSOR_POLICY="$BATS_FILE_TMPDIR/policy.yaml"
	printf 'admission:\n  host_namespaces: [pid, ipc, uts, mount]\n' >"$SENSOR_POLICY"
}

# True when the runtime under test is palisade-runtime.
sensor_runtime_is_palisade() {
	"$SENSOR_RUNTIME" --version 2>/dev/null | grep -q palisade-runtime
}

sensor_teardown_file() {
	podman rmi -f "$SENSOR_IMAGE" >/dev/null 2>&1 || true
}

# podman run with the runtime under test; extra podman options before "--".
# sensor_run_container NAME [PODMAN_OPTS...] -- CMD...
sensor_run_container() {
	local name="$1"
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	local rtflags=()
	if sensor_runtime_is_palisade; then
		rtflags=(--runtime-flag "state-dir=$PALISADE_STATE_DIR" --runtime-flag "policy=$SENSOR_POLICY")
	fi
	podman --runtime "$SENSOR_RUNTIME" "${rtflags[@]}" run --rm --name "$name" \
		--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		"${opts[@]}" "$SENSOR_IMAGE" "$@"
}

sensor_pal_prog_ids() {
	bpf_pal_prog_ids || sensor_fail "cannot list the BPF programs"
}

# Starts `palisade trace` with the given options; waits until it is attached.
sensor_trace_start() {
	SENSOR_OUT="$BATS_TEST_TMPDIR/trace.jsonl"
	SENSOR_ERR="$BATS_TEST_TMPDIR/trace.err"
	SENSOR_READY="$BATS_TEST_TMPDIR/trace.ready"
	SENSOR_PROGS_BEFORE="$(sensor_pal_prog_ids)"
	rm -f "$SENSOR_READY"
	"$PAL_BIN_DIR/palisade" trace --ready-file "$SENSOR_READY" -o "$SENSOR_OUT" "$@" \
		2>"$SENSOR_ERR" &
	SENSOR_PID=$!
	local i
	for i in $(seq 300); do
		if [ -s "$SENSOR_READY" ]; then
			# Ours: the pal* programs that appeared while it started, and their maps.
			SENSOR_PROGS="$(comm -13 <(echo "$SENSOR_PROGS_BEFORE") <(sensor_pal_prog_ids) | tr '\n' ' ')"
			SENSOR_MAPS="$(bpftool -j prog show 2>/dev/null | jq -r --arg ids " $SENSOR_PROGS" \
				'.[] | .id as $i | select($ids | contains(" \($i) ")) | .map_ids[]?' | sort -u | tr '\n' ' ')"
			[ -n "${SENSOR_PROGS// /}" ] || sensor_fail "palisade trace is ready but no pal* BPF program is loaded" || return 1
			return 0
		fi
		if ! kill -0 "$SENSOR_PID" 2>/dev/null; then
			sensor_fail "palisade trace exited before it was ready: $(cat "$SENSOR_ERR")"
			return 1
		fi
		sleep 0.1
	done
	sensor_fail "palisade trace was not ready after 30 s: $(cat "$SENSOR_ERR")"
}

# Waits until an event matching the jq condition is printed; echoes it.
# sensor_wait_for 'JQ-CONDITION' [TIMEOUT_SECONDS]
sensor_wait_for() {
	local cond="$1" timeout="${2:-60}" line i
	for i in $(seq $((timeout * 5))); do
		line="$(jq -c "select($cond)" "$SENSOR_OUT" 2>/dev/null | head -n 1)"
		if [ -n "$line" ]; then
			echo "$line"
			return 0
		fi
		sleep 0.2
	done
	sensor_fail "no event matching [$cond] within ${timeout}s; $(wc -l <"$SENSOR_OUT") events printed; stderr: $(tail -c 2000 "$SENSOR_ERR")"
}

# Asserts a field of an event line: sensor_field LINE FIELD EXPECTED
sensor_field() {
	local got
	got="$(jq -r --arg f "$2" '.[$f] | if . == null then "null" else tostring end' <<<"$1")"
	[ "$got" = "$3" ] || sensor_fail "field $2 is '$got', expected '$3' in: $1"
}

# Ctrl-C, a clean exit, the stats line, and no pal* program of ours left.
sensor_trace_stop() {
	[ -n "${SENSOR_PID:-}" ] || return 0
	kill -INT "$SENSOR_PID" 2>/dev/null || true
	local rc=0
	wait "$SENSOR_PID" || rc=$?
	SENSOR_PID=""
	[ "$rc" -eq 0 ] || sensor_fail "palisade trace exited with $rc: $(tail -c 2000 "$SENSOR_ERR")" || return 1
	SENSOR_STATS="$(grep '"palisade.stats"' "$SENSOR_ERR" | tail -n 1)"
	[ -n "$SENSOR_STATS" ] || sensor_fail "no palisade.stats line on stderr: $(tail -c 2000 "$SENSOR_ERR")" || return 1
	local left
	left="$(bpf_wait_gone "$SENSOR_PROGS" "$SENSOR_MAPS")" ||
		sensor_fail "BPF objects still loaded 5 s after trace exited:$left"
}

# Kills a trace still running after a failed test (teardown).
sensor_trace_kill() {
	if [ -n "${SENSOR_PID:-}" ]; then
		kill -INT "$SENSOR_PID" 2>/dev/null || true
		wait "$SENSOR_PID" 2>/dev/null || true
		SENSOR_PID=""
	fi
}
