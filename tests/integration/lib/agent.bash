# Shared helpers for tests/integration/agent_*.bats: prerequisites, a busybox
# image with the test helpers, `palisade agent` in the background, containers
# through podman (with palisade-runtime) and a network namespace with no route
# out for the network attacks.
#
# Everything a file creates carries "pal-agent-$$" in its name and is removed
# in teardown; processes are stopped by pid, never by name.

source "${BASH_SOURCE[0]%/*}/bpf.bash"

AGENT_BIN="${PAL_BIN_DIR:?PAL_BIN_DIR is set by ctest}/palisade"
AGENT_RT="$PAL_BIN_DIR/palisade-runtime"
# Fixed when the file's setup runs (tests run in processes of their own).
export AGENT_TAG="${AGENT_TAG:-pal-agent-$$}"
export AGENT_IMAGE="${AGENT_IMAGE:-localhost/pal-agent-test:$$}"

agent_fail() {
	echo "# $*" >&3
	echo "$*" >&2
	return 1
}

# Every tool the tests need, or a failure that names what is missing.
agent_require() {
	[ "$(id -u)" -eq 0 ] || agent_fail "agent tests need root (BPF, cgroups, podman)" || return 1
	[ -x "$AGENT_BIN" ] || agent_fail "missing $AGENT_BIN: build first (make build-asan)" || return 1
	[ -x "$AGENT_RT" ] || agent_fail "missing $AGENT_RT: build first (make build-asan)" || return 1
	[ -r /sys/kernel/btf/vmlinux ] || agent_fail "kernel BTF (/sys/kernel/btf/vmlinux) is missing" || return 1
	local t
	for t in bpftool jq podman conmon clang busybox python3 ip tar "$@"; do
		command -v "$t" >/dev/null || agent_fail "missing prerequisite '$t': run 'make deps'" || return 1
	done
	[ -r /usr/lib/x86_64-linux-gnu/libseccomp.a ] ||
		agent_fail "missing static libseccomp (libseccomp-dev) for the test helper" || return 1
}

