#!/usr/bin/env bash
# Runs every unit test and fuzz-corpus replay under valgrind (memcheck), in a
# build without sanitizers. usage: scripts/valgrind.sh [BUILD_DIR] [TEST-REGEX]
# valgrind 3.19 reads DWARF 4, not clang 14's default DWARF 5: hence -gdwarf-4.
set -euo pipefail
build=${1:-build-valgrind}
filter=${2:-.}
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)" >&2; exit 1; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
  -DCMAKE_C_FLAGS="-gdwarf-4" -DPAL_STATIC_DEPS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
# Tests built on system calls valgrind 3.19 does not emulate: listed, not
# run (their memory behaviour is covered by the ASan build in make check).
declare -A unsupported=(
  [unit_runtime_test_inroot]="openat2(2) with RESOLVE_IN_ROOT"
  [unit_supply_test_unpack]="openat2(2) with RESOLVE_IN_ROOT (its follow_in_root case)"
  [unit_runtime_test_seccomp_default]="seccomp(2) filters"
  [unit_runtime_test_seccomp_features]="seccomp(2) filters"
  [unit_runtime_test_seccomp_notify]="seccomp(2) user notification"
  [unit_runtime_test_seccomp_oci]="seccomp(2) filters"
  [unit_runtime_test_seccomp_store]="seccomp(2) filters"
  [unit_runtime_test_caps_status]="capget(2) results it does not track"
  [unit_agent_test_names]="openat2(2) with RESOLVE_IN_ROOT"
  [unit_agent_test_pipeline]="pidfd_open(2)"
  [unit_enforce_test_cgroup]="openat2(2) with RESOLVE_BENEATH"
  [unit_enforce_test_kill_process]="pidfd_open(2)"
)
failed=0
total=0
while IFS=$'\t' read -r name cmd; do
  [[ "$name" =~ $filter ]] || continue
  if [ -n "${unsupported[$name]:-}" ]; then
    echo "n/a   $name (valgrind does not emulate ${unsupported[$name]})"
    continue
  fi
  total=$((total + 1))
  log="$build/valgrind-$name.log"
  # shellcheck disable=SC2086
  if valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
      --track-fds=no --log-file="$log" $cmd >/dev/null 2>&1 &&
    ! grep -q "definitely lost\|Invalid \|uninitialised" "$log"; then
    echo "ok    $name"
  else
    echo "FAIL  $name (see $log)"
    failed=$((failed + 1))
  fi
done < <(cd "$build" && ctest -L unit --show-only=json-v1 |
  jq -r '.tests[] | [.name, (.command | map(@sh) | join(" "))] | @tsv' | sed "s/'//g")
echo "valgrind: $((total - failed)) of $total clean"
[ "$failed" -eq 0 ]
