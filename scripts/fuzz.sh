#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./scripts/fuzz.sh TARGET [SECONDS]: build the libFuzzer targets with clang
# (build-fuzz/, meson -Dfuzz=true) and run TARGET (sdp) for SECONDS (60),
# starting from tests/fuzz/corpus/TARGET/ copied to a temporary directory
# (the tree is never written).  An input that takes over 2 s counts as a
# hang.  New inputs found are kept in that directory, printed at the end:
# copy the interesting ones into the corpus, where fuzz-sdp-corpus replays
# them in every test run.
set -euo pipefail

target=${1:-}
secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
case $target in
sdp) ;;
*) echo "usage: $0 sdp [SECONDS]" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "fuzz: clang is needed (Debian package clang)" >&2; exit 2; }
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
[ -d "$build" ] || CC=clang meson setup "$build" "$root" -Dfuzz=true -Dwerror=false >/dev/null
ninja -C "$build" "tests/fuzz/fuzz_$target" >/dev/null
work=$(mktemp -d "/tmp/rampart-fuzz-$target.XXXXXX")
cp "$root/tests/fuzz/corpus/$target"/* "$work/"
start=$(ls "$work" | wc -l)
log=$work.log
rc=0
"$build/tests/fuzz/fuzz_$target" -max_total_time="$secs" -timeout=2 -rss_limit_mb=2048 \
	-print_final_stats=1 "$work" >"$log" 2>&1 || rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz $target seconds=$secs runs=${runs:-0} corpus_start=$start corpus_end=$(ls "$work" | wc -l) status=$rc"
[ "$rc" -eq 0 ] || { tail -n 40 "$log" >&2; echo "fuzz: failing input and log in $work, $log" >&2; exit 1; }
echo "corpus: $work (log $log)"
