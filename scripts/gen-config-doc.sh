#!/usr/bin/env bash
# Regenerate docs/configuration.md from the schema tables (common/config_schema.c).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" controlplane/sbc-controlplane >/dev/null
"$build/controlplane/sbc-controlplane" --config-reference > docs/configuration.md
echo "wrote docs/configuration.md"
