#!/usr/bin/env bats
# Loss is never silent: a one-page ring buffer and a fast syscall loop make
# the kernel side drop records, and every record is either counted as an
# event or as a drop (per CPU), reported on stderr while tracing and in the
# final stats.

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

@test "flood: drops are counted, and events + drops account for every call" {
	n=200000
	# linkat is rare on a quiet machine: the flood is nearly all of it.
	sensor_trace_start --events linkat --ringbuf-size 4096 --count --no-seccomp
	run "$SENSOR_HELPER" flood "$n" /nonexistent-pal-flood/x
	[ "$status" -eq 0 ]
	[[ "$output" == *"flood_calls=$n failed=$n"* ]]
	# the drop notice is printed at most once a second
	for i in $(seq 30); do grep -q '"palisade.drops"' "$SENSOR_ERR" && break; sleep 0.2; done
	sensor_trace_stop

	drops_line="$(grep '"palisade.drops"' "$SENSOR_ERR" | head -n 1)"
	[ -n "$drops_line" ] || sensor_fail "no palisade.drops notice on stderr: $(cat "$SENSOR_ERR")"
	st="$SENSOR_STATS"
	events="$(jq -r '."palisade.stats".events' <<<"$st")"
	drops="$(jq -r '."palisade.stats".drops' <<<"$st")"
	decode_errors="$(jq -r '."palisade.stats".decode_errors' <<<"$st")"
	cpu_drops="$(jq -r '[."palisade.stats".per_cpu[].drops] | add' <<<"$st")"
	cpu_events="$(jq -r '[."palisade.stats".per_cpu[].events] | add' <<<"$st")"
	echo "# events=$events drops=$drops calls=$n" >&3
	[ "$drops" -gt 0 ] || sensor_fail "a 4 KiB ring buffer lost nothing under $n calls: $st"
	[ "$events" -gt 0 ]
	[ "$cpu_drops" -eq "$drops" ] && [ "$cpu_events" -eq "$events" ]
	[ "$decode_errors" -eq 0 ]
	total=$((events + drops))
	# Every call is a record; process events (always captured) of the
	# machine's other work may add a few.
	[ "$total" -ge "$n" ] || sensor_fail "events+drops=$total < $n calls: records vanished unseen"
	[ "$total" -le $((n + n / 50 + 1000)) ] || sensor_fail "events+drops=$total is far above $n calls"
}

@test "flood: a ring buffer sized for the load loses nothing" {
	n=20000
	sensor_trace_start --events linkat --ringbuf-size 64M --count --no-seccomp
	run "$SENSOR_HELPER" flood "$n" /nonexistent-pal-flood/x
	[ "$status" -eq 0 ]
	sleep 1
	sensor_trace_stop
	drops="$(jq -r '."palisade.stats".drops' <<<"$SENSOR_STATS")"
	printed="$(jq -r '."palisade.stats".printed' <<<"$SENSOR_STATS")"
	[ "$drops" -eq 0 ] || sensor_fail "drops with a 64 MiB ring buffer: $SENSOR_STATS"
	[ "$printed" -ge "$n" ] || sensor_fail "only $printed of $n linkat events delivered: $SENSOR_STATS"
}
