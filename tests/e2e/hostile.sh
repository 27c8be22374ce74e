#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `e2e`, test `hostile`: hostile TCP and TLS peers against
# sbc-controlplane's connection handling (sip.limits, docs/security.md
# "Connections"); fake data plane (signalling only); the peers are
# tests/e2e/hostile_peer.py, from the PBX namespace.  Each phase starts its
# own control plane.  HOSTILE_PHASES="closewait idle" runs only those
# (default: all, in this order).
#
#   closewait   over TCP, one connection per message: an unknown method,
#               RFC 4475's intmeth, dblreq (REGISTER and INVITE in one
#               segment), lwsruri (whitespace in the Request-URI), bigcode
#               (status 4294967301) and a nine-digit status; each closed by
#               the peer after a second.  Within 3 s nothing of ours is in
#               CLOSE-WAIT and the control plane has its descriptors of before.
#   exhaust     the control plane with 1024 descriptors (the incident's
#               budget: max_connections is lowered to fit), 250 per source;
#               a TLS call and a TLS connection up first; then 1,200 TCP
#               connections held from four more sources, 300 each: the
#               first 250 of each source kept until the total is reached,
#               the rest reset; one log line.  Meanwhile a UDP call goes
#               through, OPTIONS on the TLS connection up is answered, a
#               new TLS connection is refused, sbcctl answers, the loop is
#               idle, the descriptors bounded.  Released: the TLS call ends
#               normally, the descriptors are back, a new TLS OPTIONS works.
#   idle        idle_timeout_s 2, tls_handshake_timeout_s 1: a TCP connection
#               after an OPTIONS, a TCP connection that sends nothing, a TLS
#               one after its handshake, and a half-sent request are closed
#               after about 2 s; a TCP connection to the TLS port with no
#               handshake after about 1 s.
#   bigbody     an INVITE with a 10 MB body over TCP (max_message_bytes
#               65536 by default): 413, the connection closed by us, nothing
#               left in CLOSE-WAIT, the descriptors back.
#   torture     RFC 4475's messages (tests/e2e/torture.py: which, and what
#               each must get), from the PBX trunk's source over UDP, TCP and
#               TLS at once, twice; INVITEs go to the carrier, whose side
#               (torture.py uas) answers 486.  One line per message:
#               "torture NAME transport=T reply=CODE expected=SET ok|KNOWN|FAIL".
#               KNOWN: a defect reported and not fixed yet (torture.py's
#               KNOWN_DEFECTS), which passes unless TORTURE_STRICT=1.  Then:
#               still alive, sbcctl stats answers, nothing in CLOSE-WAIT, the
#               descriptors of before, nothing of escruri's or bcast's
#               reached the carrier, and the RSS grew by at most
#               TORTURE_RSS_KB (640) over the second run (measured 7 s after
#               each run: t1_ms 100, so its transactions are gone; about
#               300 kB seen without TLS, 470 kB with it (TLS session cache);
#               a message leaked per request would add 400 kB and more, an
#               SSL kept per TLS connection 1,700 kB; not judged under
#               AddressSanitizer).  TORTURE_RUNS (2) and
#               TORTURE_TRANSPORTS ("udp tcp tls") change the set's runs.
#
# usage: hostile.sh FAKE_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/netns-lib.sh
. "$E2E_DIR/../../scripts/netns-lib.sh"
# shellcheck source=tests/e2e/e2e_lib.sh
. "$E2E_DIR/e2e_lib.sh"

PEER=$E2E_DIR/hostile_peer.py
TLS_UAC=$E2E_DIR/sip_tls_uac.py
TORTURE=$E2E_DIR/torture.py
TORTURE_RUNS=${TORTURE_RUNS:-2}        # the torture set, this many times
TORTURE_TRANSPORTS=${TORTURE_TRANSPORTS:-udp tcp tls}
TORTURE_RSS_KB=${TORTURE_RSS_KB:-640}   # RSS growth allowed over its last run
PHASES=${HOSTILE_PHASES:-closewait exhaust idle bigbody torture}
SOURCES=(198.18.1.21 198.18.1.22 198.18.1.23 198.18.1.24)   # the flood's, on the PBX side
PER_SOURCE=250
FLOOD_EACH=300          # connections each flood source opens (1,200 in all)

