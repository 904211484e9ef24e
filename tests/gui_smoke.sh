#!/usr/bin/env bash
# Starts the real native app under Xvfb, drives it with xdotool (open preset -> run -> screenshot) and checks
# that the screenshot is not blank. Needs: xvfb xauth libgl1-mesa-dri xdotool imagemagick (see the recipes).
# Usage: tests/gui_smoke.sh [path/to/archsim]   (default: builds target/debug/archsim)
# Writes the screenshot to ${OUT:-target/gui_smoke.png}. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="${1:-${ARCHSIM_BIN:-}}"
if [[ -z "$BIN" ]]; then
    cargo build --quiet
    BIN="$TARGET_DIR/debug/archsim"
fi
OUT="${OUT:-$TARGET_DIR/gui_smoke.png}"
DISPLAY_NUM="${SMOKE_DISPLAY:-:97}"

for tool in Xvfb xdotool import convert; do
    command -v "$tool" >/dev/null || { echo "gui_smoke: '$tool' not found; apt-get install xvfb xdotool imagemagick" >&2; exit 2; }
done

WORK="$(mktemp -d)"
APP_PID=""; XVFB_PID=""
cleanup() {
    [[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null || true
    [[ -n "$XVFB_PID" ]] && kill "$XVFB_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
export DISPLAY="$DISPLAY_NUM"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# A fresh home so the last session's state (eframe persistence) does not leak in.
HOME="$WORK" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" "$BIN" >"$WORK/app.log" 2>&1 &
APP_PID=$!

WIN=""
for _ in $(seq 100); do
    WIN="$(xdotool search --onlyvisible --name '^archsim$' 2>/dev/null | head -n1 || true)"
    [[ -n "$WIN" ]] && break
    kill -0 "$APP_PID" 2>/dev/null || { echo "gui_smoke: the app exited early:" >&2; cat "$WORK/app.log" >&2; exit 1; }
    sleep 0.2
done
[[ -n "$WIN" ]] || { echo "gui_smoke: no 'archsim' window appeared" >&2; cat "$WORK/app.log" >&2; exit 1; }
xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1280 800 2>/dev/null || true
sleep 1.5

# Keyboard input needs the window focused (Xvfb has no window manager to do it).
xdotool windowfocus --sync "$WIN" 2>/dev/null || xdotool windowfocus "$WIN"
# New (Ctrl+N) empties the canvas; the preset picker (Ctrl+P), filtered to "url", opens the URL shortener
# on Enter; Space runs; the "10x" quick button pushes the load; then a screenshot.
xdotool key ctrl+n
sleep 0.5
xdotool key ctrl+p
sleep 0.8
xdotool type --delay 60 "url"
sleep 0.3
import -window root "$WORK/presets.png"
xdotool key Return
sleep 1
xdotool mousemove 560 600 click 1
sleep 0.3
xdotool key space
sleep "${RUN_SECONDS:-4}"
import -window root "${OUT%.png}-1x.png"
xdotool mousemove 668 44 click 1
sleep "${RUN_SECONDS:-4}"
import -window root "$OUT"
kill -0 "$APP_PID" 2>/dev/null || { echo "gui_smoke: the app died while running:" >&2; cat "$WORK/app.log" >&2; exit 1; }

# Not blank: many distinct colours and a real spread of brightness.
COLOURS="$(identify -format '%k' "$OUT")"
STDDEV="$(convert "$OUT" -colorspace Gray -format '%[fx:int(standard_deviation*1000)]' info:)"
echo "gui_smoke: screenshot $OUT: $COLOURS colours, brightness stddev $STDDEV/1000"
if (( COLOURS < 50 || STDDEV < 20 )); then
    echo "gui_smoke: FAIL: the screenshot looks blank" >&2
    exit 1
fi
echo "gui_smoke: OK"
