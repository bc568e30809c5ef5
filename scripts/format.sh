#!/usr/bin/env bash
# Formats tikstat's C sources with clang-format and the repository's
# .clang-format (made for clang-format 14, Debian 12's).
#
# Usage: scripts/format.sh [--check] [PATH...]
#   without --check   reformats the files in place
#   --check           changes nothing; lists the files that differ from
#                     their formatted form and exits 1 when there are any
#   PATH...           files or directories (default: every C source and
#                     header of the tree: daemon, routeros-api, simulator,
#                     tests, bench)
# Directories named node_modules or build* are skipped, and so are
# generated files (GENERATED below). CLANG_FORMAT names the program.
# --check exits 77 (the test suite's "skipped") when clang-format is
# missing or is not version 14: other versions lay out the same code
# differently.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
style="$root/.clang-format"
clang_format=${CLANG_FORMAT:-clang-format}
# Written by tools, not by hand: a hex dump of the fallback page.
GENERATED=(daemon/assets_fallback.c)

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
	set -- daemon routeros-api simulator tests bench
fi

# The C files under the given paths, one per line, generated ones left out.
sources() {
	find "$@" -type d \( -name node_modules -o -name 'build*' \) -prune -o \
		-type f \( -name '*.c' -o -name '*.h' \) -print | sort | while read -r f; do
		skip=false
		for g in "${GENERATED[@]}"; do
			[[ "$(realpath "$f")" == "$root/$g" ]] && skip=true
		done
		$skip || printf '%s\n' "$f"
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
