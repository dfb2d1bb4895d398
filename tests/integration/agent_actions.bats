#!/usr/bin/env bats
# Response actions really act: kill_process, kill_container and
# freeze_container from a rules file of the test, on containers started by
# podman (with palisade-runtime) and by palisade-runtime alone; each alert
# records what was done. A dry run does nothing and says what it would do;
# a host process is left alone without host enforcement.

load lib/agent
load lib/runtime

setup_file() {
	cat >"$BATS_FILE_TMPDIR/actions.yaml" <<EOF
- rule: Test Kill Process
  desc: the test's process to kill
  condition: evt.type = execve and proc.name = pal-kill-me
  output: kill target %proc.name (pid %proc.pid) in %container.id
  priority: critical
  actions: [alert, kill_process]
- rule: Test Freeze Container
  desc: the test's container to freeze
  condition: evt.type = execve and proc.name = pal-freeze-me
  output: freeze target in %container.id
  priority: critical
  actions: [alert, freeze_container]
- rule: Test Kill Container
  desc: the test's container to kill
  condition: evt.type = execve and proc.name = pal-kill-all
  output: kill-all target in %container.id
  priority: critical
  actions: [alert, kill_container]
- rule: Test Host Kill
  desc: a host process the agent must not touch without host enforcement
  condition: evt.type = execve and proc.args contains "pal-agent-host-kill-$AGENT_TAG"
  output: host target %proc.pid
  priority: critical
  actions: [alert, kill_process, kill_container]
EOF
	agent_file_setup -r "$BATS_FILE_TMPDIR/actions.yaml"
}

teardown_file() { agent_file_teardown; }

teardown() {
	if [ -n "${RT_ROOT:-}" ]; then
		runtime_teardown
	fi
}

# The freezer state of a container from its palisade-runtime record.
freezer_state() { # ID
	local dir
	dir="$(jq -r '.cgroup_paths.freezer // empty' "$PALISADE_STATE_DIR/$1.json")"
	if [ -n "$dir" ]; then
		cat "$dir/freezer.state"
	else
		dir="$(jq -r '.cgroup_paths.unified' "$PALISADE_STATE_DIR/$1.json")"
		grep -q '^frozen 1' "$dir/cgroup.events" && echo FROZEN || echo THAWED
	fi
}

thaw() { # ID
	local dir
	dir="$(jq -r '.cgroup_paths.freezer // empty' "$PALISADE_STATE_DIR/$1.json")"
	if [ -n "$dir" ]; then
		echo THAWED >"$dir/freezer.state"
	else
		echo 0 >"$(jq -r '.cgroup_paths.unified' "$PALISADE_STATE_DIR/$1.json")/cgroup.freeze"
	fi
}

@test "kill_process: the matching process dies, its container goes on, the alert records it (podman)" {
	run agent_run kill -- sh -c '/usr/bin/pal-kill-me; echo "status=$?"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"status=137"* ]] || agent_fail "the process was not killed: $output"
	local cid
	cid="$(agent_cid kill)"
	line="$(agent_alert_for "Test Kill Process" "$cid")"
	agent_field "$line" .priority Critical
	agent_field "$line" '.action | length' 1
	agent_field "$line" '.action[0].name' kill_process
	agent_field "$line" '.action[0].result' ok
	agent_field "$line" '.action[0].detail' "SIGKILL to pid $(jq -r '.output_fields["proc.pid"]' <<<"$line") (pal-kill-me)"
	agent_field "$line" '.process_tree[0].name' pal-kill-me
}

@test "freeze_container: the container's processes stop until thawed (podman)" {
	agent_podman run -d --name "$AGENT_TAG-freeze" --cidfile "$BATS_TEST_TMPDIR/freeze.cid" \
		--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$AGENT_IMAGE" \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/ticks; sleep 0.05; [ $i -eq 10 ] && { pal-freeze-me & }; done' >/dev/null
	local cid
	cid="$(cat "$BATS_TEST_TMPDIR/freeze.cid")"
	line="$(agent_alert_for "Test Freeze Container" "$cid")"
	agent_field "$line" '.action[0].name' freeze_container
	agent_field "$line" '.action[0].result' ok
	[[ "$(jq -r '.action[0].detail' <<<"$line")" == "container $cid: froze "* ]]
	[ "$(freezer_state "$cid")" = FROZEN ]
	# frozen: the loop's counter stands still
	local a b
	a="$(cat "$(jq -r .rootfs "$PALISADE_STATE_DIR/$cid.json")/tmp/ticks")"
	sleep 0.5
	b="$(cat "$(jq -r .rootfs "$PALISADE_STATE_DIR/$cid.json")/tmp/ticks")"
	[ "$a" = "$b" ] || agent_fail "the container ran on while frozen: $a -> $b"
	# thawed, it runs again
	thaw "$cid"
	sleep 0.5
	[ "$(freezer_state "$cid")" = THAWED ]
	b="$(cat "$(jq -r .rootfs "$PALISADE_STATE_DIR/$cid.json")/tmp/ticks")"
	[ "$a" != "$b" ] || agent_fail "the container did not run again after the thaw"
	agent_podman rm -f -t 0 "$AGENT_TAG-freeze" >/dev/null
}

