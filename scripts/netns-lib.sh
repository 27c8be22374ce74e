# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034  # RN_* results are read by the caller
# Sourced by scripts/demo.sh and tests/dataplane/netns_media.sh: a carrier
# and a PBX in two network namespaces, the real sbc-dataplane between them,
# one session programmed with sbc-dpctl, and an RTP peer
# (scripts/rtp_peer.py) on each side.
#
#   ns rampart-carrier-TAG            root namespace                      ns rampart-pbx-TAG
#   eth0 198.18.0.2 ─ veth ─ rp-car-TAG ═ sbc-dataplane ═ rp-pbx-TAG ─ veth ─ eth0 198.18.1.2
#   RTP :40000                m-carrier 198.18.0.1:30000                        RTP :50000
#                             m-pbx     198.18.1.1:30000
#
# The root ends of the veths carry no address: the data plane owns
# 198.18.0.1 and 198.18.1.1 and answers ARP for them itself.  With the
# B2BUA (rn_sip_up), each root end also gets the SBC's SIP address
# (198.18.0.10, 198.18.1.10) for sbc-controlplane's kernel sockets; the
# root kernel then answers ARP for that address only (arp_ignore=1: the
# media addresses are not local to it), drops the media frames it sees
# (not for it, forwarding off), and the data plane's AF_PACKET socket still
# gets every frame.  SIP and media share the wire, as on a real port.  Every name
# ends in TAG (the caller's PID), and cleanup removes only what this run
# created, process by process and link by link.
#
# The data plane's ports are net_af_packet vdevs on the root ends: a
# kernel AF_PACKET socket per queue pair, as many pairs as the data plane
# has TX queues (workers + main lcore); worker 0 also reads the extra RX
# queue the kernel's fanout feeds.  RN_VDEV=pcap selects net_pcap instead
# (one RX queue reading incoming frames only, and two TX queues).
#
# Usage: set RN_DATAPLANE and RN_DPCTL (the executables), rn_init TAG
# LABEL; then rn_topology_up, rn_config_write, rn_dataplane_start,
# rn_api_wait, rn_session_load, rn_peers_start, rn_peers_wait; call
# rn_cleanup from the caller's EXIT trap.  With the B2BUA instead of
# rn_session_load: also set RN_CONTROLPLANE, call rn_sip_up and
# rn_b2bua_config CDR_FILE before rn_config_write, rn_controlplane_start
# after rn_api_wait, place the call with rn_sipp_start (SIPp scenarios in
# tests/e2e/), rn_session_wait for the session the B2BUA bound, then
# rn_peers_start as above and rn_sipp_wait.  Functions report problems with
# rn_fail, which exits (the caller's trap then cleans up).

RN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RN_PEER_PY=$RN_ROOT/scripts/rtp_peer.py

RN_CAR_SBC=198.18.0.1   RN_CAR_PEER=198.18.0.2   RN_CAR_PEER_PORT=40000
RN_PBX_SBC=198.18.1.1   RN_PBX_PEER=198.18.1.2   RN_PBX_PEER_PORT=50000
RN_CAR_SIP=198.18.0.10          # sbc-controlplane's SIP addresses (rn_sip_up)
RN_PBX_SIP=198.18.1.10
# IPv6 on the PBX side as well (RN_IPV6=1 before rn_topology_up, rn_sip_up
# and rn_config_write): documentation addresses, only inside our namespaces.
RN_PBX_SBC6=2001:db8:1::1       # the data plane's (m-pbx ipv6)
RN_PBX_PEER6=2001:db8:1::2      # the PBX namespace's eth0
RN_PBX_SIP6=2001:db8:1::10      # sbc-controlplane's, on the root end
RN_MEDIA_PORT=30000             # first port of media_ports: handed out first
RN_CAR_SSRC=0x0ca2ffc0          # low 16 bits 0xffc0: the sequence wraps at packet 64
RN_PBX_SSRC=0x0b0e0001

# What this run created; rn_cleanup undoes exactly this.
rn_namespaces=()
rn_links=()
rn_peer_pids=()
rn_sipp_pids=()
RN_CAR_PEER_ARGS=()
RN_PBX_PEER_ARGS=()
rn_dp_pid=
rn_cp_pid=
rn_dir=

