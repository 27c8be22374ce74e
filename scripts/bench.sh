#!/usr/bin/env bash
# Benchmarks: programs that print one line per measurement, with a reference
# measured in the same run.  Figures go to docs/performance.md.
#   ./scripts/bench.sh relay [STREAMS...] [--packets N]
#   ./scripts/bench.sh srtp [--streams N] [--packets N] [--libsrtp-packets N]
#   ./scripts/bench.sh cps [RATE...] [--seconds S] [--hold-ms MS] [--log-level LEVEL]
#                          [--idle-backoff-us US] [--no-reference]
# Builds an optimised tree in build-bench/ (or $BUILD_DIR).  For relay and
# srtp, as root, it reserves hugepages for the run (and gives them back
# afterwards); otherwise they use 4 KiB pages.  cps (root, SIPp) places SIP
# calls through both processes between network namespaces:
# tests/bench/cps/bench_cps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

usage() {
	echo "usage: $0 relay [STREAMS...] [--packets N]" >&2
	echo "       $0 srtp [--streams N] [--packets N] [--libsrtp-packets N]" >&2
	echo "       $0 cps [RATE...] [--seconds S] [--hold-ms MS] [--log-level LEVEL]" >&2
	echo "              [--idle-backoff-us US] [--no-reference]" >&2
	echo "available: relay srtp cps" >&2
	exit 2
}
[ $# -ge 1 ] || usage
name=$1
shift

rampart_install_missing $RAMPART_BUILD_DEPS
build=${BUILD_DIR:-build-bench}
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" >/dev/null

# Hugepages: 2 GiB for the 1M-stream table, restored on exit.
hp=/proc/sys/vm/nr_hugepages
hp_before=""
mounted=""
restore() {
	[ -n "$mounted" ] && umount /dev/hugepages 2>/dev/null || true
	[ -n "$hp_before" ] && echo "$hp_before" > "$hp" 2>/dev/null || true
}
trap restore EXIT
# cps: the data plane's memory is not what it measures (4 KiB pages).
if [ "$name" != cps ] && [ "$(id -u)" -eq 0 ] && [ -w "$hp" ]; then
	hp_before=$(cat "$hp")
	want=1536
	[ "$hp_before" -lt "$want" ] && echo "$want" > "$hp"
	if ! mount | grep -q "type hugetlbfs"; then
		mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && mounted=1
	fi
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -ge 1024 ]; then
		export RAMPART_HUGEPAGES=1
	fi
fi
echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cpus, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), hugepages=${RAMPART_HUGEPAGES:-0}"

case "$name" in
relay)
	"$build/tests/bench/bench_relay" "$@" 2>&1 | grep -E '^(relay|bench_relay)' ;;
srtp)
	"$build/tests/bench/bench_srtp" "$@" 2>&1 | grep -E '^(srtp|bench_srtp)' ;;
cps)
	tests/bench/cps/bench_cps.sh "$build" "$@" ;;
*)
	usage ;;
esac