@test "kill_container: every process of the container dies (podman)" {
	run agent_run killall -- sh -c 'sleep 60 & sleep 60 & /usr/bin/pal-kill-all; echo survived'
	[ "$status" -eq 137 ] || agent_fail "the container ended with $status: $output"
	[[ "$output" != *survived* ]]
	local cid
	cid="$(agent_cid killall)"
	line="$(agent_alert_for "Test Kill Container" "$cid")"
	agent_field "$line" '.action[0].name' kill_container
	agent_field "$line" '.action[0].result' ok
	[[ "$(jq -r '.action[0].detail' <<<"$line")" == "container $cid: SIGKILL to every process of "*"(cgroup.kill)" ]]
}

@test "kill_container and kill_process on palisade-runtime containers (no engine)" {
	export ROOTFS_CACHE="$AGENT_ROOTFS" RT="$AGENT_RT"
	export RT_ROOT="$BATS_TEST_TMPDIR/rtroot" CG_PARENT="$AGENT_TAG-$BATS_TEST_NUMBER"
	local id="$AGENT_TAG-rtkill"
	make_bundle "$BATS_TEST_TMPDIR/$id" sh -c 'sleep 60 & /usr/bin/pal-kill-all; echo survived'
	run rt run -b "$BATS_TEST_TMPDIR/$id" "$id"
	[ "$status" -eq 137 ] || agent_fail "palisade-runtime run: $status $output"
	line="$(agent_alert_for "Test Kill Container" "$id")"
	agent_field "$line" '.action[0].result' ok
	[[ "$(jq -r '.action[0].detail' <<<"$line")" == *"/$CG_PARENT/$id (cgroup.kill)" ]]

	id="$AGENT_TAG-rtproc"
	make_bundle "$BATS_TEST_TMPDIR/$id" sh -c '/usr/bin/pal-kill-me; echo "status=$?"'
	run rt run -b "$BATS_TEST_TMPDIR/$id" "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"status=137"* ]]
	line="$(agent_alert_for "Test Kill Process" "$id")"
	agent_field "$line" '.action[0].result' ok
}

@test "host processes: skipped without host enforcement, recorded with the reason" {
	sh -c 'sleep 3' "pal-agent-host-kill-$AGENT_TAG" &
	local pid=$!
	line="$(agent_wait_alert ".rule == \"Test Host Kill\" and .output_fields[\"proc.pid\"] == $pid")"
	agent_field "$line" .container.id host
	agent_field "$line" '.action[0].name' kill_process
	agent_field "$line" '.action[0].result' skipped
	[[ "$(jq -r '.action[0].detail' <<<"$line")" == *"not in a container and host enforcement is off"* ]]
	agent_field "$line" '.action[1].name' kill_container
	agent_field "$line" '.action[1].result' skipped
	kill -0 "$pid" || agent_fail "the host process was killed"
	wait "$pid"
}

@test "dry run: nothing is killed, the alert says what would have been" {
	# the file's agent would act: stop it (cleanly) and start one in dry-run mode
	agent_stop
	printf 'enforcement:\n  dry_run: true\n' >"$BATS_TEST_TMPDIR/dry.yaml"
	AGENT_DIR="$BATS_TEST_TMPDIR" agent_start --config "$BATS_TEST_TMPDIR/dry.yaml" -r "$BATS_FILE_TMPDIR/actions.yaml"
	run agent_run dry -- sh -c '/usr/bin/pal-kill-me & p=$!; sleep 2; kill $p; wait $p; echo "status=$?"'
	local cid
	cid="$(agent_cid dry)"
	[[ "$output" == *"status=143"* ]] || agent_fail "the process did not live on to its SIGTERM: $output"
	line="$(agent_alert_for "Test Kill Process" "$cid")"
	agent_field "$line" '.action[0].result' skipped
	[[ "$(jq -r '.action[0].detail' <<<"$line")" == "dry run: would send SIGKILL to pid "*" (pal-kill-me)" ]]
	agent_stop
	jq -e '.actions.skipped >= 1 and .actions.ok == 0' <<<"$AGENT_STATS" >/dev/null ||
		agent_fail "stats: $AGENT_STATS"
}
