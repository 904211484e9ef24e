// Where the browser's first frame goes: `node tests/web/first_frame.mjs [N]` (default 5) serves dist/, opens
// the app N times in a fresh headless Chromium profile each (a cold start: nothing cached, no compiled wasm
// kept) and prints, per start and as medians, the milestones from navigation start (ms, the page's clock):
// the wasm response's end, the wasm compiled (WebAssembly.compile or instantiateStreaming settled), the
// wasm instantiated, eframe's WebGL context created, and the app's first frame (`first_frame_ms`, the figure
// run.mjs holds to its limit). docs/benchmarks.md quotes its output. Environment as in common.mjs.

import { launch, openApp, requireTools, runTests, serve, ok, waitFor } from "./common.mjs";

/** Runs in the page before its scripts: timestamps the wasm and WebGL milestones into `window.__marks`. */
function instrument() {
    const marks = (window.__marks = {});
    const now = () => performance.now();
    const wrap = (name, key) => {
        const orig = WebAssembly[name];
        if (!orig) return;
        WebAssembly[name] = function (...args) {
            marks[`${key}_start`] ??= now();
            return orig.apply(this, args).then((r) => {
                marks[`${key}_done`] ??= now();
                return r;
            });
        };
    };
    wrap("instantiateStreaming", "instantiate");
    wrap("instantiate", "instantiate");
    wrap("compileStreaming", "compile");
    wrap("compile", "compile");
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        const t = now();
        const ctx = getContext.call(this, kind, ...rest);
        if (/webgl/.test(kind) && ctx) {
            marks.webgl_start ??= t;
            marks.webgl_done ??= now();
        }
        return ctx;
    };
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
    requireTools({ bin: false });
    const n = Number(process.argv[2] || 5);
    const base = await serve();
    const rows = [];
    for (let i = 0; i < n; i++) {
        const context = await launch();
        await context.addInitScript(instrument);
        const page = await openApp(context, `${base}/index.html${process.argv[3] || ""}`, []);
        const s = await waitFor(page, "the first frame", (st) => st.first_frame_ms > 0, 10000);
        const m = await page.evaluate(() => {
            const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
            const nav = performance.getEntriesByType("navigation")[0];
            return {
                dom_ready: nav.domContentLoadedEventEnd,
                wasm_fetched: wasm ? wasm.responseEnd : NaN,
                ...window.__marks,
            };
        });
        const row = {
            dom_ready: m.dom_ready,
            wasm_fetched: m.wasm_fetched,
            wasm_ready: m.instantiate_done ?? NaN,
            webgl: m.webgl_done ?? NaN,
            first_frame: s.first_frame_ms,
        };
        rows.push(row);
        console.log(`# start ${i + 1}: ${Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")} ms`);
        await context.close();
    }
    const keys = Object.keys(rows[0]);
    const med = keys.map((k) => `${k} ${median(rows.map((r) => r[k])).toFixed(0)}`).join(", ");
    ok(`medians of ${n} cold starts: ${med} ms`);
}

runTests("first_frame", main);
