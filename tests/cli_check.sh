#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Every binary answers --version with "NAME VERSION" (the project's) and
# --help with its usage on stdout, both exit 0; an unknown option is a
# usage error (exit 2, usage on stderr).
# usage: cli_check.sh VERSION BINARY...
set -u
want=$1
shift
fail=0
for bin in "$@"; do
	name=$(basename "$bin")
	out=$("$bin" --version 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ "$out" != "$name $want" ]; then
		echo "cli: FAIL: $name --version: exit $rc, '$out' (want '$name $want')"
		fail=1
	fi
	out=$("$bin" --help 2>/dev/null)
	rc=$?
	case "$out" in
	usage:*) [ $rc -eq 0 ] || { echo "cli: FAIL: $name --help: exit $rc"; fail=1; } ;;
	*) echo "cli: FAIL: $name --help: no usage on stdout"; fail=1 ;;
	esac
	"$bin" --no-such-option >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] || { echo "cli: FAIL: $name --no-such-option: exit $rc, want 2"; fail=1; }
done
[ $fail -eq 0 ] && echo "cli: PASS ($# binaries: --version, --help, a bad option)"
exit $fail
