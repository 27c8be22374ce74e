#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Live demo: a carrier and a PBX in two network namespaces, Rampart's two
# processes between them, and two real SIP calls:
#  1. SIPp in the PBX namespace calls SIPp in the carrier namespace through
#     sbc-controlplane (the B2BUA: own Call-IDs and SDP per leg), which binds
#     the call's media in sbc-dataplane; G.711 RTP then flows both ways at
#     once for 3 s, the caller hangs up, and the CDR line is printed.
#  2. The PBX calls again over SIP/TLS with SRTP (SDES keys in its offer):
#     the carrier leg stays plain RTP over UDP; the data plane decrypts what
#     the PBX sends and encrypts what the carrier sends, under keys the
#     B2BUA drew for each leg (RTP<->SRTP interworking).
#
# Run as root on Debian 12: installs what is missing (scripts/deps.sh),
# builds into build/ if needed, creates namespaces rampart-{carrier,pbx}-PID and
# veths rp-{car,pbx}-PID (addresses in 198.18.0.0/15 only), and removes all
# of it again when it ends, fails or is interrupted.  Topology and helpers:
# scripts/netns-lib.sh; the RTP peers: scripts/rtp_peer.py.
#
# Exit status 0 when both calls went through, each direction delivered at
# least 95% of its packets and no packet arrived altered (for the SRTP call:
# none failed authentication, and every one decrypted to what was sent).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_OF_MEDIA=3
PACKETS=$((SECONDS_OF_MEDIA * 50))      # 20 ms packets
REQUIRE_PERCENT=95

cat <<'EOF'
== Rampart live demo: one SIP call through the B2BUA and the data plane ==
SIPp (PBX) -> sbc-controlplane -> SIPp (carrier), SDP anchored on
sbc-dataplane, RTP both ways between peers in two network namespaces.

EOF

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root: it installs packages and creates network namespaces" >&2
	exit 1
fi

# ---- packages and build
. scripts/deps.sh
# shellcheck disable=SC2086  # a list of package names
rampart_install_missing $RAMPART_BUILD_DEPS iproute2 ethtool
if [ ! -f build/build.ninja ]; then
	echo "building into build/ ..."
	meson setup build >/dev/null
fi
ninja -C build dataplane/sbc-dataplane dataplane/sbc-dpctl controlplane/sbc-controlplane \
	>/dev/null ||
	{ echo "demo.sh: build failed (ninja -C build)" >&2; exit 1; }

RN_DATAPLANE=$PWD/build/dataplane/sbc-dataplane
RN_DPCTL=$PWD/build/dataplane/sbc-dpctl
RN_CONTROLPLANE=$PWD/build/controlplane/sbc-controlplane
# shellcheck source=scripts/netns-lib.sh
. scripts/netns-lib.sh

why=$(rn_missing_prerequisite)
if [ -n "$why" ]; then
	echo "demo.sh: cannot run here: $why" >&2
	exit 1
fi

cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	[ "$rc" -ne 130 ] || echo "demo.sh: interrupted; cleaning up" >&2
	rn_cleanup "$rc"
	if [ "$rc" -eq 0 ]; then
		echo "cleaned up: namespaces, veths, SIPp, both processes and temporary files removed"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rn_init $$ demo

# ---- topology
rn_topology_up
rn_sip_up
cat <<EOF
Topology (addresses in 198.18.0.0/15 only; everything is removed at exit)
  carrier   ns $RN_NS_CAR: eth0 $RN_CAR_PEER: SIPp UAS :5060, RTP peer :$RN_CAR_PEER_PORT
                 | veth
                 $RN_IF_CAR (root ns): SIP $RN_CAR_SIP:5060 (sbc-controlplane, kernel)
                                      media $RN_CAR_SBC (sbc-dataplane, net_${RN_VDEV:-af_packet})
                 $RN_IF_PBX (root ns): SIP $RN_PBX_SIP:5060 (sbc-controlplane, kernel)
                                      media $RN_PBX_SBC (sbc-dataplane, net_${RN_VDEV:-af_packet})
                 | veth
  PBX       ns $RN_NS_PBX: eth0 $RN_PBX_PEER: SIPp UAC :5060, RTP peer :$RN_PBX_PEER_PORT

