// Does a recording play in a browser? `node tests/web/gif.mjs [FILE.gif]` (after `npm ci` here) loads the
// GIF in an <img> in headless /usr/bin/chromium, checks its size, and takes two screenshots 1.5 s apart:
// an animation that plays shows different pictures (a still or broken image does not). Without FILE it
// records `url_shortener --load 10` with ARCHSIM_BIN (default $CARGO_TARGET_DIR/debug/archsim) twice and
// checks the two files are byte-identical first.

import fs from "node:fs";
import path from "node:path";

import { chromium } from "playwright-core";

import { CHROMIUM, OUT, ROOT, atExit, fail, native, ok, requireTools, runTests, tempDir } from "./common.mjs";

async function main() {
    let file = process.argv[2];
    requireTools({ dist: false, bin: !file });
    if (!file) {
        const dir = tempDir("archsim-gif-");
        const a = path.join(dir, "a.gif");
        const b = path.join(dir, "b.gif");
        for (const f of [a, b]) native(["record", "url_shortener", "--load", "10", "--seconds", "20", "-o", f]);
        const [x, y] = [fs.readFileSync(a), fs.readFileSync(b)];
        if (!x.equals(y)) fail("two recordings of url_shortener at 10x differ");
        ok(`two recordings are byte-identical (${x.length} bytes)`);
        if (x.length >= 5_000_000) fail(`the recording is ${x.length} bytes, over 5 MB`);
        file = a;
    }
    const gif = fs.readFileSync(file);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    atExit(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 900, height: 520 } });
    const src = `data:image/gif;base64,${gif.toString("base64")}`;
    await page.setContent(`<body style="margin:0;background:#000"><img id="g" src="${src}"></body>`);
    await page.waitForFunction(() => document.getElementById("g").complete, null, { timeout: 15000 });
    const size = await page.evaluate(() => {
        const g = document.getElementById("g");
        return [g.naturalWidth, g.naturalHeight];
    });
    if (!(size[0] > 0 && size[1] > 0)) fail(`the browser could not decode the GIF (size ${size})`);
    ok(`Chromium decodes the GIF: ${size[0]}x${size[1]}`);
    const img = await page.$("#g");
    await page.waitForTimeout(500);
    fs.mkdirSync(OUT, { recursive: true });
    const first = await img.screenshot({ path: path.join(OUT, "gif_frame_a.png") });
    await page.waitForTimeout(1500);
    const second = await img.screenshot({ path: path.join(OUT, "gif_frame_b.png") });
    if (first.equals(second)) fail("two screenshots 1.5 s apart are identical: the GIF does not play");
    ok(`it plays: screenshots 1.5 s apart differ (${path.relative(ROOT, path.join(OUT, "gif_frame_b.png"))})`);
}

await runTests("gif", main);
