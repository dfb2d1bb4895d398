#!/usr/bin/env bats
# NATS sink against a real nats-server with a libnats subscriber.

load lib/output

setup() {
	out_require jq
	out_setup
}

teardown() {
	out_teardown
}

@test "nats: alerts are published on the subject" {
	out_start_nats
	"$OUT_DRIVER" nats-sub --url "$NATS_URL" --subject palisade.alerts --count 5 \
		--out "$OUT_DIR/received.jsonl" --timeout-ms 20000 --ready "$OUT_DIR/ready" &
	local sub=$!
	OUT_PIDS+=("$sub")
	out_wait_for test -e "$OUT_DIR/ready"
	run "$OUT_DRIVER" send --count 5 --sink "nats:$NATS_URL" --subject palisade.alerts \
		--stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	wait "$sub"
	[ "$(out_stat '.sinks[0].sent')" -eq 5 ]
	run jq -e -s 'length == 5 and ([.[].output_fields["palisade.test.seq"]] == [1,2,3,4,5])
		and all(.[]; .priority == "Warning" and .source == "syscall")' "$OUT_DIR/received.jsonl"
	[ "$status" -eq 0 ]
}

@test "nats: a server that is not up yet is retried until it is" {
	NATS_PORT=$(out_free_port)
	"$OUT_DRIVER" send --count 3 --sink "nats:nats://127.0.0.1:$NATS_PORT" \
		--subject palisade.alerts --hold-ms 1500 --deadline-ms 15000 \
		--stats "$OUT_DIR/stats.json" &
	local drv=$!
	OUT_PIDS+=("$drv")
	sleep 0.7
	nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$OUT_DIR/nats.log" 2>&1 &
	OUT_PIDS+=("$!")
	wait "$drv"
	[ "$(out_stat '.sinks[0].sent')" -eq 3 ]
	[ "$(out_stat '.sinks[0].errors')" -ge 1 ]
}
