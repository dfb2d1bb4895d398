#!/usr/bin/env bats
# The agent's life: the command line and configuration errors, SIGHUP with a
# good and a bad rules file (the running rules stay), the audit log and
# metrics, flood control, and SIGTERM draining the outputs and detaching the
# sensor (no pal* BPF program left). Events come from host processes carrying
# a marker only these tests use.

load lib/agent
load lib/output

setup() {
	agent_require curl
	MARK="pal-agent-marker-$$-$BATS_TEST_NUMBER"
	T="$BATS_TEST_TMPDIR"
	OUT_PIDS=()
}

teardown() {
	agent_kill
	local p
	for p in "${OUT_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# A rules file with one rule per name given, each firing on execs whose
# arguments carry "$MARK-<name>".
marker_rules() { # FILE NAME...
	local f=$1 n
	shift
	: >"$f"
	for n in "$@"; do
		cat >>"$f" <<EOF
- rule: Agent Test $n
  desc: an exec carrying the test's marker
  condition: evt.type = execve and proc.args contains "$MARK-$n"
  output: marker $n seen in %proc.cmdline (pid %proc.pid)
  priority: warning
  tags: [palisade_test]
EOF
	done
}

mark() { # NAME: a host process carrying the marker
	/bin/true "$MARK-$1"
}

alerts_of() { # RULE NAME
	jq -c --arg r "Agent Test $1" 'select(.rule == $r)' "$AGENT_OUT" 2>/dev/null
}

wait_alerts() { # NAME N: waits up to 5 s for at least N alerts of rule NAME; 1 if fewer
	local i
	for i in $(seq 50); do
		[ "$(alerts_of "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

wait_log() { # TEXT: waits for the agent to log it
	local i
	for i in $(seq 150); do
		grep -qF -- "$1" "$AGENT_ERR" && return 0
		sleep 0.1
	done
	agent_fail "the agent did not log '$1': $(tail -c 2000 "$AGENT_ERR")"
}

@test "command line: --help, --check, bad options and configuration errors" {
	run "$AGENT_BIN" agent --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: palisade agent"* ]]
	run "$AGENT_BIN" agent --check --config /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"41 rules enabled"* ]]
	run "$AGENT_BIN" agent --no-such-option
	[ "$status" -eq 2 ]
	run "$AGENT_BIN" agent --log-level chatty
	[ "$status" -eq 2 ]
	run "$AGENT_BIN" agent --config "$T/missing.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/missing.yaml"* ]]
	printf 'outputs:\n  - type: file\n    path: /tmp/x\n    colour: red\n' >"$T/bad.yaml"
	run "$AGENT_BIN" agent --check --config "$T/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/bad.yaml:4:5: unknown key 'colour' in outputs[0] (a file output)"* ]]
	# a rules file with an error: the position of the error, exit 1
	printf -- '- rule: R\n  desc: d\n  condition: evt.type = execve and proc.nmae = x\n  output: o\n  priority: notice\n' >"$T/bad-rules.yaml"
	run "$AGENT_BIN" agent --check -r "$T/bad-rules.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad-rules.yaml:3:"*"unknown field 'proc.nmae'"* ]]
	marker_rules "$T/good.yaml" A B
	run "$AGENT_BIN" agent --check -r "$T/good.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 rules enabled"* ]]
}

