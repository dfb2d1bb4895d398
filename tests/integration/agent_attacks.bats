#!/usr/bin/env bats
# End to end: attacks inside real containers (podman driving palisade-runtime,
# and palisade-runtime alone) raise the default ruleset's alerts with the right
# rule, priority, container, process and fields. One agent watches the whole
# file. The runtime's default hardening stops several attacks: the attempts
# must alert all the same; an annotation turns W^X off where a test needs the
# attack to succeed. Network attacks run in a namespace of their own with no
# route out (lo only, carrying the addresses they aim at).

load lib/agent
load lib/runtime

setup_file() { agent_file_setup; }

teardown_file() { agent_file_teardown; }

teardown() {
	agent_netns_delete
	if [ -n "${RT_ROOT:-}" ]; then
		runtime_teardown
	fi
}

@test "a shell spawned by a web server (a web shell) in a container" {
	agent_netns_create
	agent_podman run -d --name "$AGENT_TAG-web" --network "ns:/run/netns/$AGENT_NETNS" \
		--cidfile "$BATS_TEST_TMPDIR/web.cid" --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		"$AGENT_IMAGE" httpd -f -p 8080 -h /usr/share/www >/dev/null
	local cid body i
	cid="$(cat "$BATS_TEST_TMPDIR/web.cid")"
	for i in $(seq 100); do
		body="$(ip netns exec "$AGENT_NETNS" busybox wget -q -O- http://127.0.0.1:8080/cgi-bin/run.cgi 2>/dev/null)" && break
		sleep 0.1
	done
	agent_podman rm -f -t 0 "$AGENT_TAG-web" >/dev/null
	[[ "$body" == *"uid=0(root)"* ]] || agent_fail "the web shell did not answer: $body"
	line="$(agent_alert_for "Shell Spawned by a Service in a Container" "$cid")"
	agent_assert_alert "$line" "Shell Spawned by a Service in a Container" Notice "$cid" sh
	agent_field "$line" '.output_fields["proc.pname"]' run.cgi
	agent_field "$line" '.output_fields["proc.cmdline"]' "sh -c id; uname -n"
	agent_field "$line" '.process_tree[1].name' run.cgi
	agent_field "$line" '.process_tree[2].name' httpd
	agent_field "$line" .container.name "$AGENT_TAG-web"
}

@test "a terminal shell in a container (podman run -t), and one of a service account" {
	agent_run tty -t -- sh -c 'echo interactive'
	local cid
	cid="$(agent_cid tty)"
	line="$(agent_alert_for "Terminal Shell in a Container" "$cid")"
	agent_assert_alert "$line" "Terminal Shell in a Container" Notice "$cid" sh
	[ "$(jq -r '.output_fields["proc.tty"]' <<<"$line")" -gt 0 ]
	agent_field "$line" '.output_fields["proc.pname"]' conmon
	agent_field "$line" '.output_fields["user.name"]' root

	# A service account with a terminal: its name comes from the image's
	# own /etc/passwd (uid 65534 is "nobody" there), read while the shell
	# lives (an interactive one does; busybox execs the sleep in its place).
	agent_run tty-nobody -t --user 65534:65534 -- sh -c 'echo interactive; sleep 1'
	cid="$(agent_cid tty-nobody)"
	line="$(agent_alert_for "System Account Runs an Interactive Shell" "$cid")"
	agent_assert_alert "$line" "System Account Runs an Interactive Shell" Warning "$cid" sh
	agent_field "$line" '.output_fields["user.name"]' nobody
}

@test "a package manager and a compiler run in a container" {
	run agent_run pkg -- sh -c '/usr/bin/apt-get install -y nmap; /usr/bin/gcc -o /tmp/x exploit.c; true'
	[ "$status" -eq 0 ]
	local cid
	cid="$(agent_cid pkg)"
	line="$(agent_alert_for "Package Manager Run in a Container" "$cid")"
	agent_assert_alert "$line" "Package Manager Run in a Container" Error "$cid" apt-get
	agent_field "$line" '.output_fields["proc.cmdline"]' "apt-get /usr/bin/apt-get install -y nmap"
	line="$(agent_alert_for "Compiler Run in a Container" "$cid")"
	agent_assert_alert "$line" "Compiler Run in a Container" Warning "$cid" gcc
	agent_field "$line" '.output_fields["proc.pname"]' sh
}

