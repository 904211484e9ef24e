//! The app: owns the document, selection, canvas, inspector and run; lays out the panels each frame,
//! collects the commands they return and applies them afterwards (see `app_apply.rs`).

use std::sync::{Arc, Mutex};

use egui::Ui;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::model::{KindTag, Problem, Scenario, presets, validate};

use super::canvas::Canvas;
use super::command::{Command, Selection};
use super::document::Document;
#[cfg(not(target_arch = "wasm32"))]
use super::file_dialog::PathDialog;
use super::frame_stats::FrameStats;
use super::inspector::Inspector;
use super::presets_ui::PresetPicker;
use super::runner::{RunState, Runner, SPEEDS};
use super::stress::StressPanel;
use super::theme;

/// Below this width (points) the app shows the diagram, run controls and results only (a phone).
pub(super) const NARROW_W: f32 = 760.0;

/// The preset the app opens with.
pub const START_PRESET: &str = "url_shortener";

/// Bottom panel tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BottomTab {
    /// Charts over simulated time.
    #[default]
    Charts,
    /// The report summary.
    Results,
    /// Validation problems.
    Problems,
}

/// What is kept between sessions (eframe's storage: a file natively, local storage in the browser).
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    /// The scenario, as RON text.
    pub scenario: String,
    /// Its file.
    pub path: Option<String>,
    /// Had unsaved changes.
    pub dirty: bool,
    /// Camera and snap.
    pub canvas: Canvas,
    /// Dark mode.
    pub dark: bool,
    /// Index into [`SPEEDS`].
    pub speed_index: usize,
    /// Load multiplier.
    pub load: f64,
    /// Frame-time overlay.
    pub show_debug: bool,
    /// Kind added by double-click.
    pub add_kind: KindTag,
    /// Bottom tab.
    pub tab: BottomTab,
}

impl Default for Persisted {
    fn default() -> Self {
        Self {
            scenario: String::new(),
            path: None,
            dirty: false,
            canvas: Canvas::default(),
            dark: true,
            speed_index: 3,
            load: 1.0,
            show_debug: false,
            add_kind: KindTag::Service,
            tab: BottomTab::Charts,
        }
    }
}

impl Persisted {
    /// The last session from eframe's storage: RON under eframe's app key, as `eframe::get_value` reads
    /// it. Read here rather than through eframe's `persistence` feature, which the browser build leaves
    /// out: that feature also saves and restores egui's own memory, whose RON code was about 85 KB of the
    /// gzipped wasm. Natively eframe's `persistence` stays (it keeps the storage file).
    fn load(storage: &dyn eframe::Storage) -> Option<Self> {
        ron::from_str(&storage.get_string(eframe::APP_KEY)?).ok()
    }

    /// Stores this session as [`Persisted::load`] reads it.
    fn store(&self, storage: &mut dyn eframe::Storage) {
        // Plain data (strings, numbers, enums): RON has nothing it could fail to write.
        if let Ok(ron) = ron::ser::to_string(self) {
            storage.set_string(eframe::APP_KEY, ron);
        }
    }
}

