#!/usr/bin/env bash
# The agent's benchmarks, in one run (root; release build):
#   - event-to-alert latency: a child opens a marker file at a steady pace; a
#     rule of the agent (beside the whole default ruleset) alerts on it, and
#     the time from the syscall (evt.time) to the alert line being readable in
#     the agent's output file is measured (inotify). Baselines measured in the
#     same run: the sensor's own delivery (in-process, the same wakeup
#     setting) and `palisade trace -o FILE` (its default setting, 20 ms);
#   - for sensor.max_latency_ms 20 (the default: wakeups batched) and -1
#     (a wakeup per event, for latency-sensitive deployments);
#   - the agent's CPU and peak RSS while a realistic workload runs (compiling
#     C files, tar+gzip), and the workload's time with and without the agent.
# Writes the "## Agent" section of bench/RESULTS.md.
#
#   bench/agent_bench.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}"
PAL="$B/bin/palisade"
LAT="$B/bench/bench_agent_latency"
N="${AGENT_BENCH_N:-2000}"
INTERVAL_US="${AGENT_BENCH_INTERVAL_US:-2000}"
REPS="${AGENT_BENCH_REPS:-5}"
OUT_MD="bench/RESULTS.md"
WORK="$(mktemp -d /tmp/pal-agent-bench-XXXXXX)"
AGENT=""
trap '[ -n "$AGENT" ] && kill -TERM "$AGENT" 2>/dev/null; rm -rf "$WORK"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "agent_bench: needs root (BPF)" >&2; exit 1; }
for f in "$PAL" "$LAT"; do
	[ -x "$f" ] || { echo "agent_bench: missing $f: run 'make build' first" >&2; exit 1; }
done
for t in taskset jq cc tar python3; do
	command -v "$t" >/dev/null || { echo "agent_bench: missing $t" >&2; exit 1; }
done

MARKER="$WORK/pal-bench-marker"
: >"$MARKER"
cat >"$WORK/bench-rules.yaml" <<EOF
- rule: Bench Marker Read
  desc: the latency benchmark's marker file was opened
  condition: evt.type in (open, openat) and fd.name = $MARKER
  output: bench marker opened by %proc.name (pid %proc.pid)
  priority: warning
EOF

agent_start() { # MAX_LATENCY_MS OUT [extra config lines]
	local ml=$1 out=$2
	shift 2
	cat >"$WORK/agent.yaml" <<EOF
rules:
  builtin: true
  paths: [$WORK/bench-rules.yaml]
rate_limit:
  enabled: false
sensor:
  max_latency_ms: $ml
EOF
	rm -f "$WORK/ready"
	: >"$out"
	taskset -c 1 "$PAL" agent --config "$WORK/agent.yaml" -o "$out" --ready-file "$WORK/ready" \
		--log-level warning 2>"$WORK/agent.err" &
	AGENT=$!
	for _ in $(seq 300); do
		[ -s "$WORK/ready" ] && return 0
		sleep 0.1
	done
	echo "agent_bench: agent not ready: $(cat "$WORK/agent.err")" >&2
	exit 1
}

agent_stop() {
	AGENT_RSS_KB="$(awk '/VmHWM/ {print $2}' "/proc/$AGENT/status" 2>/dev/null || echo 0)"
	kill -TERM "$AGENT"
	wait "$AGENT" || true
	AGENT=""
	AGENT_STATS="$(grep '"palisade.agent.stats"' "$WORK/agent.err" | tail -n 1 | jq -c '."palisade.agent.stats"')"
}

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

declare -a LAT_ROWS
latency_row() { # LABEL LINE
	LAT_ROWS+=("| $1 | $(field received <<<"$2") / $N | $(field p50_us <<<"$2") | $(field p90_us <<<"$2") | $(field p99_us <<<"$2") | $(field max_us <<<"$2") |")
	echo "  $1: $2"
}

echo "agent_bench: latency, $N events $INTERVAL_US µs apart (agent on CPU 1, trigger and reader on CPU 0)"
for ml in 20 -1; do
	line="$(taskset -c 1 "$LAT" sensor "$MARKER" "$N" "$INTERVAL_US" "$ml")"
	latency_row "sensor delivery, in-process (max_latency_ms $ml)" "$line"
	if [ "$ml" = 20 ]; then
		rm -f "$WORK/ready"
		: >"$WORK/trace.jsonl"
		taskset -c 1 "$PAL" trace --events open --no-seccomp -o "$WORK/trace.jsonl" \
			--ready-file "$WORK/ready" 2>"$WORK/trace.err" &
		TRACER=$!
		for _ in $(seq 300); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
		line="$(taskset -c 0 "$LAT" tail "$WORK/trace.jsonl" "$MARKER" "$N" "$INTERVAL_US")"
		kill -INT "$TRACER"
		wait "$TRACER" || true
		latency_row "palisade trace -o FILE (20 ms, its default)" "$line"
	fi
	agent_start "$ml" "$WORK/alerts.jsonl"
	line="$(taskset -c 0 "$LAT" tail "$WORK/alerts.jsonl" "$MARKER" "$N" "$INTERVAL_US")"
	agent_stop
	latency_row "**palisade agent** → alert in its file output (max_latency_ms $ml)" "$line"
	[ "$ml" = -1 ] && LAT_STATS="$AGENT_STATS"
done

