#!/usr/bin/env bats
# palisade trace on the host: exec with argv, cwd and ancestry; files; network;
# the adaptive syscall set; seccomp denials from the audit log; clean detach.

load lib/sensor

setup_file() {
	sensor_setup_file
}

teardown_file() {
	sensor_teardown_file
}

teardown() {
	sensor_trace_kill
}

@test "trace: exec carries exe, argv, cwd, ids and five levels of ancestry" {
	sensor_trace_start --events exec,exit
	mkdir -p "$BATS_TEST_TMPDIR/work dir"
	# Five shells deep; the ":" after each call keeps sh from exec'ing it.
	cat >"$BATS_TEST_TMPDIR/level.sh" <<'SH'
if [ "$1" -gt 0 ]; then sh "$0" $(($1 - 1)); else /bin/true pal-arg-1 "two words"; fi
:
SH
	(cd "$BATS_TEST_TMPDIR/work dir" && sh "$BATS_TEST_TMPDIR/level.sh" 4)
	line="$(sensor_wait_for '."evt.type"=="execve" and ."proc.args"=="pal-arg-1 two words"')"
	sensor_field "$line" proc.exepath /usr/bin/true
	sensor_field "$line" proc.name true
	sensor_field "$line" proc.cmdline "true pal-arg-1 two words"
	sensor_field "$line" proc.cwd "$BATS_TEST_TMPDIR/work dir"
	sensor_field "$line" user.uid 0
	sensor_field "$line" container.id host
	sensor_field "$line" evt.res SUCCESS
	sensor_field "$line" proc.pname sh
	sensor_field "$line" proc.aname[2] sh
	sensor_field "$line" proc.aname[3] sh
	sensor_field "$line" proc.aname[4] sh
	sensor_field "$line" proc.aname[5] sh
	sensor_field "$line" proc.pcmdline "sh $BATS_TEST_TMPDIR/level.sh 0"
	sensor_field "$line" proc.aname[1] sh
	pid="$(jq -r '."proc.pid"' <<<"$line")"
	exit_line="$(sensor_wait_for '."evt.type"=="procexit" and ."proc.pid"=='"$pid")"
	sensor_field "$exit_line" evt.arg.status 0
	sensor_field "$exit_line" evt.arg.sig 0
	sensor_trace_stop
}

@test "trace: file events have absolute paths resolved against cwd and dirfd" {
	sensor_trace_start --events file
	d="$BATS_TEST_TMPDIR/files"
	mkdir -p "$d"
	(
		cd "$d"
		echo x >f1
		mv f1 f2
		ln -s f2 l1
		ln f2 h1
		chmod 600 f2
		mkdir sub
		cat ../files/./missing 2>/dev/null || true
		rm f2
	)
	line="$(sensor_wait_for '(."evt.type"|startswith("rename")) and ."evt.arg.newpath"=="'"$d/f2"'"')"
	sensor_field "$line" evt.arg.oldpath "$d/f1"
	line="$(sensor_wait_for '(."evt.type"|startswith("symlink")) and ."evt.arg.linkpath"=="'"$d/l1"'"')"
	sensor_field "$line" evt.arg.target f2
	line="$(sensor_wait_for '(."evt.type"|startswith("link")) and ."evt.arg.newpath"=="'"$d/h1"'"')"
	sensor_field "$line" evt.arg.oldpath "$d/f2"
	line="$(sensor_wait_for '(."evt.type"|startswith("chmod") or startswith("fchmod")) and ."fd.name"=="'"$d/f2"'"')"
	sensor_field "$line" evt.arg.mode 384
	line="$(sensor_wait_for '(."evt.type"|startswith("mkdir")) and ."fd.name"=="'"$d/sub"'"')"
	line="$(sensor_wait_for '(."evt.type"|startswith("open")) and ."fd.name"=="'"$d/missing"'"')"
	sensor_field "$line" evt.res ENOENT
	line="$(sensor_wait_for '(."evt.type"|startswith("unlink")) and ."fd.name"=="'"$d/f2"'"')"
	line="$(sensor_wait_for '(."evt.type"|startswith("open")) and ."fd.name"=="'"$d/f1"'" and ."evt.res"=="SUCCESS"')"
	flags="$(jq -r '."evt.arg.flags"' <<<"$line")"
	[ $((flags & 0x40)) -ne 0 ] # O_CREAT
	sensor_trace_stop
}

@test "trace: network events on loopback, IPv4, IPv6 and unix" {
	sensor_trace_start --events network
	port_file="$BATS_TEST_TMPDIR/port"
	python3 - "$port_file" "$BATS_TEST_TMPDIR/pal.sock" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); c.recv(16); c.close()
u = socket.socket(socket.AF_UNIX); u.bind(sys.argv[2]); u.listen(1)
PY
	srv=$!
	for i in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
	port="$(cat "$port_file")"
	"$SENSOR_HELPER" connect "$port"
	"$SENSOR_HELPER" udp 9
	wait "$srv"
	line="$(sensor_wait_for '."evt.type"=="connect" and ."fd.sport"=='"$port")"
	sensor_field "$line" fd.sip 127.0.0.1
	sensor_field "$line" fd.l4proto tcp
	sensor_field "$line" evt.res SUCCESS
	sensor_field "$line" proc.name pal_sensor_help
	cport="$(jq -r '."fd.cport"' <<<"$line")"
	line="$(sensor_wait_for '(."evt.type"|startswith("accept")) and ."fd.sport"=='"$port")"
	sensor_field "$line" fd.cport "$cport"
	sensor_field "$line" fd.cip 127.0.0.1
	line="$(sensor_wait_for '."evt.type"=="listen" and ."fd.sport"=='"$port")"
	line="$(sensor_wait_for '."evt.type"=="sendto" and ."fd.rport"==9')"
	sensor_field "$line" fd.l4proto udp
	sensor_field "$line" fd.rip 127.0.0.1
	line="$(sensor_wait_for '."evt.type"=="bind" and ."fd.name"=="'"$BATS_TEST_TMPDIR/pal.sock"'"')"
	sensor_field "$line" fd.type unix
	line="$(sensor_wait_for '."evt.type"=="socket" and ."proc.name"=="pal_sensor_help" and ."evt.arg.domain"==2 and ."evt.arg.type"==2')"
	sensor_trace_stop
}

