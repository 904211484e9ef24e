# Shared start-up of the scripts that drive the real desktop app under Xvfb (tests/gui_smoke.sh,
# walkthrough.sh, interop_gui.sh, gui_optimize.sh, hostile/app.sh). Sourced, not run: it defines functions
# and sets WORK (a fresh temporary folder, removed on exit), APP_PID, XVFB_PID and WIN.
# The app is given ARCHSIM_FILE_DIALOG=path: its in-app path box instead of the system file dialog, which a
# script cannot type into reliably.

# xvfb_need NAME TOOL...: exits 2 with an install hint when a tool is missing; NAME prefixes messages.
xvfb_need() {
    XVFB_NAME="$1"
    shift
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || {
            echo "$XVFB_NAME: '$tool' not found; apt-get install xvfb xdotool xclip imagemagick" >&2
            exit 2
        }
    done
}

# xvfb_bin PROFILE [BIN]: sets TARGET_DIR ($CARGO_TARGET_DIR or target) and BIN, the app to drive: BIN (a
# script's first argument), else $ARCHSIM_BIN, else $TARGET_DIR/PROFILE/archsim built with cargo (PROFILE:
# debug or release).
xvfb_bin() {
    TARGET_DIR="${CARGO_TARGET_DIR:-target}"
    BIN="${2:-${ARCHSIM_BIN:-}}"
    if [[ -z "$BIN" ]]; then
        if [[ "$1" == release ]]; then cargo build --release --quiet; else cargo build --quiet; fi
        BIN="$TARGET_DIR/$1/archsim"
    fi
}

# Extra processes (e.g. a clipboard owner) the cleanup also ends: append their ids.
XVFB_PIDS=()
WORK="$(mktemp -d)"
APP_PID=""; XVFB_PID=""; WIN=""
xvfb_cleanup() {
    [[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null || true
    local pid
    for pid in "${XVFB_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -n "$XVFB_PID" ]] && kill "$XVFB_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap xvfb_cleanup EXIT

# fail MESSAGE: says it with the app's last log lines and exits 1.
fail() {
    echo "${XVFB_NAME:-xvfb}: FAIL: $*" >&2
    [[ -f "$WORK/app.log" ]] && tail -20 "$WORK/app.log" >&2
    exit 1
}

# xvfb_start DISPLAY: a 1280x800 X server, waited for until it answers.
xvfb_start() {
    Xvfb "$1" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
    XVFB_PID=$!
    export DISPLAY="$1"
    export ARCHSIM_FILE_DIALOG=path
    for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
}

# xvfb_app HOME BIN ARGS...: starts the app with a fresh HOME (no last-session state), output in
# $WORK/app.log; sets APP_PID.
xvfb_app() {
    local home="$1"
    shift
    HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" "$@" >"$WORK/app.log" 2>&1 &
    APP_PID=$!
}

# xvfb_find_window [TRIES]: waits (0.2 s a try, 150 by default) for the visible 'archsim' window while the
# app lives; sets WIN and returns 0 when found, 1 otherwise.
xvfb_find_window() {
    WIN=""
    for _ in $(seq "${1:-150}"); do
        WIN="$(xdotool search --onlyvisible --name '^archsim' 2>/dev/null | head -n1 || true)"
        [[ -n "$WIN" ]] && return 0
        kill -0 "$APP_PID" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

# xvfb_window [SETTLE_S]: the window found (or fail), moved to 0,0 at 1280x800, given SETTLE_S (1.5) to draw
# and focused (Xvfb has no window manager to focus it, and keys go to the focused window).
xvfb_window() {
    xvfb_find_window || {
        kill -0 "$APP_PID" 2>/dev/null || fail "the app exited early"
        fail "no 'archsim' window appeared"
    }
    xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1280 800 2>/dev/null || true
    sleep "${1:-1.5}"
    xdotool windowfocus --sync "$WIN" 2>/dev/null || xdotool windowfocus "$WIN"
}
