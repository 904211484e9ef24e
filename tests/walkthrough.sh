#!/usr/bin/env bash
# The done-means walk-through, as a person would do it, on the real native app under Xvfb (xdotool): from
# File > New, build a 5-node design on the empty canvas (drag components from the palette, connect them by
# their handles), run it, push it to 10x, schedule a fault from a node's right-click menu and drag it on the
# fault timeline, save it, open it again, and open its share link. Counts the mouse and key actions from New
# to a running design, checks the saved file, and keeps a screenshot of each stage.
# Needs: xvfb xauth libgl1-mesa-dri xdotool imagemagick (as tests/gui_smoke.sh).
# Usage: tests/walkthrough.sh [path/to/archsim]    (default: builds target/debug/archsim)
# Screenshots go to ${SHOTS:-target/walkthrough}/; KEEP=1 also writes small copies to assets/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

source tests/xvfb.sh
xvfb_bin debug "${1:-}"
SHOTS="${SHOTS:-$TARGET_DIR/walkthrough}"
mkdir -p "$SHOTS"
DISPLAY_NUM="${WALK_DISPLAY:-:95}"
# A debug build on a loaded machine draws a frame in a few hundred ms: every pause below is a few frames.
PAUSE="${PAUSE:-0.6}"

xvfb_need walkthrough Xvfb xdotool import convert
xvfb_start "$DISPLAY_NUM"

# Starts the app (fresh home: no last-session state) with "$@" and waits for its window.
start_app() {
    xvfb_app "$WORK" "$BIN" "$@"
    xvfb_window 2
}
stop_app() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }

ACTIONS=0
act() { ACTIONS=$((ACTIONS + 1)); }
shot() {
    import -window root "$SHOTS/$1.png"
    kill -0 "$APP_PID" 2>/dev/null || fail "the app died before '$1'"
}
key() { act; xdotool key "$@"; sleep "$PAUSE"; }
click() { act; xdotool mousemove "$1" "$2"; sleep 0.2; xdotool click "${3:-1}"; sleep "$PAUSE"; }
# A press, a move in steps (egui sees a drag, not a jump) and a release: one action.
drag() {
    act
    local x1=$1 y1=$2 x2=$3 y2=$4
    xdotool mousemove "$x1" "$y1"; sleep 0.3
    xdotool mousedown 1; sleep 0.3
    for k in 1 2 3 4 5 6; do
        xdotool mousemove $((x1 + (x2 - x1) * k / 6)) $((y1 + (y2 - y1) * k / 6)); sleep 0.12
    done
    sleep 0.3; xdotool mouseup 1; sleep "$PAUSE"
}

start_app
# ---- From New to a running design ----
key ctrl+n
shot 01-new
# Components from the palette (left) onto the canvas, left to right: users, balancer, service, cache, db.
# Palette rows at 1280x800, 48 points apart: Client 131, Rate limiter 179, API gateway 227, Load balancer 275,
# Service 323, Cache 371, Queue 419, Database 467.
drag 75 131 250 300
drag 75 275 440 300
drag 75 323 630 300
drag 75 371 820 200
drag 75 467 820 420
shot 02-placed
# Connect each node by the handle on its right edge (66 points right of its centre at 100% zoom; the
# drops above snapped the centres to the 20-point grid: 250, 450, 630, 830).
drag 316 303 450 303
drag 516 303 630 303
drag 696 303 830 203
drag 896 203 830 423
shot 03-connected
key space
BUILD_ACTIONS=$ACTIONS
sleep 4
shot 04-running
# ---- Push it to 10x ----
click 672 44
sleep 5
shot 05-at-10x
# ---- A fault: the service's right-click menu, Schedule fault, Crash; then drag its bar on the timeline ----
click 630 303 3
shot 06-menu
click 680 451
shot 07-submenu
click 787 470
key Escape   # deselect: the charts go back to three and the fault timeline shows under them
shot 08-scheduled
# The bar (20-30 s of the 60 s axis) sits at x 528-638; 11.0 points a second (the axis from x 308 to 968
# beside the 300-point inspector): 110 points right is +10 s.
drag 560 771 670 771
# Its right end (the grip, now at x ~746) 20 s further: the crash lasts to the end of the run, 30-60 s.
drag 745 771 965 771
shot 09-dragged
# The design changed under the finished run ("Outdated run"): Restart runs it again with the fault.
click 37 75
sleep 5.5   # past 30 s at 10 s/s, with room for a loaded machine
shot 10-crashed
# ---- Save, then open it again ----
SAVED="$WORK/walkthrough.ron"
key ctrl+s
shot 11-save-dialog
key ctrl+a
act; xdotool type --delay 20 "$SAVED"; sleep 0.3
key Return
[[ -f "$SAVED" ]] || fail "Save did not write $SAVED"
cp "$SAVED" "$SHOTS/walkthrough.ron"
grep -q 'kind: Crash' "$SAVED" || fail "the saved file has no Crash fault"
grep -Eq 'at_s: 30(\.0)?,' "$SAVED" || fail "the saved fault does not start at 30 s (the move): $(grep -n at_s "$SAVED")"
grep -Eq 'duration_s: 30(\.0)?,' "$SAVED" || fail "the saved fault does not last 30 s (the resize): $(grep -n duration_s "$SAVED")"
NODES=$(grep -Ec '^ +id: "' "$SAVED" || true)
(( NODES == 5 )) || fail "the saved file has $NODES nodes, not 5"
key ctrl+n
key ctrl+o
act; xdotool type --delay 20 "$SAVED"; sleep 0.3
key Return
sleep 1
shot 12-reopened
# ---- Its share link, opened in a new app ----
LINK="$("$BIN" share "$SAVED")"
[[ "$LINK" == *"#s=1."* ]] || fail "archsim share printed no link: $LINK"
stop_app
start_app open "$LINK" --run --load 10
sleep 3
shot 13-share-link
echo "walkthrough: $BUILD_ACTIONS mouse and key actions from New to a running 5-node design"
echo "walkthrough: saved $SAVED (5 nodes, Crash 30-60 s), reopened it, opened its share link ($(( ${#LINK} )) characters)"
if [[ "${KEEP:-0}" == 1 ]]; then
    for f in 03-connected 05-at-10x 06-menu 10-crashed 12-reopened; do
        convert "$SHOTS/$f.png" -resize 50% -colors 128 "assets/screenshots/walkthrough-$f.png"
    done
fi
echo "walkthrough: OK (screenshots in $SHOTS)"
