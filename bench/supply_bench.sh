#!/usr/bin/env bash
# Image verification benchmark (release build). Usage: bench/supply_bench.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-2000}
cd "$(dirname "$0")/.."
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build" -j "$(nproc)" --target bench_supply_verify >/dev/null
echo "$(date -u +%Y-%m-%d) $(uname -r), $(nproc) cores, $(openssl version | cut -d' ' -f1-2)"
"$build/bench/bench_supply_verify" "$runs"
