#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Live media demo: a carrier and a PBX in two network namespaces, the real
# sbc-dataplane between them, one call's G.711 RTP both ways at once for 3 s.
#
# The SIP half of the call (INVITE through the B2BUA, SDP rewriting) arrives
# with sbc-controlplane, which is not built yet.  Until then the session is
# programmed over the data plane's API with `sbc-dpctl load-sessions`, which
# is what the B2BUA will do once the offer/answer is through.
#
# Run as root on Debian 12: installs what is missing (scripts/deps.sh),
# builds into build/ if needed, creates namespaces rampart-{carrier,pbx}-PID and
# veths rp-{car,pbx}-PID (addresses in 198.18.0.0/15 only), and removes all
# of it again when it ends, fails or is interrupted.  Topology and helpers:
# scripts/netns-lib.sh; the RTP peers: scripts/rtp_peer.py.
#
# Exit status 0 when each direction delivered at least 95% of its packets
# and no packet arrived altered.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_OF_MEDIA=3
PACKETS=$((SECONDS_OF_MEDIA * 50))      # 20 ms packets
REQUIRE_PERCENT=95

cat <<'EOF'
== Rampart live demo: the MEDIA path of a call ==
This demo shows media only: RTP relayed by sbc-dataplane between a carrier
and a PBX in network namespaces.  SIP call setup through the B2BUA arrives
with the control plane (sbc-controlplane, not yet built); here the call's
session is programmed directly over the data plane API with sbc-dpctl.

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
ninja -C build dataplane/sbc-dataplane dataplane/sbc-dpctl >/dev/null ||
	{ echo "demo.sh: build failed (ninja -C build)" >&2; exit 1; }

RN_DATAPLANE=$PWD/build/dataplane/sbc-dataplane
RN_DPCTL=$PWD/build/dataplane/sbc-dpctl
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
		echo "cleaned up: namespaces, veths, data plane and temporary files removed"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rn_init $$ demo

# ---- topology
rn_topology_up
cat <<EOF
Topology (addresses in 198.18.0.0/15 only; everything is removed at exit)
  carrier   ns $RN_NS_CAR: eth0 $RN_CAR_PEER, RTP peer on port $RN_CAR_PEER_PORT
                 | veth
                 $RN_IF_CAR (root namespace, no address)
  SBC       sbc-dataplane (net_${RN_VDEV:-af_packet} ports on the two rp- ends):
                 m-carrier $RN_CAR_SBC:$RN_MEDIA_PORT <-> m-pbx $RN_PBX_SBC:$RN_MEDIA_PORT
                 $RN_IF_PBX (root namespace, no address)
                 | veth
  PBX       ns $RN_NS_PBX: eth0 $RN_PBX_PEER, RTP peer on port $RN_PBX_PEER_PORT

EOF

# ---- data plane and session
rn_config_write
t_start=$(rn_now_ms)
rn_dataplane_start
rn_api_wait 30
t_api=$(rn_now_ms)
rn_session_load
t_session=$(rn_now_ms)
echo "Setup"
printf '  data plane answering its API   %5d ms after start   (%s)\n' \
	$((t_api - t_start)) "$RN_HELLO"
printf '  session %s programmed          %5d ms after start   (load-sessions took %d ms)\n' \
	"$RN_SESSION" $((t_session - t_start)) $((t_session - t_api))
sed 's/^/    /' "$rn_dir/sessions.txt" | head -n 1
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
leg a "carrier side)"
leg b "pbx side)"
grep '^  drop ' "$rn_dir/stats.txt" | sed 's/^/  /' || true
sed -n 's/^global /  global: /p; s/^  drop /    drop /p' "$rn_dir/global.txt"

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

rn_dataplane_stop 10
[ "$RN_DP_STATUS" -eq 0 ] || echo "demo.sh: sbc-dataplane exited with status $RN_DP_STATUS" >&2

if [ "$RN_PEERS_OK" -eq 1 ] && [ "$RN_DP_STATUS" -eq 0 ]; then
	echo "Result: PASS: both directions delivered >= ${REQUIRE_PERCENT}% of their packets, none altered"
else
	echo "Result: FAIL: a direction delivered < ${REQUIRE_PERCENT}% or altered packets (table above)"
	exit 1
fi
