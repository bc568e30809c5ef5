#!/usr/bin/env bash
# test_rosapi.sh — end-to-end test of rosapi, the RouterOS API CLI, against
# the fake router (simulator): output formats, logins, TLS modes and
# the exit status of every failure class.
#
#   test_rosapi.sh ROSAPI_BIN FAKEROUTER_BIN
#
# Needs bash and node (to validate JSON). Exits 0 when every check passed.
set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_args 2 "ROSAPI_BIN FAKEROUTER_BIN" "$@"
ROSAPI=$1
FAKEROUTER=$2
need_executables "$ROSAPI" "$FAKEROUTER"
PASSWORD=secret
need_tool node "node is needed to validate JSON output"
make_work test_rosapi

# ---------------------------------------------------------------- fake router

# One process serves every router; its stdin/stdout are the control channel.
coproc FR {
	exec "$FAKEROUTER" \
		--spec v7:v7:plain --spec old:v6old:plain --spec tls:v7:tls \
		--spec adh:v7:adh --spec stall:v7:plain --spec refused:v7:plain \
		--spec fatal:v7:plain --spec garbage:v7:plain \
		--spec flood:v7:plain --spec floodl:v7:plain --spec floodd:v7:plain \
		--noapi-user reader:readpw --monitor-interval-ms 100 \
		--cert-out "$WORK/cert.pem" --password "$PASSWORD" 2>"$WORK/fakerouter.err"
}
# bash unsets FR and FR_PID when the coprocess ends: keep copies.
CHILD_PID=${FR_PID:-}
[[ -n $CHILD_PID ]] || {
	echo "fakerouter exited at once:" >&2
	cat "$WORK/fakerouter.err" >&2
	exit 1
}
exec {FR_IN}<&"${FR[0]}" {FR_OUT}>&"${FR[1]}"

declare -A PORT
FINGERPRINT=
while :; do
	if ! read -r -t 20 line <&"$FR_IN"; then
		echo "fakerouter did not start:" >&2
		cat "$WORK/fakerouter.err" >&2
		exit 1
	fi
	case $line in
	"router "*)
		name='' port='' fp=''
		for kv in $line; do
			case $kv in
			name=*) name=${kv#name=} ;;
			port=*) port=${kv#port=} ;;
			fingerprint=*) fp=${kv#fingerprint=} ;;
			esac
		done
		PORT[$name]=$port
		[[ -n $fp ]] && FINGERPRINT=$fp
		;;
	"ready"*) break ;;
	esac
done
[[ -n $FINGERPRINT && -s $WORK/cert.pem ]] || {
	echo "fakerouter gave no fingerprint or certificate" >&2
	exit 1
}

# ctl COMMAND...: one control command; its reply must start with "ok" and
# is kept in CTL_REPLY.
ctl() {
	local reply
	echo "$*" >&"$FR_OUT"
	read -r -t 10 reply <&"$FR_IN" || {
		echo "fakerouter: no reply to '$*'" >&2
		exit 1
	}
	[[ $reply == ok* ]] || {
		echo "fakerouter: '$*' -> $reply" >&2
		exit 1
	}
	CTL_REPLY=$reply
}

# ---------------------------------------------------------------- helpers

# run ARGS...: runs rosapi with stdin from /dev/null; sets RC and ELAPSED_MS.
run() {
	local t0 t1
	t0=$(date +%s%N)
	RC=0
	"$ROSAPI" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" || RC=$?
	t1=$(date +%s%N)
	ELAPSED_MS=$(((t1 - t0) / 1000000))
	checks=$((checks + 1))
}

expect_rc() {
	[[ $RC -eq $1 ]] || fail "exit status $RC, want $1"
}

# expect_out LINE...: stdout is exactly these lines.
expect_out() {
	local want
	want=$(printf '%s\n' "$@")
	[[ "$(cat "$WORK/out")" == "$want" ]] || fail "stdout differs from:
$want"
}

