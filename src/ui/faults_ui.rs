//! Faults in the app: injecting one live on the selected node or edge, or scheduling it on the design's
//! timeline (inspector). The timeline under the charts is `timeline_ui`.

use egui::{RichText, Ui};

use super::command::Command;
use super::edit::Edit;
use super::runner::Runner;
use super::theme;
use crate::model::{Fault, FaultKind, NodeKind};

/// The fault being prepared in the inspector.
#[derive(Clone, Debug)]
pub struct FaultDraft {
    /// Index into the kinds that fit the selection.
    pub kind: usize,
    /// The kind with its parameters as edited (`None`: the defaults of `kind`).
    pub params: Option<FaultKind>,
    /// How long it lasts, simulated seconds.
    pub duration_s: f64,
    /// When a scheduled fault starts, simulated seconds.
    pub at_s: f64,
}

impl Default for FaultDraft {
    fn default() -> Self {
        Self {
            kind: 0,
            params: None,
            duration_s: 10.0,
            at_s: 20.0,
        }
    }
}

/// The fault kinds that fit `node`, or an edge when `node` is `None`.
pub fn kinds_for(site: FaultSite<'_>) -> Vec<FaultKind> {
    FaultKind::all()
        .into_iter()
        .filter(|k| match site {
            FaultSite::Node(n) => k.fits_node(n),
            FaultSite::Edge => k.on_edge(),
            FaultSite::Place => *k == FaultKind::Outage,
        })
        .collect()
}

/// What a fault is picked for: a node (of this kind), an edge, or a zone or region.
#[derive(Clone, Copy, Debug)]
pub enum FaultSite<'a> {
    /// A node of this kind.
    Node(&'a NodeKind),
    /// An edge.
    Edge,
    /// A zone or region of the topology.
    Place,
}

/// One labelled number of a fault's parameters; true when changed.
fn param(
    ui: &mut Ui,
    label: &str,
    v: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    suffix: &str,
    hint: &str,
) -> bool {
    let l = ui.label(label);
    ui.add(
        egui::DragValue::new(v)
            .range(range)
            .speed(0.05)
            .max_decimals(3)
            .suffix(suffix),
    )
    .labelled_by(l.id)
    .on_hover_text(hint)
    .changed()
}

/// The kind's own parameters (severity), edited in place; true when one changed.
pub fn params_ui(ui: &mut Ui, k: &mut FaultKind) -> bool {
    match k {
        FaultKind::Crash(p) => {
            param(
                ui,
                "warm-up after restart",
                &mut p.restart_warmup_s,
                0.0..=3600.0,
                " s",
                "After the restart the node runs slow for this long",
            ) | param(
                ui,
                "slower by",
                &mut p.warmup_factor,
                1.0..=1000.0,
                "x",
                "Service-time multiplier while warming up",
            )
        }
        FaultKind::Slow(p) => param(
            ui,
            "slower by",
            &mut p.factor,
            0.01..=1000.0,
            "x",
            "Every service time is multiplied by this",
        ),
        FaultKind::Errors(p) => param(
            ui,
            "fail share",
            &mut p.probability,
            0.0..=1.0,
            "",
            "Share of requests the node fails (0 to 1)",
        ),
        FaultKind::Partition(p) => param(
            ui,
            "connect timeout",
            &mut p.connect_timeout_ms,
            0.0..=60_000.0,
            " ms",
            "Calls over the cut edge fail after this",
        ),
        FaultKind::Latency(p) => param(
            ui,
            "extra latency",
            &mut p.add_ms,
            0.0..=60_000.0,
            " ms",
            "Added to every hop over the edge",
        ),
        FaultKind::Spike(p) => param(
            ui,
            "traffic",
            &mut p.factor,
            0.0..=1000.0,
            "x",
            "The client's rate is multiplied by this",
        ),
        FaultKind::Brownout(p) => {
            param(
                ui,
                "slower by",
                &mut p.factor,
                0.01..=1000.0,
                "x",
                "Every service time is multiplied by this",
            ) | param(
                ui,
                "fail share",
                &mut p.probability,
                0.0..=1.0,
                "",
                "Share of requests failed (0 to 1)",
            )
        }
        FaultKind::Split(p) => {
            let l = ui.label("replicas cut off");
            ui.add(
                egui::DragValue::new(&mut p.replicas_cut).range(1..=crate::model::MAX_QUORUM_N - 1),
            )
            .labelled_by(l.id)
            .on_hover_text("The last replicas, cut off from the others (at most n - 1)")
            .changed()
        }
        FaultKind::Flush | FaultKind::ReplicaLag | FaultKind::Outage => false,
    }
}

