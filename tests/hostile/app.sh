#!/usr/bin/env bash
# The hostile inputs of issue 12 opened in the real desktop app under Xvfb, as a person would
# (`archsim open FILE --run`): for each, the window appears, the app stays up and keeps drawing frames
# (`--frame-stats`: frames per 2 s window, their worst CPU time), and a screenshot is kept to look at.
# Needs: xvfb xdotool imagemagick (see tests/gui_smoke.sh).
# Usage: tests/hostile/app.sh [path/to/archsim]   (default: $CARGO_TARGET_DIR/debug/archsim)
# Screenshots: ${OUT:-$CARGO_TARGET_DIR}/hostile_app_<name>.png. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="${1:-${ARCHSIM_BIN:-$TARGET_DIR/debug/archsim}}"
OUT="${OUT:-$TARGET_DIR}"
SECONDS_EACH="${SECONDS_EACH:-6}"   # GOVERNOR_WAIT_S (default 40) for the governed runs
DISPLAY_NUM="${HOSTILE_DISPLAY:-:96}"
# A frame that takes longer than this (CPU) means the run froze the window.
MAX_FRAME_MS="${MAX_FRAME_MS:-250}"
[[ -x "$BIN" ]] || { echo "hostile app: $BIN not found: cargo build" >&2; exit 2; }
source tests/xvfb.sh
xvfb_need "hostile app" Xvfb xdotool import /usr/bin/time
xvfb_start "$DISPLAY_NUM"

failed=0
# try NAME FILE [dialog]: opens FILE with `open FILE --run` or, with `dialog`, starts on a preset and opens
# FILE through File > Open... then presses Run (Space), as a person would: `archsim open` itself refuses
# a file over the limits before any window, on stderr. Then waits, screenshots, checks the app is alive and
# drew frames.
try() {
    local name="$1" file="$2" how="${3:-}" wait_s="${4:-$SECONDS_EACH}" home="$WORK/home-$1"
    mkdir -p "$home"
    local first="$file" run=(--run)
    if [[ "$how" == dialog ]]; then
        first=url_shortener
        run=()
    fi
    HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
        "$BIN" open "$first" "${run[@]}" --speed max --frame-stats >"$WORK/$name.out" 2>"$WORK/$name.err" &
    APP_PID=$!
    local win="" started
    started=$(date +%s.%N)
    xvfb_find_window || true
    win="$WIN"
    if [[ -z "$win" ]]; then
        echo "FAIL $name: no window (the app exited?):" >&2
        cat "$WORK/$name.err" >&2
        failed=$((failed + 1))
        return
    fi
    local shown
    shown=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800 2>/dev/null || true
    if [[ "$how" == dialog ]]; then
        sleep 1.5
        xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
        # File > Open...: the path field, the Open button; then a click on empty canvas and Space.
        xdotool mousemove 20 13; sleep 0.3; xdotool click 1; sleep 0.6
        xdotool mousemove 40 70; sleep 0.4; xdotool click 1; sleep 0.8
        xdotool mousemove 640 302; sleep 0.2; xdotool click 1; sleep 0.3
        xdotool type --delay 15 "$PWD/$file"; sleep 0.3
        xdotool mousemove 433 552; sleep 0.3; xdotool click 1; sleep 1
        xdotool mousemove 560 450; sleep 0.2; xdotool click 1; sleep 0.3
        xdotool key space
    fi
    sleep "$wait_s"
    local shot="$OUT/hostile_app_$name.png"
    import -window root "$shot"
    local why=""
    kill -0 "$APP_PID" 2>/dev/null || why="the app died;"
    # Frame statistics: at least two windows of 2 s, each with frames, none with a frame over the limit
    # (the first window holds start-up and is skipped).
    local stats
    stats="$(grep -E '^frames ' "$WORK/$name.err" | tail -n +2 || true)"
    [[ -n "$stats" ]] || why="$why no frame statistics (frozen?);"
    local worst
    worst="$(echo "$stats" | sed -nE 's/.*cpu mean [0-9.]+ ms  p99 [0-9.]+ ms  max ([0-9.]+) ms.*/\1/p' | sort -g | tail -n1)"
    if [[ -n "$worst" ]] && awk -v w="$worst" -v l="$MAX_FRAME_MS" 'BEGIN { exit !(w > l) }'; then
        why="$why a frame took $worst ms;"
    fi
    local rss
    rss="$(awk '/VmHWM/ { print $2 }' "/proc/$APP_PID/status" 2>/dev/null || echo 0)"
    (( rss < 524288 )) || why="$why peak memory $rss KiB;"
    printf '%-22s window after %s s, worst frame %s ms, peak %s KiB, screenshot %s\n' \
        "$name" "$shown" "${worst:-?}" "$rss" "$shot"
    echo "$stats" | tail -n1 | sed 's/^/    /'
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
    APP_PID=""
    if [[ -n "$why" ]]; then
        echo "FAIL $name: $why" >&2
        tail -n5 "$WORK/$name.err" >&2
        failed=$((failed + 1))
    fi
}

# Refused before a window: `archsim open` says why on stderr, at once.
for f in bursty_1ns ladder_40; do
    code=0
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" open "tests/hostile/$f.ron" --run >/dev/null 2>"$WORK/err" || code=$?
    read -r wall kib < <(tail -n1 "$WORK/time")
    printf '%-22s archsim open: exit %s in %s s, peak %s KiB: %s\n' "$f" "$code" "$wall" "$kib" \
        "$(grep -m1 -E 'requests/s|calls' "$WORK/err" | cut -c1-120)"
    if [[ "$code" != 1 ]] || ! grep -qE '100,000,000,100 requests/s|2,199,023,255,551 calls' "$WORK/err"; then
        echo "FAIL $f: archsim open did not refuse it" >&2
        failed=$((failed + 1))
    fi
done
# Opened in the app, then Run: the refusal shows in the toolbar (look at the screenshots).
try bursty tests/hostile/bursty_1ns.ron dialog
try ladder40 tests/hostile/ladder_40.ron dialog
# Runs the limits cannot refuse: a governor stops each (the debug build at Max needs about 20 s to get there
# on a loaded 2-core machine); meanwhile the window keeps drawing.
try instant_governor tests/hostile/ladder_15_batch.ron "" "${GOVERNOR_WAIT_S:-40}"
try memory_governor tests/hostile/overload_memory.ron "" "${GOVERNOR_WAIT_S:-40}"
echo "hostile app: $failed failed"
(( failed == 0 ))
