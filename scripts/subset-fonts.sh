#!/usr/bin/env bash
# Writes the browser build's fonts, assets/fonts/web/: egui's two default fonts (from the
# epaint_default_fonts crate in Cargo's registry) cut down to the characters archsim's text needs, so the
# web bundle stays under its size budget. Hinting is kept (egui hints glyphs). Any character left out is
# still drawn in the browser, by the browser's own fonts (eframe's canvas glyph fallback).
# The Ubuntu Font Licence asks a modified font not to use the name "Ubuntu", so the copies are renamed.
#
# Needs fontTools from PyPI: `pip install fonttools==4.68.0`. Run it again after an egui upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="$(awk '/^name = "epaint_default_fonts"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
SRC="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name "epaint_default_fonts-$VERSION" | head -n1)"
[[ -n "$SRC" ]] || { echo "subset-fonts: epaint_default_fonts $VERSION is not in Cargo's registry: cargo fetch" >&2; exit 2; }
OUT=assets/fonts/web

# The proportional font (all of the UI's text): Latin (Basic, Latin-1, Extended-A) and combining accents,
# punctuation, currency, letter-like symbols, arrows, mathematical operators, technical symbols (⌘ ⏵ ...),
# box drawing, geometric shapes, dingbats (Ubuntu Light has few glyphs past the letter-like symbols).
SANS_UNICODES="U+0020-007E,U+00A0-017F,U+0300-036F,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2200-22FF,U+2300-23FF,U+2500-257F,U+25A0-25FF,U+2600-26FF,U+2700-27BF,U+FFFD"
# The monospace font shows little (field names, key names in Help, the import summary and the paste box):
# ASCII, Latin-1, punctuation, the euro, the plain arrows and shift, minus, <= and >=, technical symbols
# (⌘ ⌥ for Help's keys on a Mac). Hack has 1,036 glyphs in the range above (box drawing, maths, shapes), a
# third of the wasm's fonts; here 322. In monospace text, egui takes any other character from the
# proportional font next (the Monospace family lists it second), and only then from the browser.
MONO_UNICODES="U+0020-007E,U+00A0-00FF,U+2000-206F,U+20AC,U+2190-2199,U+21E7,U+2212,U+2264-2265,U+2300-23FF,U+FFFD"

subset() { # source, output, new family name, unicodes
    pyftsubset "$SRC/fonts/$1" --unicodes="$4" --layout-features='*' --notdef-outline \
        --output-file="$OUT/$2"
    python3 - "$OUT/$2" "$3" <<'PY'
import sys
from fontTools.ttLib import TTFont
path, family = sys.argv[1], sys.argv[2]
font = TTFont(path)
for rec in font["name"].names:
    if rec.nameID in (1, 4, 16):
        rec.string = family
    elif rec.nameID == 3:
        rec.string = family + " (archsim web subset)"
    elif rec.nameID == 6:
        rec.string = family.replace(" ", "")
font.save(path)
PY
}

subset Ubuntu-Light.ttf ArchsimSans-Light.ttf "Archsim Sans Light" "$SANS_UNICODES"
subset Hack-Regular.ttf ArchsimMono-Regular.ttf "Archsim Mono" "$MONO_UNICODES"
cp "$SRC/fonts/egui-icons.ttf" "$OUT/"
cp "$SRC/fonts/UFL.txt" "$OUT/ArchsimSans-Light.LICENSE.txt"
cp "$SRC/fonts/Hack-Regular.txt" "$OUT/ArchsimMono-Regular.LICENSE.txt"
cp "$SRC/fonts/egui-icons.txt" "$OUT/egui-icons.LICENSE.txt"
ls -l "$OUT"
