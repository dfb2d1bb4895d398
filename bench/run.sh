#!/usr/bin/env bash
# Runs every benchmark against a release build and prints the results as the
# Markdown sections of bench/RESULTS.md (also saved to bench/out/latest.md).
# usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
mkdir -p bench/out
out=bench/out/latest.md
{
  echo "# Benchmark results ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  bench/runtime_bench.sh "$build"
  echo
  echo "## Rule engine"
  echo
  "$build/bench/bench_engine_eval" --events 2000000
  echo
  echo "## Image trust"
  echo
  bench/supply_bench.sh "$build" 2000
  echo
  echo "## Outputs"
  echo
  bench/output_run.sh "$build" 200000 3
  for extra in bench/sensor_bench.sh bench/agent_bench.sh bench/admit_bench.sh; do
    [ -x "$extra" ] && { echo; "$extra" "$build"; }
  done
} 2>&1 | tee "$out"
echo
echo "bench: results in $out; copy the sections you changed into bench/RESULTS.md"
