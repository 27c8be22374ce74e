#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `dataplane`, test `pcap-replay`: the RTP traffic of our Pktgen
# kit (pktgen-scripts/gen_rtp_pcap.py), replayed through DPDK's net_pcap vdev
# into the real sbc-dataplane process, sessions programmed with sbc-dpctl,
# and every relayed packet checked byte by byte.
#
#   side A peers 198.18.0.2..51 ── net_pcap0 (02:70:63:61:70:00) m-a 198.18.0.1/24 ─┐
#                                                                                     ├ sbc-dataplane
#   side B peers 198.18.1.2..51 ── net_pcap1 (02:70:63:61:70:01) m-b 198.18.1.1/24 ─┘
#
# The peers sit inside the interface subnets so they are on-link: the data
# plane learns their MACs from ARP replies (dataplane/host.h), and it needs
# them before the first packet of a session, because that packet goes to the
# OTHER leg's peer, which has not sent anything yet.
#
# Timing: net_pcap opens rx_pcap at probe time and its worker reads it as
# soon as the port starts, before any session exists.  Each rx_pcap is a
# FIFO instead of a file.  The script holds both FIFOs open (read-write, so
# opening never blocks even if the data plane dies early) and writes only
# the 24-byte pcap file header, which is all the probe reads.  The worker's
# reads then block until the script writes more:
#   1. ARP replies, padded to a multiple of the RX burst so that the
#      worker's blocking burst reads come out even on both ports;
#   2. `sbc-dpctl load-sessions`, once the ARP frames were received;
#   3. the RTP packets of both sides, interleaved, then close: EOF ends the
#      replay.
#
# usage: pcap_replay.sh SBC_DATAPLANE SBC_DPCTL GEN_RTP_PCAP_PY
#        (PCAP_REPLAY_KEEP=DIR copies the pcaps, stream sets and log there)
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 SBC_DATAPLANE SBC_DPCTL GEN_RTP_PCAP_PY" >&2
	exit 2
fi
dataplane=$1
dpctl=$2
gen=$3
tools="$(cd "$(dirname "$0")" && pwd)/pcap_tools.py"

STREAMS=50
PACKETS=40
BURST=32                        # dataplane.burst_size, see the config below
PORT_BASE=20000                 # = first port of media_ports on both interfaces
IP_A=198.18.0.1  PEER_A=198.18.0.2
IP_B=198.18.1.1  PEER_B=198.18.1.2
MAC_A=02:70:63:61:70:00         # net_pcap: 02:70:63:61:70:<n>, n = creation order
MAC_B=02:70:63:61:70:01
PEER_MAC_A=02:00:00:00:0a:02
PEER_MAC_B=02:00:00:00:0b:02
SENT=$((STREAMS * PACKETS))     # per side

prefix=rampart_pcap_$$
dp_pid=
t0=$SECONDS
dir=$(mktemp -d /tmp/rampart-pcap.XXXXXX)
sock=$dir/api.sock

fail() {
	echo "pcap-replay: FAIL: $*" >&2
	exit 1
}

