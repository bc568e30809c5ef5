#!/bin/sh
# run-libfuzzer.sh SRCDIR BUILDDIR [SECONDS]
#
# Builds tests/fuzz/fuzz_parser.c with clang's libFuzzer, ASan and UBSan
# against the pure codec sources of routeros-api (no OpenSSL), then fuzzes
# for SECONDS (default 60; the environment variable TIKSTAT_FUZZ_SECONDS
# overrides) starting from a copy of the seed corpus in BUILDDIR. Nothing
# is written into SRCDIR.
#
# Exit status: 0 when the fuzzer found nothing, 77 when clang or its
# libFuzzer runtime is unavailable (CTest reports the test as skipped),
# anything else on a build failure, crash, leak or sanitizer report.
# Crash inputs are kept in BUILDDIR/fuzz-artifacts/.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 SRCDIR BUILDDIR [SECONDS]" >&2
	exit 2
fi
src=$1
build=$2
seconds=${TIKSTAT_FUZZ_SECONDS:-${3:-60}}
clang=${CLANG:-clang}

case $seconds in
'' | *[!0-9]*)
	echo "run-libfuzzer.sh: SECONDS must be a whole number, got '$seconds'" >&2
	exit 2
	;;
esac

if ! command -v "$clang" >/dev/null 2>&1; then
	echo "run-libfuzzer.sh: $clang not found; libFuzzer needs clang, skipping" >&2
	exit 77
fi

work=$build/libfuzzer
mkdir -p "$work"

# Can this clang link a fuzzer at all (runtime installed)?
probe=$work/probe.c
cat >"$probe" <<'PROBE'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
PROBE
if ! "$clang" -fsanitize=fuzzer,address,undefined "$probe" -o "$work/probe" >/dev/null 2>&1; then
	echo "run-libfuzzer.sh: $clang cannot build with -fsanitize=fuzzer (libFuzzer runtime missing?); skipping" >&2
	exit 77
fi

lib=$src/routeros-api
bin=$work/fuzz_parser
echo "building $bin"
"$clang" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Wno-unused-parameter -Werror \
	-I "$lib/include" -I "$lib/src" \
	"$src/tests/fuzz/fuzz_parser.c" \
	"$lib/src/codec.c" "$lib/src/sentence.c" "$lib/src/buf.c" "$lib/src/status.c" \
	-o "$bin"

corpus=$work/corpus
artifacts=$work/fuzz-artifacts
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
cp "$src/tests/fuzz/corpus/"* "$corpus/"

echo "fuzzing for $seconds s (corpus $corpus)"
cd "$work"
# libFuzzer's default error exit code is 77, which CTest would take for
# "skipped": make every finding exit 1.
rc=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "run-libfuzzer.sh: the fuzzer failed (exit $rc); inputs in $artifacts" >&2
	[ "$rc" -eq 77 ] && rc=1
	exit "$rc"
fi