e2e_start hostile "$@"

rn_init $$ hostile
CDR=$rn_dir/cdr.jsonl
CA=$RN_ROOT/config/tls/example-ca.crt

# sip_config: RN_SIP_CONFIG; $LIMITS (a YAML flow mapping) as sip.limits when set.
sip_config() {
	RN_SIP_CONFIG="sip:
  user_agent: Rampart
  control_socket: $RN_CP_SOCK${LIMITS:+
  limits: $LIMITS}
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 },
                 { transport: tls, port: 5061, certificate: $RN_ROOT/config/tls/example.crt,
                   private_key: $RN_ROOT/config/tls/example.key }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, sources: [$RN_CAR_PEER/32],
      targets: [\"$RN_CAR_PEER:5060\"], transport: udp, codecs: [PCMU, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, codecs: [PCMU, telephone-event] }
cdr: { enabled: true, path: $CDR }
log: { level: info }"
}

# cp_start [LIMITS [NOFILE]]: the control plane on a config with those
# limits, with NOFILE descriptors (soft and hard) when given.
cp_start() {
	local real=$RN_CONTROLPLANE

	LIMITS=${1:-}
	sip_config
	rn_config_write
	if [ -n "${2:-}" ]; then
		# Its own limit only (lowering ours could not be undone without
		# CAP_SYS_RESOURCE); exec keeps the PID rn_controlplane_start takes.
		printf '#!/bin/bash\nulimit -n %d || exit 1\nexec %q "$@"\n' "$2" "$real" \
			>"$rn_dir/cp-nofile.sh"
		chmod +x "$rn_dir/cp-nofile.sh"
		RN_CONTROLPLANE=$rn_dir/cp-nofile.sh
		rn_controlplane_start
		RN_CONTROLPLANE=$real
	else
		rn_controlplane_start
	fi
}

