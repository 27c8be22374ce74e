#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `b2bua-calls`: real SIP calls through
# sbc-controlplane (the B2BUA) and sbc-dataplane, between SIPp in two
# network namespaces (the topology is drawn in scripts/netns-lib.sh).
#
#   ns pbx: SIPp UAC 198.18.1.2:5060, RTP peer :50000
#   root:   sbc-controlplane on 198.18.1.10:5060 (pbx side) and
#           198.18.0.10:5060 (carrier side), kernel sockets on the root
#           ends of the veths; sbc-dataplane on those same veths
#           (af_packet), media addresses 198.18.1.1 and 198.18.0.1
#   ns carrier: SIPp UAS 198.18.0.2:5060, RTP peer :40000
#
# Calls, each PBX -> carrier over UDP (then the basic call again over TCP
# on both legs, and a call without media that the data plane's media
# timeout ends):
#   basic       INVITE with SDP, 180, 200, ACK; G.711 RTP both ways through
#               the session the B2BUA bound, checked byte for byte by
#               scripts/rtp_peer.py; data plane stats show the session while
#               the call is up; BYE from the caller; the session is gone
#               afterwards; then 20 more packets from each peer to the
#               old ports reach neither peer and count as no_stream drops.
#   callee-bye  as basic, without media; BYE from the callee.
#   cancel      180, then CANCEL from the caller: 487 back, CANCEL to the
#               callee.
#   busy        486 from the callee relayed to the caller.
#   unavailable 503 + Retry-After from the callee relayed at once, not retried.
#   silent-cancel the callee never answers, the caller CANCELs: the CDR still
#               has leg B's Call-ID and the call number of the log lines.
#   same-version a re-INVITE repeating the caller's offer: answered here, not
#               relayed, our o= version unchanged.
#   hold        re-INVITE sendonly then sendrecv from the caller, relayed to
#               the callee with our SDP; the data plane session UPDATEd.
#   reverse     carrier -> PBX (the same code the other way round); BYE from
#               the PBX.
#   forbidden   INVITE from an address no trunk lists: 403, nothing sent on.
#   options     OPTIONS from the PBX trunk: 200; from an address no trunk lists:
#               403 (sip.unknown_source), as any other request from it.
#   text-body   INVITE with a text/plain body: 415 and Accept.
#   sdp-hang    INVITE with tests/regressions/sdp-parser-hang.sdp: 400 (Sofia's
#               sdp_parse() would never return on it).
#   sdp-loopback, sdp-broadcast, sdp-own, sdp-savpf  SDP with c= 127.0.0.1,
#               255.255.255.255 or the SBC's own media address, or only an
#               RTP/SAVPF line: 488, Warning: 399 saying why, nothing sent on.
#   route       two carrier-side trunks, the first targeting an address where
#               nothing answers: a call whose Request-URI host is the second
#               trunk's target host reaches the carrier's UAS.
#   no-codecs   both trunks without a `codecs` key: the basic call again,
#               answered, media both ways (whatever is offered passes).
#   info        INFO in an answered call: DTMF both ways with its body, the
#               200 and a 501 relayed back; text/plain: 415 + Accept, not relayed.
#   refer-reject REFER from either side under refer: reject: 405, Allow
#               without REFER, nothing relayed.
#   info-outside INFO outside any dialog: 481.
#   transfer    refer: local: the carrier REFERs the call to another
#               carrier-side target; the SBC calls it, re-INVITEs the PBX onto
#               it, media exact both ways, NOTIFYs and BYE to the transferor.
#   transfer-busy the target answers 486: NOTIFY 486, the transferor is back
#               in the call and ends it.
#   transfer-hangup the transferor hangs up after 202: the transfer still
#               connects the PBX to the target.
#   transfer-a  refer: local on the PBX's trunk: the caller REFERs, the
#               carrier is re-INVITEd onto a PBX-side target.
#
# For every call: SIPp's exit status; no address of one side in any SIP
# message the other side's SIPp sent or received (-trace_msg logs); no
# stream left in the data plane; one CDR line with the expected disposition
# and cause (and, for the basic call, the media counters).
#
# E2E_KEEP=DIR copies the run's logs, SIPp traces and CDR there.
# Skipped (exit 77) unless run as root with `ip netns` and sipp available.
#
# usage: b2bua_calls.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

PACKETS=50                      # 1 s of G.711 at 20 ms
RN_SIPP_TIMEOUT=30              # bound on every SIPp run, seconds

e2e_start b2bua-calls "$@"

rn_init $$ b2bua-calls
CDR=$rn_dir/cdr.jsonl
# sbc-controlplane's runtime directory (TLS material), see rn_controlplane_start.
RUNTIME_DIRECTORY=$RN_CP_RUNTIME
rn_b2bua_config "$CDR"

t0=$SECONDS
RN_IPV6=1       # the PBX side is dual-stack: the ipv6 call below
rn_topology_up
rn_sip_up
# An address of the PBX namespace that no trunk lists (the 403 call).
ip -n "$RN_NS_PBX" addr add 198.18.1.3/24 dev eth0
rn_config_write
rn_dataplane_start
rn_api_wait 30
rn_log "data plane up: $RN_HELLO"
rn_controlplane_start
rn_log "control plane up"

# The media addresses are not the root kernel's (so it never answers ARP
# for them: only the data plane does); the basic call's media proves the
# data plane still sees every frame on the shared veths.
for ip in "$RN_CAR_SBC" "$RN_PBX_SBC"; do
	! ip route get "$ip" | grep -q '^local' || rn_fail "$ip is local to the root kernel"
done

