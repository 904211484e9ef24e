// The done-means walk-through in Chromium, called from run.mjs's main() with its helpers (`t`): as a person
// would, with the mouse and keys on the app's canvas (egui draws everything there, so controls are found at
// their places in the 1280x800 layout and each step is checked through `archsim_state`): File > New, drag
// five components from the palette (client, load balancer, service, cache, database), connect them by their
// handles (client -> lb -> app -> cache -> db: the cache's misses go to the database, as in
// tests/walkthrough.sh), Space runs it; the 10x load button; a Crash scheduled
// from the service's right-click menu and dragged later on the fault timeline; Ctrl+S downloads it, File >
// New (Ctrl+N) and File > Open… upload it again; Copy link, and the link opened in a new page at 10x, running. Counts the
// actions from New to a running design. Screenshots OUT/web_walk_*.png; KEEP=1 also writes half-size copies
// to assets/screenshots/.

import fs from "node:fs";
import path from "node:path";

let actions = 0;
/** The steps whose screenshots KEEP=1 copies into assets/screenshots/ (README shows two of them). */
const KEPT = ["03_running", "04_at_10x", "07_dragged", "08_crashed", "09_reopened"];

/** Waits for `n` animation frames (egui handles the input of each frame in the next), then `settleMs`. */
async function waitFrames(page, n = 2, settleMs = 50) {
    await page.evaluate(
        (k) =>
            new Promise((resolve) => {
                let left = k;
                const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
                requestAnimationFrame(tick);
            }),
        n,
    );
    if (settleMs) await page.waitForTimeout(settleMs);
}

async function click(page, x, y, button = "left") {
    actions += 1;
    await page.mouse.click(x, y, { button });
    await waitFrames(page);
}

async function key(page, k) {
    actions += 1;
    await page.keyboard.press(k);
    await waitFrames(page);
}

/** A press, a move in steps a frame apart (egui sees a drag, not a jump) and a release: one action. */
async function drag(page, x1, y1, x2, y2) {
    actions += 1;
    await page.mouse.move(x1, y1);
    await waitFrames(page, 1, 0);
    await page.mouse.down();
    await waitFrames(page, 1, 0);
    for (let k = 1; k <= 3; k++) {
        await page.mouse.move(x1 + ((x2 - x1) * k) / 3, y1 + ((y2 - y1) * k) / 3);
        await waitFrames(page, 1, 0);
    }
    await page.mouse.up();
    await waitFrames(page);
}

/** A screenshot of the step (OUT/web_walk_NAME.png), checked not blank; with KEEP=1 a half-size copy in
 * assets/screenshots/ (scaled in the page's own canvas, so no image tool is needed). */
async function shot(t, page, name) {
    const s = await t.screenshotNotBlank(page, `web_walk_${name}.png`);
    if (process.env.KEEP === "1" && KEPT.includes(name)) {
        const b64 = fs.readFileSync(s.file).toString("base64");
        const half = await page.evaluate(async (src) => {
            const img = new Image();
            img.src = `data:image/png;base64,${src}`;
            await img.decode();
            const c = document.createElement("canvas");
            c.width = img.width / 2;
            c.height = img.height / 2;
            const g = c.getContext("2d");
            g.imageSmoothingQuality = "high";
            g.drawImage(img, 0, 0, c.width, c.height);
            return c.toDataURL("image/png").split(",")[1];
        }, b64);
        fs.writeFileSync(path.join(t.ROOT, "assets/screenshots", `web_walk_${name}.png`), Buffer.from(half, "base64"));
    }
    return path.relative(t.ROOT, s.file);
}