@test "SIGHUP: a good rules file replaces the rules, a bad one keeps them (and says why); audit log and metrics record it" {
	marker_rules "$T/rules.yaml" A
	cat >"$T/agent.yaml" <<EOF
rules:
  paths: [$T/rules.yaml]
audit:
  enabled: true
  path: $T/audit/audit.log
  fsync: false
metrics:
  enabled: true
  listen: 127.0.0.1:0
EOF
	agent_start --config "$T/agent.yaml"
	mark A
	agent_wait_alert '.rule == "Agent Test A"' >/dev/null

	marker_rules "$T/rules.yaml" B
	kill -HUP "$AGENT_PID"
	wait_log "rules reloaded: 1 rules enabled"
	mark A
	mark B
	line="$(agent_wait_alert '.rule == "Agent Test B"')"
	agent_field "$line" .priority Warning
	agent_field "$line" '.output_fields["proc.cmdline"]' "true $MARK-B"

	# A broken file: the reason is logged with its position; B keeps firing.
	printf -- '- rule: Agent Test C\n  desc: d\n  condition: evt.type = execve and proc.nmae = x\n  output: o\n  priority: warning\n' >"$T/rules.yaml"
	kill -HUP "$AGENT_PID"
	wait_log "rules reload failed, the running configuration and rules stay in force"
	grep -q "rules.yaml:3:.*unknown field 'proc.nmae'" "$AGENT_ERR" ||
		agent_fail "the reason is not logged: $(tail -c 2000 "$AGENT_ERR")"
	mark B
	wait_alerts B 2 || true
	[ "$(alerts_of B | wc -l)" -eq 2 ] || agent_fail "B after the bad reload: $(alerts_of B)"
	[ "$(alerts_of A | wc -l)" -eq 1 ] || agent_fail "A still fires after the reload: $(alerts_of A)"

	port="$(sed -n 's/.*metrics: .*(port \([0-9]*\)).*/\1/p' "$AGENT_ERR" | head -n 1)"
	[ -n "$port" ] || agent_fail "no metrics port logged: $(cat "$AGENT_ERR")"
	metrics="$(curl -sf "http://127.0.0.1:$port/metrics")"
	grep -q '^palisade_agent_rule_reloads_total{result="ok"} 1$' <<<"$metrics"
	grep -q '^palisade_agent_rule_reloads_total{result="failed"} 1$' <<<"$metrics"
	grep -q '^palisade_agent_rule_matches_total{rule="Agent Test B"} 2$' <<<"$metrics"
	grep -q '^palisade_agent_alerts_total{priority="Warning"} [1-9]' <<<"$metrics"
	grep -q '^palisade_agent_events_total [1-9]' <<<"$metrics"
	grep -q '^palisade_output_sent_total{sink="file:'"$AGENT_OUT"'",kind="file"} [1-9]' <<<"$metrics"
	agent_stop

	# The audit chain holds the start, the alerts, both reloads and the stop.
	run "$AGENT_BIN" audit verify "$T/audit/audit.log"
	[ "$status" -eq 0 ] || agent_fail "audit verify: $output"
	types="$(jq -r .type "$T/audit/audit.log" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')"
	[[ "$types" == *"agent_start=1"* && "$types" == *"agent_stop=1"* ]] || agent_fail "$types"
	[[ "$types" == *"policy_reload=2"* && "$types" == *"alert=3"* ]] || agent_fail "$types"
	run jq -c 'select(.type == "policy_reload") | .payload.result' "$T/audit/audit.log"
	[ "$output" = $'"ok"\n"failed"' ]
	jq -e -s 'any(.[]; .type == "policy_reload" and .payload.result == "failed"
		and (.payload.error | test("rules.yaml:3:[0-9]+: error: .*unknown field")))' "$T/audit/audit.log" >/dev/null
}

@test "SIGHUP re-reads the configuration: new rule paths, flood control and enforcement apply; a bad file keeps everything; start-only keys are named" {
	marker_rules "$T/a.yaml" A
	marker_rules "$T/b.yaml" B
	cat >"$T/agent.yaml" <<EOF
rules:
  paths: [$T/a.yaml]
rate_limit: {rate: 1, burst: 1}
EOF
	agent_start --config "$T/agent.yaml"
	mark A
	mark A
	agent_wait_alert '.rule == "Agent Test A"' >/dev/null
	sleep 0.3
	[ "$(alerts_of A | wc -l)" -eq 1 ] || agent_fail "burst 1 let through: $(alerts_of A)"

	# A second rules path, a larger burst, enforcement in dry run, and an
	# output added (which needs a restart).
	cat >"$T/agent.yaml" <<EOF
rules:
  paths: [$T/a.yaml, $T/b.yaml]
rate_limit: {rate: 1, burst: 5}
enforcement: {dry_run: true}
outputs:
  - type: file
    path: $T/second.jsonl
EOF
	kill -HUP "$AGENT_PID"
	wait_log "rules reloaded: 2 rules enabled"
	wait_log "enforcement now dry run"
	wait_log "reload: outputs changed in the configuration; restart the agent to apply"
	mark B
	agent_wait_alert '.rule == "Agent Test B"' >/dev/null
	mark A
	mark A
	wait_alerts A 3 || true
	[ "$(alerts_of A | wc -l)" -eq 3 ] || agent_fail "burst 5 not applied: $(alerts_of A)"
	[ ! -e "$T/second.jsonl" ] || agent_fail "an output was added without a restart"

	# A configuration that does not parse: said with its position, nothing changes.
	printf 'rules:\n  paths: [%s]\nrate_limit: {rate: fast}\n' "$T/a.yaml" >"$T/agent.yaml"
	kill -HUP "$AGENT_PID"
	wait_log "configuration reload failed, the running configuration and rules stay in force"
	grep -q "agent.yaml:3:.*rate_limit.rate" "$AGENT_ERR" ||
		agent_fail "the reason is not logged with its position: $(tail -c 2000 "$AGENT_ERR")"
	mark B
	wait_alerts B 2 || true
	[ "$(alerts_of B | wc -l)" -eq 2 ] || agent_fail "B stopped after the bad reload: $(alerts_of B)"
	agent_stop
}

