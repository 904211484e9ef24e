//! The browser side of the app (wasm32 only): start-up on the page's canvas, share links from the URL
//! fragment, file upload and download, and the JS functions that tests and scripts call.
//!
//! The app and the page talk through this module's thread-locals: the page pushes [`Command`]s (an
//! uploaded file, a new `#s=` fragment, a test's "run") that the app takes each frame, and the app
//! publishes its state (and, at most twice a second, its report) for the JS hooks to read.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

use crate::model::{RunSpec, ScenarioError, ValidScenario, share};
use crate::sim::Simulation;

use super::app::App;
use super::command::Command;
use super::export::report_json;
use super::runner::RunState;

/// The page's canvas (see `index.html`).
const CANVAS_ID: &str = "archsim_canvas";
/// The element that shows the loading text; removed once the app runs.
const LOADING_ID: &str = "archsim_loading";
/// The element that shows start-up failures and crashes.
const ERROR_ID: &str = "archsim_error";
/// Largest file that Open accepts in the browser.
const MAX_UPLOAD_BYTES: f64 = 4.0 * 1024.0 * 1024.0;
/// The report the hook returns is refreshed at most this often while running (wall seconds).
const REPORT_EVERY_S: f64 = 0.5;

thread_local! {
    static INBOX: RefCell<Vec<Command>> = const { RefCell::new(Vec::new()) };
    static CTX: RefCell<Option<egui::Context>> = const { RefCell::new(None) };
    static STATE_JSON: RefCell<String> = const { RefCell::new(String::new()) };
    static REPORT_JSON: RefCell<String> = const { RefCell::new(String::new()) };
    static REPORT_KEY: Cell<(u64, u8, f64)> = const { Cell::new((u64::MAX, 0, f64::NEG_INFINITY)) };
    static SWEEP_JSON: RefCell<String> = const { RefCell::new(String::new()) };
    static SWEEP_KEY: Cell<u64> = const { Cell::new(0) };
    static FIRST_FRAME_MS: Cell<Option<f64>> = const { Cell::new(None) };
}

/// Starts the app on the page's canvas: installs the panic hook, runs eframe, then marks the page ready
/// (`<body data-archsim-ready="1">`), removes the loading text and opens a `#s=` link if there is one.
pub fn start() {
    install_panic_hook();
    eframe::WebLogger::init(log::LevelFilter::Info).ok();
    let Some(canvas) = document()
        .and_then(|d| d.get_element_by_id(CANVAS_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        show_error(&format!(
            "archsim: this page has no <canvas id=\"{CANVAS_ID}\">."
        ));
        return;
    };
    let runner = eframe::WebRunner::new();
    wasm_bindgen_futures::spawn_local(async move {
        let started = runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(|cc| {
                    cc.egui_ctx.set_fonts(super::web_fonts::definitions());
                    CTX.with_borrow_mut(|c| *c = Some(cc.egui_ctx.clone()));
                    let app = App::new(cc);
                    Ok(Box::new(if embed_requested() {
                        app.embedded()
                    } else {
                        app
                    }))
                }),
            )
            .await;
        match started {
            Ok(()) => {
                if let Some(d) = document() {
                    if let Some(l) = d.get_element_by_id(LOADING_ID) {
                        l.remove();
                    }
                    if let Some(b) = d.body() {
                        let _ = b.set_attribute("data-archsim-ready", "1");
                    }
                }
                listen_for_links();
                open_fragment_link();
            }
            Err(e) => show_error(&format!(
                "archsim could not start: {}. It needs WebGL (or WebGL 2): is it turned off in this \
                 browser, or is hardware acceleration disabled?",
                js_string(&e)
            )),
        }
    });
}

/// Does the page's query ask for embed mode (`?embed=1`, or `embed` alone)?
fn embed_requested() -> bool {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "embed" || kv == "embed=1" || kv == "embed=true")
}

/// Takes the commands the page queued for the app (called by the app each frame).
pub fn take_commands() -> Vec<Command> {
    INBOX.with_borrow_mut(std::mem::take)
}

