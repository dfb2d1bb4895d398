#!/usr/bin/env bash
# palisade-runtime beside crun and runc, in one run on one machine:
#   - N sequential `run` of /bin/true from a busybox bundle (hyperfine),
#     palisade with all its hardening on (default seccomp profile, W^X with
#     Landlock, no_new_privs), crun and runc with the same config.json;
#   - the same with podman's seccomp profile in config.json, so all three
#     compile and load the same filter;
#   - peak RSS of each runtime's `run` (max over several runs, /usr/bin/time).
# usage: bench/runtime_bench.sh [BUILD_DIR] [RUNS]
# Needs root. On a hybrid-cgroup host whose v2 hierarchy offers controllers,
# crun refuses to run; hugetlb is then mounted as a v1 hierarchy for the
# benchmark (see ENVIRONMENT.md) and unmounted afterwards.
set -euo pipefail
build=${1:-build}
runs=${2:-100}
src=$(cd "$(dirname "$0")/.." && pwd)
rt="$src/$build/bin/palisade-runtime"
[ -x "$rt" ] || rt="$build/bin/palisade-runtime"
for t in hyperfine crun runc jq /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "runtime bench: missing $t (make deps)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "runtime bench: needs root" >&2; exit 1; }

work=$(mktemp -d /run/palisade-bench.XXXXXX)
mounted_hugetlb=0
cleanup() {
  for r in palisade crun runc; do
    for d in "$work/root-$r"/*/; do
      [ -d "$d" ] || continue
      case $r in
        palisade) "$rt" --root "$work/root-$r" delete -f "$(basename "$d")" ;;
        *) "$r" --root "$work/root-$r" delete -f "$(basename "$d")" ;;
      esac >/dev/null 2>&1 || true
    done
  done
  for h in /sys/fs/cgroup/*/palisade-bench /sys/fs/cgroup/unified/palisade-bench; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  if [ "$mounted_hugetlb" = 1 ]; then
    umount /sys/fs/cgroup/hugetlb 2>/dev/null && rmdir /sys/fs/cgroup/hugetlb 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -f /sys/fs/cgroup/unified/cgroup.controllers ] && [ -s /sys/fs/cgroup/unified/cgroup.controllers ] &&
   ! mountpoint -q /sys/fs/cgroup/hugetlb 2>/dev/null; then
  mkdir -p /sys/fs/cgroup/hugetlb
  mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
  mounted_hugetlb=1
fi

"$src/scripts/mk-busybox-rootfs.sh" "$work/rootfs" >/dev/null
mkdir -p "$work/spec"
(cd "$work/spec" && runc spec)
# One bundle per runtime (the same rootfs), each with a cgroup of its own, so
# that one runtime's exiting container never meets the next one's create.
for r in palisade crun runc; do
  mkdir -p "$work/bundle-$r"
  jq --arg root "$work/rootfs" --arg cg "/palisade-bench/$r" \
    '.process.args = ["/bin/true"] | .process.terminal = false
     | .root = {path: $root, readonly: false} | .linux.cgroupsPath = $cg' \
    "$work/spec/config.json" > "$work/bundle-$r/plain.json"
  jq --slurpfile p "$src/tests/data/runtime/podman-config.json" \
    '.linux.seccomp = $p[0].linux.seccomp' "$work/bundle-$r/plain.json" > "$work/bundle-$r/seccomp.json"
done
export PALISADE_STATE_DIR="$work/agent" PALISADE_POLICY="$work/policy.yaml"
: > "$PALISADE_POLICY"

cmd() { # RUNTIME: one `run` of its bundle
  case $1 in
    palisade) echo "$rt --root $work/root-palisade run -b $work/bundle-palisade c" ;;
    *) echo "$1 --root $work/root-$1 run -b $work/bundle-$1 c" ;;
  esac
}

use() { # SCENARIO: every runtime's config.json
  for r in palisade crun runc; do cp "$work/bundle-$r/$1.json" "$work/bundle-$r/config.json"; done
}

echo "## Runtime"
echo
echo "$(date -u +%Y-%m-%d), $(uname -r), $(nproc) cores; crun $(crun --version | head -1 | awk '{print $3}'), runc $(runc --version | head -1 | awk '{print $3}'); command: \`bench/runtime_bench.sh $build $runs\`"
for scenario in plain seccomp; do
  use "$scenario"
  # Rounds alternate the runtimes so a burst of noise on this shared VM hits
  # all three alike; the figures are over every run of every round.
  rounds=5
  for round in $(seq 1 $rounds); do
    hyperfine -N --warmup 3 --runs $((runs / rounds)) --export-json "$work/$scenario.$round.json" \
      -n palisade "$(cmd palisade)" -n crun "$(cmd crun)" -n runc "$(cmd runc)" \
      >"$work/hyperfine.log" 2>&1 || {
        echo "runtime bench: a run failed:" >&2
        tail -20 "$work/hyperfine.log" >&2
        exit 1
      }
  done
  jq -s '{results: [.[0].results[].command as $c | {command: $c,
           times: [.[].results[] | select(.command == $c) | .times[]]}
         | .mean = (.times | add / length)
         | .stddev = ((.times | map(. * .) | add / length) - .mean * .mean | sqrt)]}' \
    "$work/$scenario".*.json > "$work/$scenario.hf.json"
  echo
  if [ $scenario = plain ]; then
    echo "$runs sequential \`run\` of /bin/true, config without seccomp (palisade adds its default profile, W^X, Landlock, no_new_privs):"
  else
    echo "$runs sequential \`run\` of /bin/true, podman 4.3's seccomp profile in config.json for all three:"
  fi
  echo
  echo "| runtime | mean ms | σ ms | vs crun |"
  echo "|---|---|---|---|"
  crun_mean=$(jq '.results[] | select(.command == "crun") | .mean' "$work/$scenario.hf.json")
  jq -r --argjson c "$crun_mean" '.results[] | "| \(.command) | \(.mean * 1000 * 10 | round / 10) | \(.stddev * 1000 * 10 | round / 10) | \(.mean / $c * 100 | round / 100) |"' "$work/$scenario.hf.json"
done

use plain
echo
echo "Peak RSS of \`run\` (max over 10 runs, includes the reaped container init):"
echo
echo "| runtime | peak RSS KiB | vs crun |"
echo "|---|---|---|"
declare -A rss
for r in palisade crun runc; do
  max=0
  for _ in $(seq 1 10); do
    /usr/bin/time -f %M -o "$work/rss" $(cmd "$r") >/dev/null 2>&1
    v=$(cat "$work/rss")
    [ "$v" -gt "$max" ] && max=$v
  done
  rss[$r]=$max
done
for r in palisade crun runc; do
  echo "| $r | ${rss[$r]} | $(awk -v a="${rss[$r]}" -v b="${rss[crun]}" 'BEGIN { printf "%.2f", a / b }') |"
done
