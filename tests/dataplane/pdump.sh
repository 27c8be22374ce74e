#!/usr/bin/env bash
# Meson suite `dataplane`, test `pdump`: dpdk-dumpcap (a DPDK secondary
# process) captures a media port of a running sbc-dataplane, which is what
# dataplane.pdump (rte_pdump_init) promises.  Multi-process needs hugepages:
# the test reserves a few (and gives them back), and removes its own
# hugepage files and runtime directory.  Exit 77 (skip) without root,
# dpdk-dumpcap or hugepages.
#   usage: pdump.sh /path/to/sbc-dataplane
set -u
dataplane=$1
prefix=rampart_pdump_$$
tmp=$(mktemp -d /tmp/rampart-pdump-XXXXXX)
hp=/proc/sys/vm/nr_hugepages
hp_before=""
mounted=""
pid=""

cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -f /dev/hugepages/${prefix}map_* 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix" "$tmp"
	[ -n "$mounted" ] && umount /dev/hugepages 2>/dev/null
	[ -n "$hp_before" ] && echo "$hp_before" > "$hp" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() { echo "pdump: SKIP: $*"; exit 77; }
fail() { echo "pdump: FAIL: $*"; [ -f "$tmp/dp.log" ] && sed 's/^/  dp: /' "$tmp/dp.log"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root (hugepages, DPDK multi-process)"
command -v dpdk-dumpcap >/dev/null || skip "dpdk-dumpcap not installed (package dpdk-dev)"
[ -w "$hp" ] || skip "cannot reserve hugepages"
hp_before=$(cat "$hp")
echo $((hp_before + 160)) > "$hp"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 160 ] || skip "only ${free:-0} free hugepages"
if ! mount | grep -q "on /dev/hugepages type hugetlbfs"; then
	mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && mounted=1 ||
		skip "cannot mount hugetlbfs"
fi

# net_null generates a steady stream of frames: something to capture.
# The secondary maps the primary's memory at the same virtual addresses.
# DPDK's default hint (4 GiB) lies in AddressSanitizer's shadow, so an ASan
# primary got whatever address the kernel chose, and a dumpcap whose
# libraries happened to sit there failed one run in ten ("Cannot reserve ...
# please use '--base-virtaddr'"): a fixed base above the shadow, free in both.
cat > "$tmp/dp.yaml" <<YAML
dataplane:
  eal: ["-m", "256", "--no-pci", "--log-level", "lib.*:error",
        "--base-virtaddr", "0x200000000000"]
  main_lcore: 0
  workers: [1]
  ports:
    - { name: p0, device: "net_null0" }
  interfaces:
    - { name: m0, port: p0, ipv4: 198.18.0.1/24 }
  stream_table_size: 1024
  mempool_size: 4095
  idle_backoff_us: 1000
  pdump: true
  telemetry: false
  api_socket: $tmp/dp.sock
sip:
  interfaces:
    - { name: s0, side: carrier, address: 198.18.0.1, media_interface: m0,
        listen: [{ transport: udp, port: 5060 }] }
YAML
"$dataplane" -c "$tmp/dp.yaml" --file-prefix "$prefix" > "$tmp/dp.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -S "$tmp/dp.sock" ] && break
	kill -0 "$pid" 2>/dev/null || fail "sbc-dataplane exited"
	sleep 0.1
done
[ -S "$tmp/dp.sock" ] || fail "sbc-dataplane did not come up"

timeout 30 dpdk-dumpcap --file-prefix "$prefix" -i net_null0 -c 20 -w "$tmp/cap.pcapng" \
	> "$tmp/dumpcap.log" 2>&1 || fail "dpdk-dumpcap failed: $(cat "$tmp/dumpcap.log")"
received=$(sed -n "s/.*received\/dropped on interface 'net_null0': \([0-9]*\)\/.*/\1/p" \
	"$tmp/dumpcap.log")
size=$(stat -c %s "$tmp/cap.pcapng" 2>/dev/null || echo 0)
[ "${received:-0}" -ge 20 ] || fail "captured ${received:-0} packets: $(cat "$tmp/dumpcap.log")"
[ "$size" -gt 500 ] || fail "capture file has $size bytes"
kill -0 "$pid" 2>/dev/null || fail "sbc-dataplane died during the capture"
echo "pdump: PASS: dpdk-dumpcap saw $received packets of net_null0 and wrote 20 ($size bytes of pcapng)"