expect_no_out() {
	[[ ! -s $WORK/out ]] || fail "stdout should be empty"
}

# expect_err_line PATTERN: stderr is exactly one line, matching the glob.
expect_err_line() {
	local n
	n=$(wc -l <"$WORK/err")
	[[ $n -eq 1 ]] || fail "stderr has $n lines, want 1"
	# shellcheck disable=SC2053
	[[ "$(head -n 1 "$WORK/err")" == $1 ]] || fail "stderr does not match '$1'"
}

expect_no_err() {
	[[ ! -s $WORK/err ]] || fail "stderr should be empty"
}

expect_err_lacks() {
	! grep -qF -- "$1" "$WORK/err" || fail "stderr contains '$1'"
}


H=127.0.0.1
export ROS_PASSWORD=$PASSWORD

# ---------------------------------------------------------------- usage

CASE="--help"
run --help
expect_rc 0
grep -q '^Usage: rosapi' "$WORK/out" || fail "no usage on stdout"
expect_no_err

CASE="--version"
run --version
expect_rc 0
grep -q '^rosapi ' "$WORK/out" || fail "no version"

CASE="command without a slash is a usage error"
run -p "${PORT[v7]}" "$H" interface/print
expect_rc 2
expect_no_out
expect_err_line "rosapi: *"

CASE="missing COMMAND is a usage error"
run "$H"
expect_rc 2

CASE="unknown option is a usage error"
run --bogus "$H" /interface/print
expect_rc 2

CASE="--tls with a bad mode is a usage error"
run --tls maybe "$H" /interface/print
expect_rc 2

CASE="malformed fingerprint is a usage error"
run --fingerprint sha256:12:34 "$H" /interface/print
expect_rc 2

CASE="--fingerprint and --tls exclude each other"
run --fingerprint "sha256:$(printf '00%.0s' {1..32})" --tls anonymous "$H" /interface/print
expect_rc 2

CASE="unreadable --ca file is a usage error, before any prompt"
run --ca "$WORK/no-such-ca.pem" "$H" /interface/print
expect_rc 2
expect_err_line "rosapi: *no-such-ca.pem*"

CASE="an empty WORD is refused (it would end the sentence)"
run "$H" /interface/print ''
expect_rc 2

# ---------------------------------------------------------------- plain output

CASE="plain print with query and proplist"
run -p "${PORT[v7]}" "$H" /interface/print '?name=ether1' '=.proplist=name,type,mtu'
expect_rc 0
expect_out '!re' '  =name=ether1' '  =type=ether' '  =mtu=1500' '!done'
expect_no_err

CASE="value containing '=' and a name with a blank (--opt=value, -pPORT)"
run --timeout=5 "-p${PORT[v7]}" "$H" /interface/print '?name=ether2 lan' '=.proplist=name,comment'
expect_rc 0
expect_out '!re' '  =name=ether2 lan' '  =comment=a=b=c' '!done'

CASE="tagged command shows the .tag word"
run -p "${PORT[v7]}" "$H" /interface/print '?name=ether1' '=.proplist=name' .tag=t1
expect_rc 0
expect_out '!re' '  =name=ether1' '  .tag=t1' '!done' '  .tag=t1'

CASE="non-UTF-8 interface name escaped in plain output"
run -p "${PORT[v7]}" "$H" /interface/print '?type=wlan' '=.proplist=name'
expect_rc 0
expect_out '!re' '  =name=wlan-caf\xe9' '!done'

CASE="print with no result on v7 answers !empty, exit 0"
run -p "${PORT[v7]}" "$H" /interface/print '?name=nonexistent' '=.proplist=name'
expect_rc 0
expect_out '!empty' '!done'
expect_no_err

CASE="v6old: challenge login works, no result is a bare !done"
run -p "${PORT[old]}" "$H" /interface/print '?name=nonexistent'
expect_rc 0
expect_out '!done'
run -p "${PORT[old]}" "$H" /interface/print '?name=ether1' '=.proplist=name'
expect_rc 0
expect_out '!re' '  =name=ether1' '!done'