# A realistic workload: compile a few C files and pack a tree with tar+gzip.
mkdir -p "$WORK/src"
for i in 1 2 3 4 5 6; do
	cat >"$WORK/src/f$i.c" <<EOF
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }
int f$i(int n, char **v) { qsort(v, (size_t)n, sizeof(char *), cmp); for (int k = 0; k < n; k++) puts(v[k]); return n; }
EOF
done
workload() {
	(cd "$WORK/src" && for f in f*.c; do cc -O1 -c "$f" -o "${f%.c}.o"; done)
	tar -C /usr/include -czf "$WORK/inc.tgz" linux asm-generic 2>/dev/null
	tar -C "$WORK" -xzf "$WORK/inc.tgz" -C "$WORK/src"
	rm -rf "$WORK/src/linux" "$WORK/src/asm-generic" "$WORK/inc.tgz" "$WORK"/src/*.o
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v v="$1" 'BEGIN {printf "%.0f", v / 1000}'; }

echo "agent_bench: realistic workload x3, $REPS rounds each with nothing, the sensor alone (palisade trace --count) and the agent"
for mode in none sensor agent; do : >"$WORK/$mode.wall"; : >"$WORK/$mode.cpu"; done
for rep in $(seq "$REPS"); do
	for mode in none sensor agent; do
		pid=""
		if [ "$mode" = sensor ]; then
			rm -f "$WORK/ready"
			taskset -c 1 "$PAL" trace --count --ready-file "$WORK/ready" 2>"$WORK/trace.err" >/dev/null &
			pid=$!
			for _ in $(seq 300); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
		elif [ "$mode" = agent ]; then
			agent_start 20 "$WORK/work-alerts.jsonl"
			pid=$AGENT
		fi
		# past start-up (rules, BPF, /proc seeding): only the workload's share counts
		[ -n "$pid" ] && sleep 1 && ticks0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
		t0=$(date +%s%N)
		workload
		workload
		workload
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000)) >>"$WORK/$mode.wall"
		if [ -n "$pid" ]; then
			ticks1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
			awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v us=$(((t1 - t0) / 1000)) \
				'BEGIN {printf "%.1f\n", 100 * (t / hz) / (us / 1e6)}' >>"$WORK/$mode.cpu"
		fi
		if [ "$mode" = sensor ]; then
			SENSOR_RSS_KB="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
			kill -INT "$pid"
			wait "$pid" || true
		elif [ "$mode" = agent ]; then
			agent_stop
			WORK_RSS_KB="$AGENT_RSS_KB"
			WORK_STATS="$AGENT_STATS"
		fi
	done
	echo "  round $rep done"
done
declare -A W
for mode in none sensor agent; do
	W[$mode.wall]="$(median <"$WORK/$mode.wall")"
	W[$mode.cpu]="$(median <"$WORK/$mode.cpu" 2>/dev/null || echo -)"
done
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}'; }

section="$WORK/section.md"
{
	echo "## Agent"
	echo
	echo "Command: \`bench/agent_bench.sh $B\` (release build, $(date -u +%Y-%m-%d), $(uname -r), $(nproc) CPUs)."
	echo
	echo "**Event-to-alert latency.** A child process opens a marker file $N times, $INTERVAL_US µs apart;"
	echo "the agent runs the whole default ruleset plus one rule on that file, no flood control,"
	echo "and writes alerts to a file. Latency is the time from the syscall (the event's"
	echo "\`evt.time\`) to the line being readable in the output file (woken by inotify);"
	echo "the sensor's own delivery to a callback in the same process, and \`palisade trace\`"
	echo "writing the raw events to a file, are the baselines measured in the same run."
	echo "Agent on CPU 1, trigger and reader on CPU 0."
	echo
	echo "| path | received | p50 (µs) | p90 (µs) | p99 (µs) | max (µs) |"
	echo "|---|---|---|---|---|---|"
	printf '%s\n' "${LAT_ROWS[@]}"
	echo
	echo "\`sensor.max_latency_ms\` bounds how long the sensor lets events wait in the ring"
	echo "buffer: with the default 20 ms the kernel wakes the consumer only when a quarter of"
	echo "the buffer is full, and the agent polls every 20 ms (cheap under load, up to 20 ms"
	echo "late when quiet); with -1 every event wakes it (one wakeup per event, lowest"
	echo "latency). The goal (p99 under 1 ms) is met with -1; latency-sensitive deployments"
	echo "set it in palisade.yaml. Agent counters of the -1 run: \`$(jq -c '{events, matches, alerts, sink_drops, sensor}' <<<"$LAT_STATS")\`"
	echo
	echo "**Cost while a realistic workload runs** (three times: compile 6 C files, tar+gzip"
	echo "/usr/include/linux and asm-generic and unpack it; the agent with the default ruleset"
	echo "and max_latency_ms 20; medians of $REPS rounds; CPU counted from 1 s after start-up):"
	echo
	echo "| | workload (ms) | vs nothing | consumer CPU (% of one core) | consumer peak RSS (MiB) |"
	echo "|---|---|---|---|---|"
	echo "| nothing attached | $(ms "${W[none.wall]}") | | | |"
	echo "| sensor alone (\`palisade trace --count\`) | $(ms "${W[sensor.wall]}") | $(pct "${W[sensor.wall]}" "${W[none.wall]}") | ${W[sensor.cpu]} | $((SENSOR_RSS_KB / 1024)) |"
	echo "| **palisade agent** | $(ms "${W[agent.wall]}") | $(pct "${W[agent.wall]}" "${W[none.wall]}") | ${W[agent.cpu]} | $((WORK_RSS_KB / 1024)) |"
	echo
	echo "Agent counters of the last round: \`$(jq -c '{events, matches, alerts, suppressed, sensor}' <<<"$WORK_STATS")\`."
	echo "On this shared 2-CPU VM other jobs run beside the benchmark: the overhead column"
	echo "moves by several percent between runs."
} >"$section"

"$(dirname "$0")/results_section.py" "$OUT_MD" "$section"
cat "$section"