EOF

# ---- both processes
CDR=$rn_dir/cdr.jsonl
rn_b2bua_config "$CDR"
# The PBX side also serves SIP over TLS (example certificate) and its trunk
# allows SRTP (policy optional: plain RTP over UDP or SRTP over TLS).
RN_SIP_CONFIG=$(printf '%s\n' "$RN_SIP_CONFIG" | awk \
	-v crt="$PWD/config/tls/example.crt" -v key="$PWD/config/tls/example.key" '
	/name: s-pbx/ { pbx = 1 }
	pbx && /transport: tcp, port: 5060 }]/ {
		sub(/}]/, "}, { transport: tls, port: 5061, certificate: " crt ", private_key: " key " }]")
		pbx = 0
	}
	/name: pbx, side: enterprise/ { trunk = 1 }
	trunk && /transport: udp, latching: learn/ {
		sub(/transport: udp/, "transport: tls, srtp: optional")
		trunk = 0
	}
	{ print }')
rn_config_write
t_start=$(rn_now_ms)
rn_dataplane_start
rn_api_wait 30
t_api=$(rn_now_ms)
# shellcheck disable=SC2119  # its one argument is optional
rn_controlplane_start
t_cp=$(rn_now_ms)
echo "Setup"
printf '  data plane answering its API   %5d ms after start   (%s)\n' \
	$((t_api - t_start)) "$RN_HELLO"
printf '  control plane listening        %5d ms after start\n' $((t_cp - t_start))

# ---- the call: the caller holds it for the media plus a margin, then BYE
rn_sipp_start carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$RN_SIPP_PID
sleep 0.3
t_invite=$(rn_now_ms)
rn_sipp_start pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 \
	-d $((SECONDS_OF_MEDIA * 1000 + 2500)) "$RN_PBX_SIP:5060"
uac=$RN_SIPP_PID
rn_session_wait 10
t_bound=$(rn_now_ms)
printf '  call answered, media bound     %5d ms after the INVITE (data plane session %s)\n' \
	$((t_bound - t_invite)) "$RN_SESSION"
printf '    SBC media: carrier side %s:%s, PBX side %s:%s\n' "$RN_CAR_SBC" "$RN_CAR_TO_PORT" \
	"$RN_PBX_SBC" "$RN_PBX_TO_PORT"
echo

# ---- media
echo "Media: ${SECONDS_OF_MEDIA} s of G.711 u-law RTP (PT 0, 20 ms, 160-byte payload), both ways at once ..."
rn_peers_start "$PACKETS" --require-percent "$REQUIRE_PERCENT" --linger-ms 500
rn_peers_wait

rn_ctl stats "$RN_SESSION" >"$rn_dir/stats.txt" || rn_fail "sbc-dpctl stats $RN_SESSION"
rn_ctl stats 0 >"$rn_dir/global.txt" || rn_fail "sbc-dpctl stats 0"

# One direction: what FROM sent, what TO received and checked.
direction() {
	printf '  %-15s %6s %9s %6s %13s %5s   %s / %s ms\n' "$1 -> $2" \
		"$(rn_peer_field "$1" sent)" "$(rn_peer_field "$2" received)" \
		"$(rn_peer_field "$2" lost)" "$(rn_peer_field "$2" out_of_order)" \
		"$(rn_peer_field "$2" bad)" "$(rn_peer_field "$2" delay_ms_avg)" \
		"$(rn_peer_field "$2" delay_ms_max)"
}
printf '  %-15s %6s %9s %6s %13s %5s   %s\n' direction sent received lost out-of-order bad \
	"delay avg / max"
