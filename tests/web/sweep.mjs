// The Stress test window's load sweep in the browser, called from run.mjs's main() with its helpers (`t`).
// A short URL shortener (4 simulated seconds) opens from a share link; a sweep starts as "Run sweep" does
// (`archsim_sweep`: loads 1x to 12x, evenly in ratio, 5 points, 2 replications each) and the test checks:
//   1. the sweep is cut into many frames and none spends more than 50 ms on it (the app times each frame's
//      share with its own clock and publishes the longest and the sum), while the page keeps drawing;
//   2. the result is the native CLI's, byte for byte: `archsim sweep FILE --full --load 1:12:5 --log
//      --replications 2 --json -` against the page's `archsim_sweep_json()`;
//   3. Cancel on a second sweep part-way stops it within two frames, with "Cancelled." and no new result.

import fs from "node:fs";
import path from "node:path";

import { shortened, tempDir } from "./common.mjs";

/** The longest a frame may spend on the sweep, ms (issue 16: a page feels stuck past about 50 ms). */
const FRAME_LIMIT_MS = 50;
const LOADS = { start: 1, end: 12, points: 5, log: true, replications: 2 };

/** Counts requestAnimationFrame callbacks in `window.__frames` from now on. */
async function countFrames(page) {
    await page.evaluate(() => {
        window.__frames = 0;
        const tick = () => {
            window.__frames += 1;
            requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}

async function startSweep(page) {
    await page.evaluate(
        (l) => window.archsim.archsim_sweep(l.start, l.end, l.points, l.log, l.replications),
        LOADS,
    );
}

export async function sweepInBrowser(t) {
    const begun = Date.now();
    const file = path.join(tempDir("archsim-sweep-"), "short.ron");
    fs.writeFileSync(file, shortened("scenarios/url_shortener.ron", 4, 1));
    const range = `${LOADS.start}:${LOADS.end}:${LOADS.points}`;
    const cliArgs = ["sweep", file, "--full", "--load", range, "--log", "--replications", String(LOADS.replications), "--json", "-"];
    const cliStarted = Date.now();
    const want = t.native(cliArgs);
    const cliMs = Date.now() - cliStarted;
    const fragment = t.native(["share", file, "--fragment"]).trim();
    const page = await t.openApp(t.context, `${t.base}/index.html#${fragment}`, t.errors);
    await t.waitFor(page, "the shared scenario", (s) => s.toasts.some((m) => m.startsWith("Opened the shared scenario")));

    await countFrames(page);
    const started = Date.now();
    await startSweep(page);
    await t.waitFor(page, "the sweep to start", (s) => s.sweep.running || s.sweep.finished > 0, 10000);
    const done = await t.waitFor(page, "the sweep's result", (s) => !s.sweep.running, 300000);
    const wallS = (Date.now() - started) / 1000;
    const frames = await page.evaluate(() => window.__frames);
    const w = done.sweep;
    if (w.status) t.fail(`the sweep stopped: ${w.status}`);
    if (w.finished !== 1 || w.points !== LOADS.points) t.fail(`no result of ${LOADS.points} points: ${JSON.stringify(w)}`);
    if (!(w.slices > 10)) t.fail(`the sweep ran in ${w.slices} frames; it should be sliced over many`);
    if (!(w.max_slice_ms <= FRAME_LIMIT_MS)) t.fail(`a frame spent ${w.max_slice_ms.toFixed(1)} ms on the sweep (limit ${FRAME_LIMIT_MS})`);
    if (!(frames >= w.slices / 2)) t.fail(`the page drew ${frames} frames while the sweep took ${w.slices}`);
    const runs = LOADS.points * LOADS.replications;
    t.ok(`a ${runs}-run sweep ran in ${w.slices} frames over ${wallS.toFixed(1)} s (${w.total_slice_ms.toFixed(0)} ms of simulation in all); the longest frame spent ${w.max_slice_ms.toFixed(1)} ms on it (limit ${FRAME_LIMIT_MS}); the page drew ${frames} animation frames meanwhile`);

    const got = await page.evaluate(() => window.archsim.archsim_sweep_json());
    if (got !== want) {
        let i = 0;
        while (i < got.length && got[i] === want[i]) i++;
        t.fail(`the browser's sweep differs from \`archsim ${cliArgs.join(" ")}\` at byte ${i}:\n  web:    ${got.slice(Math.max(0, i - 80), i + 80)}\n  native: ${want.slice(Math.max(0, i - 80), i + 80)}`);
    }
    t.ok(`the browser's sweep JSON is byte-identical to \`archsim sweep ... --load ${range} --log --replications ${LOADS.replications} --json -\` (${got.length} bytes; the CLI took ${cliMs} ms)`);

    // Cancel part-way through a second sweep.
    await startSweep(page);
    const part = await t.waitFor(page, "the second sweep to be part-way", (s) => s.sweep.running && s.sweep.done >= 2, 120000);
    const cancelAt = Date.now();
    await page.evaluate(() => window.archsim.archsim_cancel_sweep());
    const stopped = await t.waitFor(page, "the sweep to stop after Cancel", (s) => !s.sweep.running, 10000);
    const cancelMs = Date.now() - cancelAt;
    const c = stopped.sweep;
    if (c.status !== "Cancelled.") t.fail(`after Cancel the sweep says ${JSON.stringify(c.status)}`);
    if (c.finished !== 1) t.fail(`a cancelled sweep left a result (${c.finished} finished)`);
    if (!(c.frames_after_cancel >= 1 && c.frames_after_cancel <= 2)) t.fail(`Cancel took ${c.frames_after_cancel} frames`);
    if (!(c.max_slice_ms <= FRAME_LIMIT_MS)) t.fail(`a frame spent ${c.max_slice_ms.toFixed(1)} ms on the second sweep`);
    t.ok(`Cancel after ${part.sweep.done} of ${part.sweep.total} runs stops the sweep in ${c.frames_after_cancel} frame(s) (${cancelMs} ms until the page said so): "${c.status}"`);
    const shot = await t.screenshotNotBlank(page, "web_sweep_cancelled.png");
    t.ok(`screenshot of the Stress test window after Cancel, the first sweep's curves still shown: ${path.relative(t.ROOT, shot.file)} (the sweep cases took ${((Date.now() - begun) / 1000).toFixed(1)} s)`);
    await page.close();
}
