#!/usr/bin/env bats
# The OCI runtime-spec sections, each exercised against the real kernel.

load lib/runtime

setup_file() {
  runtime_setup_file
  install_probe
}
setup() { runtime_setup; }
teardown() {
  runtime_teardown
  [ -z "${NETNS:-}" ] || ip netns del "$NETNS" 2>/dev/null || true
}

@test "process: args, env, cwd, user, additional gids, umask" {
  make_bundle "$T/p" sh -c 'echo "$GREETING"; pwd; id -u; id -g; id -G; umask'
  edit_config "$T/p" '.process.env += ["GREETING=hello"] | .process.cwd = "/tmp" | .process.user = {"uid":1000,"gid":1001,"additionalGids":[2000,2001],"umask":63}'
  run rt run -b "$T/p" p
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = hello ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = 1000 ]
  [ "${lines[3]}" = 1001 ]
  [[ "${lines[4]}" == *2000*2001* ]]
  [ "${lines[5]}" = 0077 ]
}

@test "process.capabilities: all five sets reach the process" {
  make_bundle "$T/c" sh -c 'grep ^Cap /proc/self/status'
  edit_config "$T/c" '.process.capabilities = {"bounding":["CAP_NET_BIND_SERVICE","CAP_CHOWN"],"effective":["CAP_NET_BIND_SERVICE"],"permitted":["CAP_NET_BIND_SERVICE"],"inheritable":["CAP_NET_BIND_SERVICE"],"ambient":["CAP_NET_BIND_SERVICE"]}'
  run rt run -b "$T/c" c
  [ "$status" -eq 0 ]
  # CAP_CHOWN = bit 0, CAP_NET_BIND_SERVICE = bit 10
  [[ "$output" == *"CapInh:	0000000000000400"* ]]
  [[ "$output" == *"CapPrm:	0000000000000400"* ]]
  [[ "$output" == *"CapEff:	0000000000000400"* ]]
  [[ "$output" == *"CapBnd:	0000000000000401"* ]]
  [[ "$output" == *"CapAmb:	0000000000000400"* ]]
}

@test "process: rlimits, oomScoreAdj, noNewPrivileges" {
  make_bundle "$T/r" sh -c 'ulimit -n; cat /proc/self/oom_score_adj; pal-probe nnp'
  edit_config "$T/r" '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":321,"hard":321}] | .process.oomScoreAdj = 500 | .process.noNewPrivileges = true'
  run rt run -b "$T/r" r
  [ "${lines[0]}" = 321 ]
  [ "${lines[1]}" = 500 ]
  [ "${lines[2]}" = 1 ]
}

@test "process.terminal: the pty master goes to the console socket" {
  make_bundle "$T/tty" sh -c 'test -t 0 && test -t 1 && echo "tty:$(tty)"; stty size'
  edit_config "$T/tty" '.process.terminal = true | .process.consoleSize = {"height":33,"width":99}'
  "$PAL_BIN_DIR/pal-test-console" "$T/console.sock" "$T/tty.out" > "$T/console.log" &
  cpid=$!
  for _ in $(seq 1 50); do grep -q ready "$T/console.log" && break; sleep 0.05; done
  rt run -d --console-socket "$T/console.sock" -b "$T/tty" tty
  wait "$cpid"
  run cat "$T/tty.out"
  [[ "$output" == *"tty:/dev/pts/0"* ]] || [[ "$output" == *"tty:/dev/console"* ]]
  [[ "$output" == *"33 99"* ]]
}

@test "root.readonly, hostname, domainname" {
  make_bundle "$T/ro" sh -c 'touch /x 2>&1; hostname; cat /proc/sys/kernel/domainname'
  edit_config "$T/ro" '.root.readonly = true | .hostname = "palhost" | .domainname = "pal.example"'
  run rt run -b "$T/ro" ro
  [[ "${lines[0]}" == *"Read-only file system"* ]]
  [ "${lines[1]}" = palhost ]
  [ "${lines[2]}" = pal.example ]
}

