//! File > Import diagram and the diagram and GIF exports: thin wrappers over `crate::interop`, which does
//! the work (the same code as `archsim import`, `export` and `record`).

use egui::{Context, RichText};

use super::app::App;
use super::command::{Command, ExportKind};
use super::document::Document;

/// Extensions offered when importing (the formats `crate::interop` reads).
pub const DIAGRAM_EXTENSIONS: &[&str] = &[
    "mmd",
    "mermaid",
    "md",
    "drawio",
    "dio",
    "xml",
    "excalidraw",
    "json",
    "dot",
    "gv",
];

/// The name a pasted diagram is imported under (messages say "pasted diagram: line 3, …").
pub const PASTED_NAME: &str = "pasted diagram";

/// The account of the last import, shown until dismissed.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    /// The file imported.
    pub name: String,
    /// What `archsim import` prints: every mapping, what was skipped or guessed, what is missing.
    pub summary: String,
    /// The scenario validates.
    pub runs: bool,
}

impl App {
    /// Asks for a diagram: the system file dialog natively, the browser's file picker on the web.
    pub(super) fn import_dialog(&mut self, ctx: &Context) {
        #[cfg(not(target_arch = "wasm32"))]
        self.ask_path(ctx, super::file_dialog::Purpose::Import, String::new());
        #[cfg(target_arch = "wasm32")]
        {
            let _ = ctx;
            super::web::pick_diagram();
        }
    }

    /// Imports a diagram file (native; the browser imports uploads with [`Self::import_text`]).
    pub(super) fn import_path(&mut self, ctx: &Context, path: &str) {
        match std::fs::read_to_string(path) {
            Ok(text) => self.import_text(ctx, path, &text),
            Err(e) => self.toast(ctx, format!("Cannot import {path}: {e}")),
        }
    }

    /// Imports a diagram given as text; the scenario replaces the document (unsaved: Save asks where).
    pub(super) fn import_text(&mut self, ctx: &Context, name: &str, text: &str) {
        match crate::interop::import(None, text, name) {
            Ok(i) => {
                let runs = i.problems.is_empty();
                let summary = i.summary();
                // After `replace`, which closes the report of any earlier design.
                self.replace(Document::new(i.scenario, None));
                self.import_report = Some(ImportReport {
                    name: name.to_owned(),
                    summary,
                    runs,
                });
                self.toast(ctx, format!("Imported {name}"));
            }
            Err(e) => self.toast(ctx, e.to_string()),
        }
    }

