#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `hostile-udp`: sources no trunk knows, and
# messages built to be expensive, against sbc-controlplane's UDP listener
# (fake data plane: signalling only; floods from tests/e2e/sip_flood.py,
# bounded in count and time).  HOSTILE_UDP_PHASES="once flood" runs only
# those phases.  Unknown sources are 198.18.1.100-249 in the PBX namespace;
# the PBX trunk's source is 198.18.1.2.
#
#   once        one INVITE from an unknown source: exactly one reply, 403,
#               no 100 Trying first, never retransmitted (6 s listened);
#               the same for OPTIONS.
#   flood       200 INVITEs at 100/s from one unknown source: at most one
#               reply each, none after the per-source limit blocks it
#               (sip.pike: 30 per 2 s), no 503 or 100.
#   many        600 INVITEs at 200/s from 150 unknown sources (4 each, under
#               the per-source limit): the replies stay within the global
#               budget (sip.pike.unknown_reply_rate 20 per second).
#   vias        30 INVITEs with 1,000 Via lines each (all a datagram holds),
#               from an unknown and from the PBX's source, while the PBX
#               makes a call: dropped unparsed (counted), no reply; the
#               call's setup time is printed and it is answered.
#   trailing    a Request-Line with two trailing spaces: 400 once to the
#               PBX trunk's source, nothing to an unknown one.
#   drop        after a reload to sip.unknown_source: drop, an INVITE and an
#               OPTIONS from an unknown source get nothing at all.
#   end         a call from the PBX still goes through; sbcctl stats shows
#               the pre-filter's counters.
#
# usage: hostile_udp.sh FAKE_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

RN_SIPP_TIMEOUT=30
FLOOD=$E2E_DIR/sip_flood.py
X=198.18.1.100                    # the unknown source of single-source phases
RATE=20                           # sip.pike.unknown_reply_rate in this test
PHASES=${HOSTILE_UDP_PHASES:-once flood many vias trailing drop end}

e2e_start hostile-udp "$@"

rn_init $$ hostile-udp
CDR=$rn_dir/cdr.jsonl

# sip_config UNKNOWN_SOURCE: RN_SIP_CONFIG.
sip_config() {
	RN_SIP_CONFIG="sip:
  user_agent: Rampart
  control_socket: $RN_CP_SOCK
  unknown_source: $1
  pike: { threshold: 30, window_ms: 2000, block_ms: 60000, unknown_reply_rate: $RATE }
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, sources: [$RN_CAR_PEER/32],
      targets: [\"$RN_CAR_PEER:5060\"], transport: udp, codecs: [PCMU, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, cpm_limit: 100000, cpm_burst: 1000,
      codecs: [PCMU, telephone-event] }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
}

reload() {
	sip_config "$@"
	rn_config_write
	e2e_reload "unknown_source $*"
}

# flood NAME [sip_flood.py options]: from the PBX namespace; report in $rn_dir/NAME.txt.
flood() {
	local name=$1
	shift
	ip netns exec "$RN_NS_PBX" python3 "$FLOOD" --to "$RN_PBX_SIP:5060" "$@" \
		>"$rn_dir/$name.txt" 2>"$rn_dir/$name.err" || rn_fail "$name: sip_flood.py: $(cat "$rn_dir/$name.err")"
	cat "$rn_dir/$name.txt"
}

field() {
	awk -v k="$2" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' \
		"$rn_dir/$1.txt"
}

stat_field() { e2e_b2bua_stat "$1"; }

