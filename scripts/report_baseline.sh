#!/usr/bin/env bash
# Writes the JSON report of every preset and every theory scenario, at 1x and 10x load, with the wall-time
# field removed, into OUT_DIR (default: target/report-baseline). Run it before and after a refactor and
# compare the two directories with `diff -r`: a refactor must leave every byte unchanged.
#
# Usage: scripts/report_baseline.sh [OUT_DIR] [ARCHSIM_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/report-baseline}"
bin="${2:-${CARGO_TARGET_DIR:-target}/release/archsim}"
if [[ ! -x "$bin" ]]; then
    echo "no archsim binary at $bin: run 'cargo build --release --no-default-features' first" >&2
    exit 1
fi
mkdir -p "$out"
count=0
for file in scenarios/*.ron scenarios/theory/*.ron; do
    name="$(basename "$file" .ron)"
    [[ "$file" == scenarios/theory/* ]] && name="theory_$name"
    for load in 1 10; do
        # Exit code 4 is a run stopped by a governor: its partial report is compared like any other.
        status=0
        "$bin" run "$file" --load "$load" --json - 2>/dev/null > "$out/${name}_${load}x.raw" || status=$?
        if [[ $status -ne 0 && $status -ne 4 ]]; then
            echo "archsim run $file --load $load failed with exit code $status" >&2
            exit 1
        fi
        sed -E 's/"wall_time_s": *[-0-9.eE+]+/"wall_time_s": 0/' "$out/${name}_${load}x.raw" \
            > "$out/${name}_${load}x.json"
        rm "$out/${name}_${load}x.raw"
        count=$((count + 1))
    done
done
echo "$count reports in $out"