CASE="trap: exit 1, trap on stdout, one router error line on stderr"
run -p "${PORT[v7]}" "$H" /nonexistent/command
expect_rc 1
expect_out '!trap' '  =message=no such command prefix' '!done'
expect_err_line 'rosapi: router error: no such command prefix'

# ---------------------------------------------------------------- JSON output

CASE="--json print"
run --json -p "${PORT[v7]}" "$H" /interface/print '=.proplist=.id,name,comment'
expect_rc 0
expect_no_err
expect_json 'Array.isArray(j) && j.length === 6 && j[5].type === "done" &&
	j.slice(0, 5).every(s => s.type === "re" && typeof s.attrs.name === "string") &&
	j[1].attrs.name === "ether2 lan" && j[1].attrs.comment === "a=b=c" &&
	j[2].attrs.comment === "" && !("comment" in j[0].attrs)'

CASE="--json: non-UTF-8 name is valid JSON, Latin-1 decoded"
run --json -p "${PORT[v7]}" "$H" /interface/print '?type=wlan' '=.proplist=name'
expect_rc 0
expect_json 'j[0].attrs.name === "wlan-caf\u00e9"'
grep -qF '"wlan-caf\u00e9"' "$WORK/out" || fail "want the escape \\u00e9 in the JSON text"

CASE="--json: !empty and tag"
run --json -p "${PORT[v7]}" "$H" /interface/print '?name=nonexistent' .tag=q
expect_rc 0
expect_json 'j.length === 2 && j[0].type === "empty" && j[1].type === "done" &&
	j[0].tag === "q" && j[1].tag === "q"'

CASE="--json: trap"
run --json -p "${PORT[v7]}" "$H" /nonexistent/command
expect_rc 1
expect_json 'j[0].type === "trap" && j[0].attrs.message === "no such command prefix" &&
	j[1].type === "done"'
expect_err_line 'rosapi: router error: no such command prefix'

# ---------------------------------------------------------------- logins

CASE="wrong password: exit 9, one line without the password"
ROS_PASSWORD=hunter2-wrong run -p "${PORT[v7]}" "$H" /interface/print
expect_rc 9
expect_no_out
expect_err_line "rosapi: $H:${PORT[v7]}: *"
expect_err_lacks hunter2-wrong

CASE="wrong password on v6old: exit 9"
ROS_PASSWORD=hunter2-wrong run -p "${PORT[old]}" "$H" /interface/print
expect_rc 9
expect_err_line "rosapi: $H:${PORT[old]}: *"
expect_err_lacks hunter2-wrong

CASE="no ROS_PASSWORD and no terminal: empty password, refused"
(
	unset ROS_PASSWORD
	run -p "${PORT[v7]}" "$H" /interface/print
	echo "$RC" >"$WORK/rc"
)
RC=$(cat "$WORK/rc")
expect_rc 9

CASE="user without the api policy: exit 10 with a hint"
ROS_PASSWORD=readpw run -u reader -p "${PORT[v7]}" "$H" /interface/print
expect_rc 10
expect_err_line "rosapi: $H:${PORT[v7]}: *api*"
expect_err_lacks readpw

# ---------------------------------------------------------------- TLS

CASE="TLS with --ca"
run --ca "$WORK/cert.pem" -p "${PORT[tls]}" "$H" /interface/print '?name=ether1' '=.proplist=name'
expect_rc 0
expect_out '!re' '  =name=ether1' '!done'
expect_no_err

CASE="TLS --tls verify against the system store rejects the self-signed certificate"
run --tls verify -p "${PORT[tls]}" "$H" /interface/print
expect_rc 7
expect_no_out
expect_err_line "rosapi: $H:${PORT[tls]}: *"