# hostport IP PORT: as sbc-dpctl prints it (IPv6 in brackets).
hostport() {
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# No address of the other side in anything a side's SIPp saw.
check_leaks() {
	local name=$1 log

	log=$rn_dir/$name-carrier-sipp-msg.log
	[ -s "$log" ] || rn_fail "$name: no SIPp trace $log"
	! grep -nE '198\.18\.1\.|2001:db8:' "$log" >"$rn_dir/leak.txt" ||
		rn_fail "$name: PBX-side address sent to the carrier: $(head -n 3 "$rn_dir/leak.txt")"
	log=$rn_dir/$name-pbx-sipp-msg.log
	[ -s "$log" ] || rn_fail "$name: no SIPp trace $log"
	! grep -n '198\.18\.0\.' "$log" >"$rn_dir/leak.txt" ||
		rn_fail "$name: carrier-side address sent to the PBX: $(head -n 3 "$rn_dir/leak.txt")"
	# Nor the other leg's Call-ID.
	local cid_pbx cid_car
	cid_pbx=$(sed -n 's/^Call-ID: *//p' "$rn_dir/$name-pbx-sipp-msg.log" | head -n 1 | tr -d '\r')
	cid_car=$(sed -n 's/^Call-ID: *//p' "$rn_dir/$name-carrier-sipp-msg.log" | head -n 1 | tr -d '\r')
	if [ -z "$cid_pbx" ] || [ -z "$cid_car" ]; then
		rn_fail "$name: no Call-ID in the traces"
	fi
	[ "$cid_pbx" != "$cid_car" ] || rn_fail "$name: same Call-ID on both legs"
	! grep -qF "$cid_pbx" "$rn_dir/$name-carrier-sipp-msg.log" ||
		rn_fail "$name: the PBX's Call-ID reached the carrier"
}

# After the release, media to the call's old SBC ports goes nowhere: each
# peer sends AFTER_RELEASE more packets there, the other peer receives none
# (each peer's run bounded by --linger-ms), and the data plane counts every
# one as a no_stream drop.
AFTER_RELEASE=20
check_silent_after_release() {
	local name=$1 before after side

	before=$(drop_count no_stream)
	rn_peers_start "$AFTER_RELEASE" --require-percent 0 --linger-ms 500
	rn_peers_wait
	cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt"
	[ "$RN_PEERS_OK" -eq 1 ] ||
		rn_fail "$name: after the release, a peer got a bad packet: $(cat "$rn_dir"/peer-*.err)"
	for side in carrier pbx; do
		[ "$(rn_peer_field "$side" sent)" = "$AFTER_RELEASE" ] ||
			rn_fail "$name: after the release, the $side peer did not send $AFTER_RELEASE packets"
		[ "$(rn_peer_field "$side" received)" = 0 ] && [ "$(rn_peer_field "$side" bad)" = 0 ] ||
			rn_fail "$name: after the release, the $side peer received packets from the SBC"
	done
	after=$(drop_count no_stream)
	[ "$after" -ge $((before + 2 * AFTER_RELEASE)) ] ||
		rn_fail "$name: after the release, no_stream drops went from $before to $after (want +$((2 * AFTER_RELEASE)))"
	rn_log "$name: after the release, $((2 * AFTER_RELEASE)) packets to the old ports dropped (no_stream $before -> $after), none delivered"
}

# ---- calls with media checked byte for byte ----
# basic_call NAME TRANSPORT SRC TRUNK_B [UAS_SCENARIO UAC_SCENARIO [HOOK]]:
# the PBX calls the carrier (default scenarios uas_answer.xml and
# uac_call.xml); HOOK, when given, runs once the media has been checked
# and before the SIPp runs end.
basic_call() {
	local name=$1 transport=$2 src=$3 trunk_b=$4 session lines
	local uas_sf=${5:-uas_answer.xml} uac_sf=${6:-uac_call.xml} hook=${7:-}

	lines=$(cdr_lines)
	sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" "$uas_sf" -t "$transport"
	uas=$last_sipp_pid
	sleep 0.3
	sipp_run "$name-pbx" "$RN_NS_PBX" "$src" "$uac_sf" -s 4000 -d 6000 \
		-t "$transport" "$(hostport "$RN_PBX_SIP" 5060)"
	uac=$last_sipp_pid

	# The session appears once the 200 is relayed; its endpoints are where
	# the peers send.
	rn_session_wait 10
	session=$RN_SESSION
	rn_log "$name: session $session: carrier side $RN_CAR_SBC:$RN_CAR_TO_PORT, pbx side $RN_PBX_SBC:$RN_PBX_TO_PORT"
	rn_peers_start "$PACKETS" --strict --linger-ms 500
	rn_peers_wait
	cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt"
	[ "$RN_PEERS_OK" -eq 1 ] ||
		rn_fail "$name: a peer missed, reordered or rejected packets: $(cat "$rn_dir"/peer-*.err)"

	# The data plane's view while the call is still up.
	rn_ctl stats "$session" >"$rn_dir/stats.txt" || rn_fail "$name: sbc-dpctl stats $session"
	cat "$rn_dir/stats.txt"
	for l in a b; do
		if [ "$l" = a ]; then
			want=$(hostport "$RN_PBX_PEER" "$RN_PBX_PEER_PORT")
		else
			want=$(hostport "$RN_CAR_PEER" "$RN_CAR_PEER_PORT")
		fi
		[ "$(rn_leg_field "$l" packets)" = "$PACKETS" ] || rn_fail "$name: leg $l: packets != $PACKETS"
		[ "$(rn_leg_field "$l" source)" = "$want" ] ||
			rn_fail "$name: leg $l: latched source is not $want"
	done
	[ -z "$hook" ] || "$hook" "$name"

	sipp_wait "$uac" "$name-pbx"
	sipp_wait "$uas" "$name-carrier"
	check_released "$name"
	check_silent_after_release "$name"
	check_leaks "$name"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
	cdr_check "$name" '"disposition":"answered"' '"sip_cause":200' '"ended_by":"a"' \
		'"trunk_a":"pbx"' "\"trunk_b\":\"$trunk_b\"" "\"a\":{\"packets\":$PACKETS," \
		"\"b\":{\"packets\":$PACKETS," '"answer":"' "\"call_id_b\":\""
	rn_log "$name: PASS ($PACKETS packets each way, exact; session released; CDR written)"
}

# ---- calls without media ----
# signalling_call NAME UAS_SCENARIO UAC_SCENARIO DISPOSITION CAUSE ENDED_BY
signalling_call() {
	local name=$1 uas_sf=$2 uac_sf=$3 lines

	lines=$(cdr_lines)
	sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" "$uas_sf" -d 1000
	uas=$last_sipp_pid
	sleep 0.3
	sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" "$uac_sf" -s 4000 -d 1000 \
		"$RN_PBX_SIP:5060"
	uac=$last_sipp_pid
	sipp_wait "$uac" "$name-pbx"
	sipp_wait "$uas" "$name-carrier"
	check_released "$name"
	check_leaks "$name"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
	cdr_check "$name" "\"disposition\":\"$4\"" "\"sip_cause\":$5," "\"ended_by\":\"$6\""
	rn_log "$name: PASS"
}

# sbcctl during the basic call: the call, its legs and streams with the
# data plane's counters, the trunks with their active calls; the socket 0600.
sbcctl_check() {
	local out=$rn_dir/sbcctl.txt id

	[ "$(stat -c %a "$RN_CP_SOCK")" = 600 ] || rn_fail "$1: $RN_CP_SOCK is not mode 0600"
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 calls >"$out" || rn_fail "$1: sbcctl calls"
	cat "$out"
	[ "$(wc -l <"$out")" -eq 1 ] || rn_fail "$1: sbcctl calls: not one call"
	grep -q 'state=answered trunk_a=pbx trunk_b=carrier call_id_a=[^ -]' "$out" ||
		rn_fail "$1: sbcctl calls: $(cat "$out")"
	id=$(sed -n 's/^call=\([0-9]*\) .*/\1/p' "$out")
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 call "$id" >"$out" || rn_fail "$1: sbcctl call $id"
	cat "$out"
	grep -q '^leg=a trunk=pbx interface=s-pbx transport=udp ' "$out" &&
		grep -q '^leg=b trunk=carrier interface=s-carrier transport=udp ' "$out" &&
		grep -q "^stream=0 session=$RN_SESSION " "$out" &&
		grep -q "^stream=0 leg=a packets=$PACKETS " "$out" &&
		grep -q "^stream=0 leg=b packets=$PACKETS " "$out" ||
		rn_fail "$1: sbcctl call $id: $(cat "$out")"
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 trunks >"$out" || rn_fail "$1: sbcctl trunks"
	cat "$out"
	grep -q '^trunk=carrier side=carrier interface=s-carrier transport=udp active_calls=1$' "$out" &&
		grep -q '^trunk=pbx side=enterprise interface=s-pbx transport=udp active_calls=1$' "$out" ||
		rn_fail "$1: sbcctl trunks: $(cat "$out")"
	! "$SBCCTL" -s "$RN_CP_SOCK" -w 5 call 999999 2>"$rn_dir/sbcctl.err" ||
		rn_fail "$1: sbcctl call of an unknown call succeeded"
	grep -q 'error no call 999999' "$rn_dir/sbcctl.err" || rn_fail "$1: $(cat "$rn_dir/sbcctl.err")"
}
basic_call basic u1 "$RN_PBX_PEER" carrier uas_answer.xml uac_call.xml sbcctl_check
rn_log "sbcctl: PASS (calls, call, trunks during the call)"

# msg_sdp LOG METHOD: "yes" when the first METHOD request (or, for a status
# code, response) in a SIPp message log carries an m= line, else "no".
msg_sdp() {
	awk -v m="$2" '/^-----/ { if (inmsg) exit; next }
		!inmsg && ($1 == m || ($1 == "SIP/2.0" && $2 == m)) { inmsg = 1; next }
		inmsg && /^m=/ { found = 1 }
		END { print found ? "yes" : "no" }' "$1"
}

# Late offer relayed (the carrier trunk's default late_offer: relay): the
# PBX's INVITE without SDP reaches the carrier without SDP; the carrier's
# offer in its 200 is anchored and relayed to the PBX in our 200; the PBX's
# answer in its ACK binds the session and goes to the carrier in our ACK.
late_offer_check() {
	grep -q 'late offer completed by the ACK, media bound' "$RN_CP_LOG.start" ||
		rn_fail "$1: the ACK's answer did not bind the session"
}
basic_call late-offer u1 "$RN_PBX_PEER" carrier uas_answer.xml uac_late_offer.xml \
	late_offer_check
[ "$(msg_sdp "$rn_dir/late-offer-carrier-sipp-msg.log" INVITE)" = no ] ||
	rn_fail "late-offer: the carrier got an offer (want the INVITE without SDP)"
[ "$(msg_sdp "$rn_dir/late-offer-carrier-sipp-msg.log" ACK)" = yes ] ||
	rn_fail "late-offer: our ACK to the carrier carries no answer"
rn_log "late-offer: PASS (relayed: no SDP to the carrier, its offer anchored, the PBX's answer in our ACK)"

# The same toward a trunk with late_offer: offer (reload): the carrier gets
# our own offer (the trunk's codecs), the PBX our offer in the 200 built
# from the carrier's answer, and its answer in the ACK binds the session.
cp "$RN_CFG" "$rn_dir/cfg-relay.yaml"
sed "s|targets: \[\"$RN_CAR_PEER:5060\"\], transport: udp,|&\n      late_offer: offer,|" \
	"$rn_dir/cfg-relay.yaml" >"$RN_CFG"
grep -q 'late_offer: offer' "$RN_CFG" || rn_fail "late-offer: config not rewritten"
e2e_reload "late_offer"
basic_call late-offer-own u1 "$RN_PBX_PEER" carrier uas_answer.xml uac_late_offer.xml \
	late_offer_check
grep -q '^m=audio [0-9]* RTP/AVP 0 8 101' "$rn_dir/late-offer-own-carrier-sipp-msg.log" ||
	rn_fail "late-offer-own: the carrier did not get an offer with the trunk's codecs"
[ "$(msg_sdp "$rn_dir/late-offer-own-carrier-sipp-msg.log" ACK)" = no ] ||
	rn_fail "late-offer-own: an SDP in our ACK to the carrier's answer"
cp "$rn_dir/cfg-relay.yaml" "$RN_CFG"
e2e_reload "late_offer"

# Early media: the carrier's 183 with SDP is relayed with P-Early-Media and
# the session bound on it; all the media flows before the 200 (sent 5 s
# after the 183), then the call is answered.
early_media_check() {
	grep -q 'early media (183)' "$RN_CP_LOG.start" || rn_fail "$1: no early media logged"
	! grep -q "call [0-9]*: answered" <(sed -n "$early_from,\$p" "$RN_CP_LOG.start") ||
		rn_fail "$1: the call was answered before the early media was checked"
}
early_from=$(($(wc -l <"$RN_CP_LOG.start") + 1))
basic_call early-media u1 "$RN_PBX_PEER" carrier uas_early_media.xml uac_early_media.xml \
	early_media_check
grep -q '^P-Early-Media: sendrecv' "$rn_dir/early-media-pbx-sipp-msg.log" ||
	rn_fail "early-media: no P-Early-Media in the 183 to the PBX"
grep -q '^P-Early-Media: supported' "$rn_dir/early-media-carrier-sipp-msg.log" ||
	rn_fail "early-media: P-Early-Media: supported not relayed to the carrier"
rn_log "early-media: PASS (media before the 200)"
signalling_call callee-bye uas_answer_bye.xml uac_callee_bye.xml answered 200 b
signalling_call cancel uas_cancel.xml uac_cancel.xml cancelled 487 a
signalling_call busy uas_busy.xml uac_busy.xml rejected 486 b
# 503 with Retry-After: 2 from the carrier.  Sofia's nua used to wait the
# 2 s out and resend the INVITE itself while the caller heard nothing (the
# carrier then saw a second INVITE); the B2BUA decides: the caller gets the
# 503 at once, with the Retry-After (uac_unavailable checks it).
signalling_call unavailable uas_unavailable.xml uac_unavailable.xml rejected 503 b
[ "$(grep -c '^INVITE ' "$rn_dir/unavailable-carrier-sipp-msg.log")" -eq 1 ] ||
	rn_fail "unavailable: the INVITE was resent to the carrier after its Retry-After"
# That Retry-After holds the carrier's only destination for 2 s (RFC 3261
# §21.5.4; e2e/carrier tests it): the next call waits it out.
sleep 2.2

# The callee never answers (a socket in the carrier namespace that reads
# nothing), the caller CANCELs: the CDR still names leg B's Call-ID (ours,
# made with B's INVITE; before, it was learnt from B's responses and was ""
# here).
lines=$(cdr_lines)
ip netns exec "$RN_NS_CAR" python3 -c "import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$RN_CAR_PEER', 5060)); time.sleep(4)" &
rn_peer_pids+=("$!")
# Bound before the call (else ICMP port unreachable: 503, not a silent callee).
for _ in $(seq 50); do
	ip netns exec "$RN_NS_CAR" ss -Hlun "src $RN_CAR_PEER:5060" | grep -q . && break
	sleep 0.1
done
RN_SIPP_TIMEOUT=15 sipp_run silent-cancel-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_cancel_silent.xml \
	-s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" silent-cancel-pbx
wait "${rn_peer_pids[-1]}" 2>/dev/null || true
unset 'rn_peer_pids[-1]'
check_released silent-cancel
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "silent-cancel: no new CDR line"
cdr_check silent-cancel '"disposition":"cancelled"' '"sip_cause":487'
! grep -q '"call_id_b":""' <(tail -n 1 "$CDR") || rn_fail "silent-cancel: no B Call-ID: $(tail -n 1 "$CDR")"
grep -qE '"call":[0-9]+,' <(tail -n 1 "$CDR") || rn_fail "silent-cancel: no call number in the CDR"
rn_log "silent-cancel: PASS (CDR with leg B's Call-ID and the call number)"

# Hold and resume from the caller: each re-INVITE is relayed with our SDP
# (sendonly, then sendrecv, to the carrier; its recvonly back to the PBX)
# and the data plane session is UPDATEd.
# A re-INVITE repeating the caller's last offer (same o= version): answered
# here with our last SDP (its o= version unchanged), never relayed (the
# carrier's SIPp takes no second INVITE); before, it got 100 and nothing.
signalling_call same-version uas_answer.xml uac_reinvite_same.xml answered 200 a
[ "$(grep -c '^SIP/2.0 200' "$rn_dir/same-version-pbx-sipp-msg.log")" -ge 3 ] ||
	rn_fail "same-version: the re-INVITE was not answered 200"
[ "$(grep '^o=rampart' "$rn_dir/same-version-pbx-sipp-msg.log" | sort -u | wc -l)" -eq 1 ] ||
	rn_fail "same-version: our o= line changed: $(grep '^o=rampart' "$rn_dir/same-version-pbx-sipp-msg.log")"
[ "$(grep -c '^INVITE ' "$rn_dir/same-version-carrier-sipp-msg.log")" -eq 1 ] ||
	rn_fail "same-version: the re-INVITE was relayed to the carrier"

signalling_call hold uas_hold.xml uac_hold.xml answered 200 a
grep -q '^a=sendonly' "$rn_dir/hold-carrier-sipp-msg.log" ||
	rn_fail "hold: no sendonly offer reached the carrier"
grep -q '^a=recvonly' "$rn_dir/hold-pbx-sipp-msg.log" ||
	rn_fail "hold: no recvonly answer reached the PBX"
[ "$(grep -c 're-INVITE answered, media updated' "$RN_CP_LOG.start")" -eq 2 ] ||
	rn_fail "hold: the data plane session was not updated twice"

# UPDATE (RFC 3311) both ways, with and without SDP: hold by UPDATE from the
# PBX, a refresh without SDP, resume by UPDATE from the carrier, another
# refresh; the session UPDATEd for each offer.
signalling_call update uas_update.xml uac_update.xml answered 200 a
[ "$(grep -c 'UPDATE answered, media updated' "$RN_CP_LOG.start")" -eq 2 ] ||
	rn_fail "update: the data plane session was not updated twice"
[ "$(grep -c 'UPDATE without SDP answered' "$RN_CP_LOG.start")" -eq 2 ] ||
	rn_fail "update: the UPDATEs without SDP were not relayed both ways"
grep -q '^a=sendonly' "$rn_dir/update-carrier-sipp-msg.log" ||
	rn_fail "update: no sendonly offer reached the carrier"
grep -q '^a=recvonly' "$rn_dir/update-pbx-sipp-msg.log" ||
	rn_fail "update: no recvonly answer reached the PBX"

# ---- the other way: the carrier calls the PBX, the PBX hangs up ----
lines=$(cdr_lines)
sipp_run reverse-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uas_answer_bye.xml -d 1000
uas=$last_sipp_pid
sleep 0.3
sipp_run reverse-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uac_callee_bye.xml -s 2000 \
	"$RN_CAR_SIP:5060"
uac=$last_sipp_pid
sipp_wait "$uac" reverse-carrier
sipp_wait "$uas" reverse-pbx
check_released reverse
check_leaks reverse
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "reverse: no new CDR line"
cdr_check reverse '"trunk_a":"carrier"' '"trunk_b":"pbx"' '"disposition":"answered"' \
	'"ended_by":"b"'
rn_log "reverse: PASS"

# ---- unknown source: 403, nothing reaches the carrier ----
lines=$(cdr_lines)
rc=0
ip netns exec "$RN_NS_PBX" sipp -sf "$E2E_DIR/uac_busy.xml" -i 198.18.1.3 -p 5060 -m 1 \
	-nostdin -timeout 10s -timeout_error -s 4000 "$RN_PBX_SIP:5060" \
	-trace_msg -message_file "$rn_dir/forbidden-pbx-sipp-msg.log" \
	>"$rn_dir/forbidden.out" 2>&1 </dev/null || rc=$?
# uac_busy expects 486: a 403 makes SIPp fail, so look at what came back.
grep -q '^SIP/2.0 403' "$rn_dir/forbidden-pbx-sipp-msg.log" ||
	rn_fail "forbidden: no 403 (SIPp status $rc)"
[ "$(cdr_lines)" -eq "$lines" ] || rn_fail "forbidden: a CDR line for a refused source"
rn_log "forbidden: PASS (403)"

# ---- OPTIONS: answered to a trunk, refused to an unknown source ----
# (nua answered every OPTIONS itself with 200, whoever sent it.)
RN_SIPP_TIMEOUT=10 sipp_run options-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_options_ok.xml "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" options-pbx
rc=0
ip netns exec "$RN_NS_PBX" sipp -sf "$E2E_DIR/uac_options_forbidden.xml" -i 198.18.1.3 -p 5060 -m 1 \
	-nostdin -timeout 10s -timeout_error "$RN_PBX_SIP:5060" \
	-trace_msg -message_file "$rn_dir/options-unknown-sipp-msg.log" \
	>"$rn_dir/options-unknown.out" 2>&1 </dev/null || rc=$?
[ "$rc" -eq 0 ] || rn_fail "options: an unknown source's OPTIONS was not refused 403 (SIPp $rc)"
rn_log "options: PASS (200 to the PBX trunk, 403 to an unknown source)"

# ---- the SDP that hangs Sofia's parser (tests/regressions/sdp-parser-hang.sdp) ----
# Refused with 400 before Sofia's sdp_parse() sees it; the control plane
# stays responsive (every call below goes through it).
lines=$(cdr_lines)
RN_SIPP_TIMEOUT=10 sipp_run sdp-hang-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_sdp_hang.xml -s 4000 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" sdp-hang-pbx
grep -q '^m=audio 0 /0 x' "$rn_dir/sdp-hang-pbx-sipp-msg.log" || rn_fail "sdp-hang: not the regression's m= line"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "sdp-hang: no new CDR line"
cdr_check sdp-hang '"disposition":"rejected"' '"sip_cause":400'
"$SBCCTL" -s "$RN_CP_SOCK" -w 2 calls >/dev/null || rn_fail "sdp-hang: sbcctl got no answer"
rn_log "sdp-hang: PASS (400, the control plane answers)"

# ---- a body that is not SDP: 415 with Accept (it was 400) ----
lines=$(cdr_lines)
RN_SIPP_TIMEOUT=10 sipp_run text-body-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_text_body.xml -s 4000 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" text-body-pbx
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "text-body: no new CDR line"
cdr_check text-body '"disposition":"rejected"' '"sip_cause":415'
rn_log "text-body: PASS (415 with Accept: application/sdp)"

# ---- SDP naming an address no peer receives on: 488 with a Warning ----
# Loopback and the limited broadcast would send the call's media to the
# SBC host or a whole LAN; our own media address, to the data plane itself.
# An offer whose only line has a profile we cannot anchor (baresip's
# srtp-mandf: RTP/SAVPF) was sent on to the carrier with the line rejected.
for x in loopback:127.0.0.1:RTP/AVP:loopback broadcast:255.255.255.255:RTP/AVP:broadcast \
	 own:$RN_PBX_SBC:RTP/AVP:"SBC's own" savpf:$RN_PBX_PEER:RTP/SAVPF:"no media line"; do
	IFS=: read -r what addr proto why <<<"$x"
	lines=$(cdr_lines)
	RN_SIPP_TIMEOUT=10 sipp_run "sdp-$what-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_sdp_address.xml \
		-s 4000 -key c_addr "$addr" -key proto "$proto" "$RN_PBX_SIP:5060"
	sipp_wait "$last_sipp_pid" "sdp-$what-pbx"
	grep -q "^Warning: 399 .*$why" "$rn_dir/sdp-$what-pbx-sipp-msg.log" ||
		rn_fail "sdp-$what: the 488's Warning does not say $why"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "sdp-$what: no new CDR line"
	cdr_check "sdp-$what" '"disposition":"rejected"' '"sip_cause":488'
	rn_log "sdp-$what: PASS (c=$addr $proto: 488, Warning names it)"
done

# ---- INFO and REFER inside a call (issue 14 item 5; RFC 6086, RFC 3515) ----
# info: the PBX's INFO application/dtmf-relay reaches the carrier with its
# body and the carrier's 200 comes back; its INFO text/plain gets 415 with
# Accept from the SBC and never reaches the carrier; the carrier's INFO
# application/dtmf reaches the PBX; a 501 to an INFO is relayed as 501.
# Both trunks have the default refer: reject: a REFER from either side gets
# 405 from the SBC with an Allow that has INFO and no REFER, and nothing is
# relayed.  (Before, nua answered every INFO 405.)
relayed0=$(e2e_b2bua_stat info_relayed)
signalling_call info uas_info.xml uac_info.xml answered 200 a
car_log=$rn_dir/info-carrier-sipp-msg.log pbx_log=$rn_dir/info-pbx-sipp-msg.log
grep -q "^INFO sip:$RN_CAR_PEER" "$car_log" || rn_fail "info: no INFO reached the carrier"
grep -q '^Signal=5' "$car_log" || rn_fail "info: the DTMF body did not reach the carrier"
! grep -qi 'text/plain\|not a DTMF digit' "$car_log" ||
	rn_fail "info: the text/plain INFO was relayed to the carrier"
[ "$(grep -c "^INFO sip:$RN_CAR_PEER" "$car_log")" -eq 2 ] ||
	rn_fail "info: the carrier did not get exactly the two DTMF INFOs"
grep -q '^Accept: application/dtmf-relay, application/dtmf' "$pbx_log" ||
	rn_fail "info: the 415 has no Accept naming the DTMF types"
grep -q '^SIP/2.0 501' "$pbx_log" || rn_fail "info: the carrier's 501 was not relayed"
! grep -q "^REFER sip:$RN_CAR_PEER" "$car_log" || rn_fail "refer-reject: a REFER reached the carrier"
! grep -q "^REFER sip:2000@$RN_PBX_PEER" "$pbx_log" || rn_fail "refer-reject: a REFER reached the PBX"
! grep -q '^Allow:.*REFER' "$pbx_log" "$car_log" ||
	rn_fail "refer-reject: an Allow with REFER under refer: reject"
[ "$(grep -c '^SIP/2.0 405' "$pbx_log")" -eq 1 ] && [ "$(grep -c '^SIP/2.0 405' "$car_log")" -eq 1 ] ||
	rn_fail "refer-reject: not one 405 to each side's REFER"
[ "$(e2e_b2bua_stat info_relayed)" -eq $((relayed0 + 3)) ] ||
	rn_fail "info: info_relayed went from $relayed0 to $(e2e_b2bua_stat info_relayed) (want +3)"
rn_log "info: PASS (DTMF INFO both ways with its body, 200 and 501 relayed; text/plain: 415 + Accept, not relayed)"
rn_log "refer-reject: PASS (REFER from either side: 405, Allow without REFER, nothing relayed)"

# info-outside: an INFO outside any dialog gets 481 (it was 405).
RN_SIPP_TIMEOUT=10 sipp_run info-outside-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_info_outside.xml \
	-s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" info-outside-pbx
rn_log "info-outside: PASS (481)"

# transfer: refer: local on the carrier trunk (reload) and a second
# carrier-side trunk, xfer-target, whose target is 198.18.0.3 (an address
# of the carrier namespace).  The PBX calls the carrier; the carrier REFERs
# the call to 5000@198.18.0.3: 202 and NOTIFY "100 Trying" to it; the SBC
# routes the new INVITE like a call from the PBX's trunk (Request-URI host
# 198.18.0.3: trunk xfer-target), with our offer on the carrier's old
# endpoint; on the target's 200 the PBX is re-INVITEd with our offer from
# that answer, the data plane session follows (media exact both ways
# between the PBX and the target), the carrier gets NOTIFY "200 OK"
# (terminated) and our BYE.  The CDR names the target's trunk and Call-ID
# and the replaced leg.  (Before, every REFER got 405.)
XFER_TARGET=198.18.0.3
ip -n "$RN_NS_CAR" addr add "$XFER_TARGET/24" dev eth0
cp "$RN_CFG" "$rn_dir/cfg-before-transfer.yaml"
XFER_TARGET_A=198.18.1.3       # the PBX side's (transfer-a)
sed -e 's|^  - { name: carrier, side: carrier,|  - { name: carrier, side: carrier, refer: local,|' \
	-e "s|^  - { name: pbx, side: enterprise,|  - { name: xfer-target, side: carrier, interface: s-carrier, sources: [$XFER_TARGET/32],\\n      targets: [\"$XFER_TARGET:5060\"], transport: udp, latching: learn,\\n      codecs: [PCMU, PCMA, telephone-event] }\\n  - { name: pbx, side: enterprise, refer: local,|" \
	-e "s|^cdr:|  - { name: pbx-target, side: enterprise, interface: s-pbx, sources: [$XFER_TARGET_A/32],\\n      targets: [\"$XFER_TARGET_A:5060\"], transport: udp, latching: learn,\\n      codecs: [PCMU, PCMA, telephone-event] }\\n&|" \
	"$rn_dir/cfg-before-transfer.yaml" >"$RN_CFG"
[ "$(grep -c 'refer: local' "$RN_CFG")" -eq 2 ] && grep -q 'name: xfer-target' "$RN_CFG" &&
	grep -q 'name: pbx-target' "$RN_CFG" || rn_fail "transfer: config not rewritten"
e2e_reload transfer
lines=$(cdr_lines)
done0=$(e2e_b2bua_stat transfers_done)
sipp_run transfer-target "$RN_NS_CAR" "$XFER_TARGET" uas_transfer_target.xml
tgt=$last_sipp_pid
sipp_run transfer-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_refer.xml \
	-key target_user 5000 -key target_host "$XFER_TARGET"
uas=$last_sipp_pid
sleep 0.3
sipp_run transfer-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_transfer.xml -s 4000 -d 8000 \
	"$RN_PBX_SIP:5060"
uac=$last_sipp_pid
# The data plane sends toward the target once the PBX answered our re-INVITE.
for ((i = 0; i < 150; i++)); do
	rn_ctl dump >"$rn_dir/dump.txt" 2>/dev/null || true
	grep -q " $XFER_TARGET:40000 " "$rn_dir/dump.txt" && break
	sleep 0.1
done
grep -q " $XFER_TARGET:40000 " "$rn_dir/dump.txt" ||
	rn_fail "transfer: the session does not send to the target: $(cat "$rn_dir/dump.txt")"
rn_session_wait 10
RN_CAR_PEER=$XFER_TARGET rn_peers_start "$PACKETS" --strict --linger-ms 500
rn_peers_wait
cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt"
[ "$RN_PEERS_OK" -eq 1 ] ||
	rn_fail "transfer: media between the PBX and the target not exact: $(cat "$rn_dir"/peer-*.err)"
sipp_wait "$uac" transfer-pbx
sipp_wait "$uas" transfer-carrier
sipp_wait "$tgt" transfer-target
check_released transfer
check_leaks transfer
! grep -nE '198\.18\.1\.|2001:db8:' "$rn_dir/transfer-target-sipp-msg.log" >"$rn_dir/leak.txt" ||
	rn_fail "transfer: PBX-side address sent to the target: $(head -n 3 "$rn_dir/leak.txt")"
grep -q "^INVITE sip:5000@$XFER_TARGET" "$rn_dir/transfer-target-sipp-msg.log" ||
	rn_fail "transfer: the target's INVITE is not for 5000@$XFER_TARGET"
[ "$(grep -c '^INVITE ' "$rn_dir/transfer-pbx-sipp-msg.log")" -eq 2 ] ||
	rn_fail "transfer: the PBX did not get one re-INVITE"
[ "$(e2e_b2bua_stat transfers_done)" -eq $((done0 + 1)) ] ||
	rn_fail "transfer: transfers_done is not $((done0 + 1))"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "transfer: not one new CDR line"
cid_target=$(sed -n 's/^Call-ID: *//p' "$rn_dir/transfer-target-sipp-msg.log" | head -n 1 | tr -d '\r')
cid_old=$(sed -n 's/^Call-ID: *//p' "$rn_dir/transfer-carrier-sipp-msg.log" | head -n 1 | tr -d '\r')
cdr_check transfer '"disposition":"answered"' '"ended_by":"a"' '"trunk_a":"pbx"' \
	'"trunk_b":"xfer-target"' "\"call_id_b\":\"$cid_target\"" \
	"\"transfer\":{\"leg\":\"b\",\"call_id\":\"$cid_old\",\"trunk\":\"carrier\"}" \
	"\"a\":{\"packets\":$PACKETS," "\"b\":{\"packets\":$PACKETS,"
rn_log "transfer: PASS (REFER from the carrier: 202, NOTIFY 100 then 200, the target called, the PBX re-INVITEd onto it, $PACKETS packets each way, transferor released, CDR)"

# transfer-busy: the target answers 486: the transferor's final NOTIFY
# says 486, the call is the transferor's again (the PBX never hears of
# the attempt), and its BYE ends the call as before.
lines=$(cdr_lines)
failed0=$(e2e_b2bua_stat transfers_failed)
sipp_run transfer-busy-target "$RN_NS_CAR" "$XFER_TARGET" uas_busy.xml
tgt=$last_sipp_pid
sipp_run transfer-busy-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_refer_busy.xml \
	-key target_user 5000 -key target_host "$XFER_TARGET"
uas=$last_sipp_pid
sleep 0.3
sipp_run transfer-busy-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_callee_bye.xml -s 4000 \
	"$RN_PBX_SIP:5060"
uac=$last_sipp_pid
sipp_wait "$uac" transfer-busy-pbx
sipp_wait "$uas" transfer-busy-carrier
sipp_wait "$tgt" transfer-busy-target
check_released transfer-busy
check_leaks transfer-busy
[ "$(grep -c '^INVITE ' "$rn_dir/transfer-busy-pbx-sipp-msg.log")" -eq 1 ] ||
	rn_fail "transfer-busy: the PBX was re-INVITEd for a transfer that failed"
[ "$(e2e_b2bua_stat transfers_failed)" -eq $((failed0 + 1)) ] ||
	rn_fail "transfer-busy: transfers_failed is not $((failed0 + 1))"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "transfer-busy: not one new CDR line"
cdr_check transfer-busy '"disposition":"answered"' '"ended_by":"b"' '"trunk_b":"carrier"' \
	'"transfer":null'
# Every handle of both transfers gone (transferor, target): the calls are freed.
for ((i = 0; i < 50; i++)); do
	[ "$(e2e_b2bua_stat calls)" = 0 ] && break
	sleep 0.1
done
[ "$(e2e_b2bua_stat calls)" = 0 ] || rn_fail "transfer: $(e2e_b2bua_stat calls) calls not freed"
rn_log "transfer-busy: PASS (486 from the target: NOTIFY 486, the transferor back in the call, its BYE ends it)"

# transfer-hangup: the transferor hangs up right after the NOTIFY "100
# Trying" (the target answers 1 s later): the transfer goes on, the PBX is
# re-INVITEd onto the target, and nothing more goes to the transferor.
lines=$(cdr_lines)
sipp_run transfer-hangup-target "$RN_NS_CAR" "$XFER_TARGET" uas_transfer_target.xml -d 1000
tgt=$last_sipp_pid
sipp_run transfer-hangup-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_refer_hangup.xml \
	-key target_user 5000 -key target_host "$XFER_TARGET"
uas=$last_sipp_pid
sleep 0.3
sipp_run transfer-hangup-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_transfer.xml -s 4000 -d 1000 \
	"$RN_PBX_SIP:5060"
uac=$last_sipp_pid
sipp_wait "$uac" transfer-hangup-pbx
sipp_wait "$uas" transfer-hangup-carrier
sipp_wait "$tgt" transfer-hangup-target
check_released transfer-hangup
check_leaks transfer-hangup
[ "$(grep -c '^NOTIFY ' "$rn_dir/transfer-hangup-carrier-sipp-msg.log")" -eq 1 ] ||
	rn_fail "transfer-hangup: a NOTIFY after the transferor's BYE"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "transfer-hangup: not one new CDR line"
cdr_check transfer-hangup '"disposition":"answered"' '"ended_by":"a"' '"trunk_b":"xfer-target"' \
	'"transfer":{"leg":"b",'
rn_log "transfer-hangup: PASS (the transferor gone after 202: the target still connected to the PBX)"

# transfer-a: the other way round, refer: local on the PBX's trunk: the
# PBX (the caller) REFERs the call to 6000@198.18.1.3; the target is
# routed like a call from the carrier's trunk (trunk pbx-target, on the
# PBX side), the carrier is re-INVITEd onto it and hangs up; the CDR's
# leg a is the target.
lines=$(cdr_lines)
sipp_run transfer-a-target "$RN_NS_PBX" "$XFER_TARGET_A" uas_transfer_target.xml
tgt=$last_sipp_pid
sipp_run transfer-a-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_transferee.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run transfer-a-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_refer.xml -s 4000 \
	-key target_user 6000 -key target_host "$XFER_TARGET_A" "$RN_PBX_SIP:5060"
uac=$last_sipp_pid
sipp_wait "$uac" transfer-a-pbx
sipp_wait "$uas" transfer-a-carrier
sipp_wait "$tgt" transfer-a-target
check_released transfer-a
check_leaks transfer-a
! grep -n '198\.18\.0\.' "$rn_dir/transfer-a-target-sipp-msg.log" >"$rn_dir/leak.txt" ||
	rn_fail "transfer-a: carrier-side address sent to the target: $(head -n 3 "$rn_dir/leak.txt")"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "transfer-a: not one new CDR line"
cid_target=$(sed -n 's/^Call-ID: *//p' "$rn_dir/transfer-a-target-sipp-msg.log" | head -n 1 | tr -d '\r')
cid_old=$(sed -n 's/^Call-ID: *//p' "$rn_dir/transfer-a-pbx-sipp-msg.log" | head -n 1 | tr -d '\r')
cdr_check transfer-a '"disposition":"answered"' '"ended_by":"b"' '"trunk_a":"pbx-target"' \
	"\"call_id_a\":\"$cid_target\"" '"trunk_b":"carrier"' \
	"\"transfer\":{\"leg\":\"a\",\"call_id\":\"$cid_old\",\"trunk\":\"pbx\"}"
for ((i = 0; i < 50; i++)); do
	[ "$(e2e_b2bua_stat calls)" = 0 ] && break
	sleep 0.1
done
[ "$(e2e_b2bua_stat calls)" = 0 ] || rn_fail "transfer-a: $(e2e_b2bua_stat calls) calls not freed"
rn_log "transfer-a: PASS (REFER from the PBX: the carrier re-INVITEd onto a PBX-side target)"
cp "$rn_dir/cfg-before-transfer.yaml" "$RN_CFG"
e2e_reload transfer-restore
ip -n "$RN_NS_CAR" addr del "$XFER_TARGET/24" dev eth0

# cp_restart CFG: a fresh control plane on CFG, after checking that the
# last one stopped cleanly with no call left behind.
cp_stop_check() {
	rn_controlplane_stop 10
	[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with status $RN_CP_STATUS"
	[ "$(grep -c 'stopping with 0 calls open' "$RN_CP_LOG")" -eq "$1" ] ||
		rn_fail "sbc-controlplane stopped with calls still open (see its log)"
}

# ---- TCP on both legs: the PBX calls over TCP, the carrier trunk is TCP ----
cp_stop_check 1
sed 's/transport: udp, latching/transport: tcp, latching/' "$RN_CFG" >"$rn_dir/cp-tcp.yaml"
rn_controlplane_start "$rn_dir/cp-tcp.yaml"
basic_call basic-tcp t1 "$RN_PBX_PEER" carrier

# ---- TLS on the PBX leg (port 5061, the example certificate), UDP to the carrier ----
cp_stop_check 2
TLS_UAC="$E2E_DIR/sip_tls_uac.py"
CA=$RN_ROOT/config/tls/example-ca.crt
awk -v crt="$RN_ROOT/config/tls/example.crt" -v key="$RN_ROOT/config/tls/example.key" '
	pbx && /transport: tcp, port: 5060 }]/ {
		sub(/}]/, "}, { transport: tls, port: 5061, certificate: " crt ", private_key: " key " }]")
		pbx = 0
	}
	/name: s-pbx/ { pbx = 1 }
	{ print }' "$RN_CFG" >"$rn_dir/cp-tls.yaml"
