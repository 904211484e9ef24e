//! What the UI asks for. Panels push commands while drawing; the app applies them after the frame is drawn,
//! so every scenario change goes through one place (and through undo/redo).

use std::collections::BTreeSet;

use super::edit::Edit;

/// The selected nodes and edges (edges by their endpoints, which are unique).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Node ids.
    pub nodes: BTreeSet<String>,
    /// Edges as `(from, to)`.
    pub edges: BTreeSet<(String, String)>,
}

impl Selection {
    /// Just this node.
    pub fn node(id: impl Into<String>) -> Self {
        Self {
            nodes: [id.into()].into(),
            ..Self::default()
        }
    }

    /// Just this edge.
    pub fn edge(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            edges: [(from.into(), to.into())].into(),
            ..Self::default()
        }
    }

    /// Nothing selected?
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }

    /// The single selected node, if exactly one node (and no edge) is selected.
    pub fn single_node(&self) -> Option<&str> {
        (self.nodes.len() == 1 && self.edges.is_empty())
            .then(|| self.nodes.iter().next().map(String::as_str))?
    }

    /// The single selected edge, if exactly one edge (and no node) is selected.
    pub fn single_edge(&self) -> Option<&(String, String)> {
        (self.edges.len() == 1 && self.nodes.is_empty()).then(|| self.edges.iter().next())?
    }
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The full report as JSON (same as the CLI's `--json`).
    Json,
    /// The time series as CSV.
    Csv,
    /// The canvas as a PNG image.
    Png,
    /// The diagram as a Mermaid flowchart.
    Mermaid,
    /// The diagram as a Graphviz digraph.
    Dot,
    /// The diagram as SVG.
    Svg,
    /// The diagram as SVG, each node tinted by its utilization in the current run.
    SvgLive,
    /// The run as an animated GIF (native only: the encoder stays out of the web bundle).
    Gif,
}

impl ExportKind {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            ExportKind::Json => "json",
            ExportKind::Csv => "csv",
            ExportKind::Png => "png",
            ExportKind::Mermaid => "mmd",
            ExportKind::Dot => "dot",
            ExportKind::Svg | ExportKind::SvgLive => "svg",
            ExportKind::Gif => "gif",
        }
    }
}