    /// The import report window.
    pub(super) fn import_report_ui(&mut self, ctx: &Context) {
        let Some(r) = self.import_report.clone() else {
            return;
        };
        let mut open = true;
        let mut close = false;
        egui::Window::new(format!("Imported {}", r.name))
            .id(egui::Id::unique("import_report"))
            .open(&mut open)
            .default_width(640.0)
            .default_pos([200.0, 120.0])
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(if r.runs {
                    "Each box's kind and the rule that gave it. The scenario validates: press Run."
                } else {
                    "Each box's kind and the rule that gave it. Fix what is listed last, then Run."
                });
                ui.add_space(4.0);
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        ui.label(RichText::new(&r.summary).monospace());
                    });
                ui.add_space(6.0);
                if ui.button("Close").clicked() {
                    close = true;
                }
            });
        if !open || close {
            self.import_report = None;
        }
    }

    /// File > Paste diagram: a text box for a diagram copied from a design doc or a drawing tool (the
    /// format is recognised from the text), so nobody has to save it to a file first.
    pub(super) fn paste_diagram_ui(&mut self, ctx: &Context, out: &mut Vec<Command>) {
        let Some(text) = self.paste_diagram.as_mut() else {
            return;
        };
        let mut open = true;
        let mut done = false;
        // Ctrl+Enter imports (taken before the text box sees it, which would insert a line break).
        let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Enter);
        let mut import = ctx.input_mut(|i| i.consume_shortcut(&shortcut));
        egui::Window::new("Paste a diagram")
            .id(egui::Id::unique("paste_diagram"))
            .open(&mut open)
            .default_width(600.0)
            .default_pos([220.0, 110.0])
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(
                    "Paste a Mermaid flowchart or architecture-beta block (a Markdown file's \
                     ```mermaid block is found), draw.io XML, Excalidraw JSON or Graphviz DOT.",
                );
                ui.add_space(4.0);
                egui::ScrollArea::vertical()
                    .max_height(360.0)
                    .show(ui, |ui| {
                        let edit = ui.add(
                            egui::TextEdit::multiline(text)
                                .code_editor()
                                .desired_rows(14)
                                .desired_width(f32::INFINITY)
                                .hint_text(
                                    "architecture-beta\n    service api(server)[API]\n    …",
                                ),
                        );
                        // Focused while empty, so Ctrl+V pastes at once.
                        if text.is_empty() && !edit.has_focus() {
                            edit.request_focus();
                        }
                    });
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    let has_text = !text.trim().is_empty();
                    import |= ui
                        .add_enabled(has_text, egui::Button::new("Import"))
                        .on_hover_text("Ctrl+Enter")
                        .clicked();
                    import &= has_text;
                    if ui.button("Cancel").clicked() {
                        done = true;
                    }
                });
                if import {
                    out.push(Command::ImportText {
                        name: PASTED_NAME.to_owned(),
                        text: std::mem::take(text),
                    });
                    done = true;
                }
            });
        if !open || done {
            self.paste_diagram = None;
        }
    }

    /// Exports the diagram (Mermaid, DOT, SVG, SVG in the run's colours) or records the run as a GIF.
    pub(super) fn export_diagram(&mut self, ctx: &Context, kind: ExportKind, path: String) {
        use crate::interop::export::{ExportFormat, export};
        let s = &self.doc.scenario;
        let (format, heat) = match kind {
            ExportKind::Mermaid => (ExportFormat::Mermaid, None),
            ExportKind::Dot => (ExportFormat::Dot, None),
            ExportKind::Svg => (ExportFormat::Svg, None),
            ExportKind::SvgLive => {
                let (Some(snap), Some(run)) =
                    (self.runner.snapshot.as_ref(), self.runner.run_scenario())
                else {
                    return self.toast(ctx, "No run to colour the diagram with: press Run first");
                };
                let heat = run
                    .nodes
                    .iter()
                    .zip(&snap.nodes)
                    .map(|(n, live)| (n.id.clone(), live.utilization))
                    .collect();
                (ExportFormat::Svg, Some(heat))
            }
            ExportKind::Gif => return self.export_gif(ctx, path),
            _ => return,
        };
        let text = export(s, format, heat.as_ref());
        let mime = match format {
            ExportFormat::Svg => "image/svg+xml",
            _ => "text/plain",
        };
        let msg = match super::app_files::write_out(&path, mime, text.as_bytes()) {
            Ok(()) => format!("{} {path}", super::app_files::EXPORTED),
            Err(e) => format!("Export failed: {e}"),
        };
        self.toast(ctx, msg);
    }

    /// Records 20 s of the scenario at the current load in the background (a few seconds of CPU).
    #[cfg(not(target_arch = "wasm32"))]
    fn export_gif(&mut self, ctx: &Context, path: String) {
        let scenario = self.doc.scenario.clone();
        let opts = crate::interop::record::RecordOptions {
            load: self.runner.load,
            ..Default::default()
        };
        let inbox = self.inbox.clone();
        let repaint = ctx.clone();
        self.toast(ctx, format!("Recording {path}…"));
        std::thread::spawn(move || {
            let msg = match crate::interop::record::record(&scenario, &opts).and_then(|gif| {
                super::app_files::write_out(&path, "image/gif", &gif).map(|()| gif.len())
            }) {
                Ok(n) => format!("Exported {path} ({:.1} MB)", n as f64 / 1e6),
                Err(e) => format!("GIF export failed: {e}"),
            };
            if let Ok(mut v) = inbox.lock() {
                v.push(msg);
            }
            repaint.request_repaint();
        });
    }

    #[cfg(target_arch = "wasm32")]
    fn export_gif(&mut self, ctx: &Context, _path: String) {
        self.toast(
            ctx,
            "Animated GIF export is in the desktop app and `archsim record`",
        );
    }
}