CASE="TLS with the right --fingerprint"
run --fingerprint "$FINGERPRINT" -p "${PORT[tls]}" "$H" /interface/print '?name=ether1' '=.proplist=name'
expect_rc 0
expect_out '!re' '  =name=ether1' '!done'

CASE="TLS with the right fingerprint as bare lower-case hex"
bare=$(tr -d ':' <<<"${FINGERPRINT#sha256:}" | tr 'A-F' 'a-f')
run --fingerprint "$bare" -p "${PORT[tls]}" "$H" /interface/print '?name=ether1' '=.proplist=name'
expect_rc 0

CASE="TLS with a wrong --fingerprint: exit 8, the presented one on stderr"
wrong=sha256:$(printf 'AB:%.0s' {1..31})AB
run --fingerprint "$wrong" -p "${PORT[tls]}" "$H" /interface/print
expect_rc 8
expect_no_out
expect_err_line "rosapi: $H:${PORT[tls]}: *$FINGERPRINT*"

CASE="the README's trick --fingerprint sha256:00: exit 8, the presented one on stderr"
run --fingerprint sha256:00 -p "${PORT[tls]}" "$H" /system/identity/print
expect_rc 8
expect_no_out
expect_err_line "rosapi: $H:${PORT[tls]}: *mismatch*$FINGERPRINT*"

CASE="--show-fingerprint prints the fingerprint, subject and validity, exit 0, no password"
ROS_PASSWORD= run --show-fingerprint -p "${PORT[tls]}" "$H"
expect_rc 0
expect_no_err
[[ "$(head -n 1 "$WORK/out")" == "$FINGERPRINT" ]] || fail "first line is not $FINGERPRINT"
[[ "$(sed -n 2p "$WORK/out")" == "subject /CN="*", valid from "*" until "* ]] ||
	fail "second line lacks the subject and validity"

CASE="--show-fingerprint on a plain API port fails with a TLS error"
run --show-fingerprint --timeout 2 -p "${PORT[v7]}" "$H"
[[ $RC -eq 6 || $RC -eq 5 ]] || fail "exit status $RC, want 6 (or 5: the port stayed silent)"
expect_no_out

CASE="--show-fingerprint takes no COMMAND"
run --show-fingerprint "$H" /interface/print
expect_rc 2

CASE="anonymous-DH router with --tls anonymous: works, warns"
run --tls anonymous -p "${PORT[adh]}" "$H" /interface/print '?name=ether1' '=.proplist=name'
expect_rc 0
expect_out '!re' '  =name=ether1' '!done'
expect_err_line "rosapi: *warning*not authenticate*"

CASE="anonymous-DH router without --tls anonymous: TLS error"
run --ca "$WORK/cert.pem" -p "${PORT[adh]}" "$H" /interface/print
expect_rc 6
expect_no_out
expect_err_line "rosapi: $H:${PORT[adh]}: *"

CASE="anonymous-DH router with --fingerprint: TLS error"
run --fingerprint "$FINGERPRINT" -p "${PORT[adh]}" "$H" /interface/print
expect_rc 6
expect_err_line "rosapi: $H:${PORT[adh]}: *"

CASE="plain client on the TLS port fails cleanly, naming TLS"
run --timeout 2 -p "${PORT[tls]}" "$H" /interface/print
[[ $RC -ge 3 && $RC -le 12 ]] || fail "exit status $RC, want a connection failure"
expect_err_line "rosapi: $H:${PORT[tls]}: *api-ssl (TLS)*"

# ---------------------------------------------------------------- failures

CASE="refused port: exit 4"
ctl refuse refused on
run -p "${PORT[refused]}" "$H" /interface/print
expect_rc 4
expect_no_out
expect_err_line "rosapi: $H:${PORT[refused]}: *"

CASE="unresolvable host: exit 3"
run --timeout 5 host.invalid /interface/print
expect_rc 3
expect_err_line "rosapi: host.invalid:8728: *"

