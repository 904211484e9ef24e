#!/usr/bin/env bash
# The browser bundle's size budget: fails when dist/archsim_bg.wasm (after `scripts/web.sh build`) is over
# 2,000,000 bytes gzip -9, the figure a visitor downloads from a server that compresses (docs/benchmarks.md).
# Prints the raw and gzipped sizes and the margin either way.
#
#   scripts/web_budget.sh            checks ${DIST:-dist}/archsim_bg.wasm
#   WEB_BUDGET_GZIP_BYTES=N ...      another limit (bytes)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM="${DIST:-dist}/archsim_bg.wasm"
LIMIT="${WEB_BUDGET_GZIP_BYTES:-2000000}"
[[ -f "$WASM" ]] || { echo "web_budget: $WASM missing: run scripts/web.sh build" >&2; exit 2; }
[[ "$LIMIT" =~ ^[0-9]+$ ]] || { echo "web_budget: WEB_BUDGET_GZIP_BYTES='$LIMIT' is not a byte count" >&2; exit 2; }

raw=$(stat -c %s "$WASM")
gz=$(gzip -9 -c "$WASM" | wc -c)
if (( gz > LIMIT )); then
    echo "web_budget: FAIL: $WASM is $gz bytes gzip -9, $((gz - LIMIT)) over the budget of $LIMIT ($raw bytes raw)" >&2
    exit 1
fi
echo "web_budget: ok: $WASM is $gz bytes gzip -9, $((LIMIT - gz)) under the budget of $LIMIT ($raw bytes raw)"
