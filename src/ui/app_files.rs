//! Files: open, save and export. Natively through the system file dialog (`native_dialog.rs`, or the in-app
//! path box of `file_dialog.rs` where there is none) and the file system; in the browser through a file upload (Open) and downloads (Save, Export), see `web.rs`.

use egui::Context;

use super::app::App;
use super::command::ExportKind;
use super::document::Document;
use super::export;
#[cfg(not(target_arch = "wasm32"))]
use super::file_dialog::{PathDialog, Purpose};
#[cfg(not(target_arch = "wasm32"))]
use super::native_dialog::{Outcome, SystemDialog};

/// What the messages say was done with a saved or exported file.
const SAVED: &str = if cfg!(target_arch = "wasm32") {
    "Downloaded"
} else {
    "Saved"
};
pub(super) const EXPORTED: &str = if cfg!(target_arch = "wasm32") {
    "Downloaded"
} else {
    "Exported"
};

impl App {
    /// Asks for a scenario to open: the system file dialog natively, the browser's file picker on the web.
    pub(super) fn open_dialog(&mut self, ctx: &Context) {
        #[cfg(target_arch = "wasm32")]
        let _ = ctx;
        #[cfg(not(target_arch = "wasm32"))]
        {
            let path = self.doc.path.clone().unwrap_or_default();
            self.ask_path(ctx, Purpose::Open, path);
        }
        #[cfg(target_arch = "wasm32")]
        super::web::pick_file();
    }

    /// Asks where to save natively; on the web, downloads the scenario at once.
    pub(super) fn save_as_dialog(&mut self, ctx: &Context) {
        let default = self
            .doc
            .path
            .clone()
            .unwrap_or_else(|| format!("{}.ron", file_stem(&self.doc.scenario.name)));
        #[cfg(not(target_arch = "wasm32"))]
        self.ask_path(ctx, Purpose::SaveAs, default);
        #[cfg(target_arch = "wasm32")]
        self.save_to(ctx, default);
    }

    /// Asks where to export natively; on the web, downloads the export at once.
    pub(super) fn export_dialog(&mut self, ctx: &Context, kind: ExportKind) {
        let default = format!(
            "{}-{}.{}",
            file_stem(&self.doc.scenario.name),
            match kind {
                ExportKind::Png => "canvas",
                ExportKind::Json | ExportKind::Csv => "report",
                ExportKind::Gif => "run",
                _ => "diagram",
            },
            kind.ext()
        );
        #[cfg(not(target_arch = "wasm32"))]
        self.ask_path(ctx, Purpose::Export(kind), default);
        #[cfg(target_arch = "wasm32")]
        self.export(ctx, kind, default);
    }

    /// Opens a scenario file (native only: the browser opens uploads with [`Self::open_text`]).
    pub(super) fn open(&mut self, ctx: &Context, path: &str) {
        #[cfg(not(target_arch = "wasm32"))]
        {
            match crate::model::read(std::path::Path::new(path)) {
                Ok(s) => {
                    self.replace(Document::new(s, Some(path.to_owned())));
                    self.toast(ctx, format!("Opened {path}"));
                }
                Err(e) => self.toast(ctx, e.to_string()),
            }
        }
        #[cfg(target_arch = "wasm32")]
        self.toast(
            ctx,
            format!("Opening {path} by path is not available in the browser: use File > Open…"),
        );
    }

    /// Opens a scenario given as text (a browser upload). On the web its file name becomes the name that
    /// Save downloads to; natively it has no path, so Save asks for one.
    pub(super) fn open_text(&mut self, ctx: &Context, name: &str, text: &str) {
        match crate::model::parse(text, name) {
            Ok(s) => {
                let path = cfg!(target_arch = "wasm32").then(|| name.to_owned());
                self.replace(Document::new(s, path));
                self.toast(ctx, format!("Opened {name}"));
            }
            Err(e) => self.toast(ctx, e.to_string()),
        }
    }

    /// Saves the scenario: to `path` natively, as a download named after `path` on the web.
    pub(super) fn save_to(&mut self, ctx: &Context, path: String) {
        let text = crate::model::to_string(&self.doc.scenario);
        match write_out(&path, "text/plain", text.as_bytes()) {
            Ok(()) => {
                self.toast(ctx, format!("{SAVED} {path}"));
                self.doc.mark_saved(path);
            }
            Err(e) => self.toast(ctx, format!("Not saved: {e}")),
        }
    }

