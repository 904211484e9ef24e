#!/usr/bin/env bash
# The desktop app's frame-time benchmark: opens the release app under Xvfb on the 100-node workload
# (benches/workloads/ui100.ron: 10,000 requests/s), runs it, and prints eframe's per-frame CPU time (UI,
# simulation slice, tessellation and painting) every two seconds. Needs xvfb (see README / .ci/run).
#
#   benches/ui_frame.sh [SPEED] [SECONDS]     SPEED: 1 (real time, the default), 2, 5, 10, 30, 100 or max
#
# The app paints through Mesa's llvmpipe under Xvfb: GPU work is done on the CPU there, so these figures are an
# upper bound for a machine with a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
SPEED="${1:-1}"
SECONDS_TO_RUN="${2:-12}"
BIN="${ARCHSIM_BIN:-${CARGO_TARGET_DIR:-target}/release/archsim}"
[[ -x "$BIN" ]] || cargo build --release
WORK="$(mktemp -d)"
XVFB_PID=""
cleanup() { [[ -n "$XVFB_PID" ]] && kill "$XVFB_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
DISPLAY_NUM="${BENCH_DISPLAY:-:96}"
Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do DISPLAY="$DISPLAY_NUM" xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
echo "archsim open "${SCENARIO:-benches/workloads/ui100.ron}" --run --speed $SPEED --frame-stats  (${SECONDS_TO_RUN} s, 1280x800)"
# A fresh home: no last-session state.
DISPLAY="$DISPLAY_NUM" HOME="$WORK" XDG_DATA_HOME="$WORK/d" XDG_CONFIG_HOME="$WORK/c" \
    timeout "$SECONDS_TO_RUN" "$BIN" open "${SCENARIO:-benches/workloads/ui100.ron}" --run --speed "$SPEED" --frame-stats || true
