#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `unit`, test `regression-config`: the regression inputs that
# are configurations (tests/regressions/*.yaml) through both binaries'
# `-n`: each must be refused with exit status 1 and file:line:column
# errors, never a signal; a file with a line "# expect: TEXT" must be
# refused with an error line that ends with TEXT (the right reason).
#
# usage: config_check.sh SBC_CONTROLPLANE SBC_DATAPLANE
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
rc_all=0
for f in "$dir"/*.yaml; do
	for exe in "$1" "$2"; do
		rc=0
		out=$("$exe" -n -c "$f" 2>&1) || rc=$?
		want=$(sed -n 's/^# expect: //p' "$f")
		if [ "$rc" -ne 1 ] || ! grep -qE "^$f:[0-9]+:[0-9]+: " <<<"$out" ||
		   { [ -n "$want" ] && ! grep -qF -- "$want" <<<"$out"; }; then
			echo "FAIL: $(basename "$exe") -n -c $(basename "$f"): status $rc: $out"
			rc_all=1
		else
			echo "ok: $(basename "$exe") -n -c $(basename "$f"): refused ($(head -n 1 <<<"$out"))"
		fi
	done
done
exit "$rc_all"
