//! The help window (F1): getting started, a glossary of the node and fault kinds, every keyboard
//! shortcut and mouse gesture. The one-line fault explanations are also shown where a fault is picked.

use egui::{RichText, Ui};

use crate::model::{FaultKind, KindTag};

/// Getting started, as numbered steps naming the buttons.
pub const GETTING_STARTED: &[&str] = &[
    "Drag a Client, a Load balancer, a Service and a Database from the Components palette onto the canvas (or double-click the canvas).",
    "Connect them: drag from a node's round handle onto the next node (Client -> Load balancer -> Service -> Database).",
    "Press Run (Space). Each node shows how busy it is; the Charts below fill in.",
    "Drag the Load slider (or press 10x) to send ten times the traffic and see what saturates first (it turns red).",
    "Select the red node and raise Replicas or Workers in the inspector on the right: the run picks it up live.",
    "Select a node and schedule a fault under Faults (for example a Crash at 20 s for 10 s); press Restart to run with it.",
    "Stress test… sweeps the load and finds the breaking point; What broke first explains it with fixes you can Apply.",
];

/// What each node kind does, in one line.
pub fn node_blurb(k: KindTag) -> &'static str {
    match k {
        KindTag::Client => {
            "Sends requests at a rate (Poisson by default), split into classes such as read and write."
        }
        KindTag::LoadBalancer => {
            "Spreads each request over the nodes it calls, by a policy (round robin, least connections, ...)."
        }
        KindTag::Service => {
            "Replicas x workers handle requests; each request holds a worker while it calls every outgoing edge in order."
        }
        KindTag::Cache => "Answers hits itself (hit ratio); forwards misses to the node behind it.",
        KindTag::Queue => {
            "Stores messages and answers at once; its consumer services pull them at their own pace."
        }
        KindTag::Database => {
            "A connection pool serving reads and writes; read replicas take reads off the primary."
        }
        KindTag::RateLimiter => {
            "Lets a set rate through and answers the rest at once with 429 (or queues them)."
        }
        KindTag::Gateway => {
            "API gateway: authenticates each request's API key, limits every key to its own rate (429s) and routes each request class to its backend."
        }
    }
}

/// What each fault kind does, in one line (shown where the kind is picked).
pub fn fault_blurb(k: &FaultKind) -> &'static str {
    match k {
        FaultKind::Crash(_) => {
            "The node is down: requests to it fail at once and its work in progress is lost; it restarts when the fault ends."
        }
        FaultKind::Slow(_) => {
            "Every service time at the node is multiplied (a slow disk, a noisy neighbour)."
        }
        FaultKind::Errors(_) => "The node does the work, then fails a share of the requests.",
        FaultKind::Partition(_) => {
            "The edge is cut: calls over it fail after the connect timeout without reaching the other side."
        }
        FaultKind::Latency(_) => {
            "Every hop over the edge takes longer (a congested or distant link)."
        }
        FaultKind::Flush => {
            "The cache loses its contents: its hit ratio drops to 0 and climbs back as it refills."
        }
        FaultKind::ReplicaLag => "The read replicas fall behind: every read goes to the primary.",
        FaultKind::Split(_) => {
            "A network partition between a quorum's replicas: each side reaches only its own, and the database's On partition choice decides between errors (CP) and stale reads (AP)."
        }
        FaultKind::Spike(_) => {
            "The client sends a multiple of its traffic (a launch, a retry storm from outside)."
        }
        FaultKind::Brownout(_) => {
            "A struggling dependency: slower and failing a share of requests at once."
        }
        FaultKind::Outage => {
            "A zone or region goes dark: every service, balancer, cache and database placed in it crashes at once and restarts when it ends."
        }
    }
}

/// Shortcuts, as (keys, what).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "Run / pause"),
    ("S", "Step 0.1 simulated seconds"),
    ("R", "Reset the run"),
    ("F", "Zoom to fit"),
    (
        "L",
        "Arrange: lay the diagram out left to right by call depth",
    ),
    ("Del / Backspace", "Delete selection"),
    ("Ctrl+D", "Duplicate selection"),
    ("Ctrl+A", "Select all"),
    ("F2", "Rename selected node"),
    ("Esc", "Clear selection"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z / Ctrl+Y", "Redo"),
    ("Ctrl+N", "New scenario"),
    ("Ctrl+O", "Open…"),
    ("Ctrl+P", "Presets…"),
    ("Ctrl+S", "Save"),
    ("Ctrl+Shift+S", "Save as…"),
    ("F1", "This help"),
    ("F12", "Frame-time overlay"),
];

/// Mouse gestures, as (gesture, what).
pub const GESTURES: &[(&str, &str)] = &[
    ("Drag from palette", "Add a component"),
    ("Double-click canvas", "Add the last palette kind"),
    ("Drag node handle -> node", "Connect (refused ones say why)"),
    ("Click / Shift-click", "Select / add to selection"),
    ("Shift-drag empty space", "Rubber-band select"),
    ("Drag empty space", "Pan (also middle or right drag)"),
    ("Wheel / pinch", "Zoom"),
    ("Right-click", "Context menu"),
];

/// Draws the help window.
pub fn help_ui(ui: &mut Ui) {
    egui::ScrollArea::vertical()
        .max_height(ui.ctx().content_rect().height() * 0.75)
        .show(ui, |ui| {
            ui.set_max_width(560.0);
            ui.heading("Getting started");
            for (i, step) in GETTING_STARTED.iter().enumerate() {
                ui.label(format!("{}. {step}", i + 1));
            }
            ui.add_space(8.0);
            ui.heading("Node kinds");
            glossary_ui(
                ui,
                "glossary_nodes",
                [
                    KindTag::Client,
                    KindTag::LoadBalancer,
                    KindTag::Service,
                    KindTag::Cache,
                    KindTag::Queue,
                    KindTag::Database,
                    KindTag::RateLimiter,
                    KindTag::Gateway,
                ]
                .iter()
                .map(|k| (super::theme::kind_label(*k).to_owned(), node_blurb(*k))),
            );
            ui.add_space(8.0);
            ui.heading("Fault kinds");
            glossary_ui(
                ui,
                "glossary_faults",
                FaultKind::all()
                    .iter()
                    .map(|k| (k.name().to_owned(), fault_blurb(k))),
            );
            ui.add_space(8.0);
            ui.heading("Keyboard and mouse");
            shortcuts_ui(ui);
        });
}

fn glossary_ui(ui: &mut Ui, id: &str, rows: impl Iterator<Item = (String, &'static str)>) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for (name, what) in rows {
                ui.label(RichText::new(name).strong());
                ui.add(egui::Label::new(what).wrap());
                ui.end_row();
            }
        });
}

fn shortcuts_ui(ui: &mut Ui) {
    egui::Grid::new("help_keys")
        .num_columns(2)
        .striped(true)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            for (k, what) in SHORTCUTS {
                ui.monospace(*k);
                ui.label(*what);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.strong("Mouse");
    egui::Grid::new("help_mouse")
        .num_columns(2)
        .striped(true)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            for (k, what) in GESTURES {
                ui.label(*k);
                ui.label(*what);
                ui.end_row();
            }
        });
}
