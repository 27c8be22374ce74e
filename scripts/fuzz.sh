#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./scripts/fuzz.sh TARGET [SECONDS]: build the libFuzzer targets with clang
# (build-fuzz/, or $FUZZ_BUILD_DIR; meson -Dfuzz=true) and run TARGET (any
# NAME with a seed corpus tests/fuzz/corpus/NAME/, tests/fuzz/fuzz_NAME.c)
# for SECONDS (60), starting from that corpus copied to a temporary
# directory (the tree is never written).  An input that takes over 2 s
# counts as a hang.  New inputs found are kept in that directory, printed
# at the end: copy the interesting ones into the corpus, where
# fuzz-NAME-corpus replays them in every test run.
# ./scripts/fuzz.sh all [SECONDS]: every target in turn, SECONDS each, one
# line per target; exit 1 if any failed.  FUZZ_CLEAN=1: a passing run's
# directory and log are removed (a failing one's kept).  docs/fuzzing.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
targets=()
for d in "$root"/tests/fuzz/corpus/*/; do
	d=${d%/}
	d=${d##*/}
	[ -f "$root/tests/fuzz/fuzz_$d.c" ] && targets+=("$d")
done
usage() {
	echo "usage: $0 TARGET|all [SECONDS]; targets: ${targets[*]}" >&2
	exit 2
}

target=${1:-}
secs=${2:-60}
[ -n "$target" ] || usage
[[ $secs =~ ^[0-9]+$ ]] || usage
if [ "$target" = all ]; then
	run=("${targets[@]}")
else
	run=()
	for t in "${targets[@]}"; do
		[ "$t" = "$target" ] && run=("$t")
	done
	[ ${#run[@]} -eq 1 ] || usage
fi
command -v clang >/dev/null || { echo "fuzz: clang is needed (Debian package clang)" >&2; exit 2; }
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
[ -d "$build" ] || CC=clang meson setup "$build" "$root" -Dfuzz=true -Dwerror=false >/dev/null
ninja -C "$build" "${run[@]/#/tests/fuzz/fuzz_}" >/dev/null

# fuzz_one NAME: one bounded run; its line on stdout; 0 or 1.
fuzz_one() {
	local t=$1 work log start rc=0 runs

	work=$(mktemp -d "/tmp/rampart-fuzz-$t.XXXXXX")
	cp "$root/tests/fuzz/corpus/$t"/* "$work/"
	start=$(find "$work" -type f | wc -l)
	log=$work.log
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=2 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/" "$work" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	echo "fuzz $t seconds=$secs runs=${runs:-0} corpus_start=$start corpus_end=$(find "$work" -type f | wc -l) status=$rc"
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log" >&2
		echo "fuzz: failing input and log in $work, $log" >&2
		return 1
	fi
	if [ "${FUZZ_CLEAN:-0}" = 1 ]; then
		rm -rf "$work" "$log"       # a passing run leaves nothing (./scripts/test.sh)
	else
		[ "$target" = all ] || echo "corpus: $work (log $log)"
	fi
	return 0
}

failed=0
for t in "${run[@]}"; do
	fuzz_one "$t" || failed=1
done
exit $failed