@test "flood control: many identical events make one alert, the next one carries the suppressed count" {
	marker_rules "$T/rules.yaml" F
	printf 'rate_limit:\n  rate: 0.5\n  burst: 1\n' >"$T/agent.yaml"
	agent_start --config "$T/agent.yaml" -r "$T/rules.yaml"
	for i in $(seq 40); do mark F; done
	agent_wait_alert '.rule == "Agent Test F"' >/dev/null
	sleep 2.5 # a token comes back every 2 s
	mark F
	for i in $(seq 100); do
		[ "$(alerts_of F | jq -s 'map(1 + .suppressed) | add')" = 41 ] && break
		sleep 0.1
	done
	alerts_of F | jq -c '{suppressed, t: .time}' >&2
	n="$(alerts_of F | wc -l)"
	# the 40 execs take well under 2 s here: one alert for them, then the
	# count with the next (a slower machine may let one more through)
	[ "$n" -ge 2 ] && [ "$n" -le 3 ] || agent_fail "$n alerts for 41 events: $(alerts_of F)"
	[ "$(alerts_of F | head -n 1 | jq .suppressed)" -eq 0 ]
	[ "$(alerts_of F | tail -n 1 | jq .suppressed)" -ge 30 ]
	[ "$(alerts_of F | jq -s 'map(1 + .suppressed) | add')" -eq 41 ]
	agent_stop
	jq -e '.suppressed >= 30 and .matches >= 41' <<<"$AGENT_STATS" >/dev/null ||
		agent_fail "stats: $AGENT_STATS"
}

@test "SIGTERM: the outputs drain before exit, the counters are printed, no BPF program is left" {
	OUT_DIR="$T"
	out_start_http --delay 0.15
	marker_rules "$T/rules.yaml" D
	cat >"$T/agent.yaml" <<EOF
rate_limit:
  enabled: false
outputs:
  - type: http
    url: http://127.0.0.1:$HTTP_PORT/
shutdown_timeout_ms: 20000
EOF
	agent_start --config "$T/agent.yaml" -r "$T/rules.yaml"
	for i in $(seq 12); do mark D; done
	# Wait until every event reached the file, then stop while HTTP still has
	# a backlog (each POST takes 150 ms).
	for i in $(seq 100); do
		[ "$(alerts_of D | wc -l)" -ge 12 ] && break
		sleep 0.1
	done
	[ "$(alerts_of D | wc -l)" -eq 12 ]
	agent_stop
	# drained: the recorder has all twelve, nothing was dropped
	[ "$(jq -s 'map(select((.body | fromjson).rule == "Agent Test D")) | length' "$HTTP_OUT")" -eq 12 ]
	jq -e '.alerts == 12 and .sink_drops == 0 and .dropped_at_close == 0
		and (.sinks | map(select(.name | startswith("http"))) | .[0].sent == 12)' <<<"$AGENT_STATS" >/dev/null ||
		agent_fail "stats: $AGENT_STATS"
	grep -q "SIGTERM: shutting down" "$AGENT_ERR"
}
