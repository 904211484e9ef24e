#!/usr/bin/env bash
# Starts the real native app under Xvfb, drives it with xdotool (open preset -> run -> screenshot) and checks
# that the screenshot is not blank. Needs: xvfb xauth libgl1-mesa-dri xdotool imagemagick (see the recipes).
# Usage: tests/gui_smoke.sh [path/to/archsim]   (default: builds target/debug/archsim)
# Writes the screenshot to ${OUT:-target/gui_smoke.png}. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

source tests/xvfb.sh
xvfb_bin debug "${1:-}"
OUT="${OUT:-$TARGET_DIR/gui_smoke.png}"
DISPLAY_NUM="${SMOKE_DISPLAY:-:97}"

xvfb_need gui_smoke Xvfb xdotool import convert
xvfb_start "$DISPLAY_NUM"
xvfb_app "$WORK" "$BIN"
xvfb_window
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
