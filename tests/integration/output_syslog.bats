#!/usr/bin/env bats
# Syslog sink against a real rsyslogd on loopback: UDP, TCP (octet counting),
# TLS (certificate and name checked) and a unix datagram socket.

load lib/output

setup() {
	out_require jq python3
	out_setup
}

teardown() {
	out_teardown
}

@test "syslog: rsyslog receives RFC 5424 alerts over udp, tcp, tls and a unix socket" {
	out_start_rsyslog
	run "$OUT_DRIVER" send --count 3 --priority critical \
		--sink "syslog+udp:127.0.0.1:$RS_UDP" \
		--sink "syslog+tcp:127.0.0.1:$RS_TCP" \
		--sink "syslog+tls:localhost:$RS_TLS" --ca "$OUT_DIR/pki/ca.pem" \
		--sink "syslog+unix:$RS_SOCK" \
		--stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	for i in 0 1 2 3; do
		[ "$(out_stat ".sinks[$i].sent")" -eq 3 ]
		[ "$(out_stat ".sinks[$i].errors")" -eq 0 ]
	done
	out_wait_for out_lines_at_least "$RS_OUT" 12
	for input in imudp imptcp imtcp imuxsock; do
		[ "$(grep -c "^$input " "$RS_OUT")" -eq 3 ] || fail "$input: $(cat "$RS_OUT")"
	done
	# rsyslog parsed the header: local0 (16) * 8 + Critical (2) = 130, our app and msgid.
	[ "$(grep -c ' pri=130 host=[^ ]* app=palisade procid=[0-9]* msgid=alert msg={' "$RS_OUT")" -eq 12 ]
	# MSG is the Falco-shaped JSON line, intact.
	grep '^imtcp ' "$RS_OUT" | sed 's/^.* msg=//' >"$OUT_DIR/msgs.jsonl"
	run jq -e -s 'length == 3 and all(.[]; .priority == "Critical" and .source == "syscall"
		and (.output_fields["palisade.test.seq"] | type) == "number"
		and .rule == "Terminal shell in container")' "$OUT_DIR/msgs.jsonl"
	[ "$status" -eq 0 ]
	run jq -s '[.[].output_fields["palisade.test.seq"]] | sort' "$OUT_DIR/msgs.jsonl"
	[ "$(echo "$output" | jq -c .)" = "[1,2,3]" ]
}

@test "syslog tls: a certificate for another name or from another CA is refused" {
	out_start_rsyslog
	run "$OUT_DRIVER" send --count 1 --deadline-ms 300 \
		--sink "syslog+tls:127.0.0.1:$RS_TLS" --ca "$OUT_DIR/pki/ca.pem" \
		--server-name not-this-host.example --stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	[ "$(out_stat '.sinks[0].sent')" -eq 0 ]
	[ "$(out_stat '.sinks[0].dropped')" -eq 1 ]
	out_stat '.sinks[0].last_error' | grep -q 'hostname mismatch'

	run "$OUT_DRIVER" send --count 1 --deadline-ms 300 \
		--sink "syslog+tls:localhost:$RS_TLS" --ca "$OUT_DIR/pki/other.pem" \
		--stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	[ "$(out_stat '.sinks[0].sent')" -eq 0 ]
	out_stat '.sinks[0].last_error' | grep -q 'certificate rejected'
	sleep 0.5
	[ ! -s "$RS_OUT" ]
}

@test "syslog tcp: the sink reconnects when rsyslog restarts" {
	RS_TCP=$(out_free_port)
	out_start_rsyslog
	# 40 alerts over ~4 s; rsyslog is restarted in the middle.
	"$OUT_DRIVER" send --count 40 --interval-ms 100 --deadline-ms 10000 \
		--sink "syslog+tcp:127.0.0.1:$RS_TCP" --stats "$OUT_DIR/stats.json" &
	local drv=$!
	OUT_PIDS+=("$drv")
	out_wait_for out_lines_at_least "$RS_OUT" 5
	out_stop_pid "$RS_PID"
	sleep 0.5
	out_start_rsyslog
	wait "$drv"
	[ "$(out_stat '.sinks[0].reconnects')" -ge 1 ]
	[ "$(out_stat '.sinks[0].errors')" -ge 1 ]
	# Everything sent is accounted for, and the alerts after the restart arrived.
	local sent dropped failed
	sent=$(out_stat '.sinks[0].sent')
	dropped=$(out_stat '.sinks[0].dropped')
	failed=$(out_stat '.sinks[0].failed')
	[ $((sent + dropped + failed)) -eq 40 ]
	out_wait_for grep -q 'seq=40)' "$RS_OUT"
}
