#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `dataplane`, test `netns-media`: one call's media both ways at
# once through the real sbc-dataplane, between real kernel sockets in two
# network namespaces (the topology is drawn in scripts/netns-lib.sh, which
# scripts/demo.sh shares).  One session is programmed with `sbc-dpctl
# load-sessions`; then the carrier and PBX peers (scripts/rtp_peer.py) each
# send 1 s of G.711 RTP (50 packets) and check every packet they receive:
# header, sequence, timestamp, source address and all 160 payload bytes.
#
# Pass: every packet arrived on both sides, in order, exact; the session's
# legs in `sbc-dpctl stats` count 50 packets each, no loss, no drop, with
# the peers' addresses latched; the data plane dropped nothing at all, went
# on through a SIGHUP sent mid-call (logged), and exits 0 on SIGTERM.
#
# Skipped (exit 77) unless run as root on a host where `ip netns` works.
#
# usage: netns_media.sh SBC_DATAPLANE SBC_DPCTL
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 SBC_DATAPLANE SBC_DPCTL" >&2
	exit 2
fi
RN_DATAPLANE=$1
RN_DPCTL=$2
# shellcheck source=scripts/netns-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/../../scripts/netns-lib.sh"

PACKETS=50                      # 1 s at 20 ms

why=$(rn_missing_prerequisite)
if [ -n "$why" ]; then
	echo "netns-media: SKIP: $why"
	exit 77
fi
[ -x "$RN_DATAPLANE" ] || { echo "netns-media: $RN_DATAPLANE is not executable" >&2; exit 1; }
[ -x "$RN_DPCTL" ] || { echo "netns-media: $RN_DPCTL is not executable" >&2; exit 1; }

cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	rn_cleanup "$rc"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
rn_init $$ netns-media
rn_topology_up
rn_config_write
rn_dataplane_start
rn_api_wait 30
rn_log "data plane up: $RN_HELLO"
rn_session_load
rn_log "$(head -n 1 "$rn_dir/sessions.txt")"

rn_peers_start "$PACKETS" --strict --linger-ms 500
# SIGHUP while the media flows: its default action ended the data plane
# (and every call's media); now it is logged and changes nothing.
sleep 0.5
kill -HUP "$rn_dp_pid" || rn_fail "SIGHUP to sbc-dataplane"
rn_peers_wait
rn_dp_alive || rn_fail "sbc-dataplane exited on SIGHUP"
grep -q 'SIGHUP: nothing to reload' "$RN_DP_LOG" || rn_fail "SIGHUP not logged"
cat "$rn_dir/peer-carrier.txt" "$rn_dir/peer-pbx.txt"
cat "$rn_dir/peer-carrier.err" "$rn_dir/peer-pbx.err" >&2
[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "a peer missed, reordered or rejected packets (lines above)"

# The data plane's view: each leg accepted every packet its peer sent and
# latched the peer's address; nothing dropped anywhere.
rn_ctl stats "$RN_SESSION" >"$rn_dir/stats.txt" || rn_fail "sbc-dpctl stats $RN_SESSION"
rn_ctl stats 0 >"$rn_dir/global.txt" || rn_fail "sbc-dpctl stats 0"
cat "$rn_dir/stats.txt" "$rn_dir/global.txt"
for leg in a:$RN_CAR_PEER:$RN_CAR_PEER_PORT b:$RN_PBX_PEER:$RN_PBX_PEER_PORT; do
	IFS=: read -r l ip port <<<"$leg"
	[ "$(rn_leg_field "$l" packets)" = "$PACKETS" ] || rn_fail "leg $l: packets != $PACKETS"
	[ "$(rn_leg_field "$l" drops)" = 0 ] || rn_fail "leg $l: drops"
	[ "$(rn_leg_field "$l" lost)" = 0 ] || rn_fail "leg $l: lost"
	[ "$(rn_leg_field "$l" source)" = "$ip:$port" ] || rn_fail "leg $l: latched source is not $ip:$port"
done
! grep -q '^  drop ' "$rn_dir/stats.txt" "$rn_dir/global.txt" || rn_fail "drop reasons listed"
grep -q '^global .* drops=0$' "$rn_dir/global.txt" || rn_fail "global drops"

rn_dataplane_stop 10
[ "$RN_DP_STATUS" -eq 0 ] || rn_fail "sbc-dataplane exited with status $RN_DP_STATUS"
rn_log "PASS in $((SECONDS - t0)) s: $PACKETS packets each way, exact, 0 drops"
