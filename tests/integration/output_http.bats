#!/usr/bin/env bats
# HTTP sink against a real local HTTP server: the POSTs falcosidekick's input
# expects (POST / with the Falco JSON), extra headers, retries and HTTPS.

load lib/output

setup() {
	out_require jq python3 openssl
	out_setup
}

teardown() {
	out_teardown
}

@test "http: POST / carries the Falco-shaped alert falcosidekick reads" {
	out_start_http
	run "$OUT_DRIVER" send --count 2 --priority warning \
		--sink "http:http://127.0.0.1:$HTTP_PORT/" \
		--header "X-Palisade-Node: node-7" --header "Authorization: Bearer t0k3n" \
		--stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	[ "$(out_stat '.sinks[0].sent')" -eq 2 ]
	out_wait_for out_lines_at_least "$HTTP_OUT" 2
	run jq -e -s 'length == 2 and all(.[]; .path == "/" and .method == "POST"
		and .headers["content-type"] == "application/json"
		and .headers["x-palisade-node"] == "node-7"
		and .headers["authorization"] == "Bearer t0k3n"
		and (.headers["user-agent"] | startswith("palisade/")))' "$HTTP_OUT"
	[ "$status" -eq 0 ]
	# The body: falcosidekick's FalcoPayload fields with their types, and Palisade's keys.
	jq -r '.body' "$HTTP_OUT" >"$OUT_DIR/bodies.jsonl"
	run jq -e -s 'all(.[];
		(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"))
		and .priority == "Warning" and .rule == "Terminal shell in container"
		and (.output | test("^[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}: Warning A shell"))
		and (.output_fields | type) == "object" and (.output_fields["evt.time"] | type) == "number"
		and .source == "syscall" and .hostname == "palisade-test-host"
		and .tags == ["container", "mitre_execution", "shell"]
		and .container.id == "0123456789ab" and .action[0].name == "kill_process"
		and .action[0].result == "ok" and (.process_tree | length) == 2
		and .suppressed == 0)' "$OUT_DIR/bodies.jsonl"
	[ "$status" -eq 0 ]
}

@test "http: server errors are retried with backoff, refusals are not" {
	out_start_http --fail-first 2
	run "$OUT_DRIVER" send --count 1 --sink "http:http://127.0.0.1:$HTTP_PORT/" \
		--stats "$OUT_DIR/stats.json"
	[ "$status" -eq 0 ]
	[ "$(out_stat '.sinks[0].sent')" -eq 1 ]
	[ "$(out_stat '.sinks[0].errors')" -eq 2 ]
	[ "$(jq -s 'map(.status) | join(",")' -r "$HTTP_OUT")" = "503,503,200" ]
	out_stop_pid "$HTTP_PID"

	out_start_http --status 400
	run "$OUT_DRIVER" send --count 2 --sink "http:http://127.0.0.1:$HTTP_PORT/" \
		--stats "$OUT_DIR/stats.json"
	[ "$(out_stat '.sinks[0].sent')" -eq 0 ]
	[ "$(out_stat '.sinks[0].failed')" -eq 2 ]
	out_stat '.sinks[0].last_error' | grep -q 'HTTP 400'
	[ "$(wc -l <"$HTTP_OUT")" -eq 2 ] # one POST each, no retries
}

@test "https: the server certificate is checked against the CA file" {
	out_make_certs
	out_start_http --cert "$OUT_DIR/pki/server.pem" --key "$OUT_DIR/pki/server.key"
	run "$OUT_DRIVER" send --count 1 --sink "http:https://localhost:$HTTP_PORT/" \
		--ca "$OUT_DIR/pki/ca.pem" --stats "$OUT_DIR/stats.json"
	[ "$(out_stat '.sinks[0].sent')" -eq 1 ]
	run "$OUT_DRIVER" send --count 1 --deadline-ms 500 \
		--sink "http:https://localhost:$HTTP_PORT/" --ca "$OUT_DIR/pki/other.pem" \
		--stats "$OUT_DIR/stats.json"
	[ "$(out_stat '.sinks[0].sent')" -eq 0 ]
	out_stat '.sinks[0].last_error' | grep -qi 'certificate'
	[ "$(wc -l <"$HTTP_OUT")" -eq 1 ]
}
