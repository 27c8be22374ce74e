#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `real-peers`: third-party user agents, not our
# own test peers, call through sbc-controlplane and sbc-dataplane between
# network namespaces (topology: scripts/netns-lib.sh).
#
#   PBX:     baresip over SIP/TLS to 198.18.1.10:5061, SRTP (SDES) on its
#            leg.  It is given config/tls/example-ca.crt (sip_cafile), but
#            baresip 1.0 never verifies the server it connects to (no
#            sip_verify_server before 1.1; a CA bundle without ours connects
#            as well): verification is in effect off on that side.  It has a
#            certificate of its own, made here, for the TLS connections we
#            open to its Contact (our BYE), which the s-pbx interface trusts.
#   carrier: a second baresip over UDP, plain RTP, answering at once.
#   media:   each baresip sends a 440 Hz tone from a WAV file (aufile) and
#            plays what it gets to ALSA's null device (no sound card).
#
# Phases, each one call of about 5 s:
#   mandatory    trunk `srtp: mandatory`, baresip mediaenc=srtp-mand
#                (RTP/SAVP; srtp-mandf offers RTP/SAVPF, which Rampart does
#                not take yet): answered RTP/SAVP with a=crypto; every SIP
#                message the PBX baresip sent or got (INVITE, its 200, ACK,
#                BYE) went over TLS, per its own SIP trace (-s); sbcctl shows
#                leg a SRTP over TLS and leg b plain while the call is up;
#                the carrier's messages were UDP, without RTP/SAVP or
#                a=crypto; media both ways: the CDR counts packets on both
#                legs, leg a's SRTP-sized, and each baresip received RTP
#                from our media address (the PBX's decrypted, no SRTP
#                error); CDR answered; no stream left.
#   best-effort  the same trunk, baresip mediaenc=srtp (RFC 8643: RTP/AVP
#                with a=crypto): answered RTP/AVP with our a=crypto, SRTP on
#                the PBX leg; this time the carrier hangs up, and our BYE
#                reaches the PBX over TLS.
#   optional     best-effort again, on a trunk with `srtp: optional`.
#   linphone     linphonec (linphone-cli) answers on the carrier side over
#                UDP, plain RTP, playing the tone from a file ('soundcard use
#                files'); the PBX baresip calls as in `mandatory`.  Skipped,
#                saying why, where linphonec is missing or cannot run without
#                a sound card.
#
# E2E_KEEP=DIR copies the run's logs and SIP traces there.
# Skipped (exit 77) unless run as root with `ip netns`, sipp and baresip
# (Debian package baresip-core) able to run headless.
#
# usage: real_peers.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

CALL_S=5                        # the caller hangs up (quits) this long after start
BOUND_S=30                      # no peer runs longer than this
CAR_SIP_PORT=5060
PBX_SIP_PORT=5070               # baresip's UDP/TCP port; its TLS listener is the next one

# baresip_probe: empty when baresip starts here without a sound card and has
# what the calls need (aufile, ALSA, G.711, SRTP); else why not.
baresip_probe() {
	local d out

	command -v baresip >/dev/null || { echo "no baresip (Debian package baresip-core)"; return; }
	d=$(mktemp -d /tmp/rampart-real-peers-probe.XXXXXX)
	# SIP on 127.0.0.1, a port of the kernel's choosing: nobody's port taken.
	printf '%s\n' "sip_listen 127.0.0.1:0" "module_path /usr/lib/baresip/modules" \
		"module g711.so" "module aufile.so" "module alsa.so" "module srtp.so" \
		"module_tmp account.so" "audio_player alsa,null" "audio_source aufile,/dev/null" \
		"audio_alert alsa,null" >"$d/config"
	: >"$d/accounts"
	out=$(timeout -k 2 10 baresip -f "$d" -t 1 </dev/null 2>&1) || true
	rm -rf -- "$d"
	for want in "ausrc: aufile" "auplay: alsa" "aucodec: PCMU/8000/1" "mediaenc: srtp-mandf" \
		"baresip is ready"; do
		grep -qF "$want" <<<"$out" ||
			{ echo "baresip cannot run headless here (no '$want' at start)"; return; }
	done
	[ -e /usr/share/alsa/alsa.conf ] && grep -q '^pcm.null' /usr/share/alsa/alsa.conf ||
		echo "no ALSA null device (alsa-lib's pcm.null) to play to"
}

why=$(baresip_probe)
if [ -n "$why" ]; then
	echo "real-peers: SKIP: $why"
	exit 77
