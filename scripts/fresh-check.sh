#!/usr/bin/env bash
# Proves the README's two commands on a bare Debian 12: makes a minimal
# bookworm root with debootstrap (--variant=minbase, nothing else), clones
# this repository into it and runs, inside a chroot,
#   1. scripts/demo.sh  — until the dashboard answers on the URL it prints,
#   2. scripts/test.sh  — the whole suite, which must pass.
# The chroot gets /proc, /sys and /dev, this machine's resolv.conf, hosts,
# apt sources and CA certificates, and a policy-rc.d so that no package
# starts a service. Run as root. Takes 20–40 minutes on 2 cores.
#
# Usage: scripts/fresh-check.sh [--keep] [--demo-only] [ROOT]
#   ROOT         where to build the root (default /var/tmp/tikstat-fresh);
#                it is made anew on every run
#   --keep       leave the root in place afterwards (to look around)
#   --demo-only  skip the test suite
# Exit status: 0 both commands work, 1 one failed, 2 usage, 77 the bare
# root could not be made (debootstrap: mirror or network).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

keep=0 demo_only=0 root=/var/tmp/tikstat-fresh
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	--demo-only) demo_only=1 ;;
	-*) echo "fresh-check: unknown option $a" >&2; exit 2 ;;
	*) root=$a ;;
	esac
done
[[ $(id -u) == 0 ]] || { echo "fresh-check: run as root (debootstrap, chroot, mounts)" >&2; exit 2; }
case $root in /|/usr|/etc|/var|/tmp|"") echo "fresh-check: refusing ROOT=$root" >&2; exit 2 ;; esac

log() { printf '\n== fresh-check: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

# The Debian mirror this machine's apt uses (first deb822 URIs or
# sources.list entry), so the bare root fetches from the same place.
mirror() {
	local m
	m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' |
		grep -v security | head -n1 || true)
	[[ -n $m ]] || m=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' |
		grep -v security | head -n1 || true)
	[[ -n $m ]] || { echo "fresh-check: no Debian mirror found in /etc/apt" >&2; exit 1; }
	echo "$m"
}

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	if ((!keep)) && [[ -d $root ]]; then rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT

bind() { mount --bind "$1" "$2"; mounted+=("$2"); }

command -v debootstrap >/dev/null || {
	log "installing debootstrap on this machine"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
}

log "debootstrap --variant=minbase bookworm $root"
rm -rf --one-file-system "$root"
mkdir -p "$root"
# A failure here is the mirror's or the network's, not the project's: exit
# 77 (skipped) so that CI can tell it from a failing README command.
debootstrap --variant=minbase bookworm "$root" "$(mirror)" >"$root.debootstrap.log" 2>&1 ||
	{ tail -n 30 "$root.debootstrap.log"; echo "fresh-check: SKIPPED: debootstrap failed" >&2; exit 77; }

log "preparing the chroot"
mount -t proc proc "$root/proc"; mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys"; mounted+=("$root/sys")
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/dev/shm"; mounted+=("$root/dev/shm")
cp -L /etc/resolv.conf /etc/hosts "$root/etc/"
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
[[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$root/etc/apt/"
# This machine's CA certificates (registries may be reached through a
# proxy whose CA only this machine knows), also for npm's cafile.
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
cp -a /etc/ssl/certs/. "$root/etc/ssl/certs/"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
[[ -f /etc/npmrc ]] && cp /etc/npmrc "$root/etc/npmrc"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

log "cloning $(git -C "$repo" rev-parse --short HEAD) into the root"
git clone -q --no-local "$repo" "$root/root/tikstat"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"; }

log "README command 1: scripts/demo.sh"
demo_log=$root/root/demo.log
setsid chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/bash -c 'cd /root/tikstat && exec scripts/demo.sh' >"$demo_log" 2>&1 &
demo_pid=$!
url=""
for _ in $(seq 1 2400); do # the first run installs packages and builds: up to 20 min
	url=$(grep -Eo 'http://(127\.0\.0\.1|localhost|\[::1\]):[0-9]+/?' "$demo_log" | head -n1 || true)
	[[ -n $url ]] && break
	kill -0 $demo_pid 2>/dev/null || break
	sleep 0.5
done
if [[ -z $url ]]; then
	tail -n 40 "$demo_log"
	echo "fresh-check: FAIL: the demo printed no URL" >&2
	exit 1
fi
# The chroot shares this machine's network: the URL answers here too.
status=$(python3 - "$url" <<'EOF'
import sys, time, urllib.request
for _ in range(60):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
            body = r.read()
            print(r.status, len(body)); sys.exit(0)
    except Exception as e:
        err = e; time.sleep(0.5)
print("no answer:", err); sys.exit(1)
EOF
) || { tail -n 40 "$demo_log"; echo "fresh-check: FAIL: $url: $status" >&2; exit 1; }
echo "demo: $url answered: HTTP $status bytes"
kill -INT -- -$demo_pid 2>/dev/null || true
wait $demo_pid 2>/dev/null || true
tail -n 5 "$demo_log"

if ((demo_only)); then log "PASS (demo only)"; exit 0; fi

log "README command 2: scripts/test.sh"
if in_root 'cd /root/tikstat && scripts/test.sh' >"$root/root/test.log" 2>&1; then
	grep -E 'tests passed|Total Test time' "$root/root/test.log"
	log "PASS: both README commands work on a bare Debian 12"
else
	grep -E 'tests passed|Failed|\*\*\*|Total Test time' "$root/root/test.log" | tail -n 40
	echo "fresh-check: FAIL: scripts/test.sh (log: $root/root/test.log, kept)" >&2
	keep=1
	exit 1
fi