grep -q 'transport: tls, port: 5061' "$rn_dir/cp-tls.yaml" || rn_fail "cp-tls.yaml"
rn_controlplane_start "$rn_dir/cp-tls.yaml"
grep -q "listening on .* and sips:$RN_PBX_SIP:5061" "$RN_CP_LOG.start" ||
	rn_fail "tls: no TLS listener on $RN_PBX_SIP:5061"
# The key Sofia reads is the process's own copy, mode 0600, in a 0700 directory.
agent=$(find "$RUNTIME_DIRECTORY" -name agent.pem -path '*tls-s-pbx*')
[ -n "$agent" ] && [ "$(stat -c %a "$agent")" = 600 ] ||
	rn_fail "tls: no agent.pem with mode 0600 under $RUNTIME_DIRECTORY"
[ "$(stat -c %a "$(dirname "$agent")")" = 700 ] || rn_fail "tls: $(dirname "$agent") is not 0700"
# TLS 1.2 and later only.
ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" probe --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --tls-version 1.2 --timeout 5 >"$rn_dir/tls12.txt" ||
	rn_fail "tls: a TLS 1.2 handshake failed: $(cat "$rn_dir/tls12.txt")"
! ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" probe --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --tls-version 1.1 --timeout 5 \
	>"$rn_dir/tls11.txt" 2>&1 || rn_fail "tls: TLS 1.1 was accepted"
