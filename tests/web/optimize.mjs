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

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || "target");
const DIST = path.resolve(ROOT, process.env.DIST || "dist");
const BIN = path.resolve(ROOT, process.env.ARCHSIM_BIN || path.join(TARGET, "debug/archsim"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = [
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
];
/** The longest a frame may spend on the search, ms. */
const FRAME_LIMIT_MS = 50;

let passed = 0;
const cleanups = [];

function fail(msg) {
    throw new Error(msg);
}

function ok(what) {
    passed += 1;
    console.log(`ok ${passed} - ${what}`);
}

function native(args) {
    return execFileSync(BIN, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.unref();
        s.on("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

async function serve() {
    const port = await freePort();
    const server = spawn("python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port)], {
        cwd: DIST,
        stdio: ["ignore", "ignore", "pipe"],
    });
    cleanups.push(() => server.kill());
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
        try {
            if ((await fetch(`${base}/index.html`)).ok) return base;
        } catch {
            // not up yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    fail(`http.server did not answer on ${base}`);
}

async function state(page) {
    const s = await page.evaluate(() => (window.archsim ? window.archsim.archsim_state() : ""));
    return s ? JSON.parse(s) : null;
}

async function waitFor(page, what, pred, timeoutMs) {
    const until = Date.now() + timeoutMs;
    let last = null;
    while (Date.now() < until) {
        last = await state(page);
        if (last && pred(last)) return last;
        await page.waitForTimeout(200);
    }
    fail(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

async function main() {
    for (const [f, why] of [
        [path.join(DIST, "index.html"), "run scripts/web.sh build"],
        [BIN, "cargo build (or set ARCHSIM_BIN)"],
        [CHROMIUM, "apt-get install chromium"],
    ]) {
        if (!fs.existsSync(f)) fail(`${f} missing: ${why}`);
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "archsim-optimize-"));
    cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
    // The URL shortener, 5 simulated seconds with 1 s of warm-up, so the search takes tens of seconds.
    const ron = fs
        .readFileSync(path.join(ROOT, "scenarios/url_shortener.ron"), "utf8")
        .replace(/duration_s:\s*[0-9.]+/, "duration_s: 5.0")
        .replace(/warmup_s:\s*[0-9.]+/, "warmup_s: 1.0");
    if (!/duration_s: 5\.0/.test(ron) || !/warmup_s: 1\.0/.test(ron)) fail("could not shorten the scenario");
    const file = path.join(work, "short.ron");
    fs.writeFileSync(file, ron);
    const want = JSON.parse(
        native(["optimize", file, "--full", "--load", "10", "--slo-p99-ms", "200", "--slo-errors", "0.001", "--json", "-"]),
    );
    const wantChosen = want.finalists[want.chosen];
    ok(`native answer: ${wantChosen.candidate.sets.join(", ")} at ${wantChosen.candidate.monthly_cost.toFixed(2)} ${want.currency}/month, ${want.finalists.length} simulated`);

    const fragment = native(["share", file, "--fragment"]).trim();
    const base = await serve();
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "archsim-web-"));
    cleanups.push(() => fs.rmSync(profile, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1280, height: 800 },
    });
    cleanups.push(() => context.close());
    const errors = [];
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}/index.html#${fragment}`);
    await page.waitForSelector("body[data-archsim-ready='1']", { timeout: 90000 });
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
    const panics = errors.filter((e) => /panicked|RuntimeError/.test(e));
    if (panics.length) fail(`the page reported: ${panics.join(" | ")}`);
}

try {
    await main();
    console.log(`# ${passed} passed, 0 failed`);
} catch (e) {
    console.log(`not ok - ${e.message}`);
    console.log(`# ${passed} passed, 1 failed`);
    process.exitCode = 1;
} finally {
    for (const c of cleanups.reverse()) {
        try {
            await c();
        } catch {
            // best effort
        }
    }
}
