#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `carrier-tls`: a TLS carrier trunk named by FQDN
# (tls.rampart.test: NAPTR SIPS+D2T -> SRV sip-a:5061 priority 10, sip-b:5061
# priority 20; a SIP+D2U NAPTR with a better order is there too and must
# never be used), dnsmasq as in e2e/carrier, and TLS SIP peers
# (sip_responder.py) with certificates made for this run (openssl: a test
# CA that the interface's ca_file names, and the cases below).  sip-b is
# always the good one (the CA's certificate for tls.rampart.test, refuses
# calls with 486); sip-a is, in turn:
#
#   impostor    self-signed for tls.rampart.test (not the CA's)
#   wrong-san   the CA's, for other.rampart.test
#   expired     the CA's, for tls.rampart.test, expired in 2020
#   tls11       the good certificate, TLS 1.1 at most
#
# For each: the call fails over to sip-b at once (486 in well under Timer B),
# sip-a never receives an INVITE, and the log says why its certificate or
# handshake was refused.  Then two trunks with their own TLS checks, each
# with one target on sip-b (ports 5062, 5063):
#
#   private-ca  tls-private (priv.rampart.test, tls_ca_file: a second CA):
#               that CA's certificate is accepted although the interface's
#               CA did not sign it; the interface CA's is refused.
#   pinned      tls-pinned (pin.rampart.test, tls_pin_sha256): the pinned
#               certificate is accepted; another one of the CA for the same
#               name (valid path, valid name) is refused.
#
# Then mutual TLS on our listener (verify_peer with the test CA): a client
# with the CA's certificate is accepted, one without or with another CA's
# is refused.
#
# usage: carrier_tls.sh FAKE_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

if ! command -v dnsmasq >/dev/null; then
	echo "carrier-tls: SKIP: no dnsmasq (Debian package dnsmasq-base)"
	exit 77
fi
e2e_start carrier-tls "$@"

SIP_A=$E2E_SIP_A
SIP_B=$E2E_SIP_B
NAME=tls.rampart.test

rn_init $$ carrier-tls
CDR=$rn_dir/cdr.jsonl
PKI=$rn_dir/pki
mkdir -p "$PKI"

# ---- certificates for this run ----
ossl() { openssl "$@" >>"$PKI/openssl.log" 2>&1 || rn_fail "openssl $1: $(tail -n 3 "$PKI/openssl.log")"; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 \
	-subj "/CN=Rampart Test CA" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
# leaf NAME SAN [openssl ca dates]: the CA's certificate NAME.crt for SAN.
leaf() {
	local n=$1 san=$2
	shift 2
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$n" \
		-keyout "$PKI/$n.key" -out "$PKI/$n.csr"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n' \
		"$san" >"$PKI/$n.ext"
	: >"$PKI/index.txt"
	[ -f "$PKI/serial" ] || echo 1000 >"$PKI/serial"
	cat >"$PKI/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $PKI/index.txt
new_certs_dir = $PKI
serial = $PKI/serial
default_md = sha256
default_days = 3
policy = any
[any]
commonName = supplied
EOF
	ossl ca -batch -config "$PKI/ca.cnf" -cert "$PKI/ca.crt" -keyfile "$PKI/ca.key" \
		-in "$PKI/$n.csr" -out "$PKI/$n.crt" -extfile "$PKI/$n.ext" -notext "$@"
}
leaf good "DNS:$NAME"
leaf wrongsan "DNS:other.rampart.test"
leaf expired "DNS:$NAME" -startdate 20200101000000Z -enddate 20200102000000Z
leaf client "DNS:client.rampart.test"
leaf priv-ca1 "DNS:priv.rampart.test"
leaf pin-good "DNS:pin.rampart.test"
leaf pin-other "DNS:pin.rampart.test"
# a second CA, for tls-private only
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 \
	-subj "/CN=Rampart Private CA" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$PKI/ca2.key" -out "$PKI/ca2.crt"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=priv.rampart.test" \
	-keyout "$PKI/priv-ca2.key" -out "$PKI/priv-ca2.csr"
printf 'subjectAltName=DNS:priv.rampart.test\n' >"$PKI/priv-ca2.ext"
ossl x509 -req -in "$PKI/priv-ca2.csr" -CA "$PKI/ca2.crt" -CAkey "$PKI/ca2.key" -CAcreateserial \
	-days 3 -extfile "$PKI/priv-ca2.ext" -out "$PKI/priv-ca2.crt"
PIN=$(openssl x509 -in "$PKI/pin-good.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 \
	-subj "/CN=$NAME" -addext "subjectAltName=DNS:$NAME" \
	-keyout "$PKI/impostor.key" -out "$PKI/impostor.crt"

RN_SIP_CONFIG="sip:
  user_agent: Rampart
  t1_ms: 500
  resolvers: [$RN_CAR_PEER]
  control_socket: $RN_CP_SOCK
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 },
                 { transport: tls, port: 5061, certificate: $RN_ROOT/config/tls/example.crt,
                   private_key: $RN_ROOT/config/tls/example.key, ca_file: $PKI/ca.crt,
                   verify_peer: true }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 }] }
