#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `dp-faults`: sbc-controlplane against a data plane
# that misbehaves on purpose (tests/e2e/fake_dataplane.c), with SIPp calls
# from the PBX namespace to the carrier namespace (topology of
# scripts/netns-lib.sh).  The control plane asks the data plane without
# waiting; these calls show what that buys:
#
#   never     call 1's ALLOC is never answered, call 2 starts 200 ms later:
#             call 2 is answered and ends while call 1 still waits (the loop
#             serves other calls), sbcctl answers meanwhile and shows call 1
#             in state `media`; call 1 gets 503 after the 2 s bound.
#   late      the ALLOC is answered after 3 s: 503 at 2 s, and the late
#             answer's endpoints are released (dp_late_released).
#   error     the ALLOC is refused (ENOSPC): 503 at once.
#   bind      the callee answers, the BIND is never answered: the caller
#             gets 500, the callee a BYE; CDR `failed`.
#   no-ack    answered, but the caller never ACKs our 200 (T1 100 ms here):
#             at 64*T1 nua BYEs the caller, we BYE the callee; CDR `no-ack`
#             408 (it said `answered`), counted in calls_no_ack.
#
# At the end the fake data plane holds no endpoint and no session (nothing
# leaked on either side), every call has one CDR line, and the control
# plane stops cleanly on SIGTERM (under AddressSanitizer, with no leak).
#
# usage: dp_faults.sh FAKE_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

RN_SIPP_TIMEOUT=20

e2e_start dp-faults "$@"

rn_init $$ dp-faults
CDR=$rn_dir/cdr.jsonl
rn_b2bua_config "$CDR"
# T1 100 ms: nua gives up on a missing ACK after 64*T1 = 6.4 s (32 s by default).
RN_SIP_CONFIG=${RN_SIP_CONFIG/sip:
  user_agent: Rampart/sip:
  user_agent: Rampart
  t1_ms: 100}
t0=$SECONDS
rn_topology_up
rn_sip_up
rn_config_write

# The fake data plane in place of sbc-dataplane; rn_dataplane_stop ends it.
e2e_fake_dataplane_start --late-ms 3000 --alloc never,ok,late,error,ok,ok --bind ok,never,ok
# Under AddressSanitizer (the suite's second pass) the control plane also
# checks for leaks at exit: every call, request and sbcctl client freed.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" rn_controlplane_start
rn_log "control plane up on the fake data plane"