@test "a binary dropped after start: runs with W^X off, is refused (and still reported) with W^X on" {
	# busybox dropped as /tmp/ls: it runs (as ls) when W^X is off
	run agent_run drift-off --annotation io.palisade.hardening.wx=off -- \
		sh -c 'cp /bin/busybox /tmp/ls && /tmp/ls /'
	[ "$status" -eq 0 ]
	local cid
	cid="$(agent_cid drift-off)"
	line="$(agent_alert_for "Executable Added After Container Start" "$cid")"
	agent_assert_alert "$line" "Executable Added After Container Start" Critical "$cid" ls
	agent_field "$line" '.output_fields["proc.exepath"]' /tmp/ls
	agent_field "$line" '.output_fields["proc.cmdline"]' "ls /"

	run agent_run drift-on -- sh -c 'cp /bin/busybox /tmp/ls && /tmp/ls /'
	[ "$status" -eq 126 ] # W^X: Permission denied
	cid="$(agent_cid drift-on)"
	line="$(agent_alert_for "Execution Denied in a Container" "$cid")"
	agent_assert_alert "$line" "Execution Denied in a Container" Warning "$cid" sh
	agent_field "$line" '.output_fields["evt.arg.filename"]' /tmp/ls
	[[ "$(jq -r .output <<<"$line")" == *"Execution of /tmp/ls denied (EACCES)"* ]]
	run jq -c "select(.rule == \"Executable Added After Container Start\" and .container.id == \"$cid\")" "$AGENT_OUT"
	[ -z "$output" ] || agent_fail "the refused binary is reported as having run: $output"
}

@test "execution from /dev/shm and from a memfd: attempts refused by the hardening are reported" {
	run agent_run shm -- sh -c 'cp /bin/busybox /dev/shm/.x; /dev/shm/.x true; palhelper memfd-exec'
	local cid
	cid="$(agent_cid shm)"
	line="$(agent_wait_alert ".rule == \"Execution Denied in a Container\" and .container.id == \"$cid\" and .output_fields[\"evt.arg.filename\"] == \"/dev/shm/.x\"")"
	agent_assert_alert "$line" "Execution Denied in a Container" Warning "$cid" sh
	# the sealed memfd: fexecve refused, by the helper itself
	line="$(agent_wait_alert ".rule == \"Execution Denied in a Container\" and .container.id == \"$cid\" and .process_tree[0].name == \"palhelper\"")"
	agent_assert_alert "$line" "Execution Denied in a Container" Warning "$cid" palhelper

	# With W^X off the memfd runs: fileless execution, and the default
	# ruleset kills it (kill_process), which the alert records.
	run agent_run memfd --annotation io.palisade.hardening.wx=off -- palhelper memfd-exec
	cid="$(agent_cid memfd)"
	line="$(agent_alert_for "Fileless Execution From Memory" "$cid")"
	agent_field "$line" .priority Critical
	agent_field "$line" .container.id "$cid"
	agent_field "$line" '.output_fields["proc.exepath"] | startswith("/memfd:pal-fileless")' true
	agent_field "$line" '.action[0].name' kill_process
	agent_field "$line" '.action[0].result | IN("ok", "failed")' true
	agent_field "$line" '.process_tree[1].name' palhelper
}

@test "/etc/shadow and another process's environment read in a container" {
	run agent_run reads -- sh -c '/bin/cat /etc/shadow >/dev/null; /bin/cat /proc/1/environ >/dev/null'
	[ "$status" -eq 0 ]
	local cid
	cid="$(agent_cid reads)"
	line="$(agent_alert_for "Password or Sudoers File Read" "$cid")"
	agent_assert_alert "$line" "Password or Sudoers File Read" Warning "$cid" cat
	agent_field "$line" '.output_fields["fd.name"]' /etc/shadow
	agent_field "$line" '.output_fields["user.uid"]' 0
	line="$(agent_alert_for "Process Environment Read by Another Process" "$cid")"
	agent_assert_alert "$line" "Process Environment Read by Another Process" Warning "$cid" cat
	agent_field "$line" '.output_fields["fd.name"]' /proc/1/environ
}