CASE="stalled router: exit 5 within --timeout 1"
ctl stall stall on
run --timeout 1 -p "${PORT[stall]}" "$H" /interface/print
expect_rc 5
expect_no_out
expect_err_line "rosapi: $H:${PORT[stall]}: *"
[[ $ELAPSED_MS -ge 900 && $ELAPSED_MS -le 4000 ]] || fail "took $ELAPSED_MS ms, want about 1000"

CASE="fractional --timeout"
run --timeout 0.3 -p "${PORT[stall]}" "$H" /interface/print
expect_rc 5
[[ $ELAPSED_MS -le 3000 ]] || fail "took $ELAPSED_MS ms, want about 300"

CASE="!fatal answering a command: exit 1, the sentence on stdout"
run -p "${PORT[v7]}" "$H" /quit
expect_rc 1
expect_out '!fatal' '  session terminated on request'
expect_err_line "rosapi: $H:${PORT[v7]}: *session terminated on request*"

CASE="!fatal answering a command: --json has the reason"
run --json -p "${PORT[v7]}" "$H" /quit
expect_rc 1
expect_json 'j.length === 1 && j[0].type === "fatal" && j[0].reason === "session terminated on request"'

CASE="!fatal during login: exit 1, one line with the reason"
ctl fatal fatal out of cheese
run -p "${PORT[fatal]}" "$H" /interface/print
expect_rc 1
expect_no_out
expect_err_line "rosapi: $H:${PORT[fatal]}: *out of cheese*"

CASE="garbage from the router: protocol error, exit 11"
ctl garbage garbage
run -p "${PORT[garbage]}" "$H" /interface/print
expect_rc 11
expect_no_out
expect_err_line "rosapi: $H:${PORT[garbage]}: *"

# ---------------------------------------------------------------- streaming

# A streaming monitor never ends: rosapi prints rows as they come; on
# SIGINT it cancels the command (its !done is printed last) and ends with
# status 130, the JSON array closed.
stream() {
	local pid
	"$ROSAPI" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	sleep 1
	kill -INT "$pid"
	RC=0
	wait "$pid" || RC=$?
	checks=$((checks + 1))
}

CASE="streaming command printed as it arrives, Ctrl-C exits 130"
stream -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1
expect_rc 130
rows=$(grep -c '^!re$' "$WORK/out" || true)
[[ $rows -ge 3 ]] || fail "only $rows rows in 1 s at 100 ms per row"
grep -qx '  =rx-bits-per-second=10000000' "$WORK/out" || fail "no rate row"
expect_no_err

CASE="streaming with --json stays valid JSON after Ctrl-C"
stream --json -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1
expect_rc 130
expect_json 'j.length >= 4 && j.slice(0, -1).every(s => s.type === "re" && s.attrs.name === "ether1") && j[j.length - 1].type === "done"'

# interrupt_monitors PID N: the fake counts N monitors of v7 streaming;
# Ctrl-C to rosapi PID (RC its exit status), then the fake counts 0.
interrupt_monitors() {
	ctl monitors v7
	[[ $CTL_REPLY == "ok $2" ]] || fail "fake counts '$CTL_REPLY' monitors while streaming"
	kill -INT "$1"
	RC=0
	wait "$1" || RC=$?
	checks=$((checks + 1))
	ctl monitors v7
	[[ $CTL_REPLY == "ok 0" ]] || fail "fake counts '$CTL_REPLY' monitors after Ctrl-C"
}

# stream_cancel ARGS...: starts rosapi, waits (bounded) for 3 rows and for
# the fake to count the monitor, then Ctrl-C: rosapi cancels it on the
# router and waits for the interruption; the fake counts 0 monitors.
stream_cancel() {
	local pid rows=0 deadline=$((SECONDS + 30))
	"$ROSAPI" "$@" </dev/null >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	while ((rows < 3 && SECONDS < deadline)); do
		rows=$(grep -c '^!re$\|"type":"re"' "$WORK/out" || true)
		sleep 0.05
	done
	[[ $rows -ge 3 ]] || fail "only $rows rows before the deadline"
	interrupt_monitors "$pid" 1
}

