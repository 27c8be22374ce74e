#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `examples`: the example configurations in
# config/ start as shipped, unchanged, on the topology they describe (the
# demo's: veths rp-carrier and rp-pbx whose root side carries SIP on a
# kernel address, 198.18.0.10 and 198.18.1.10, while sbc-dataplane owns
# the media addresses 198.18.0.1 and 198.18.1.1 on the same links through
# net_af_packet; the peers 198.18.0.2 and 198.18.1.2 in their namespaces).
#
#   enterprise-carrier.yaml      both processes start; an OPTIONS from the
#                                PBX gets 200; a call with media exact both
#                                ways.
#   enterprise-carrier-srtp.yaml both start (cryptodev SRTP engine); an
#                                OPTIONS from the carrier gets 200.
#   carrier-fqdn.yaml            both start (its resolver is not there: the
#                                carrier trunk waits for DNS); an OPTIONS
#                                from the PBX gets 200.
#   rampart.yaml                 PCI NICs this machine has not: both
#                                binaries' -n only (with /var/log/rampart
#                                made here when absent).
#   host-check                   -n on a copy whose SIP address is the data
#                                plane's media address and whose CDR
#                                directory is not there: both named, exit 1.
#
# The examples' own paths are used: /run/rampart/{dataplane,controlplane}.sock
# (the directory made and removed here when absent; SKIP when a Rampart
# already uses it) and /tmp/rampart-cdr.jsonl (removed when this made it).
#
# usage: examples.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

PACKETS=50
CONF=$E2E_DIR/../../config

e2e_start examples "$@"
if [ -e /run/rampart/dataplane.sock ] || [ -e /run/rampart/controlplane.sock ]; then
	echo "examples: SKIP: /run/rampart is in use (a Rampart runs here)"
	exit 77
fi
made_run=0
[ -d /run/rampart ] || { mkdir -m 0750 /run/rampart; made_run=1; }
made_log=0
[ -d /var/log/rampart ] || { mkdir -m 0750 /var/log/rampart; made_log=1; }
made_cdr=0
[ -e /tmp/rampart-cdr.jsonl ] || made_cdr=1
examples_cleanup() {
	rm -f /run/rampart/dataplane.sock /run/rampart/controlplane.sock
	[ "$made_run" -eq 0 ] || rmdir /run/rampart 2>/dev/null || true
	[ "$made_log" -eq 0 ] || rmdir /var/log/rampart 2>/dev/null || true
	[ "$made_cdr" -eq 0 ] || rm -f /tmp/rampart-cdr.jsonl
}

rn_init $$ examples
# The interface names the examples' net_af_packet devices name.
RN_IF_CAR=rp-carrier
RN_IF_PBX=rp-pbx
RN_SOCK=/run/rampart/dataplane.sock
RN_CP_SOCK=/run/rampart/controlplane.sock
trap 'rc=$?; examples_cleanup; (exit "$rc"); e2e_cleanup' EXIT
rn_topology_up
rn_sip_up

# example_up NAME: both processes on config/NAME, unchanged.
example_up() {
	"$RN_DATAPLANE" -c "$CONF/$1" --file-prefix "$RN_PREFIX" >"$RN_DP_LOG" 2>&1 &
	rn_dp_pid=$!
	rn_api_wait 30
	rn_controlplane_start "$CONF/$1"
}

example_down() {
	rn_controlplane_stop 10
	[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "$1: sbc-controlplane exited with status $RN_CP_STATUS"
	rn_dataplane_stop 10
	[ "$RN_DP_STATUS" -eq 0 ] || rn_fail "$1: sbc-dataplane exited with status $RN_DP_STATUS"
}

# options NAME NS PEER SBC_SIP: an OPTIONS from a trunk's peer gets 200.
options() {
	sipp_run "$1-options" "$2" "$3" uac_options_ok.xml "$4:5060"
	sipp_wait "$last_sipp_pid" "$1-options"
}

# ---- enterprise-carrier.yaml ----
name=enterprise-carrier
example_up "$name.yaml"
options "$name" "$RN_NS_PBX" "$RN_PBX_PEER" "$RN_PBX_SIP"
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 -d 4000 "$RN_PBX_SIP:5060"
uac=$last_sipp_pid
rn_session_wait 10
rn_peers_start "$PACKETS" --strict --linger-ms 500
rn_peers_wait
[ "$RN_PEERS_OK" -eq 1 ] || rn_fail "$name: media not exact: $(cat "$rn_dir"/peer-*.err)"
sipp_wait "$uac" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
example_down "$name"
rn_log "$name: PASS (started as shipped; OPTIONS 200; a call with $PACKETS packets each way, exact)"

# ---- enterprise-carrier-srtp.yaml ----
name=enterprise-carrier-srtp
example_up "$name.yaml"
options "$name" "$RN_NS_CAR" "$RN_CAR_PEER" "$RN_CAR_SIP"
example_down "$name"
rn_log "$name: PASS (started as shipped; OPTIONS 200 from the carrier)"

# ---- carrier-fqdn.yaml ----
name=carrier-fqdn
example_up "$name.yaml"
options "$name" "$RN_NS_PBX" "$RN_PBX_PEER" "$RN_PBX_SIP"
example_down "$name"
rn_log "$name: PASS (started as shipped; OPTIONS 200 from the PBX)"

# ---- rampart.yaml ----
for exe in "$RN_CONTROLPLANE" "$RN_DATAPLANE"; do
	out=$("$exe" -n -c "$CONF/rampart.yaml" 2>&1) || rn_fail "rampart.yaml: $(basename "$exe") -n: $out"
done
rn_log "rampart.yaml: PASS (-n on both binaries: configuration OK)"

# ---- -n checks the host ----
# A SIP address the kernel has not (the data plane's media address, say),
# a CDR directory that is not there: both named, exit status 1.
sed -e 's/^      address: 198\.18\.0\.10$/      address: 198.18.0.1/' \
	-e 's|^  path: /tmp/rampart-cdr.jsonl|  path: /nonexistent-rampart/cdr.jsonl|' \
	"$CONF/enterprise-carrier.yaml" >"$rn_dir/host-check.yaml"
rc=0
out=$("$RN_CONTROLPLANE" -n -c "$rn_dir/host-check.yaml" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || rn_fail "host-check: -n exit status $rc: $out"
grep -qF 'sip.interfaces[0].address: 198.18.0.1 is not an address of this host' <<<"$out" ||
	rn_fail "host-check: the media address as SIP address not named: $out"
grep -qF 'cdr.path: /nonexistent-rampart/cdr.jsonl: its directory is not writable' <<<"$out" ||
	rn_fail "host-check: the CDR directory not named: $out"
rn_log "host-check: PASS (-n names a SIP address the host has not and a CDR directory that is not there)"
rn_log "PASS"
