#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and checks that every
# program and file a user needs is there, runs, and renders.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
cmake --install "$build" --prefix "$dest" >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }
expect=(bin/rosapi share/man/man1/rosapi.1)
for f in "${expect[@]}"; do
	[[ -e "$dest/$f" ]] || fail "$f not installed"
done
[[ -x "$dest/bin/rosapi" ]] || fail "rosapi not executable"
"$dest/bin/rosapi" --help | grep -q "COMMAND" || fail "rosapi --help does not show usage"
# The man page renders without warnings.
if command -v groff >/dev/null; then
	warnings=$(groff -man -Tutf8 -ww -z "$dest/share/man/man1/rosapi.1" 2>&1)
	[[ -z "$warnings" ]] || fail "rosapi.1 renders with warnings: $warnings"
fi
echo "install: ${#expect[@]} files present, rosapi runs"
