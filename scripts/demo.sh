#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts the fake router (a
# simulated MikroTik on loopback: plain API and api-ssl) and shows what the
# RouterOS API client sees through rosapi. Build tree: build/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTIKSTAT_NODE_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target rosapi fakerouter

dir=$(mktemp -d)
trap 'exec 3>&-; wait 2>/dev/null; rm -rf "$dir"' EXIT
coproc FAKE { exec build/tests/fakerouter/fakerouter --password demo \
	--spec home:v7:plain --spec office:v6old:tls --cert-out "$dir/cert.pem"; }
exec 3>&"${FAKE[1]}"
declare -A port fpr
while read -r kind rest <&"${FAKE[0]}"; do
	[[ $kind == ready ]] && break
	unset f
	declare -A f
	for kv in $rest; do f[${kv%%=*}]=${kv#*=}; done
	port[${f[name]}]=${f[port]}
	fpr[${f[name]}]=${f[fingerprint]:-}
done

export ROS_PASSWORD=demo
run() { echo; echo "\$ $*"; "$@" || true; }
echo "Simulated routers: home (RouterOS 7, plain API on 127.0.0.1:${port[home]}),"
echo "office (RouterOS 6.40, api-ssl on 127.0.0.1:${port[office]}, fingerprint ${fpr[office]})"
run build/routeros-api/rosapi -p "${port[home]}" 127.0.0.1 /system/resource/print
run build/routeros-api/rosapi -p "${port[home]}" 127.0.0.1 /interface/print \
	'=.proplist=name,rx-byte,tx-byte' '?type=ether'
run build/routeros-api/rosapi --json -p "${port[office]}" --fingerprint "${fpr[office]}" \
	127.0.0.1 /interface/print '=.proplist=.id,name,rx-byte,tx-byte'
run build/routeros-api/rosapi -p "${port[home]}" 127.0.0.1 /interface/monitor-traffic \
	=interface=ether1 =once=
echo
echo "Wrong fingerprint (what a user sees when the router's certificate changed):"
run build/routeros-api/rosapi -p "${port[office]}" \
	--fingerprint sha256:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 \
	127.0.0.1 /interface/print