@test "mounts: tmpfs options, read-only binds, nosuid/nodev, propagation" {
  mkdir -p "$T/share"
  echo shared > "$T/share/file"
  make_bundle "$T/m" sh -c 'grep " /scratch " /proc/mounts; cat /data/file; echo x > /data/new 2>&1; grep " /data " /proc/self/mountinfo'
  edit_config "$T/m" '.mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","size=1m","mode=700"]},{"destination":"/data","type":"bind","source":$s,"options":["rbind","ro","rprivate"]}]' --arg s "$T/share"
  run rt run -b "$T/m" m
  [[ "${lines[0]}" == *"nosuid,nodev,noexec"*"size=1024k"*"mode=700"* ]]
  [ "${lines[1]}" = shared ]
  [[ "${lines[2]}" == *"Read-only file system"* ]]
  [[ "${lines[3]}" != *"shared:"* ]]
  [ ! -e "$T/share/new" ]
}

@test "mounts: tmpcopyup fills a tmpfs with the image's directory, links copied not followed" {
  make_bundle "$T/cu" sh -c 'cat /etc/passwd | head -n 1; readlink /etc/hostkey; echo new > /etc/added && echo writable; grep " /etc " /proc/mounts; grep " /opt " /proc/mounts; cat /opt/tool.conf'
  ln -s /etc/shadow "$T/cu/rootfs/etc/hostkey"
  mkdir -p "$T/cu/rootfs/opt"
  echo "level=3" > "$T/cu/rootfs/opt/tool.conf"
  edit_config "$T/cu" '.mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","tmpcopyup"]},{"destination":"/opt","type":"tmpfs","source":"tmpfs","options":["ro","tmpcopyup"]}]'
  run rt run -b "$T/cu" cu
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "root:x:0:0:root:/root:/bin/sh" ]
  [ "${lines[1]}" = /etc/shadow ]
  [ "${lines[2]}" = writable ]
  [[ "${lines[3]}" == "tmpfs /etc tmpfs rw,"* ]]
  [[ "${lines[4]}" == "tmpfs /opt tmpfs ro,"* ]]
  [ "${lines[5]}" = "level=3" ]
  # The image's directory itself is untouched.
  [ ! -e "$T/cu/rootfs/etc/added" ]
  # Only a tmpfs can be filled.
  make_bundle "$T/cu2" true
  edit_config "$T/cu2" '.mounts += [{"destination":"/mnt","type":"mqueue","source":"mqueue","options":["tmpcopyup"]}]'
  run rt run -b "$T/cu2" cu2
  [ "$status" -ne 0 ]
  [[ "$output" == *"'tmpcopyup' applies to tmpfs only, not mqueue"* ]]
}

@test "linux.rootfsPropagation shared and rshared: pivot_root works, nothing leaks to the host" {
  local before m
  before=$(grep -c "$T" /proc/self/mountinfo || true)
  for m in shared rshared; do
    make_bundle "$T/rp-$m" sh -c 'grep -c . /proc/self/mountinfo >/dev/null && echo ok'
    edit_config "$T/rp-$m" '.linux.rootfsPropagation = $m' --arg m "$m"
    run rt run -b "$T/rp-$m" "rp-$m"
    [ "$status" -eq 0 ] || { echo "$m: $output"; false; }
    [ "$output" = ok ]
  done
  # The rootfs as a shared mount point of its own (as overlay roots are).
  make_bundle "$T/rp-mnt" sh -c 'echo ok'
  edit_config "$T/rp-mnt" '.linux.rootfsPropagation = "rshared"'
  mount --bind "$T/rp-mnt/rootfs" "$T/rp-mnt/rootfs"
  mount --make-shared "$T/rp-mnt/rootfs"
  run rt run -b "$T/rp-mnt" rp-mnt
  umount "$T/rp-mnt/rootfs"
  [ "$status" -eq 0 ] || { echo "mount point: $output"; false; }
  [ "$output" = ok ]
  # The container's /proc, /dev and binds stayed in its namespace.
  [ "$(grep -c "$T" /proc/self/mountinfo || true)" -eq "$before" ]
}

@test "namespaces: new pid, uts, ipc, network, mount, cgroup" {
  make_bundle "$T/ns" sh -c 'echo $$; cat /proc/net/dev | grep -c ":"; for n in pid uts ipc net mnt cgroup; do readlink /proc/self/ns/$n; done'
  edit_config "$T/ns" '.linux.namespaces += [{"type":"cgroup"}]'
  run rt run -b "$T/ns" ns
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 1 ]  # only lo
  i=2
  for n in pid uts ipc net mnt cgroup; do
    [ "${lines[$i]}" != "$(readlink /proc/self/ns/$n)" ] || { echo "$n namespace shared with the host"; return 1; }
    i=$((i + 1))
  done
}