/// "Faults" for the selected node (`node` is its kind) or edge (`node` None, `target` "from->to"): pick a
/// kind (explained in one line), set its parameters and duration, then inject it now into the running
/// simulation or schedule it at a time (saved in the file, so links carry it). Below, the faults scheduled on
/// this target, each editable and removable.
pub fn inject_ui(
    ui: &mut Ui,
    draft: &mut FaultDraft,
    target: &str,
    site: FaultSite<'_>,
    scheduled: &[Fault],
    runner: &Runner,
    out: &mut Vec<Command>,
) {
    let kinds = kinds_for(site);
    if kinds.is_empty() {
        return;
    }
    ui.add_space(theme::SECTION_GAP);
    ui.separator();
    ui.strong("Faults");
    draft.kind = draft.kind.min(kinds.len() - 1);
    if draft
        .params
        .as_ref()
        .is_some_and(|p| p.name() != kinds[draft.kind].name())
    {
        draft.params = None;
    }
    ui.horizontal(|ui| {
        let l = ui.label("kind");
        let before = draft.kind;
        egui::ComboBox::from_id_salt("fault_kind")
            .selected_text(kinds[draft.kind].name())
            .show_ui(ui, |ui| {
                for (i, k) in kinds.iter().enumerate() {
                    ui.selectable_value(&mut draft.kind, i, k.name())
                        .on_hover_text(super::help::fault_blurb(k));
                }
            })
            .response
            .labelled_by(l.id);
        if draft.kind != before {
            draft.params = None;
        }
        let l = ui.label("for");
        ui.add(
            egui::DragValue::new(&mut draft.duration_s)
                .range(0.1..=3600.0)
                .suffix(" s"),
        )
        .labelled_by(l.id)
        .on_hover_text("How long the fault lasts (simulated seconds)");
    });
    let kind = draft
        .params
        .get_or_insert_with(|| kinds[draft.kind].clone());
    ui.label(
        RichText::new(super::help::fault_blurb(kind))
            .small()
            .color(ui.visuals().weak_text_color()),
    );
    ui.horizontal_wrapped(|ui| {
        params_ui(ui, kind);
    });
    let kind = kind.clone();
    let running = runner.has_sim();
    ui.horizontal_wrapped(|ui| {
        let inject = ui
            .add_enabled(running, egui::Button::new("Inject now"))
            .on_hover_text("Starts the fault at the current simulated time in the running simulation (not saved)")
            .on_disabled_hover_text("Run the simulation first");
        if inject.clicked() {
            out.push(Command::InjectFault(Fault {
                at_s: runner.time_s(),
                duration_s: draft.duration_s,
                target: target.to_owned(),
                kind: kind.clone(),
            }));
        }
        if ui
            .add_enabled(running, egui::Button::new("Clear faults"))
            .on_hover_text("Ends every fault now; crashed nodes restart")
            .clicked()
        {
            out.push(Command::ClearFaults);
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("at");
        ui.add(
            egui::DragValue::new(&mut draft.at_s)
                .range(0.0..=86_400.0)
                .suffix(" s"),
        )
        .labelled_by(l.id)
        .on_hover_text("When the scheduled fault starts (simulated seconds)");
        if ui
            .button("Schedule")
            .on_hover_text("Add the fault to the design's timeline: saved in the file, carried by links, run every time")
            .clicked()
        {
            let mut all = scheduled.to_vec();
            all.push(Fault {
                at_s: draft.at_s,
                duration_s: draft.duration_s,
                target: target.to_owned(),
                kind: kind.clone(),
            });
            out.push(Command::Edit(Edit::SetFaults(all)));
        }
    });
    scheduled_ui(ui, target, scheduled, out);
}

/// The faults scheduled on `target`: start, duration and parameters editable, each removable.
fn scheduled_ui(ui: &mut Ui, target: &str, all: &[Fault], out: &mut Vec<Command>) {
    let mine: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].target == target)
        .collect();
    if mine.is_empty() {
        return;
    }
    ui.label(RichText::new("Scheduled on the timeline").strong());
    for i in mine {
        let mut f = all[i].clone();
        let mut changed = false;
        let mut remove = false;
        ui.push_id(("scheduled_fault", i), |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(f.kind.name()).strong());
                changed |= param(
                    ui,
                    "at",
                    &mut f.at_s,
                    0.0..=86_400.0,
                    " s",
                    "Start (simulated seconds)",
                );
                changed |= param(
                    ui,
                    "for",
                    &mut f.duration_s,
                    0.1..=86_400.0,
                    " s",
                    "Duration (simulated seconds)",
                );
                changed |= params_ui(ui, &mut f.kind);
                remove = ui
                    .small_button("Remove")
                    .on_hover_text("Take this fault off the timeline")
                    .clicked();
            });
        });
        if remove {
            let mut v = all.to_vec();
            v.remove(i);
            out.push(Command::Edit(Edit::SetFaults(v)));
            return;
        }
        if changed {
            let mut v = all.to_vec();
            v[i] = f;
            out.push(Command::Edit(Edit::SetFaults(v)));
        }
    }
}
