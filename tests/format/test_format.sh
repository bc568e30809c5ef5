#!/usr/bin/env bash
# scripts/format.sh on a throwaway tree: --check lists exactly the files
# that differ from clang-format's layout (not under node_modules, build*
# or a CMake build tree of another name) and exits 1; without --check it reformats them in place,
# after which --check passes; a missing clang-format is 77 (skipped).
# Usage: test_format.sh PATH/TO/format.sh
set -euo pipefail
format=$1
command -v clang-format >/dev/null || { echo "clang-format not installed: skipped"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
mkdir -p "$tmp/src/node_modules/dep" "$tmp/src/build-x" "$tmp/src/out/gen"
touch "$tmp/src/out/CMakeCache.txt"
printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$tmp/src/good.c"
printf 'int  main ( void ) { return 0 ; }\n' >"$tmp/src/bad.c"
printf 'int  f ( void ) ;\n' >"$tmp/src/bad.h"
cp "$tmp/src/bad.c" "$tmp/src/node_modules/dep/dep.c"
cp "$tmp/src/bad.c" "$tmp/src/build-x/gen.c"
cp "$tmp/src/bad.c" "$tmp/src/out/gen/assets.c"

set +e
"$format" --check "$tmp/src" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
((rc != 77)) || { cat "$tmp/err"; exit 77; } # not clang-format 14
((rc == 1)) || fail "--check on unformatted files: exit $rc"
printf '%s\n' "$tmp/src/bad.c" "$tmp/src/bad.h" | cmp -s - "$tmp/out" ||
	fail "--check listed: $(cat "$tmp/out")"
grep -q "2 file(s) differ" "$tmp/err" || fail "--check message: $(cat "$tmp/err")"

"$format" "$tmp/src" || fail "format.sh in place: exit $?"
"$format" --check "$tmp/src" >"$tmp/out" 2>&1 || fail "--check after formatting: $(cat "$tmp/out")"
[[ ! -s "$tmp/out" ]] || fail "--check printed: $(cat "$tmp/out")"
cmp -s "$tmp/src/bad.c" "$tmp/src/good.c" || fail "bad.c formatted as: $(cat "$tmp/src/bad.c")"
cmp -s "$tmp/src/node_modules/dep/dep.c" "$tmp/src/build-x/gen.c" ||
	fail "a skipped directory was formatted"
grep -q 'int  main' "$tmp/src/build-x/gen.c" || fail "build-x/gen.c was formatted"
grep -q 'int  main' "$tmp/src/out/gen/assets.c" || fail "a CMake build tree was formatted"

set +e
CLANG_FORMAT=/nonexistent/clang-format "$format" --check "$tmp/src" 2>/dev/null
rc=$?
set -e
((rc == 77)) || fail "--check without clang-format: exit $rc, want 77"
echo "format.sh: ok"