direction carrier pbx
direction pbx carrier
cat "$rn_dir/peer-carrier.err" "$rn_dir/peer-pbx.err" | sed 's/^/  /'
echo

leg() {
	printf '  leg %s (%-12s packets %s  drops %s  lost %s  latched source %s\n' "$1" "$2" \
		"$(rn_leg_field "$1" packets)" "$(rn_leg_field "$1" drops)" \
		"$(rn_leg_field "$1" lost)" "$(rn_leg_field "$1" source)"
}
echo "Data plane (sbc-dpctl stats $RN_SESSION / stats 0)"
leg a "PBX side)"
leg b "carrier side)"
grep '^  drop ' "$rn_dir/stats.txt" | sed 's/^/  /' || true
sed -n 's/^global /  global: /p; s/^  drop /    drop /p' "$rn_dir/global.txt"
echo "  (not_for_us, host_ignored: SIP and ARP for the kernel's SIP addresses, which share"
echo "   the veths with the data plane; the data plane sees them too and leaves them)"

# ---- the end of the call
rn_sipp_wait "$uac"
uac_status=$RN_SIPP_STATUS
rn_sipp_wait "$uas"
uas_status=$RN_SIPP_STATUS
echo "SIP (SIPp exit status: caller $uac_status, callee $uas_status)"
for side in pbx carrier; do
	printf '  %-8s saw: %s\n' "$side" "$(sed -n 's/^\(SIP\/2.0 [0-9]* [A-Za-z ]*\|[A-Z]* [^ ]* SIP\/2.0\).*/\1/p' \
		"$rn_dir/$side-sipp-msg.log" | tr -d '\r' | awk '{ print ($1 == "SIP/2.0") ? $2 : $1 }' |
		paste -sd ' ' -)"
done
echo "CDR ($CDR)"
sed 's/^/  /' "$CDR" 2>/dev/null || echo "  (none)"
echo

# ---- telemetry, through DPDK's own client when it is installed
if command -v dpdk-telemetry.py >/dev/null; then
	echo "Telemetry /rampart/drops (dpdk-telemetry.py -f $RN_PREFIX)"
	echo /rampart/drops | dpdk-telemetry.py -f "$RN_PREFIX" 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        drops = json.loads(line)["/rampart/drops"]
    except (ValueError, KeyError, TypeError):
        continue
    bad = {k: v for k, v in drops.items() if v}
    print("  " + (", ".join("%s=%s" % kv for kv in sorted(bad.items())) if bad
                  else "all %d drop reasons at 0" % len(drops)))
    break
else:
    print("  (no answer)")'
else
	echo "Telemetry: dpdk-telemetry.py not installed (package dpdk-dev); skipped"
fi
echo

# ---- call 2: SRTP over SIP/TLS on the PBX leg, plain RTP on the carrier leg
echo "== Call 2: the PBX calls over SIP/TLS with SRTP; the carrier leg stays RTP over UDP =="
peers1_ok=$RN_PEERS_OK
json=$rn_dir/srtp-media.json
rn_sipp_start carrier2 "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas2=$RN_SIPP_PID
sleep 0.3
t_invite=$(rn_now_ms)
ip netns exec "$RN_NS_PBX" python3 tests/e2e/sip_tls_uac.py call --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca config/tls/example-ca.crt \
	--media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" --srtp --media-out "$json" \
	--hold-ms $((SECONDS_OF_MEDIA * 1000 + 12000)) --hold-until "$rn_dir/hangup2" --timeout 30 \
	--trace "$rn_dir/pbx2-msg.log" >"$rn_dir/pbx2.out" 2>"$rn_dir/pbx2.err" </dev/null &
uac2=$!
rn_sipp_pids+=("$uac2")
rn_session_wait 10
for ((i = 0; i < 100; i++)); do
	[ -s "$json" ] && break
	sleep 0.1
