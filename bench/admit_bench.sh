#!/usr/bin/env bash
# Webhook decision latency over loopback TLS (release build).
# Usage: bench/admit_bench.sh [BUILD_DIR] [N]
set -euo pipefail
build=${1:-build}
n=${2:-5000}
cd "$(dirname "$0")/.."
src=$PWD
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build" -j "$(nproc)" --target palisade bench_admit_latency >/dev/null

# the test helpers make the certificates, a signed layout and the reviews
PAL_BIN_DIR="$src/$build/bin"
# shellcheck source=../tests/integration/lib/admit.bash
source "$src/tests/integration/lib/admit.bash"
ADM_T=$(mktemp -d /tmp/pal-admit-bench-XXXXXX)
ADM_PID=
cleanup() {
	[ -n "$ADM_PID" ] && adm_stop "$ADM_PID" || true
	rm -rf "$ADM_T"
}
trap cleanup EXIT
adm_make_certs "$ADM_T"
digest=$(adm_make_layout "$ADM_T/layout" v1)
palisade keygen --output "$ADM_T/release" >/dev/null
palisade sign --key "$ADM_T/release.key" "$ADM_T/layout:v1" >/dev/null
cat >"$ADM_T/policy.yaml" <<YAML
trust:
  signature_store: $ADM_T/layout
  keys:
    release: {path: release.pub}
  default: [accept]
  scopes:
    registry.example.com/signed: [{type: signed, keys: [release]}]
admission:
  kubernetes: {enforce: baseline, warn: restricted}
YAML
ct='{"name": "app", "image": "nginx:1.25", "securityContext": {"allowPrivilegeEscalation": false, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}, "capabilities": {"drop": ["ALL"]}}}'
adm_review Pod "" default "$(adm_pod default web "[$ct]")" >"$ADM_T/compliant-pod.json"
adm_review Pod "" default "$(adm_pod default priv '[{"name": "app", "image": "nginx:1.25", "securityContext": {"privileged": true}}]' '{"hostNetwork": true}')" >"$ADM_T/privileged-pod.json"
signed=$(jq -cn --argjson c "$ct" --arg img "registry.example.com/signed/app@$digest" '$c + {image: $img}')
adm_review Pod "" default "$(adm_pod default signed "[$signed]")" >"$ADM_T/signed-image-pod.json"
pod=$(adm_pod default web "[$ct, $ct, $ct]" | jq -c '.spec.containers |= [to_entries[] | .value + {name: ("c" + (.key | tostring))}]')
dep=$(jq -cn --argjson p "$pod" '{apiVersion: "apps/v1", kind: "Deployment", metadata: {name: "web"}, spec: {template: {metadata: {}, spec: $p.spec}}}')
adm_review Deployment apps default "$dep" >"$ADM_T/deployment-3-containers.json"

adm_start "$ADM_T/policy.yaml" "$ADM_T/server.log"
echo "$(date -u +%Y-%m-%d) $(uname -r), $(nproc) cores, $(curl --version | head -n1 | cut -d' ' -f1-2,5-6), server threads: default"
"$build/bench/bench_admit_latency" "https://127.0.0.1:$ADM_PORT" "$ADM_T/ca.crt" "$n" \
	"$ADM_T/compliant-pod.json" "$ADM_T/privileged-pod.json" "$ADM_T/signed-image-pod.json" \
	"$ADM_T/deployment-3-containers.json"
# the server must have logged one decision per POST
decisions=$(grep -c '"msg":"admission decision"' "$ADM_T/server.log")
echo "decisions logged: $decisions"
