#!/usr/bin/env bash
# The Debian package: cpack -G DEB in the build directory, then its files
# and modes, its control files and maintainer scripts, the systemd unit
# (systemd-analyze verify, with ExecStart pointed at the extracted binary)
# and the man pages (man -l, no warnings).
# Usage: test_deb.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh --test)"; exit 77; }
done

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
	{ cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
debs=("$work"/out/tikstat_*.deb)
[[ -f "${debs[0]}" ]] || fail "no tikstat_*.deb in $work/out"
deb=${debs[0]}

# Control: name, dependencies from dpkg-shlibdeps, maintainer scripts, conffile.
info=$(dpkg-deb -I "$deb")
grep -q "^ Package: tikstat$" <<<"$info" || fail "package name: $info"
grep -q "^ Maintainer: " <<<"$info" || fail "no maintainer"
grep -q "^ Depends: .*libsqlite3" <<<"$info" || fail "shlibdeps did not fill Depends"
grep -q "^ Depends: .*adduser" <<<"$info" || fail "Depends lacks adduser"
for script in postinst prerm postrm conffiles; do
	grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\*? +$script" <<<"$info" || fail "no $script"
done
dpkg-deb -e "$deb" "$work/control"
grep -qx "/etc/tikstat/tikstat.conf" "$work/control/conffiles" || fail "tikstat.conf is no conffile"
for script in postinst prerm postrm; do
	[[ -x "$work/control/$script" ]] || fail "$script not executable"
	sh -n "$work/control/$script" || fail "$script: syntax"
done
grep -q "adduser --quiet --system --group" "$work/control/postinst" || fail "postinst makes no user"

# Files and modes.
root=$work/root
dpkg-deb -x "$deb" "$root"
listing=$(dpkg-deb -c "$deb")
mode() { awk -v f="./$1" '$6 == f { print $1 }' <<<"$listing"; }
for prog in usr/sbin/tikstatd usr/bin/tikstat usr/bin/rosapi; do
	[[ $(mode "$prog") == -rwxr-xr-x ]] || fail "$prog mode $(mode "$prog")"
	"$root/$prog" --version >/dev/null 2>&1 || [[ $prog == usr/bin/rosapi ]] ||
		fail "$prog --version"
done
for f in usr/share/man/man1/tikstat.1 usr/share/man/man1/rosapi.1 usr/share/man/man5/tikstat.conf.5 \
	usr/share/man/man8/tikstatd.8 usr/lib/systemd/system/tikstatd.service \
	usr/share/doc/tikstat/examples/tikstat.conf usr/share/tikstat/routeros/tikstat-push.rsc; do
	[[ $(mode "$f") == -rw-r--r-- ]] || fail "$f: mode '$(mode "$f")' (missing?)"
done
[[ $(mode etc/tikstat/tikstat.conf) == -rw-r----- ]] ||
	fail "etc/tikstat/tikstat.conf mode '$(mode etc/tikstat/tikstat.conf)'"
if grep -q "usr/local" <<<"$listing"; then fail "files under /usr/local"; fi

# The unit: /usr paths, and systemd-analyze verify on a copy that runs the
# extracted binary (the unit's dependencies come from the host).
unit=$root/usr/lib/systemd/system/tikstatd.service
grep -qx "ExecStart=/usr/sbin/tikstatd -f -c /etc/tikstat/tikstat.conf" "$unit" ||
	fail "ExecStart: $(grep ExecStart= "$unit")"
if command -v systemd-analyze >/dev/null && [[ -d /lib/systemd/system ]]; then
	mkdir "$work/unit"
	sed "s|^ExecStart=/usr/sbin/tikstatd|ExecStart=$root/usr/sbin/tikstatd|" "$unit" \
		>"$work/unit/tikstatd.service"
	out=$(systemd-analyze verify --man=no "$work/unit/tikstatd.service" 2>&1) ||
		fail "systemd-analyze verify: $out"
	[[ -z "$out" ]] || fail "systemd-analyze verify warns: $out"
	score=$(systemd-analyze security --offline=yes "$work/unit/tikstatd.service" 2>&1 |
		sed -n 's/.*Overall exposure level for tikstatd.service: \([0-9.]*\).*/\1/p')
	[[ -n "$score" ]] || fail "no systemd-analyze security score"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure $score > 2.0"
	echo "unit: verified, exposure $score"
fi

# The man pages, as man shows them.
if command -v man >/dev/null; then
	for page in "$root"/usr/share/man/man*/*; do
		warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[[ -z "$warnings" ]] || fail "$page: $warnings"
	done
fi
echo "deb: $(basename "$deb"): control, maintainer scripts, files, modes, unit, man pages ok"