/// Everything the UI can ask the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Change the scenario (undoable).
    Edit(Edit),
    /// The current drag or slider gesture ended (the next edit starts a new undo step).
    EndGesture,
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Replace the selection.
    Select(Selection),
    /// Select every node.
    SelectAll,
    /// Delete the selected nodes and edges.
    DeleteSelection,
    /// Duplicate the selected nodes.
    DuplicateSelection,
    /// Put the keyboard focus on the inspector's name field.
    FocusRename,
    /// New empty scenario (asks first if there are unsaved changes).
    New,
    /// Ask for a path to open.
    OpenDialog,
    /// Open this file (asks first if there are unsaved changes).
    Open(String),
    /// Open a scenario given as text, e.g. a file uploaded in the browser (asks first if there are unsaved
    /// changes).
    OpenText {
        /// The file name, for messages and the title.
        name: String,
        /// The RON text.
        text: String,
    },
    /// Ask for a diagram (Mermaid, draw.io, Excalidraw, DOT) to import.
    ImportDialog,
    /// Open the window to paste a diagram's text into (a Mermaid block copied from a design doc).
    PasteDiagram,
    /// Import this diagram file (asks first if there are unsaved changes).
    Import(String),
    /// Import a diagram given as text, e.g. a browser upload (asks first if there are unsaved changes).
    ImportText {
        /// File name (decides the format with the text).
        name: String,
        /// The diagram.
        text: String,
    },
    /// Open the scenario of a share link's fragment, `s=1.<payload>` (asks first if there are unsaved
    /// changes).
    OpenLink(String),
    /// Copy a share link of the current scenario (at the current load) to the clipboard.
    CopyLink,
    /// The same link, asking the app that opens it to start running at once.
    CopyRunningLink,
    /// Load this preset by name (asks first if there are unsaved changes).
    LoadPreset(String),
    /// Show the preset picker.
    ShowPresets,
    /// Save to the current path (or ask for one).
    Save,
    /// Ask for a path to save to.
    SaveAsDialog,
    /// Save to this path.
    SaveAs(String),
    /// Ask for a path to export to.
    ExportDialog(ExportKind),
    /// Export to this path.
    Export(ExportKind, String),
    /// Run or resume.
    Run,
    /// Pause.
    Pause,
    /// Run if paused, pause if running.
    ToggleRun,
    /// Advance a tenth of a simulated second.
    Step,
    /// Throw the run away.
    Reset,
    /// Throw the run away and run the edited design from the start (after a structural edit).
    Restart,
    /// Set the load multiplier.
    SetLoad(f64),
    /// Set the speed (simulated seconds per wall second; infinity = max).
    SetSpeed(f64),
    /// Zoom to fit every node.
    FitView,
    /// Lay the diagram out left to right by call depth, with few crossings (one undo step).
    Arrange,
    /// Snap to grid on or off.
    SetSnap(bool),
    /// Dark (true) or light mode.
    SetDark(bool),
    /// Open the stress-test window on this tab.
    ShowStress(super::stress::StressTab),
    /// Explain the main view's last run ("What broke first").
    ExplainRun,
    /// Open a sweep point in the main view: apply its override (`NODE.FIELD=VALUE`, a parameter sweep's
    /// point) to the design, set its load and run it from the start.
    OpenRun {
        /// Load multiplier.
        load: f64,
        /// The point's override, if any.
        set: Option<String>,
        /// The design the sweep ran on (`Document::design`): refused on any other.
        design: u64,
    },
    /// Change the design by these overrides (`NODE.FIELD=VALUE`), one undoable edit per changed node.
    ApplyFix {
        /// The overrides.
        sets: Vec<String>,
        /// The design the fix was computed for (`Document::design`): refused on any other.
        design: u64,
    },
    /// Add `NODE.FIELD` to the Optimize tab's knobs and show the tab.
    VaryInOptimize(String),
    /// Show the Optimize tab and start its search with these bounds (its other settings as they are), as
    /// "Find cheapest" does; the browser test's way in.
    StartOptimize {
        /// Load multiplier the SLO must hold at.
        load: f64,
        /// p99 bound, ms.
        slo_p99_ms: f64,
        /// Failure share bound.
        slo_errors: f64,
    },
    /// Show the Sweep tab and start a load sweep with these settings (its SLO as it is), as "Run sweep"
    /// does; the browser test's way in.
    StartSweep {
        /// First load multiplier.
        load_start: f64,
        /// Last load multiplier.
        load_end: f64,
        /// Number of points.
        points: usize,
        /// Evenly spaced in ratio instead of difference.
        log: bool,
        /// Replications per point.
        replications: u32,
    },
    /// Stop the sweep in progress, as its Cancel button does.
    CancelSweep,
    /// Show or hide the help panel.
    ToggleHelp,
    /// Show or hide the frame-time overlay.
    ToggleDebug,
    /// Show a message for a few seconds.
    Notify(String),
    /// Start a fault now in the running simulation (its `at_s` is ignored).
    InjectFault(crate::model::Fault),
    /// End every fault in the running simulation.
    ClearFaults,
    /// Carry out a command that would lose unsaved changes, without asking.
    Discarding(Box<Command>),
    /// Quit the app (asks first if there are unsaved changes).
    Quit,
}

impl Command {
    /// Does this command throw the current scenario away?
    pub fn loses_changes(&self) -> bool {
        matches!(
            self,
            Command::New
                | Command::Open(_)
                | Command::OpenText { .. }
                | Command::Import(_)
                | Command::ImportText { .. }
                | Command::OpenLink(_)
                | Command::LoadPreset(_)
                | Command::Quit
        )
    }
}
