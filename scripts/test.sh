#!/usr/bin/env bash
# Build Rampart in a fresh directory and run every meson test suite.
#   ./scripts/test.sh              all suites
#   ./scripts/test.sh unit         only the named suite(s)
# Every suite runs twice: a normal build, then AddressSanitizer + UBSan.
# Installs missing Debian packages first (as root). Exit status: 0 only when
# every test passed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

rampart_install_missing $RAMPART_BUILD_DEPS

build=${BUILD_DIR:-build-test}
rm -rf "$build"
meson setup "$build" -Dwerror=true >/dev/null
ninja -C "$build"

suites=()
for s in "$@"; do suites+=(--suite "$s"); done
rc=0
meson test -C "$build" --verbose --print-errorlogs "${suites[@]}" || rc=$?

# The same suites again under AddressSanitizer + UBSan (use-after-free in
# the RCU paths, out-of-bounds reads on malformed input).  DPDK keeps its
# memory until exit by design, so leak reports are off; any other report
# fails the run.  RAMPART_NO_SANITIZE=1 skips this pass.
if [ "${RAMPART_NO_SANITIZE:-0}" != 1 ]; then
	asan=${build}-asan
	rm -rf "$asan"
	meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C "$asan"
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C "$asan" --print-errorlogs "${suites[@]}" || rc=$?
fi

# Every libFuzzer target (tests/fuzz/), a bounded run each under ASan and
# UBSan from its seed corpus (the corpora themselves replay in suite unit
# above).  Only for a full run; RAMPART_FUZZ_SECONDS (10) per target, 0
# skips it.
fuzz_s=${RAMPART_FUZZ_SECONDS:-10}
if [ $# -eq 0 ] && [ "$fuzz_s" != 0 ]; then
	rm -rf "${build}-fuzz"
	FUZZ_BUILD_DIR=${build}-fuzz FUZZ_CLEAN=1 ./scripts/fuzz.sh all "$fuzz_s" || rc=$?
fi

# One closing line any CI reader understands.
python3 - "$build/meson-logs/testlog.json" ${asan:+"$asan/meson-logs/testlog.json"} <<'PY'
import json, sys
ok = bad = skip = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"): ok += 1
        elif r == "SKIP": skip += 1
        else: bad += 1
print(f"tests: {ok} passed, {bad} failed, {skip} skipped")
PY
exit $rc
