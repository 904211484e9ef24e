//! The in-app path box: where the system file dialog (`native_dialog.rs`) is missing (a bare X server) or
//! not wanted (`ARCHSIM_FILE_DIALOG=path`, for scripted tests). Lists the `.ron` (or, to import, diagram)
//! files nearby to pick from. Native only: the browser opens uploads and saves downloads (see `web.rs`).

use egui::{Context, RichText};

use super::command::{Command, ExportKind};

/// What the chosen path is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Open a scenario.
    Open,
    /// Import a diagram.
    Import,
    /// Save the scenario.
    SaveAs,
    /// Export.
    Export(ExportKind),
}

impl Purpose {
    /// The dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::Open => "Open scenario",
            Purpose::SaveAs => "Save scenario as",
            Purpose::Export(ExportKind::Json) => "Export report (JSON)",
            Purpose::Export(ExportKind::Csv) => "Export time series (CSV)",
            Purpose::Import => "Import diagram (Mermaid, draw.io, Excalidraw, DOT)",
            Purpose::Export(ExportKind::Png) => "Export canvas (PNG)",
            Purpose::Export(ExportKind::Mermaid) => "Export diagram (Mermaid)",
            Purpose::Export(ExportKind::Dot) => "Export diagram (DOT)",
            Purpose::Export(ExportKind::Svg) => "Export diagram (SVG)",
            Purpose::Export(ExportKind::SvgLive) => "Export diagram with the run's colours (SVG)",
            Purpose::Export(ExportKind::Gif) => "Export run (animated GIF)",
        }
    }

    /// The name of the file-type filter in the system dialog.
    pub fn filter_name(self) -> &'static str {
        match self {
            Purpose::Open | Purpose::SaveAs => "Scenario (RON)",
            Purpose::Import => "Diagram",
            Purpose::Export(_) => "Export",
        }
    }

    /// The command that acts on the chosen `path`.
    pub fn command(self, path: String) -> Command {
        match self {
            Purpose::Open => Command::Open(path),
            Purpose::Import => Command::Import(path),
            Purpose::SaveAs => Command::SaveAs(path),
            Purpose::Export(k) => Command::Export(k, path),
        }
    }
}

/// An open path dialog.
pub struct PathDialog {
    purpose: Purpose,
    path: String,
    files: Vec<String>,
    focus: bool,
}

impl PathDialog {
    /// A dialog for `purpose`, starting with `path`.
    pub fn new(purpose: Purpose, path: String) -> Self {
        let files = match purpose {
            Purpose::Open => nearby_files(&["ron"]),
            Purpose::Import => nearby_files(super::import_ui::DIAGRAM_EXTENSIONS),
            _ => Vec::new(),
        };
        Self {
            purpose,
            path,
            files,
            focus: true,
        }
    }

    /// Shows the dialog; returns `Some(None)` when cancelled, `Some(Some(cmd))` when confirmed.
    pub fn show(&mut self, ctx: &Context) -> Option<Option<Command>> {
        let title = self.purpose.title();
        let mut result = None;
        let modal = egui::Modal::new(egui::Id::unique("path_dialog")).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading(title);
            ui.add_space(6.0);
            let l = ui.label("Path");
            let r = ui
                .add(egui::TextEdit::singleline(&mut self.path).desired_width(f32::INFINITY))
                .labelled_by(l.id);
            if self.focus {
                r.request_focus();
                self.focus = false;
            }
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if !self.files.is_empty() {
                ui.add_space(6.0);
                ui.label(
                    RichText::new(if self.purpose == Purpose::Import {
                        "Diagram files here:"
                    } else {
                        "Scenario files here:"
                    })
                    .weak(),
                );
                egui::ScrollArea::vertical()
                    .max_height(180.0)
                    .show(ui, |ui| {
                        for f in &self.files {
                            if ui.selectable_label(self.path == *f, f).clicked() {
                                self.path = f.clone();
                            }
                        }
                    });
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                let ok = ui.button(match self.purpose {
                    Purpose::Open => "Open",
                    Purpose::Import => "Import",
                    _ => "Save",
                });
                if ok.clicked() || enter {
                    let p = self.path.trim().to_owned();
                    result = Some(if p.is_empty() {
                        None
                    } else {
                        Some(self.purpose.command(p))
                    });
                }
                if ui.button("Cancel").clicked() {
                    result = Some(None);
                }
            });
        });
        if modal.should_close() && result.is_none() {
            result = Some(None);
        }
        result
    }
}

/// Files with one of `exts` in the current directory and in `scenarios/`.
fn nearby_files(exts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [".", "scenarios"] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)) {
                    let s = if dir == "." {
                        p.file_name().map(|f| f.to_string_lossy().into_owned())
                    } else {
                        Some(format!(
                            "{dir}/{}",
                            p.file_name().unwrap_or_default().to_string_lossy()
                        ))
                    };
                    out.extend(s);
                }
            }
        }
    }
    out.sort();
    out
}