@test "a write below /etc succeeds and is reported; one below /bin is refused and reported" {
	run agent_run writes -- sh -c 'echo "toor:x:0:0::/root:/bin/sh" >>/etc/passwd; echo x >/bin/backdoor; rm /bin/ls'
	local cid
	cid="$(agent_cid writes)"
	line="$(agent_alert_for "Write Below /etc" "$cid")"
	agent_assert_alert "$line" "Write Below /etc" Error "$cid" sh
	agent_field "$line" '.output_fields["fd.name"]' /etc/passwd
	line="$(agent_wait_alert ".rule == \"System File Write Denied in a Container\" and .container.id == \"$cid\" and .output_fields[\"fd.name\"] == \"/bin/backdoor\"")"
	agent_assert_alert "$line" "System File Write Denied in a Container" Warning "$cid" sh
	[[ "$(jq -r .output <<<"$line")" == *"denied (EROFS)"* ]]
	line="$(agent_wait_alert ".rule == \"System File Write Denied in a Container\" and .container.id == \"$cid\" and .output_fields[\"evt.type\"] == \"unlink\"")"
	agent_field "$line" '.process_tree[0].name' rm
}

@test "logs cleared and a symlink over /etc/shadow in a container" {
	run agent_run logs -- sh -c ': >/var/log/app.log; ln -s /etc/shadow /tmp/s'
	[ "$status" -eq 0 ]
	local cid
	cid="$(agent_cid logs)"
	line="$(agent_alert_for "Log or History Files Cleared" "$cid")"
	agent_assert_alert "$line" "Log or History Files Cleared" Warning "$cid" sh
	agent_field "$line" '.output_fields["fd.name"]' /var/log/app.log
	line="$(agent_alert_for "Symlink Created Over a Sensitive File" "$cid")"
	agent_assert_alert "$line" "Symlink Created Over a Sensitive File" Warning "$cid" ln
	agent_field "$line" '.output_fields["evt.arg.target"]' /etc/shadow
	agent_field "$line" '.output_fields["evt.arg.linkpath"]' /tmp/s
}

@test "ptrace of another process in a container" {
	run agent_run ptrace -- palhelper ptrace
	[ "$status" -eq 0 ]
	local cid target
	cid="$(agent_cid ptrace)"
	target="$(sed -n 's/^ptrace_target=\([0-9]*\) .*/\1/p' <<<"$output")"
	line="$(agent_alert_for "Process Attached With Ptrace" "$cid")"
	agent_assert_alert "$line" "Process Attached With Ptrace" Warning "$cid" palhelper
	agent_field "$line" '.output_fields["evt.arg.request"]' PTRACE_ATTACH
	agent_field "$line" '.output_fields["evt.arg.pid"]' "$target"
}

@test "a kernel module load attempt from a container" {
	run agent_run module -- palhelper module /bin/busybox
	[ "$status" -eq 0 ]
	[[ "$output" == *"finit_module_res=-1 errno=1"* ]]
	local cid
	cid="$(agent_cid module)"
	line="$(agent_wait_alert ".rule == \"Kernel Module Loaded From a Container\" and .container.id == \"$cid\" and .output_fields[\"fd.name\"] == \"/bin/busybox\"")"
	agent_assert_alert "$line" "Kernel Module Loaded From a Container" Critical "$cid" palhelper
	agent_field "$line" '.output_fields["evt.res"]' EPERM
	agent_field "$line" '.output_fields["evt.arg.uargs"]' pal_test=1
}