/// Publishes the app's state for [`archsim_state`], and its report for [`archsim_report_json`] when
/// the run moved (at most every [`REPORT_EVERY_S`] while running).
pub fn publish(app: &App, ctx: &egui::Context) {
    if FIRST_FRAME_MS.get().is_none() {
        // The first frame is laid out: how long after navigation started (the page's own clock).
        let now = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now());
        FIRST_FRAME_MS.set(Some(now.unwrap_or(f64::NAN)));
    }
    let runner = &app.runner;
    let state = serde_json::json!({
        "scenario": app.doc.scenario.name,
        "nodes": app.doc.scenario.nodes.len(),
        "edges": app.doc.scenario.edges.len(),
        "dirty": app.doc.is_dirty(),
        "run_state": format!("{:?}", runner.state),
        "sim_time_s": runner.time_s(),
        "link_error": app.link_error,
        "last_link": app.last_link,
        "toasts": app.toasts.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(),
        "run_error": runner.error,
        "embed": app.is_embedded(),
        "paste_open": app.paste_diagram.is_some(),
        "paste_chars": app.paste_diagram.as_ref().map_or(0, String::len),
        "load": runner.load,
        "embed_view": super::embed::EmbedLayout::last(ctx),
        "optimize": app.stress.optimize.web_state(),
        "sweep": app.stress.web_state(),
        "first_frame_ms": FIRST_FRAME_MS.get(),
    });
    STATE_JSON.with_borrow_mut(|s| *s = state.to_string());
    if SWEEP_KEY.get() != app.stress.finished() {
        SWEEP_KEY.set(app.stress.finished());
        let json = app
            .stress
            .outcome()
            .and_then(|o| serde_json::to_string_pretty(&o.result).ok())
            .map(|j| j + "\n")
            .unwrap_or_default();
        SWEEP_JSON.with_borrow_mut(|s| *s = json);
    }

    let now = ctx.input(|i| i.time);
    let key = (runner.time_ns(), runner.state as u8);
    let (t, st, at) = REPORT_KEY.get();
    let moved = (t, st) != key;
    let due = runner.state != RunState::Running || now - at >= REPORT_EVERY_S;
    if moved && due {
        let json = runner.report.as_ref().map(report_json).unwrap_or_default();
        REPORT_JSON.with_borrow_mut(|s| *s = json);
        REPORT_KEY.set((key.0, key.1, now));
    }
}

/// Lets the browser pick a `.ron` file; its text reaches the app as [`Command::OpenText`].
pub fn pick_file() {
    pick(".ron,text/plain", false);
}

/// Lets the browser pick a diagram to import; its text reaches the app as [`Command::ImportText`].
pub fn pick_diagram() {
    let accept: Vec<String> = super::import_ui::DIAGRAM_EXTENSIONS
        .iter()
        .map(|e| format!(".{e}"))
        .collect();
    pick(&accept.join(","), true);
}

fn pick(accept: &str, import: bool) {
    let Some(doc) = document() else { return };
    let Some(input) = doc
        .create_element("input")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    input.set_type("file");
    input.set_accept(accept);
    let _ = input.style().set_property("display", "none");
    if let Some(body) = doc.body() {
        let _ = body.append_child(&input);
    }
    let picked = input.clone();
    let on_change = Closure::once_into_js(move || {
        let file = picked.files().and_then(|f| f.get(0));
        picked.remove();
        let Some(file) = file else { return };
        let name = file.name();
        if file.size() > MAX_UPLOAD_BYTES {
            return send(Command::Notify(format!(
                "{name} is too large to be a scenario ({:.1} MB)",
                file.size() / 1e6
            )));
        }
        wasm_bindgen_futures::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => {
                    let text = text.as_string().unwrap_or_default();
                    send(if import {
                        Command::ImportText { name, text }
                    } else {
                        Command::OpenText { name, text }
                    })
                }
                Err(e) => send(Command::Notify(format!(
                    "Cannot read {name}: {}",
                    js_string(&e)
                ))),
            }
        });
    });
    input.set_onchange(Some(on_change.unchecked_ref()));
    input.click();
}

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let doc = document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|e| js_string(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_string(&e))?;
    let a = doc
        .create_element("a")
        .map_err(|e| js_string(&e))?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "cannot make a link")?;
    a.set_href(&url);
    a.set_download(name);
    let _ = a.style().set_property("display", "none");
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
    }
    a.click();
    a.remove();
    // Revoke later: revoking at once can cancel the download in some browsers.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

/// This page's address without its fragment: where copied links point.
pub fn page_url() -> String {
    web_sys::window()
        .map(|w| w.location())
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_else(|| share::DEFAULT_BASE_URL.to_owned())
}

/// The app's state as JSON: scenario name, node and edge counts, unsaved changes, run state, simulated
/// time, the share-link error (if a link was refused), the last copied link, the toasts.
#[wasm_bindgen]
pub fn archsim_state() -> String {
    STATE_JSON.with_borrow(Clone::clone)
}

/// The live app's current report as JSON (the CLI's `--json` format); empty before the first run.
#[wasm_bindgen]
pub fn archsim_report_json() -> String {
    REPORT_JSON.with_borrow(Clone::clone)
}

/// Asks the app to run (or resume) the simulation, as the Run button does.
#[wasm_bindgen]
pub fn archsim_run() {
    send(Command::Run);
}