cp_stop() {
	rn_controlplane_stop 10
	[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with status $RN_CP_STATUS"
}

fds() { find "/proc/$rn_cp_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# ours_in STATE: our SIP connections (ports 5060, 5061) in that TCP state.
ours_in() {
	ss -Htan state "$1" '( sport = :5060 or sport = :5061 )' | wc -l
}
peer() { ip netns exec "$RN_NS_PBX" python3 "$PEER" "$@"; }
ctl() { "$SBCCTL" -s "$RN_CP_SOCK" -w 5 "$@"; }
# cpu_ticks: the control plane's user + system time, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$rn_cp_pid/stat"; }

# no_close_wait MAX_S: nothing of ours in CLOSE-WAIT, waiting up to MAX_S.
no_close_wait() {
	local i

	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(ours_in close-wait)" -eq 0 ] && return 0
		sleep 0.1
	done
	ss -tanp state close-wait '( sport = :5060 or sport = :5061 )' >&2 || true
	return 1
}

# fds_back NAME FD0 MAX_S: the control plane's descriptors at FD0 or fewer within MAX_S.
fds_back() {
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(fds)" -le "$2" ] && return 0
		sleep 0.1
	done
	ss -tanp '( sport = :5060 or sport = :5061 )' >&2 || true
	rn_fail "$1: $(fds) descriptors, $2 before"
}

# wait_file FILE MAX_S: until FILE exists (bounded).
wait_file() {
	local i

	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# in_range NAME VALUE MIN MAX
in_range() {
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		rn_fail "$1: $2 is not in [$3, $4]"
	fi
}

want() {
	case " $PHASES " in *" $1 "*) return 0 ;; esac
	return 1
}

rn_topology_up
rn_sip_up
for ip in "${SOURCES[@]}"; do
	ip -n "$RN_NS_PBX" addr add "$ip/24" dev eth0 || rn_fail "address $ip"
done
sip_config
rn_config_write
e2e_fake_dataplane_start

# ---- closewait ----
if want closewait; then
	cp_start
	fd0=$(fds)
	for m in unknown intmeth dblreq lwsruri bigcode oddcode; do
		out=$(peer send --to "$RN_PBX_SIP:5060" --bind "$RN_PBX_PEER" --msg "$m" \
			--wait-ms 1000 --timeout 10) || rn_fail "closewait: $m: the peer failed"
		rn_log "closewait: $out"
	done
	no_close_wait 3 ||
		rn_fail "closewait: $(ours_in close-wait) connections left in CLOSE-WAIT 3 s after the peers closed (descriptors: $fd0 before, $(fds) now)"
	fds_back closewait "$fd0" 3
	rn_log "closewait: PASS (no CLOSE-WAIT, $(fds) descriptors as before: $fd0)"
	cp_stop
fi

# ---- exhaust ----
if want exhaust; then
	name=exhaust
	rel=$rn_dir/$name-release
	go=$rn_dir/$name-go
	rm -f "$rel" "$go" "$rel.ready"
	cp_start "{ max_connections_per_source: $PER_SOURCE, idle_timeout_s: 120 }" 1024
	max=$(sed -n 's/.*TCP\/TLS connections: at most \([0-9]*\),.*/\1/p' "$RN_CP_LOG.start")
	[ "$max" = $((1024 - 128)) ] ||
		rn_fail "$name: want max_connections lowered to 896 for 1024 descriptors: '$max'"
	grep -q 'max_connections 4096 lowered to 896' "$RN_CP_LOG.start" ||
		rn_fail "$name: the lowered limit is not logged"
	fd0=$(fds)
	lines=$(cdr_lines)
	sipp_run "$name-carrier" "$RN_NS_CAR" "$RN_CAR_PEER" uas_answer.xml -m 2
	uas=$last_sipp_pid
	sleep 0.3
	# A call over TLS up before the flood, ended after it.
	ip netns exec "$RN_NS_PBX" python3 "$TLS_UAC" call --to "$RN_PBX_SIP:5061" \
		--bind "$RN_PBX_PEER" --ca "$CA" --media "$RN_PBX_PEER:$RN_PBX_PEER_PORT" \
		--hold-ms 60000 --hold-until "$rel" --timeout 20 --trace "$rn_dir/$name-tls-msg.log" \
		>"$rn_dir/$name-tls.out" 2>"$rn_dir/$name-tls.err" </dev/null &
	tls_call=$!
	rn_peer_pids+=("$tls_call")
	for ((i = 0; i < 100; i++)); do
		grep -q '^SIP/2.0 200' "$rn_dir/$name-tls-msg.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^SIP/2.0 200' "$rn_dir/$name-tls-msg.log" ||
		rn_fail "$name: the TLS call before the flood was not answered: $(cat "$rn_dir/$name-tls.err")"
	# A TLS connection up before the flood: OPTIONS before and during it.
	peer keep --tls --ca "$CA" --to "$RN_PBX_SIP:5061" --bind "$RN_PBX_PEER" --go "$go" \
		--timeout 120 >"$rn_dir/$name-keep.out" 2>&1 &
	keep_pid=$!
	rn_peer_pids+=("$keep_pid")
	sleep 1
	cpu0=$(cpu_ticks)
	bind=$(IFS=,; echo "${SOURCES[*]}")
	t_flood=$(rn_now_ms)
	peer hold --to "$RN_PBX_SIP:5060" --bind "$bind" --per-source "$FLOOD_EACH" \
		--ready "$rel.ready" --release "$rel" --timeout 150 \
		>"$rn_dir/$name-hold.out" 2>&1 &
	hold=$!
	rn_peer_pids+=("$hold")
	wait_file "$rel.ready" 90 || rn_fail "$name: the flood did not finish opening in 90 s"
	t_flood=$(($(rn_now_ms) - t_flood))
	got=$(cat "$rel.ready")
	rn_log "$name: flood of $((FLOOD_EACH * ${#SOURCES[@]})) from ${#SOURCES[@]} sources: $got"
	# Kept: PER_SOURCE from each source until the total (less the 2 TLS connections up).
	# (A reset that beats the peer's own look at its connect() counts as refused there.)
	want_held=$((max - 2))
	total=$((FLOOD_EACH * ${#SOURCES[@]}))
	held=$(sed -n 's/.* held=\([0-9]*\)$/\1/p' <<<"$got")
	gone=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == "refused" || kv[1] == "closed") n += kv[2] } } END { print n + 0 }' <<<"$got")
	[ "$held" = "$want_held" ] && [ "$gone" -eq $((total - want_held)) ] ||
		rn_fail "$name: want $want_held held of the flood, the rest reset: $got"
	# One line per 10 s window (SBC_SIP_CONN_LOG_WINDOW_MS): a flood that
	# took longer to open (ASan on 2 loaded cores: 12 s seen) spans two.
	nlog=$(grep -c 'refusing new TCP/TLS connections' "$RN_CP_LOG.start" || true)
	maxlog=$((1 + t_flood / 10000))
	[ "$nlog" -ge 1 ] && [ "$nlog" -le "$maxlog" ] ||
		rn_fail "$name: want 1..$maxlog refusal lines in the log (flood opened in $t_flood ms), got $nlog"
	nfd=$(fds)
	in_range "$name: descriptors during the flood" "$nfd" "$((fd0 + want_held))" "$((fd0 + max + 16))"
	# Calls and connections up go on; a UDP call goes through.
	sipp_run "$name-pbx" "$RN_NS_PBX" "$RN_PBX_PEER" uac_call.xml -s 4000 -d 200 "$RN_PBX_SIP:5060"
	sipp_wait "$last_sipp_pid" "$name-pbx"
	if peer options --tls --ca "$CA" --to "$RN_PBX_SIP:5061" --bind "$RN_PBX_PEER" --timeout 5 \
		>"$rn_dir/$name-new.out" 2>&1; then
		rn_fail "$name: a new TLS connection was admitted over max_connections"
	fi
	touch "$go"
	wait "$keep_pid" || rn_fail "$name: OPTIONS on the TLS connection up: $(cat "$rn_dir/$name-keep.out")"
	rn_peer_pids=("$tls_call" "$hold")   # reaped: never signalled again
	grep -q '^keep: 200 200$' "$rn_dir/$name-keep.out" || rn_fail "$name: $(cat "$rn_dir/$name-keep.out")"
	ctl stats >"$rn_dir/$name-stats.txt" || rn_fail "$name: sbcctl stats did not answer during the flood"
	# The loop is not spinning: under a fifth of a CPU over 2 s with everything held.
	cpu1=$(cpu_ticks)
	sleep 2
	cpu2=$(cpu_ticks)
	[ $((cpu2 - cpu1)) -le 40 ] || rn_fail "$name: $((cpu2 - cpu1)) CPU ticks in 2 s while held"
	rn_log "$name: PASS while held ($want_held held, the rest reset, 1 log line; UDP call, OPTIONS on the TLS connection up, sbcctl fine; a new TLS connection refused; $nfd descriptors, $((cpu2 - cpu1)) ticks in 2 s, $((cpu1 - cpu0)) for the flood)"
	touch "$rel"
	wait "$hold" || rn_fail "$name: the flood's peer failed: $(cat "$rn_dir/$name-hold.out")"
	wait "$tls_call" || rn_fail "$name: the TLS call up during the flood failed: $(cat "$rn_dir/$name-tls.err")"
	rn_peer_pids=()
	sipp_wait "$uas" "$name-carrier"
	[ "$(cdr_count "$lines" '"disposition":"answered"')" -eq 2 ] ||
		rn_fail "$name: want 2 answered calls: $(tail -n 2 "$CDR")"
	fds_back "$name" "$fd0" 10
	no_close_wait 3 || rn_fail "$name: CLOSE-WAIT left after the flood"
	peer options --tls --ca "$CA" --to "$RN_PBX_SIP:5061" --bind "$RN_PBX_PEER" --timeout 5 \
		>"$rn_dir/$name-after.out" 2>&1 ||
		rn_fail "$name: a TLS OPTIONS after the flood: $(cat "$rn_dir/$name-after.out")"
	rn_log "$name: PASS after (the TLS call ended normally, 2 answered CDRs, $(fds) descriptors as before: $fd0, a new TLS OPTIONS answered)"
	cp_stop
fi

# ---- idle ----
if want idle; then
	name=idle
	cp_start "{ idle_timeout_s: 2, tls_handshake_timeout_s: 1 }"
	fd0=$(fds)
	# idle_case LABEL MIN_MS MAX_MS PEER_ARGS...: the server closes the connection in [MIN_MS, MAX_MS].
	idle_case() {
		local label=$1 lo=$2 hi=$3 out ms
		shift 3

		out=$(peer idle --bind "$RN_PBX_PEER" --timeout 10 "$@") ||
			rn_fail "$name: $label: $out"
		ms=$(sed -n 's/^closed after \([0-9]*\) ms$/\1/p' <<<"$out")
		in_range "$name: $label closed after (ms)" "${ms:-0}" "$lo" "$hi"
		rn_log "$name: $label: $out"
	}
	idle_case "TCP after an OPTIONS" 1500 4500 --to "$RN_PBX_SIP:5060" --options &
	a=$!
	idle_case "TCP silent since its accept" 1500 4500 --to "$RN_PBX_SIP:5060" &
	b=$!
	idle_case "TLS after its handshake" 1500 4500 --to "$RN_PBX_SIP:5061" --tls --ca "$CA" &
	c=$!
	idle_case "TLS port, no handshake" 600 1900 --to "$RN_PBX_SIP:5061" --tls --ca "$CA" \
		--no-handshake &
	d=$!
	idle_case "TCP, half a request" 1500 6500 --to "$RN_PBX_SIP:5060" --partial &
	e=$!
	for p in "$a" "$b" "$c" "$d" "$e"; do
		wait "$p" || rn_fail "$name: a case failed (above)"
	done
	no_close_wait 3 || rn_fail "$name: CLOSE-WAIT left"
	fds_back "$name" "$fd0" 3
	rn_log "$name: PASS (idle connections closed after idle_timeout_s, a TLS connection without handshake after tls_handshake_timeout_s)"
	cp_stop
fi

# ---- bigbody ----
if want bigbody; then
	name=bigbody
	cp_start
	fd0=$(fds)
	out=$(peer bigbody --to "$RN_PBX_SIP:5060" --bind "$RN_PBX_PEER" --size $((10 * 1024 * 1024)) \
		--wait-ms 3000 --timeout 20) || rn_fail "$name: the peer failed: $out"
	rn_log "$name: $out"
	grep -q 'got \(100,\)\?413 .*closed-by-server=yes' <<<"$out" ||
		rn_fail "$name: want 413 and the connection closed by us: $out"
	no_close_wait 3 || rn_fail "$name: CLOSE-WAIT left"
	fds_back "$name" "$fd0" 3
	rn_log "$name: PASS (413, the connection closed, $(fds) descriptors as before: $fd0)"
	cp_stop
fi

# ---- torture ----
if want torture; then
	name=torture
	# t1_ms 100: a run's transactions are gone 64 * T1 = 6.4 s after it
	# (timers J, D; ACKed INVITEs: T4, 5 s), before its memory is read.
	sip_config
	RN_SIP_CONFIG=${RN_SIP_CONFIG/$'\n  control_socket:'/$'\n  t1_ms: 100\n  control_socket:'}
	# The set's INVITEs, three transports at once, over the PBX trunk's 10-call burst.
	pbx_target="targets: [\"$RN_PBX_PEER:5060\"],"
	RN_SIP_CONFIG=${RN_SIP_CONFIG/"$pbx_target"/"$pbx_target cpm_limit: 100000, cpm_burst: 1000,"}
	rn_config_write
	rn_controlplane_start
	ip netns exec "$RN_NS_CAR" python3 "$TORTURE" uas --bind "$RN_CAR_PEER:5060" \
		--log "$rn_dir/$name-carrier.log" --ready "$rn_dir/$name-uas.ready" --seconds 120 \
		>"$rn_dir/$name-uas.out" 2>&1 &
	uas=$!
	rn_peer_pids+=("$uas")
	wait_file "$rn_dir/$name-uas.ready" 10 || rn_fail "$name: the carrier's side did not start"
	cp_rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$rn_cp_pid/status"; }
	fd0=$(fds)
	rss=("$(cp_rss)")
	t0=$SECONDS
	fails=0
	for ((run = 1; run <= TORTURE_RUNS; run++)); do
		pids=()
		for t in $TORTURE_TRANSPORTS; do
			port=5060
			[ "$t" = tls ] && port=5061
			ip netns exec "$RN_NS_PBX" python3 "$TORTURE" run --transport "$t" \
				--to "$RN_PBX_SIP:$port" --bind "$RN_PBX_PEER" --ca "$CA" --tag "r$run" \
				${TORTURE_STRICT:+--strict} --timeout 40 >"$rn_dir/$name-$run-$t.out" 2>&1 &
			pids+=("$!")
		done
		for p in "${pids[@]}"; do
			wait "$p" || fails=$((fails + 1))
		done
		rn_cp_alive || rn_fail "$name: the control plane is gone after run $run: $(tail -n 5 "$RN_CP_LOG.start")"
		for t in $TORTURE_TRANSPORTS; do
			sed "s/^/$RN_LABEL: run $run: /" "$rn_dir/$name-$run-$t.out"
		done
		sleep 7
		rss+=("$(cp_rss)")
	done
	grow=$((rss[TORTURE_RUNS] - rss[TORTURE_RUNS - 1]))
	rn_log "$name: $TORTURE_RUNS runs in $((SECONDS - t0)) s; RSS (kB) before and after each: ${rss[*]}"
	ctl stats >"$rn_dir/$name-stats.txt" || rn_fail "$name: sbcctl stats did not answer after the set"
	no_close_wait 3 || rn_fail "$name: $(ours_in close-wait) connections in CLOSE-WAIT after the set"
	fds_back "$name" "$fd0" 5
	if grep -qa '198\.18\.1\.66' "$rn_dir/$name-carrier.log"; then
		rn_fail "$name: escruri's escaped Route reached the carrier"
	fi
	if grep -qa '255\.255\.255\.255' "$rn_dir/$name-carrier.log"; then
		rn_fail "$name: bcast's broadcast Via reached the carrier"
	fi
	# Each accepted TLS connection used to keep its SSL (Sofia 1.12.11's
	# tls_free() never frees it: 23 to 50 kB a connection, 1.7 MB a run);
	# tls_interpose.c frees it now.  Under AddressSanitizer the RSS says
	# nothing (freed memory is quarantined).
	if [[ "${ASAN_OPTIONS:-}" == *abort_on_error* ]]; then
		rn_log "$name: RSS not judged under AddressSanitizer (+$grow kB)"
		grow=0
	fi
	[ "$grow" -le "$TORTURE_RSS_KB" ] ||
		rn_fail "$name: RSS grew by $grow kB over the last run (bound $TORTURE_RSS_KB kB)"
	[ "$fails" -eq 0 ] ||
		rn_fail "$name: $(cat "$rn_dir/$name"-*.out | grep -c ' FAIL' || true) outcomes not as expected (FAIL above)"
	known=$(cat "$rn_dir/$name"-*.out | grep -c ' KNOWN' || true)
	kill -TERM "$uas" 2>/dev/null || true
	wait "$uas" 2>/dev/null || true
	rn_peer_pids=()
	rn_log "$name: PASS ($TORTURE_RUNS x $(python3 "$TORTURE" list | wc -l) messages over $TORTURE_TRANSPORTS, $known outcomes KNOWN defects; sbcctl answers, no CLOSE-WAIT, $(fds) descriptors as before: $fd0, RSS +$grow kB over the last run)"
	cp_stop
fi

rn_log "PASS ($PHASES) in $SECONDS s"
