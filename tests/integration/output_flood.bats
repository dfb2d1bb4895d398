#!/usr/bin/env bats
# A stalled sink never stalls the producer: its queue fills, further alerts
# are dropped for that sink and counted, other sinks keep receiving, and
# close gives up at its deadline.

load lib/output

setup() {
	out_require jq python3
	out_setup
}

teardown() {
	out_teardown
}

@test "flood: a blackholed tcp sink drops and counts while the file sink gets everything" {
	rm -f "$OUT_DIR/bh.port"
	python3 "$OUT_DATA/blackhole.py" --port-file "$OUT_DIR/bh.port" &
	OUT_PIDS+=("$!")
	out_wait_for test -s "$OUT_DIR/bh.port"
	local port
	port=$(cat "$OUT_DIR/bh.port")
	# 20000 alerts of ~2 KiB: far more than the loopback socket buffers hold,
	# so the syslog worker blocks in send() while the producer keeps going.
	run timeout 120 "$OUT_DRIVER" send --count 20000 --big 1500 --queue 64 --deadline-ms 1000 \
		--timeout-ms 60000 \
		--sink "syslog+tcp:127.0.0.1:$port" --sink "file:$OUT_DIR/alerts.jsonl" \
		--queue 64 --stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ] || fail "driver: $output"
	[ "$(out_stat '.published')" -eq 20000 ]
	local sent dropped failed
	sent=$(out_stat '.sinks[0].sent')
	dropped=$(out_stat '.sinks[0].dropped')
	failed=$(out_stat '.sinks[0].failed')
	echo "blackhole sink: sent=$sent dropped=$dropped failed=$failed" >&3
	# The stalled sink dropped most alerts, and every alert is accounted for.
	[ "$dropped" -gt 10000 ]
	[ $((sent + dropped + failed)) -eq 20000 ]
	# close hit its deadline with a send blocked, interrupted it and counted the rest.
	[ "$(out_stat '.close_dropped')" -ge 1 ]
	# The file sink shares the producer but not the stall: its queue is its own.
	local fsent fdropped
	fsent=$(out_stat '.sinks[1].sent')
	fdropped=$(out_stat '.sinks[1].dropped')
	[ $((fsent + fdropped)) -eq 20000 ]
	[ "$(wc -l <"$OUT_DIR/alerts.jsonl")" -eq "$fsent" ]
	[ "$fsent" -gt "$sent" ]
}