/// The archsim desktop (and web) app.
pub struct App {
    pub(super) doc: Document,
    pub(super) selection: Selection,
    pub(super) canvas: Canvas,
    pub(super) inspector: Inspector,
    pub(super) runner: Runner,
    pub(super) add_kind: KindTag,
    pub(super) dark: bool,
    pub(super) tab: BottomTab,
    pub(super) show_help: bool,
    pub(super) show_presets: bool,
    pub(super) preset_picker: PresetPicker,
    pub(super) show_debug: bool,
    /// The bottom panel (charts, results, problems) is expanded; collapsed it is one row of tabs.
    pub(super) bottom_open: bool,
    /// The stress-test window (sweeps, compare, what broke first).
    pub(super) stress: StressPanel,
    /// The path dialog (native only: the browser uses uploads and downloads).
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) dialog: Option<PathDialog>,
    /// The system file dialog while it is open (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) system_dialog: Option<super::native_dialog::SystemDialog>,
    /// A command waiting for "discard unsaved changes?".
    pub(super) confirm: Option<Command>,
    pub(super) toasts: Vec<(String, f64)>,
    /// Messages from background work (the PNG export callback).
    pub(super) inbox: Arc<Mutex<Vec<String>>>,
    /// A PNG export waiting for the next frame (drawn without hints, then captured), to this path.
    pub(super) png_pending: Option<String>,
    pub(super) allow_close: bool,
    /// Why the last share link could not be opened (shown in a window until dismissed).
    pub(super) link_error: Option<String>,
    /// The last link "Copy link" made.
    pub(super) last_link: Option<String>,
    /// The account of the last diagram import (shown in a window until dismissed).
    pub(super) import_report: Option<super::import_ui::ImportReport>,
    /// The text in File > Paste diagram's window, while it is open.
    pub(super) paste_diagram: Option<String>,
    /// Embed mode (`?embed=1`): diagram, Run, load buttons and chart only, read-only (see `embed.rs`).
    pub(super) embed: bool,
    pub(super) problems: Vec<Problem>,
    /// Each edge's role (drawn on it) and the likely mistakes, computed with the problems.
    pub(super) roles: Vec<crate::model::lint::EdgeRole>,
    pub(super) mistakes: Vec<crate::model::lint::Mistake>,
    /// The (design, generation) the problems were computed for: both, since a new document starts its
    /// generation at 0 again.
    pub(super) problems_gen: Option<(u64, u64)>,
    last_frame: Option<Instant>,
    pub(super) frame_ms: f64,
    /// CPU time of the previous frame (eframe's measure, drawing included), smoothed.
    pub(super) cpu_ms: f64,
    frame_stats: Option<FrameStats>,
    /// Time the last frame spent in the app's own code (layout, canvas, simulation slice), ms.
    ui_ms: f32,
    applied_dark: Option<bool>,
}

/// The start-up preset (or an empty scenario if it somehow does not parse).
pub fn start_scenario() -> Scenario {
    presets::preset(START_PRESET)
        .and_then(|p| crate::model::parse(p.text, p.file).ok())
        .unwrap_or_default()
}

impl Default for App {
    fn default() -> Self {
        Self::with_scenario(start_scenario(), None)
    }
}

impl App {
    /// An app showing `scenario` (clean), with default settings.
    pub fn with_scenario(scenario: Scenario, path: Option<String>) -> Self {
        let mut canvas = Canvas::default();
        canvas.fit_requested = true;
        let doc = Document::new(scenario, path);
        let mut stress = StressPanel::default();
        stress.design = doc.design;
        Self {
            doc,
            selection: Selection::default(),
            canvas,
            inspector: Inspector::default(),
            runner: Runner::default(),
            add_kind: KindTag::Service,
            dark: true,
            tab: BottomTab::Charts,
            show_help: false,
            show_presets: false,
            preset_picker: PresetPicker::default(),
            show_debug: false,
            bottom_open: true,
            stress,
            #[cfg(not(target_arch = "wasm32"))]
            dialog: None,
            #[cfg(not(target_arch = "wasm32"))]
            system_dialog: None,
            confirm: None,
            toasts: Vec::new(),
            inbox: Arc::default(),
            png_pending: None,
            allow_close: false,
            link_error: None,
            last_link: None,
            import_report: None,
            paste_diagram: None,
            embed: false,
            problems: Vec::new(),
            roles: Vec::new(),
            mistakes: Vec::new(),
            problems_gen: None,
            last_frame: None,
            frame_ms: 0.0,
            cpu_ms: 0.0,
            frame_stats: None,
            ui_ms: 0.0,
            applied_dark: None,
        }
    }