rn_init() {
	RN_TAG=$1
	RN_LABEL=$2
	RN_NS_CAR=rampart-carrier-$RN_TAG
	RN_NS_PBX=rampart-pbx-$RN_TAG
	RN_IF_CAR=rp-car-$RN_TAG        # ≤ 15 characters for any PID
	RN_IF_PBX=rp-pbx-$RN_TAG
	RN_PREFIX=rampart_${RN_LABEL//-/_}_$RN_TAG
	rn_dir=$(mktemp -d "/tmp/rampart-$RN_LABEL.XXXXXX")
	RN_SOCK=$rn_dir/api.sock
	RN_CFG=$rn_dir/dataplane.yaml
	RN_DP_LOG=$rn_dir/dataplane.log
	RN_CP_LOG=$rn_dir/controlplane.log
	RN_CP_RUNTIME=$rn_dir/cp-run    # sbc-controlplane's RUNTIME_DIRECTORY (TLS material)
	RN_CP_SOCK=$rn_dir/controlplane.sock   # its sip.control_socket (sbcctl)
}

rn_log() {
	echo "$RN_LABEL: $*"
}

rn_fail() {
	echo "$RN_LABEL: FAIL: $*" >&2
	exit 1
}

# Milliseconds on the wall clock (the peers share it through --start-at).
rn_now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# rn_sysctl NS|"" PATH VALUE: write /proc/sys/PATH in namespace NS (or here);
# /proc/sys/net follows the namespace of whoever opens it.
rn_sysctl() {
	if [ -n "$1" ]; then
		ip netns exec "$1" sh -c "echo $3 >/proc/sys/$2"
	else
		echo "$3" >"/proc/sys/$2"
	fi
}

# Empty output when the host can create namespaces and veths; else why not.
rn_missing_prerequisite() {
	local c

	[ "$(id -u)" -eq 0 ] || { echo "not root"; return; }
	for c in ip ethtool python3; do
		command -v "$c" >/dev/null || { echo "no $c command"; return; }
	done
	ip netns list >/dev/null 2>&1 || echo "ip netns does not work here"
}

# One side: namespace NS with eth0 ADDR/24, veth to ROOT_IF in the root
# namespace (up, no address).
rn_side_up() {
	local ns=$1 root_if=$2 addr=$3

	if ip netns list | awk '{ print $1 }' | grep -qxF "$ns"; then
		rn_fail "namespace $ns exists already (left by a crashed run with PID $RN_TAG?); not touching it"
	fi
	if ip link show dev "$root_if" >/dev/null 2>&1; then
		rn_fail "interface $root_if exists already; not touching it"
	fi
	ip netns add "$ns" || rn_fail "ip netns add $ns"
	rn_namespaces+=("$ns")
	ip link add "$root_if" type veth peer name eth0 netns "$ns" ||
		rn_fail "ip link add $root_if"
	rn_links+=("$root_if")

	# Quiet wire: no IPv6 (router solicitations, MLD) from either end, and
	# the root kernel never forwards or answers what arrives on its end
	# (even on a host with ip_forward=1); that end belongs to the data plane.
	# With RN_IPV6=1 the PBX side keeps IPv6 (rn_ipv6_up), without
	# autoconfiguration, router solicitations or forwarding.
	if [ -d /proc/sys/net/ipv6 ]; then
		if [ "${RN_IPV6:-0}" = 1 ] && [ "$root_if" = "$RN_IF_PBX" ]; then
			rn_sysctl "" "net/ipv6/conf/$root_if/forwarding" 0
			rn_sysctl "" "net/ipv6/conf/$root_if/autoconf" 0
			rn_sysctl "" "net/ipv6/conf/$root_if/accept_ra" 0
			rn_sysctl "" "net/ipv6/conf/$root_if/router_solicitations" 0
			rn_sysctl "$ns" net/ipv6/conf/eth0/autoconf 0
			rn_sysctl "$ns" net/ipv6/conf/eth0/accept_ra 0
			rn_sysctl "$ns" net/ipv6/conf/eth0/router_solicitations 0
		else
			rn_sysctl "" "net/ipv6/conf/$root_if/disable_ipv6" 1
			rn_sysctl "$ns" net/ipv6/conf/eth0/disable_ipv6 1
		fi
	fi
	rn_sysctl "" "net/ipv4/conf/$root_if/forwarding" 0
	rn_sysctl "" "net/ipv4/conf/$root_if/arp_ignore" 8

	# Without this the namespace's kernel leaves the UDP checksum to an
	# offload that never happens, AF_PACKET hands the data plane frames with
	# partial checksums, and the other side's kernel drops every relayed
	# packet.
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null ||
		rn_fail "ethtool -K eth0 tx off in $ns"
	ip -n "$ns" addr add "$addr/24" dev eth0
	if [ "${RN_IPV6:-0}" = 1 ] && [ "$root_if" = "$RN_IF_PBX" ]; then
		ip -n "$ns" addr add "$RN_PBX_PEER6/64" dev eth0 nodad ||
			rn_fail "address $RN_PBX_PEER6"
	fi
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip link set "$root_if" up
}

rn_topology_up() {
	rn_side_up "$RN_NS_CAR" "$RN_IF_CAR" "$RN_CAR_PEER"
	rn_side_up "$RN_NS_PBX" "$RN_IF_PBX" "$RN_PBX_PEER"
}

# rn_device N IFACE: the vdev string for the root end IFACE.
rn_device() {
	case ${RN_VDEV:-af_packet} in
	af_packet) echo "net_af_packet$1,iface=$2" ;;
	pcap) echo "net_pcap$1,rx_iface_in=$2,tx_iface=$2,tx_iface=$2" ;;
	esac
}