@test "mount, unshare and setns attempts in a container" {
	run agent_run ns -- sh -c 'mkdir -p /tmp/cg; mount -t cgroup -o memory cgroup /tmp/cg; /bin/unshare -n true; /bin/nsenter -t 1 -n true; true'
	local cid
	cid="$(agent_cid ns)"
	line="$(agent_alert_for "Mount in a Container" "$cid")"
	agent_assert_alert "$line" "Mount in a Container" Warning "$cid" mount
	agent_field "$line" '.output_fields["evt.arg.type"]' cgroup
	agent_field "$line" '.output_fields["evt.res"]' EPERM
	line="$(agent_alert_for "Cgroup File System Mounted in a Container" "$cid")"
	agent_assert_alert "$line" "Cgroup File System Mounted in a Container" Critical "$cid" mount
	agent_field "$line" '.output_fields["evt.arg.dir"]' /tmp/cg
	line="$(agent_wait_alert ".rule == \"Namespace Change in a Container\" and .container.id == \"$cid\" and .output_fields[\"evt.type\"] == \"unshare\"")"
	agent_assert_alert "$line" "Namespace Change in a Container" Warning "$cid" unshare
	agent_field "$line" '.output_fields["evt.arg.flags"]' CLONE_NEWNET
	line="$(agent_wait_alert ".rule == \"Namespace Change in a Container\" and .container.id == \"$cid\" and .output_fields[\"evt.type\"] == \"setns\"")"
	agent_assert_alert "$line" "Namespace Change in a Container" Warning "$cid" nsenter
	agent_field "$line" '.output_fields["evt.arg.nstype"]' CLONE_NEWNET
	line="$(agent_wait_alert ".rule == \"Namespace Tool Run in a Container\" and .container.id == \"$cid\" and .process_tree[0].name == \"unshare\"")"
	agent_field "$line" .priority Warning
}

@test "a cgroup release_agent write: alerted, and the writer killed by the default ruleset" {
	run agent_run escape -- sh -c 'mkdir -p /tmp/cg; echo /tmp/payload >/tmp/cg/release_agent; sleep 10; echo survived'
	[ "$status" -eq 137 ] || agent_fail "the container ended with $status: $output"
	[[ "$output" != *survived* ]]
	local cid
	cid="$(agent_cid escape)"
	line="$(agent_alert_for "Cgroup Release Agent Written" "$cid")"
	agent_assert_alert "$line" "Cgroup Release Agent Written" Critical "$cid" sh
	agent_field "$line" '.output_fields["fd.name"]' /tmp/cg/release_agent
	agent_field "$line" '.action | length' 1
	agent_field "$line" '.action[0].name' kill_process
	agent_field "$line" '.action[0].result' ok
	agent_field "$line" '.action[0].detail' "SIGKILL to pid $(jq -r '.process_tree[0].pid' <<<"$line") (sh)"
}

@test "a reverse shell: netcat -e and a socket on stdin and stdout" {
	agent_netns_create
	run agent_run revshell --network "ns:/run/netns/$AGENT_NETNS" -- sh -c \
		'/bin/nc -l -p 4444 >/tmp/got & sleep 0.5; echo id | /bin/nc -w 2 127.0.0.1 4444 -e /bin/sh; wait; cat /tmp/got'
	local cid
	cid="$(agent_cid revshell)"
	line="$(agent_wait_alert ".rule == \"Netcat With Command Execution\" and .container.id == \"$cid\"")"
	agent_assert_alert "$line" "Netcat With Command Execution" Critical "$cid" nc
	agent_field "$line" '.output_fields["proc.cmdline"]' "nc -w 2 127.0.0.1 4444 -e /bin/sh"
	line="$(agent_wait_alert ".rule == \"Standard Streams Redirected to a Socket\" and .container.id == \"$cid\" and .output_fields[\"evt.rawres\"] == 0")"
	agent_assert_alert "$line" "Standard Streams Redirected to a Socket" Critical "$cid" nc
	[[ "$(jq -r '.output_fields["fd.name"]' <<<"$line")" == 127.0.0.1:*"->127.0.0.1:4444" ]]
}

@test "the cloud metadata address and a mining pool port, in a namespace with no route out" {
	agent_netns_create
	run agent_run net --network "ns:/run/netns/$AGENT_NETNS" -- sh -c \
		'/bin/nc -l -p 80 >/dev/null & /bin/nc -l -p 3333 >/dev/null & sleep 0.5
		 echo GET | /bin/nc -w 1 169.254.169.254 80; echo login | /bin/nc -w 1 198.51.100.7 3333; true'
	local cid
	cid="$(agent_cid net)"
	line="$(agent_alert_for "Cloud Metadata Service Contacted From a Container" "$cid")"
	agent_assert_alert "$line" "Cloud Metadata Service Contacted From a Container" Notice "$cid" nc
	[[ "$(jq -r '.output_fields["fd.name"]' <<<"$line")" == *"->169.254.169.254:80" ]]
	line="$(agent_alert_for "Outbound Connection to a Mining Pool Port" "$cid")"
	agent_assert_alert "$line" "Outbound Connection to a Mining Pool Port" Warning "$cid" nc
	agent_field "$line" '.output_fields["fd.sport"]' 3333
}

