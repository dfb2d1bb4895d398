#!/usr/bin/env bats
# Containers started by containerd (ctr, no CRI) with the runtime under test:
# the sensor names them by containerd's cgroup path /<namespace>/<id>, from
# the very first exec, and processes outside stay "host".

load lib/sensor

setup_file() {
	sensor_setup_file
	command -v containerd >/dev/null && command -v ctr >/dev/null ||
		sensor_fail "missing prerequisite containerd/ctr: run 'make deps'"
	export CTRD_DIR="$BATS_FILE_TMPDIR/containerd"
	mkdir -p "$CTRD_DIR/root" "$CTRD_DIR/state" "$CTRD_DIR/runc"
	printf '%s\n' 'version = 2' \
		"root = \"$CTRD_DIR/root\"" \
		"state = \"$CTRD_DIR/state\"" \
		'[grpc]' "  address = \"$CTRD_DIR/sock\"" \
		'[ttrpc]' "  address = \"$CTRD_DIR/sock.ttrpc\"" \
		'[plugins."io.containerd.grpc.v1.cri"]' '  disable_tcp_service = true' \
		>"$CTRD_DIR/config.toml"
	containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/log" 2>&1 &
	echo $! >"$CTRD_DIR/pid"
	local i
	for i in $(seq 100); do
		ctr --address "$CTRD_DIR/sock" --timeout 2s version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	sensor_fail "containerd did not start: $(tail -5 "$CTRD_DIR/log")"
}

teardown_file() {
	if [ -s "$CTRD_DIR/pid" ]; then
		local pid i
		pid="$(cat "$CTRD_DIR/pid")"
		kill "$pid" 2>/dev/null || true
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	sensor_teardown_file
}

teardown() {
	sensor_trace_kill
}

ctr_run() {
	local id="$1"
	shift
	ctr --address "$CTRD_DIR/sock" run --rm --runtime io.containerd.runc.v2 \
		--runc-binary "$SENSOR_RUNTIME" --runc-root "$CTRD_DIR/runc" \
		--rootfs "$BATS_FILE_TMPDIR/rootfs" "$id" "$@"
}

@test "ctr: exec and open inside a containerd container carry its id" {
	id="pal-sensor-ctr-$$"
	sensor_trace_start --container "$id" --events exec,open
	ctr_run "$id" /bin/sh -c '/bin/cat /etc/passwd; /bin/true pal-ctr'
	line="$(sensor_wait_for '."evt.type"=="execve" and ."proc.args"=="pal-ctr"')"
	sensor_field "$line" container.id "$id"
	sensor_field "$line" container.type containerd
	# sh execs its last command in place: the shim is the parent
	sensor_field "$line" proc.pname containerd-shim
	line="$(sensor_wait_for '(."evt.type"|startswith("open")) and ."fd.name"=="/etc/passwd" and ."proc.exe"=="/bin/cat"')"
	sensor_field "$line" container.id "$id"
	sensor_trace_stop
}

@test "ctr: host processes around a containerd container stay host" {
	id="pal-sensor-ctr2-$$"
	sensor_trace_start --events exec
	ctr_run "$id" /bin/true pal-in
	/bin/true pal-host-after
	line="$(sensor_wait_for '."evt.type"=="execve" and ."proc.args"=="pal-in"')"
	sensor_field "$line" container.id "$id"
	line="$(sensor_wait_for '."evt.type"=="execve" and ."proc.args"=="pal-host-after"')"
	sensor_field "$line" container.id host
	sensor_trace_stop
	# the runtime's helpers outside the container's cgroup are not attributed to it
	run jq -r 'select(."container.id"=="'"$id"'" and (."proc.name"=="containerd-shim" or ."proc.name"=="ctr")) | ."proc.cmdline"' "$SENSOR_OUT"
	[ -z "$output" ] || sensor_fail "host helpers attributed to the container: $output"
}
