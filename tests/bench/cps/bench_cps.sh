#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./scripts/bench.sh cps: calls per second through both processes, media
# anchored.  Run by scripts/bench.sh (which builds BUILD_DIR first):
#
#   bench_cps.sh BUILD_DIR [RATE...] [--seconds S] [--hold-ms MS]
#                [--log-level LEVEL] [--idle-backoff-us US] [--no-reference]
#
# SIPp in the PBX namespace calls SIPp in the carrier namespace through
# sbc-controlplane (topology: scripts/netns-lib.sh): INVITE with an SDP offer,
# 200 with the answer, ACK, the call held --hold-ms (default 1000), BYE.  The
# B2BUA allocates and binds data plane streams for every call (no RTP
# flows).  One step per RATE (default 100 250 500 1000 1500 2000 3000 4000
# 5000 calls a second), each offering RATE x --seconds (default 10) calls; it
# stops after the first step with more than 0.5 % failed calls or less than
# 90 % of the offered rate achieved, and prints that step too.  Then the reference: the
# same SIPp UAC calling the same SIPp UAS directly (both in the PBX
# namespace, no SBC) at the highest rate, to show what the load generator
# itself does on this machine.
#
# Cores: sbc-controlplane pinned (taskset) to the first CPU, with the data
# plane's main lcore (its API server, which answers the control plane's
# ALLOC/BIND/STATS/RELEASE); both SIPp and the data plane's worker on the
# last CPU, the worker sleeping idle_backoff_us after an empty poll instead
# of spinning.
#
# One line per step:
#   cps offered=R achieved=A failed=F p99_setup_ms=P p50_setup_ms=Q calls=N
#       cpu_controlplane_pct=C cpu_dataplane_pct=D cpu_sipp_pct=S retrans=T
#       udp_drops_sbc=U udp_drops_sipp=V dp_round_trips_per_call=W
#       [stop=failures|rate]
# calls: calls SIPp placed (R x --seconds); failed: those that did not end
# with the 200 to the BYE.  achieved: successful calls over the time their
# 200s took to arrive at the UAC (first to last, plus one call interval), or
# over the offered duration when that is longer.  Setup time: INVITE sent to
# 200 received, per call, from SIPp's message summary (-trace_shortmsg, in
# microseconds: SIPp's own RTD timer ticks with the kernel's coarse clock,
# 4 ms here), nearest rank.  cpu_*_pct: CPU time of the process(es) over
# the steady part of the step (from hold + 1 s after the first call, when
# calls end as fast as they start, to the last call offered), 100 = one
# core; SIPp = UAC + UAS.  retrans: SIPp's
# retransmissions; udp_drops_*: datagrams the kernel dropped for want of
# socket buffer, in the root namespace (sbc-controlplane's sockets) and in
# the two SIPp namespaces.
#
# Every process is stopped by PID and the namespaces, links and temporary
# files removed at the end, on failure and on Ctrl-C.
set -euo pipefail

usage() {
	echo "usage: $0 BUILD_DIR [RATE...] [--seconds S] [--hold-ms MS] [--log-level LEVEL]" >&2
	echo "       [--idle-backoff-us US] [--no-reference]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
BUILD=$(cd "$1" && pwd)
shift
CPS_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$CPS_DIR/../../.." && pwd)

rates=()
SECONDS_PER_STEP=10
HOLD_MS=1000
LOG_LEVEL=info
IDLE_BACKOFF_US=100
REFERENCE=1
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER_STEP=${2:?}; shift 2 ;;
	--hold-ms) HOLD_MS=${2:?}; shift 2 ;;
	--log-level) LOG_LEVEL=${2:?}; shift 2 ;;
	--idle-backoff-us) IDLE_BACKOFF_US=${2:?}; shift 2 ;;
	--no-reference) REFERENCE=0; shift ;;
	[0-9]*) rates+=("$1"); shift ;;
	*) usage ;;
	esac