# rn_sip_up: the SBC's SIP addresses on the root ends of the veths (see the
# picture above).
rn_sip_up() {
	ip addr add "$RN_CAR_SIP/24" dev "$RN_IF_CAR" || rn_fail "address $RN_CAR_SIP"
	ip addr add "$RN_PBX_SIP/24" dev "$RN_IF_PBX" || rn_fail "address $RN_PBX_SIP"
	rn_sysctl "" "net/ipv4/conf/$RN_IF_CAR/arp_ignore" 1
	rn_sysctl "" "net/ipv4/conf/$RN_IF_PBX/arp_ignore" 1
	rn_sysctl "" "net/ipv4/conf/$RN_IF_CAR/arp_announce" 2
	rn_sysctl "" "net/ipv4/conf/$RN_IF_PBX/arp_announce" 2
	if [ "${RN_IPV6:-0}" = 1 ]; then
		ip addr add "$RN_PBX_SIP6/64" dev "$RN_IF_PBX" nodad ||
			rn_fail "address $RN_PBX_SIP6"
	fi
}

# The sip: (and trunks:, cdr:) sections of rn_config_write: $RN_SIP_CONFIG
# when the caller set it (the B2BUA's), else a minimal one the data plane
# ignores.
rn_sip_config() {
	if [ -n "${RN_SIP_CONFIG:-}" ]; then
		printf '%s\n' "$RN_SIP_CONFIG"
		return
	fi
	cat <<EOF
# Required by the configuration model; only the B2BUA reads it.
sip:
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SBC, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }] }
EOF
}

# rn_b2bua_config CDR_FILE: RN_SIP_CONFIG for sbc-controlplane: SIP on
# $RN_CAR_SIP and $RN_PBX_SIP (UDP and TCP, port 5060), trunk `carrier`
# (source and target the carrier peer) and trunk `pbx` (the PBX peer),
# G.711 and telephone-event, latching learn, CDRs to CDR_FILE.  A call
# from the PBX goes to the carrier and the other way round.
rn_b2bua_config() {
	RN_SIP_CONFIG="sip:
  user_agent: Rampart
  control_socket: $RN_CP_SOCK
  interfaces:
    - { name: s-carrier, side: carrier, address: $RN_CAR_SIP, media_interface: m-carrier,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 }] }
    - { name: s-pbx, side: enterprise, address: $RN_PBX_SIP, media_interface: m-pbx,
        listen: [{ transport: udp, port: 5060 }, { transport: tcp, port: 5060 }] }