fi
e2e_start real-peers "$@"
# `baresip -h` exits 254 after its banner.
BARESIP_VERSION=$( (baresip -h 2>&1 || true) | sed -n 's/^baresip v\([^ ]*\) .*/\1/p')

rn_init $$ real-peers
CDR=$rn_dir/cdr.jsonl
CA=$RN_ROOT/config/tls/example-ca.crt
TONE=$rn_dir/tone.wav
# The PBX's own certificate (and key, one PEM file, as baresip reads it) for
# the TLS connections we open to it (our BYE goes to its Contact, port 5071);
# the s-pbx interface trusts exactly this one (its ca_file: the trunk's
# tls_ca_file covers only the INVITEs we send to the trunk's targets).
PBX_PEM=$rn_dir/pbx.pem

# real_peers_config SRTP: RN_SIP_CONFIG: rn_b2bua_config's, with TLS on
# 198.18.1.10:5061 and the pbx trunk over TLS with `srtp: SRTP`.
real_peers_config() {
	RN_SIP_CONFIG="sip:
  user_agent: Rampart
  control_socket: $RN_CP_SOCK
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 },
                 { transport: tls, port: 5061, certificate: $RN_ROOT/config/tls/example.crt,
                   private_key: $RN_ROOT/config/tls/example.key, ca_file: $PBX_PEM }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, sources: [$RN_CAR_PEER/32],
      targets: [\"$RN_CAR_PEER:$CAR_SIP_PORT\"], transport: udp, srtp: off, latching: learn,
      codecs: [PCMU, PCMA, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:$((PBX_SIP_PORT + 1))\"], transport: tls, srtp: $1,
      latching: learn, codecs: [PCMU, PCMA, telephone-event] }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
}

# The tone both baresips send: 440 Hz, 8 kHz mono S16LE (what aufile reads
# for G.711), longer than any call.
python3 - "$TONE" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1)
w.setsampwidth(2)
w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(8000 * 20)))
w.close()
PY
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=pbx.example.test -addext "subjectAltName=DNS:pbx.example.test,IP:$RN_PBX_PEER" \
	-keyout "$rn_dir/pbx.key" -out "$rn_dir/pbx.crt" 2>"$rn_dir/openssl.err" ||
	rn_fail "openssl req: $(cat "$rn_dir/openssl.err")"
cat "$rn_dir/pbx.crt" "$rn_dir/pbx.key" >"$PBX_PEM"

# bs_dir NAME ADDR PORT RTP_PORTS ACCOUNT: a baresip configuration directory
# $rn_dir/NAME (for baresip -f): SIP on ADDR:PORT (UDP, TCP; TLS on PORT+1
# with the PBX's certificate, which only the PBX side uses, trusting our
# example CA), media on eth0 from RTP_PORTS, the tone as source, ALSA's null
# device as player, one account line.
bs_dir() {
	local d=$rn_dir/$1

	mkdir -p "$d"
	cat >"$d/config" <<EOF
# Written by real-peers (tests/e2e/real_peers.sh); deleted when it ends.
poll_method epoll
sip_listen $2:$3
sip_certificate $PBX_PEM
sip_cafile $CA
net_interface eth0
rtp_ports $4
call_local_timeout 10
call_max_calls 1
audio_player alsa,null
audio_source aufile,$TONE
audio_alert alsa,null
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module alsa.so
module srtp.so
module_tmp account.so
module_app menu.so
EOF
	printf '%s\n' "$5" >"$d/accounts"
}

# bs_start NAME NS ARGS...: baresip -f $rn_dir/NAME in NS with its SIP trace
# (-s) in $rn_dir/NAME.log, bounded by BOUND_S; its PID in bs_pid
# (rn_cleanup ends it).
bs_start() {
	local name=$1 ns=$2
	shift 2

	ip netns exec "$ns" timeout -k 5 "$BOUND_S" baresip -f "$rn_dir/$name" -s "$@" \
		</dev/null >"$rn_dir/$name.log" 2>&1 &
	bs_pid=$!
	rn_sipp_pids+=("$bs_pid")
}

# bs_stop PID: SIGTERM (baresip hangs up what it has and quits), then wait.
bs_stop() {
	kill -TERM "$1" 2>/dev/null || true
	rn_sipp_wait "$1"
}

# bs_trace NAME ADDR: baresip NAME's SIP trace (its own address ADDR) as
# lines "TRANSPORT tx|rx START-LINE [CSEQ-METHOD]".
bs_trace() {
	sed 's/\x1b\[[0-9;]*m//g' "$rn_dir/$1.log" | awk -v self="$2" '
		/^(UDP|TCP|TLS|WS|WSS) [^ ]+ -> [^ ]+$/ {
			tp = $1; dir = (index($2, self ":") == 1) ? "tx" : "rx"; start = ""; next }
		tp != "" && start == "" { start = $0; sub(/\r$/, "", start); next }
		tp != "" && tolower($1) == "cseq:" {
			m = $3; sub(/\r$/, "", m); print tp, dir, start, "[" m "]"; tp = "" }'
}

# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN.
wait_for() {
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# check_pbx_tls NAME BS: every SIP message the PBX baresip sent or got went
# over TLS, among them the INVITE, its 200, the ACK and a BYE.
check_pbx_tls() {
	local name=$1 tr=$rn_dir/$1-pbx-trace.txt

	bs_trace "$2" "$RN_PBX_PEER" >"$tr"
	[ -s "$tr" ] || rn_fail "$name: no SIP trace from the PBX baresip"
	! grep -qv '^TLS ' "$tr" ||
		rn_fail "$name: SIP outside TLS on the PBX leg: $(grep -v '^TLS ' "$tr" | head -n 3)"
	grep -q '^TLS tx INVITE sip:' "$tr" || rn_fail "$name: no INVITE over TLS"
	grep -q '^TLS rx SIP/2.0 200 .*\[INVITE\]$' "$tr" || rn_fail "$name: no 200 for the INVITE over TLS"
	grep -q '^TLS tx ACK sip:' "$tr" || rn_fail "$name: no ACK over TLS"
	grep -qE '^TLS (tx|rx) BYE sip:' "$tr" || rn_fail "$name: no BYE over TLS"
}

# sdp_lines NAME: the m= and a=crypto lines of every SDP in baresip NAME's
# trace.
sdp_lines() {
	sed 's/\x1b\[[0-9;]*m//g' "$rn_dir/$1.log" | tr -d '\r' | grep -E '^(m=|a=crypto)'
}

# cdr_leg LEG KEY: the last CDR line's counter KEY for LEG (a, b).
cdr_leg() {
	tail -n 1 "$CDR" | python3 -c 'import json, sys
print(json.load(sys.stdin)["legs"][sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

# check_media NAME: both legs carried packets (the CDR's counters, the data
# plane's) and leg a's are SRTP-sized: G.711 at 20 ms is 172 bytes of RTP,
# 182 with SRTP's 10-byte tag (a mean at least 5 bytes above leg b's).
check_media() {
	local name=$1 a b ab bb

	a=$(cdr_leg a packets) && b=$(cdr_leg b packets) && ab=$(cdr_leg a bytes) &&
		bb=$(cdr_leg b bytes) || rn_fail "$name: no leg counters in the CDR: $(tail -n 1 "$CDR")"
	[ "$a" -gt 0 ] && [ "$b" -gt 0 ] || rn_fail "$name: media not both ways: leg a $a, leg b $b packets"
	[ $((ab * b)) -ge $(((bb + 5 * b) * a)) ] ||
		rn_fail "$name: leg a's packets are not SRTP-sized: $ab bytes in $a packets, leg b $bb in $b"
	MEDIA="leg a $a packets (SRTP, $((ab / a)) bytes each), leg b $b (RTP, $((bb / b)) bytes)"
}

# bs_got_media NAME ADDR: baresip NAME received RTP (decrypted, for SRTP)
# from our media address ADDR.
bs_got_media() {
	grep -q "incoming rtp for 'audio' established, receiving from $2:" "$rn_dir/$1.log" ||
		rn_fail "$1: baresip got no media from $2"
}

# call_ctl NAME: sbcctl's view of the call now up, in $rn_dir/NAME-ctl.txt.
call_ctl() {
	local id

	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 calls >"$rn_dir/$1-calls.txt" || rn_fail "$1: sbcctl calls"
	id=$(sed -n 's/^call=\([0-9]*\) .*/\1/p' "$rn_dir/$1-calls.txt" | head -n 1)
	[ -n "$id" ] || rn_fail "$1: no call in sbcctl calls: $(cat "$rn_dir/$1-calls.txt")"
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 call "$id" >"$rn_dir/$1-ctl.txt" || rn_fail "$1: sbcctl call $id"
	grep -q '^leg=a .* tls=yes srtp=yes ' "$rn_dir/$1-ctl.txt" &&
		grep -q '^leg=b .* tls=no srtp=no ' "$rn_dir/$1-ctl.txt" ||
		rn_fail "$1: sbcctl: leg a should be SRTP over TLS, leg b plain: $(cat "$rn_dir/$1-ctl.txt")"
}

start_stack() {
	real_peers_config "$1"
	rn_config_write
	rn_dataplane_start
	rn_api_wait 30
	rn_controlplane_start
	grep -q "listening on .* and sips:$RN_PBX_SIP:5061" "$RN_CP_LOG.start" ||
		rn_fail "no TLS listener on $RN_PBX_SIP:5061"
}

stop_stack() { e2e_stack_stop; }

# bs_call NAME MEDIAENC WHO-HANGS-UP PROTO: the PBX baresip (mediaenc
# MEDIAENC) calls the carrier baresip through us; pbx or carrier hangs up
# after CALL_S seconds; the PBX must get PROTO with a=crypto in the answer.
bs_call() {
	local name=$1 enc=$2 bye=$3 proto=$4 lines pbx car sdp pbx_t=$BOUND_S car_t=$BOUND_S

	[ "$bye" = pbx ] && pbx_t=$CALL_S || car_t=$CALL_S
	lines=$(cdr_lines)
	bs_dir "$name-car" "$RN_CAR_PEER" "$CAR_SIP_PORT" 40000-40099 \
		"<sip:4000@$RN_CAR_PEER:$CAR_SIP_PORT>;regint=0;answermode=auto;audio_codecs=pcmu"
	bs_dir "$name-pbx" "$RN_PBX_PEER" "$PBX_SIP_PORT" 50000-50099 \
		"<sip:1000@$RN_PBX_PEER:$PBX_SIP_PORT;transport=tls>;regint=0;mediaenc=$enc;audio_codecs=pcmu"
	bs_start "$name-car" "$RN_NS_CAR" -t "$car_t"
	car=$bs_pid
	wait_for "$rn_dir/$name-car.log" 'baresip is ready' 10 || rn_fail "$name: the carrier baresip did not start"
	bs_start "$name-pbx" "$RN_NS_PBX" -e "/dial sip:4000@$RN_PBX_SIP:5061" -t "$pbx_t"
	pbx=$bs_pid
	rn_session_wait 10
	call_ctl "$name"
	# The call ends when the side that hangs up quits; then the other one.
	if [ "$bye" = pbx ]; then
		rn_sipp_wait "$pbx"
		[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "$name: the PBX baresip exited with $RN_SIPP_STATUS"
		check_released "$name"
		bs_stop "$car"
	else
		rn_sipp_wait "$car"
		[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "$name: the carrier baresip exited with $RN_SIPP_STATUS"
		check_released "$name"
		wait_for "$rn_dir/$name-pbx.log" '^BYE sip:' 5 || rn_fail "$name: no BYE reached the PBX"
		bs_stop "$pbx"
	fi
	check_pbx_tls "$name" "$name-pbx"
	[ "$bye" = pbx ] || grep -q '^TLS rx BYE sip:' "$rn_dir/$name-pbx-trace.txt" ||
		rn_fail "$name: our BYE did not reach the PBX over TLS"
	sdp_lines "$name-pbx" >"$rn_dir/$name-pbx-sdp.txt"
	# Its offer and our answer: PROTO, each with a=crypto.
	sdp=$rn_dir/$name-pbx-sdp.txt
	[ "$(grep -c '^m=' "$sdp")" -ge 2 ] &&
		[ "$(grep -c "^m=audio [1-9][0-9]* $proto " "$sdp")" -eq "$(grep -c '^m=' "$sdp")" ] ||
		rn_fail "$name: want $proto in the PBX's offer and our answer: $(cat "$sdp")"
	[ "$(grep -c '^a=crypto:' "$sdp")" -ge 2 ] || rn_fail "$name: no a=crypto in our answer: $(cat "$sdp")"
	grep -q 'SRTP is Enabled' "$rn_dir/$name-pbx.log" || rn_fail "$name: the PBX baresip did not enable SRTP"
	! grep -q 'failed to decrypt' "$rn_dir/$name-pbx.log" || rn_fail "$name: the PBX baresip could not decrypt our SRTP"
	bs_got_media "$name-pbx" "$RN_PBX_SBC"
	bs_got_media "$name-car" "$RN_CAR_SBC"
	bs_trace "$name-car" "$RN_CAR_PEER" >"$rn_dir/$name-car-trace.txt"
	! grep -qv '^UDP ' "$rn_dir/$name-car-trace.txt" || rn_fail "$name: carrier SIP not over UDP"
	sdp_lines "$name-car" >"$rn_dir/$name-car-sdp.txt"
	! grep -qiE 'a=crypto|RTP/SAVP' "$rn_dir/$name-car-sdp.txt" ||
		rn_fail "$name: a=crypto or RTP/SAVP sent to the carrier over UDP"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
	cdr_check "$name" '"disposition":"answered"'
	check_media "$name"
	rn_log "$name: PASS (baresip $enc over TLS <-> baresip RTP over UDP, $bye hung up, $MEDIA)"
}

# linphone_call NAME: the PBX baresip (srtp-mand over TLS) calls linphonec,
# which answers on the carrier side over UDP (plain RTP) and plays the tone
# from a file ('soundcard use files': no sound card needed); the PBX hangs
# up.  linphonec reads its commands from a FIFO.  Skipped, saying why, when
# linphonec is missing or does not take the call without a sound card.
linphone_call() {
	local name=$1 d=$rn_dir/$1-lp lines pbx lp fifo fd

	if ! command -v linphonec >/dev/null; then
		rn_log "$name: SKIP: no linphonec (Debian package linphone-cli)"
		return 0
	fi
	lines=$(cdr_lines)
	mkdir -p "$d/home/.local/share/linphone"
	cat >"$d/linphonerc" <<EOF
[sip]
sip_port=$CAR_SIP_PORT
sip_tcp_port=-1
sip_tls_port=-1
contact=sip:4000@$RN_CAR_PEER
media_encryption=none
use_ipv6=0
[rtp]
audio_rtp_port=40000
EOF
	fifo=$d/in
	mkfifo "$fifo"
	HOME=$d/home ip netns exec "$RN_NS_CAR" timeout -k 5 "$BOUND_S" \
		linphonec -c "$d/linphonerc" -a -d 4 -l "$d.debug" <"$fifo" >"$d.log" 2>&1 &
	lp=$!
	rn_sipp_pids+=("$lp")
	exec {fd}>"$fifo"
	echo "soundcard use files" >&"$fd"
	if ! wait_for "$d.log" 'Using wav files instead of soundcard' 10; then
		exec {fd}>&-
		bs_stop "$lp"
		rn_log "$name: SKIP: linphonec does not run without a sound card here: $(tail -n 3 "$d.log")"
		return 0
	fi
	sleep 1
	bs_dir "$name-pbx" "$RN_PBX_PEER" "$PBX_SIP_PORT" 50000-50099 \
		"<sip:1000@$RN_PBX_PEER:$PBX_SIP_PORT;transport=tls>;regint=0;mediaenc=srtp-mand;audio_codecs=pcmu"
	bs_start "$name-pbx" "$RN_NS_PBX" -e "/dial sip:4000@$RN_PBX_SIP:5061" -t "$CALL_S"
	pbx=$bs_pid
	rn_session_wait 10
	echo "play $TONE" >&"$fd"
	call_ctl "$name"
	rn_sipp_wait "$pbx"
	[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "$name: the PBX baresip exited with $RN_SIPP_STATUS"
	check_released "$name"
	echo quit >&"$fd"
	exec {fd}>&-
	rn_sipp_wait "$lp"
	[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "$name: linphonec exited with $RN_SIPP_STATUS"
	check_pbx_tls "$name" "$name-pbx"
	grep -q 'SRTP is Enabled' "$rn_dir/$name-pbx.log" || rn_fail "$name: the PBX baresip did not enable SRTP"
	bs_got_media "$name-pbx" "$RN_PBX_SBC"
	grep -q "^Call 1 with sip:1000@$RN_CAR_SIP connected" "$d.log" &&
		grep -q '^Media streams established .* (audio)' "$d.log" &&
		grep -q 'ended (No error)' "$d.log" ||
		rn_fail "$name: linphonec did not answer, get media and end: $(grep -i call "$d.log")"
	grep -q "opened: rate=8000,channel=1" "$d.debug" || rn_fail "$name: linphonec did not play the tone"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
	cdr_check "$name" '"disposition":"answered"'
	check_media "$name"
	rn_log "$name: PASS (baresip srtp-mand over TLS <-> linphonec $LINPHONE_VERSION RTP over UDP, $MEDIA)"
}

t0=$SECONDS
rn_topology_up
rn_sip_up
LINPHONE_VERSION=$( (linphonec -v 2>&1 || true) | sed -n 's/^version: //p')
rn_log "baresip $BARESIP_VERSION, linphonec ${LINPHONE_VERSION:-none}"

start_stack mandatory
bs_call mandatory srtp-mand pbx RTP/SAVP
bs_call best-effort srtp carrier RTP/AVP
stop_stack

start_stack optional
bs_call optional srtp pbx RTP/AVP
linphone_call linphone
stop_stack

echo "---- CDR ----"
cat "$CDR"
rn_log "PASS in $((SECONDS - t0)) s"
