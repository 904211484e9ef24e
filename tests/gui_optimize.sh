#!/usr/bin/env bash
# The Optimize tab as a new user tries it, in the real native app under Xvfb, driven with xdotool: open the
# URL shortener, open Stress test… > Optimize, keep its defaults (p99 <= 200 ms, failures <= 0.1%, at 10x,
# quick runs, the default knobs), press Find cheapest and time the answer, Apply it, press "Run it at the
# load" and let the 60 s run at 10x finish, then open Results. Screenshots of every step go to
# ${OUT:-target}/gui_optimize-N-*.png; the wall time of the search is printed. Needs the tools of
# tests/gui_smoke.sh. Coordinates are for a 1280x800 window with the default layout.
# Usage: tests/gui_optimize.sh [path/to/archsim]   (default: builds target/release/archsim: timing needs it)
set -euo pipefail
cd "$(dirname "$0")/.."

source tests/xvfb.sh
xvfb_bin release "${1:-}"
OUT="${OUT:-$TARGET_DIR}"
DISPLAY_NUM="${SMOKE_DISPLAY:-:96}"
LIMIT_S="${LIMIT_S:-180}"

xvfb_need gui_optimize Xvfb xdotool import convert bc
xvfb_start "$DISPLAY_NUM"
xvfb_app "$WORK" "$BIN"
xvfb_window

shot() { import -window root "$OUT/gui_optimize-$1.png"; echo "gui_optimize: $OUT/gui_optimize-$1.png"; }
# Mean brightness (0-1000) of a w x h box at x,y: how the script sees that something changed.
grey() { import -window root "$WORK/probe.png"; convert "$WORK/probe.png" -crop "$1" -colorspace Gray -format '%[fx:int(mean*1000)]' info:; }
alive() { kill -0 "$APP_PID" 2>/dev/null || { echo "gui_optimize: the app died:" >&2; cat "$WORK/app.log" >&2; exit 1; }; }

# 1. The URL shortener (New, then the preset picker filtered to "url").
xdotool key ctrl+n; sleep 0.5
xdotool key ctrl+p; sleep 0.8
xdotool type --delay 60 "url"; sleep 0.3
xdotool key Return; sleep 1.5
shot 1-opened
# 2. Stress test… in the toolbar, then the Optimize tab.
xdotool mousemove 855 44 click 1; sleep 1.2
xdotool mousemove 468 142 click 1; sleep 1
shot 2-optimize-tab
# 3. Find cheapest with the defaults; the progress bar stands where the button was until the answer comes.
BAR="40x16+460+367"
before="$(grey "$BAR")"
start=$(date +%s.%N)
xdotool mousemove 225 375 click 1; sleep 1
running="$(grey "$BAR")"
[[ "$running" != "$before" ]] || { echo "gui_optimize: FAIL: Find cheapest started nothing" >&2; shot fail; exit 1; }
shot 3-searching
while [[ "$(grey "$BAR")" == "$running" ]]; do
    alive
    if (( $(echo "$(date +%s.%N) - $start > $LIMIT_S" | bc) )); then
        echo "gui_optimize: FAIL: no answer within $LIMIT_S s" >&2; shot fail; exit 1
    fi
    sleep 0.5
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
printf 'gui_optimize: the answer came %.1f s after Find cheapest\n' "$elapsed"
sleep 0.5
shot 4-answer
# 4. Apply chosen: the design changes (the title gets its unsaved-changes dot) and the tab says so.
xdotool mousemove 222 458 click 1; sleep 1.2
shot 5-applied
# 5. Run it at the load, close the window, wait for the 60 s run at 10x to finish (the toolbar's first
#    button reads "Pause" while it runs and "Run" again at the end: the box covers the start of "Pause",
#    left of where "Run" is drawn), then open Results.
xdotool mousemove 335 458 click 1; sleep 1
xdotool mousemove 1112 107 click 1; sleep 2
shot 6-running
END="8x12+31+38"
pause="$(grey "$END")"
for _ in $(seq 900); do
    alive
    [[ "$(grey "$END")" != "$pause" ]] && break
    sleep 1
done
sleep 1
xdotool mousemove 298 548 click 1; sleep 1.5
shot 7-results
alive
echo "gui_optimize: OK"