trunks:
  - { name: carrier, side: carrier, interface: s-carrier, sources: [$RN_CAR_PEER/32],
      targets: [\"$RN_CAR_PEER:5060\"], transport: udp, latching: learn,
      codecs: [PCMU, PCMA, telephone-event] }
  - { name: pbx, side: enterprise, interface: s-pbx, sources: [$RN_PBX_PEER/32],
      targets: [\"$RN_PBX_PEER:5060\"], transport: udp, latching: learn,
      codecs: [PCMU, PCMA, telephone-event] }
cdr: { enabled: true, path: $1 }
log: { level: info }"
}

rn_config_write() {
	local v6=

	if [ "${RN_IPV6:-0}" = 1 ]; then
		v6=" ipv6: $RN_PBX_SBC6/64,"
	fi
	cat >"$RN_CFG" <<EOF
# Written by $RN_LABEL (scripts/netns-lib.sh); deleted when it ends.
dataplane:
  eal: ["--no-huge", "-m", "512", "--no-pci"]
  main_lcore: 0
  workers: [1]
  ports:
    - { name: p-carrier, device: "$(rn_device 0 "$RN_IF_CAR")" }
    - { name: p-pbx, device: "$(rn_device 1 "$RN_IF_PBX")" }
  interfaces:
    - { name: m-carrier, port: p-carrier, ipv4: $RN_CAR_SBC/24, media_ports: 30000-30999 }
    - { name: m-pbx, port: p-pbx, ipv4: $RN_PBX_SBC/24,$v6 media_ports: 30000-30999 }
  stream_table_size: 1024
  mempool_size: 8191
  idle_backoff_us: 100          # a small machine: leave CPU to the peers
  telemetry: true
  api_socket: $RN_SOCK
EOF
	rn_sip_config >>"$RN_CFG"
}

# True while our data plane runs (a zombie counts as gone).
rn_dp_alive() {
	local state

	[ -n "$rn_dp_pid" ] || return 1
	state=$(awk '{ print $3 }' "/proc/$rn_dp_pid/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

rn_dataplane_start() {
	"$RN_DATAPLANE" -c "$RN_CFG" --file-prefix "$RN_PREFIX" >"$RN_DP_LOG" 2>&1 &
	rn_dp_pid=$!
}

# True while our control plane runs (a zombie counts as gone).
rn_cp_alive() {
	local state

	[ -n "$rn_cp_pid" ] || return 1
	state=$(awk '{ print $3 }' "/proc/$rn_cp_pid/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# rn_controlplane_start [CFG]: sbc-controlplane ($RN_CONTROLPLANE) on CFG
# (default $RN_CFG) in the root namespace, its log appended to $RN_CP_LOG;
# waits (bounded) until it listens on both SIP interfaces.  Its runtime
# directory (RUNTIME_DIRECTORY, where TLS material is copied) is
# $RN_CP_RUNTIME, inside this run's directory, never /run/rampart.
rn_controlplane_start() {
	local i

	: >"$RN_CP_LOG.start"
	RUNTIME_DIRECTORY=$RN_CP_RUNTIME "$RN_CONTROLPLANE" -c "${1:-$RN_CFG}" \
		>"$RN_CP_LOG.start" 2>&1 &
	rn_cp_pid=$!
	for ((i = 0; i < 100; i++)); do
		rn_cp_alive || rn_fail "sbc-controlplane exited during start: $(tail -n 5 "$RN_CP_LOG.start")"
		if [ "$(grep -c 'listening on' "$RN_CP_LOG.start")" -ge 2 ]; then
			return 0
		fi
		sleep 0.1
	done
	rn_fail "sbc-controlplane not listening after 10 s"
}

# rn_controlplane_stop SECONDS: SIGTERM, SIGKILL after SECONDS; sets RN_CP_STATUS.
rn_controlplane_stop() {
	local i

	RN_CP_STATUS=0
	[ -n "$rn_cp_pid" ] || return 0
	kill -TERM "$rn_cp_pid" 2>/dev/null || true
	for ((i = 0; i < $1 * 10; i++)); do
		rn_cp_alive || break
		sleep 0.1
	done
	if rn_cp_alive; then
		echo "$RN_LABEL: sbc-controlplane ($rn_cp_pid) ignored SIGTERM for $1 s: SIGKILL" >&2
		kill -KILL "$rn_cp_pid" 2>/dev/null || true
	fi
	wait "$rn_cp_pid" 2>/dev/null || RN_CP_STATUS=$?
	rn_cp_pid=
	# One log over restarts.
	if [ -f "$RN_CP_LOG.start" ]; then
		cat "$RN_CP_LOG.start" >>"$RN_CP_LOG"
		rm -f -- "$RN_CP_LOG.start"
	fi
}

rn_ctl() {
	"$RN_DPCTL" -s "$RN_SOCK" -w 5 "$@"
}

# rn_api_wait SECONDS: until `sbc-dpctl hello` answers; sets RN_HELLO to
# its answer.
rn_api_wait() {
	local i

	for ((i = 0; i < $1 * 20; i++)); do
		rn_dp_alive || rn_fail "sbc-dataplane exited during start"
		RN_HELLO=$("$RN_DPCTL" -s "$RN_SOCK" -w 1 hello 2>/dev/null) && return 0
		sleep 0.05
	done
	rn_fail "no answer on $RN_SOCK after $1 s"
}

# One session: leg A on m-carrier (remote = the carrier peer), leg B on
# m-pbx (remote = the PBX peer), each on port 30000, from 1-row stream sets
# in the format of pktgen-scripts/gen_rtp_pcap.py --stream-set.  Sets
# RN_SESSION.
rn_session_load() {
	printf 'stream,src_ip,src_port,dst_ip,dst_port,ssrc\n0,%s,%s,%s,%s,%u\n' \
		"$RN_CAR_PEER" "$RN_CAR_PEER_PORT" "$RN_CAR_SBC" "$RN_MEDIA_PORT" \
		"$((RN_CAR_SSRC))" >"$rn_dir/carrier.csv"
	printf 'stream,src_ip,src_port,dst_ip,dst_port,ssrc\n0,%s,%s,%s,%s,%u\n' \
		"$RN_PBX_PEER" "$RN_PBX_PEER_PORT" "$RN_PBX_SBC" "$RN_MEDIA_PORT" \
		"$((RN_PBX_SSRC))" >"$rn_dir/pbx.csv"
	rn_ctl load-sessions m-carrier "$rn_dir/carrier.csv" m-pbx "$rn_dir/pbx.csv" \
		>"$rn_dir/sessions.txt" || rn_fail "sbc-dpctl load-sessions failed"
	RN_SESSION=$(sed -n 's/^session=\([0-9]*\) .*/\1/p' "$rn_dir/sessions.txt")
	[ -n "$RN_SESSION" ] || rn_fail "no session in: $(cat "$rn_dir/sessions.txt")"
}

# rn_sipp_start NAME NS ADDR SCENARIO [sipp options...]: SIPp in NS on
# ADDR:5060 in the background (bounded by -timeout), scenario from
# tests/e2e/, messages traced to $rn_dir/NAME-sipp-msg.log, output in
# $rn_dir/NAME.out/.err.  Sets RN_SIPP_PID.
rn_sipp_start() {
	local name=$1 ns=$2 addr=$3 sf=$4
	shift 4

	ip netns exec "$ns" sipp -sf "$RN_ROOT/tests/e2e/$sf" -i "$addr" -p 5060 -m 1 \
		-nostdin -timeout "${RN_SIPP_TIMEOUT:-30}s" -timeout_error -max_recv_loops 100 \
		-trace_msg -message_file "$rn_dir/$name-sipp-msg.log" \
		-trace_err -error_file "$rn_dir/$name-sipp-err.log" "$@" \
		>"$rn_dir/$name.out" 2>"$rn_dir/$name.err" </dev/null &
	RN_SIPP_PID=$!
	rn_sipp_pids+=("$RN_SIPP_PID")
}

# rn_sipp_wait PID: its exit status in RN_SIPP_STATUS (SIPp bounds its own run).
rn_sipp_wait() {
	local p keep=()

	RN_SIPP_STATUS=0
	wait "$1" || RN_SIPP_STATUS=$?
	# Reaped: never signal that PID again (it may be reused).
	for p in "${rn_sipp_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	rn_sipp_pids=("${keep[@]}")
}

# rn_session_wait SECONDS: until the data plane holds a bound session (the
# B2BUA binds it when the answer is relayed).  Sets RN_SESSION and the
# SBC's media ports on each side, RN_CAR_TO_PORT and RN_PBX_TO_PORT (where
# rn_peers_start sends).
rn_session_wait() {
	local i dump=$rn_dir/dump.txt

	for ((i = 0; i < $1 * 10; i++)); do
		rn_ctl dump >"$dump" 2>/dev/null || true
		RN_SESSION=$(awk '$2 ~ /^[1-9][0-9]*$/ { print $2; exit }' "$dump")
		# Addresses as sbc-dpctl prints them: A.B.C.D:PORT or [V6]:PORT.
		RN_CAR_TO_PORT=$(awk -v a="$RN_CAR_SBC:" '$2 ~ /^[1-9]/ && index($3, a) == 1 {
			print substr($3, length(a) + 1); exit }' "$dump")
		RN_PBX_TO_PORT=$(awk -v a="$RN_PBX_SBC:" '$2 ~ /^[1-9]/ && index($3, a) == 1 {
			print substr($3, length(a) + 1); exit }' "$dump")
		[ -n "$RN_SESSION" ] && [ -n "$RN_CAR_TO_PORT" ] && [ -n "$RN_PBX_TO_PORT" ] && return 0
		sleep 0.1
	done
	rn_fail "no session in the data plane after $1 s: $(cat "$dump")"
}

# rn_peers_start PACKETS [rtp_peer.py options...]: both peers, in their
# namespaces, starting together 100 ms (RN_PEER_LEAD_MS) after both have
# bound their sockets (a fixed lead from launch was a race with Python's
# start-up on a loaded 2-core machine: 'started N ms after --start-at'),
# sending to the SBC's ports RN_CAR_TO_PORT / RN_PBX_TO_PORT (default
# RN_MEDIA_PORT).  The arrays RN_CAR_PEER_ARGS and RN_PBX_PEER_ARGS, when
# set, add options for one side only (SRTP keys).
rn_peers_start() {
	local packets=$1 start_ms go=$rn_dir/peers-go i
	local -a car_args=("${RN_CAR_PEER_ARGS[@]}") pbx_args=("${RN_PBX_PEER_ARGS[@]}")
	shift

	# Each peer binds, says it is ready, then waits for the start time in
	# $go: Python's start-up (seconds on a loaded 2-core machine) is never
	# a race with the other peer's first packets.
	rm -f "$go" "$go".*.ready
	ip netns exec "$RN_NS_CAR" python3 "$RN_PEER_PY" --name carrier \
		--bind "$RN_CAR_PEER:$RN_CAR_PEER_PORT" --to "$RN_CAR_SBC:${RN_CAR_TO_PORT:-$RN_MEDIA_PORT}" \
		--ssrc "$RN_CAR_SSRC" --peer-ssrc "$RN_PBX_SSRC" --packets "$packets" \
		--go-file "$go" "${car_args[@]}" "$@" \
		>"$rn_dir/peer-carrier.txt" 2>"$rn_dir/peer-carrier.err" &
	rn_peer_pids+=($!)
	ip netns exec "$RN_NS_PBX" python3 "$RN_PEER_PY" --name pbx \
		--bind "$RN_PBX_PEER:$RN_PBX_PEER_PORT" --to "$RN_PBX_SBC:${RN_PBX_TO_PORT:-$RN_MEDIA_PORT}" \
		--ssrc "$RN_PBX_SSRC" --peer-ssrc "$RN_CAR_SSRC" --packets "$packets" \
		--go-file "$go" "${pbx_args[@]}" "$@" \
		>"$rn_dir/peer-pbx.txt" 2>"$rn_dir/peer-pbx.err" &
	rn_peer_pids+=($!)
	for ((i = 0; i < 200; i++)); do
		[ -e "$go.carrier.ready" ] && [ -e "$go.pbx.ready" ] && break
		sleep 0.05
	done
	start_ms=$(($(rn_now_ms) + ${RN_PEER_LEAD_MS:-100}))
	RN_MEDIA_START=$(printf '%d.%03d' $((start_ms / 1000)) $((start_ms % 1000)))
	echo "$RN_MEDIA_START" >"$go.tmp" && mv "$go.tmp" "$go"
}

# Wait for both peers (each bounds its own run); sets RN_PEERS_OK=1 when
# both exited 0.  Their reports are in $rn_dir/peer-{carrier,pbx}.txt.
rn_peers_wait() {
	local pid rc

	RN_PEERS_OK=1
	for pid in "${rn_peer_pids[@]}"; do
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 0 ] || RN_PEERS_OK=0
	done
	rn_peer_pids=()
}

# rn_peer_field SIDE KEY: one value from a peer's report line.
rn_peer_field() {
	awk -v k="$2" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' \
		"$rn_dir/peer-$1.txt" 2>/dev/null
}

# rn_leg_field LEG KEY: one value from `sbc-dpctl stats SESSION` saved in
# $rn_dir/stats.txt (LEG a = carrier, b = pbx).
rn_leg_field() {
	awk -v leg="leg=$1" -v k="$2" '$1 == leg {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' \
		"$rn_dir/stats.txt"
}

# rn_dataplane_stop SECONDS: SIGTERM, SIGKILL after SECONDS; sets RN_DP_STATUS.
rn_dataplane_stop() {
	local i

	RN_DP_STATUS=0
	[ -n "$rn_dp_pid" ] || return 0
	kill -TERM "$rn_dp_pid" 2>/dev/null || true
	for ((i = 0; i < $1 * 10; i++)); do
		rn_dp_alive || break
		sleep 0.1
	done
	if rn_dp_alive; then
		echo "$RN_LABEL: sbc-dataplane ($rn_dp_pid) ignored SIGTERM for $1 s: SIGKILL" >&2
		kill -KILL "$rn_dp_pid" 2>/dev/null || true
	fi
	wait "$rn_dp_pid" 2>/dev/null || RN_DP_STATUS=$?
	rn_dp_pid=
}

# Undo everything this run created, whatever state it got to.
# rn_cleanup RC: a failure (RC other than 0, 130 or 143: SIGINT, SIGTERM)
# shows the end of the data plane's log.
rn_cleanup() {
	local pid ns link

	for pid in "${rn_peer_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${rn_peer_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rn_peer_pids=()
	for pid in "${rn_sipp_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${rn_sipp_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rn_sipp_pids=()
	rn_controlplane_stop 10
	rn_dataplane_stop 10
	if [ "$1" -ne 0 ] && [ "$1" -ne 130 ] && [ "$1" -ne 143 ] && [ -s "${RN_DP_LOG:-}" ]; then
		echo "---- sbc-dataplane log (last 30 lines) ----" >&2
		tail -n 30 "$RN_DP_LOG" >&2
	fi
	if [ "$1" -ne 0 ] && [ "$1" -ne 130 ] && [ "$1" -ne 143 ] && [ -s "${RN_CP_LOG:-}" ]; then
		echo "---- sbc-controlplane log (last 40 lines) ----" >&2
		tail -n 40 "$RN_CP_LOG" >&2
	fi
	# Deleting one end of a veth deletes the pair.
	for link in "${rn_links[@]}"; do
		ip link del "$link" 2>/dev/null || true
	done
	rn_links=()
	for ns in "${rn_namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null || echo "$RN_LABEL: could not delete namespace $ns" >&2
	done
	rn_namespaces=()
	[ -z "${RN_PREFIX:-}" ] || rm -rf -- "/var/run/dpdk/$RN_PREFIX"
	[ -z "$rn_dir" ] || rm -rf -- "$rn_dir"
	rn_dir=
}
