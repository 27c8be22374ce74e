#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `hostile-media`: a third party on each side's
# network sends RTP to a call's anchored ports before the real peers do
# (the media hijack of `latching: learn` that took a call's audio), through
# sbc-controlplane and sbc-dataplane between network namespaces.
# HOSTILE_MEDIA_PHASES="hijack" runs only those phases.
#
#   hijack      trunks with `latching: learn` and the default
#               `learn_from: address`.  Intruders at 198.18.0.66 and
#               198.18.1.66 (the peers' own /24s, from the peers' own
#               ports) each send 50 packets to the call's ports on their
#               side first; then the peers exchange 50 packets each way.
#               The intruders receive nothing; every peer packet arrives,
#               exact and from the SBC; the latched sources are the peers;
#               the data plane counts the intruders' packets as
#               learn_refused; sbcctl stats counts learn_refused events and
#               the log names the intruders.
#   signalling  the same after a reload to `learn_from: signalling` (the
#               peers' signalling addresses are their media addresses).
#   nat         `learn_from: any` (a trunk behind NAT) on the carrier trunk
#               only: there an intruder who sends first is latched (what
#               the option means), while the PBX side still refuses its own.
#
# E2E_KEEP=DIR copies the run's logs and traces there.
# Skipped (exit 77) unless run as root with `ip netns` and sipp.
#
# usage: hostile_media.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

PACKETS=50
RN_SIPP_TIMEOUT=30
INTRUDER=$E2E_DIR/rtp_intruder.py
CAR_X=198.18.0.66
PBX_X=198.18.1.66
PHASES=${HOSTILE_MEDIA_PHASES:-hijack signalling nat}

e2e_start hostile-media "$@"

rn_init $$ hostile-media
CDR=$rn_dir/cdr.jsonl
RUNTIME_DIRECTORY=$RN_CP_RUNTIME