done
[ ${#rates[@]} -gt 0 ] || rates=(100 250 500 1000 1500 2000 3000 4000 5000)
for v in "${rates[@]}" "$SECONDS_PER_STEP" "$HOLD_MS" "$IDLE_BACKOFF_US"; do
	[[ $v =~ ^[0-9]+$ ]] || usage
done
if [ "$SECONDS_PER_STEP" -lt 1 ] || [ "$SECONDS_PER_STEP" -gt 600 ]; then
	usage
fi
for r in "${rates[@]}"; do
	if [ "$r" -lt 1 ] || [ "$r" -gt 20000 ]; then
		echo "cps: rate $r outside 1-20000" >&2
		exit 2
	fi
done

RN_DATAPLANE=$BUILD/dataplane/sbc-dataplane
RN_DPCTL=$BUILD/dataplane/sbc-dpctl
RN_CONTROLPLANE=$BUILD/controlplane/sbc-controlplane
SBCCTL=$BUILD/controlplane/sbcctl
# shellcheck source=scripts/netns-lib.sh
. "$ROOT/scripts/netns-lib.sh"

why=$(rn_missing_prerequisite)
[ -n "$why" ] || command -v sipp >/dev/null || why="no sipp (Debian package sip-tester)"
[ -n "$why" ] || command -v taskset >/dev/null || why="no taskset (util-linux)"
if [ -n "$why" ]; then
	echo "cps: cannot run here: $why" >&2
	exit 1
fi
for exe in "$RN_DATAPLANE" "$RN_DPCTL" "$RN_CONTROLPLANE"; do
	[ -x "$exe" ] || { echo "cps: $exe is not executable" >&2; exit 1; }
done

NCPU=$(nproc)
CP_CPU=0
LOAD_CPU=$((NCPU - 1))
CLK_TCK=$(getconf CLK_TCK)
# Sockets: SIPp's UDP buffers (its -buff_size, capped by net.core.rmem_max).
SIPP_BUFF=1048576
# A step's SIPp run ends at most this long after its last call was offered:
# a call waits at most RECV_TIMEOUT_S for any message, then fails.
RECV_TIMEOUT_S=10
STEP_SLACK_S=$((HOLD_MS / 1000 + 2 * RECV_TIMEOUT_S + 10))
IDLE_WAIT_S=40          # between steps: until the data plane holds no stream

# Stop the UAS (long-running) by PID: SIGTERM, SIGKILL after 5 s.
uas_pid=
stop_pid() {
	local pid=$1 i keep=() p

	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for p in "${rn_sipp_pids[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	rn_sipp_pids=("${keep[@]}")
}

# The CPU sampler of a step (sampler_start), stopped by PID.
SAMPLER_PID=
sampler_stop() {
	[ -n "$SAMPLER_PID" ] || return 0
	kill -TERM "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=
}

cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	[ "$rc" -ne 130 ] || echo "cps: interrupted; cleaning up" >&2
	sampler_stop
	rn_cleanup "$rc"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# netns-lib.sh gives every run the same SBC addresses in the root namespace:
# another run's (test suite e2e, demo.sh) would take our SIP replies.
# sip_addr_users: how many interfaces carry either SIP address.
sip_addr_users() {
	ip -o -4 addr show 2>/dev/null | grep -c -e " $RN_CAR_SIP/" -e " $RN_PBX_SIP/" || true
}
if [ "$(sip_addr_users)" -ne 0 ]; then
	echo "cps: $RN_CAR_SIP or $RN_PBX_SIP is already on an interface (an e2e test or demo running?); try again later" >&2
	exit 1
fi
rn_init $$ bench-cps
rn_topology_up
rn_sip_up
CDR=$rn_dir/cdr.jsonl
sed -e "s|@CP_CPU@|$CP_CPU|g" -e "s|@LOAD_CPU@|$LOAD_CPU|g" \
	-e "s|@IDLE_BACKOFF_US@|$IDLE_BACKOFF_US|g" \
	-e "s|@DEV_CAR@|$(rn_device 0 "$RN_IF_CAR")|g" -e "s|@DEV_PBX@|$(rn_device 1 "$RN_IF_PBX")|g" \
	-e "s|@CAR_SBC@|$RN_CAR_SBC|g" -e "s|@PBX_SBC@|$RN_PBX_SBC|g" \
	-e "s|@CAR_SIP@|$RN_CAR_SIP|g" -e "s|@PBX_SIP@|$RN_PBX_SIP|g" \
	-e "s|@CAR_PEER@|$RN_CAR_PEER|g" -e "s|@PBX_PEER@|$RN_PBX_PEER|g" \
	-e "s|@API_SOCK@|$RN_SOCK|g" -e "s|@CP_SOCK@|$RN_CP_SOCK|g" \
	-e "s|@CDR@|$CDR|g" -e "s|@LOG_LEVEL@|$LOG_LEVEL|g" \
	"$CPS_DIR/rampart.yaml.in" >"$RN_CFG"
! grep -n '@[A-Z_]*@' "$RN_CFG" || rn_fail "unfilled placeholder in $RN_CFG"
"$RN_CONTROLPLANE" -n -c "$RN_CFG" >"$rn_dir/check.txt" 2>&1 ||
	rn_fail "configuration refused: $(cat "$rn_dir/check.txt")"
cp "$CPS_DIR/uac.xml" "$CPS_DIR/uas.xml" "$rn_dir/"

rn_dataplane_start
rn_api_wait 30
# shellcheck disable=SC2119  # its one argument is optional
rn_controlplane_start
# The control plane (all its threads) on its own core.
taskset -a -p -c "$CP_CPU" "$rn_cp_pid" >/dev/null || rn_fail "taskset on sbc-controlplane"

sipp_version=$({ sipp -v 2>&1 || true; } | sed -n "s/^ *SIPp \(v[^ ,-]*\).*/\1/p" | head -n 1)
echo "# cps: sbc-controlplane on cpu $CP_CPU (taskset) with the data plane's API lcore;" \
	"SIPp UAC+UAS and the data plane worker (idle_backoff_us=$IDLE_BACKOFF_US) on cpu $LOAD_CPU;" \
	"UDP, hold ${HOLD_MS} ms, ${SECONDS_PER_STEP} s a step, log level $LOG_LEVEL, SIPp ${sipp_version:-?}"

# ---- measurement helpers

# ticks_of PID: sets TICKS to the user + system clock ticks of the process,
# all its threads, 0 when it is gone (the kernel scales them to the
# scheduler's exact run time, so they are right even for work shorter than
# a tick; /proc/stat's per-CPU figures are not, on this kind of virtual
# machine).  Builtins only: no process of its own.
ticks_of() {
	local s=

	TICKS=0
	if [ -n "$1" ]; then
		{ read -r s <"/proc/$1/stat"; } 2>/dev/null || true
	fi
	[ -n "$s" ] || return 0
	s=${s##*) }
	# shellcheck disable=SC2086  # split into fields on purpose
	set -- $s
	TICKS=$((${12} + ${13}))
}

# sampler_start OUT BOUND PID...: in the background, every 0.2 s (at most
# BOUND times), one line "WALL_NS TICKS..." for the PIDs; sets SAMPLER_PID.
sampler_start() {
	local out=$1 bound=$2
	shift 2

	(
		for ((i = 0; i < bound; i++)); do
			line=${EPOCHREALTIME/[.,]/}000
			for p in "$@"; do
				ticks_of "$p"
				line+=" $TICKS"
			done
			echo "$line"
			sleep 0.2
		done
	) >"$out" &
	SAMPLER_PID=$!
}

# Sets CHILD_TICKS: user + system ticks of this shell's reaped children
# (builtins only, so no child of its own is counted).
child_ticks() {
	local s

	read -r s <"/proc/$$/stat"
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	CHILD_TICKS=$((${14} + ${15}))
}

# udp_drops NS: UDP datagrams dropped for want of receive buffer in network
# namespace NS.
udp_drops() {
	ip netns exec "$1" cat /proc/net/snmp | awk '$1 == "Udp:" && $2 !~ /^[0-9]/ { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") col = i; next }
		$1 == "Udp:" && col { print $col; exit }'
}

# sbc_sock_drops: datagrams dropped on sbc-controlplane's two UDP sockets
# (the root namespace's counter would count other programs' too).
sbc_sock_drops() {
	ss -uamnH "( src $RN_CAR_SIP:5060 or src $RN_PBX_SIP:5060 )" |
		sed -n 's/.*skmem:(.*,d\([0-9]*\)).*/\1/p' | awk '{ n += $1 } END { print n + 0 }'
}

# pct DELTA_TICKS WALL_NS: percent of one core.
pct() {
	awk -v t="$1" -v w="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", w ? 100 * t / hz / (w / 1e9) : 0 }'
}

now_ns() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t * 1000))
}

