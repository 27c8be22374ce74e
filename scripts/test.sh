#!/usr/bin/env bash
# Build Rampart in a fresh directory and run every meson test suite.
#   ./scripts/test.sh              all suites
#   ./scripts/test.sh unit         only the named suite(s)
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

# One closing line any CI reader understands.
python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: bad += 1
print(f"tests: {ok} passed, {bad} failed, {skip} skipped")
PY
exit $rc
