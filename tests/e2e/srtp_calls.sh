#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `srtp-calls`: SRTP (SDES over SIP/TLS) on the PBX
# leg, plain RTP over UDP on the carrier leg, through sbc-controlplane and
# sbc-dataplane between network namespaces (topology: scripts/netns-lib.sh).
#
#   PBX:     tests/e2e/sip_tls_uac.py over TLS to 198.18.1.10:5061, an
#            RTP/SAVP offer with a fresh a=crypto key; scripts/rtp_peer.py
#            protects what it sends with that key and unprotects what it
#            receives with the key of our answer (its own RFC 3711 code on
#            python3-cryptography: independent of ours and of libsrtp2).
#   carrier: SIPp UAS over UDP, plain rtp_peer.py.
#   trunks:  pbx `srtp: mandatory`, `transport: tls`; carrier `srtp: off`.
#
# Checks, for each data plane SRTP engine (libsrtp2, cryptodev on
# crypto_openssl, then cryptodev on crypto_aesni_mb, the default driver):
#   interwork  media both ways byte for byte after decryption on the far
#              side: the PBX's SRTP arrives at the carrier as the plain RTP
#              it encrypted, the carrier's RTP reaches the PBX as SRTP under
#              our answer's key (a different key from the PBX's); the PBX got
#              RTP/SAVP and exactly one a=crypto line in the 200; the carrier
#              saw neither RTP/SAVP nor a=crypto in any message; no key
#              appears in either process's log; sbcctl shows leg a SRTP and
#              leg b plain while the call is up; one CDR line.
# and with the cryptodev engine:
#   rekey      a re-INVITE from the PBX with a fresh key: our answer carries
#              a fresh key too; media with the new keys is exact both ways;
#              then packets under the old key are dropped (counted as
#              srtp_auth in the data plane), none reaches the carrier, and
#              the burst of failures raises the data plane's event, which
#              the control plane logs.
#   best-effort  an RTP/AVP offer with a=crypto over TLS (RFC 8643): answered
#              RTP/AVP with our a=crypto, media SRTP both ways, exact.
#   savp-udp   an RTP/SAVP offer with a=crypto over plain UDP: 488, nothing
#              sent to the carrier.
#   avp-tls    an RTP/AVP offer over TLS from the SRTP-mandatory trunk: 488.
#
# E2E_KEEP=DIR copies the run's logs and traces there.
# Skipped (exit 77) unless run as root with `ip netns`, sipp and python3's
# cryptography module.
#
# usage: srtp_calls.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

PACKETS=50                      # 1 s of G.711 at 20 ms
RN_SIPP_TIMEOUT=40              # bound on every SIPp run, seconds
TLS_UAC=$E2E_DIR/sip_tls_uac.py

E2E_PYTHON_MODULE=cryptography
e2e_start srtp-calls "$@"

rn_init $$ srtp-calls
CDR=$rn_dir/cdr.jsonl
RUNTIME_DIRECTORY=$RN_CP_RUNTIME
CA=$RN_ROOT/config/tls/example-ca.crt
rn_b2bua_config "$CDR"
# The PBX side also listens on TLS 5061; the pbx trunk is SRTP-only over TLS.
RN_SIP_CONFIG=$(printf '%s\n' "$RN_SIP_CONFIG" | awk \
	-v crt="$RN_ROOT/config/tls/example.crt" -v key="$RN_ROOT/config/tls/example.key" '
	/name: s-pbx/ { pbx = 1 }
	pbx && /transport: tcp, port: 5060 }]/ {
		sub(/}]/, "}, { transport: tls, port: 5061, certificate: " crt ", private_key: " key " }]")
		pbx = 0
	}
	/name: pbx, side: enterprise/ { trunk = 1 }
	trunk && /transport: udp, latching: learn/ {
		sub(/transport: udp/, "transport: tls, srtp: mandatory")
		trunk = 0
	}
	{ print }')
grep -q 'transport: tls, port: 5061' <<<"$RN_SIP_CONFIG" || rn_fail "no TLS listener in the config"
grep -q 'transport: tls, srtp: mandatory' <<<"$RN_SIP_CONFIG" || rn_fail "no SRTP trunk in the config"