cdr_field() { # cdr_field LINE_NO KEY: a numeric or string field of CDR line LINE_NO
	sed -n "${1}p" "$CDR" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
cdr_span_ms() { # cdr_span_ms LINE_NO: from start to end of CDR line LINE_NO, in ms
	sed -n "${1}p" "$CDR" | python3 -c '
import json, sys, datetime
r = json.load(sys.stdin)
t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
print(int((t(r["end"]) - t(r["start"])).total_seconds() * 1000))'
}

# ---- never: the loop serves call 2 while call 1 waits ----
sipp_run never-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run never-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_cac.xml -s 4000 -d 300 -m 2 -r 5 \
	"$RN_PBX_SIP:5060"
uac=$last_sipp_pid
sleep 0.7
"$SBCCTL" -s "$RN_CP_SOCK" -w 2 calls >"$rn_dir/calls.txt" ||
	rn_fail "never: sbcctl did not answer while a call waited for the data plane"
grep -q 'state=media' "$rn_dir/calls.txt" ||
	rn_fail "never: no call waiting for its media: $(cat "$rn_dir/calls.txt")"
sipp_wait "$uac" never-pbx
sipp_wait "$uas" never-carrier
[ "$(cdr_lines)" -eq 2 ] || rn_fail "never: $(cdr_lines) CDR lines, want 2"
# Call 2 ended (answered) before call 1 was refused: its CDR comes first.
[ "$(cdr_field 1 disposition)" = answered ] || rn_fail "never: first CDR: $(sed -n 1p "$CDR")"
[ "$(cdr_field 2 disposition)" = failed ] && [ "$(cdr_field 2 sip_cause)" = 503 ] ||
	rn_fail "never: second CDR: $(sed -n 2p "$CDR")"
d=$(cdr_span_ms 2)
[ "$d" -ge 1800 ] && [ "$d" -le 4000 ] || rn_fail "never: refused after $d ms, want about 2000"
rn_log "never: PASS (call 2 answered while call 1 waited; call 1 refused 503 after $d ms)"

# ---- late: 503 at the bound, the late answer's endpoints released ----
sipp_run late-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_refused.xml -s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" late-pbx
cdr_check late '"disposition":"failed"' '"sip_cause":503'
sleep 1.5    # the answer comes 3 s after the ALLOC
"$SBCCTL" -s "$RN_CP_SOCK" -w 2 stats >"$rn_dir/stats.txt" || rn_fail "late: sbcctl stats"
grep -q ' dp_late_released=1 ' "$rn_dir/stats.txt" ||
	rn_fail "late: the late answer was not released: $(grep '^b2bua' "$rn_dir/stats.txt")"
rn_log "late: PASS (503 after the bound; the late ALLOC's endpoints released)"

# ---- error: refused at once ----
sipp_run error-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_refused.xml -s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" error-pbx
cdr_check error '"disposition":"failed"' '"sip_cause":503'
d=$(cdr_span_ms "$(cdr_lines)")
[ "$d" -lt 1000 ] || rn_fail "error: refused after $d ms, want at once"
rn_log "error: PASS (503 after $d ms)"

# ---- bind: the callee answered, the media cannot be bound ----
sipp_run bind-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run bind-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_refused.xml -s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" bind-pbx
sipp_wait "$uas" bind-carrier
cdr_check bind '"disposition":"failed"' '"sip_cause":500' '"call_id_b":"'
! grep -q '"call_id_b":""' <(tail -n 1 "$CDR") || rn_fail "bind: no B Call-ID in the CDR"
rn_log "bind: PASS (500 to the caller, BYE to the callee)"

# ---- no-ack: answered, the caller never ACKs ----
sipp_run no-ack-carrier "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run no-ack-pbx "$RN_NS_PBX" "$RN_PBX_PEER" uac_no_ack.xml -s 4000 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" no-ack-pbx
sipp_wait "$uas" no-ack-carrier
cdr_check no-ack '"disposition":"no-ack"' '"sip_cause":408' '"ended_by":"a"'
"$SBCCTL" -s "$RN_CP_SOCK" -w 2 stats >"$rn_dir/stats.txt" || rn_fail "no-ack: sbcctl stats"
grep -q ' calls_no_ack=1 ' "$rn_dir/stats.txt" ||
	rn_fail "no-ack: not counted: $(grep '^b2bua' "$rn_dir/stats.txt")"
rn_log "no-ack: PASS (BYE both ways at 64*T1, CDR no-ack 408, not answered)"

"$SBCCTL" -s "$RN_CP_SOCK" -w 2 stats >"$rn_dir/stats.txt" || rn_fail "sbcctl stats"
grep '^b2bua\|^dataplane' "$rn_dir/stats.txt"
rn_controlplane_stop 10
[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with status $RN_CP_STATUS"
! grep -q 'LeakSanitizer' "$RN_CP_LOG" || rn_fail "sbc-controlplane leaked: $(grep -A5 LeakSanitizer "$RN_CP_LOG")"
rn_dataplane_stop 10
cat "$rn_dir/fake-report.txt"
grep -q '^endpoints_held=0 sessions_bound=0 ' "$rn_dir/fake-report.txt" ||
	rn_fail "the data plane was left holding: $(cat "$rn_dir/fake-report.txt")"
[ "$(cdr_lines)" -eq 6 ] || rn_fail "$(cdr_lines) CDR lines, want 6"
rn_log "PASS in $((SECONDS - t0)) s"