# stat_field FILE NAME: NAME's value in the last row of SIPp's -trace_stat file.
stat_field() {
	awk -F';' -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) col = i; next }
		NF > 1 { v = $col } END { print v + 0 }' "$1"
}

# uac_start DIR RATE CALLS DEST: the UAC in the PBX namespace on the load
# CPU, in the background, working in DIR (its statistics and message
# summary land there).  Bounded by -timeout; a call waits at most
# RECV_TIMEOUT_S for any message.  Sets UAC_PID.
uac_start() {
	local dir=$1 rate=$2 calls=$3 dest=$4

	mkdir -p "$dir"
	child_ticks
	UAC_CHILD_TICKS0=$CHILD_TICKS
	(cd "$dir" && exec ip netns exec "$RN_NS_PBX" taskset -c "$LOAD_CPU" \
		sipp -sf "$rn_dir/uac.xml" -i "$RN_PBX_PEER" -p 5060 -t u1 -s 4000 \
		-r "$rate" -m "$calls" -l $((rate * (HOLD_MS / 1000 + RECV_TIMEOUT_S + 2))) \
		-d "$HOLD_MS" -recv_timeout "${RECV_TIMEOUT_S}s" \
		-timeout $((calls / rate + STEP_SLACK_S))s -buff_size "$SIPP_BUFF" \
		-nostdin -trace_stat -stf "$dir/stat.csv" -fd 60 \
		-trace_shortmsg -shortmessage_file "$dir/messages.tsv" \
		-trace_err -error_file "$dir/errors.log" "$dest" \
		>"$dir/sipp.out" 2>"$dir/sipp.err" </dev/null) &
	UAC_PID=$!
	rn_sipp_pids+=("$UAC_PID")
}