trunks:
  - { name: tls-carrier, side: carrier, interface: s-carrier, targets: [$NAME],
      transport: tls, codecs: [PCMU, telephone-event] }
  - { name: tls-private, side: carrier, interface: s-carrier, targets: [\"priv.rampart.test:5062\"],
      transport: tls, tls_ca_file: $PKI/ca2.crt, codecs: [PCMU, telephone-event] }
  - { name: tls-pinned, side: carrier, interface: s-carrier, targets: [\"pin.rampart.test:5063\"],
      transport: tls, tls_pin_sha256: [\"$PIN\"], codecs: [PCMU, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, codecs: [PCMU, telephone-event] }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
t0=$SECONDS
rn_topology_up
rn_sip_up
e2e_carrier_hosts
rn_config_write

trap 'rc=$?; e2e_dns_stop; set +e; (exit "$rc"); e2e_cleanup' EXIT
e2e_dns_start \
	--naptr-record=$NAME,5,10,S,SIP+D2U,,_sip._udp.$NAME \
	--naptr-record=$NAME,10,10,S,SIPS+D2T,,_sips._tcp.$NAME \
	--srv-host=_sip._udp.$NAME,sip-a.rampart.test,5060,10,50 \
	--srv-host=_sips._tcp.$NAME,sip-a.rampart.test,5061,10,50 \
	--srv-host=_sips._tcp.$NAME,sip-b.rampart.test,5061,20,50 \
	--host-record=sip-a.rampart.test,$SIP_A \
	--host-record=sip-b.rampart.test,$SIP_B \
	--host-record=priv.rampart.test,$SIP_B \
	--host-record=pin.rampart.test,$SIP_B

e2e_fake_dataplane_start
rn_controlplane_start

# responder ADDR NAME CERT [options]: a TLS SIP peer on ADDR:${PORT:-5061} (PID in last_resp).
responder() {
	local addr=$1 name=$2 cert=$3 port=${PORT:-5061}
	shift 3
	ip netns exec "$RN_NS_CAR" python3 "$E2E_DIR/sip_responder.py" --bind "$addr:$port" \
		--log "$rn_dir/$name.log" --tls-cert "$PKI/$cert.crt" --tls-key "$PKI/$cert.key" \
		--invite-status 486 --seconds 60 "$@" &
	last_resp=$!
	rn_peer_pids+=("$last_resp")
	for _ in $(seq 50); do
		ip netns exec "$RN_NS_CAR" ss -Hltn "src $addr:$port" | grep -q . && return 0
		sleep 0.1
	done
	rn_fail "$name: not listening"
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

responder "$SIP_B" good-b good

# case NAME CERT REASON [responder options]: sip-a serves CERT; the call fails over.
case_refused() {
	local name=$1 cert=$2 reason=$3 t1 t2
	shift 3
	responder "$SIP_A" "$name-a" "$cert" "$@"
	local ra=$last_resp
	t1=$(rn_now_ms)
	RN_SIPP_TIMEOUT=20 sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_carrier.xml -s 4000 \
		-key ruri_host "$NAME" "$RN_PBX_SIP:5060"
	sipp_wait "$last_sipp_pid" "$name-pbx"
	t2=$(rn_now_ms)
	stop_pid "$ra"
	grep -q '^SIP/2.0 486 ' "$rn_dir/$name-pbx-sipp-msg.log" ||
		rn_fail "$name: the call did not reach sip-b: $(grep '^SIP/2.0' "$rn_dir/$name-pbx-sipp-msg.log" | tr '\n' ' ')"
	! grep -q '^INVITE' "$rn_dir/$name-a.log" || rn_fail "$name: sip-a received an INVITE"
	grep -q "tls: to $SIP_A:5061 ($NAME): .*$reason" "$RN_CP_LOG.start" ||
		rn_fail "$name: no '$reason' in the log: $(grep 'tls: to' "$RN_CP_LOG.start" | tail -n 3)"
	[ $((t2 - t1)) -lt 5000 ] || rn_fail "$name: the failover took $((t2 - t1)) ms"
	rn_log "$name: PASS (refused: $reason; sip-b reached in $((t2 - t1)) ms)"
}
case_refused impostor impostor "certificate not valid: self.signed certificate"
case_refused wrong-san wrongsan "certificate not valid: hostname mismatch"
case_refused expired expired "certificate not valid: certificate has expired"
case_refused tls11 good "handshake failed" --tls-max 1.1
grep -q "^INVITE" "$rn_dir/good-b.log" || rn_fail "sip-b got no INVITE"
! grep 'tls-carrier (tls.rampart.test) via .* next hop' "$RN_CP_LOG.start" | grep -vq 'transport=tls' ||
	rn_fail "a TLS trunk's call used another transport"

# ---- per-trunk CA and pinning: one target each, on sip-b ----
# trunk_case NAME RURI_HOST PORT CERT STATUS [LOG]: the call to RURI_HOST
# with sip-b:PORT serving CERT ends with STATUS (486: reached; 503:
# refused, nothing sent, LOG in the control plane's log).
trunk_case() {
	local name=$1 host=$2 port=$3 cert=$4 st=$5 why=${6:-}
	PORT=$port responder "$SIP_B" "$name-b" "$cert"
	local rb=$last_resp
	RN_SIPP_TIMEOUT=20 sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_carrier.xml -s 4000 \
		-key ruri_host "$host" "$RN_PBX_SIP:5060"
	sipp_wait "$last_sipp_pid" "$name-pbx"
	stop_pid "$rb"
	grep -q "^SIP/2.0 $st " "$rn_dir/$name-pbx-sipp-msg.log" ||
		rn_fail "$name: not $st: $(grep '^SIP/2.0' "$rn_dir/$name-pbx-sipp-msg.log" | tr '\n' ' ')"
	if [ "$st" = 503 ]; then
		! grep -q '^INVITE' "$rn_dir/$name-b.log" || rn_fail "$name: the server got an INVITE"
		grep -q "tls: to $SIP_B:$port ($host): .*$why" "$RN_CP_LOG.start" ||
			rn_fail "$name: no '$why' in the log: $(grep 'tls: to' "$RN_CP_LOG.start" | tail -n 2)"
	fi
	rn_log "$name: PASS ($st)"
}
trunk_case private-ca-ok priv.rampart.test 5062 priv-ca2 486
trunk_case private-ca-other priv.rampart.test 5062 priv-ca1 503 "certificate not valid"
trunk_case pinned-ok pin.rampart.test 5063 pin-good 486
trunk_case pinned-other pin.rampart.test 5063 pin-other 503 "not one of the trunk's tls_pin_sha256"

# ---- mutual TLS on our listener ----
TLS_UAC=$E2E_DIR/sip_tls_uac.py
ip netns exec "$RN_NS_CAR" python3 "$TLS_UAC" probe --to "$RN_CAR_SIP:5061" --bind "$RN_CAR_PEER" \
	--ca "$RN_ROOT/config/tls/example-ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key" \
	--timeout 5 >"$rn_dir/mtls-ok.txt" 2>&1 || rn_fail "mutual TLS: the CA's client refused: $(cat "$rn_dir/mtls-ok.txt")"
! ip netns exec "$RN_NS_CAR" python3 "$TLS_UAC" probe --to "$RN_CAR_SIP:5061" --bind "$RN_CAR_PEER" \
	--ca "$RN_ROOT/config/tls/example-ca.crt" --timeout 5 >"$rn_dir/mtls-no.txt" 2>&1 ||
	rn_fail "mutual TLS: a client without a certificate was accepted"
! ip netns exec "$RN_NS_CAR" python3 "$TLS_UAC" probe --to "$RN_CAR_SIP:5061" --bind "$RN_CAR_PEER" \
	--ca "$RN_ROOT/config/tls/example-ca.crt" --cert "$PKI/impostor.crt" --key "$PKI/impostor.key" \
	--timeout 5 >"$rn_dir/mtls-bad.txt" 2>&1 ||
	rn_fail "mutual TLS: a client with another CA's certificate was accepted"
rn_log "mutual TLS: PASS ($(cat "$rn_dir/mtls-ok.txt"); without: $(cat "$rn_dir/mtls-no.txt"))"

rn_controlplane_stop 5
[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with $RN_CP_STATUS"
rn_log "PASS ($((SECONDS - t0)) s)"
