#!/usr/bin/env bats
# Prometheus exposition over libmicrohttpd, fetched with curl; stdout and file sinks.

load lib/output

setup() {
	out_require curl jq
	out_setup
}

teardown() {
	out_teardown
}

@test "metrics: GET /metrics serves the registry and every sink's counters" {
	"$OUT_DRIVER" metrics --addr 127.0.0.1:0 --port-file "$OUT_DIR/port" --count 4 \
		--sink "file:$OUT_DIR/alerts.jsonl" &
	OUT_PIDS+=("$!")
	out_wait_for test -s "$OUT_DIR/port"
	local port
	port=$(cat "$OUT_DIR/port")
	run curl -sS -D "$OUT_DIR/headers" "http://127.0.0.1:$port/metrics"
	[ "$status" -eq 0 ]
	grep -qi '^content-type: text/plain; version=0.0.4' "$OUT_DIR/headers"
	[[ "$output" == *'palisade_test_events_total{source="syscall"} 42'* ]]
	[[ "$output" == *"palisade_output_sent_total{sink=\"file:$OUT_DIR/alerts.jsonl\",kind=\"file\"} 4"* ]]
	[[ "$output" == *"# TYPE palisade_output_dropped_total counter"* ]]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics"
	[ "$output" = 405 ]
}

@test "stdout and file sinks write one valid JSON alert per line" {
	run "$OUT_DRIVER" send --count 3 --sink stdout --sink "file:$OUT_DIR/a.jsonl" \
		--stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	echo "$output" | jq -e -s 'length == 3 and all(.[]; .rule and .priority and .output)'
	[ "$(wc -l <"$OUT_DIR/a.jsonl")" -eq 3 ]
	jq -e -s '[.[].output_fields["palisade.test.seq"]] == [1,2,3]' "$OUT_DIR/a.jsonl"
}