t0=$SECONDS
rn_topology_up
rn_sip_up

# json_field FILE KEY: one value of the UAC's --media-out file.
json_field() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# wait_file FILE SECONDS
wait_file() {
	local i

	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	rn_fail "no $(basename "$1") after $2 s"
}

# start_stack ENGINE[:DRIVER]: data plane with that SRTP engine (and, for
# cryptodev, that crypto driver), then the B2BUA.
start_stack() {
	local engine=${1%%:*} driver=

	[ "$engine" = "$1" ] || driver="\n  srtp_cryptodev: ${1#*:}"
	rn_config_write
	sed -i "s/^  idle_backoff_us: .*/&\n  srtp_engine: $engine$driver\n  srtp_auth_burst: 10/" "$RN_CFG"
	grep -q "srtp_engine: $engine" "$RN_CFG" || rn_fail "srtp_engine not set"
	rn_dataplane_start
	rn_api_wait 30
	rn_log "data plane up ($1): $RN_HELLO"
	if [ "$engine" = cryptodev ]; then
		# the driver asked for, else any (the default: aesni_mb, else openssl)
		local want=crypto_
		[ -z "$driver" ] || want=${1#*:}
		grep -q "srtp: cryptodev $want" "$RN_DP_LOG" ||
			rn_fail "not on the cryptodev driver asked for: $(grep 'srtp:' "$RN_DP_LOG")"
	fi
	rn_controlplane_start
	grep -q "listening on .* and sips:$RN_PBX_SIP:5061" "$RN_CP_LOG.start" ||
		rn_fail "no TLS listener on $RN_PBX_SIP:5061"
}

stop_stack() { e2e_stack_stop; }

# srtp_media NAME MEDIA_JSON [rtp_peer options...]: one round of media, the
# PBX peer on the keys of MEDIA_JSON, every packet checked after decryption.
srtp_media() {
	local name=$1 json=$2
	shift 2

	RN_PBX_PEER_ARGS=(--srtp-send "$(json_field "$json" offer_inline)"
			  --srtp-recv "$(json_field "$json" answer_inline)")
	rn_peers_start "$PACKETS" "$@"
	rn_peers_wait
	RN_PBX_PEER_ARGS=()
	cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt"
}

# Nothing of the SDP exchange's keys in any log we or the processes wrote.
check_no_keys() {
	local name=$1 json k
	shift

	for json in "$@"; do
		for k in offer_inline answer_inline; do
			k=$(json_field "$json" "$k")
			[ -n "$k" ] || rn_fail "$name: empty $k"
			! grep -rqF -- "$k" "$RN_CP_LOG.start" "$RN_DP_LOG" "$CDR" ||
				rn_fail "$name: an SRTP key appears in a log"
		done
	done
}

# The carrier leg is UDP: no SRTP of any kind may reach it.
check_carrier_plain() {
	local log=$rn_dir/$1-carrier-sipp-msg.log

	[ -s "$log" ] || rn_fail "$1: no carrier trace"
	! grep -qiE 'a=crypto|RTP/SAVP' "$log" || rn_fail "$1: a=crypto or RTP/SAVP sent to the carrier over UDP"
	grep -q '^m=audio [0-9]* RTP/AVP ' "$log" || rn_fail "$1: no RTP/AVP offer to the carrier"
}

# interwork_call NAME [--best-effort]: with --best-effort the PBX offers
# RTP/AVP with a=crypto (RFC 8643) and must get RTP/AVP with our a=crypto.
interwork_call() {
	local name=$1 uas uac json=$rn_dir/$1-media.json lines id proto=RTP/SAVP
	local -a extra=("${@:2}")

	[ "${#extra[@]}" -eq 0 ] || proto=RTP/AVP

	lines=$(cdr_lines)
	sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
	uas=$last_sipp_pid
	sleep 0.3
	ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
		--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
		--srtp "${extra[@]}" --media-out "$json" --hold-ms 15000 --hold-until "$rn_dir/$name-hangup" \
		--timeout 30 --trace "$rn_dir/$name-pbx-sipp-msg.log" \
		>"$rn_dir/$name-pbx.out" 2>"$rn_dir/$name-pbx.err" </dev/null &
	uac=$!
	rn_sipp_pids+=("$uac")
	rn_session_wait 10
	wait_file "$json" 10
	[ "$(json_field "$json" proto)" = "$proto" ] || rn_fail "$name: the answer is not $proto"
	[ "$(json_field "$json" offer_inline)" != "$(json_field "$json" answer_inline)" ] ||
		rn_fail "$name: our answer reuses the PBX's key"
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 calls >"$rn_dir/$name-calls.txt" ||
		rn_fail "$name: sbcctl calls"
	id=$(sed -n 's/^call=\([0-9]*\) .*/\1/p' "$rn_dir/$name-calls.txt")
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 call "$id" >"$rn_dir/$name-ctl.txt" ||
		rn_fail "$name: sbcctl call $id"
	grep -q '^leg=a .* tls=yes srtp=yes ' "$rn_dir/$name-ctl.txt" &&
		grep -q '^leg=b .* tls=no srtp=no ' "$rn_dir/$name-ctl.txt" ||
		rn_fail "$name: sbcctl: leg a should be SRTP over TLS, leg b plain: $(cat "$rn_dir/$name-ctl.txt")"
	srtp_media "$name" "$json" --strict --linger-ms 500
	touch "$rn_dir/$name-hangup"     # media checked: the caller hangs up now
	[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "$name: media not exact: $(cat "$rn_dir"/peer-*.err)"
	rn_sipp_wait "$uac"
	[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "$name: the TLS caller failed: $(cat "$rn_dir/$name-pbx.err")"
	sipp_wait "$uas" "$name-carrier"
	# The 200 the PBX got: RTP/SAVP and exactly one a=crypto line.
	[ "$(grep -c '^a=crypto:' "$rn_dir/$name-pbx-sipp-msg.log")" -eq 2 ] ||
		rn_fail "$name: want one a=crypto in our offer's answer (and one in the PBX's offer)"
	check_carrier_plain "$name"
	check_no_keys "$name" "$json"
	check_released "$name"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
	cdr_check "$name" '"disposition":"answered"' "\"a\":{\"packets\":$PACKETS," \
		"\"b\":{\"packets\":$PACKETS,"
	rn_log "$name: PASS (SRTP over TLS on the PBX leg <-> RTP over UDP on the carrier leg, $PACKETS packets each way, exact after decryption)"
}

for engine in libsrtp2 cryptodev:crypto_openssl cryptodev; do
	start_stack "$engine"
	interwork_call "interwork-${engine/:/-}"
	[ "$engine" = cryptodev ] || stop_stack
done

# ---- best-effort SRTP (RFC 8643) from the SRTP-mandatory PBX trunk ----
# RTP/AVP with a=crypto over TLS: keys taken, answered RTP/AVP with ours,
# media SRTP both ways (it was treated as plain RTP: 488 on this trunk).
interwork_call best-effort --best-effort

# ---- re-key by re-INVITE (cryptodev engine) ----
name=rekey
json=$rn_dir/$name-media.json
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_reinvite.xml
uas=$last_sipp_pid
sleep 0.3
ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
	--srtp --media-out "$json" --reinvite-ms 20000 --reinvite-when "$rn_dir/$name-reinvite" \
	--hold-ms 30000 --hold-until "$rn_dir/$name-hangup" --timeout 40 \
	--trace "$rn_dir/$name-pbx-sipp-msg.log" \
	>"$rn_dir/$name-pbx.out" 2>"$rn_dir/$name-pbx.err" </dev/null &
uac=$!
rn_sipp_pids+=("$uac")
rn_session_wait 10
wait_file "$json" 10
srtp_media "$name-1" "$json" --strict --linger-ms 500
# The re-INVITE once the first media is checked: at a fixed time it could
# re-key the call under the first media's last packets on a slow machine.
touch "$rn_dir/$name-reinvite"
[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "$name: media before the re-INVITE not exact: $(cat "$rn_dir"/peer-*.err)"
wait_file "$json.2" 10
for k in offer_inline answer_inline; do
	[ "$(json_field "$json" "$k")" != "$(json_field "$json.2" "$k")" ] ||
		rn_fail "$name: $k unchanged by the re-INVITE"
done
srtp_media "$name-2" "$json.2" --strict --linger-ms 500
[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "$name: media after the re-key not exact: $(cat "$rn_dir"/peer-*.err)"
# The old keys no longer open anything: the PBX sends under its first key
# (a new SSRC, so the sequence numbers are not replays of the last round).
auth_before=$(drop_count srtp_auth)
RN_PBX_PEER_ARGS=(--srtp-send "$(json_field "$json" offer_inline)"
		  --srtp-recv "$(json_field "$json.2" answer_inline)")
pbx_ssrc=$RN_PBX_SSRC
RN_PBX_SSRC=0x5eed0001
rn_peers_start "$PACKETS" --require-percent 0 --linger-ms 500
rn_peers_wait
RN_PBX_SSRC=$pbx_ssrc
RN_PBX_PEER_ARGS=()
cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt"
[ "$(rn_peer_field carrier received)" = 0 ] ||
	rn_fail "$name: packets under the old key reached the carrier"
auth_after=$(drop_count srtp_auth)
[ "$auth_after" -ge $((auth_before + PACKETS)) ] ||
	rn_fail "$name: srtp_auth drops went from $auth_before to $auth_after (want +$PACKETS)"
for ((i = 0; i < 30; i++)); do
	grep -q 'SRTP authentication failures' "$RN_CP_LOG.start" && break
	sleep 0.1
done
grep -q 'SRTP authentication failures' "$RN_CP_LOG.start" ||
	rn_fail "$name: no SRTP authentication-failure event reached the control plane"
touch "$rn_dir/$name-hangup"
rn_sipp_wait "$uac"
[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "$name: the TLS caller failed: $(cat "$rn_dir/$name-pbx.err")"
sipp_wait "$uas" "$name-carrier"
[ "$(grep -c '^a=crypto:' "$rn_dir/$name-pbx-sipp-msg.log")" -eq 4 ] ||
	rn_fail "$name: want one a=crypto in each of two offers and two answers"
check_carrier_plain "$name"
check_no_keys "$name" "$json" "$json.2"
check_released "$name"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
rn_log "$name: PASS (re-INVITE re-keyed both directions; old key: $((auth_after - auth_before)) srtp_auth drops, event logged)"

# ---- refusals ----
name=savp-udp
lines=$(cdr_lines)
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_savp_udp.xml -s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
grep -q 'keys over a plain transport' "$RN_CP_LOG.start" || rn_fail "$name: no refusal logged"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
cdr_check "$name" '"disposition":"rejected"' '"sip_cause":488'
! grep -q 'to trunk carrier' <(sed -n "/INVITE on s-pbx from $RN_PBX_PEER.*trunk pbx/,\$p" "$RN_CP_LOG.start" | tail -n 3) ||
	rn_fail "$name: the call was sent on"
rn_log "$name: PASS (a=crypto over UDP: 488, nothing sent on)"

name=avp-tls
lines=$(cdr_lines)
! ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
	--hold-ms 0 --timeout 10 --trace "$rn_dir/$name-pbx-sipp-msg.log" \
	>"$rn_dir/$name-pbx.out" 2>"$rn_dir/$name-pbx.err" </dev/null ||
	rn_fail "$name: a plain RTP offer from the SRTP-mandatory trunk was answered"
grep -q 'INVITE answered 488' "$rn_dir/$name-pbx.err" ||
	rn_fail "$name: want 488, got: $(cat "$rn_dir/$name-pbx.err")"
[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
cdr_check "$name" '"disposition":"rejected"' '"sip_cause":488'
rn_log "$name: PASS (RTP/AVP offer on the SRTP-mandatory trunk: 488)"

stop_stack
echo "---- CDR ----"
cat "$CDR"
rn_log "PASS in $((SECONDS - t0)) s"