done
t_bound=$(rn_now_ms)
printf '  call answered, media bound     %5d ms after the INVITE (data plane session %s)\n' \
	$((t_bound - t_invite)) "$RN_SESSION"
echo "  SDP the PBX got over TLS (keys shown as <key>):"
{ sed -n '/^SIP\/2.0 200/,/^----/p' "$rn_dir/pbx2-msg.log" | grep -E '^(m=audio|a=crypto)' |
	sed -E 's/inline:[A-Za-z0-9+\/]+/inline:<key>/; s/^/    /' | tr -d '\r'; } || true
echo "  SDP the carrier got over UDP:"
{ grep -E '^(m=audio|a=crypto)' "$rn_dir/carrier2-sipp-msg.log" | head -n 1 |
	sed 's/^/    /' | tr -d '\r'; } || true
grep -q 'a=crypto' "$rn_dir/carrier2-sipp-msg.log" && echo "    (a=crypto sent over UDP: WRONG)" ||
	echo "    (no a=crypto: keys never travel over a plain transport)"
srtp_ok=0
if [ -s "$json" ]; then
	RN_PBX_PEER_ARGS=(--srtp-send "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["offer_inline"])' "$json")"
			  --srtp-recv "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answer_inline"])' "$json")")
	echo "Media: ${SECONDS_OF_MEDIA} s each way; the PBX peer encrypts with its key and decrypts with ours ..."
	rn_peers_start "$PACKETS" --require-percent "$REQUIRE_PERCENT" --linger-ms 500
	rn_peers_wait
	RN_PBX_PEER_ARGS=()
	printf '  %-15s %6s %9s %6s %13s %5s   %s\n' direction sent received lost out-of-order bad \
		"delay avg / max"
	direction carrier pbx
	direction pbx carrier
	printf '  SRTP authentication failures at the PBX peer: %s\n' "$(rn_peer_field pbx auth_fail)"
	rn_ctl stats "$RN_SESSION" >"$rn_dir/stats.txt" || rn_fail "sbc-dpctl stats $RN_SESSION"
	touch "$rn_dir/hangup2"   # media and counters read: the PBX hangs up now
	echo "Data plane (sbc-dpctl stats $RN_SESSION)"
	leg a "PBX, SRTP)"
	leg b "carrier, RTP)"
	[ "$RN_PEERS_OK" -eq 1 ] && srtp_ok=1
fi
rn_sipp_wait "$uac2"
[ "$RN_SIPP_STATUS" -eq 0 ] || { srtp_ok=0; echo "  the TLS caller failed: $(cat "$rn_dir/pbx2.err")"; }
rn_sipp_wait "$uas2"
[ "$RN_SIPP_STATUS" -eq 0 ] || srtp_ok=0
echo "CDR"
tail -n 1 "$CDR" | sed 's/^/  /'
echo
RN_PEERS_OK=$peers1_ok

rn_controlplane_stop 10
[ "$RN_CP_STATUS" -eq 0 ] || echo "demo.sh: sbc-controlplane exited with status $RN_CP_STATUS" >&2
rn_dataplane_stop 10
[ "$RN_DP_STATUS" -eq 0 ] || echo "demo.sh: sbc-dataplane exited with status $RN_DP_STATUS" >&2

if [ "$uac_status" -eq 0 ] && [ "$uas_status" -eq 0 ] && [ "$RN_PEERS_OK" -eq 1 ] &&
	[ "$srtp_ok" -eq 1 ] && [ "$RN_CP_STATUS" -eq 0 ] && [ "$RN_DP_STATUS" -eq 0 ]; then
	echo "Result: PASS: both calls went through (plain RTP, then SRTP<->RTP); every direction delivered >= ${REQUIRE_PERCENT}% of its packets, none altered"
else
	echo "Result: FAIL: see the SIP and media tables above"
	exit 1
fi