# The rootfs (busybox, the sensor's static helper as /bin/palhelper, scripts
# named like a package manager, a compiler and the actions' test targets, a
# log file, a web root with CGI scripts), imported into podman once per file.
# Sets AGENT_ROOTFS (also usable as a bundle rootfs for palisade-runtime).
agent_image_setup() {
	agent_require "$@" || return 1
	export AGENT_ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	"$PAL_SRC_DIR/scripts/mk-busybox-rootfs.sh" "$AGENT_ROOTFS" >/dev/null
	clang -static -O2 -o "$AGENT_ROOTFS/bin/palhelper" "$PAL_SRC_DIR/tests/data/sensor/pal_sensor_helper.c" \
		-lseccomp 2>"$BATS_FILE_TMPDIR/helper.log" ||
		agent_fail "building the test helper failed: $(cat "$BATS_FILE_TMPDIR/helper.log")" || return 1
	mkdir -p "$AGENT_ROOTFS/usr/bin" "$AGENT_ROOTFS/var/log" "$AGENT_ROOTFS/usr/share/www/cgi-bin" \
		"$AGENT_ROOTFS/mnt"
	cp -a "$PAL_SRC_DIR/tests/data/agent/image/." "$AGENT_ROOTFS/"
	chmod 755 "$AGENT_ROOTFS"/usr/bin/* "$AGENT_ROOTFS"/usr/share/www/cgi-bin/*
	echo "service started" >"$AGENT_ROOTFS/var/log/app.log"
	tar -C "$AGENT_ROOTFS" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
	podman import -q "$BATS_FILE_TMPDIR/rootfs.tar" "$AGENT_IMAGE" >/dev/null ||
		agent_fail "podman import of the test image failed" || return 1
	export PALISADE_STATE_DIR="$BATS_FILE_TMPDIR/state"
	mkdir -p "$PALISADE_STATE_DIR"
	export AGENT_POLICY="$BATS_FILE_TMPDIR/policy.yaml"
	: >"$AGENT_POLICY"
}

agent_image_teardown() {
	local c
	for c in $(podman ps -aq --filter "name=$AGENT_TAG" 2>/dev/null); do
		agent_podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
	done
	podman rmi -f "$AGENT_IMAGE" >/dev/null 2>&1 || true
}

# podman with palisade-runtime, its records where the agent reads them.
agent_podman() {
	podman --runtime "$AGENT_RT" --runtime-flag "state-dir=$PALISADE_STATE_DIR" \
		--runtime-flag "policy=$AGENT_POLICY" "$@"
}

# agent_run NAME [PODMAN_OPTS...] -- CMD...: runs a container to its end with
# the test image; its full id goes to $BATS_TEST_TMPDIR/NAME.cid. The exit
# status is the container's.
agent_run() {
	local name="$AGENT_TAG-$1"
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	rm -f "$BATS_TEST_TMPDIR/$name.cid"
	timeout 120 podman --runtime "$AGENT_RT" --runtime-flag "state-dir=$PALISADE_STATE_DIR" \
		--runtime-flag "policy=$AGENT_POLICY" run --rm --name "$name" \
		--cidfile "$BATS_TEST_TMPDIR/$name.cid" \
		--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		"${opts[@]}" "$AGENT_IMAGE" "$@"
}

# The full id of the container NAME started by agent_run.
agent_cid() {
	cat "$BATS_TEST_TMPDIR/$AGENT_TAG-$1.cid"
}

agent_pal_prog_ids() {
	bpf_pal_prog_ids || agent_fail "cannot list the BPF programs"
}

# agent_start [AGENT ARGS...]: `palisade agent -o $AGENT_OUT --ready-file ...`
# in the background; waits until it is attached. Sets AGENT_PID AGENT_OUT
# AGENT_ERR AGENT_PROGS (the pal* BPF programs that appeared with it).
agent_start() {
	AGENT_DIR="${AGENT_DIR:-$BATS_TEST_TMPDIR}"
	AGENT_OUT="$AGENT_DIR/alerts.jsonl"
	AGENT_ERR="$AGENT_DIR/agent.err"
	local ready="$AGENT_DIR/agent.ready" before
	rm -f "$ready"
	before="$(agent_pal_prog_ids)"
	"$AGENT_BIN" agent -o "$AGENT_OUT" --ready-file "$ready" "$@" 2>"$AGENT_ERR" &
	AGENT_PID=$!
	local i
	for i in $(seq 600); do
		if [ -s "$ready" ]; then
			AGENT_PROGS="$(comm -13 <(echo "$before") <(agent_pal_prog_ids) | tr '\n' ' ')"
			[ -n "${AGENT_PROGS// /}" ] ||
				agent_fail "the agent is ready but no pal* BPF program is loaded" || return 1
			return 0
		fi
		if ! kill -0 "$AGENT_PID" 2>/dev/null; then
			wait "$AGENT_PID" 2>/dev/null || true
			AGENT_PID=""
			agent_fail "palisade agent exited before it was ready: $(cat "$AGENT_ERR")"
			return 1
		fi
		sleep 0.1
	done
	agent_fail "palisade agent was not ready after 60 s: $(cat "$AGENT_ERR")"
}

# SIGTERM, a clean exit (status 0), the final counters on stderr, and none of
# its BPF programs left. Sets AGENT_STATS (the palisade.agent.stats object).
agent_stop() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	local rc=0 i
	wait "$AGENT_PID" 2>/dev/null || rc=$?
	# 127: not our child (see below)
	[ "$rc" -ne 127 ] || rc=0
	# Started by the file's setup, the agent is no child of a test: wait for
	# it to go; its last log line tells a clean exit.
	for i in $(seq 300); do
		[ -e "/proc/$AGENT_PID" ] || break
		sleep 0.1
	done
	AGENT_PID=""
	[ "$rc" -eq 0 ] || agent_fail "palisade agent exited with $rc: $(tail -c 3000 "$AGENT_ERR")" || return 1
	tail -n 1 "$AGENT_ERR" | grep -q "palisade agent: info: stopped" ||
		agent_fail "palisade agent did not stop cleanly: $(tail -c 3000 "$AGENT_ERR")" || return 1
	AGENT_STATS="$(grep '"palisade.agent.stats"' "$AGENT_ERR" | tail -n 1 | jq -c '."palisade.agent.stats"')"
	[ -n "$AGENT_STATS" ] || agent_fail "no palisade.agent.stats line: $(tail -c 3000 "$AGENT_ERR")" || return 1
	local left
	left="$(bpf_wait_gone "$AGENT_PROGS")" ||
		agent_fail "BPF programs still loaded 5 s after the agent exited:$left"
}

# Teardown: an agent still running after a failed test.
agent_kill() {
	if [ -n "${AGENT_PID:-}" ]; then
		kill -TERM "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
		AGENT_PID=""
	fi
}

# One agent for a whole file: setup_file() { agent_file_setup [AGENT ARGS...]; }
# (the test image built, the agent started with its state in the file's
# directory) and teardown_file() { agent_file_teardown; }, which fails when
# the agent did not stop cleanly.
agent_file_setup() {
	agent_image_setup || return 1
	export AGENT_DIR="$BATS_FILE_TMPDIR"
	agent_start "$@" || return 1
	export AGENT_PID AGENT_OUT AGENT_ERR AGENT_PROGS
}

agent_file_teardown() {
	agent_stop
	local rc=$?
	agent_kill
	agent_image_teardown
	return $rc
}

# Waits until an alert matching the jq condition is written; echoes it.
# agent_wait_alert 'JQ-CONDITION' [TIMEOUT_SECONDS]
agent_wait_alert() {
	local cond="$1" timeout="${2:-30}" line i
	for i in $(seq $((timeout * 5))); do
		line="$(jq -c "select($cond)" "$AGENT_OUT" 2>/dev/null | head -n 1)"
		if [ -n "$line" ]; then
			echo "$line"
			return 0
		fi
		sleep 0.2
	done
	agent_fail "no alert matching [$cond] within ${timeout}s; alerts: $(jq -c '{rule, c: .container.id, o: .output[0:160]}' "$AGENT_OUT" 2>/dev/null | tail -n 30); agent: $(tail -c 1500 "$AGENT_ERR")"
}

# The alert of RULE for container CID (waits for it).
agent_alert_for() {
	agent_wait_alert ".rule == \"$1\" and .container.id == \"$2\"" "${3:-30}"
}

# Asserts a jq expression on an alert: agent_field LINE JQ-PATH EXPECTED
agent_field() {
	local got
	got="$(jq -r "$2 | if . == null then \"null\" else tostring end" <<<"$1")"
	[ "$got" = "$3" ] || agent_fail "$2 is '$got', expected '$3' in: $1"
}

# Asserts the common shape: rule, priority, the container and the process.
# agent_assert_alert LINE RULE PRIORITY CID PROC_NAME
agent_assert_alert() {
	agent_field "$1" .rule "$2"
	agent_field "$1" .priority "$3"
	agent_field "$1" .container.id "$4"
	agent_field "$1" '.output_fields["container.id"] // .container.id' "$4"
	agent_field "$1" .source syscall
	agent_field "$1" '.process_tree[0].name' "$5"
	agent_field "$1" .container.image "$AGENT_IMAGE"
	jq -e '(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and (.hostname | length > 0)
		and (.tags | type == "array" and length > 0) and (.output | type == "string")
		and (.output_fields | type == "object") and (.process_tree | length >= 2)' \
		<<<"$1" >/dev/null || agent_fail "not a complete alert: $1"
}

# A network namespace with no route out: only lo (up) carrying 127.0.0.1, the
# cloud metadata address and a public-looking TEST-NET-2 address, so
# "outbound" connections to them stay inside it. Sets AGENT_NETNS.
agent_netns_create() {
	AGENT_NETNS="$AGENT_TAG-$BATS_TEST_NUMBER"
	ip netns add "$AGENT_NETNS" || agent_fail "ip netns add $AGENT_NETNS failed" || return 1
	ip -n "$AGENT_NETNS" link set lo up
	ip -n "$AGENT_NETNS" addr add 169.254.169.254/32 dev lo
	ip -n "$AGENT_NETNS" addr add 198.51.100.7/32 dev lo
	ip -n "$AGENT_NETNS" addr add 10.96.0.1/32 dev lo
	# nothing but lo: no default route, no other interface
	[ -z "$(ip -n "$AGENT_NETNS" route show default)" ] ||
		agent_fail "the test namespace has a default route" || return 1
}

agent_netns_delete() {
	if [ -n "${AGENT_NETNS:-}" ]; then
		ip netns delete "$AGENT_NETNS" 2>/dev/null || true
		AGENT_NETNS=""
	fi
}
