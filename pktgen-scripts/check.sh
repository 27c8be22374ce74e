#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Checks of the load-generation kit that need no NIC and no Pktgen:
#   1. gen_rtp_pcap.py --self-test
#   2. a 100-stream file re-read by --verify (and by tshark when installed)
#   3. Lua syntax (luac5.3/5.4 -p) and a run of both Pktgen scripts against
#      mock-pktgen.lua, for each pktgen.portStats form (when lua5.x is installed)
# Exit status 0 when everything that could run passed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 "$here/gen_rtp_pcap.py" --self-test

python3 "$here/gen_rtp_pcap.py" --streams 100 --packets-per-stream 50 \
	--out "$tmp/s.pcap" --stream-set "$tmp/s.csv"
python3 "$here/gen_rtp_pcap.py" --verify "$tmp/s.pcap" --stream-set "$tmp/s.csv"

if command -v tshark >/dev/null 2>&1; then
	bad=$(tshark -r "$tmp/s.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-d udp.port==20000,rtp -o rtp.heuristic_rtp:TRUE \
		-Y 'ip.checksum.status != 1 || udp.checksum.status != 1 || !rtp' 2>/dev/null | wc -l)
	streams=$(tshark -r "$tmp/s.pcap" -o rtp.heuristic_rtp:TRUE -q -z rtp,streams 2>/dev/null |
		grep -c ' g711U *50 *0 (0.0%)' || true)
	echo "tshark: $bad packets with a bad checksum or not RTP; $streams of 100 streams with 50 packets, 0 lost"
	[ "$bad" -eq 0 ] && [ "$streams" -eq 100 ]
else
	echo "tshark: not installed, skipped"
fi

lua=""
for l in lua5.4 lua5.3; do
	if command -v "$l" >/dev/null 2>&1; then lua=$l; break; fi
done
if [ -n "$lua" ]; then
	for c in luac5.4 luac5.3; do
		if command -v "$c" >/dev/null 2>&1; then
			# one file per run: luac 5.4.4 crashes given several with -p
			for f in rtp-streams.lua rtp-pcap-replay.lua mock-pktgen.lua; do
				"$c" -p "$here/$f"
			done
			echo "$c -p: OK"
		fi
	done
	for form in new old; do
		"$lua" "$here/mock-pktgen.lua" "$here/rtp-streams.lua" "$form" DURATION_S=2 >"$tmp/m.out" 2>&1 ||
			{ cat "$tmp/m.out"; exit 1; }
		tail -n 1 "$tmp/m.out"
		"$lua" "$here/mock-pktgen.lua" "$here/rtp-pcap-replay.lua" "$form" DURATION_S=2 \
			MOCK_PCAP_FRAME=214 >"$tmp/m.out" 2>&1 || { cat "$tmp/m.out"; exit 1; }
		tail -n 1 "$tmp/m.out"
	done
else
	echo "lua: not installed (apt-get install lua5.3), Lua checks skipped"
fi
echo "pktgen-scripts: checks passed"