# sip_config CARRIER_LEARN PBX_LEARN: RN_SIP_CONFIG with those learn_from values.
sip_config() {
	RN_SIP_CONFIG="sip:
  user_agent: Rampart
  control_socket: $RN_CP_SOCK
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, sources: [$RN_CAR_PEER/32],
      targets: [\"$RN_CAR_PEER:5060\"], transport: udp, latching: learn, learn_from: $1,
      codecs: [PCMU, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, latching: learn, learn_from: $2,
      codecs: [PCMU, telephone-event] }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
}

reload() {
	sip_config "$@"
	rn_config_write
	e2e_reload "learn_from $*"
}

stat_field() { e2e_b2bua_stat "$1"; }

# leg_drop LEG REASON: that leg's drop counter in $rn_dir/stats.txt (the
# "  drop NAME=N" lines under the leg's line); 0 when not printed.
leg_drop() {
	awk -v leg="leg=$1" -v k="$2" '$1 ~ /^leg=/ { cur = $1 }
		cur == leg && $1 == "drop" { split($2, kv, "="); if (kv[1] == k) n = kv[2] }
		END { print n + 0 }' "$rn_dir/stats.txt"
}

intruder_field() {
	awk -v k="$2" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' \
		"$rn_dir/intruder-$1.txt"
}

# attacked_call NAME CARRIER_LATCHES: a call whose ports the intruders hit
# first; CARRIER_LATCHES=1 when the carrier side is expected to latch on
# its intruder (learn_from: any).
attacked_call() {
	local name=$1 car_latches=$2 uas uac session refused_before lines got
	local want_a want_b drops

	lines=$(cdr_lines)
	refused_before=$(stat_field learn_refused)
	sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -t u1
	uas=$last_sipp_pid
	sleep 0.3
	sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 -d 12000 \
		-t u1 "$RN_PBX_SIP:5060"
	uac=$last_sipp_pid
	rn_session_wait 10
	session=$RN_SESSION
	rn_log "$name: session $session: carrier side $RN_CAR_SBC:$RN_CAR_TO_PORT, pbx side $RN_PBX_SBC:$RN_PBX_TO_PORT"

	# The intruders first, from the peers' own ports on other addresses.
	ip netns exec "$RN_NS_CAR" python3 "$INTRUDER" --bind "$CAR_X:$RN_CAR_PEER_PORT" \
		--to "$RN_CAR_SBC:$RN_CAR_TO_PORT" --packets "$PACKETS" --listen-s 4 \
		>"$rn_dir/intruder-carrier.txt" 2>"$rn_dir/intruder-carrier.err" &
	rn_peer_pids+=($!)
	ip netns exec "$RN_NS_PBX" python3 "$INTRUDER" --bind "$PBX_X:$RN_PBX_PEER_PORT" \
		--to "$RN_PBX_SBC:$RN_PBX_TO_PORT" --packets "$PACKETS" --listen-s 4 \
		>"$rn_dir/intruder-pbx.txt" 2>"$rn_dir/intruder-pbx.err" &
	rn_peer_pids+=($!)
	sleep 1.5                       # 50 packets at 20 ms, and Python's start

	if [ "$car_latches" = 1 ]; then
		# learn_from: any on the carrier trunk: its intruder owns that leg
		# (the documented risk); the PBX's packets go to it, not the peer.
		rn_peers_start "$PACKETS" --linger-ms 500
	else
		rn_peers_start "$PACKETS" --strict --linger-ms 500
	fi
	rn_peers_wait                   # the intruders too (they exit 0 whatever they got)
	cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt" "$rn_dir"/intruder-*.txt

	rn_ctl stats "$session" >"$rn_dir/stats.txt" || rn_fail "$name: sbc-dpctl stats $session"
	cat "$rn_dir/stats.txt"
	want_a=$RN_PBX_PEER:$RN_PBX_PEER_PORT
	want_b=$RN_CAR_PEER:$RN_CAR_PEER_PORT
	[ "$(intruder_field pbx sent)" = "$PACKETS" ] || rn_fail "$name: the PBX-side intruder did not send"
	[ "$(intruder_field pbx received)" = 0 ] ||
		rn_fail "$name: the PBX-side intruder received $(intruder_field pbx received) packets of the call"
	[ "$(rn_leg_field a source)" = "$want_a" ] || rn_fail "$name: leg a latched $(rn_leg_field a source), not $want_a"
	drops=$(leg_drop a learn_refused)
	[ "${drops:-0}" -ge "$PACKETS" ] || rn_fail "$name: leg a: learn_refused $drops < $PACKETS"
	if [ "$car_latches" = 1 ]; then
		got=$(intruder_field carrier received)
		[ "$got" -gt 0 ] || rn_fail "$name: learn_from any: the carrier-side intruder was not latched"
		[ "$(rn_leg_field b source)" = "$CAR_X:$RN_CAR_PEER_PORT" ] ||
			rn_fail "$name: learn_from any: leg b latched $(rn_leg_field b source)"
	else
		[ "$RN_PEERS_OK" -eq 1 ] ||
			rn_fail "$name: a peer missed, reordered or rejected packets: $(cat "$rn_dir"/peer-*.err)"
		[ "$(rn_leg_field a packets)" = "$PACKETS" ] || rn_fail "$name: leg a: packets != $PACKETS"
		[ "$(rn_leg_field b packets)" = "$PACKETS" ] || rn_fail "$name: leg b: packets != $PACKETS"
		[ "$(intruder_field carrier received)" = 0 ] ||
			rn_fail "$name: the carrier-side intruder received $(intruder_field carrier received) packets"
		[ "$(rn_leg_field b source)" = "$want_b" ] ||
			rn_fail "$name: leg b latched $(rn_leg_field b source), not $want_b"
		drops=$(leg_drop b learn_refused)
		[ "${drops:-0}" -ge "$PACKETS" ] || rn_fail "$name: leg b: learn_refused $drops < $PACKETS"
		grep -q "media from $CAR_X:$RN_CAR_PEER_PORT refused .*learn scope" "$RN_CP_LOG.start" ||
			rn_fail "$name: no log line names the carrier-side intruder"
	fi
	grep -q "media from $PBX_X:$RN_PBX_PEER_PORT refused .*learn scope" "$RN_CP_LOG.start" ||
		rn_fail "$name: no log line names the PBX-side intruder"
	[ "$(stat_field learn_refused)" -gt "$refused_before" ] ||
		rn_fail "$name: sbcctl stats learn_refused did not grow"

	sipp_wait "$uac" "$name-pbx"
	sipp_wait "$uas" "$name-carrier"
	check_released "$name"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no new CDR line"
	rn_log "$name: PASS (intruders refused: leg a $(leg_drop a learn_refused), leg b $(leg_drop b learn_refused) packets)"
}

sip_config address address
rn_topology_up
rn_sip_up
ip -n "$RN_NS_CAR" addr add "$CAR_X/24" dev eth0
ip -n "$RN_NS_PBX" addr add "$PBX_X/24" dev eth0
rn_config_write
rn_dataplane_start
rn_api_wait 30
rn_log "data plane up: $RN_HELLO"
rn_controlplane_start
rn_log "control plane up"

for phase in $PHASES; do
	case $phase in
	hijack) attacked_call hijack 0 ;;
	signalling) reload signalling signalling; attacked_call signalling 0 ;;
	nat) reload any address; attacked_call nat 1 ;;
	*) rn_fail "unknown phase $phase" ;;
	esac
done
rn_log "PASS"
