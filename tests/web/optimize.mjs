// Browser test of the Optimize tab's search in the web app, run with plain `node tests/web/optimize.mjs`
// after `scripts/web.sh build` and `npm ci` in tests/web (separate from run.mjs so the two can change
// independently). It opens a short URL shortener (5 simulated seconds) from a share link, starts the
// search as the Optimize tab's "Find cheapest" does (`archsim_optimize`: p99 < 200 ms, failures < 0.1%, at
// 10x, the tab's default knobs), and checks:
//   1. the search is cut into many frames and none spends more than 50 ms on it (the app measures each
//      frame's share of the search with its own clock and publishes the longest);
//   2. the page keeps drawing meanwhile (requestAnimationFrame callbacks keep coming);
//   3. the answer equals the native CLI's (`archsim optimize FILE --full --load 10 --slo-p99-ms 200
//      --slo-errors 0.001 --json -`): the same design, the same cost, the same p99.
// Environment: DIST (default dist), ARCHSIM_BIN (default $CARGO_TARGET_DIR/debug/archsim), CHROMIUM
// (default /usr/bin/chromium). Exits non-zero with a message on the first failure.

import fs from "node:fs";
import path from "node:path";

import { fail, launch, native, noPanics, ok, openApp, requireTools, runTests, serve, shortened, tempDir, waitFor } from "./common.mjs";

/** The longest a frame may spend on the search, ms. */
const FRAME_LIMIT_MS = 50;

async function main() {
    requireTools();
    const work = tempDir("archsim-optimize-");
    // The URL shortener, 5 simulated seconds with 1 s of warm-up, so the search takes tens of seconds.
    const file = path.join(work, "short.ron");
    fs.writeFileSync(file, shortened("scenarios/url_shortener.ron", 5, 1));
    const want = JSON.parse(
        native(["optimize", file, "--full", "--load", "10", "--slo-p99-ms", "200", "--slo-errors", "0.001", "--json", "-"]),
    );
    const wantChosen = want.finalists[want.chosen];
    ok(`native answer: ${wantChosen.candidate.sets.join(", ")} at ${wantChosen.candidate.monthly_cost.toFixed(2)} ${want.currency}/month, ${want.finalists.length} simulated`);

    const fragment = native(["share", file, "--fragment"]).trim();
    const base = await serve();
    const context = await launch();
    const errors = [];
    const page = await openApp(context, `${base}/index.html#${fragment}`, errors);
    await waitFor(page, "the shared scenario", (s) => s.toasts.some((t) => t.startsWith("Opened the shared scenario")), 30000);

    // Count animation frames while the search runs: the page must keep drawing.
    await page.evaluate(() => {
        window.__frames = 0;
        const tick = () => {
            window.__frames += 1;
            requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.evaluate(() => window.archsim.archsim_optimize(10, 200, 0.001));
    await waitFor(page, "the search to start", (s) => s.optimize && (s.optimize.running || s.optimize.chosen), 10000);
    const mid = await waitFor(page, "the search to be part-way", (s) => s.optimize.done >= 2 || s.optimize.chosen, 600000);
    const framesMid = await page.evaluate(() => window.__frames);
    const done = await waitFor(page, "the search's answer", (s) => !s.optimize.running && (s.optimize.chosen || s.optimize.status), 900000);
    const wallS = (Date.now() - started) / 1000;
    const frames = await page.evaluate(() => window.__frames);
    const o = done.optimize;
    if (!o.chosen) fail(`no answer: ${o.status}`);
    if (!(o.slices > 10)) fail(`the search ran in ${o.slices} frames; it should be sliced over many`);
    if (!(o.max_slice_ms <= FRAME_LIMIT_MS)) fail(`a frame spent ${o.max_slice_ms.toFixed(1)} ms on the search (limit ${FRAME_LIMIT_MS})`);
    ok(`the search ran in ${o.slices} frames over ${wallS.toFixed(1)} s; the longest spent ${o.max_slice_ms.toFixed(1)} ms on it (limit ${FRAME_LIMIT_MS})`);
    if (!(frames > o.slices / 2 && framesMid > 10)) fail(`the page drew ${frames} frames while the search took ${o.slices}`);
    ok(`the page kept drawing: ${frames} animation frames (${framesMid} by the time ${mid.optimize.done} designs were simulated)`);

    const same =
        JSON.stringify(o.chosen) === JSON.stringify(wantChosen.candidate.sets) &&
        o.monthly_cost === wantChosen.candidate.monthly_cost &&
        o.p99_ms === wantChosen.p99_ms &&
        o.simulated === want.finalists.length;
    if (!same) fail(`browser answer ${JSON.stringify(o)} differs from native ${JSON.stringify(wantChosen)}`);
    ok(`the browser's answer equals the native one: ${o.chosen.join(", ")}, ${o.monthly_cost.toFixed(2)}/month, p99 ${o.p99_ms.toFixed(1)} ms`);
    noPanics(errors);
}

await runTests("optimize", main);
