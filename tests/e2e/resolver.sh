#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `resolver`: sbc-controlplane's own DNS resolver
# (Sofia's asynchronous sres on its event loop, controlplane/resolver.c)
# against a real DNS server: dnsmasq in the carrier namespace, named by
# sip.resolvers.  The data plane is the fake one (no media here).
#
#   records    `sbcctl resolve NAME`: the A and AAAA records dnsmasq serves,
#              with the TTL it gives them.
#   nxdomain   a name dnsmasq does not know: an error, no record.
#   silent     dnsmasq frozen (SIGSTOP: its socket stays, no answer, no
#              ICMP): the query fails after the resolver's bound (about 4 s),
#              and meanwhile `sbcctl calls` is answered at once: the loop
#              does not wait for DNS.
#
# usage: resolver.sh FAKE_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

if ! command -v dnsmasq >/dev/null; then
	echo "resolver: SKIP: no dnsmasq (Debian package dnsmasq-base)"
	exit 77
fi
e2e_start resolver "$@"

rn_init $$ resolver
CDR=$rn_dir/cdr.jsonl
rn_b2bua_config "$CDR"
RN_SIP_CONFIG=${RN_SIP_CONFIG/sip:
  user_agent: Rampart/sip:
  user_agent: Rampart
  resolvers: [$RN_CAR_PEER]}
t0=$SECONDS
rn_topology_up
rn_sip_up
rn_config_write
grep -q "resolvers: \[$RN_CAR_PEER\]" "$RN_CFG" || rn_fail "config has no resolvers"

# The EXIT trap of e2e_lib, with dnsmasq stopped first.
trap 'rc=$?; e2e_dns_stop; set +e; (exit "$rc"); e2e_cleanup' EXIT
E2E_DNS_TTL=120 e2e_dns_start --host-record=carrier.rampart.test,198.18.0.2,2001:db8::2

e2e_fake_dataplane_start
rn_controlplane_start
grep -q "resolver: .*controlplane-resolv.conf" "$RN_CP_LOG.start" ||
	rn_fail "the control plane does not use sip.resolvers: $(grep resolver "$RN_CP_LOG.start")"

ctl() { "$SBCCTL" -s "$RN_CP_SOCK" -w 8 "$@"; }

# ---- records ----
ctl resolve carrier.rampart.test >"$rn_dir/r1.txt" || rn_fail "records: $(cat "$rn_dir/r1.txt")"
cat "$rn_dir/r1.txt"
grep -q '^name=carrier.rampart.test type=A address=198.18.0.2 ttl_s=120$' "$rn_dir/r1.txt" ||
	rn_fail "records: no A record with its TTL"
grep -q '^name=carrier.rampart.test type=AAAA address=2001:db8::2 ttl_s=120$' "$rn_dir/r1.txt" ||
	rn_fail "records: no AAAA record with its TTL"
rn_log "records: PASS (A and AAAA, TTL 120)"

# ---- nxdomain ----
! ctl resolve nobody.rampart.test >"$rn_dir/r2.txt" 2>&1 || rn_fail "nxdomain: resolved: $(cat "$rn_dir/r2.txt")"
grep -q 'no such name' "$rn_dir/r2.txt" || rn_fail "nxdomain: $(cat "$rn_dir/r2.txt")"
rn_log "nxdomain: PASS ($(cat "$rn_dir/r2.txt"))"

# ---- silent: the DNS server does not answer, the loop goes on ----
kill -STOP "$e2e_dns_pid"
start=$(rn_now_ms)
ctl resolve other.rampart.test >"$rn_dir/r3.txt" 2>&1 &
q=$!
sleep 0.5
t1=$(rn_now_ms)
ctl calls >"$rn_dir/calls.txt" || rn_fail "silent: sbcctl calls got no answer while DNS waited"
t2=$(rn_now_ms)
[ $((t2 - t1)) -lt 1000 ] || rn_fail "silent: sbcctl calls took $((t2 - t1)) ms while DNS waited"
rc=0
wait "$q" || rc=$?
end=$(rn_now_ms)
kill -CONT "$e2e_dns_pid"
[ "$rc" -ne 0 ] || rn_fail "silent: resolved without a server: $(cat "$rn_dir/r3.txt")"
[ $((end - start)) -ge 3000 ] && [ $((end - start)) -le 7000 ] ||
	rn_fail "silent: the query ended after $((end - start)) ms, want about 4000"
rn_log "silent: PASS (failed after $((end - start)) ms: $(cat "$rn_dir/r3.txt"); sbcctl calls answered in $((t2 - t1)) ms meanwhile)"

rn_controlplane_stop 10
[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with status $RN_CP_STATUS"
[ ! -e "$RN_CP_RUNTIME/controlplane-resolv.conf" ] || rn_fail "resolv.conf left behind"
rn_dataplane_stop 10
rn_log "PASS in $((SECONDS - t0)) s"