# uac_wait: until the UAC ends; sets UAC_STATUS and UAC_TICKS (its CPU time).
uac_wait() {
	rn_sipp_wait "$UAC_PID"
	UAC_STATUS=$RN_SIPP_STATUS
	child_ticks
	UAC_TICKS=$((CHILD_TICKS - UAC_CHILD_TICKS0))
}

# sipp_uas NAME ADDR PORT: a UAS in the namespace of ADDR on the load CPU,
# in the background, bounded by -timeout; sets uas_pid.
sipp_uas() {
	local name=$1 ns=$2 addr=$3 port=$4 bound=$5

	mkdir -p "$rn_dir/$name"
	(cd "$rn_dir/$name" && exec ip netns exec "$ns" taskset -c "$LOAD_CPU" \
		sipp -sf "$rn_dir/uas.xml" -i "$addr" -p "$port" -t u1 -buff_size "$SIPP_BUFF" \
		-nostdin -timeout "${bound}s" -trace_err -error_file "$rn_dir/$name/errors.log" \
		>"$rn_dir/$name/sipp.out" 2>"$rn_dir/$name/sipp.err" </dev/null) &
	uas_pid=$!
	rn_sipp_pids+=("$uas_pid")
	sleep 0.5
	kill -0 "$uas_pid" 2>/dev/null ||
		rn_fail "SIPp UAS $name did not start: $(cat "$rn_dir/$name/sipp.err" "$rn_dir/$name/sipp.out" | tail -n 5)"
}

# streams_in_use: the data plane's stream count (first line of `dump`).
streams_in_use() {
	rn_ctl dump 2>/dev/null | sed -n 's/^\([0-9]*\) streams$/\1/p' | head -n 1
}

# wait_idle: until no call holds data plane streams (bounded).
wait_idle() {
	local i n

	for ((i = 0; i < IDLE_WAIT_S * 10; i++)); do
		n=$(streams_in_use)
		[ "$n" != 0 ] || return 0
		sleep 0.1
	done
	rn_fail "the data plane still holds ${n:-?} streams ${IDLE_WAIT_S} s after the step"
}

# setup_times FILE: from SIPp's message summary (-trace_shortmsg: wall
# clock in microseconds, direction, Call-ID, CSeq, first line), one line per
# answered call: "SETUP_MS ANSWER_TIME_S", setup = first INVITE sent to the
# first 200 for it received.
setup_times() {
	awk -F'\t' '
	function t(s,  p) { split(s, p, "."); if (base == "") base = p[1]
		return (p[1] - base) + ("0." p[2]) }
	$6 != "CSeq:1 INVITE" { next }
	$4 == "S" && $7 ~ /^INVITE / { if (!($5 in sent)) sent[$5] = t($3); next }
	$4 == "R" && $7 ~ /^SIP\/2\.0 200 / && ($5 in sent) && !($5 in ans) {
		ans[$5] = t($3); printf "%.3f %.6f\n", (ans[$5] - sent[$5]) * 1000, ans[$5] }' "$1"
}