rn_log "tls: TLS 1.2 accepted, TLS 1.1 refused ($(cat "$rn_dir/tls11.txt"))"
lines=$(cdr_lines)
sipp_run tls-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
	--hold-ms 15000 --hold-until "$rn_dir/tls-hangup" --timeout 25 \
	--trace "$rn_dir/tls-pbx-sipp-msg.log" \
	>"$rn_dir/tls-pbx.out" 2>"$rn_dir/tls-pbx.err" </dev/null &
tls_uac=$!
rn_sipp_pids+=("$tls_uac")
rn_session_wait 10
rn_peers_start "$PACKETS" --strict --linger-ms 500
rn_peers_wait
touch "$rn_dir/tls-hangup"            # media checked: the caller hangs up now
[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "tls: media not exact: $(cat "$rn_dir"/peer-*.err)"
rn_sipp_wait "$tls_uac"
[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "tls: the TLS caller failed: $(cat "$rn_dir/tls-pbx.err")"
sipp_wait "$uas" tls-carrier
cat "$rn_dir/tls-pbx.out"
grep -q '^Via: SIP/2.0/TLS' "$rn_dir/tls-pbx-sipp-msg.log" || rn_fail "tls: no TLS Via in the responses"
check_released tls
check_leaks tls
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "tls: no new CDR line"
cdr_check tls '"disposition":"answered"' '"ended_by":"a"' "\"a\":{\"packets\":$PACKETS," \
	"\"b\":{\"packets\":$PACKETS,"
rn_log "tls: PASS (PBX leg over TLS, carrier leg over UDP, $PACKETS packets each way)"

# ---- media timeout: no media at all; the data plane's event ends the call ----
cp_stop_check 3
[ -z "$(ls -A "$RUNTIME_DIRECTORY" 2>/dev/null)" ] ||
	rn_fail "tls: runtime files left after the stop: $(ls -R "$RUNTIME_DIRECTORY")"
sed 's/^  idle_backoff_us: 100 .*/&\n  media_timeout_ms: 1000/' "$RN_CFG" >"$rn_dir/cp-timeout.yaml"
grep -q 'media_timeout_ms: 1000' "$rn_dir/cp-timeout.yaml" || rn_fail "cp-timeout.yaml"
rn_controlplane_start "$rn_dir/cp-timeout.yaml"
signalling_call media-timeout uas_answer.xml uac_callee_bye.xml media-timeout 200 sbc

# ---- IPv6 on the PBX leg (signalling and media), IPv4 on the carrier leg ----
cp_stop_check 4
sed -e "s/name: s-pbx, side: enterprise, address: $RN_PBX_SIP,/name: s-pbx, side: enterprise, address: \"$RN_PBX_SIP6\",/" \
	-e "s|sources: \[$RN_PBX_PEER/32\]|sources: [\"$RN_PBX_PEER6/128\"]|" \
	-e "s|targets: \[\"$RN_PBX_PEER:5060\"\]|targets: [\"[$RN_PBX_PEER6]:5060\"]|" \
	"$RN_CFG" >"$rn_dir/cp-ipv6.yaml"
[ "$(grep -c '2001:db8' "$rn_dir/cp-ipv6.yaml")" -ge 4 ] || rn_fail "cp-ipv6.yaml"
rn_controlplane_start "$rn_dir/cp-ipv6.yaml"
grep -q "listening on sip:\[$RN_PBX_SIP6\]:5060" "$RN_CP_LOG.start" ||
	rn_fail "ipv6: not listening on [$RN_PBX_SIP6]:5060"
v4_sip=$RN_PBX_SIP v4_sbc=$RN_PBX_SBC v4_peer=$RN_PBX_PEER
RN_PBX_SIP=$RN_PBX_SIP6 RN_PBX_SBC="[$RN_PBX_SBC6]" RN_PBX_PEER=$RN_PBX_PEER6
basic_call ipv6 u1 "$RN_PBX_PEER6" carrier
grep -q "^c=IN IP6 $RN_PBX_SBC6" "$rn_dir/ipv6-pbx-sipp-msg.log" ||
	rn_fail "ipv6: the PBX did not get our IPv6 media address"
grep -q "^c=IN IP4 $RN_CAR_SBC" "$rn_dir/ipv6-carrier-sipp-msg.log" ||
	rn_fail "ipv6: the carrier did not get our IPv4 media address"
RN_PBX_SIP=$v4_sip RN_PBX_SBC=$v4_sbc RN_PBX_PEER=$v4_peer

# ---- routing by Request-URI host: two carrier-side trunks ----
# The first, `dead`, targets an address where nothing answers (the
# fallback for a Request-URI host no trunk targets); the call's
# Request-URI host is the second trunk's target host, so it must reach the
# carrier's UAS.  Routed wrongly, both SIPp runs time out (bounded).
cp_stop_check 5
DEAD=198.18.0.99
sed "s|^  - { name: carrier, side: carrier,|  - { name: dead, side: carrier, interface: s-carrier, sources: [$DEAD/32],\\n      targets: [\"$DEAD:5060\"], transport: udp, latching: learn,\\n      codecs: [PCMU, PCMA, telephone-event] }\\n&|" \
	"$RN_CFG" >"$rn_dir/cp-route.yaml"
grep -q "name: dead" "$rn_dir/cp-route.yaml" || rn_fail "cp-route.yaml"
rn_controlplane_start "$rn_dir/cp-route.yaml"
lines=$(cdr_lines)
RN_SIPP_TIMEOUT=10 sipp_run route-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer_bye.xml -d 1000
uas=$last_sipp_pid
sleep 0.3
RN_SIPP_TIMEOUT=10 sipp_run route-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_route.xml -s 4000 \
	-key ruri_host "$RN_CAR_PEER" "$RN_PBX_SIP:5060"
uac=$last_sipp_pid
sipp_wait "$uac" route-pbx
sipp_wait "$uas" route-carrier
check_released route
grep -q "^INVITE sip:4000@$RN_CAR_PEER:5060 " "$rn_dir/route-pbx-sipp-msg.log" ||
	rn_fail "route: the PBX's Request-URI host is not $RN_CAR_PEER"
grep -q "call [0-9]*: to trunk carrier (.*) via s-carrier" "$RN_CP_LOG.start" ||
	rn_fail "route: not routed to trunk carrier"
! grep -q "to trunk dead" "$RN_CP_LOG.start" || rn_fail "route: a call went to trunk dead"
! grep -nE '198\.18\.1\.' "$rn_dir/route-carrier-sipp-msg.log" >"$rn_dir/leak.txt" ||
	rn_fail "route: PBX-side address sent to the carrier: $(head -n 3 "$rn_dir/leak.txt")"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "route: no new CDR line"
cdr_check route '"trunk_a":"pbx"' '"trunk_b":"carrier"' '"disposition":"answered"' \
	'"ended_by":"b"'
rn_log "route: PASS (Request-URI host $RN_CAR_PEER: the second carrier trunk, not the first)"

# ---- trunks without a `codecs` key: whatever is offered passes ----
# docs/configuration.md: "empty = pass what is offered".  Both trunks lose
# their codec lists; the call is answered and its media flows both ways,
# byte for byte (before the codec policy, audio was refused: 488 or port 0).
cp_stop_check 6
sed 's/,$/,/; s/^      codecs: \[PCMU, PCMA, telephone-event\] }$/      }/' "$RN_CFG" \
	>"$rn_dir/cp-nocodecs.yaml"
! grep -q 'codecs:' "$rn_dir/cp-nocodecs.yaml" || rn_fail "cp-nocodecs.yaml still lists codecs"
rn_controlplane_start "$rn_dir/cp-nocodecs.yaml"
basic_call no-codecs u1 "$RN_PBX_PEER" carrier
grep -q '^m=audio [0-9]* RTP/AVP 0' "$rn_dir/no-codecs-carrier-sipp-msg.log" ||
	rn_fail "no-codecs: the carrier did not get the PBX's PCMU offer"

cp_stop_check 7
rn_dataplane_stop 10
[ "$RN_DP_STATUS" -eq 0 ] || rn_fail "sbc-dataplane exited with status $RN_DP_STATUS"
echo "---- CDR ----"
cat "$CDR"
rn_log "PASS in $((SECONDS - t0)) s"
