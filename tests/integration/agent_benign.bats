#!/usr/bin/env bats
# End to end: a benign workload (shell scripts doing a service's ordinary work,
# and busybox httpd serving pages and a CGI that the test fetches) raises no
# alert of priority Warning or above. A known attack afterwards proves the
# agent was watching all along.

load lib/agent

setup_file() { agent_file_setup; }

teardown_file() { agent_file_teardown; }

teardown() {
	agent_netns_delete
}

# Alerts of container CID at Warning or above (Emergency 0 ... Warning 4).
serious_alerts() {
	jq -c --arg c "$1" 'select(.container.id == $c and
		(.priority | IN("Emergency", "Alert", "Critical", "Error", "Warning")))
		| {rule, priority, output}' "$AGENT_OUT"
}

@test "benign: scripts doing ordinary work and a web server answering requests" {
	agent_netns_create
	# The service: its work, then the web server in the foreground.
	agent_podman run -d --name "$AGENT_TAG-svc" --network "ns:/run/netns/$AGENT_NETNS" \
		--cidfile "$BATS_TEST_TMPDIR/svc.cid" --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		"$AGENT_IMAGE" sh -c 'pal-workload >/tmp/workload.out 2>&1 && echo ok >/tmp/workload.done;
			exec httpd -f -p 8080 -h /usr/share/www' >/dev/null
	local cid i page status_page
	cid="$(cat "$BATS_TEST_TMPDIR/svc.cid")"
	for i in $(seq 150); do
		page="$(ip netns exec "$AGENT_NETNS" busybox wget -q -O- http://127.0.0.1:8080/index.html 2>/dev/null)" && break
		sleep 0.1
	done
	[[ "$page" == *"hello from the benign web server"* ]] || agent_fail "the web server did not answer: $page"
	for i in $(seq 20); do
		ip netns exec "$AGENT_NETNS" busybox wget -q -O- http://127.0.0.1:8080/index.html >/dev/null
		status_page="$(ip netns exec "$AGENT_NETNS" busybox wget -q -O- http://127.0.0.1:8080/cgi-bin/status.cgi)"
		[[ "$status_page" == *"status: ok"* ]] || agent_fail "the CGI answered: $status_page"
	done
	# The scripts finished their work inside the container.
	run agent_podman exec "$AGENT_TAG-svc" cat /tmp/workload.done /tmp/workload.out
	[ "$status" -eq 0 ] || agent_fail "workload: $output"
	[[ "$output" == *"workload done"* ]]
	# A few more ordinary commands through exec, as an operator would.
	run agent_podman exec "$AGENT_TAG-svc" sh -c 'tail -n 2 /var/log/app.log; ls /usr/share/www; df -h / >/dev/null'
	[ "$status" -eq 0 ]
	# The proof the agent watched this very container: one attack at the
	# end, whose alert must then be the only serious one.
	run agent_podman exec "$AGENT_TAG-svc" /bin/cat /etc/shadow
	agent_podman rm -f -t 0 "$AGENT_TAG-svc" >/dev/null
	agent_alert_for "Password or Sudoers File Read" "$cid" >/dev/null
	run serious_alerts "$cid"
	[ "$(grep -c . <<<"$output")" -eq 1 ] ||
		agent_fail "the benign workload raised alerts of priority warning or above: $output"
	[[ "$output" == *'"rule":"Password or Sudoers File Read"'* ]]
	[[ "$output" == *'cmdline=\"cat /etc/shadow\"'* ]]
}