    /// Exports the report (JSON), the time series (CSV), the canvas (PNG), or the diagram or the run
    /// (see `import_ui.rs`).
    pub(super) fn export(&mut self, ctx: &Context, kind: ExportKind, path: String) {
        match kind {
            ExportKind::Mermaid
            | ExportKind::Dot
            | ExportKind::Svg
            | ExportKind::SvgLive
            | ExportKind::Gif => self.export_diagram(ctx, kind, path),
            ExportKind::Json | ExportKind::Csv => {
                let Some(r) = self.runner.report.as_ref() else {
                    return self.toast(ctx, "Nothing to export yet: run the simulation first");
                };
                let (text, mime) = if kind == ExportKind::Json {
                    (export::report_json(r), "application/json")
                } else {
                    (export::series_csv(r), "text/csv")
                };
                let msg = match write_out(&path, mime, text.as_bytes()) {
                    Ok(()) => format!("{EXPORTED} {path}"),
                    Err(e) => format!("Export failed: {e}"),
                };
                self.toast(ctx, msg);
            }
            ExportKind::Png => {
                // Drawn and captured next frame, without the hint bar, handles or selection.
                self.png_pending = Some(path);
                ctx.request_repaint();
            }
        }
    }
}

impl App {
    /// Captures the frame being drawn (a clean one: see `png_pending`) and writes the canvas part as a PNG.
    pub(super) fn capture_png(&mut self, ctx: &Context, path: String) {
        let Some(rect) = self.canvas.last_rect else {
            return self.toast(ctx, "The canvas is not visible");
        };
        let ppp = ctx.pixels_per_point();
        let inbox = self.inbox.clone();
        let repaint = ctx.clone();
        ctx.request_screenshot(move |img| {
            let msg = match export::png_bytes(&img, rect, ppp)
                .and_then(|png| write_out(&path, "image/png", &png))
            {
                Ok(()) => format!("{EXPORTED} {path}"),
                Err(e) => format!("PNG export failed: {e}"),
            };
            if let Ok(mut v) = inbox.lock() {
                v.push(msg);
            }
            repaint.request_repaint();
        });
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl App {
    /// Asks for a path for `purpose`: the system dialog, or the path box where it is not wanted.
    pub(super) fn ask_path(&mut self, ctx: &Context, purpose: Purpose, default: String) {
        if self.file_dialog_open() {
            return;
        }
        if super::native_dialog::wanted() {
            self.system_dialog = Some(SystemDialog::show(ctx, purpose, &default));
        } else {
            self.dialog = Some(PathDialog::new(purpose, default));
        }
    }

    /// A file dialog (system or path box) is open: keys go to it, not to the canvas.
    pub(super) fn file_dialog_open(&self) -> bool {
        self.dialog.is_some() || self.system_dialog.is_some()
    }

    /// Shows the path box, or checks the system dialog for its answer.
    pub(super) fn file_dialogs_ui(
        &mut self,
        ctx: &Context,
        out: &mut Vec<super::command::Command>,
    ) {
        if let Some(d) = self.dialog.as_mut()
            && let Some(result) = d.show(ctx)
        {
            self.dialog = None;
            out.extend(result);
        }
        let Some(d) = self.system_dialog.as_ref() else {
            return;
        };
        match d.poll() {
            Outcome::Open => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
            Outcome::Done(cmd) => {
                self.system_dialog = None;
                out.extend(cmd.map(|c| *c));
            }
            Outcome::Unavailable(purpose, default) => {
                self.system_dialog = None;
                self.dialog = Some(PathDialog::new(purpose, default));
            }
        }
    }
}

/// Writes `bytes` to `path` (atomically) natively, or downloads them as `path`'s file name on the web.
pub(super) fn write_out(path: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = mime;
        export::write_atomic(path, bytes)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let name = std::path::Path::new(path)
            .file_name()
            .map_or_else(|| path.to_owned(), |f| f.to_string_lossy().into_owned());
        super::web::download(&name, mime, bytes)
    }
}

/// A file-name-friendly version of a scenario name.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_matches('_').to_owned();
    if s.is_empty() { "scenario".into() } else { s }
}