@test "namespaces: joining an existing network namespace by path" {
  require ip
  NETNS="palt$$"
  ip netns add "$NETNS"
  ip -n "$NETNS" link add pal0 type veth peer name pal1
  make_bundle "$T/jn" sh -c 'grep -c pal0 /proc/net/dev'
  edit_config "$T/jn" '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]' --arg p "/run/netns/$NETNS"
  run rt run -b "$T/jn" jn
  [ "$output" = 1 ]
}

@test "namespaces: a new user namespace with uid/gid mappings" {
  make_bundle "$T/us" sh -c 'id -u; cat /proc/self/uid_map; cat /proc/self/gid_map'
  edit_config "$T/us" '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  # The container's root (host uid 100000) must be able to reach its rootfs.
  d="$T/us"
  while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
  run rt run -b "$T/us" us
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "${lines[0]}" = 0 ]
  [[ "${lines[1]}" == *"0"*"100000"*"65536"* ]]
  [[ "${lines[2]}" == *"0"*"100000"*"65536"* ]]
}

@test "namespaces: time namespace with boottime offset" {
  make_bundle "$T/tn" cat /proc/uptime
  edit_config "$T/tn" '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime":{"secs":86400,"nanosecs":0}}'
  run rt run -b "$T/tn" tn
  [ "$status" -eq 0 ]
  up=${output%%.*}
  [ "$up" -gt 86400 ]
}

@test "devices: config devices are created and the device cgroup enforces rules" {
  # With CAP_MKNOD the container may create nodes, but the device cgroup
  # (deny-all, then the config's devices and runc's defaults) refuses the rest.
  make_bundle "$T/dv" sh -c 'echo x > /dev/mynull && echo null-ok; mknod /dev/kmsg2 c 1 11 2>&1; cat /dev/kmsg2 2>&1 | head -c 100; ls -l /dev/mynull'
  edit_config "$T/dv" '.linux.devices = [{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":438}] | .process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
  run rt run -b "$T/dv" dv
  [ "${lines[0]}" = null-ok ] || { echo "$output"; return 1; }
  [[ "${lines[1]}" == *"Operation not permitted"* ]]
  [[ "$output" == *"crw-rw-rw-"*"/dev/mynull"* ]]
}

@test "cgroups: memory, cpu, pids and cpuset limits land in the hierarchy" {
  make_bundle "$T/cg" sleep 1000
  edit_config "$T/cg" '.linux.resources.memory = {"limit":67108864} | .linux.resources.cpu = {"shares":512,"quota":50000,"period":100000,"cpus":"0"} | .linux.resources.pids = {"limit":20}'
  rt run -d -b "$T/cg" cg
  rec="$PALISADE_STATE_DIR/cg.json"
  mem=$(jq -r .cgroup_paths.memory "$rec")
  [ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
  cpu=$(jq -r .cgroup_paths.cpu "$rec")
  [ "$(cat "$cpu/cpu.shares")" = 512 ]
  [ "$(cat "$cpu/cpu.cfs_quota_us")" = 50000 ]
  [ "$(cat "$cpu/cpu.cfs_period_us")" = 100000 ]
  pids=$(jq -r .cgroup_paths.pids "$rec")
  [ "$(cat "$pids/pids.max")" = 20 ]
  [ "$(cat "/sys/fs/cgroup/cpuset/$CG_PARENT/cg/cpuset.cpus")" = 0 ]
}

@test "cgroups: the pids limit stops a fork bomb" {
  make_bundle "$T/fb" sh -c 'for i in $(seq 1 30); do sleep 5 & done 2>&1 | grep -c "can.t fork" ; true'
  edit_config "$T/fb" '.linux.resources.pids = {"limit":10}'
  run rt run -b "$T/fb" fb
  [ "$output" -gt 0 ]
}

@test "sysctl: namespaced keys are written, others refused" {
  make_bundle "$T/sy" cat /proc/sys/net/ipv4/ip_forward
  edit_config "$T/sy" '.linux.sysctl = {"net.ipv4.ip_forward":"1"}'
  run rt run -b "$T/sy" sy
  [ "$output" = 1 ]
  make_bundle "$T/sy2" true
  edit_config "$T/sy2" '.linux.sysctl = {"kernel.panic":"1"}'
  run rt run -b "$T/sy2" sy2
  [ "$status" -ne 0 ]
  [[ "$output" == *"kernel.panic"* ]]
}

@test "seccomp from config: actions, errnoRet, argument conditions" {
  make_bundle "$T/sc" sh -c 'pal-probe syscall mkdir; pal-probe syscall getpid; pal-probe syscall keyctl'
  edit_config "$T/sc" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":38},{"names":["keyctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}'
  run rt run -b "$T/sc" sc
  [ "${lines[0]}" = ENOSYS ]
  [ "${lines[1]}" = ok ]
  [ "${lines[2]}" = EPERM ]
  # With a config profile, the default profile no longer applies:
  jq -e '.hardening.seccomp' "$PALISADE_STATE_DIR/sc.json" >/dev/null 2>&1 || true
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills with SIGSYS" {
  make_bundle "$T/sk" pal-probe syscall mkdir
  edit_config "$T/sk" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_KILL_PROCESS"}]}'
  run rt run -b "$T/sk" sk
  [ "$status" -eq $((128 + 31)) ]
}

