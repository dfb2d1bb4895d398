#!/usr/bin/env bash
# make demo: Palisade doing its main job end to end on this machine.
# Everything it creates lives in a temporary directory and is removed at exit.
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
bin="$src/$build/bin"
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (containers need it)" >&2; exit 1; }
[ -x "$bin/palisade-runtime" ] || { echo "demo: build first (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/palisade-demo.XXXXXX)
image="localhost/palisade-demo/busybox:$$"
export PALISADE_STATE_DIR="$work/state" PALISADE_POLICY="$work/policy.yaml" PALISADE_RUN_DIR="$work/bundles"
: > "$PALISADE_POLICY"
agent_pid=
cleanup() {
  if [ -n "$agent_pid" ]; then kill -TERM "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null || true; fi
  for c in $(podman ps -aq --filter "name=palisade-demo-$$" 2>/dev/null); do
    podman --runtime "$bin/palisade-runtime" rm -f "$c" >/dev/null 2>&1 || true
  done
  podman rmi -f "$image" >/dev/null 2>&1 || true
  for d in "$work"/root/*/; do
    [ -d "$d" ] && "$bin/palisade-runtime" --root "$work/root" delete -f "$(basename "$d")" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
expect_fail() { printf '\033[2m$ %s\033[0m\n' "$*"; if "$@"; then echo "demo: expected a refusal" >&2; exit 1; fi; }

pod() {
  podman --runtime "$bin/palisade-runtime" --runtime-flag "state-dir=$PALISADE_STATE_DIR" \
    --runtime-flag "policy=$PALISADE_POLICY" "$@"
}
prun() { pod run --rm --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$@"; }

step "A busybox image for podman"
"$src/scripts/mk-busybox-rootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
podman import -q "$work/rootfs.tar" "$image" >/dev/null
echo "imported $image"

step "podman runs containers with palisade-runtime, unchanged"
show prun "$image" sh -c 'echo "hello from $(hostname), pid $$"'

step "Hardening is on by default: an attacker drops a binary and runs it"
show prun "$image" sh -c 'cp /bin/busybox /tmp/payload; /tmp/payload echo pwned; echo "exit status $? (W^X: written files never execute)"'
show prun "$image" sh -c 'cp /bin/busybox /dev/shm/x; /dev/shm/x true; echo "exit status $? in /dev/shm too"'

step "...and tries kernel attack surface (default seccomp when the config has no profile)"
show "$bin/palisade" run --rm --root "$work/root" --rootfs "$work/rootfs" -- sh -c \
  'unshare -U true; echo "unshare: exit status $?"'

step "What the runtime tells the agent about each container"
name="palisade-demo-$$"
pod run -d --name "$name" --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$image" sleep 300 >/dev/null
id=$(podman inspect --format '{{.Id}}' "$name")
jq '{id, status, cgroup_id, hardening: {seccomp: .hardening.seccomp, wx: .hardening.wx, landlock_wx: .hardening.landlock_wx, no_new_privs: .hardening.no_new_privs}}' \
  "$PALISADE_STATE_DIR/$id.json"
pod rm -f -t 0 "$name" >/dev/null

step "The agent watches the node: sensor -> rules -> actions -> alerts"
cat > "$work/palisade.yaml" <<YAML
outputs:
  - type: file
    path: $work/alerts.jsonl
audit:
  enabled: true
  path: $work/audit.log
sensor:
  max_latency_ms: 5
state_dir: $PALISADE_STATE_DIR
YAML
show "$bin/palisade" agent --check --config "$work/palisade.yaml"
"$bin/palisade" agent --config "$work/palisade.yaml" --ready-file "$work/agent.ready" 2>"$work/agent.err" &
agent_pid=$!
for _ in $(seq 100); do [ -s "$work/agent.ready" ] && break; kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
[ -s "$work/agent.ready" ] || { cat "$work/agent.err" >&2; echo "demo: the agent did not start" >&2; exit 1; }
grep "agent running" "$work/agent.err" || true

step "Attacks inside containers, as the agent sees them"
show prun "$image" sh -c 'cat /etc/shadow >/dev/null; echo "read /etc/shadow"'
show prun "$image" sh -c '/bin/nc -l -p 4444 >/dev/null & sleep 0.5; echo id | /bin/nc -w 1 127.0.0.1 4444 -e /bin/sh; echo "reverse shell tried"'
echo "A cgroup release_agent escape: the default ruleset kills the writer"
printf '\033[2m$ %s\033[0m\n' "podman run ... sh -c 'echo /tmp/payload >/tmp/cg/release_agent; sleep 10; echo survived'"
prun "$image" sh -c 'mkdir -p /tmp/cg; echo /tmp/payload >/tmp/cg/release_agent; sleep 10; echo survived' && rc=0 || rc=$?
echo "container exit status $rc (137: killed)"
sleep 0.5
echo
echo "alerts ($work/alerts.jsonl):"
jq -c '{rule, priority, container: .container.name, process: (.output_fields["proc.name"] // .output_fields["proc.cmdline"]), action: [.action[] | "\(.name): \(.result)"]}' \
  "$work/alerts.jsonl" | grep -v '"container":"host"' || { echo "demo: no container alerts" >&2; exit 1; }
echo
echo "one alert whole, as a SIEM receives it (Falco's shape plus container, actions, process tree):"
jq -c 'select(.rule == "Cgroup Release Agent Written")' "$work/alerts.jsonl" | head -n 1 | jq .
kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=
echo
show "$bin/palisade" audit verify "$work/audit.log"

step "Image trust: sign an image, verify it, and catch tampering"
skopeo copy -q "containers-storage:$image" "oci:$work/layout:demo" >/dev/null
show "$bin/palisade" keygen --output "$work/release"
show "$bin/palisade" sign --key "$work/release.key" "$work/layout:demo"
show "$bin/palisade" verify --key "$work/release.pub" "$work/layout:demo"
"$bin/palisade" keygen --output "$work/attacker" >/dev/null
expect_fail "$bin/palisade" verify --key "$work/attacker.pub" "$work/layout:demo"

step "Rules: Falco's stable ruleset loads"
show "$bin/palisade" rules check "$src/../shared/compat/falco_rules.yaml" 2>&1 | tail -4 || true

step "Done"
echo "Everything the demo created is being removed."