# True while our data plane runs (a zombie counts as gone).
dp_alive() {
	local state

	[ -n "$dp_pid" ] || return 1
	state=$(awk '{ print $3 }' "/proc/$dp_pid/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# SIGTERM our data plane, SIGKILL after $1 seconds; sets dp_status.
stop_dataplane() {
	local i

	dp_status=0
	[ -n "$dp_pid" ] || return 0
	kill -TERM "$dp_pid" 2>/dev/null || true
	for ((i = 0; i < $1 * 10; i++)); do
		dp_alive || break
		sleep 0.1
	done
	if dp_alive; then
		echo "pcap-replay: sbc-dataplane ($dp_pid) ignored SIGTERM for $1 s: SIGKILL" >&2
		kill -KILL "$dp_pid" 2>/dev/null || true
	fi
	wait "$dp_pid" 2>/dev/null || dp_status=$?
	dp_pid=
}

cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	# EOF on the FIFOs first: a worker blocked reading one could not stop.
	{ exec 3>&- 4>&-; } 2>/dev/null || true
	stop_dataplane 10
	if [ "$rc" -ne 0 ] && [ -s "$dir/dataplane.log" ]; then
		echo "---- sbc-dataplane log (last 30 lines) ----" >&2
		tail -n 30 "$dir/dataplane.log" >&2
	fi
	# Debugging: PCAP_REPLAY_KEEP=DIR keeps the pcaps, stream sets and log.
	if [ -n "${PCAP_REPLAY_KEEP:-}" ]; then
		if mkdir -p -- "$PCAP_REPLAY_KEEP"; then
			cp -- "$dir"/*.pcap "$dir"/*.csv "$dir"/*.log "$dir"/*.yaml \
				"$PCAP_REPLAY_KEEP"/ 2>/dev/null || true
		fi
	fi
	rm -rf -- "$dir" "/var/run/dpdk/$prefix"
	[ -z "${XDG_RUNTIME_DIR:-}" ] || rm -rf -- "$XDG_RUNTIME_DIR/dpdk/$prefix"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ctl() {
	"$dpctl" -s "$sock" -w 5 "$@"
}

# Global counters: "rx tx drops".
global_counters() {
	ctl stats 0 | awk '/^global/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rx_packets"], v["tx_packets"], v["drops"] }'
}

command -v python3 >/dev/null || fail "python3 not found"
[ -x "$dataplane" ] || fail "$dataplane is not executable"
[ -x "$dpctl" ] || fail "$dpctl is not executable"

# ---- traffic: the Pktgen kit's generator, one pcap + stream set per side
python3 "$gen" --streams "$STREAMS" --packets-per-stream "$PACKETS" --seed 11 \
	--src-ip "$PEER_A" --src-mac "$PEER_MAC_A" --dst-ip "$IP_A" --dst-mac "$MAC_A" \
	--dst-port-base "$PORT_BASE" --out "$dir/a.pcap" --stream-set "$dir/a.csv" >/dev/null
python3 "$gen" --streams "$STREAMS" --packets-per-stream "$PACKETS" --seed 22 \
	--src-ip "$PEER_B" --src-mac "$PEER_MAC_B" --dst-ip "$IP_B" --dst-mac "$MAC_B" \
	--dst-port-base "$PORT_BASE" --out "$dir/b.pcap" --stream-set "$dir/b.csv" >/dev/null
python3 "$tools" arp --stream-set "$dir/a.csv" --peer-mac "$PEER_MAC_A" --our-ip "$IP_A" \
	--our-mac "$MAC_A" --multiple "$BURST" --out "$dir/a-arp.pcap" >/dev/null
python3 "$tools" arp --stream-set "$dir/b.csv" --peer-mac "$PEER_MAC_B" --our-ip "$IP_B" \
	--our-mac "$MAC_B" --multiple "$BURST" --out "$dir/b-arp.pcap" >/dev/null
n_arp=$(( $(python3 "$tools" count "$dir/a-arp.pcap") + $(python3 "$tools" count "$dir/b-arp.pcap") ))

# ---- the FIFOs the two net_pcap ports read
mkfifo "$dir/a.fifo" "$dir/b.fifo"
exec 3<>"$dir/a.fifo" 4<>"$dir/b.fifo"
head -c 24 "$dir/a.pcap" >&3
head -c 24 "$dir/b.pcap" >&4

cat >"$dir/dataplane.yaml" <<EOF
dataplane:
  eal: ["--no-huge", "-m", "512", "--no-pci"]
  main_lcore: 0
  workers: [1]
  ports:
    # One tx_pcap per TX queue: queue 0 is the worker's, queue 1 the main lcore's.
    - name: pa
      device: "net_pcap0,rx_pcap=$dir/a.fifo,tx_pcap=$dir/a-out.pcap,tx_pcap=$dir/a-main.pcap"
    - name: pb
      device: "net_pcap1,rx_pcap=$dir/b.fifo,tx_pcap=$dir/b-out.pcap,tx_pcap=$dir/b-main.pcap"
  interfaces:
    - { name: m-a, port: pa, ipv4: $IP_A/24, media_ports: $PORT_BASE-20999 }
    - { name: m-b, port: pb, ipv4: $IP_B/24, media_ports: $PORT_BASE-20999 }
  burst_size: $BURST
  idle_backoff_us: 1000
  stream_table_size: 1024
  mempool_size: 8191
  telemetry: false
  pdump: false
  api_socket: $sock
sip:
  interfaces:
    - { name: s0, side: carrier, address: $IP_A, media_interface: m-a,
        listen: [{ transport: udp, port: 5060 }] }
EOF

# Not inheriting the FIFOs: a writer left open in the reader would mean no EOF.
"$dataplane" -c "$dir/dataplane.yaml" --file-prefix "$prefix" >"$dir/dataplane.log" 2>&1 3>&- 4>&- &
dp_pid=$!

# ---- wait (bounded) for the API
for ((i = 0; ; i++)); do
	dp_alive || fail "sbc-dataplane exited during start"
	ctl hello >"$dir/hello.txt" 2>/dev/null && break
	[ "$i" -lt 300 ] || fail "no API socket after 30 s"
	sleep 0.1
done
echo "pcap-replay: data plane up: $(cat "$dir/hello.txt")"

# ---- 1. neighbours: ARP replies from every peer, received before sessions exist
python3 "$tools" feed 3="$dir/a-arp.pcap" 4="$dir/b-arp.pcap" --timeout 30 >/dev/null
for ((i = 0; ; i++)); do
	read -r rx tx drops < <(global_counters) || fail "sbc-dpctl stats 0 failed"
	[ "$rx" -ge "$n_arp" ] && break
	[ "$i" -lt 100 ] || fail "data plane received $rx of $n_arp ARP frames in 10 s"
	sleep 0.1
done

# ---- 2. sessions: row i of a.csv <-> row i of b.csv
ctl load-sessions m-a "$dir/a.csv" m-b "$dir/b.csv" >"$dir/sessions.txt" ||
	fail "sbc-dpctl load-sessions failed"
tail -n 1 "$dir/sessions.txt"
grep -qx "programmed $STREAMS sessions" "$dir/sessions.txt" || fail "not all sessions programmed"
sessions=$(sed -n 's/^session=\([0-9]*\) .*/\1/p' "$dir/sessions.txt")

# ---- 3. media, both sides interleaved, then EOF
t_feed=$SECONDS
python3 "$tools" feed 3="$dir/a.pcap" 4="$dir/b.pcap" --timeout 120 >/dev/null
exec 3>&- 4>&-

# Until the counters stop moving (bounded).
want_rx=$((n_arp + 2 * SENT))
prev=
for ((i = 0; ; i++)); do
	read -r rx tx drops < <(global_counters) || fail "sbc-dpctl stats 0 failed"
	cur="$rx $tx $drops"
	[ "$rx" -ge "$want_rx" ] && [ "$cur" = "$prev" ] && break
	[ "$i" -lt 100 ] || fail "counters still moving or short after 10 s: rx $rx of $want_rx, tx $tx"
	prev=$cur
	sleep 0.1
done
echo "pcap-replay: data plane received $rx frames, sent $tx, dropped $drops ($((SECONDS - t_feed)) s)"

# ---- per-session counters: every leg accepted all its packets, dropped none
bad=0
for s in $sessions; do
	out=$(ctl stats "$s") || fail "sbc-dpctl stats $s failed"
	if ! awk -v want="$PACKETS" '
		/^leg=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			  legs++
			  if (v["packets"] != want || v["drops"] != 0 || v["lost"] != 0) bad = 1 }
		/^  drop / { bad = 1 }
		END { exit !(legs == 2 && !bad) }' <<<"$out"; then
		echo "session $s:" >&2
		echo "$out" >&2
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ] || fail "$bad sessions with drops or missing packets"
[ "$drops" -eq 0 ] || { ctl stats 0 >&2; fail "the data plane dropped $drops frames"; }
echo "pcap-replay: $STREAMS sessions, $PACKETS packets on each leg, 0 drops (sbc-dpctl stats)"