CASE="Ctrl-C cancels the stream: the interruption is awaited, not shown as an error"
stream_cancel -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1
expect_rc 130
[[ "$(tail -n 1 "$WORK/out")" == '!done' ]] || fail "want the cancelled command's !done last"
! grep -q 'trap\|interrupted' "$WORK/out" || fail "the interruption shown"
expect_no_err

CASE="Ctrl-C cancels the stream, --json ends with its done"
stream_cancel --json -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1
expect_rc 130
expect_json 'j.length >= 4 && j[j.length - 1].type === "done" && j.every(s => s.type !== "trap")'
expect_no_err

CASE="monitor with =once= ends by itself"
run -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1 =once=
expect_rc 0
[[ "$(tail -n 1 "$WORK/out")" == '!done' ]] || fail "want !done last"

# ---------------------------------------------------------------- several commands

# Every word after HOST that starts with '/' begins another command; they
# run at once as tagged commands on the one session, each line marked with
# its command's number.

# lines_of N: the plain output lines of command N, without their "[N] ".
lines_of() {
	grep "^\[$1\] " "$WORK/out" | sed "s/^\[$1\] //" || true
}

# expect_lines_of N LINE...: command N printed exactly these lines.
expect_lines_of() {
	local n=$1 want
	shift
	want=$(printf '%s\n' "$@")
	[[ "$(lines_of "$n")" == "$want" ]] || fail "command $n printed
$(lines_of "$n")
want:
$want"
}

CASE="several commands: each reply attributed to its command, exit 0"
run -p "${PORT[v7]}" "$H" /interface/print '?name=ether1' '=.proplist=name' \
	/system/identity/print
expect_rc 0
expect_lines_of 1 '!re' '  =name=ether1' '!done'
expect_lines_of 2 '!re' '  =name=v7' '!done'
[[ $(grep -cv '^\[[12]\] ' "$WORK/out") -eq 0 ]] || fail "a line without its command's number"
expect_no_err

CASE="several commands: a trap in one, exit 1, the others complete"
run -p "${PORT[v7]}" "$H" /interface/print '?name=ether1' '=.proplist=name' \
	/nonexistent/command /system/identity/print
expect_rc 1
expect_lines_of 1 '!re' '  =name=ether1' '!done'
expect_lines_of 2 '!trap' '  =message=no such command prefix' '!done'
expect_lines_of 3 '!re' '  =name=v7' '!done'
expect_err_line 'rosapi: [[]2] router error: no such command prefix'

CASE="several commands --json: a \"command\" member on every sentence"
run --json -p "${PORT[v7]}" "$H" /interface/print '?name=ether1' '=.proplist=name' \
	/nonexistent/command
expect_rc 1
expect_json 'j.length === 4 && j.every(s => s.command === 1 || s.command === 2) &&
	JSON.stringify(j.filter(s => s.command === 1).map(s => s.type)) === "[\"re\",\"done\"]" &&
	j.find(s => s.command === 1).attrs.name === "ether1" &&
	JSON.stringify(j.filter(s => s.command === 2).map(s => s.type)) === "[\"trap\",\"done\"]" &&
	j.find(s => s.command === 2).attrs.message === "no such command prefix"'

CASE="16 commands run; a 17th is a usage error"
words=()
for _ in $(seq 1 16); do words+=(/system/identity/print); done
run -p "${PORT[v7]}" "$H" "${words[@]}"
expect_rc 0
[[ $(grep -c '^\[[0-9]*\] !done$' "$WORK/out") -eq 16 ]] || fail "want 16 !done"
expect_lines_of 16 '!re' '  =name=v7' '!done'
run -p "${PORT[v7]}" "$H" "${words[@]}" /system/identity/print
expect_rc 2
expect_no_out
expect_err_line 'rosapi: at most 16 commands*'