export async function walkThrough(t) {
    const started = Date.now();
    const page = await t.openApp(t.context, `${t.base}/index.html`, t.errors);
    await page.focus("#archsim_canvas");
    // ---- From File > New to a running design ----
    actions = 0;
    await click(page, 18, 11);
    await click(page, 60, 42);
    const fresh = await t.waitFor(page, "File > New", (s) => s.nodes === 0, 10000);
    const shots = [await shot(t, page, "01_new")];
    // Palette rows (left, 48 points apart: client, rate limiter, API gateway, load balancer, service, cache,
    // queue, database) onto the canvas, left to right: client, load balancer, service, cache, database.
    for (const [y, x2, y2] of [
        [131, 250, 300],
        [275, 440, 300],
        [323, 630, 300],
        [371, 820, 200],
        [467, 820, 420],
    ]) {
        await drag(page, 75, y, x2, y2);
    }
    const placed = await t.waitFor(page, "five nodes placed", (s) => s.nodes === 5, 10000);
    // Each node's handle on its right edge (66 points right of its centre at 100% zoom; centres snap to 20).
    await drag(page, 316, 303, 450, 303);
    await drag(page, 516, 303, 630, 303);
    await drag(page, 696, 303, 830, 203);
    await drag(page, 896, 203, 830, 423);
    const wired = await t.waitFor(page, "four edges", (s) => s.edges === 4, 10000);
    shots.push(await shot(t, page, "02_built"));
    await key(page, "Space");
    const buildActions = actions;
    await t.waitFor(page, "the new design to run", (s) => s.run_state === "Running" && s.sim_time_s > 1, 30000);
    shots.push(await shot(t, page, "03_running"));
    t.ok(`File > New (${fresh.nodes} nodes) to a running ${placed.nodes}-node, ${wired.edges}-edge design in ${buildActions} mouse and key actions`);

    // ---- Push it to 10x: the toolbar's 10x button ----
    await click(page, 672, 44);
    await t.waitFor(page, "10x", (s) => s.load === 10 && s.run_state === "Running", 10000);
    await page.waitForTimeout(1500);
    shots.push(await shot(t, page, "04_at_10x"));

    // ---- A fault on the timeline: the service's right-click menu, Schedule fault, Crash ----
    await click(page, 630, 303, "right");
    shots.push(await shot(t, page, "05_menu"));
    await click(page, 680, 451);
    await click(page, 787, 470);
    await key(page, "Escape");
    shots.push(await shot(t, page, "06_scheduled"));
    // The bar (20-30 s of the 60 s axis, x 528-638: 11.0 points a second beside the 300-point inspector,
    // as in tests/walkthrough.sh) moved 10 s later, then its right end (the grip, then at x ~746)
    // stretched to the run's end.
    await drag(page, 560, 771, 670, 771);
    await drag(page, 745, 771, 965, 771);
    shots.push(await shot(t, page, "07_dragged"));
    // The design changed under the run ("Outdated run"): Restart runs it again, with the crash at 30 s.
    await click(page, 37, 75);
    await t.waitFor(page, "the restarted run past the crash", (s) => s.run_state === "Running" && s.sim_time_s > 33, 30000);
    shots.push(await shot(t, page, "08_crashed"));
    t.ok(`pushed to 10x; a Crash scheduled from the service's right-click menu, moved to 30 s and stretched to the end on the fault timeline; Restart runs it`);

    // ---- Save (a download), then File > New and Ctrl+O (an upload) ----
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }), key(page, "Control+s")]);
    const saved = fs.readFileSync(await download.path(), "utf8");
    const nodes = (saved.match(/^ +id: "/gm) || []).length;
    if (nodes !== 5) t.fail(`the saved file has ${nodes} nodes, not 5`);
    if (!/kind: Crash/.test(saved)) t.fail("the saved file has no Crash fault");
    if (!/at_s: 30(\.0)?,/.test(saved) || !/duration_s: 30(\.0)?,/.test(saved)) {
        t.fail(`the saved fault is not 30 s from 30 s (the move and the resize): ${saved.match(/.*(at_s|duration_s).*/g)}`);
    }
    const file = path.join(path.dirname(await download.path()), download.suggestedFilename());
    fs.writeFileSync(file, saved);
    await key(page, "Control+n");
    await t.waitFor(page, "File > New before reopening", (s) => s.nodes === 0, 10000);
    // File > Open… (the menu's second row) asks the browser for a file. The menu opens a frame or two after
    // the click; on a loaded machine the click on Open… can come first, so it is tried again after Escape.
    let chooser = null;
    for (let attempt = 0; attempt < 3 && !chooser; attempt++) {
        if (attempt) await key(page, "Escape");
        await click(page, 18, 11);
        await page.waitForTimeout(300);
        [chooser] = await Promise.all([
            page.waitForEvent("filechooser", { timeout: 5000 }).catch(() => null),
            click(page, 60, 70),
        ]);
    }
    if (!chooser) t.fail("File > Open… opened no file chooser in three tries");
    await chooser.setFiles(file);
    const reopened = await t.waitFor(page, "the saved design reopened", (s) => s.nodes === 5 && s.edges === 4, 10000);
    await waitFrames(page);
    shots.push(await shot(t, page, "09_reopened"));
    t.ok(`Ctrl+S downloads '${download.suggestedFilename()}' (5 nodes, the Crash 30-60 s); Ctrl+N and File > Open… upload it back: ${reopened.nodes} nodes, ${reopened.edges} edges`);

    // ---- Its share link: Copy link at 10x, opened in a new page ----
    await click(page, 672, 44);
    await click(page, 944, 44);
    const copied = await t.waitFor(page, "Copy link", (s) => s.last_link, 10000);
    const link = copied.last_link.slice(copied.last_link.indexOf("#"));
    const shared = await t.openApp(t.context, `${t.base}/index.html${link}&run=1`, t.errors);
    const opened = await t.waitFor(shared, "the share link running", (s) => s.nodes === 5 && s.load === 10 && s.run_state === "Running" && s.sim_time_s > 2, 30000);
    shots.push(await shot(t, shared, "10_share_link"));
    t.ok(`Copy link (${link.length} characters) opened in a new page: '${opened.scenario}', ${opened.nodes} nodes at ${opened.load}x, running`);
    await shared.close();
    await page.close();
    const wallS = (Date.now() - started) / 1000;
    t.ok(`the walk-through took ${wallS.toFixed(1)} s; screenshots ${shots.join(", ")}`);
    return { buildActions, shots, wallS };
}