# call NAME: the PBX calls the carrier, answered; call_setup_ms is the
# CDR's answer time minus its start (our INVITE received to the 200 relayed).
call() {
	local name=$1 uas uac lines

	lines=$(cdr_lines)
	sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -t u1
	uas=$last_sipp_pid
	sleep 0.3
	sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 -d 500 -t u1 \
		"$RN_PBX_SIP:5060"
	uac=$last_sipp_pid
	sipp_wait "$uac" "$name-pbx"
	sipp_wait "$uas" "$name-carrier"
	[ "$(cdr_lines)" -eq $((lines + 1)) ] || rn_fail "$name: no CDR line for the call"
	cdr_check "$name" '"disposition":"answered"'
	call_setup_ms=$(tail -n 1 "$CDR" | python3 -c '
import datetime, json, sys
r = json.load(sys.stdin)
t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
print(int((t(r["answer"]) - t(r["start"])).total_seconds() * 1000))')
}

sip_config reject
rn_topology_up
rn_sip_up
for i in $(seq 100 249); do
	ip -n "$RN_NS_PBX" addr add "198.18.1.$i/24" dev eth0
done
rn_config_write
e2e_fake_dataplane_start
rn_controlplane_start
rn_log "control plane up"

for phase in $PHASES; do
	case $phase in
	once)
		for kind in invite options; do
			flood "once-$kind" --from "$X" --kind "$kind" --count 1 --listen-s 6
			[ "$(field "once-$kind" replies)" = 1 ] && [ "$(field "once-$kind" 403)" = 1 ] ||
				rn_fail "once: $kind from an unknown source: not exactly one 403: $(cat "$rn_dir/once-$kind.txt")"
		done
		rn_log "once: PASS (one 403, no 100, no retransmission, for INVITE and OPTIONS)"
		X=198.18.1.101          # the next phases' source: not counted yet
		;;
	flood)
		flood flood-one --from "$X" --count 200 --rate 100 --listen-s 4
		[ "$(field flood-one per_request_max)" -le 1 ] || rn_fail "flood: a request drew more than one reply"
		[ "$(field flood-one replies)" -le 30 ] ||
			rn_fail "flood: $(field flood-one replies) replies to 200 INVITEs (per-source limit 30)"
		[ "$(field flood-one 100)" = 0 ] && [ "$(field flood-one 503)" = 0 ] ||
			rn_fail "flood: 100 or 503 sent to an unknown source"
		rn_log "flood: PASS ($(field flood-one replies) replies to 200 INVITEs, $(field flood-one per_request_max) per request at most)"
		;;
	many)
		flood flood-many --from 198.18.1.102-249,198.18.1.100 --count 600 --rate 200 --listen-s 5
		# The budget: a burst of RATE, then RATE per second over the 5 s.
		[ "$(field flood-many replies)" -le $((RATE + RATE * 5)) ] ||
			rn_fail "many: $(field flood-many replies) replies from 149 sources (budget $((RATE + RATE * 5)))"
		[ "$(field flood-many per_request_max)" -le 1 ] || rn_fail "many: a request drew more than one reply"
		[ "$(stat_field unknown_over_budget)" -gt 0 ] || rn_fail "many: unknown_over_budget not counted"
		rn_log "many: PASS ($(field flood-many replies) replies to 600 INVITEs from 149 sources)"
		;;
	vias)
		before=$(stat_field prefilter_headers)
		flood vias-x --from 198.18.1.103 --kind vias --vias 1000 --count 30 --rate 10 \
			--listen-s 3 &
		fpid=$!
		sleep 0.5
		call vias
		wait "$fpid"
		flood vias-pbx --from "$RN_PBX_PEER" --kind vias --vias 1000 --count 5 --listen-s 2
		[ "$(field vias-x replies)" = 0 ] && [ "$(field vias-pbx replies)" = 0 ] ||
			rn_fail "vias: a message with 1,000 Via lines was answered"
		after=$(stat_field prefilter_headers)
		[ "$after" -ge $((before + 35)) ] || rn_fail "vias: prefilter_headers $before -> $after"
		rn_log "vias: PASS (35 dropped unparsed; a call meanwhile set up in $call_setup_ms ms)"
		;;
	trailing)
		flood trailing-pbx --from "$RN_PBX_PEER" --kind trailing --count 1 --listen-s 3
		[ "$(field trailing-pbx replies)" = 1 ] && [ "$(field trailing-pbx 400)" = 1 ] ||
			rn_fail "trailing: the PBX got no single 400: $(cat "$rn_dir/trailing-pbx.txt")"
		flood trailing-x --from 198.18.1.104 --kind trailing --count 1 --listen-s 2
		[ "$(field trailing-x replies)" = 0 ] || rn_fail "trailing: an unknown source was answered"
		rn_log "trailing: PASS (400 once to the trunk, nothing to a stranger)"
		;;
	drop)
		reload drop
		for kind in invite options cancel; do
			flood "drop-$kind" --from 198.18.1.105 --kind "$kind" --count 3 --listen-s 3
			[ "$(field "drop-$kind" replies)" = 0 ] ||
				rn_fail "drop: $kind from an unknown source answered: $(cat "$rn_dir/drop-$kind.txt")"
		done
		reload reject
		rn_log "drop: PASS (silence to INVITE, OPTIONS and CANCEL)"
		;;
	end)
		call end
		"$SBCCTL" -s "$RN_CP_SOCK" -w 5 stats | grep '^b2bua' | tr ' ' '\n' |
			grep -E '^(unknown_|prefilter_|pike_refused)'
		[ "$(grep -c 'unknown sources: ' "$RN_CP_LOG.start")" -le $((SECONDS / 10 + 2)) ] ||
			rn_fail "end: more than one summary line per 10 s"
		rn_log "end: PASS (a call in $call_setup_ms ms after it all)"
		;;
	*) rn_fail "unknown phase $phase" ;;
	esac
done
rn_log "PASS"
