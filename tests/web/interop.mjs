// Browser cases for diagram import and embed mode, called from run.mjs's main() with its helpers (`t`).
// Driven as a person would: clicks on the app's own menus and buttons (egui draws them on the canvas, so
// they are found at their places in the layout, checked through `archsim_state` after every step), the
// browser's file chooser for File > Import diagram…, a clipboard paste for File > Paste diagram…, and an
// <iframe> page for `?embed=1`. Screenshots go to OUT: web_embed.png, web_import_drawio.png,
// web_import_mermaid.png.

import fs from "node:fs";
import path from "node:path";

// Places in the layout, CSS pixels from the canvas's top-left corner (egui's default style, scale 1).
const MENU_FILE = { x: 18, y: 11 };
// File menu items, one row each (New, Open…, Import diagram…, Paste diagram…, ...).
const FILE_ITEM_X = 60;
const fileItemY = (row) => 42 + 28 * row;
const ITEM_IMPORT = 2;
const ITEM_PASTE = 3;
// Embed mode's top bar: Run, then Reset, then the load buttons 1x 2x 5x 10x.
const EMBED_RUN = { x: 40, y: 15 };

/** Polls `archsim_state` in a page or frame until `pred` holds. */
/** The page's state once `pred` holds, or null after `timeoutMs`. */
async function poll(target, pred, timeoutMs) {
    const end = Date.now() + timeoutMs;
    let last = null;
    while (Date.now() < end) {
        const s = await target.evaluate(() => (window.archsim ? window.archsim.archsim_state() : ""));
        last = s ? JSON.parse(s) : null;
        if (last && pred(last)) return { ok: true, last };
        await new Promise((r) => setTimeout(r, 100));
    }
    return { ok: false, last };
}

