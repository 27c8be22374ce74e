#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `resilience`: faults of the processes around a
# call, through sbc-controlplane and sbc-dataplane between network
# namespaces.
#
#   dp-kill     a call with media flowing; the data plane is killed (-9)
#               and not started again: the control plane stays up (it used
#               to exit), answers sbcctl, refuses a new call with 503, and
#               after 10 s without a data plane ends the call cleanly (BYE
#               to both legs, CDR disposition media_lost).
#   dp-restart  the data plane started again: the control plane reconnects
#               by itself (backoff); a new call with media exact both ways;
#               the data plane killed and started again under it: the call
#               gets the same ports on the new data plane, its media is
#               exact both ways again with no re-INVITE, and it ends
#               normally (CDR answered).
#   stop        SIGTERM: the control plane stops cleanly with no call open.
#
# Not covered (issue 18, left open): a control plane killed with calls up
# (journal and adoption); SRTP calls are ended, not kept, when the data
# plane goes (fresh contexts would reuse their keystream).
#
# usage: resilience.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

PACKETS=50
RN_SIPP_TIMEOUT=40

e2e_start resilience "$@"

rn_init $$ resilience
CDR=$rn_dir/cdr.jsonl
RUNTIME_DIRECTORY=$RN_CP_RUNTIME
rn_b2bua_config "$CDR"

stat_field() { e2e_b2bua_stat "$1"; }

rn_topology_up
rn_sip_up
rn_config_write
rn_dataplane_start
rn_api_wait 30
rn_controlplane_start
rn_log "up: $RN_HELLO"

# ---- dp-kill ----
name=dp-kill
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -t u1
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_callee_bye.xml -s 4000 -t u1 "$RN_PBX_SIP:5060"
uac=$last_sipp_pid
rn_session_wait 10
rn_peers_start 400 --linger-ms 200      # 8 s of media; the data plane goes after 1
sleep 1.5
kill -KILL "$rn_dp_pid"
wait "$rn_dp_pid" 2>/dev/null || true
t_kill=$(rn_now_ms)
# Away: sbcctl answers, a new call gets 503, the call waits for a new one.
"$SBCCTL" -s "$RN_CP_SOCK" -w 5 stats | grep -q '^dataplane connected=no' ||
	rn_fail "$name: sbcctl stats does not say the data plane is away"
sipp_run "$name-away-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_refused.xml -s 4000 -p 5072 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-away-pbx"
sipp_wait "$uac" "$name-pbx"            # our BYE came to the caller...
sipp_wait "$uas" "$name-carrier"        # ...and to the callee
rn_log "$name: both legs got our BYE $(($(rn_now_ms) - t_kill)) ms after the kill"
rn_cp_alive || rn_fail "$name: sbc-controlplane exited when the data plane went"
rn_peers_wait
grep -q '"sip_cause":503' "$CDR" || rn_fail "$name: the call offered meanwhile did not get 503"
cdr_count_lost=$(grep -c '"disposition":"media_lost"' "$CDR" || true)
[ "$cdr_count_lost" = 1 ] || rn_fail "$name: want one CDR media_lost, got $cdr_count_lost"
[ "$(stat_field dp_lost)" = 1 ] && [ "$(stat_field calls_media_lost)" = 1 ] ||
	rn_fail "$name: dp_lost/calls_media_lost not counted"
rn_log "$name: PASS (control plane up, 503 while away, the call ended media_lost after the wait)"

# ---- dp-restart ----
name=dp-restart
rn_dataplane_start
rn_api_wait 30
for ((i = 0; i < 100; i++)); do
	grep -q 'data plane connected again' "$RN_CP_LOG.start" && break
	sleep 0.1
done
grep -q 'data plane connected again' "$RN_CP_LOG.start" || rn_fail "$name: no reconnection in 10 s"
[ "$(stat_field dp_reconnects)" = 1 ] || rn_fail "$name: dp_reconnects not 1"
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -t u1
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 -d 20000 -t u1 "$RN_PBX_SIP:5060"
uac=$last_sipp_pid
rn_session_wait 10
ports="$RN_CAR_TO_PORT/$RN_PBX_TO_PORT"
rn_peers_start "$PACKETS" --strict --linger-ms 500
rn_peers_wait
[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "$name: media not exact: $(cat "$rn_dir"/peer-*.err)"
# Under the call: the data plane killed and started again.
kill -KILL "$rn_dp_pid"
wait "$rn_dp_pid" 2>/dev/null || true
rn_dataplane_start
rn_api_wait 30
for ((i = 0; i < 100; i++)); do
	grep -q 'media programmed again on the new data plane' "$RN_CP_LOG.start" && break
	sleep 0.1
done
grep -q 'media programmed again on the new data plane' "$RN_CP_LOG.start" ||
	rn_fail "$name: the call was not programmed again"
rn_session_wait 10
[ "$RN_CAR_TO_PORT/$RN_PBX_TO_PORT" = "$ports" ] ||
	rn_fail "$name: ports $ports became $RN_CAR_TO_PORT/$RN_PBX_TO_PORT"
rn_peers_start "$PACKETS" --strict --linger-ms 500
rn_peers_wait
[ "$RN_PEERS_OK" -eq 1 ] ||
	rn_fail "$name: media after the restart not exact: $(cat "$rn_dir"/peer-*.err)"
sipp_wait "$uac" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
check_released "$name"
cdr_check "$name" '"disposition":"answered"' '"ended_by":"a"'
[ "$(stat_field calls_readopted)" = 1 ] || rn_fail "$name: calls_readopted not 1"
rn_log "$name: PASS (reconnected by itself; a call kept its ports across a data plane restart, media exact before and after, no re-INVITE)"

# ---- stop ----
rn_controlplane_stop 10
[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "stop: sbc-controlplane exited with status $RN_CP_STATUS"
grep -q 'stopping with 0 calls open' "$RN_CP_LOG" || rn_fail "stop: calls left open"
rn_log "PASS"
