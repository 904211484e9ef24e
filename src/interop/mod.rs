//! Diagrams in and out: import Mermaid, draw.io, Excalidraw and Graphviz DOT drawings as scenarios; export
//! a scenario as Mermaid, DOT or SVG; record a run as an animated GIF. Pure Rust and free of the UI, so the
//! browser build imports and exports exactly as the CLI does.
//!
//! Every importer parses its format into a [`Diagram`] (boxes and links, with the place each came from);
//! [`build`] then maps boxes to node kinds through the table in [`mapping`] (documented in
//! `docs/import.md`), lays out what has no position and checks the result with the scenario validator.

mod build;
mod diagram;
mod dot;
mod drawio;
mod excalidraw;
pub mod export;
pub mod mapping;
mod mermaid;
pub mod palette;
#[cfg(not(target_arch = "wasm32"))]
pub mod record;
#[cfg(not(target_arch = "wasm32"))]
mod render;
mod text;

pub use build::{Import, Mapped, build};
pub use diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
pub use drawio::{compress as drawio_compress, decompress as drawio_decompress};

/// A diagram format that [`import`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Mermaid `flowchart`/`graph` or `architecture-beta`.
    Mermaid,
    /// draw.io / diagrams.net (`.drawio`, `.xml`), plain or compressed.
    Drawio,
    /// Excalidraw scene JSON (`.excalidraw`, `.json`).
    Excalidraw,
    /// Graphviz DOT (`.dot`, `.gv`).
    Dot,
}

impl Format {
    /// Every format, for help texts.
    pub const ALL: [Format; 4] = [
        Format::Mermaid,
        Format::Drawio,
        Format::Excalidraw,
        Format::Dot,
    ];

    /// The format's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Mermaid => "Mermaid",
            Format::Drawio => "draw.io",
            Format::Excalidraw => "Excalidraw",
            Format::Dot => "Graphviz DOT",
        }
    }

    /// Guesses the format from the file name's extension, else from the text itself (so pasted text
    /// and files with unusual names work too).
    pub fn detect(file: &str, text: &str) -> Option<Format> {
        let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("mmd" | "mermaid") => return Some(Format::Mermaid),
            Some("drawio" | "dio") => return Some(Format::Drawio),
            Some("excalidraw") => return Some(Format::Excalidraw),
            Some("dot" | "gv") => return Some(Format::Dot),
            _ => {}
        }
        let t = text.trim_start_matches('\u{feff}').trim_start();
        if t.starts_with('<') {
            return Some(Format::Drawio);
        }
        if t.starts_with('{') {
            return Some(Format::Excalidraw);
        }
        let first = mermaid::first_statement(t);
        if mermaid::is_header(first) || t.starts_with("```mermaid") {
            return Some(Format::Mermaid);
        }
        let head = first.to_ascii_lowercase();
        let head = head.trim_start_matches("strict").trim_start();
        if head.starts_with("digraph") || head.starts_with("graph") {
            return Some(Format::Dot);
        }
        None
    }
}

/// Why a diagram could not be read: the file, the place in it (a line, or an element's id) and what is
/// wrong. Problems with the resulting scenario are not errors: they come back in [`Import::problems`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct ImportError {
    /// The file as given.
    pub file: String,
    /// `line 3`, `line 3, column 7`, or `element 'abc'`.
    pub place: String,
    /// What is wrong, and what was expected.
    pub message: String,
}

/// Largest diagram text accepted, bytes: far above any hand-drawn design, small enough that the browser
/// never stalls on a wrong file.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// Most boxes a diagram may have (the share-link limit on nodes).
pub const MAX_BOXES: usize = 200;

/// Parses `text` as `format` into a diagram (no mapping yet). `file` names the source in errors.
pub fn parse(format: Format, text: &str, file: &str) -> Result<Diagram, ImportError> {
    let err = |place: &str, message: String| ImportError {
        file: file.to_owned(),
        place: place.to_owned(),
        message,
    };
    if text.len() > MAX_INPUT_BYTES {
        return Err(err(
            "file",
            format!(
                "is {} bytes; at most {MAX_INPUT_BYTES} are read",
                text.len()
            ),
        ));
    }
    let parsed = match format {
        Format::Mermaid => mermaid::parse(text),
        Format::Drawio => drawio::parse(text),
        Format::Excalidraw => excalidraw::parse(text),
        Format::Dot => dot::parse(text),
    };
    let d = parsed.map_err(|(place, message)| err(&place, message))?;
    if d.boxes.len() > MAX_BOXES {
        return Err(err(
            "file",
            format!(
                "has {} boxes; at most {MAX_BOXES} are imported",
                d.boxes.len()
            ),
        ));
    }
    Ok(d)
}

/// Reads a diagram and turns it into a scenario, with the mapping of every box, what was skipped and
/// why, what was guessed, and what the scenario still lacks. `format` `None` detects it.
pub fn import(format: Option<Format>, text: &str, file: &str) -> Result<Import, ImportError> {
    let format = format
        .or_else(|| Format::detect(file, text))
        .ok_or_else(|| ImportError {
            file: file.to_owned(),
            place: "line 1".into(),
            message:
                "is not a diagram this archsim reads (Mermaid flowchart or architecture-beta, \
                      draw.io, Excalidraw JSON, Graphviz DOT)"
                    .into(),
        })?;
    let diagram = parse(format, text, file)?;
    Ok(build(diagram, &scenario_name(file)))
}

/// A scenario name from the file name: `designs/shop.drawio` -> `shop`.
fn scenario_name(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base.split_once('.').map_or(base, |(s, _)| s);
    if stem.is_empty() {
        "Imported diagram".into()
    } else {
        stem.to_owned()
    }
}
