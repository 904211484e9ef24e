// Browser test of the archsim web app, run with plain `node tests/web/run.mjs` after `scripts/web.sh build`
// and `npm ci` in tests/web. Serves dist/ on 127.0.0.1, drives /usr/bin/chromium (headless, fresh profile)
// through playwright-core and checks, as a person would:
//   1. a share link made by the native encoder (`archsim share FILE --fragment`) opens that scenario; Space
//      on the canvas runs it; the live report has succeeded requests and sim time > 0; the screenshot is
//      not blank; a second link pasted into the address bar (hashchange) replaces it;
//      reopening the page restores the last scenario from local storage; Ctrl+O opens a file chooser and
//      the uploaded file opens; Ctrl+S downloads the scenario as RON;
//   2. corrupted and newer-version links show a readable error in the app (not a blank or frozen tab), and
//      a browser without WebGL gets a message on the page instead of a blank canvas;
//   2b. hostile links (a 1 ns burst, a 40-layer zero-time ladder) are refused in place within a second with
//      the limit's message, and a good link opens after them;
//   3. the engine in the page (`archsim_run_json`) gives byte-identical report JSON to the native CLI
//      (`archsim run FILE --seed N --load X --duration S --json -`), wall_time_s aside;
//   4. `?embed=1` in an iframe, and File > Import diagram… / Paste diagram… (tests/web/interop.mjs);
//   5. the Stress test sweep, sliced across frames (none over 50 ms), equals `archsim sweep`, and Cancel
//      stops it within two frames (tests/web/sweep.mjs);
//   6. the walk-through: File > New, a 5-node design built with the mouse, run, 10x, a fault scheduled and
//      dragged on the timeline, saved (download), reopened (upload), its share link opened (tests/web/walk.mjs).
// Environment: DIST (default dist), ARCHSIM_BIN (default $CARGO_TARGET_DIR/debug/archsim), CHROMIUM
// (default /usr/bin/chromium), OUT (screenshot folder, default $CARGO_TARGET_DIR or target).
// Exits non-zero with a message on the first failure.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

import {
    OUT,
    ROOT,
    fail,
    launch,
    native,
    noPanics,
    ok,
    openApp,
    requireTools,
    runTests,
    screenshotNotBlank,
    serve,
    state,
    waitFor,
} from "./common.mjs";
import { embedInIframe, importInBrowser } from "./interop.mjs";
import { sweepInBrowser } from "./sweep.mjs";
import { walkThrough } from "./walk.mjs";

function scenarioName(ronText) {
    const m = /^\s*name:\s*"((?:[^"\\]|\\.)*)"/m.exec(ronText);
    if (!m) fail("cannot find the scenario name in the RON file");
    return JSON.parse(`"${m[1]}"`);
}

/** Report JSON with the wall-clock field nulled, so two runs compare byte for byte. */
function withoutWallTime(json) {
    const out = json.trim().replace(/"wall_time_s":\s*[^,\n}]+/, '"wall_time_s": null');
    if (out === json.trim()) fail(`no wall_time_s in report: ${json.slice(0, 200)}`);
    return out;
}

/** A share link of a RON text, made as `archsim share` would (raw deflate, URL-safe base64), but without its
 * refusal: the page must refuse what `archsim share` would not have written. */
function linkOf(ronText) {
    return `s=1.${zlib.deflateRawSync(Buffer.from(ronText, "utf8"), { level: 9 }).toString("base64url")}`;
}

/** Issue 12: hostile share links. Each is refused in place with the limit's message, within a second of the
 * page being ready, and the page stays responsive (it answers, and a good link opens after it). */
