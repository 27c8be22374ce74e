# SPDX-License-Identifier: BSD-3-Clause
# Shared by the e2e suite's scripts (tests/e2e/*.sh), sourced after
# scripts/netns-lib.sh: the exit trap, SIPp runs, CDR and data plane checks.
# Needs CDR (the CDR file) for the cdr_* functions.

# The exit trap: on failure the tail of every log, E2E_KEEP=DIR keeps the
# run's logs, traces and CDR; then rn_cleanup removes what the run made.
e2e_cleanup() {
	local rc=$? f

	trap - EXIT INT TERM
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ] && [ "$rc" -ne 143 ] && [ -n "${rn_dir:-}" ]; then
		for f in "$rn_dir"/*.err "$rn_dir"/*sipp*.log "$rn_dir"/controlplane.log*; do
			[ -s "$f" ] || continue
			echo "---- $(basename "$f") (last 20 lines) ----" >&2
			tail -n 20 "$f" >&2
		done
	fi
	if [ -n "${E2E_KEEP:-}" ] && [ -n "${rn_dir:-}" ]; then
		if mkdir -p "$E2E_KEEP"; then
			cp -r "$rn_dir"/. "$E2E_KEEP"/ || true
		fi
	fi
	rn_cleanup "$rc"
	exit "$rc"
}

e2e_traps() {
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# sipp_run NAME NS ADDR SCENARIO [options]: rn_sipp_start; its PID in last_sipp_pid.
sipp_run() {
	rn_sipp_start "$@"
	last_sipp_pid=$RN_SIPP_PID
}

# sipp_wait PID NAME: its exit status must be 0.
sipp_wait() {
	rn_sipp_wait "$1"
	[ "$RN_SIPP_STATUS" -eq 0 ] || rn_fail "SIPp $2 exited with status $RN_SIPP_STATUS"
}

# sipp_stop PID: a SIPp UAS that waits for more calls than came; its status is not judged.
sipp_stop() {
	kill -TERM "$1" 2>/dev/null || true
	rn_sipp_wait "$1"
}

cdr_lines() {
	[ -f "$CDR" ] && wc -l <"$CDR" || echo 0
}

# cdr_check NAME FRAGMENT...: the last CDR line contains each fragment.
cdr_check() {
	local name=$1 f line
	shift

	line=$(tail -n 1 "$CDR" 2>/dev/null) || rn_fail "$name: no CDR file"
	for f in "$@"; do
		grep -qF -- "$f" <<<"$line" || rn_fail "$name: CDR has no $f in: $line"
	done
}

# cdr_count FROM_LINE FRAGMENT...: CDR lines after FROM_LINE holding every fragment.
cdr_count() {
	local from=$1
	shift
	tail -n +"$((from + 1))" "$CDR" 2>/dev/null | awk -v n="$#" -v args="$*" '
		BEGIN { split(args, f, " ") }
		{ ok = 1; for (i = 1; i <= n; i++) if (index($0, f[i]) == 0) ok = 0; c += ok }
		END { print c + 0 }'
}

# check_released NAME: no stream left in the data plane (bounded wait: the
# release follows the BYE).
check_released() {
	local i

	for ((i = 0; i < 50; i++)); do
		rn_ctl dump >"$rn_dir/dump.txt" || rn_fail "sbc-dpctl dump"
		grep -q '^0 streams$' "$rn_dir/dump.txt" && return 0
		sleep 0.1
	done
	rn_fail "$1: streams left in the data plane: $(cat "$rn_dir/dump.txt")"
}

# drop_count REASON: the data plane's global drop counter for REASON.
drop_count() {
	rn_ctl stats 0 >"$rn_dir/stats0.txt" || rn_fail "sbc-dpctl stats 0"
	awk -v k="drop $1=" '{ sub(/^ +/, "") } index($0, k) == 1 {
		n = substr($0, length(k) + 1) } END { print n + 0 }' "$rn_dir/stats0.txt"
}

# e2e_start LABEL SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL: the four
# executables into RN_DATAPLANE, RN_DPCTL, RN_CONTROLPLANE and SBCCTL (usage
# error: exit 2); skip (exit 77) without root, `ip netns` or sipp, or
# without the python3 module $E2E_PYTHON_MODULE when set; then the trap.
e2e_start() {
	local label=$1 why exe
	shift

	if [ $# -ne 4 ]; then
		echo "usage: $0 SBC_DATAPLANE SBC_DPCTL SBC_CONTROLPLANE SBCCTL" >&2
		exit 2
	fi
	RN_DATAPLANE=$1
	RN_DPCTL=$2
	RN_CONTROLPLANE=$3
	SBCCTL=$4
	why=$(rn_missing_prerequisite)
	[ -n "$why" ] || command -v sipp >/dev/null || why="no sipp (Debian package sip-tester)"
	[ -n "$why" ] || [ -z "${E2E_PYTHON_MODULE:-}" ] ||
		python3 -c "import $E2E_PYTHON_MODULE" 2>/dev/null ||
		why="no python3 $E2E_PYTHON_MODULE (Debian package python3-$E2E_PYTHON_MODULE)"
	if [ -n "$why" ]; then
		echo "$label: SKIP: $why"
		exit 77
	fi
	for exe in "$RN_DATAPLANE" "$RN_DPCTL" "$RN_CONTROLPLANE" "$SBCCTL"; do
		[ -x "$exe" ] || { echo "$label: $exe is not executable" >&2; exit 1; }
	done
	e2e_traps
}

# e2e_fake_dataplane_start ARGS...: tests/e2e/fake_dataplane ($RN_DATAPLANE)
# on $RN_CFG in place of sbc-dataplane (rn_dataplane_stop ends it), its
# report in $rn_dir/fake-report.txt; waits (bounded) for its socket.
e2e_fake_dataplane_start() {
	local i

	"$RN_DATAPLANE" -c "$RN_CFG" --report "$rn_dir/fake-report.txt" "$@" >"$RN_DP_LOG" 2>&1 &
	rn_dp_pid=$!
	for ((i = 0; i < 50; i++)); do
		[ -S "$RN_SOCK" ] && return 0
		sleep 0.1
	done
	rn_fail "fake data plane not listening on $RN_SOCK"
}

# ---- DNS and more carrier addresses (e2e carrier, carrier-tls) ----
E2E_SIP_A=198.18.0.3    # two more carrier hosts, in the carrier namespace
E2E_SIP_B=198.18.0.4

# e2e_carrier_hosts: $E2E_SIP_A and $E2E_SIP_B on the carrier namespace's eth0.
e2e_carrier_hosts() {
	ip -n "$RN_NS_CAR" addr add "$E2E_SIP_A/24" dev eth0 || rn_fail "address $E2E_SIP_A"
	ip -n "$RN_NS_CAR" addr add "$E2E_SIP_B/24" dev eth0 || rn_fail "address $E2E_SIP_B"
}

# e2e_dns_start DNSMASQ_OPTIONS...: dnsmasq in the carrier namespace on
# $RN_CAR_PEER:53 (what sip.resolvers names), answering for rampart.test
# from the records given (TTL $E2E_DNS_TTL s, default 1, unless a record says otherwise), its log
# appended to $rn_dir/dnsmasq.log; waits until it listens.  PID in
# e2e_dns_pid; e2e_dns_stop ends it (the caller's EXIT trap must too).
e2e_dns_pid=
e2e_dns_start() {
	ip netns exec "$RN_NS_CAR" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--listen-address="$RN_CAR_PEER" --bind-interfaces --port=53 \
		--pid-file= --user=root --local-ttl="${E2E_DNS_TTL:-1}" --local=/rampart.test/ "$@" \
		--log-facility=- >>"$rn_dir/dnsmasq.log" 2>&1 &
	e2e_dns_pid=$!
	for _ in $(seq 50); do
		ip netns exec "$RN_NS_CAR" ss -Hlun "src $RN_CAR_PEER:53" | grep -q . && return 0
		sleep 0.1
	done
	rn_fail "dnsmasq not listening"
}

e2e_dns_stop() {
	[ -n "$e2e_dns_pid" ] || return 0
	kill -CONT "$e2e_dns_pid" 2>/dev/null || true
	kill -TERM "$e2e_dns_pid" 2>/dev/null || true
	wait "$e2e_dns_pid" 2>/dev/null || true
	e2e_dns_pid=
}

# ---- the running control plane (rn_controlplane_start) ----

# e2e_reload WHAT: SIGHUP to our sbc-controlplane (its config rewritten by
# the caller), then wait up to 5 s for "configuration reloaded"; WHAT names
# the change in the failure.
e2e_reload() {
	local before i

	before=$(grep -c 'configuration reloaded' "$RN_CP_LOG.start" || true)
	kill -HUP "$rn_cp_pid"
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c 'configuration reloaded' "$RN_CP_LOG.start" || true)" -gt "$before" ] && return 0
		sleep 0.1
	done
	rn_fail "reload ($1) not done: $(tail -n 5 "$RN_CP_LOG.start")"
}

# e2e_b2bua_stat KEY: one counter of the "b2bua ..." line of `sbcctl stats`.
e2e_b2bua_stat() {
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 stats | awk -v k="$1" '$1 == "b2bua" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'
}

# e2e_stack_stop: our control plane, then our data plane, each stopped
# within 10 s and exiting 0.
e2e_stack_stop() {
	rn_controlplane_stop 10
	[ "$RN_CP_STATUS" -eq 0 ] || rn_fail "sbc-controlplane exited with status $RN_CP_STATUS"
	rn_dataplane_stop 10
	[ "$RN_DP_STATUS" -eq 0 ] || rn_fail "sbc-dataplane exited with status $RN_DP_STATUS"
}