@test "trace: privilege events: ptrace, unshare, module loads, memfd exec" {
	sensor_trace_start --events privilege,exec
	"$SENSOR_HELPER" ptrace
	unshare --uts true
	"$SENSOR_HELPER" module /etc/hostname
	"$SENSOR_HELPER" memfd-exec
	line="$(sensor_wait_for '."evt.type"=="ptrace" and ."proc.name"=="pal_sensor_help"')"
	sensor_field "$line" evt.arg.request 16
	sensor_field "$line" evt.res SUCCESS
	line="$(sensor_wait_for '."evt.type"=="unshare" and ."proc.name"=="unshare"')"
	sensor_field "$line" evt.arg.flags $((0x04000000))
	line="$(sensor_wait_for '."evt.type"=="finit_module" and ."proc.name"=="pal_sensor_help"')"
	sensor_field "$line" fd.name /etc/hostname
	sensor_field "$line" evt.arg.uargs pal_test=1
	[ "$(jq -r '."evt.rawres"' <<<"$line")" -lt 0 ] # the load fails, the attempt is seen
	line="$(sensor_wait_for '."evt.type"=="init_module" and ."proc.name"=="pal_sensor_help"')"
	sensor_field "$line" evt.arg.uargs pal_test=2
	[ "$(jq -r '."evt.rawres"' <<<"$line")" -lt 0 ]
	line="$(sensor_wait_for '."evt.type"=="memfd_create" and ."evt.arg.name"=="pal-fileless"')"
	# glibc's fexecve uses execveat or /proc/self/fd/N with execve
	line="$(sensor_wait_for '(."evt.type"|startswith("execve")) and ."proc.is_exe_from_memfd"==true')"
	sensor_field "$line" proc.exepath "/memfd:pal-fileless"
	sensor_field "$line" proc.exe true
	line="$(sensor_wait_for '."evt.type"=="kill" and ."proc.name"=="pal_sensor_help" and ."evt.arg.sig"==9')"
	sensor_trace_stop
}

@test "trace: a seccomp denial reaches the trace through the audit log" {
	grep -qw errno /proc/sys/kernel/seccomp/actions_logged ||
		sensor_fail "/proc/sys/kernel/seccomp/actions_logged lacks errno: the kernel will not log errno denials"
	sensor_trace_start --events seccomp_denied,exec
	run "$SENSOR_HELPER" seccomp-keyctl
	[ "$status" -eq 0 ]
	pid="$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' <<<"$output")"
	line="$(sensor_wait_for '."evt.type"=="seccomp_denied" and ."proc.pid"=='"$pid")"
	sensor_field "$line" evt.arg.syscall keyctl
	sensor_field "$line" evt.arg.syscall_nr 250
	sensor_field "$line" evt.res EPERM
	sensor_field "$line" proc.name pal_sensor_help
	sensor_field "$line" proc.exepath "$SENSOR_HELPER"
	sensor_field "$line" container.id host
	sensor_trace_stop
	[ "$(jq -r '."palisade.stats".seccomp_denials' <<<"$SENSOR_STATS")" -ge 1 ]
}

@test "trace: the adaptive set captures only the syscalls asked for" {
	sensor_trace_start --events exec
	# the interest map holds execve (59) and execveat (322) only
	set_nrs="$(bpftool -j map dump name pal_interest | python3 -c '
import json, sys
def num(b): return int(b, 16) if isinstance(b, str) else b
def le(v): return sum(num(x) << (8 * i) for i, x in enumerate(v)) if isinstance(v, list) else v
print(sorted(le(e["key"]) for e in json.load(sys.stdin) if le(e["value"])))')"
	[ "$set_nrs" = "[59, 322]" ] || sensor_fail "interest map has $set_nrs, expected [59, 322]"
	cat /etc/hostname >/dev/null
	/bin/true pal-adaptive
	sensor_wait_for '."evt.type"=="execve" and ."proc.args"=="pal-adaptive"' >/dev/null
	sensor_trace_stop
	# no open event was captured, let alone printed
	run jq -r 'select(."evt.type"|startswith("open"))' "$SENSOR_OUT"
	[ -z "$output" ]
}

@test "trace: --help, usage errors and unknown event types" {
	run "$PAL_BIN_DIR/palisade" trace --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--ready-file"* ]]
	run "$PAL_BIN_DIR/palisade" trace --events exec,nosuchevent
	[ "$status" -eq 2 ]
	[[ "$output" == *"nosuchevent"* ]]
	run "$PAL_BIN_DIR/palisade" trace --host --all
	[ "$status" -eq 2 ]
	run "$PAL_BIN_DIR/palisade" trace --ringbuf-size 12Q
	[ "$status" -eq 2 ]
}
