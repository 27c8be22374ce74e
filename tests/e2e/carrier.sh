#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `carrier`: carrier trunks named by FQDN, resolved
# per call (RFC 3263) through a real DNS server (dnsmasq in the carrier
# namespace, sip.resolvers), with SIPp carriers on two more addresses of
# that namespace: sip-a (198.18.0.3) and sip-b (198.18.0.4).  Calls come
# from the PBX namespace; the data plane is the fake one (signalling only).
#
#   order       carrier.rampart.test: NAPTR SIP+D2U -> SRV priority 10 sip-a,
#               20 sip-b: the call goes to sip-a (a loose route to its
#               address), the Request-URI keeps the name.
#   503         sip-a refuses 503: the same call goes on to sip-b, a new
#               INVITE with a new Via branch, the Call-ID kept; answered.
#   486, 404    sip-a refuses: the caller gets that status, sip-b nothing.
#   budget      once.rampart.test (SRV sip-a then sip-b) on a trunk with
#               failover_targets: 1: sip-a's 503 goes to the caller, sip-b
#               gets nothing.
#   timeout     sip-a reads and never answers (T1 100 ms: Timer B 6.4 s):
#               the call goes to sip-b after Timer B; answered.
#   tcp-closed  tcp.rampart.test (TCP trunk): NAPTR SIP+D2U with a better
#               order is ignored (not the trunk's transport), SIP+D2T ->
#               SRV sip-a:5070 (closed: RST) then sip-b:5060 over TCP.
#   retry-after sip-a: 503 Retry-After 3.  Call 1 fails over to sip-b (486);
#               call 2 at once goes to sip-b only (sip-a held, `sbcctl
#               trunks` says state=held); call 3 after 3 s reaches sip-a.
#   all-held    both 503 Retry-After 5: the caller gets 503 Retry-After 5;
#               the next call gets 503 with a Retry-After at once, and no
#               carrier sees an INVITE.
#   weights     weights.rampart.test has no NAPTR: SRV _sip._udp, one
#               priority, weights 75 (sip-a) / 25 (sip-b): 200 calls split
#               within 4 standard deviations of 150/50.
#   ttl         ttl.rampart.test:5060 (A only, TTL 1 s) -> sip-a; dnsmasq
#               restarted with it -> sip-b: the next call, 1.5 s later, goes
#               to sip-b (the cache kept it no longer than its TTL).
#   advertise   s-carrier advertises sbc.rampart.test: the carrier's INVITE
#               has it in Via, Contact and From, and never our address;
#               s-pbx advertises 198.18.1.77: the PBX sees it in Contact and
#               in the SDP (checked on the order call).
#   aaaa        a call from the carrier to trunk pbx6 (an IPv6 interface),
#               target pbx6.rampart.test:5060: its AAAA record, the INVITE
#               to [2001:db8:1::2]:5060.
#   keepalive   ka.rampart.test (SRV sip-a:5062 priority 10, sip-b:5062 20),
#               OPTIONS every second, down after 2 failures, up after 2
#               answers.  Nobody answers at first: both down.  A responder on
#               sip-b: up (sbcctl trunks: state=up, rtt_ms); a call skips the
#               down sip-a.  A responder on sip-a: up, the next call goes
#               there.  It stops: down again.  Each change logged once.
#
# usage: carrier.sh FAKE_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

if ! command -v dnsmasq >/dev/null; then
	echo "carrier: SKIP: no dnsmasq (Debian package dnsmasq-base)"
	exit 77
fi
e2e_start carrier "$@"

SIP_A=$E2E_SIP_A
SIP_B=$E2E_SIP_B
PBX_ADV=198.18.1.77     # s-pbx's advertised address (a NAT's, say): SIP and SDP