# "CALLS_ENDED DP_CALL_REQUESTS" from sbcctl stats (the b2bua line).
rt_counters() {
	"$SBCCTL" -s "$RN_CP_SOCK" -w 5 stats 2>/dev/null | awk '/^b2bua / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["calls_ended"] + 0, v["dp_call_requests"] + 0 }'
}

# step LABEL RATE DEST: one SIPp UAC run; sets STEP_LINE and STEP_STOP.
# CPU figures over the steady part of the step: from hold + 1 s after the
# first call (calls end as fast as they start) to the last call offered;
# over the whole step when that part is shorter than 2 s.
step() {
	local label=$1 rate=$2 dest=$3 calls=$(($2 * SECONDS_PER_STEP)) dir
	local t0 t1 cp0 cp1 dp0 dp1 uas0 uas1 dr0 dr1 dn0 dn1 created ok failed retrans
	local w wcp wdp wsipp wns

	dir=$rn_dir/$label-$rate
	[ "$label" != sbc ] || read -r rt_calls0 rt_reqs0 <<<"$(rt_counters)"
	ticks_of "$rn_cp_pid"; cp0=$TICKS
	ticks_of "$rn_dp_pid"; dp0=$TICKS
	ticks_of "$uas_pid"; uas0=$TICKS
	dr0=$(sbc_sock_drops)
	dn0=$(($(udp_drops "$RN_NS_CAR") + $(udp_drops "$RN_NS_PBX")))
	t0=$(now_ns)
	uac_start "$dir" "$rate" "$calls" "$dest"
	sampler_start "$dir/cpu.txt" $(((calls / rate + STEP_SLACK_S) * 5 + 10)) \
		"$rn_cp_pid" "$rn_dp_pid" "$uas_pid" "$UAC_PID"
	uac_wait
	sampler_stop
	t1=$(now_ns)
	ticks_of "$rn_cp_pid"; cp1=$TICKS
	ticks_of "$rn_dp_pid"; dp1=$TICKS
	ticks_of "$uas_pid"; uas1=$TICKS
	dr1=$(sbc_sock_drops)
	dn1=$(($(udp_drops "$RN_NS_CAR") + $(udp_drops "$RN_NS_PBX")))

	[ -s "$dir/stat.csv" ] ||
		rn_fail "SIPp UAC ($label, $rate cps) wrote no statistics (status $UAC_STATUS): $(tail -n 5 "$dir/sipp.err" "$dir/sipp.out")"
	created=$(stat_field "$dir/stat.csv" TotalCallCreated)
	ok=$(stat_field "$dir/stat.csv" 'SuccessfulCall(C)')
	retrans=$(stat_field "$dir/stat.csv" 'Retransmissions(C)')
	failed=$((calls - ok))
	# Setup times (nearest rank) and the span of the 200s' arrival.
	STEP_LINE=$(
		if [ -f "$dir/messages.tsv" ]; then setup_times "$dir/messages.tsv"; fi |
		sort -n -k1,1 |
		awk -v ok="$ok" -v calls="$calls" -v created="$created" -v failed="$failed" \
			-v rate="$rate" -v secs="$SECONDS_PER_STEP" '
		{ v[++n] = $1; if (n == 1 || $2 < first) first = $2; if ($2 > last) last = $2 }
		function rank(p,  k) { k = int(p * n + 0.999999); if (k < 1) k = 1; return v[k] }
		END {
			span = n > 1 ? last - first + 1 / rate : 0
			dur = span > secs ? span : secs
			printf "offered=%d achieved=%.1f failed=%d p99_setup_ms=%s p50_setup_ms=%s calls=%d",
				rate, ok / dur, failed, n ? rank(0.99) : "-", n ? rank(0.50) : "-", created
			stop = ""
			if (failed * 200 > calls) stop = "failures"
			else if (ok / dur < 0.9 * rate) stop = "rate"
			printf "\t%s\n", stop
		}')
	STEP_STOP=${STEP_LINE#*$'\t'}
	STEP_LINE=${STEP_LINE%$'\t'*}

	# The steady window from the samples, else the whole step.
	w=$(awk -v s=$((t0 + (HOLD_MS + 1000) * 1000000)) -v e=$((t0 + calls * 1000000000 / rate)) '
		$1 >= s && !a { a = 1; split($0, A) }
		$1 <= e { b = 1; split($0, B) }
		END { if (a && b && B[1] - A[1] >= 2e9)
			printf "%.0f %.0f %.0f %.0f\n", B[2] - A[2], B[3] - A[3], B[4] - A[4] + B[5] - A[5], B[1] - A[1] }' \
		"$dir/cpu.txt" 2>/dev/null)
	if [ -n "$w" ]; then
		read -r wcp wdp wsipp wns <<<"$w"
	else
		wcp=$((cp1 - cp0)) wdp=$((dp1 - dp0)) wsipp=$((UAC_TICKS + uas1 - uas0)) wns=$((t1 - t0))
	fi
	STEP_LINE+=" cpu_controlplane_pct=$(pct "$wcp" "$wns")"
	STEP_LINE+=" cpu_dataplane_pct=$(pct "$wdp" "$wns")"
	STEP_LINE+=" cpu_sipp_pct=$(pct "$wsipp" "$wns")"
	STEP_LINE+=" retrans=$retrans udp_drops_sbc=$((dr1 - dr0)) udp_drops_sipp=$((dn1 - dn0))"
	if [ "$label" = sbc ]; then
		# Data plane requests per call that ended during the step.
		read -r rt_calls1 rt_reqs1 <<<"$(rt_counters)"
		STEP_LINE+=" dp_round_trips_per_call=$(awk -v c=$((rt_calls1 - rt_calls0)) \
			-v r=$((rt_reqs1 - rt_reqs0)) 'BEGIN { printf "%.2f", c ? r / c : 0 }')"
	fi
}

# ---- the steps through the SBC
total_bound=0
for r in "${rates[@]}"; do
	total_bound=$((total_bound + SECONDS_PER_STEP + STEP_SLACK_S + IDLE_WAIT_S))
done
sipp_uas uas-carrier "$RN_NS_CAR" "$RN_CAR_PEER" 5060 $((total_bound + 60))
top=0           # the reference's rate: the highest step's
for r in "${rates[@]}"; do
	[ "$r" -le "$top" ] || top=$r
done
for r in "${rates[@]}"; do
	wait_idle
	step sbc "$r" "$RN_PBX_SIP:5060"
	if [ "$(sip_addr_users)" -ne 2 ]; then
		echo "cps $STEP_LINE"
		rn_fail "another run put $RN_CAR_SIP or $RN_PBX_SIP on its interfaces during this step: figures not valid"
	fi
	if [ -n "$STEP_STOP" ]; then
		echo "cps $STEP_LINE stop=$STEP_STOP"
		break
	fi
	echo "cps $STEP_LINE"
done
stop_pid "$uas_pid"
rn_controlplane_stop 10
[ "$RN_CP_STATUS" -eq 0 ] || echo "cps: sbc-controlplane exited with status $RN_CP_STATUS" >&2
[ -s "$CDR" ] || echo "cps: no CDR written" >&2
rn_dataplane_stop 10
[ "$RN_DP_STATUS" -eq 0 ] || echo "cps: sbc-dataplane exited with status $RN_DP_STATUS" >&2
# CPS_KEEP=DIR keeps the run's logs, CDRs and SIPp output for a closer look.
if [ -n "${CPS_KEEP:-}" ] && mkdir -p "$CPS_KEEP"; then
	cp -r "$rn_dir"/. "$CPS_KEEP"/ || true
fi

# ---- the reference: the same UAC straight to the same UAS, no SBC running
if [ "$REFERENCE" = 1 ]; then
	sipp_uas uas-direct "$RN_NS_PBX" "$RN_PBX_PEER" 5070 $((SECONDS_PER_STEP + STEP_SLACK_S + 60))
	step direct "$top" "$RN_PBX_PEER:5070"
	line=$(sed 's/ cpu_controlplane_pct=[0-9]*//; s/ cpu_dataplane_pct=[0-9]*//' <<<"$STEP_LINE")
	echo "cps reference=sipp-direct $line${STEP_STOP:+ stop=$STEP_STOP}"
	stop_pid "$uas_pid"
fi
