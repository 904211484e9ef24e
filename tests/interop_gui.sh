#!/usr/bin/env bash
# Diagrams in and runs out, in the real desktop app under Xvfb, driven with xdotool as a person would:
#   1. File > Paste diagram…, Ctrl+V of a design doc with a Mermaid architecture-beta block (put on the X
#      clipboard with xclip), Ctrl+Enter: the design is imported; Space runs it (the screen keeps changing);
#      File > Save As writes it, and `archsim validate` accepts the file.
#   2. File > Import diagram… of tests/import/shop.drawio (compressed, 8 boxes): the report window lists
#      each box's mapping; Save As; `archsim validate` accepts it with its 8 nodes.
#   3. The URL shortener at 10x, File > Export > Animated GIF… twice: the two files are byte-identical, and
#      identical to `archsim record url_shortener --load 10 --seconds 20`.
# Needs: xvfb xauth libgl1-mesa-dri xdotool xclip imagemagick. Usage: tests/interop_gui.sh [path/to/archsim]
# (default: builds target/debug/archsim). Screenshots go to ${OUT:-target}/interop_*.png; the app's GIF
# stays as ${OUT:-target}/interop_app.gif (tests/web/gif.mjs can then check it plays). Exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

source tests/xvfb.sh
xvfb_bin debug "${1:-}"
BIN="$(realpath "$BIN")"
OUT="$(realpath -m "${OUT:-$TARGET_DIR}")"
mkdir -p "$OUT"
DISPLAY_NUM="${INTEROP_DISPLAY:-:96}"

xvfb_need interop_gui Xvfb xdotool xclip import convert
ok() { echo "interop_gui: ok - $*"; }
xvfb_start "$DISPLAY_NUM"

# A fresh home so no earlier session leaks in; the app runs in $WORK so relative paths land there.
cd "$WORK"
xvfb_app "$WORK" "$BIN"
cd - >/dev/null
xvfb_window

shot() { import -window root "$OUT/$1"; }
# Mean absolute difference of the chart strip (bottom panel) of two screenshots, 0..1000: the charts only
# move while a run goes on (toasts and windows are elsewhere).
differ() {
    convert "$1" -crop 820x210+155+585 +repage "$WORK/a.png"
    convert "$2" -crop 820x210+155+585 +repage "$WORK/b.png"
    compare -metric MAE "$WORK/a.png" "$WORK/b.png" null: 2>&1 | sed -E 's/.*\(([0-9.e-]+)\).*/\1/' | awk '{ printf "%d", $1 * 1000 }'
}
alive() { kill -0 "$APP_PID" 2>/dev/null || fail "the app died"; }

# Places in the 1280x800 window (egui's default style): the File menu and its rows (New, Open…, Import
# diagram…, Paste diagram…), File > Export and its Animated GIF… row, the toolbar's 10x button.
FILE_MENU="18 11"
file_item() { echo "60 $((42 + 28 * $1))"; }
ITEM_IMPORT=2; ITEM_PASTE=3
EXPORT_ROW="60 318"
GIF_ROW_Y=526
LOAD_10X="672 44"
click() { xdotool mousemove $1 click 1; sleep "${2:-0.5}"; }

# The path dialog (Import, Save As, Export): its text box has focus; select all, type, Enter.
type_path() {
    sleep 0.8
    xdotool key ctrl+a
    xdotool type --delay 20 "$1"
    sleep 0.3
    xdotool key Return
    sleep 1
}

# Space runs the open design: two screenshots 2 s apart must differ (the charts and the clock move); Space
# again pauses. Prints the difference (0..1000). Screenshots: $1_run_a.png, $1_run_b.png.
runs() {
    xdotool key space
    sleep 2
    shot "$1_run_a.png"
    sleep 2
    shot "$1_run_b.png"
    xdotool key space
    local d
    d="$(differ "$OUT/$1_run_a.png" "$OUT/$1_run_b.png")"
    (( d > 0 )) || fail "$1: the design does not run (two screenshots 2 s apart are the same)"
    echo "$d"
}