CASE="several commands: a .tag word is a usage error (rosapi tags them)"
run -p "${PORT[v7]}" "$H" /interface/print .tag=a /system/identity/print
expect_rc 2
expect_err_line "rosapi: '.tag=a'*"

# several_cancel ARGS...: starts rosapi on two monitors and a print, waits
# (bounded) for 3 rows of each monitor and the print's !done, and for the
# fake to count both monitors; then Ctrl-C: both are cancelled on the
# router and the fake counts 0 monitors.
several_cancel() {
	local pid r1=0 r2=0 done3=0 deadline=$((SECONDS + 30))
	"$ROSAPI" "$@" -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1 \
		'/interface/monitor-traffic' '=interface=ether2 lan' /system/resource/print \
		</dev/null >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	while ((r1 < 3 || r2 < 3 || done3 < 1)) && ((SECONDS < deadline)); do
		r1=$(grep -c '^\[1\] !re$\|"type":"re","command":1' "$WORK/out" || true)
		r2=$(grep -c '^\[2\] !re$\|"type":"re","command":2' "$WORK/out" || true)
		done3=$(grep -c '^\[3\] !done$\|"type":"done","command":3' "$WORK/out" || true)
		sleep 0.05
	done
	[[ $r1 -ge 3 && $r2 -ge 3 && $done3 -eq 1 ]] ||
		fail "only $r1 and $r2 rows, $done3 !done before the deadline"
	interrupt_monitors "$pid" 2
}

CASE="two streams and a print at once, interleaved; Ctrl-C cancels both"
several_cancel
expect_rc 130
expect_no_err
others=$(lines_of 1 | grep '=name=' | grep -vx '  =name=ether1' || true)
[[ -z $others ]] || fail "a row of another interface attributed to command 1"
others=$(lines_of 2 | grep '=name=' | grep -vx '  =name=ether2 lan' || true)
[[ -z $others ]] || fail "a row of another interface attributed to command 2"
lines_of 3 | grep -q '^  =uptime=' || fail "no resource row for command 3"
# Interleaved: a row of command 2 between rows of command 1.
awk '/^\[1\] !re$/ { if (two) ok = 1; one = 1 } /^\[2\] !re$/ { if (one) two = 1 }
	END { exit !ok }' "$WORK/out" || fail "the streams' rows are not interleaved"
[[ "$(lines_of 1 | tail -n 1)" == '!done' && "$(lines_of 2 | tail -n 1)" == '!done' ]] ||
	fail "want each cancelled stream's !done last"
! grep -q 'trap\|interrupted' "$WORK/out" || fail "the interruption shown"

CASE="two streams and a print, --json, Ctrl-C: valid JSON, each row attributed"
several_cancel --json
expect_rc 130
expect_no_err
expect_json 'j.filter(s => s.type === "re" && s.command === 1).every(s => s.attrs.name === "ether1") &&
	j.filter(s => s.type === "re" && s.command === 2).every(s => s.attrs.name === "ether2 lan") &&
	[1, 2, 3].every(n => j.filter(s => s.command === n).pop().type === "done") &&
	j.every(s => s.type !== "trap" && [1, 2, 3].includes(s.command))'

CASE="several commands: --max-sentences and --max-reply apply to each command"
# /interface/print answers 6 sentences of full rows; /system/identity/print
# 2 sentences, 16 bytes.
run --max-sentences 2 -p "${PORT[v7]}" "$H" /interface/print /system/identity/print
expect_rc 11
expect_err_line "rosapi: $H:${PORT[v7]}: [[]1] reply too large: more than 2 sentences"
run --max-reply 40 -p "${PORT[v7]}" "$H" /interface/print /system/identity/print
expect_rc 11
expect_err_line "rosapi: $H:${PORT[v7]}: [[]1] reply too large: more than 40 bytes"
run --max-sentences 2 --max-reply 40 -p "${PORT[v7]}" "$H" /system/identity/print \
	/system/identity/print
expect_rc 0
expect_lines_of 2 '!re' '  =name=v7' '!done'

