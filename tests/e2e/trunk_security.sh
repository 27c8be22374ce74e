#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `trunk-security`: who gets in, and how many,
# through sbc-controlplane and sbc-dataplane between network namespaces
# (topology: scripts/netns-lib.sh; SIPp, and our TLS caller for TLS).
#
# Trunks on the PBX side: `pbx` (source 198.18.1.2, tenant acme, Network
# Numbers +441632960*), `pbx-key` (X-Terminating-Trunk-Group-Id +
# X-Trunk-Key, no source), `pbx2` (source 198.18.1.4, tenant beta),
# `pbx-auth` (source 198.18.1.5, digest credentials).  198.18.1.3 is
# listed by no trunk.
#
#   key-udp     group id + key over UDP: 403, even from a listed source.
#   key-tls     the same over TLS: admitted as trunk pbx-key (our Contact
#               names TLS and port 5061, toward the carrier UDP 5060); neither header
#               reaches the carrier.
#   key-wrong   a wrong key over TLS: 403.
#   tenant      carrier calls with Request-URI host beta.lon.rampart.example
#               (To names acme): delivered to pbx2; then acme: to pbx.
#   redirect    a 302 from the PBX is acted on inside: a new INVITE to its
#               Contact's user, the carrier sees one answered call.
#   digest      pbx-auth: 407, then admitted with the right password; 403
#               with a wrong one.
#   outbound-digest  the carrier answers 401: the INVITE is sent again with
#               the carrier trunk's credentials (SIPp verifies them); its
#               401 to our BYE is answered the same way.
#   pike        60 INVITEs at 50/s from the unlisted source: 403 (once each,
#               no 100) until the per-source limit (20 per second here)
#               blocks it, nothing at all after;
#               a call from the PBX goes through meanwhile.
#   concurrent  max_concurrent 2 (SIGHUP reload): 3 calls at once, 2
#               answered, 1 refused 503 with Retry-After.
#   reload      60 calls at 5/s held 3 s; meanwhile SIGHUP with a changed
#               config, with a broken one (refused, old one kept), and a
#               good one again: every call answered and ended normally.
#   location    an emergency call (112) with Geolocation headers and a
#               multipart/mixed body (SDP + PIDF-LO): headers and PIDF-LO
#               reach the carrier intact, the SDP part anchored, PAI kept.
#   privacy     PAI + Privacy: id toward an untrusted carrier: PAI stripped,
#               From anonymous; the same on a 999 call: both kept.
#   cpm         pbx limited to 60 calls per minute, burst 10 (reload); 10x
#               that offered for 60 s (600 calls at 10/s) with one emergency
#               call (999, PAI, Privacy: id) per second interleaved: the
#               admitted count within the bucket's bound, every other call
#               503 with Retry-After, all 60 emergency calls admitted with
#               their PAI intact at the carrier.
#
# E2E_KEEP=DIR copies the run's logs and traces there.
# Skipped (exit 77) unless run as root with `ip netns` and sipp.
#
# usage: trunk_security.sh SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

RN_SIPP_TIMEOUT=30
TLS_UAC=$E2E_DIR/sip_tls_uac.py
TG=tg-rampart-7
TK=e2e-trunk-key-0123456789abcdef
UNKNOWN=198.18.1.3
PBX2=198.18.1.4
PBX5=198.18.1.5
CPM=60
BURST=10
FLOOD_RATE=10                   # calls per second: 10x the 60 CPM limit
FLOOD_SECONDS=60

e2e_start trunk-security "$@"

rn_init $$ trunk-security
CDR=$rn_dir/cdr.jsonl
RUNTIME_DIRECTORY=$RN_CP_RUNTIME
CA=$RN_ROOT/config/tls/example-ca.crt

