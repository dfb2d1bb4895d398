#!/usr/bin/env bats
# The agent's outputs configured in palisade.yaml, against real receivers on
# loopback: rsyslog (UDP, TCP, TLS and a unix socket), an HTTP server taking
# falcosidekick's input, per-output minimum priorities, and a slow HTTP
# receiver that must not stall event processing (its drops are counted).

load lib/agent
load lib/output

setup() {
	agent_require curl openssl rsyslogd
	out_setup
	MARK="pal-agent-out-$$-$BATS_TEST_NUMBER"
	T="$BATS_TEST_TMPDIR"
	cat >"$T/rules.yaml" <<EOF
- rule: Agent Output Test
  desc: an exec carrying the test's marker
  condition: evt.type = execve and proc.args contains "$MARK"
  output: marker seen in %proc.cmdline (pid %proc.pid)
  priority: critical
  tags: [palisade_test, T0000]
- rule: Agent Output Test Low
  desc: the same, at a low priority
  condition: evt.type = execve and proc.args contains "$MARK"
  output: low marker seen
  priority: notice
EOF
}

teardown() {
	agent_kill
	out_teardown
}

@test "syslog: rsyslog receives the alerts over udp, tcp, tls and a unix socket" {
	out_start_rsyslog
	cat >"$T/agent.yaml" <<EOF
hostname: pal-test-node
rules:
  paths: [$T/rules.yaml]
outputs:
  - type: syslog
    transport: udp
    address: 127.0.0.1:$RS_UDP
    facility: local0
    min_priority: critical
  - type: syslog
    transport: tcp
    address: 127.0.0.1:$RS_TCP
    facility: local0
    min_priority: critical
  - type: syslog
    transport: tls
    address: localhost:$RS_TLS
    ca: $OUT_DIR/pki/ca.pem
    facility: local0
    min_priority: critical
  - type: syslog
    transport: unix
    address: $RS_SOCK
    facility: local0
    min_priority: critical
EOF
	agent_start --config "$T/agent.yaml"
	/bin/true "$MARK"
	agent_wait_alert '.rule == "Agent Output Test"' >/dev/null
	out_wait_for out_lines_at_least "$RS_OUT" 4
	agent_stop
	local input
	for input in imudp imptcp imtcp imuxsock; do
		[ "$(grep -c "^$input " "$RS_OUT")" -eq 1 ] || agent_fail "$input: $(cat "$RS_OUT")"
	done
	# local0 (16) * 8 + Critical (2) = 130; the Notice rule stays below min_priority
	[ "$(grep -c ' pri=130 host=pal-test-node app=palisade procid=[0-9]* msgid=alert msg={' "$RS_OUT")" -eq 4 ]
	grep '^imtcp ' "$RS_OUT" | sed 's/^.* msg=//' >"$T/msg.json"
	jq -e '. as $a | .rule == "Agent Output Test" and .priority == "Critical"
		and .hostname == "pal-test-node" and .source == "syscall" and .container.id == "host"
		and (.output | endswith("Critical marker seen in true '"$MARK"' (pid \($a.output_fields["proc.pid"]))"))' \
		"$T/msg.json" >/dev/null || agent_fail "syslog message: $(cat "$T/msg.json")"
	jq -e '.sinks | length == 5 and all(.[]; .dropped == 0 and .failed == 0)' <<<"$AGENT_STATS" >/dev/null ||
		agent_fail "stats: $AGENT_STATS"
}

@test "http: falcosidekick's input (POST / with Falco's JSON), headers, minimum priority" {
	out_start_http
	cat >"$T/agent.yaml" <<EOF
rules:
  paths: [$T/rules.yaml]
outputs:
  - type: http
    url: http://127.0.0.1:$HTTP_PORT/
    headers: {Authorization: Bearer pal-test-token}
    min_priority: notice
  - type: http
    name: critical-only
    url: http://127.0.0.1:$HTTP_PORT/critical
    min_priority: critical
EOF
	agent_start --config "$T/agent.yaml"
	/bin/true "$MARK"
	out_wait_for out_lines_at_least "$HTTP_OUT" 3
	agent_stop
	# the first output: both rules; the second: the critical one only
	[ "$(jq -s 'map(select(.path == "/")) | length' "$HTTP_OUT")" -eq 2 ]
	[ "$(jq -s 'map(select(.path == "/critical")) | length' "$HTTP_OUT")" -eq 1 ]
	jq -e -s 'all(.[]; .method == "POST" and .headers["content-type"] == "application/json")' "$HTTP_OUT" >/dev/null
	jq -e -s 'map(select(.path == "/")) | all(.[]; .headers.authorization == "Bearer pal-test-token")' "$HTTP_OUT" >/dev/null
	# the body is Falco's alert: falcosidekick's required keys and types
	jq -e -s 'map(select(.path == "/critical") | .body | fromjson) | .[0]
		| (.time | type) == "string" and .rule == "Agent Output Test" and .priority == "Critical"
		and (.output | type) == "string" and (.output_fields | type) == "object"
		and (.output_fields["evt.time"] | type) == "number" and (.hostname | type) == "string"
		and .tags == ["T0000", "palisade_test"] and .source == "syscall"' "$HTTP_OUT" >/dev/null ||
		agent_fail "body: $(jq -r .body "$HTTP_OUT")"
	jq -e '(.sinks | map(.name)) as $n | ($n | index("critical-only")) != null' <<<"$AGENT_STATS" >/dev/null ||
		agent_fail "stats: $AGENT_STATS"
}

@test "a slow HTTP receiver never stalls the agent: the file output keeps up, the HTTP drops are counted" {
	out_start_http --delay 3
	cat >"$T/agent.yaml" <<EOF
rules:
  paths: [$T/rules.yaml]
rate_limit:
  enabled: false
outputs:
  - type: http
    name: slow
    url: http://127.0.0.1:$HTTP_PORT/
    queue_size: 4
    timeout_ms: 20000
shutdown_timeout_ms: 500
EOF
	agent_start --config "$T/agent.yaml"
	local start=$SECONDS i
	for i in $(seq 30); do /bin/true "$MARK-$i"; done
	# 60 alerts (two rules per exec) reach the file while HTTP takes 3 s each
	for i in $(seq 100); do
		[ "$(jq -c 'select(.rule | startswith("Agent Output Test"))' "$AGENT_OUT" | wc -l)" -ge 60 ] && break
		sleep 0.1
	done
	[ "$(jq -c 'select(.rule | startswith("Agent Output Test"))' "$AGENT_OUT" | wc -l)" -eq 60 ] ||
		agent_fail "the file output has $(wc -l <"$AGENT_OUT") alerts"
	[ $((SECONDS - start)) -lt 10 ] || agent_fail "event processing stalled behind the slow sink"
	agent_stop
	# at most the queue, the one in flight and what the deadline let through
	# were accepted: the rest was dropped and counted, nothing was lost silently
	jq -e '(.sinks[] | select(.name == "slow")) as $s
		| $s.dropped >= 50 and ($s.sent + $s.dropped + $s.failed) == 60
		and .sink_drops == $s.dropped and .alerts == 60' <<<"$AGENT_STATS" >/dev/null ||
		agent_fail "stats: $AGENT_STATS"
}