CASE="several commands: --deadline applies to each command, streams too"
run --deadline 1 -p "${PORT[v7]}" "$H" /interface/monitor-traffic =interface=ether1 \
	/system/identity/print
expect_rc 5
expect_err_line "rosapi: $H:${PORT[v7]}: reply not complete after 1 s"
expect_lines_of 2 '!re' '  =name=v7' '!done'

# ---------------------------------------------------------------- hostile router

# run_bounded SECONDS ARGS...: run, but killed after SECONDS (status 137):
# before the reply bounds an endless reply never ended.
run_bounded() {
	local limit=$1 t0 t1
	shift
	t0=$(date +%s%N)
	RC=0
	timeout -s KILL "$limit" "$ROSAPI" "$@" </dev/null >/dev/null 2>"$WORK/err" || RC=$?
	t1=$(date +%s%N)
	ELAPSED_MS=$(((t1 - t0) / 1000000))
	: >"$WORK/out"
	checks=$((checks + 1))
}

ctl flood flood
ctl flood floodl 200000
ctl flood floodd
ctl dribble floodd on

CASE="endless reply: exit 11, one line naming the sentence limit"
run_bounded 120 -p "${PORT[flood]}" "$H" /interface/print
expect_rc 11
expect_err_line "rosapi: $H:${PORT[flood]}: reply too large: more than 100000 sentences*"

CASE="endless reply of large sentences: the byte limit"
run_bounded 120 -p "${PORT[floodl]}" "$H" /interface/print
expect_rc 11
expect_err_line "rosapi: $H:${PORT[floodl]}: reply too large: more than 33554432 bytes*"

CASE="--max-sentences and --max-reply change the limits"
run_bounded 120 --max-sentences 1000 -p "${PORT[flood]}" "$H" /interface/print
expect_rc 11
expect_err_line "*more than 1000 sentences*"
run_bounded 120 --max-reply 1M -p "${PORT[floodl]}" "$H" /interface/print
expect_rc 11
expect_err_line "*more than 1048576 bytes*"

CASE="bad --max-reply / --max-sentences / --deadline: usage errors"
run --max-reply 12X "$H" /interface/print
expect_rc 2
run --max-sentences -1 "$H" /interface/print
expect_rc 2
run --deadline soon "$H" /interface/print
expect_rc 2

CASE="dribbled endless reply: exit 5 at --deadline, though never silent"
run_bounded 120 --timeout 1 --deadline 2 -p "${PORT[floodd]}" "$H" /interface/print
expect_rc 5
expect_err_line "rosapi: $H:${PORT[floodd]}: reply not complete after 2 s"
[[ $ELAPSED_MS -ge 1900 && $ELAPSED_MS -le 60000 ]] || fail "took $ELAPSED_MS ms, want about 2000"

CASE="a streaming command over a flood frees what it printed"
# VmRSS of a stream that is printed to /dev/null: flat, not growing with
# the flood (ASan's quarantine of freed memory kept small to see it).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8" \
	"$ROSAPI" -p "${PORT[flood]}" "$H" /interface/monitor-traffic =interface=ether1 \
	</dev/null >/dev/null 2>"$WORK/err" &
spid=$!
sleep 3
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$spid/status" 2>/dev/null || echo gone)
kill -INT "$spid" 2>/dev/null || true
RC=0
wait "$spid" || RC=$?
checks=$((checks + 1))
expect_rc 130
[[ $rss_kb != gone && $rss_kb -lt 102400 ]] || fail "VmRSS $rss_kb kB after 3 s of flood, want < 100 MB"

ctl flood flood off
ctl flood floodl off
ctl flood floodd off
ctl dribble floodd off

# ---------------------------------------------------------------- summary

echo quit >&"$FR_OUT" || true
if ((failures)); then
	echo "test_rosapi: $failures of $checks checks failed" >&2
	exit 1
fi
echo "test_rosapi: all $checks checks passed"