async function hostileLinks(context, base, errors) {
    const cases = [
        { file: "tests/hostile/bursty_1ns.ron", want: /100,000,000,100 requests\/s/ },
        { file: "tests/hostile/ladder_40.ron", want: /2,199,023,255,551 calls/ },
    ];
    for (const c of cases) {
        const fragment = linkOf(fs.readFileSync(path.join(ROOT, c.file), "utf8"));
        const page = await openApp(context, `${base}/index.html#${fragment}`, errors);
        const started = Date.now();
        const refused = await waitFor(page, `the refusal of ${c.file}`, (s) => s.link_error, 10000);
        const ms = Date.now() - started;
        if (!c.want.test(refused.link_error)) fail(`${c.file}: the page says "${refused.link_error}"`);
        if (ms > 1000) fail(`${c.file}: the refusal took ${ms} ms after start-up`);
        const shot = await screenshotNotBlank(page, `web_hostile_${path.basename(c.file, ".ron")}.png`);
        // Still responsive: a good link pasted afterwards opens.
        const good = native(["share", "scenarios/url_shortener.ron", "--fragment"]).trim();
        await page.evaluate((f) => (window.location.hash = f), good);
        await waitFor(page, "a good link after the refused one", (s) => s.scenario === "URL shortener" && !s.link_error, 10000);
        ok(`hostile link ${c.file} (${fragment.length} characters) is refused in ${ms} ms with "${refused.link_error.slice(0, 110)}…"; a good link opens after it (${path.relative(ROOT, shot.file)})`);
        await page.close();
    }
}

/** Navigation start to the app's first frame, ms, on a cold start (issue 16). FIRST_FRAME_LIMIT_MS overrides
 * it for a machine known to be loaded (the figure is printed either way). */
const FIRST_FRAME_LIMIT_MS = Number(process.env.FIRST_FRAME_LIMIT_MS || 1000);

/** Issue 16: the first frame within a second of navigation, on a cold start (a fresh profile: nothing cached,
 * no compiled wasm kept). A loaded machine slows every load, so up to three cold starts are timed and the
 * fastest must be within the limit; all are reported. The figure is the app's own: `performance.now()` at
 * its first frame, published in its state as `first_frame_ms`. */
async function firstFrame(base) {
    const times = [];
    for (let i = 0; i < 3 && !(times.length && Math.min(...times) <= FIRST_FRAME_LIMIT_MS); i++) {
        const context = await launch();
        const errors = [];
        const page = await openApp(context, `${base}/index.html`, errors);
        const s = await waitFor(page, "the first frame", (st) => st.first_frame_ms > 0, 10000);
        const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd);
        times.push(s.first_frame_ms);
        console.log(`# cold start ${i + 1}: first frame ${s.first_frame_ms.toFixed(0)} ms after navigation (DOMContentLoaded ${nav.toFixed(0)} ms)`);
        await context.close();
    }
    const best = Math.min(...times);
    if (!(best <= FIRST_FRAME_LIMIT_MS)) fail(`the first frame came ${times.map((x) => x.toFixed(0)).join(", ")} ms after navigation (limit ${FIRST_FRAME_LIMIT_MS})`);
    ok(`first frame ${best.toFixed(0)} ms after navigation on a cold start (limit ${FIRST_FRAME_LIMIT_MS}; ${times.length} start(s): ${times.map((x) => x.toFixed(0)).join(", ")} ms)`);
}

