// What the browser tests share (run.mjs, optimize.mjs, gif.mjs and the cases they call): paths and
// environment, the TAP-like ok/fail reporting, the native CLI, the static server for dist/, Chromium with a
// fresh profile, opening the app and reading its state hook, and screenshot checks.
// Environment: DIST (default dist), ARCHSIM_BIN (default $CARGO_TARGET_DIR/debug/archsim), CHROMIUM
// (default /usr/bin/chromium), OUT (screenshot folder, default $CARGO_TARGET_DIR or target).

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || "target");
export const DIST = path.resolve(ROOT, process.env.DIST || "dist");
export const BIN = path.resolve(ROOT, process.env.ARCHSIM_BIN || path.join(TARGET, "debug/archsim"));
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const OUT = path.resolve(ROOT, process.env.OUT || TARGET);
/** Headless Chromium as CI runs it: no sandbox (root in a container), no background traffic, software GL. */
export const ARGS = [
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
];

let passed = 0;
const cleanups = [];

/** Stops the test with a message (caught by `runTests`). */
export function fail(msg) {
    throw new Error(msg);
}

/** Reports one passed check. */
export function ok(what) {
    passed += 1;
    console.log(`ok ${passed} - ${what}`);
}

/** Runs `f` when the test ends, last registered first. */
export function atExit(f) {
    cleanups.push(f);
}

/** Runs `main`, prints the summary line `NAME: N passed, M failed`, cleans up and sets the exit code. */
export async function runTests(name, main) {
    let failed = 0;
    try {
        await main();
    } catch (e) {
        failed = 1;
        console.error(`not ok - ${e.message}`);
    }
    for (const c of cleanups.reverse()) {
        try {
            await c();
        } catch {
            // already gone
        }
    }
    console.log(`${name}: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

/** Fails unless the built site, the native binary and Chromium are there, saying how to get each. */
export function requireTools({ dist = true, bin = true } = {}) {
    const needs = [[CHROMIUM, "apt-get install chromium"]];
    if (bin) needs.unshift([BIN, "cargo build (or set ARCHSIM_BIN)"]);
    if (dist) needs.unshift([path.join(DIST, "index.html"), "run scripts/web.sh build"]);
    for (const [f, why] of needs) {
        if (!fs.existsSync(f)) fail(`${f} missing: ${why}`);
    }
}

/** The native CLI's stdout. */
export function native(args) {
    return execFileSync(BIN, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

/** A fresh temporary folder, removed at the end. */
export function tempDir(prefix) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    atExit(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
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

/** Serves dist/ on a free port of 127.0.0.1; returns its base URL once it answers. */
export async function serve() {
    const port = await freePort();
    const server = spawn("python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port)], {
        cwd: DIST,
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    server.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
    atExit(() => server.kill());
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
        try {
            if ((await fetch(`${base}/index.html`)).ok) return base;
        } catch {
            // not up yet
        }
        if (server.exitCode !== null) fail(`http.server exited: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
    }
    fail(`http.server did not answer on ${base}: ${stderr}`);
}

/** Headless Chromium with a fresh profile (so local storage starts empty), 1280x800. */
export async function launch(options = {}) {
    const profile = tempDir("archsim-web-");
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1280, height: 800 },
        ...options,
    });
    atExit(() => context.close());
    return context;
}

/** The app's state through the `archsim_state` hook (null before the app runs). */
export async function state(page) {
    const s = await page.evaluate(() => (window.archsim ? window.archsim.archsim_state() : ""));
    return s ? JSON.parse(s) : null;
}

