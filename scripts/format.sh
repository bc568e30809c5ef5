#!/usr/bin/env bash
# Formats tikstat's C sources with clang-format and the repository's
# .clang-format (made for clang-format 14, Debian 12's).
#
# Usage: scripts/format.sh [--check] [PATH...]
#   without --check   reformats the files in place
#   --check           changes nothing; lists the files that differ from
#                     their formatted form and exits 1 when there are any
#   PATH...           files or directories (default: the whole tree)
# Generated files are left alone: directories named node_modules, .git or
# build*, and every CMake build tree (a directory with a CMakeCache.txt)
# are skipped. CLANG_FORMAT names the program. --check exits 77 (the test
# suite's "skipped") when clang-format is missing or is not version 14:
# other versions lay out the same code differently.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
style="$root/.clang-format"
clang_format=${CLANG_FORMAT:-clang-format}

check=false
if [[ "${1:-}" == "--check" ]]; then
	check=true
	shift
fi
if ! command -v "$clang_format" >/dev/null; then
	echo "format: $clang_format is not installed (Debian: apt-get install clang-format)" >&2
	$check && exit 77
	exit 1
fi
version=$("$clang_format" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if $check && [[ "$version" != 14 ]]; then
	echo "format: $clang_format is version ${version:-unknown}, the style is for 14: not checked" >&2
	exit 77
fi

if (($# == 0)); then
	cd "$root"
	set -- .
fi

# The C files under the given paths, one per line, build trees left out.
sources() {
	local builds
	mapfile -t builds < <(find "$@" -name CMakeCache.txt -printf '%h/\n')
	find "$@" -type d \( -name node_modules -o -name .git -o -name 'build*' \) -prune -o \
		-type f \( -name '*.c' -o -name '*.h' \) -print | sort | while read -r f; do
		for b in "${builds[@]}"; do
			[[ "$f" == "$b"* ]] && continue 2
		done
		printf '%s\n' "$f"
	done
}

mapfile -t files < <(sources "$@")
if ! $check; then
	((${#files[@]} == 0)) || "$clang_format" --style="file:$style" -i "${files[@]}"
	exit 0
fi
differ=0
for f in "${files[@]}"; do
	if ! "$clang_format" --style="file:$style" "$f" | cmp -s - "$f"; then
		echo "$f"
		differ=$((differ + 1))
	fi
done
if ((differ)); then
	echo "format: $differ file(s) differ from clang-format's layout; scripts/format.sh fixes them" >&2
	exit 1
fi