async function main() {
    requireTools();
    const base = await serve();
    await firstFrame(base);
    const context = await launch();
    const errors = [];

    // 1. A share link made by the Rust encoder opens, runs and draws.
    const shortenerFile = "scenarios/url_shortener.ron";
    const shortener = scenarioName(fs.readFileSync(path.join(ROOT, shortenerFile), "utf8"));
    const fragment = native(["share", shortenerFile, "--fragment"]).trim();
    if (!fragment.startsWith("s=1.")) fail(`archsim share printed '${fragment.slice(0, 40)}'`);
    const page = await openApp(context, `${base}/index.html#${fragment}`, errors);
    const opened = await waitFor(page, "the shared scenario", (s) =>
        s.toasts.some((t) => t.startsWith("Opened the shared scenario")),
    );
    if (opened.scenario !== shortener) fail(`the link opened '${opened.scenario}', not '${shortener}'`);
    if (opened.link_error) fail(`the link was refused: ${opened.link_error}`);
    ok(`share link (${fragment.length} characters) opens '${shortener}'`);
    await page.focus("#archsim_canvas");
    await page.keyboard.press("Space");
    await waitFor(page, "the run to start after Space", (s) => s.run_state === "Running" || s.sim_time_s > 0, 10000);
    await page.waitForTimeout(4000);
    const running = await state(page);
    const report = JSON.parse((await page.evaluate(() => window.archsim.archsim_report_json())) || "null");
    if (!report) fail(`no report after running 4 s; state: ${JSON.stringify(running)}`);
    if (!(report.sim_time_s > 0)) fail(`report sim_time_s is ${report.sim_time_s}`);
    if (!(report.requests.succeeded > 0)) fail(`report has ${report.requests.succeeded} succeeded requests`);
    ok(`Space runs it: ${report.requests.succeeded} succeeded by ${report.sim_time_s.toFixed(1)} simulated s (${running.run_state})`);
    const shot = await screenshotNotBlank(page, "web_app.png");
    ok(`screenshot ${path.relative(ROOT, shot.file)} is not blank (${shot.n} colours)`);

    const newsFile = "scenarios/news_feed.ron";
    const news = scenarioName(fs.readFileSync(path.join(ROOT, newsFile), "utf8"));
    const newsFragment = native(["share", newsFile, "--fragment"]).trim();
    await page.evaluate((f) => (window.location.hash = f), newsFragment);
    await waitFor(page, `'${news}' after a hash change`, (s) => s.scenario === news && s.sim_time_s === 0);
    ok(`a link pasted into the address bar opens '${news}'`);

    // The last scenario is kept in local storage (eframe persistence, saved every 2 s in the browser).
    await page.waitForTimeout(3000);
    await page.close();
    const again = await openApp(context, `${base}/index.html`, errors);
    await waitFor(again, `'${news}' restored from local storage`, (s) => s.scenario === news, 10000);
    ok(`reopening the page without a link restores '${news}' from local storage`);

    // Open uploads a scenario file (a file chooser, as a person would); Save downloads it as a RON file.
    await again.focus("#archsim_canvas");
    const jobsFile = "scenarios/job_scheduler.ron";
    const jobs = scenarioName(fs.readFileSync(path.join(ROOT, jobsFile), "utf8"));
    const [chooser] = await Promise.all([
        again.waitForEvent("filechooser", { timeout: 15000 }),
        again.keyboard.press("Control+o"),
    ]);
    await chooser.setFiles(path.join(ROOT, jobsFile));
    await waitFor(again, `'${jobs}' opened from an upload`, (s) => s.scenario === jobs, 10000);
    ok(`Ctrl+O opens a file chooser; uploading ${jobsFile} opens '${jobs}'`);
    const [download] = await Promise.all([
        again.waitForEvent("download", { timeout: 15000 }),
        again.keyboard.press("Control+s"),
    ]);
    const saved = fs.readFileSync(await download.path(), "utf8");
    if (scenarioName(saved) !== jobs) fail(`Save downloaded '${download.suggestedFilename()}' holding '${scenarioName(saved)}'`);
    ok(`Ctrl+S downloads '${download.suggestedFilename()}' holding '${jobs}' (${saved.length} bytes)`);

    // 2. Broken links say why, in the app.
    const bad = await openApp(context, `${base}/index.html#s=1.!!!garbage`, errors);
    const refused = await waitFor(bad, "the corrupted-link message", (s) => s.link_error);
    if (!/damaged/.test(refused.link_error)) fail(`unexpected message: ${refused.link_error}`);
    const badShot = await screenshotNotBlank(bad, "web_bad_link.png");
    ok(`a corrupted link is refused with "${refused.link_error}" (${path.relative(ROOT, badShot.file)})`);
    await bad.evaluate(() => (window.location.hash = "s=9.AAAA"));
    const newer = await waitFor(bad, "the newer-version message", (s) => /newer/.test(s.link_error || ""));
    if (newer.scenario !== refused.scenario) fail("a refused link replaced the scenario");
    ok(`a newer-format link is refused with "${newer.link_error}"`);
    await bad.close();

    // Without WebGL the page says so instead of staying blank.
    const noGl = await context.newPage();
    await noGl.addInitScript(() => {
        const orig = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
            return /webgl/.test(kind) ? null : orig.call(this, kind, ...rest);
        };
    });
    await noGl.goto(`${base}/index.html`);
    await noGl.waitForSelector("#archsim_error", { state: "visible", timeout: 90000 });
    const glMessage = await noGl.evaluate(() => document.getElementById("archsim_error").textContent);
    if (!/WebGL/.test(glMessage)) fail(`without WebGL the page says: ${glMessage}`);
    if (await noGl.$("#archsim_loading")) fail("without WebGL the loading indicator stays");
    ok(`without WebGL the page shows: "${glMessage.split("\n")[0].slice(0, 100)}…"`);
    await noGl.close();

    // Issue 12: hostile links are refused in place, and the page stays usable.
    await hostileLinks(context, base, errors);

    // 3. The engine in the browser gives the native CLI's report, byte for byte.
    const cases = [
        { file: "scenarios/theory/mm1_rho08.ron", seed: 7, load: 1, duration: 400 },
        { file: "scenarios/url_shortener.ron", seed: 42, load: 3, duration: 20 },
        // Faults, per-call timeouts and retries on edges, a priority queue and rate limiters.
        { file: "scenarios/notification.ron", seed: 5, load: 2, duration: 60 },
        // Batch arrivals, jittered client backoff and optimistic-concurrency writes.
        { file: "scenarios/backoff_jitter.ron", seed: 3, load: 1, duration: 120 },
    ];
    for (const c of cases) {
        const text = fs.readFileSync(path.join(ROOT, c.file), "utf8");
        const started = Date.now();
        const web = await again.evaluate(
            ([t, seed, load, duration]) => window.archsim.archsim_run_json(t, BigInt(seed), load, duration),
            [text, c.seed, c.load, c.duration],
        );
        const webMs = Date.now() - started;
        if (web.startsWith('{"error"')) fail(`archsim_run_json(${c.file}) failed: ${web}`);
        const cli = native([
            "run", c.file, "--seed", String(c.seed), "--load", String(c.load), "--duration", String(c.duration), "--json", "-",
        ]);
        const a = withoutWallTime(web);
        const b = withoutWallTime(cli);
        if (a !== b) {
            let i = 0;
            while (i < a.length && a[i] === b[i]) i++;
            fail(`${c.file}: browser and native reports differ at byte ${i}:\n  web:    ${a.slice(Math.max(0, i - 80), i + 80)}\n  native: ${b.slice(Math.max(0, i - 80), i + 80)}`);
        }
        ok(`${c.file} seed ${c.seed} load ${c.load}: browser report == native report (${a.length} bytes, ${webMs} ms in the page)`);
    }

    // 4. Diagram import and embed mode (tests/web/interop.mjs).
    const t = { context, base, errors, openApp, screenshotNotBlank, ok, fail, native, waitFor, ROOT, OUT };
    await embedInIframe(t);
    await importInBrowser(t);

    // 5. The Stress test sweep never freezes the page and gives the CLI's answer (tests/web/sweep.mjs).
    await sweepInBrowser(t);

    // 6. The done-means walk-through, as a person would (tests/web/walk.mjs).
    await walkThrough(t);

    noPanics(errors);
}

await runTests("web", main);