rn_init $$ carrier
CDR=$rn_dir/cdr.jsonl
RN_SIP_CONFIG="sip:
  user_agent: Rampart
  t1_ms: 100
  resolvers: [$RN_CAR_PEER]
  control_socket: $RN_CP_SOCK
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        advertise: sbc.rampart.test,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        advertise: $PBX_ADV,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 }] }
    - { name: s-pbx6, side: enterprise, address: \"$RN_PBX_SIP6\", media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, targets: [carrier.rampart.test],
      sources: [$RN_CAR_PEER/32],
      transport: udp, codecs: [PCMU, telephone-event] }
  - { name: tcp-carrier, side: carrier, interface: s-carrier, targets: [tcp.rampart.test],
      transport: tcp, codecs: [PCMU, telephone-event] }
  - { name: weighted, side: carrier, interface: s-carrier, targets: [weights.rampart.test],
      transport: udp, codecs: [PCMU, telephone-event] }
  - { name: ttl-carrier, side: carrier, interface: s-carrier, targets: [\"ttl.rampart.test:5060\"],
      transport: udp, codecs: [PCMU, telephone-event] }
  - { name: once-carrier, side: carrier, interface: s-carrier, targets: [once.rampart.test],
      transport: udp, failover_targets: 1, codecs: [PCMU, telephone-event] }
  - { name: ka-carrier, side: carrier, interface: s-carrier, targets: [ka.rampart.test],
      transport: udp, options_interval_s: 1, options_down_after: 2, options_up_after: 2,
      codecs: [PCMU, telephone-event] }
  - { name: pbx6, side: enterprise, interface: s-pbx6, targets: [\"pbx6.rampart.test:5060\"],
      transport: udp, codecs: [PCMU, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, cpm_limit: 100000, cpm_burst: 1000,
      codecs: [PCMU, telephone-event] }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
t0=$SECONDS
RN_IPV6=1                 # the PBX side has IPv6 too (phase aaaa)
rn_topology_up
rn_sip_up
e2e_carrier_hosts
rn_config_write

# dns_start TTL_ADDRESS: dnsmasq with the records above, ttl.rampart.test -> TTL_ADDRESS.
dns_start() {
	e2e_dns_start \
		--naptr-record=carrier.rampart.test,10,10,S,SIP+D2U,,_sip._udp.carrier.rampart.test \
		--naptr-record=carrier.rampart.test,20,10,S,SIP+D2T,,_sip._tcp.carrier.rampart.test \
		--srv-host=_sip._udp.carrier.rampart.test,sip-a.rampart.test,5060,10,50 \
		--srv-host=_sip._udp.carrier.rampart.test,sip-b.rampart.test,5060,20,50 \
		--naptr-record=tcp.rampart.test,5,10,S,SIP+D2U,,_sip._udp.carrier.rampart.test \
		--naptr-record=tcp.rampart.test,10,10,S,SIP+D2T,,_sip._tcp.tcp.rampart.test \
		--srv-host=_sip._tcp.tcp.rampart.test,sip-a.rampart.test,5070,10,50 \
		--srv-host=_sip._tcp.tcp.rampart.test,sip-b.rampart.test,5060,20,50 \
		--srv-host=_sip._udp.weights.rampart.test,sip-a.rampart.test,5060,10,75 \
		--srv-host=_sip._udp.weights.rampart.test,sip-b.rampart.test,5060,10,25 \
		--srv-host=_sip._udp.once.rampart.test,sip-a.rampart.test,5060,10,50 \
		--srv-host=_sip._udp.once.rampart.test,sip-b.rampart.test,5060,20,50 \
		--srv-host=_sip._udp.ka.rampart.test,sip-a.rampart.test,5062,10,50 \
		--srv-host=_sip._udp.ka.rampart.test,sip-b.rampart.test,5062,20,50 \
		--host-record=sip-a.rampart.test,$SIP_A \
		--host-record=sip-b.rampart.test,$SIP_B \
		--host-record=pbx6.rampart.test,$RN_PBX_PEER6 \
		--host-record=ttl.rampart.test,"$1",1
}
trap 'rc=$?; e2e_dns_stop; set +e; (exit "$rc"); e2e_cleanup' EXIT
dns_start "$SIP_A"

e2e_fake_dataplane_start
rn_controlplane_start
ctl() { "$SBCCTL" -s "$RN_CP_SOCK" -w 5 "$@"; }

# uas NAME ADDR SCENARIO [SIPp options]: a carrier on ADDR:5060 (PID in last_sipp_pid).
uas() {
	local name=$1 addr=$2 sf=$3
	shift 3
	RN_SIPP_TIMEOUT=30 sipp_run "$name" "$RN_NS_CAR" "$addr" "$sf" "$@"
}
# uas_status NAME ADDR STATUS [SIPp options]: a carrier refusing every INVITE with STATUS.
uas_status() {
	local name=$1 addr=$2 st=$3 sf
	shift 3
	sed "s/@STATUS@/$st/" "$E2E_DIR/uas_status.xml" >"$rn_dir/uas_status_$st.xml"
	sf=$(realpath --relative-to="$E2E_DIR" "$rn_dir/uas_status_$st.xml")
	uas "$name" "$addr" "$sf" "$@"
}
# call NAME RURI_HOST [SIPp options]: one call from the PBX, waited for.
call() {
	local name=$1 host=$2
	shift 2
	RN_SIPP_TIMEOUT=30 sipp_run "$name" "$RN_NS_PBX" "$RN_PBX_PEER" uac_carrier.xml -s 4000 \
		-key ruri_host "$host" "$@" "$RN_PBX_SIP:5060"
	sipp_wait "$last_sipp_pid" "$name"
}
invites() { # invites NAME: INVITE transactions SIPp NAME received (retransmissions once)
	[ -f "$rn_dir/$1-sipp-msg.log" ] || { echo 0; return; }
	awk '/^INVITE / { inv = 1; next }
	     inv && tolower($0) ~ /^via:/ { if (match($0, /branch=[^;[:space:]]*/)) print substr($0, RSTART, RLENGTH); inv = 0 }' \
		"$rn_dir/$1-sipp-msg.log" | sort -u | wc -l
}
got() { # got NAME STATUS: the caller NAME received a final STATUS
	grep -q "^SIP/2.0 $2 " "$rn_dir/$1-sipp-msg.log" ||
		rn_fail "$1: no $2: $(grep '^SIP/2.0' "$rn_dir/$1-sipp-msg.log" | tr '\n' ' ')"
}
settle() { sleep 0.3; }   # a UAS is listening before the call

# ---- order ----
uas order-a "$SIP_A" uas_answer.xml
a=$last_sipp_pid
settle
call order-pbx carrier.rampart.test
sipp_wait "$a" order-a
got order-pbx 200
grep -q 'carrier (carrier.rampart.test) via s-carrier, next hop <sip:198.18.0.3:5060;transport=udp;lr>' "$RN_CP_LOG.start" ||
	rn_fail "order: no next hop keeping the name: $(grep 'next hop' "$RN_CP_LOG.start" | tail -n 2)"
cdr_check order '"disposition":"answered"'
grep -q '^INVITE sip:4000@carrier.rampart.test' "$rn_dir/order-a-sipp-msg.log" ||
	rn_fail "order: the Request-URI lost the trunk's name"
rn_log "order: PASS (NAPTR -> SRV priority: sip-a, the Request-URI keeps the name)"
# advertise: the carrier sees our public name, the PBX our public address (SDP too).
msgs() { tr -d '\r' <"$rn_dir/$1-sipp-msg.log"; }
msgs order-a | grep -Eq '^Via: SIP/2.0/UDP sbc.rampart.test[;:]' || rn_fail "advertise: Via: $(msgs order-a | grep -m1 '^Via')"
msgs order-a | grep -q '^Contact: <sip:rampart@sbc.rampart.test:5060;transport=udp>' ||
	rn_fail "advertise: Contact: $(msgs order-a | grep -m1 '^Contact')"
msgs order-a | grep -q '^From: .*@sbc.rampart.test>' || rn_fail "advertise: From: $(msgs order-a | grep -m1 '^From')"
! msgs order-a | grep -q "$RN_CAR_SIP" || rn_fail "advertise: $RN_CAR_SIP sent to the carrier"
msgs order-pbx | grep -q "^Contact: <sip:rampart@$PBX_ADV:5060;transport=udp>" ||
	rn_fail "advertise: the PBX's Contact: $(msgs order-pbx | grep '^Contact' | tail -n 1)"
msgs order-pbx | grep -q "^c=IN IP4 $PBX_ADV" || rn_fail "advertise: the PBX's SDP: $(msgs order-pbx | grep '^c=' | tail -n 1)"
rn_log "advertise: PASS (Via, Contact, From say sbc.rampart.test; the PBX sees $PBX_ADV in Contact and SDP)"

# ---- 503: failover with a new branch ----
uas_status f503-a "$SIP_A" 503
a=$last_sipp_pid
uas f503-b "$SIP_B" uas_answer.xml
b=$last_sipp_pid
settle
call f503-pbx carrier.rampart.test
sipp_wait "$a" f503-a
sipp_wait "$b" f503-b
got f503-pbx 200
br_a=$(grep -m1 -o 'branch=[^;[:space:]]*' "$rn_dir/f503-a-sipp-msg.log")
br_b=$(grep -m1 -o 'branch=[^;[:space:]]*' "$rn_dir/f503-b-sipp-msg.log")
[ -n "$br_a" ] && [ "$br_a" != "$br_b" ] || rn_fail "503: the second INVITE reused the branch ($br_a, $br_b)"
cid_a=$(grep -m1 -i '^Call-ID:' "$rn_dir/f503-a-sipp-msg.log")
cid_b=$(grep -m1 -i '^Call-ID:' "$rn_dir/f503-b-sipp-msg.log")
[ "$cid_a" = "$cid_b" ] || rn_fail "503: the Call-ID changed between attempts ($cid_a, $cid_b)"
cdr_check f503 '"disposition":"answered"'
rn_log "503: PASS (sip-a 503 -> sip-b answered; $br_a then $br_b)"

# ---- 486 and 404: no failover ----
for st in 486 404; do
	uas_status "f$st-a" "$SIP_A" "$st"
	a=$last_sipp_pid
	uas "f$st-b" "$SIP_B" uas_answer.xml
	b=$last_sipp_pid
	settle
	call "f$st-pbx" carrier.rampart.test
	sipp_wait "$a" "f$st-a"
	sipp_stop "$b"
	got "f$st-pbx" "$st"
	[ "$(invites "f$st-b")" -eq 0 ] || rn_fail "$st: sip-b got an INVITE after a $st"
	cdr_check "f$st" '"disposition":"rejected"' "\"sip_cause\":$st"
done
rn_log "486, 404: PASS (relayed, no other destination tried)"

# ---- budget: failover_targets 1 ----
uas_status once-a "$SIP_A" 503
a=$last_sipp_pid
uas once-b "$SIP_B" uas_answer.xml
b=$last_sipp_pid
settle
call once-pbx once.rampart.test
sipp_wait "$a" once-a
sipp_stop "$b"
got once-pbx 503
[ "$(invites once-b)" -eq 0 ] || rn_fail "budget: sip-b got an INVITE beyond failover_targets"
rn_log "budget: PASS (one destination tried, its 503 relayed)"

# ---- timeout: Timer B, then the next destination ----
ip netns exec "$RN_NS_CAR" python3 -c "import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$SIP_A', 5060)); time.sleep(12)" &
silent=$!
rn_peer_pids+=("$silent")
for _ in $(seq 50); do
	ip netns exec "$RN_NS_CAR" ss -Hlun "src $SIP_A:5060" | grep -q . && break
	sleep 0.1
done
uas tmo-b "$SIP_B" uas_answer.xml
b=$last_sipp_pid
settle
t1=$(rn_now_ms)
call tmo-pbx carrier.rampart.test
t2=$(rn_now_ms)
sipp_wait "$b" tmo-b
kill "$silent" 2>/dev/null || true
wait "$silent" 2>/dev/null || true
got tmo-pbx 200
[ $((t2 - t1)) -ge 6000 ] || rn_fail "timeout: answered after $((t2 - t1)) ms, before Timer B"
cdr_check tmo '"disposition":"answered"'
rn_log "timeout: PASS (sip-b answered after Timer B, $((t2 - t1)) ms)"

# ---- tcp-closed: the trunk's transport only; a refused connection fails over ----
uas tcp-b "$SIP_B" uas_answer.xml -t t1
b=$last_sipp_pid
settle
call tcp-pbx tcp.rampart.test
sipp_wait "$b" tcp-b
got tcp-pbx 200
grep -q 'next hop <sip:198.18.0.3:5070;transport=tcp;lr>' "$RN_CP_LOG.start" ||
	rn_fail "tcp-closed: sip-a:5070 was not tried first"
! grep 'tcp-carrier (tcp.rampart.test) via .* next hop' "$RN_CP_LOG.start" | grep -q 'transport=udp' ||
	rn_fail "tcp-closed: a UDP destination was used for a TCP trunk"
rn_log "tcp-closed: PASS (sip-a:5070 refused -> sip-b over TCP; the SIP+D2U NAPTR ignored)"

# ---- retry-after: held for its whole duration, not longer ----
uas ra-a "$SIP_A" uas_status_ra.xml -key retry_after 3 -m 2
a=$last_sipp_pid
uas_status ra-b "$SIP_B" 486 -m 3
b=$last_sipp_pid
settle
t1=$(rn_now_ms)
call ra1-pbx carrier.rampart.test
got ra1-pbx 486
[ "$(invites ra-a)" -eq 1 ] && [ "$(invites ra-b)" -eq 1 ] || rn_fail "retry-after: call 1 not a then b"
ctl trunks >"$rn_dir/trunks.txt"
grep -q "^dest trunk=carrier name=carrier.rampart.test address=$SIP_A port=5060 transport=udp state=held" \
	"$rn_dir/trunks.txt" || rn_fail "retry-after: sbcctl trunks: $(grep '^dest' "$rn_dir/trunks.txt")"
call ra2-pbx carrier.rampart.test
got ra2-pbx 486
[ "$(invites ra-a)" -eq 1 ] || rn_fail "retry-after: sip-a got an INVITE while held"
[ "$(invites ra-b)" -eq 2 ] || rn_fail "retry-after: call 2 did not reach sip-b"
sleep "$(awk -v t="$(rn_now_ms)" -v t1="$t1" 'BEGIN { s = (t1 + 3300 - t) / 1000; print (s > 0 ? s : 0) }')"
call ra3-pbx carrier.rampart.test
sipp_wait "$a" ra-a
sipp_stop "$b"
[ "$(invites ra-a)" -eq 2 ] || rn_fail "retry-after: sip-a still skipped after its Retry-After"
rn_log "retry-after: PASS (held 3 s, skipped meanwhile, used again after)"
sleep 3.2   # ra3 held sip-a again

# ---- all-held: 503 with Retry-After toward the caller ----
uas ah-a "$SIP_A" uas_status_ra.xml -key retry_after 5
a=$last_sipp_pid
uas ah-b "$SIP_B" uas_status_ra.xml -key retry_after 5
b=$last_sipp_pid
settle
call ah1-pbx carrier.rampart.test
sipp_wait "$a" ah-a
sipp_wait "$b" ah-b
got ah1-pbx 503
grep -q '^Retry-After: 5' "$rn_dir/ah1-pbx-sipp-msg.log" || rn_fail "all-held: no Retry-After 5 to the caller"
call ah2-pbx carrier.rampart.test
got ah2-pbx 503
grep -Eq '^Retry-After: [1-5]$' <(tr -d '\r' <"$rn_dir/ah2-pbx-sipp-msg.log") ||
	rn_fail "all-held: the refused call has no Retry-After"
grep -q 'no usable destination of trunk carrier: 503 with Retry-After' "$RN_CP_LOG.start" ||
	rn_fail "all-held: the second call was not refused before any INVITE"
cdr_check ah2 '"disposition":"failed"' '"sip_cause":503'
rn_log "all-held: PASS (503 Retry-After 5, then 503 at once with nothing sent)"
sleep 5.2

# ---- weights: RFC 2782 over 200 calls ----
uas_status w-a "$SIP_A" 486 -m 400
a=$last_sipp_pid
uas_status w-b "$SIP_B" 486 -m 400
b=$last_sipp_pid
settle
call w-pbx weights.rampart.test -m 200 -r 40 -l 20
sleep 0.5
sipp_stop "$a"
sipp_stop "$b"
na=$(invites w-a)
nb=$(invites w-b)
rn_log "weights: sip-a $na, sip-b $nb of 200 (weights 75/25)"
[ $((na + nb)) -eq 200 ] || rn_fail "weights: $((na + nb)) INVITEs for 200 calls"
[ "$na" -ge 126 ] && [ "$na" -le 174 ] || rn_fail "weights: sip-a got $na of 200, outside 150 +- 24"
rn_log "weights: PASS"

# ---- ttl: a changed record is seen once its TTL ran out ----
uas_status ttl1-a "$SIP_A" 486
a=$last_sipp_pid
settle
call ttl1-pbx ttl.rampart.test
sipp_wait "$a" ttl1-a
e2e_dns_stop
dns_start "$SIP_B"
sleep 1.5
uas_status ttl2-b "$SIP_B" 486
b=$last_sipp_pid
settle
call ttl2-pbx ttl.rampart.test
sipp_wait "$b" ttl2-b
rn_log "ttl: PASS (the new address after the 1 s TTL)"

# ---- aaaa: an IPv6 interface's trunk resolves AAAA ----
sed "s/@STATUS@/486/" "$E2E_DIR/uas_status.xml" >"$rn_dir/uas_status_486.xml"
RN_SIPP_TIMEOUT=20 sipp_run aaaa-uas "$RN_NS_PBX" "$RN_PBX_PEER6" \
	"$(realpath --relative-to="$E2E_DIR" "$rn_dir/uas_status_486.xml")"
aaaa_uas=$last_sipp_pid
settle
RN_SIPP_TIMEOUT=20 sipp_run aaaa-car "$RN_NS_CAR" "$RN_CAR_PEER" uac_carrier.xml -s 4000 \
	-key ruri_host pbx6.rampart.test "$RN_CAR_SIP:5060"
sipp_wait "$last_sipp_pid" aaaa-car
sipp_wait "$aaaa_uas" aaaa-uas
got aaaa-car 486
grep -q "to trunk pbx6 (pbx6.rampart.test) via s-pbx6, next hop <sip:\[$RN_PBX_PEER6\]:5060;transport=udp;lr>" \
	"$RN_CP_LOG.start" || rn_fail "aaaa: $(grep 'trunk pbx6' "$RN_CP_LOG.start" | tail -n 1)"
rn_log "aaaa: PASS (pbx6.rampart.test -> [$RN_PBX_PEER6]:5060)"

# ---- keepalive: OPTIONS mark destinations down and up ----
# dest_state ADDR: the state sbcctl trunks gives ka-carrier's destination ADDR:5062.
dest_state() {
	ctl trunks | sed -n "s/^dest trunk=ka-carrier .* address=$1 port=5062 .* state=\([a-z]*\) .*/\1/p"
}
wait_state() { # wait_state ADDR STATE: within 6 s
	for _ in $(seq 60); do
		[ "$(dest_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	rn_fail "keepalive: $1:5062 not $2 (is '$(dest_state "$1")'): $(ctl trunks | grep ka-carrier)"
}
responder() { # responder ADDR NAME: a SIP peer on ADDR:5062 answering OPTIONS; PID in last_resp
	ip netns exec "$RN_NS_CAR" python3 "$E2E_DIR/sip_responder.py" --bind "$1:5062" \
		--log "$rn_dir/$2.log" --invite-status 486 --seconds 40 &
	last_resp=$!
	rn_peer_pids+=("$last_resp")
}
wait_state "$SIP_A" down
wait_state "$SIP_B" down
responder "$SIP_B" resp-b
rb=$last_resp
wait_state "$SIP_B" up
ctl trunks | grep -Eq "address=$SIP_B port=5062 .* rtt_ms=[0-9]+ " || rn_fail "keepalive: no RTT shown"
call ka1-pbx ka.rampart.test
got ka1-pbx 486
[ "$(grep -c '^INVITE' "$rn_dir/resp-b.log")" -ge 1 ] || rn_fail "keepalive: sip-b got no INVITE"
! grep -q "next hop <sip:$SIP_A:5062" "$RN_CP_LOG.start" || rn_fail "keepalive: a call went to sip-a while down"
responder "$SIP_A" resp-a
ra=$last_resp
wait_state "$SIP_A" up
call ka2-pbx ka.rampart.test
got ka2-pbx 486
grep -q '^INVITE' "$rn_dir/resp-a.log" || rn_fail "keepalive: sip-a up again but the call did not go there"
kill "$ra" 2>/dev/null || true
wait "$ra" 2>/dev/null || true
wait_state "$SIP_A" down
kill "$rb" 2>/dev/null || true
wait "$rb" 2>/dev/null || true
downs=$(grep -c "trunk ka-carrier: destination $SIP_A:5062 (ka.rampart.test) down" "$RN_CP_LOG.start") || true
ups=$(grep -c "trunk ka-carrier: destination $SIP_A:5062 (ka.rampart.test) up" "$RN_CP_LOG.start") || true
[ "$downs" -eq 2 ] && [ "$ups" -eq 1 ] || rn_fail "keepalive: sip-a logged down $downs times, up $ups (want 2, 1)"
rn_log "keepalive: PASS (down, up with an RTT, skipped while down, down again; each change logged once)"

ctl stats >"$rn_dir/stats.txt"
grep -Eq 'keepalive_changes=[1-9]' "$rn_dir/stats.txt" || rn_fail "no keepalive changes counted"
grep -Eq 'failovers=[1-9]' "$rn_dir/stats.txt" || rn_fail "no failovers counted: $(grep '^b2bua' "$rn_dir/stats.txt")"
grep -Eq 'targets_held=[1-9]' "$rn_dir/stats.txt" || rn_fail "no held destination counted"
rn_controlplane_stop 5
[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with $RN_CP_STATUS"
rn_log "PASS ($((SECONDS - t0)) s)"
