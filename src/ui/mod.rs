//! The desktop (and web) app: egui only, kept thin. Panels draw and return [`Command`]s; the [`App`] applies
//! them after drawing, so every scenario change is an [`Edit`] with undo/redo. Colours live in [`theme`].

#![allow(
    clippy::disallowed_methods,
    reason = "the app times its frames and simulation slices on the wall clock; the engine never does"
)]

mod app;
mod app_apply;
mod app_files;
mod app_panels;
mod app_windows;
mod cache_keys_ui;
mod cache_write_ui;
mod calls_ui;
mod canvas;
mod canvas_anim;
mod canvas_badge;
mod canvas_draw;
mod canvas_input;
mod canvas_menu;
mod canvas_scene;
mod charts;
mod command;
mod dist_ui;
mod document;
mod edit;
mod embed;
mod export;
mod faults_ui;
#[cfg(not(target_arch = "wasm32"))]
mod file_dialog;
mod format;
mod frame_stats;
mod gateway_ui;
#[cfg(not(target_arch = "wasm32"))]
mod heap;
mod help;
mod icons;
mod idempotency_ui;
mod import_ui;
mod inspector;
mod inspector_node;
mod job;
#[cfg(not(target_arch = "wasm32"))]
mod native_dialog;
mod overlays;
mod palette;
mod presets_ui;
mod problems;
mod replication_ui;
mod resilience_ui;
mod results;
mod rows;
mod runner;
mod shards_ui;
mod share;
mod stress;
mod stress_compare;
mod stress_explain;
mod stress_form;
mod stress_optimize;
mod stress_plot;
mod theme;
mod timeline_ui;
mod toolbar;
mod topic_ui;
mod topology_ui;
mod traffic_ui;
mod view;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
mod web_fonts;

pub use app::{App, BottomTab, Persisted, START_PRESET};
pub use command::{Command, ExportKind, Selection};
pub use edit::{Edit, connection_problem};
pub use embed::{EMBED_LOADS, EmbedLayout, allowed as allowed_in_embed};
pub use export::{report_json, series_csv};
pub use frame_stats::FrameStats;
pub use runner::{RunState, Runner, SPEEDS, status_text};
pub use stress::{StressPanel, StressTab, SweepForm, SweepKind, SweepOutcome};
pub use stress_compare::{ComparePanel, Source, Variant};
pub use stress_optimize::{KnobRow, OptimizeForm, OptimizePanel};

/// Window title.
pub const TITLE: &str = "archsim";

/// How the desktop app starts (`archsim` alone: all defaults; `archsim open FILE ...` sets them).
#[derive(Debug, Default)]
pub struct StartOptions {
    /// Open this scenario (with its file, if any) instead of the last session's.
    pub scenario: Option<(crate::model::Scenario, Option<String>)>,
    /// Press Run at start.
    pub run: bool,
    /// Load multiplier at start.
    pub load: Option<f64>,
    /// Simulation speed at start (one of [`SPEEDS`]).
    pub speed: Option<f64>,
    /// Show the frame-time overlay.
    pub overlay: bool,
    /// Print frame-time statistics to stderr every two seconds (the frame-time benchmark).
    pub frame_stats: bool,
}

/// Opens the desktop app (the URL-shortener preset, or the last session's state) and runs it until closed.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native(start: StartOptions) -> Result<(), String> {
    heap::keep_freed_heap();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 600.0]),
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(|cc| Ok(Box::new(App::new(cc).with_start(start)))),
    )
    .map_err(|e| {
        let msg = e.to_string();
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            format!("cannot open a window: no display (set DISPLAY, or run under Xvfb). ({msg})")
        } else {
            format!("cannot open the window: {msg}")
        }
    })
}
