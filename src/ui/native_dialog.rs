//! The system file dialog (native only; the browser keeps uploads and downloads, see `web.rs`). rfd asks the
//! desktop portal over D-Bus, or zenity where there is no portal. The dialog blocks the thread that shows
//! it, so it runs on its own thread and the app keeps drawing; its answer arrives as a [`Command`].
//!
//! Where neither a portal nor zenity answers (a bare X server, a CI box), rfd returns at once with nothing,
//! which looks like Cancel: an answer faster than a person can cancel is taken to mean "no system dialog"
//! and the in-app path box (`file_dialog.rs`) opens instead. `ARCHSIM_FILE_DIALOG=path` asks for the path
//! box always, so scripted tests can type a path.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Duration;

use web_time::Instant;

use super::command::Command;
use super::file_dialog::Purpose;

/// Environment variable that chooses the path box over the system dialog (value `path`).
pub const ENV_CHOICE: &str = "ARCHSIM_FILE_DIALOG";

/// An answer sooner than this after the dialog was asked for is not a person's Cancel.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(400);

/// Whether the system dialog is wanted (not when `ARCHSIM_FILE_DIALOG=path`).
pub fn wanted() -> bool {
    std::env::var(ENV_CHOICE).map_or(true, |v| v.trim() != "path")
}

/// What became of a system dialog.
pub enum Outcome {
    /// Still open.
    Open,
    /// Closed: the command for the chosen path, or `None` for Cancel.
    Done(Option<Box<Command>>),
    /// There is no system dialog here: ask with the path box, for this purpose from this default.
    Unavailable(Purpose, String),
}

/// A system file dialog showing on its own thread.
pub struct SystemDialog {
    purpose: Purpose,
    default: String,
    answer: Receiver<Option<PathBuf>>,
    asked: Instant,
}

impl SystemDialog {
    /// Shows the dialog for `purpose`, starting at `default` (a file name or path; for Open and Import the
    /// folder it is in, or the current one).
    pub fn show(ctx: &egui::Context, purpose: Purpose, default: &str) -> Self {
        let (tx, answer) = channel();
        // The app's window may be covered by the dialog and not redraw by itself: wake it with the answer.
        let wake = ctx.clone();
        let dialog = build(purpose, default);
        std::thread::spawn(move || {
            let picked = match purpose {
                Purpose::Open | Purpose::Import => dialog.pick_file(),
                Purpose::SaveAs | Purpose::Export(_) => dialog.save_file(),
            };
            let _ = tx.send(picked);
            wake.request_repaint();
        });
        Self {
            purpose,
            default: default.to_owned(),
            answer,
            asked: Instant::now(),
        }
    }

    /// Checks for the answer without waiting.
    pub fn poll(&self) -> Outcome {
        match self.answer.try_recv() {
            Err(TryRecvError::Empty) => Outcome::Open,
            Ok(None) | Err(TryRecvError::Disconnected)
                if self.asked.elapsed() < NO_DIALOG_WITHIN =>
            {
                Outcome::Unavailable(self.purpose, self.default.clone())
            }
            Ok(None) | Err(TryRecvError::Disconnected) => Outcome::Done(None),
            Ok(Some(path)) => Outcome::Done(Some(Box::new(self.purpose.command(path_text(&path))))),
        }
    }
}

/// The rfd dialog for `purpose`: title, file-type filter, starting folder and name.
fn build(purpose: Purpose, default: &str) -> rfd::FileDialog {
    let mut d = rfd::FileDialog::new().set_title(purpose.title());
    let exts: Vec<&str> = match purpose {
        Purpose::Open | Purpose::SaveAs => vec!["ron"],
        Purpose::Import => super::import_ui::DIAGRAM_EXTENSIONS.to_vec(),
        Purpose::Export(kind) => vec![kind.ext()],
    };
    d = d.add_filter(purpose.filter_name(), &exts);
    let default = Path::new(default);
    let dir = default
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok());
    if let Some(dir) = dir.and_then(|d| d.canonicalize().ok()) {
        d = d.set_directory(dir);
    }
    if matches!(purpose, Purpose::SaveAs | Purpose::Export(_))
        && let Some(name) = default.file_name()
    {
        d = d.set_file_name(name.to_string_lossy());
    }
    d
}

/// A path as the app's commands carry it.
fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
