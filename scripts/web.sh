#!/usr/bin/env bash
# The web app: build it into dist/, or serve dist/ locally.
#
#   scripts/web.sh build   cargo build (wasm32, profile web-release) + wasm-bindgen + wasm-opt -Oz -> dist/
#   scripts/web.sh serve   serves dist/ at http://127.0.0.1:${PORT:-8080}/ (builds first if dist/ is missing)
#
# Needs: `rustup target add wasm32-unknown-unknown`; wasm-bindgen-cli at the version of the `wasm-bindgen`
# crate in Cargo.lock (`cargo install wasm-bindgen-cli --version X`); optionally wasm-opt from the npm
# package `binaryen` (`npm install` in tests/web puts it in tests/web/node_modules/.bin). Without wasm-opt
# the site works, only larger. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
DIST="${DIST:-dist}"
WASM="$TARGET_DIR/wasm32-unknown-unknown/web-release/archsim.wasm"

lock_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

find_wasm_opt() {
    if [[ -x tests/web/node_modules/.bin/wasm-opt ]]; then
        echo tests/web/node_modules/.bin/wasm-opt
    elif command -v wasm-opt >/dev/null && wasm-opt --version 2>/dev/null | grep -qE 'version (1[1-9][0-9]|[2-9][0-9]{2})'; then
        # Debian's binaryen (version 108) writes wasm that Chromium refuses: only a recent one will do.
        command -v wasm-opt
    fi
}

build() {
    local want have
    want="$(lock_version)"
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" || true
    if [[ "$have" != "$want" ]]; then
        echo "web.sh: need wasm-bindgen $want (have '${have:-none}'): cargo install wasm-bindgen-cli --version $want" >&2
        exit 2
    fi
    cargo build --target wasm32-unknown-unknown --profile web-release --bin archsim
    rm -rf "$DIST"
    mkdir -p "$DIST"
    wasm-bindgen --target web --no-typescript --out-dir "$DIST" --out-name archsim "$WASM"
    local opt
    opt="$(find_wasm_opt)"
    if [[ -n "$opt" ]]; then
        echo "web.sh: $("$opt" --version) -Oz"
        "$opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$DIST/archsim_bg.wasm" -o "$DIST/archsim_bg.opt.wasm"
        mv "$DIST/archsim_bg.opt.wasm" "$DIST/archsim_bg.wasm"
    else
        echo "web.sh: no wasm-opt (npm package binaryen) found: the wasm is not size-optimised" >&2
    fi
    cp index.html "$DIST/"
    local raw gz
    raw=$(stat -c %s "$DIST/archsim_bg.wasm")
    gz=$(gzip -9 -c "$DIST/archsim_bg.wasm" | wc -c)
    awk -v f="$DIST/archsim_bg.wasm" -v r="$raw" -v g="$gz" \
        'BEGIN { printf "web.sh: %s: %d bytes raw (%.2f MB), %d bytes gzip -9 (%.2f MB)\n", f, r, r / 1e6, g, g / 1e6 }'
}

serve() {
    [[ -f "$DIST/index.html" ]] || build
    local port="${PORT:-8080}"
    echo "web.sh: serving $DIST at http://127.0.0.1:$port/ (Ctrl+C stops)"
    cd "$DIST" && exec python3 -m http.server --bind 127.0.0.1 "$port"
}

case "${1:-}" in
    build) build ;;
    serve) serve ;;
    *) echo "usage: scripts/web.sh build|serve" >&2; exit 2 ;;
esac