# Save As to $1 and check the file with the CLI; prints the node count.
save_and_validate() {
    xdotool key ctrl+shift+s
    type_path "$1"
    for _ in $(seq 50); do [[ -s "$1" ]] && break; sleep 0.2; done
    [[ -s "$1" ]] || fail "Save As did not write $1"
    "$BIN" validate "$1" >"$WORK/validate.txt" 2>&1 || { cat "$WORK/validate.txt" >&2; fail "archsim validate refuses $1"; }
}

# 1. Paste a design doc's Mermaid block.
xclip -selection clipboard -i tests/import/design-doc.md &
XVFB_PIDS+=("$!")
sleep 0.5
click "$FILE_MENU" 0.6
shot interop_menu.png
click "$(file_item $ITEM_PASTE)" 0.8
xdotool key ctrl+v
sleep 0.8
shot interop_paste.png
xdotool key ctrl+Return
sleep 1.2
shot interop_paste_imported.png
alive
moved="$(runs interop_paste)"
save_and_validate "$WORK/pasted.ron"
# Nodes are the entries with an id at the node list's depth.
count_nodes() { grep -c '^            id: "' "$1" || true; }
for id in gateway web_tier redis_feed_cache photos_db thumbnailer sqs_jobs; do
    grep -q "id: \"$id\"" "$WORK/pasted.ron" || fail "the pasted design has no '$id'"
done
ok "File > Paste diagram…, Ctrl+V of tests/import/design-doc.md, Ctrl+Enter: $(count_nodes "$WORK/pasted.ron") nodes; Space runs it (screens 2 s apart differ by $moved/1000); Save As writes it and archsim validate accepts it"

# 2. Import the 8-box draw.io file.
click "$FILE_MENU" 0.6
click "$(file_item $ITEM_IMPORT)" 0.3
type_path "$(realpath tests/import/shop.drawio)"
sleep 0.5
shot interop_drawio.png
alive
moved="$(runs interop_drawio)"
save_and_validate "$WORK/shop.ron"
[[ "$(count_nodes "$WORK/shop.ron")" == 8 ]] || fail "shop.drawio's import has $(count_nodes "$WORK/shop.ron") nodes, not 8"
for id in mobile_users nginx storefront cart_service memcached product_catalog rabbitmq order_writer; do
    grep -q "id: \"$id\"" "$WORK/shop.ron" || fail "shop.drawio's import has no '$id'"
done
ok "File > Import diagram… of tests/import/shop.drawio: 8 nodes (the report window in interop_drawio.png lists each mapping); Space runs it (differ by $moved/1000); Save As, archsim validate accepts it"

# 3. The URL shortener at 10x as a GIF, twice, and against the CLI.
xdotool key ctrl+p
sleep 0.8
xdotool type --delay 60 "url"
sleep 0.3
xdotool key Return
sleep 1
click "$LOAD_10X"
for k in 1 2; do
    click "$FILE_MENU" 0.6
    # File > Export opens its submenu on hover; along it, then down to Animated GIF….
    xdotool mousemove $EXPORT_ROW
    sleep 0.8
    xdotool mousemove 250 318
    sleep 0.3
    click "250 $GIF_ROW_Y" 0.3
    type_path "$WORK/app$k.gif"
    # The recording runs in the background and is written atomically: once the file is there, it is whole.
    for _ in $(seq 600); do
        [[ -s "$WORK/app$k.gif" ]] && break
        alive
        sleep 0.5
    done
    [[ -s "$WORK/app$k.gif" ]] || fail "Export > Animated GIF wrote nothing"
done
shot interop_gif.png
"$BIN" record url_shortener --load 10 --seconds 20 -o "$WORK/cli.gif" >/dev/null
cmp "$WORK/app1.gif" "$WORK/app2.gif" || fail "two GIF exports from the app differ"
cmp "$WORK/app1.gif" "$WORK/cli.gif" || fail "the app's GIF differs from archsim record's"
cp "$WORK/app1.gif" "$OUT/interop_app.gif"
ok "Export > Animated GIF of url_shortener at 10x, twice: byte-identical, and equal to archsim record ($(stat -c %s "$WORK/app1.gif") bytes)"