    /// Restores the last session, or starts with the preset.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let persisted = cc.storage.and_then(Persisted::load);
        match persisted {
            Some(p) => Self::from_persisted(p),
            None => Self::default(),
        }
    }

    /// Applies the command line's start options (`archsim open`).
    pub fn with_start(mut self, start: super::StartOptions) -> Self {
        if let Some((scenario, path)) = start.scenario {
            // A new document, but the user's settings (theme, speed) stay.
            let (dark, speed) = (self.dark, self.runner.speed);
            self = Self::with_scenario(scenario, path);
            self.dark = dark;
            self.runner.speed = speed;
        }
        if let Some(load) = start.load {
            self.runner.set_load(load);
        }
        if let Some(speed) = start.speed {
            self.runner.speed = speed;
        }
        if start.run {
            self.runner.run(&self.doc.scenario);
        }
        self.show_debug |= start.overlay;
        if start.frame_stats {
            self.frame_stats = Some(FrameStats::default());
        }
        self
    }

    /// Rebuilds the app from saved state; a scenario that no longer parses falls back to the preset.
    pub fn from_persisted(p: Persisted) -> Self {
        let parsed = (!p.scenario.is_empty())
            .then(|| crate::model::parse(&p.scenario, "last session").ok())
            .flatten();
        let mut app = match parsed {
            Some(s) => {
                let mut app = Self::with_scenario(s.clone(), None);
                app.doc = Document::restored(s, p.path.clone(), p.dirty);
                app.invalidate_views();
                app.canvas = p.canvas;
                app
            }
            None => Self::default(),
        };
        app.dark = p.dark;
        app.runner.speed = SPEEDS.get(p.speed_index).copied().unwrap_or(10.0);
        app.runner.load = if p.load.is_finite() {
            p.load.clamp(0.1, 20.0)
        } else {
            1.0
        };
        app.show_debug = p.show_debug;
        app.add_kind = p.add_kind;
        app.tab = p.tab;
        app
    }

    /// What to keep for next time.
    pub fn persisted(&self) -> Persisted {
        Persisted {
            scenario: crate::model::to_string(&self.doc.scenario),
            path: self.doc.path.clone(),
            dirty: self.doc.is_dirty(),
            canvas: self.canvas.persisted(),
            dark: self.dark,
            speed_index: SPEEDS
                .iter()
                .position(|s| *s == self.runner.speed)
                .unwrap_or(3),
            load: self.runner.load,
            show_debug: self.show_debug,
            add_kind: self.add_kind,
            tab: self.tab,
        }
    }

    /// The scenario being edited.
    pub fn scenario(&self) -> &Scenario {
        &self.doc.scenario
    }

    /// The selection.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The run.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The stress-test window's state.
    pub fn stress(&self) -> &StressPanel {
        &self.stress
    }

    /// The stress-test window's state, to change its settings (tests, scripts).
    pub fn stress_mut(&mut self) -> &mut StressPanel {
        &mut self.stress
    }

    /// The messages shown at the bottom of the canvas right now, oldest first (painted, so tests and
    /// scripts read them here).
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.toasts.iter().map(|(m, _)| m.as_str())
    }

    /// Where the diagram was drawn in the last frame (screen points), if it was.
    pub fn canvas_rect(&self) -> Option<egui::Rect> {
        self.canvas.last_rect
    }

    /// Where node `id` was drawn in the last frame (screen points): for tests and scripts that click it.
    pub fn node_screen_rect(&self, id: &str) -> Option<egui::Rect> {
        let canvas = self.canvas.last_rect?;
        let i = self.doc.scenario.node_index(id)?;
        let c = *super::view::node_centers(&self.doc.scenario).get(i)?;
        Some(
            self.canvas
                .view
                .rect_to_screen(canvas, super::view::node_rect(c)),
        )
    }

    /// Where each running node's badge was drawn in the last frame (node id, screen rect).
    pub fn badge_rects(&self) -> &[(String, egui::Rect)] {
        &self.canvas.drawn().badges
    }

    /// The request dots the last frame drew on each edge of the design (edge order): how far along each
    /// was, from 0 at the sender to 1 at the receiver.
    pub fn dots_on_edges(&self) -> &[Vec<f32>] {
        &self.canvas.drawn().dots
    }

    /// Unsaved changes?
    pub fn is_dirty(&self) -> bool {
        self.doc.is_dirty()
    }

    /// Validation problems of the current scenario (cached per edit).
    pub fn problems(&mut self) -> &[Problem] {
        let key = (self.doc.design, self.doc.generation);
        if self.problems_gen != Some(key) {
            self.problems = validate(&self.doc.scenario);
            self.roles = crate::model::lint::edge_roles(&self.doc.scenario);
            self.mistakes = crate::model::lint::likely_mistakes(&self.doc.scenario);
            self.problems_gen = Some(key);
        }
        &self.problems
    }

    /// Shows a message for a few seconds.
    pub(super) fn toast(&mut self, ctx: &egui::Context, msg: impl Into<String>) {
        let now = ctx.input(|i| i.time);
        self.toasts.push((msg.into(), now + 4.0));
        if self.toasts.len() > 4 {
            self.toasts.remove(0);
        }
    }

    /// Draws the whole app and applies what was asked. Used by eframe and by the UI tests.
    pub fn ui_root(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if self.applied_dark != Some(self.dark) {
            theme::apply(&ctx, self.dark);
            self.applied_dark = Some(self.dark);
        }
        let now = Instant::now();
        // Wall time since the last frame drives the simulation clock (stable_dt can lag behind real frames).
        let mut dt = ctx.input(|i| i.stable_dt) as f64;
        if let Some(prev) = self.last_frame {
            let wall = prev.elapsed().as_secs_f64();
            self.frame_ms = 0.9 * self.frame_ms + 0.1 * wall * 1000.0;
            dt = wall;
        }
        self.runner.tick(dt, 0.006);
        self.stress.tick(super::job::FRAME_BUDGET_S);
        // A PNG export asked for last frame: this frame draws the diagram only, and is the one captured.
        let png = self.png_pending.take();
        self.canvas.clean = png.is_some();
        let mut out = Vec::new();
        #[cfg(target_arch = "wasm32")]
        out.extend(super::web::take_commands());
        if self.embed {
            self.embed_ui(ui, &mut out);
            self.link_error_ui(&ctx);
        } else {
            self.shortcuts(&ctx, &mut out);
            self.panels_ui(ui, &mut out);
            self.windows(&ctx, &mut out);
        }
        if let Some(path) = png {
            self.canvas.clean = false;
            self.capture_png(&ctx, path);
        }
        for cmd in out {
            self.apply(&ctx, cmd);
        }
        let inbox: Vec<String> = self
            .inbox
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default();
        for m in inbox {
            self.toast(&ctx, m);
        }
        if self.runner.state == RunState::Running || self.stress.is_running() {
            ctx.request_repaint();
        }
        #[cfg(target_arch = "wasm32")]
        super::web::publish(self, &ctx);
        self.last_frame = Some(now);
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let cpu_ms = frame.info().cpu_usage.map(|s| s * 1000.0);
        if let Some(ms) = cpu_ms {
            self.cpu_ms = 0.9 * self.cpu_ms + 0.1 * ms as f64;
        }
        if let Some(stats) = &mut self.frame_stats
            && let Some(line) = stats.record(cpu_ms, self.ui_ms, self.runner.time_s())
        {
            eprintln!("{line}");
        }
        if ctx.input(|i| i.viewport().close_requested())
            && self.doc.is_dirty()
            && !self.allow_close
            && self.doc.path.is_some()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm = Some(Command::Quit);
        }
        let started = Instant::now();
        self.ui_root(ui);
        self.ui_ms = started.elapsed().as_secs_f64() as f32 * 1000.0;
    }

    /// In the browser, save often: eframe 0.37 does not save when the tab closes (it listens for an
    /// "onbeforeunload" event, which never fires), so local storage is only as fresh as the last auto-save.
    fn auto_save_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(if cfg!(target_arch = "wasm32") { 2 } else { 30 })
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // An embedded demo must not overwrite the visitor's own session on the same site.
        if self.embed {
            return;
        }
        self.persisted().store(storage);
    }
}
