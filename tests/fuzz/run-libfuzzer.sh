#!/bin/sh
# run-libfuzzer.sh SRCDIR BUILDDIR TARGET [SECONDS [BINARY]]
#
# Fuzzes tests/fuzz/fuzz_TARGET.c with clang's libFuzzer, ASan and UBSan
# for SECONDS (default 20; the environment variable TIKSTAT_FUZZ_SECONDS
# overrides), starting from a copy of the seed corpus corpus/TARGET in
# BUILDDIR. BINARY is a fuzzer already built (a TIKSTAT_FUZZ=ON build);
# without it the fuzzers are built with clang in BUILDDIR/libfuzzer/build
# (TIKSTAT_FUZZ=ON, no dashboard), once, under a lock so that parallel
# tests share the build. Nothing is written into SRCDIR.
#
# Exit status: 0 when the fuzzer found nothing, 77 when clang or its
# libFuzzer runtime is unavailable (CTest reports the test as skipped),
# anything else on a build failure, crash, leak, timeout or sanitizer
# report. Crash inputs are kept in BUILDDIR/libfuzzer/TARGET/artifacts/.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 SRCDIR BUILDDIR TARGET [SECONDS [BINARY]]" >&2
	exit 2
fi
src=$1
build=$2
target=$3
seconds=${TIKSTAT_FUZZ_SECONDS:-${4:-20}}
bin=${5:-}
clang=${CLANG:-clang}

case $seconds in
'' | *[!0-9]*)
	echo "run-libfuzzer.sh: SECONDS must be a whole number, got '$seconds'" >&2
	exit 2
	;;
esac
if [ ! -d "$src/tests/fuzz/corpus/$target" ]; then
	echo "run-libfuzzer.sh: no corpus for target '$target'" >&2
	exit 2
fi

mkdir -p "$build/libfuzzer"
# Absolute paths: the fuzzer runs in a directory of its own.
src=$(cd "$src" && pwd)
base=$(cd "$build/libfuzzer" && pwd)
case $bin in
'' | /*) ;;
*) bin=$(pwd)/$bin ;;
esac

if [ -z "$bin" ]; then
	if ! command -v "$clang" >/dev/null 2>&1; then
		echo "run-libfuzzer.sh: $clang not found; libFuzzer needs clang, skipping" >&2
		exit 77
	fi
	# Can this clang link a fuzzer at all (runtime installed)?
	probe=$base/probe.c
	cat >"$probe" <<'PROBE'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
PROBE
	if ! "$clang" -fsanitize=fuzzer,address,undefined "$probe" -o "$base/probe" >/dev/null 2>&1; then
		echo "run-libfuzzer.sh: $clang cannot build with -fsanitize=fuzzer (libFuzzer runtime missing?); skipping" >&2
		exit 77
	fi
	fbuild=$base/build
	# One build for all targets; parallel runs wait here for it.
	(
		flock 9
		if [ ! -f "$fbuild/CMakeCache.txt" ]; then
			CC=$clang nice cmake -S "$src" -B "$fbuild" -DCMAKE_BUILD_TYPE=Debug \
				-DCMAKE_C_FLAGS="-O1" -DTIKSTAT_FUZZ=ON -DTIKSTAT_SANITIZE=ON \
				-DTIKSTAT_WERROR=OFF -DTIKSTAT_DASHBOARD=OFF \
				-DTIKSTAT_NODE_TESTS=OFF >"$base/configure.log" 2>&1 || {
				cat "$base/configure.log" >&2
				exit 1
			}
		fi
		echo "building the fuzzers in $fbuild"
		nice cmake --build "$fbuild" -j2 --target fuzz_parser fuzz_numbers fuzz_config \
			fuzz_http fuzz_basic_auth fuzz_push fuzz_legacy fuzz_live >"$base/build.log" 2>&1 || {
			tail -n 50 "$base/build.log" >&2
			exit 1
		}
	) 9>"$base/lock"
	bin=$fbuild/tests/fuzz/fuzz_$target
fi

work=$base/$target
corpus=$work/corpus
artifacts=$work/artifacts
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
cp "$src/tests/fuzz/corpus/$target/"* "$corpus/"

echo "fuzzing $target for $seconds s (corpus $corpus)"
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