/// Starts the Optimize tab's search on the open design, as its "Find cheapest" button does, with these
/// SLO bounds at `load`; its progress and answer appear in [`archsim_state`] under `optimize`.
#[wasm_bindgen]
pub fn archsim_optimize(load: f64, slo_p99_ms: f64, slo_errors: f64) {
    send(Command::StartOptimize {
        load,
        slo_p99_ms,
        slo_errors,
    });
}

/// Starts a load sweep of the open design, as the Stress test window's "Run sweep" does with these
/// settings (the Sweep tab's other settings as they are); its progress appears in [`archsim_state`]
/// under `sweep`, its result in [`archsim_sweep_json`].
#[wasm_bindgen]
pub fn archsim_sweep(load_start: f64, load_end: f64, points: u32, log: bool, replications: u32) {
    send(Command::StartSweep {
        load_start,
        load_end,
        points: points as usize,
        log,
        replications,
    });
}

/// Stops the sweep in progress, as its Cancel button does.
#[wasm_bindgen]
pub fn archsim_cancel_sweep() {
    send(Command::CancelSweep);
}

/// The last finished sweep as JSON, written as `archsim sweep ... --json -` writes it; empty before one.
#[wasm_bindgen]
pub fn archsim_sweep_json() -> String {
    SWEEP_JSON.with_borrow(Clone::clone)
}

/// Runs a scenario headless, exactly as `archsim run FILE --seed SEED --load LOAD --duration DURATION
/// --json -` does, and returns the report JSON (`wall_time_s` is 0 here), or `{"error": "..."}`.
/// `load` and `duration_s` apply when finite and > 0; `seed` always replaces the scenario's.
#[wasm_bindgen]
pub fn archsim_run_json(ron_text: &str, seed: u64, load: f64, duration_s: f64) -> String {
    match run_headless(ron_text, seed, load, duration_s) {
        Ok(json) => json,
        Err(e) => serde_json::json!({ "error": e }).to_string(),
    }
}

fn run_headless(ron_text: &str, seed: u64, load: f64, duration_s: f64) -> Result<String, String> {
    let mut scenario = crate::model::parse(ron_text, "scenario").map_err(|e| e.to_string())?;
    scenario.seed = seed;
    if duration_s.is_finite() && duration_s > 0.0 {
        scenario.duration_s = duration_s;
    }
    // Validated once; a load that is not a positive number means "as written" (load 1).
    let load = if load.is_finite() && load > 0.0 {
        load
    } else {
        1.0
    };
    let spec = ValidScenario::new(scenario)
        .and_then(|v| RunSpec::new(v).at_load(load))
        .map_err(|e| match e {
            ScenarioError::Invalid { problems, .. } => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                list.join("; ")
            }
            other => other.to_string(),
        })?;
    let mut sim = Simulation::from_spec(&spec);
    // One call: results do not depend on how the run is sliced (tests/it/engine.rs checks that), so the CLI's
    // progress-bar slices need no copy here.
    sim.run_to_end();
    let report = sim.report();
    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
}

/// Queues a command for the app and wakes it up.
fn send(cmd: Command) {
    INBOX.with_borrow_mut(|v| v.push(cmd));
    CTX.with_borrow(|c| {
        if let Some(c) = c {
            c.request_repaint();
        }
    });
}

/// Opens the page's `#s=` link, if it has one.
fn open_fragment_link() {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if share::is_link(&hash) {
        send(Command::OpenLink(hash.trim_start_matches('#').to_owned()));
        clear_fragment();
    }
}

/// Takes the link's fragment out of the address bar once it is read, so a reload reopens the last session
/// (with the person's changes) instead of asking to discard them for the link again.
fn clear_fragment() {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let url = format!(
        "{}{}",
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Opens `#s=` links pasted into the address bar of the running app.
fn listen_for_links() {
    let Some(w) = web_sys::window() else { return };
    let on_hash = Closure::<dyn FnMut()>::new(open_fragment_link);
    let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    on_hash.forget();
}

/// Writes panics into the page (and the console), so a crash never leaves a blank or frozen tab
/// without a word. eframe's own hook, installed later, logs the stack and then calls this one.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("archsim crashed: {info}");
        web_sys::console::error_1(&JsValue::from_str(&msg));
        show_error(&format!("{msg}\n\nReload the page to start again."));
    }));
}

/// Shows a message over the canvas in the page's error box.
fn show_error(msg: &str) {
    let Some(doc) = document() else { return };
    if let Some(l) = doc.get_element_by_id(LOADING_ID) {
        l.remove();
    }
    if let Some(e) = doc.get_element_by_id(ERROR_ID) {
        e.set_text_content(Some(msg));
        let _ = e.set_attribute("style", "display: block");
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn js_string(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{v:?}"))
}
