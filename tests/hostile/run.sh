#!/usr/bin/env bash
# Every hostile input of issue 12, tried on the command line as a new user would: each must end with a
# clear message (the figure, the limit, the knob) within a second, or a governed partial report, and
# peak memory under 512 MiB. Prints one row per input: exit code, wall time, peak memory, the message.
#
# Usage: tests/hostile/run.sh [path/to/archsim]   (default: $CARGO_TARGET_DIR/release/archsim)
# Environment: MAX_S (wall-time limit for a refusal, default 1.0), MAX_KIB (peak memory, default 524288).
# Needs GNU time (/usr/bin/time) and python3. A headless build (--no-default-features) has no `share`:
# those rows are skipped with a note. Exits 1 if any row is wrong.
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="${1:-${ARCHSIM_BIN:-$TARGET_DIR/release/archsim}}"
MAX_S="${MAX_S:-1.0}"
MAX_KIB="${MAX_KIB:-524288}"
H=tests/hostile
[[ -x "$BIN" ]] || { echo "hostile: $BIN not found: cargo build --release (or pass the binary)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "hostile: /usr/bin/time not found: apt-get install time" >&2; exit 2; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The large inputs are generated: a client and 206 services (over a link's 200 nodes), a description whose link is over
# 64 KiB, and a chain of 2,000 services (defect 7: cost with depth).
python3 - "$WORK" <<'EOF'
import random, sys
out = sys.argv[1]
def write(name, title, nodes, edges, extra=""):
    with open(f"{out}/{name}", "w") as f:
        f.write(f'(version: 1, name: "{title}",{extra} duration_s: 10.0, warmup_s: 0.0, seed: 1,\n nodes: [\n'
                + "\n".join(nodes) + "\n ],\n edges: [\n" + "\n".join(edges) + "\n ],\n faults: [])\n")
def chain(n, rate):
    nodes = [f'  (id: "c", kind: Client(rate_rps: {rate})),'] + [f'  (id: "s{i}", kind: Service()),' for i in range(n)]
    edges = ['  (from: "c", to: "s0"),'] + [f'  (from: "s{i}", to: "s{i + 1}"),' for i in range(n - 1)]
    return nodes, edges
write("wide_206_nodes.ron", "206 nodes", *chain(206, 1.0))
write("chain_2000.ron", "chain of 2,000", *chain(2000, 10.0))
r = random.Random(12)
desc = "".join(r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(80000))
write("big_link.ron", "long description", ['  (id: "c", kind: Client()),', '  (id: "s", kind: Service()),'],
      ['  (from: "c", to: "s"),'], extra=f' description: "{desc}",')
EOF

has_share=1
"$BIN" share --help >/dev/null 2>&1 || has_share=0
failed=0
rows=0

# check NAME EXPECTED_EXIT TIME_LIMIT_S NEEDLE -- ARGS...
check() {
    local name="$1" want="$2" limit="$3" needle="$4"
    shift 5
    if [[ "$1" == share && $has_share == 0 ]]; then
        printf '%-40s skipped: this build has no share (build with default features)\n' "$name"
        return
    fi
    local code=0
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" "$@" >"$WORK/out" 2>"$WORK/err" || code=$?
    local wall kib msg
    read -r wall kib <"$WORK/time" < <(tail -n1 "$WORK/time")
    msg="$(grep -m1 -F -- "$needle" "$WORK/err" "$WORK/out" 2>/dev/null | head -n1 | sed 's/^[^:]*://' || true)"
    local why=""
    [[ "$code" == "$want" ]] || why="exit $code, wanted $want;"
    [[ -n "$msg" ]] || why="$why no '$needle' in the output;"
    awk -v w="$wall" -v l="$limit" 'BEGIN { exit !(w <= l) }' || why="$why took $wall s (limit $limit s);"
    (( kib <= MAX_KIB )) || why="$why peak $kib KiB;"
    rows=$((rows + 1))
    printf '%-40s exit %s  %5.2f s  %7d KiB  %s\n' "$name" "$code" "$wall" "$kib" "${msg:0:150}"
    if [[ -n "$why" ]]; then
        failed=$((failed + 1))
        echo "  FAIL: $why" >&2
        sed 's/^/    /' "$WORK/err" | head -n5 >&2
    fi
}

U=scenarios/url_shortener.ron
echo "hostile inputs, $BIN:"
# Defect 1: a 1 ns burst window.
check "bursty on_s 1e-9" 1 "$MAX_S" "100,000,000,100 requests/s" -- run $H/bursty_1ns.ron
# Defect 2: the rate a run actually offers (load x spike x batch), one load range everywhere.
check "run --load 1e6" 2 "$MAX_S" "allowed: 0.001 to 10,000" -- run $U --load 1e6
check "sweep --load 1:1e9:3" 1 "$MAX_S" "allowed: 0.001 to 10,000" -- sweep $U --load 1:1e9:3
check "sweep --at-load 1e9" 1 "$MAX_S" "allowed: 0.001 to 10,000" -- sweep $U --param app.replicas=1:4:1 --at-load 1e9
check "explain --load 1e9" 1 "$MAX_S" "allowed: 0.001 to 10,000" -- explain $U --load 1e9
check "run 200k/s client --load 1000" 1 "$MAX_S" "requests/s" -- run $H/fast_200k.ron --load 1000
check "Spike x1000 on a 10M/s client" 1 "$MAX_S" "10,000,000,000 requests/s" -- run $H/spike_x1000.ron
check "Batch(count: 1000000) --load 1000" 1 "$MAX_S" "1,000,000,000 requests at one instant" -- run $H/batch_million.ron --load 1000
# Defect 3: replications, threads, precision.
check "sweep --replications 4294967295" 1 "$MAX_S" "allowed: 1 to 1000" -- sweep $U --replications 4294967295
check "capacity --replications 1e8" 1 "$MAX_S" "allowed: 1 to 1000" -- capacity $U --slo-p99-ms 50 --replications 100000000
check "sweep --threads 100000" 1 "$MAX_S" "allowed: 1 to 256" -- sweep $U --threads 100000
check "sweep --precision 1e-9" 1 "$MAX_S" "allowed: 0.001 to 1" -- sweep $U --precision 1e-9 --max-replications 1000000
# Defect 4: zero-time work doubling per layer.
check "40-layer zero-time ladder" 1 "$MAX_S" "2,199,023,255,551 calls" -- run $H/ladder_40.ron
# Defect 5: share refuses what the app refuses.
check "share: 40-layer ladder" 1 "$MAX_S" "2,199,023,255,551 calls" -- share $H/ladder_40.ron
check "share: 207 nodes" 1 "$MAX_S" "207 nodes (at most 200)" -- share "$WORK/wide_206_nodes.ron"
check "share: 200,000 requests/s" 1 "$MAX_S" "at most 100000" -- share $H/fast_200k.ron
check "share: 7,200 s" 1 "$MAX_S" "at most 3600" -- share $H/long_7200s.ron
check "share: a link over 64 KiB" 1 "$MAX_S" "at most 65536" -- share "$WORK/big_link.ron"
# Item 6: the smaller defects.
check "capacity without traffic" 1 "$MAX_S" "no client sends any traffic" -- capacity $H/zero_traffic.ron --slo-p99-ms 50
check "a cycle names its nodes" 1 "$MAX_S" "'a' -> 'b' -> 'd' -> 'a'" -- validate $H/cycle.ron
check "a byte-order mark" 0 "$MAX_S" "bom.ron: ok" -- validate $H/bom.ron
check "replicas: 2.5" 1 "$MAX_S" "found a fraction" -- validate $H/replicas_fraction.ron
check "rate_rps: 1e300" 1 "$MAX_S" "1.000e300" -- validate $H/rate_1e300.ron
check "unwritable --json, before the run" 1 "$MAX_S" "cannot write" -- run $H/overload_memory.ron --json /nonexistent-dir/r.json
# The governors: runs the limits cannot refuse in advance end with a partial report and a message.
check "governor: requests piling up" 4 30 "memory budget" -- run $H/overload_memory.ron
check "governor: zero-time work at one instant" 4 30 "at that one instant" -- run $H/ladder_15_batch.ron
check "governor: wall time" 4 5 "after 0.5 s of wall time" -- run $H/fast_200k.ron --duration 3600 --max-wall-s 0.5
# Defect 7: depth. Not a refusal: the run ends, with its report, in about a second.
check "a chain of 2,000 services runs" 0 10 "events in" -- run "$WORK/chain_2000.ron"

echo "hostile: $rows rows, $failed failed"
(( failed == 0 ))