# sip_config CPM BURST MAX_CONCURRENT [CARRIER_TRUSTED]: RN_SIP_CONFIG with
# those limits on trunk pbx (the carrier trunk trusted unless "false").
sip_config() {
	RN_SIP_CONFIG="sip:
  user_agent: Rampart
  control_socket: $RN_CP_SOCK
  pike: { threshold: 20, window_ms: 1000, block_ms: 10000 }
  digest_algorithms: [MD5, SHA-256]   # SIPp answers only MD5, and only the first challenge
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 },
                 { transport: tls, port: 5061, certificate: $RN_ROOT/config/tls/example.crt,
                   private_key: $RN_ROOT/config/tls/example.key }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, sources: [$RN_CAR_PEER/32],
      targets: [\"$RN_CAR_PEER:5060\"], transport: udp, latching: learn, trusted: ${4:-true},
      codecs: [PCMU, PCMA, telephone-event], cpm_limit: 100000, cpm_burst: 100000,
      credentials: { username: rampart-out, password: e2e-outbound-password-1 } }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, latching: learn,
      codecs: [PCMU, PCMA, telephone-event], cpm_limit: $1, cpm_burst: $2,
      max_concurrent: $3 }
  - { name: pbx-key, side: enterprise, interface: s-pbx, trunk_group_id: $TG,
      trunk_key: \"$TK\", targets: [\"$RN_PBX_PEER:5060\"], transport: udp,
      latching: learn, codecs: [PCMU, PCMA, telephone-event] }
  - { name: pbx2, side: enterprise, interface: s-pbx, sources: [$PBX2/32],
      targets: [\"$PBX2:5060\"], transport: udp, latching: learn,
      codecs: [PCMU, PCMA, telephone-event] }
  - { name: pbx-auth, side: enterprise, interface: s-pbx, sources: [$PBX5/32],
      targets: [\"$PBX5:5060\"], transport: udp, latching: learn,
      codecs: [PCMU, PCMA, telephone-event],
      inbound_auth: { username: pbx5, password: e2e-digest-password-5,
                      realm: rampart.example } }
tenants:
  - { name: acme, domain: acme.lon.rampart.example, trunk: pbx,
      network_numbers: [\"+441632960*\"], default_pai: \"+441632960000\" }
  - { name: beta, domain: beta.lon.rampart.example, trunk: pbx2 }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
}

# reload CPM BURST MAX_CONCURRENT: rewrite the config, SIGHUP, wait for the verdict.
reload() {
	sip_config "$@"
	rn_config_write
	e2e_reload "to $*"
}

stats() {
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 stats >"$rn_dir/stats.txt" || rn_fail "sbcctl stats"
}

# stat_field LINE_PREFIX KEY: a counter of `sbcctl stats`.
stat_field() {
	awk -v p="$1" -v k="$2" 'index($0, p) == 1 { for (i = 1; i <= NF; i++) {
		split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$rn_dir/stats.txt"
}

t0=$SECONDS
rn_topology_up
rn_sip_up
for ip in "$UNKNOWN" "$PBX2" "$PBX5"; do
	ip -n "$RN_NS_PBX" addr add "$ip/24" dev eth0
done
sip_config 100000 100000 0
rn_config_write
rn_dataplane_start
rn_api_wait 30
rn_log "data plane up: $RN_HELLO"
rn_controlplane_start
rn_log "control plane up"

# ---- X-Trunk-Key only over TLS ----
name=key-udp
lines=$(cdr_lines)
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_key_udp.xml -s 4000 -key tg "$TG" \
	-key tk "$TK" "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
grep -q "refused: key_not_tls" "$RN_CP_LOG.start" || rn_fail "$name: no key_not_tls refusal logged"
! grep -qF "$TK" "$RN_CP_LOG.start" || rn_fail "$name: the trunk key appears in the log"
[ "$(cdr_lines)" -eq "$lines" ] || rn_fail "$name: a refused request made a CDR"
rn_log "$name: PASS (trunk key over UDP: 403)"

name=key-tls
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
	--header "X-Terminating-Trunk-Group-Id: $TG" --header "X-Trunk-Key: $TK" \
	--hold-ms 300 --timeout 10 --trace "$rn_dir/$name-pbx-msg.log" \
	>"$rn_dir/$name-pbx.out" 2>"$rn_dir/$name-pbx.err" </dev/null ||
	rn_fail "$name: the call with the right key over TLS failed: $(cat "$rn_dir/$name-pbx.err")"
sipp_wait "$uas" "$name-carrier"
! grep -qi 'X-Trunk-Key\|X-Terminating-Trunk-Group-Id' "$rn_dir/$name-carrier-sipp-msg.log" ||
	rn_fail "$name: a trunk header reached the carrier"
grep -qi '^INVITE ' "$rn_dir/$name-carrier-sipp-msg.log" || rn_fail "$name: no INVITE at the carrier"
[ "$(cdr_count "$lines" '"trunk_a":"pbx-key"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: no answered CDR for trunk pbx-key: $(tail -n 1 "$CDR")"
! grep -qF "$TK" "$RN_CP_LOG.start" "$CDR" || rn_fail "$name: the trunk key appears in a log"
# Our Contact names the transport and port of the dialog: a UA that follows
# it keeps ACK, BYE and re-INVITEs on TLS (it said ";transport=udp" and no
# port, so phones sent them in clear text to 5060); sip:, as the request was.
contacts=$(tr -d '\r' <"$rn_dir/$name-pbx-msg.log" | sed -n 's/^Contact: //p' | grep rampart | sort -u)
[ "$contacts" = "<sip:rampart@$RN_PBX_SIP:5061;transport=tls>" ] ||
	rn_fail "$name: our Contact toward the TLS PBX: $contacts"
contacts=$(tr -d '\r' <"$rn_dir/$name-carrier-sipp-msg.log" | sed -n 's/^Contact: //p' | grep rampart | sort -u)
[ "$contacts" = "<sip:rampart@$RN_CAR_SIP:5060;transport=udp>" ] ||
	rn_fail "$name: our Contact toward the UDP carrier: $contacts"
rn_log "$name: PASS (key over TLS: trunk pbx-key, headers stripped before the carrier, Contact on TLS 5061)"

name=key-wrong
! ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
	--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
	--header "X-Terminating-Trunk-Group-Id: $TG" --header "X-Trunk-Key: ${TK}x" \
	--hold-ms 0 --timeout 10 --trace "$rn_dir/$name-pbx-msg.log" \
	>"$rn_dir/$name-pbx.out" 2>"$rn_dir/$name-pbx.err" </dev/null ||
	rn_fail "$name: a wrong key was admitted"
grep -q 'INVITE answered 403' "$rn_dir/$name-pbx.err" ||
	rn_fail "$name: want 403: $(cat "$rn_dir/$name-pbx.err")"
rn_log "$name: PASS (wrong key: 403)"

# ---- tenant by Request-URI host, never To ----
name=tenant-beta
lines=$(cdr_lines)
sipp_run "$name-pbx" "$RN_NS_PBX" "$PBX2" uas_answer_bye.xml -d 500
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uac_tenant.xml -s 1000 \
	-key ruri_host beta.lon.rampart.example -key to_host acme.lon.rampart.example \
	"$RN_CAR_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-carrier"
sipp_wait "$uas" "$name-pbx"
[ "$(cdr_count "$lines" '"trunk_a":"carrier"' '"trunk_b":"pbx2"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: not delivered to pbx2: $(tail -n 1 "$CDR")"
name=tenant-acme
lines=$(cdr_lines)
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uas_answer_bye.xml -d 500
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uac_tenant.xml -s 1000 \
	-key ruri_host acme.lon.rampart.example -key to_host beta.lon.rampart.example \
	"$RN_CAR_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-carrier"
sipp_wait "$uas" "$name-pbx"
[ "$(cdr_count "$lines" '"trunk_a":"carrier"' '"trunk_b":"pbx"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: not delivered to pbx: $(tail -n 1 "$CDR")"
rn_log "tenant: PASS (beta.lon... -> pbx2, acme.lon... -> pbx, To ignored)"

# ---- a PBX's 302 is acted on inside ----
name=redirect
lines=$(cdr_lines)
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uas_redirect.xml -d 500
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uac_tenant.xml -s 1000 \
	-key ruri_host acme.lon.rampart.example -key to_host acme.lon.rampart.example \
	"$RN_CAR_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-carrier"
sipp_wait "$uas" "$name-pbx"
! grep -q '^SIP/2.0 30[12]' "$rn_dir/$name-carrier-sipp-msg.log" ||
	rn_fail "$name: the 302 was relayed to the carrier"
[ "$(cdr_count "$lines" '"trunk_b":"pbx"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: no answered CDR"
grep -q 'redirected inside to 2001' "$RN_CP_LOG.start" || rn_fail "$name: not redirected by the B2BUA"
rn_log "$name: PASS (302 from the PBX to a host that does not resolve: new INVITE to 2001 inside, the carrier saw one answered call)"

# ---- digest challenge of a PBX ----
name=digest
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$PBX5" uac_auth.xml -s 4000 -d 300 \
	-auth_uri "4000@$RN_PBX_SIP:5060" "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
grep -q '^SIP/2.0 407' "$rn_dir/$name-pbx-sipp-msg.log" || rn_fail "$name: no 407"
[ "$(grep '^Proxy-Authenticate: Digest ' "$rn_dir/$name-pbx-sipp-msg.log" | head -n 2 |
	sed 's/.*algorithm=\([A-Z0-9-]*\).*/\1/' | paste -sd ' ' -)" = "MD5 SHA-256" ] ||
	rn_fail "$name: want an MD5 then a SHA-256 challenge (sip.digest_algorithms)"
[ "$(cdr_count "$lines" '"trunk_a":"pbx-auth"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: no answered CDR for pbx-auth"
name=digest-bad
sipp_run "$name-pbx" "$RN_NS_PBX" "$PBX5" uac_auth_bad.xml -s 4000 \
	-auth_uri "4000@$RN_PBX_SIP:5060" "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
! grep -q 'e2e-digest-password-5' "$RN_CP_LOG.start" || rn_fail "$name: a password appears in the log"
rn_log "digest: PASS (407 with MD5 and SHA-256 challenges; right password admitted, wrong one 403)"

# ---- our digest answer to a carrier's challenge ----
name=outbound-digest
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_auth.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 -d 300 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
grep -q '^Authorization: Digest username="rampart-out"' "$rn_dir/$name-carrier-sipp-msg.log" ||
	rn_fail "$name: no credentials in the INVITE after the 401"
! grep -q 'e2e-outbound-password-1' "$rn_dir/$name-carrier-sipp-msg.log" "$RN_CP_LOG.start" ||
	rn_fail "$name: the password itself was sent or logged"
[ "$(cdr_count "$lines" '"trunk_b":"carrier"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: no answered CDR"
[ "$(grep -c '^Authorization: Digest username="rampart-out", .*nonce="e2e[0-9]*b1"' \
	"$rn_dir/$name-carrier-sipp-msg.log")" -ge 1 ] ||
	rn_fail "$name: the challenged BYE was not sent again with credentials"
! grep -q '^SIP/2.0 403' "$rn_dir/$name-carrier-sipp-msg.log" ||
	rn_fail "$name: the carrier refused our credentials"
rn_log "$name: PASS (401 to the INVITE and to the BYE answered with the trunk's credentials)"

# ---- the per-source limit (pike) on an unlisted source ----
name=pike
sipp_run "$name-unknown" "$RN_NS_PBX" "$UNKNOWN" uac_unknown.xml -s 4000 -r 50 -m 60 -l 60 \
	"$RN_PBX_SIP:5060"
pike_uac=$last_sipp_pid
sleep 0.5
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_cac.xml -s 4000 -d 200 "$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
# Status 1: the calls blocked sources get no answer to end by their timeout.
rn_sipp_wait "$pike_uac"
[ "$RN_SIPP_STATUS" -le 1 ] || rn_fail "SIPp $name-unknown exited with status $RN_SIPP_STATUS"
[ "$(cdr_count "$lines" '"trunk_a":"pbx"' '"disposition":"answered"')" -eq 1 ] ||
	rn_fail "$name: the PBX's call did not go through during the flood"
n403=$(grep -c '^SIP/2.0 403' "$rn_dir/$name-unknown-sipp-msg.log" || true)
n503=$(grep -c '^SIP/2.0 503' "$rn_dir/$name-unknown-sipp-msg.log" || true)
n100=$(grep -c '^SIP/2.0 100' "$rn_dir/$name-unknown-sipp-msg.log" || true)
[ "$n403" -ge 15 ] && [ "$n403" -le 30 ] && [ "$n503" -eq 0 ] && [ "$n100" -eq 0 ] ||
	rn_fail "$name: want about 20 x 403 then silence, got $n403 x 403, $n503 x 503, $n100 x 100"
grep -q "source $UNKNOWN over 20 requests per 1000 ms: blocked" "$RN_CP_LOG.start" ||
	rn_fail "$name: no block logged"
stats
[ "$(stat_field pike refused)" -ge 30 ] && [ "$(stat_field auth unknown_source)" -ge 60 ] ||
	rn_fail "$name: counters: $(cat "$rn_dir/stats.txt")"
rn_log "$name: PASS ($n403 x 403, then silence once blocked; the PBX's call went through)"

# ---- concurrent calls ----
name=concurrent
reload 100000 100000 2
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -m 2
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_cac.xml -s 4000 -d 3000 -r 10 -m 3 -l 3 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
[ "$(cdr_count "$lines" '"disposition":"answered"')" -eq 2 ] &&
	[ "$(cdr_count "$lines" '"disposition":"rejected"' '"sip_cause":503')" -eq 1 ] ||
	rn_fail "$name: want 2 answered and 1 refused: $(tail -n 3 "$CDR")"
grep -q '^Retry-After: 5' "$rn_dir/$name-pbx-sipp-msg.log" || rn_fail "$name: no Retry-After"
rn_log "$name: PASS (max_concurrent 2: third call 503, Retry-After 5)"

# ---- reload under load ----
name=reload
reload 100000 100000 0
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -m 60
uas=$last_sipp_pid
sleep 0.3
RN_SIPP_TIMEOUT=40 sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_cac.xml -s 4000 \
	-d 3000 -r 5 -m 60 "$RN_PBX_SIP:5060"
uac=$last_sipp_pid
sleep 3
reload 90000 90000 0
sleep 2
cp "$RN_CFG" "$rn_dir/good.yaml"
printf 'trunks: [\n' >>"$RN_CFG"            # a broken file: refused, the old one stays
kill -HUP "$rn_cp_pid"
for ((i = 0; i < 50; i++)); do
	grep -q 'reload refused: the running configuration stays' "$RN_CP_LOG.start" && break
	sleep 0.1
done
grep -q 'reload refused: the running configuration stays' "$RN_CP_LOG.start" ||
	rn_fail "$name: a broken config was not refused"
grep -q "reload refused: $RN_CFG:[0-9]*:[0-9]*: " "$RN_CP_LOG.start" ||
	rn_fail "$name: the refusal does not name file:line:column"
sleep 2
reload 100000 100000 0
sipp_wait "$uac" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
[ "$(cdr_count "$lines" '"disposition":"answered"' '"ended_by":"a"')" -eq 60 ] ||
	rn_fail "$name: want 60 calls answered and ended by the caller, got $(cdr_count "$lines" '"disposition":"answered"')"
stats
[ "$(stat_field config reloads)" -ge 4 ] && [ "$(stat_field config refused)" -ge 1 ] ||
	rn_fail "$name: $(grep '^config' "$rn_dir/stats.txt")"
rn_log "$name: PASS (60 calls across 2 reloads and 1 refused reload: all answered, none dropped)"

# ---- an emergency call with its location: Geolocation + multipart SDP/PIDF-LO ----
name=location
lines=$(cdr_lines)
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml
uas=$last_sipp_pid
sleep 0.3
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_emergency_loc.xml -s 112 -d 200 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
sipp_wait "$uas" "$name-carrier"
log=$rn_dir/$name-carrier-sipp-msg.log
grep -q '^Content-Type: multipart/mixed;boundary="rampart-boundary-1"' "$log" &&
	grep -q '^Geolocation: <cid:target123@pbx.example>' "$log" &&
	grep -q '^Geolocation-Routing: yes' "$log" &&
	grep -q '^Content-Type: application/pidf+xml' "$log" &&
	grep -q '^Content-ID: <target123@pbx.example>' "$log" &&
	grep -qF '<gml:pos>51.5074 -0.1278</gml:pos>' "$log" &&
	grep -q '^--rampart-boundary-1--' "$log" ||
	rn_fail "$name: the location did not reach the carrier intact"
grep -q "^c=IN IP4 $RN_CAR_SBC" "$log" || rn_fail "$name: the SDP part was not anchored"
! grep -q '^c=IN IP4 198\.18\.1\.' "$log" || rn_fail "$name: the PBX's media address leaked"
grep -q '^P-Asserted-Identity: <sip:+441632960123@' "$log" || rn_fail "$name: PAI withheld"
[ "$(cdr_count "$lines" '"disposition":"answered"')" -eq 1 ] || rn_fail "$name: no answered CDR"
rn_log "$name: PASS (112 with Geolocation and SDP + PIDF-LO: location intact, SDP anchored, PAI kept)"

# ---- Privacy: id toward an untrusted carrier; emergency calls exempt ----
name=privacy
reload 100000 100000 0 false
sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -m 2
uas=$last_sipp_pid
sleep 0.3
# uac_emergency.xml carries a PAI and Privacy: id; 4000 is no emergency number.
sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_emergency.xml -s 4000 -d 100 -m 1 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-pbx"
sipp_run "$name-sos" "$RN_NS_PBX" "$RN_PBX_PEER" uac_emergency.xml -s 999 -d 100 -m 1 \
	"$RN_PBX_SIP:5060"
sipp_wait "$last_sipp_pid" "$name-sos"
sipp_wait "$uas" "$name-carrier"
log=$rn_dir/$name-carrier-sipp-msg.log
awk '/^INVITE sip:4000/ { inv = 1 } inv && /^$/ { exit } inv' "$log" >"$rn_dir/$name-4000.txt"
awk '/^INVITE sip:999/ { inv = 1 } inv && /^$/ { exit } inv' "$log" >"$rn_dir/$name-999.txt"
[ -s "$rn_dir/$name-4000.txt" ] && [ -s "$rn_dir/$name-999.txt" ] || rn_fail "$name: INVITEs missing"
! grep -q '^P-Asserted-Identity' "$rn_dir/$name-4000.txt" &&
	grep -q '^From: "Anonymous" <sip:anonymous@anonymous.invalid>' "$rn_dir/$name-4000.txt" ||
	rn_fail "$name: Privacy: id not honoured toward the untrusted carrier"
grep -q '^P-Asserted-Identity: <sip:+441632960123@' "$rn_dir/$name-999.txt" &&
	! grep -q '^From: "Anonymous"' "$rn_dir/$name-999.txt" ||
	rn_fail "$name: the emergency call's identity was withheld"
rn_log "$name: PASS (Privacy: id: PAI stripped and From anonymous toward an untrusted carrier; 999: both kept)"

# ---- calls per minute, 10x over, emergency calls interleaved ----
name=cpm
reload "$CPM" "$BURST" 0
lines=$(cdr_lines)
RN_SIPP_TIMEOUT=$((FLOOD_SECONDS + 30)) sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" \
	uas_answer.xml -m 100000
uas=$last_sipp_pid
sleep 0.3
start=$SECONDS
RN_SIPP_TIMEOUT=$((FLOOD_SECONDS + 30)) sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" \
	uac_cac.xml -s 4000 -d 0 -r "$FLOOD_RATE" -m $((FLOOD_RATE * FLOOD_SECONDS)) \
	-l 1000 "$RN_PBX_SIP:5060"
flood=$last_sipp_pid
RN_SIPP_TIMEOUT=$((FLOOD_SECONDS + 30)) sipp_run "$name-emergency" "$RN_NS_PBX" \
	"$RN_PBX_PEER" uac_emergency.xml -p 5070 -s 999 -d 0 -r 1 -m "$FLOOD_SECONDS" \
	"$RN_PBX_SIP:5060"
emerg=$last_sipp_pid
sipp_wait "$flood" "$name-pbx"
elapsed=$((SECONDS - start))
sipp_wait "$emerg" "$name-emergency"
sleep 1
sipp_stop "$uas"
answered=$(cdr_count "$lines" '"trunk_a":"pbx"' '"disposition":"answered"')
refused=$(cdr_count "$lines" '"trunk_a":"pbx"' '"disposition":"rejected"' '"sip_cause":503')
admitted=$((answered - FLOOD_SECONDS))
# The bucket: BURST at once, then CPM per minute over the run.
max_ok=$((BURST + (elapsed * CPM + 59) / 60 + 1))
min_ok=$((BURST + ((elapsed - 3) * CPM) / 60))
[ "$admitted" -le "$max_ok" ] && [ "$admitted" -ge "$min_ok" ] ||
	rn_fail "$name: $admitted calls admitted in ${elapsed} s, want $min_ok..$max_ok"
[ "$((admitted + refused))" -eq $((FLOOD_RATE * FLOOD_SECONDS)) ] ||
	rn_fail "$name: $admitted admitted + $refused refused != $((FLOOD_RATE * FLOOD_SECONDS)) offered"
[ "$(grep -c '^Retry-After: [1-9]' "$rn_dir/$name-pbx-sipp-msg.log")" -eq "$refused" ] ||
	rn_fail "$name: not every 503 carries Retry-After"
n999=$(grep -c '^INVITE sip:999' "$rn_dir/$name-carrier-sipp-msg.log" || true)
npai=$(grep -c '^P-Asserted-Identity: <sip:+441632960123@' "$rn_dir/$name-carrier-sipp-msg.log" || true)
[ "$n999" -eq "$FLOOD_SECONDS" ] && [ "$npai" -eq "$FLOOD_SECONDS" ] ||
	rn_fail "$name: $n999 emergency INVITEs and $npai with the caller's PAI at the carrier (want $FLOOD_SECONDS)"
! grep -q '^From: "Anonymous"' <(grep -A12 '^INVITE sip:999' "$rn_dir/$name-carrier-sipp-msg.log") ||
	rn_fail "$name: an emergency call's From was anonymised"
stats
rn_log "$name: PASS ($((FLOOD_RATE * FLOOD_SECONDS)) offered in ${elapsed} s at ${CPM} CPM burst $BURST: $admitted admitted (bound $min_ok..$max_ok), $refused x 503 with Retry-After; $FLOOD_SECONDS emergency calls all admitted, PAI intact)"
grep '^cac trunk=pbx ' "$rn_dir/stats.txt"

rn_controlplane_stop 10
[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with status $RN_CP_STATUS"
rn_dataplane_stop 10
[ "$RN_DP_STATUS" -eq 0 ] || rn_fail "sbc-dataplane exited with status $RN_DP_STATUS"
rn_log "PASS in $((SECONDS - t0)) s"