@test "the Kubernetes API server from the pod's environment (read when the rule needs it); the same address without it is not" {
	agent_netns_create
	# benign neighbour first: the same connection from a container without the variable
	run agent_run k8s-plain --network "ns:/run/netns/$AGENT_NETNS" -- sh -c \
		'sleep 5 | /bin/nc -l -p 443 >/dev/null & sleep 0.5; sleep 3 | /bin/nc -w 4 10.96.0.1 443; true'
	[ "$status" -eq 0 ] || agent_fail "the plain container: $output"
	local plain cid
	plain="$(agent_cid k8s-plain)"
	run agent_run k8s --network "ns:/run/netns/$AGENT_NETNS" -e KUBERNETES_SERVICE_HOST=10.96.0.1 \
		-e KUBERNETES_SERVICE_PORT=443 -- sh -c \
		'sleep 5 | /bin/nc -l -p 443 >/dev/null & sleep 0.5; sleep 3 | /bin/nc -w 4 10.96.0.1 443; true'
	[ "$status" -eq 0 ] || agent_fail "the container: $output"
	cid="$(agent_cid k8s)"
	line="$(agent_alert_for "Kubernetes API Server Contacted From a Container" "$cid")"
	agent_assert_alert "$line" "Kubernetes API Server Contacted From a Container" Notice "$cid" nc
	[[ "$(jq -r '.output_fields["fd.name"]' <<<"$line")" == *"->10.96.0.1:443" ]]
	n="$(jq -c --arg c "$plain" 'select(.container.id == $c and (.rule | startswith("Kubernetes API")))' "$AGENT_OUT" | wc -l)"
	[ "$n" -eq 0 ] || agent_fail "the container without KUBERNETES_SERVICE_HOST alerted"
}

@test "a packet socket in a container" {
	agent_netns_create
	run agent_run packet --network "ns:/run/netns/$AGENT_NETNS" -- arping -c 1 -w 1 -I lo 127.0.0.1
	local cid
	cid="$(agent_cid packet)"
	line="$(agent_alert_for "Packet Socket Created in a Container" "$cid")"
	agent_assert_alert "$line" "Packet Socket Created in a Container" Warning "$cid" arping
	[[ "$(jq -r .output <<<"$line")" == *"domain=AF_PACKET"* ]]
}

@test "palisade-runtime alone: the container's own id, name and process tree" {
	export ROOTFS_CACHE="$AGENT_ROOTFS" RT="$AGENT_RT"
	export RT_ROOT="$BATS_TEST_TMPDIR/rtroot" CG_PARENT="$AGENT_TAG-$BATS_TEST_NUMBER"
	local id="$AGENT_TAG-rt"
	make_bundle "$BATS_TEST_TMPDIR/$id" sh -c 'cat /etc/shadow >/dev/null; cp /bin/busybox /tmp/dropper; /tmp/dropper true; true'
	run rt run -b "$BATS_TEST_TMPDIR/$id" "$id"
	[ "$status" -eq 0 ] || agent_fail "palisade-runtime run: $output"
	line="$(agent_alert_for "Password or Sudoers File Read" "$id")" || {
		# what there is to know when it goes wrong
		echo "palisade-runtime said: $output" >&2
		grep shadow "$AGENT_OUT" | cut -c1-400 >&2
		tail -n 5 "$AGENT_ERR" >&2
		ls -la --time-style=full-iso "$PALISADE_STATE_DIR" >&2
		false
	}
	agent_field "$line" .priority Warning
	agent_field "$line" .container.id "$id"
	agent_field "$line" .container.name "$id"
	agent_field "$line" '.output_fields["proc.name"]' cat
	agent_field "$line" '.process_tree[1].name' sh
	line="$(agent_alert_for "Execution Denied in a Container" "$id")"
	agent_field "$line" '.output_fields["evt.arg.filename"]' /tmp/dropper
}
