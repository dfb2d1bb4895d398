#!/usr/bin/env bash
# Output throughput benchmark: alert formatting + enqueue with a slow sink vs none.
# usage: bench/output_run.sh [BUILD_DIR] [ALERTS] [ROUNDS]
set -euo pipefail
build=${1:-build}
"$build/bench/bench_output_throughput" "${2:-200000}" "${3:-5}"