@test "seccomp: listenerPath receives the notify fd and the container state" {
  "$PAL_BIN_DIR/pal-test-seccomp-agent" "$T/agent.sock" "$T/agent.out" > "$T/agent.log" &
  apid=$!
  for _ in $(seq 1 50); do grep -q ready "$T/agent.log" && break; sleep 0.05; done
  make_bundle "$T/sn" pal-probe syscall mkdir
  edit_config "$T/sn" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":$s,"listenerMetadata":"meta1","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}' --arg s "$T/agent.sock"
  run rt run -b "$T/sn" sn
  [ "$output" = EACCES ]
  kill "$apid" 2>/dev/null || true
  head -1 "$T/agent.out" | jq -e '.id == "sn" and .metadata == "meta1" and .fds == ["seccompFd"] and .pid > 0'
  grep -q "^syscall 83$" "$T/agent.out"
}

@test "maskedPaths and readonlyPaths" {
  [ -n "$(head -c 16 /proc/timer_list)" ] || { echo "this test needs a readable /proc/timer_list on the host"; return 1; }
  make_bundle "$T/mk" sh -c 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/printk 2>&1'
  edit_config "$T/mk" '.linux.maskedPaths = ["/proc/timer_list", "/sys/firmware", "/no/such/path"] | .linux.readonlyPaths = ["/proc/sys"]'
  run rt run -b "$T/mk" mk
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [[ "${lines[2]}" == *"Read-only file system"* ]]
}

@test "linux.personality LINUX32" {
  make_bundle "$T/pe" uname -m
  edit_config "$T/pe" '.linux.personality = {"domain":"LINUX32"}'
  run rt run -b "$T/pe" pe
  [ "$output" = i686 ]
}

@test "hooks: all six kinds run in order with the state on stdin" {
  printf '#!/bin/sh\nprintf "%%s " "$1" >> %s/hooks.log; cat >> %s/hooks.log; echo >> %s/hooks.log\n' "$T" "$T" "$T" > "$T/hook.sh"
  chmod +x "$T/hook.sh"
  make_bundle "$T/hk" sh -c 'cat /hookmark 2>/dev/null; true'
  printf '#!/bin/sh\necho started > /hookmark\n' > "$T/hk/rootfs/bin/inhook"
  chmod +x "$T/hk/rootfs/bin/inhook"
  edit_config "$T/hk" '.hooks = {"prestart":[{"path":$h,"args":["hook.sh","prestart"]}],"createRuntime":[{"path":$h,"args":["hook.sh","createRuntime"]}],"createContainer":[{"path":$h,"args":["hook.sh","createContainer"]}],"startContainer":[{"path":"/bin/inhook"}],"poststart":[{"path":$h,"args":["hook.sh","poststart"]}],"poststop":[{"path":$h,"args":["hook.sh","poststop"]}]} | .annotations = {"k":"v"}' --arg h "$T/hook.sh"
  run rt run -b "$T/hk" hk
  [ "$status" -eq 0 ]
  [ "$output" = started ]
  run cut -d' ' -f1 "$T/hooks.log"
  [ "$output" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop')" ]
  while read -r kind json; do
    echo "$json" | jq -e --arg k "$kind" '.id == "hk" and .bundle and .annotations.k == "v" and (.pid > 0 or $k == "poststop")'
  done < "$T/hooks.log"
}

@test "annotations appear in state" {
  make_bundle "$T/an" sleep 1000
  edit_config "$T/an" '.annotations = {"org.example/team":"blue"}'
  rt run -d -b "$T/an" an
  [ "$(rt state an | jq -r '.annotations["org.example/team"]')" = blue ]
}