stop_dataplane 10
[ "$dp_status" -eq 0 ] || fail "sbc-dataplane exited with status $dp_status"

# ---- what was relayed toward each side's peers is the other side's input
python3 "$tools" verify --label "B->A" --sent "$dir/b.pcap" --sent-set "$dir/b.csv" \
	--relayed "$dir/a-out.pcap" --peer-set "$dir/a.csv" \
	--our-mac "$MAC_A" --peer-mac "$PEER_MAC_A" || fail "B->A relay"
python3 "$tools" verify --label "A->B" --sent "$dir/a.pcap" --sent-set "$dir/a.csv" \
	--relayed "$dir/b-out.pcap" --peer-set "$dir/b.csv" \
	--our-mac "$MAC_B" --peer-mac "$PEER_MAC_B" || fail "A->B relay"
# The generator's own reader, independently: checksums, per-SSRC continuity.
for side in a b; do
	python3 "$gen" --verify "$dir/$side-out.pcap" >"$dir/gen-verify.txt" 2>&1 ||
		{ cat "$dir/gen-verify.txt" >&2; fail "gen_rtp_pcap.py --verify $side-out.pcap"; }
done
echo "pcap-replay: gen_rtp_pcap.py --verify: a-out.pcap and b-out.pcap OK"
echo "pcap-replay: main-lcore frames (ARP requests/replies): m-a $(python3 "$tools" count "$dir/a-main.pcap"), m-b $(python3 "$tools" count "$dir/b-main.pcap")"
echo "pcap-replay: PASS in $((SECONDS - t0)) s"