async function until(t, target, what, pred, timeoutMs = 30000) {
    const { ok, last } = await poll(target, pred, timeoutMs);
    if (ok) return last;
    t.fail(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

async function report(target) {
    return JSON.parse((await target.evaluate(() => window.archsim.archsim_report_json())) || "null");
}

/** Waits for the live report to count succeeded requests (after the scenario's warm-up, 5 s by default). */
async function succeeded(t, target, what, timeoutMs = 60000) {
    const end = Date.now() + timeoutMs;
    let r = null;
    while (Date.now() < end) {
        r = await report(target);
        if (r && r.requests.succeeded > 0) return r;
        await new Promise((res) => setTimeout(res, 250));
    }
    t.fail(`${what}: no succeeded requests in the live report after ${timeoutMs / 1000} s (${JSON.stringify(r?.requests)})`);
}

async function clickCanvas(target, at) {
    await target.locator("#archsim_canvas").click({ position: at });
}

/** Runs the open design for a few seconds with Space and checks requests succeed. */
async function runs(t, page, what) {
    await page.keyboard.press("Space");
    await until(t, page, `${what} to run`, (s) => s.run_state === "Running" && s.sim_time_s > 0.5, 20000);
    const r = await succeeded(t, page, what);
    await page.keyboard.press("Space");
    return r;
}

/** `?embed=1` with a share link, in a 640x400 iframe on a course page: diagram, Run, loads, chart; read-only. */
export async function embedInIframe(t) {
    const file = "scenarios/url_shortener.ron";
    const fragment = t.native(["share", file, "--fragment"]).trim();
    const page = await t.context.newPage();
    await page.setViewportSize({ width: 720, height: 520 });
    page.on("pageerror", (e) => t.errors.push(String(e)));
    const src = `${t.base}/index.html?embed=1#${fragment}`;
    await page.goto(`${t.base}/index.html?blank`);
    await page.setContent(
        `<body style="margin:24px 40px;background:#f6f3ec;font:15px/1.4 sans-serif;color:#222">` +
            `<p>Lesson 3: push the URL shortener to 10x and watch the app tier saturate.</p>` +
            `<iframe id="demo" src="${src}" width="640" height="400" title="archsim: URL shortener"` +
            ` style="border:1px solid #bbb;border-radius:6px"></iframe></body>`,
    );
    const handle = await page.waitForSelector("#demo");
    const frame = await handle.contentFrame();
    await frame.waitForSelector("body[data-archsim-ready='1']", { timeout: 90000 });
    frame.on?.("console", () => {});
    const opened = await until(t, frame, "the embedded link to open", (s) =>
        s.toasts.some((m) => m.startsWith("Opened the shared scenario")),
    );
    if (!opened.embed) t.fail(`?embed=1 did not embed: ${JSON.stringify(opened)}`);
    if (opened.nodes !== 5) t.fail(`the embedded link opened ${opened.nodes} nodes, not the URL shortener's 5`);
    const box = await handle.boundingBox();
    if (Math.round(box.width) !== 642 || Math.round(box.height) !== 402) t.fail(`iframe is ${box.width}x${box.height}`);
    const canvas = await frame.locator("#archsim_canvas").boundingBox();
    if (canvas.width > 641 || canvas.height > 401) t.fail(`the app is ${canvas.width}x${canvas.height}, larger than its iframe`);
    t.ok(`?embed=1 in a 640x400 iframe opens the share link: '${opened.scenario}', ${opened.nodes} nodes, embed mode`);
    const fitted = await fitsIn(t, frame, 400, "640x400");
    t.ok(`at 640x400 what a reader sees: ${describe(fitted)}`);

    // The 10x load button, then Run, by mouse.
    await findLoadButton(t, frame, 10);
    await clickCanvas(frame, EMBED_RUN);
    const at10 = await until(t, frame, "Run in the embed bar", (s) => s.run_state === "Running" && s.sim_time_s > 2, 30000);
    if (at10.load !== 10) t.fail(`the load is ${at10.load} after 10x`);
    const r = await succeeded(t, frame, "the embedded run");
    t.ok(`Run and 10x in the embed bar run it: ${r.requests.succeeded} succeeded, ${r.requests.rejected ?? 0} rejected by ${r.sim_time_s.toFixed(1)} s (${at10.run_state})`);

    const running = await fitsIn(t, frame, 400, "640x400 while running");

    // Read-only: a click on a node and Delete, or a drag (it pans the view), change nothing.
    const before = await until(t, frame, "state", () => true);
    await clickCanvas(frame, { x: 320, y: 110 });
    await page.keyboard.press("Delete");
    await page.mouse.move(box.x + 320, box.y + 110);
    await page.mouse.down();
    await page.mouse.move(box.x + 420, box.y + 160, { steps: 5 });
    await page.mouse.up();
    await page.waitForTimeout(500);
    const after = await until(t, frame, "state", () => true);
    if (after.nodes !== before.nodes || after.edges !== before.edges || after.dirty) {
        t.fail(`embed mode edited the design: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    }
    t.ok(`embed mode is read-only: Delete and a drag leave ${after.nodes} nodes, ${after.edges} edges, not dirty`);
    fs.mkdirSync(t.OUT, { recursive: true });
    const shot = path.join(t.OUT, "web_embed.png");
    await page.screenshot({ path: shot });
    t.ok(`screenshot of the course page with the embedded run (${describe(running)}): ${path.relative(t.ROOT, shot)}`);

    // The same page in a smaller and a larger iframe: the app refits the diagram when its frame is resized.
    for (const [w, h] of [[480, 320], [800, 500]]) {
        await page.setViewportSize({ width: w + 120, height: h + 140 });
        await page.evaluate(([w, h]) => {
            const f = document.getElementById("demo");
            f.width = String(w);
            f.height = String(h);
        }, [w, h]);
        const l = await fitsIn(t, frame, h, `${w}x${h}`);
        const file = path.join(t.OUT, `web_embed_${w}x${h}.png`);
        await page.screenshot({ path: file });
        t.ok(`iframe resized to ${w}x${h}: ${describe(l)} (${path.relative(t.ROOT, file)})`);
    }
    await page.close();
}

/** "5 of 5 nodes inside the 640x280 canvas, chart strip 120 of 400 px (30%)". */
function describe(l) {
    const [x0, y0, x1, y1] = l.canvas;
    const pct = Math.round((100 * l.chart_h) / l.page_h);
    return `${l.nodes_inside} of ${l.nodes} nodes inside the ${Math.round(x1 - x0)}x${Math.round(y1 - y0)} canvas, chart strip ${Math.round(l.chart_h)} of ${Math.round(l.page_h)} px (${pct}%)`;
}

/**
 * Waits until the embedded page, `h` CSS pixels high, has laid itself out at that height with every node's
 * box inside the canvas and the chart strip at most 35% of the height; fails with the layout otherwise.
 */
async function fitsIn(t, frame, h, what) {
    const ppp = await frame.evaluate(() => window.devicePixelRatio || 1);
    const laidOut = (s) => s.embed_view && Math.abs(s.embed_view.page_h - h) < 2;
    const { ok, last } = await poll(
        frame,
        (s) => laidOut(s) && s.embed_view.nodes > 0 && s.embed_view.nodes_inside === s.embed_view.nodes && s.embed_view.chart_h <= 0.35 * s.embed_view.page_h,
        20000,
    );
    if (!ok) {
        t.fail(`${what}: the embedded page does not show the whole diagram with a chart of at most 35% of the height (device pixel ratio ${ppp}): ${JSON.stringify(last?.embed_view)}`);
        return last?.embed_view;
    }
    return last.embed_view;
}

/** The load button for `x` in the embed bar, found by clicking along the bar until the load changes. */
async function findLoadButton(t, frame, x) {
    // Past Run and Reset (Reset would stop a run).
    for (let px = 150; px < 450; px += 8) {
        await clickCanvas(frame, { x: px, y: EMBED_RUN.y });
        const s = await until(t, frame, "state", () => true);
        if (s.load === x) return { x: px, y: EMBED_RUN.y };
    }
    t.fail(`no ${x}x button in the embed bar`);
}

/** File > Import diagram… with a compressed draw.io file, and File > Paste diagram… with a Mermaid block. */
export async function importInBrowser(t) {
    const page = await t.openApp(t.context, `${t.base}/index.html`, t.errors);
    await page.focus("#archsim_canvas");

    // draw.io through the browser's file chooser.
    await clickCanvas(page, MENU_FILE);
    await page.waitForTimeout(300);
    const [chooser] = await Promise.all([
        page.waitForEvent("filechooser", { timeout: 15000 }),
        clickCanvas(page, { x: FILE_ITEM_X, y: fileItemY(ITEM_IMPORT) }),
    ]);
    await chooser.setFiles(path.join(t.ROOT, "tests/import/shop.drawio"));
    const drawio = await until(t, page, "the draw.io import", (s) => s.toasts.includes("Imported shop.drawio"));
    if (drawio.nodes !== 8) t.fail(`shop.drawio gave ${drawio.nodes} nodes, not 8`);
    await page.waitForTimeout(500);
    const shotA = await t.screenshotNotBlank(page, "web_import_drawio.png");
    const r1 = await runs(t, page, "the imported draw.io design");
    t.ok(`File > Import diagram… uploads shop.drawio (compressed): ${drawio.nodes} nodes, ${drawio.edges} edges; Run gives ${r1.requests.succeeded} succeeded (${path.relative(t.ROOT, shotA.file)})`);

    // Mermaid pasted from a design doc.
    const doc = fs.readFileSync(path.join(t.ROOT, "tests/import/design-doc.md"), "utf8");
    await clickCanvas(page, MENU_FILE);
    await page.waitForTimeout(300);
    await clickCanvas(page, { x: FILE_ITEM_X, y: fileItemY(ITEM_PASTE) });
    await until(t, page, "the paste window", (s) => s.paste_open, 10000);
    // The text box takes focus a frame after the window opens; on a loaded machine the first paste can come
    // before it, so paste until the text has arrived, then import until the window has gone.
    let pasted = { ok: false };
    for (let attempt = 0; attempt < 5 && !pasted.ok; attempt++) {
        await page.waitForTimeout(300);
        await page.evaluate((text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
        }, doc);
        pasted = await poll(page, (s) => s.paste_chars > 0, 2000);
    }
    if (!pasted.ok) t.fail(`the paste never reached the text box; last state: ${JSON.stringify(pasted.last)}`);
    let imported = { ok: false };
    for (let attempt = 0; attempt < 5 && !imported.ok; attempt++) {
        await page.keyboard.press("Control+Enter");
        imported = await poll(page, (s) => s.toasts.includes("Imported pasted diagram"), 3000);
    }
    const mermaid = imported.ok ? imported.last : await until(t, page, "the pasted Mermaid import", (s) => s.toasts.includes("Imported pasted diagram"));
    if (mermaid.nodes < 6) t.fail(`the pasted design doc gave ${mermaid.nodes} nodes`);
    await page.waitForTimeout(500);
    const shotB = await t.screenshotNotBlank(page, "web_import_mermaid.png");
    const r2 = await runs(t, page, "the pasted Mermaid design");
    t.ok(`File > Paste diagram… and a pasted design doc (architecture-beta): ${mermaid.nodes} nodes, ${mermaid.edges} edges; Run gives ${r2.requests.succeeded} succeeded (${path.relative(t.ROOT, shotB.file)})`);
    await page.close();
}
