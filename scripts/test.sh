#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds with
# -Werror under AddressSanitizer and UndefinedBehaviorSanitizer, and runs
# every test through CTest (unit, fake-router integration, node-routeros
# faithfulness, CLI, install, fuzzing). Build tree: build-test/.
# Arguments go to ctest: scripts/test.sh -L unit runs the quick tests only
# (labels: unit, integration, browser, fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test

build=${TIKSTAT_TEST_BUILD:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTIKSTAT_SANITIZE=ON -DTIKSTAT_WERROR=ON
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
