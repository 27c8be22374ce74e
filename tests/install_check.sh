#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Meson suite `unit`, test `install`: `meson install` into a temporary
# DESTDIR puts the four binaries, both systemd units, the example
# configurations with their TLS material, the logrotate rules, the
# documents and the man pages (go-md2man) in place; the units name the installed binaries and the
# configuration under sysconfdir, and `systemd-analyze verify` accepts
# them with no warning (run on copies whose paths point into DESTDIR, so
# that it finds the binaries; skipped without systemd-analyze).
#
# usage: install_check.sh BUILD_DIR
set -euo pipefail
build=$1
dest=$(mktemp -d /tmp/rampart-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail=0
bad() { echo "install: FAIL: $*"; fail=1; }

meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; bad "meson install failed"; exit 1; }
rm -f "$dest.log"
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
bindir=$dest$prefix/bin
for b in sbc-dataplane sbc-controlplane sbcctl sbc-dpctl; do
	[ -x "$bindir/$b" ] || bad "$b not installed in $prefix/bin"
done
"$bindir/sbcctl" --version >/dev/null 2>&1 || bad "the installed sbcctl does not run"
units=()
for u in rampart-dataplane.service rampart-controlplane.service; do
	f=$(find "$dest" -name "$u" -type f | head -n 1)
	if [ -z "$f" ]; then
		bad "$u not installed"
		continue
	fi
	units+=("$f")
	grep -q "^ExecStart=$prefix/bin/sbc-" "$f" || bad "$u: ExecStart does not name $prefix/bin"
	grep -q "^RuntimeDirectory=rampart$" "$f" || bad "$u: no RuntimeDirectory=rampart"
	grep -q "^LogsDirectory=rampart$" "$f" || bad "$u: no LogsDirectory=rampart"
	grep -q "^ExecStartPre=.* -n -c " "$f" || bad "$u: no -n check before the start"
done
for f in share/rampart/examples/rampart.yaml share/rampart/examples/enterprise-carrier.yaml \
	 share/rampart/examples/tls/example.crt share/doc/rampart/deployment.md \
	 share/doc/rampart/security.md; do
	[ -f "$dest$prefix/$f" ] || bad "$prefix/$f not installed"
done
[ -n "$(find "$dest" -path '*logrotate.d/rampart' -type f)" ] || bad "no logrotate.d/rampart"
# Man pages, when go-md2man built them (scripts/deps.sh installs it).
if command -v go-md2man >/dev/null; then
	for b in sbc-dataplane sbc-controlplane sbcctl sbc-dpctl; do
		m=$(find "$dest" -path "*/man8/$b.8" -type f | head -n 1)
		if [ -z "$m" ]; then
			bad "man page $b.8 not installed"
		elif ! grep -q "^\.TH ${b^^} 8" "$m" || ! grep -q '^\.SH SYNOPSIS' "$m"; then
			bad "man page $b.8 has no .TH or SYNOPSIS"
		elif command -v man >/dev/null && ! man -l "$m" 2>/dev/null | grep -q "$b"; then
			bad "man -l $b.8 does not render"
		fi
	done
fi
if [ "${#units[@]}" -eq 2 ]; then
	if command -v systemd-analyze >/dev/null; then
		mkdir "$dest/verify"
		for f in "${units[@]}"; do
			sed "s|\([= ]\)$prefix/|\1$dest$prefix/|g" "$f" >"$dest/verify/$(basename "$f")"
		done
		out=$(systemd-analyze verify --man=no "$dest"/verify/*.service 2>&1) ||
			bad "systemd-analyze verify: $out"
		[ -z "$out" ] || bad "systemd-analyze verify warns: $out"
	else
		echo "install: systemd-analyze not found: units not verified"
	fi
fi
[ "$fail" -eq 0 ] && echo "install: PASS (binaries, units verified, examples, logrotate, docs under $prefix)"
exit "$fail"