/** The app's state once `pred` holds; fails after `timeoutMs` with the last state seen. */
export async function waitFor(page, what, pred, timeoutMs = 30000) {
    const until = Date.now() + timeoutMs;
    let last = null;
    while (Date.now() < until) {
        last = await state(page);
        if (last && pred(last)) return last;
        await page.waitForTimeout(100);
    }
    fail(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

/** Opens the app at `url` in a new page of `context`, collecting console errors into `errors`, and waits
 * until it has started (the page's ready mark, the loading text gone). */
export async function openApp(context, url, errors) {
    const page = await context.newPage();
    page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    try {
        await page.waitForSelector("body[data-archsim-ready='1']", { timeout: 90000 });
    } catch {
        const shown = await page.evaluate(() => document.getElementById("archsim_error")?.textContent);
        fail(`the app did not start within 90 s: ${shown || "(no message on the page)"}; console: ${errors.join(" | ")}`);
    }
    const loading = await page.$("#archsim_loading");
    if (loading) fail("the loading indicator is still there after start-up");
    return page;
}

/** Fails if the page logged a panic or a wasm runtime error. */
export function noPanics(errors) {
    const panics = errors.filter((e) => /panicked|crashed|RuntimeError/.test(e));
    if (panics.length) fail(`the page logged errors: ${panics.join(" | ")}`);
}

/** Decodes an 8-bit RGB(A) non-interlaced PNG (what Chromium's screenshots are) into pixels. */
function decodePng(buf) {
    if (buf.readUInt32BE(0) !== 0x89504e47) fail("screenshot is not a PNG");
    let off = 8;
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat = [];
    while (off < buf.length) {
        const len = buf.readUInt32BE(off);
        const type = buf.toString("ascii", off + 4, off + 8);
        const data = buf.subarray(off + 8, off + 8 + len);
        if (type === "IHDR") {
            width = data.readUInt32BE(0);
            height = data.readUInt32BE(4);
            const [depth, colour, , , interlace] = data.subarray(8, 13);
            channels = { 2: 3, 6: 4 }[colour];
            if (depth !== 8 || !channels || interlace !== 0) fail(`unexpected PNG format ${depth}/${colour}/${interlace}`);
        } else if (type === "IDAT") {
            idat.push(data);
        }
        off += 12 + len;
    }
    const raw = zlib.inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const px = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)];
        const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        for (let x = 0; x < stride; x++) {
            const a = x >= channels ? px[y * stride + x - channels] : 0;
            const b = y > 0 ? px[(y - 1) * stride + x] : 0;
            const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
            let v = line[x];
            if (filter === 1) v += a;
            else if (filter === 2) v += b;
            else if (filter === 3) v += (a + b) >> 1;
            else if (filter === 4) {
                const p = a + b - c;
                const pa = Math.abs(p - a);
                const pb = Math.abs(p - b);
                const pc = Math.abs(p - c);
                v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            px[y * stride + x] = v & 0xff;
        }
    }
    return { width, height, channels, px };
}

/** Distinct colours in a screenshot (a blank or single-colour page has 1 or 2). */
function distinctColours(png) {
    const { width, height, channels, px } = decodePng(png);
    const seen = new Set();
    for (let i = 0; i < width * height; i++) {
        const o = i * channels;
        seen.add((px[o] << 16) | (px[o + 1] << 8) | px[o + 2]);
    }
    return seen.size;
}

/** Screenshots the page into OUT/name and fails if it has fewer than `minColours` colours. */
export async function screenshotNotBlank(page, name, minColours = 50) {
    const png = await page.screenshot();
    fs.mkdirSync(OUT, { recursive: true });
    const file = path.join(OUT, name);
    fs.writeFileSync(file, png);
    const n = distinctColours(png);
    if (n < minColours) fail(`screenshot ${file} looks blank: ${n} distinct colours`);
    return { file, n };
}

/** A copy of a scenario file with a shorter run, for the tests whose runs are many. */
export function shortened(file, durationS, warmupS) {
    const ron = fs
        .readFileSync(path.join(ROOT, file), "utf8")
        .replace(/duration_s:\s*[0-9.]+/, `duration_s: ${durationS.toFixed(1)}`)
        .replace(/warmup_s:\s*[0-9.]+/, `warmup_s: ${warmupS.toFixed(1)}`);
    if (!ron.includes(`duration_s: ${durationS.toFixed(1)}`) || !ron.includes(`warmup_s: ${warmupS.toFixed(1)}`)) {
        fail(`could not shorten ${file}`);
    }
    return ron;
}
