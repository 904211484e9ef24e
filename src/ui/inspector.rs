//! The inspector: edits the selected node's or edge's parameters (or the scenario's) and shows its problems.

use super::rows::row;
use egui::{DragValue, RichText, Ui};

use crate::model::{ClassWeight, KindTag, NodeKind, Problem, Scenario};

use super::command::{Command, Selection};
use super::edit::Edit;
use super::runner::Runner;
use super::theme::{self, Theme};
use super::{dist_ui::dist_ui, format};

/// Inspector state: the name being typed (committed on Enter or when focus leaves).
#[derive(Default)]
pub struct Inspector {
    pub(super) rename: Option<(String, String)>,
    /// Put the keyboard focus on the name field next frame.
    pub focus_rename: bool,
    /// The fault being prepared for live injection.
    pub(super) fault: super::faults_ui::FaultDraft,
}

/// What a parameter row holds beside its slider: the label column, the slider's value box and the gaps,
/// points.
const ROW_BESIDE_SLIDER: f32 = 210.0;

impl Inspector {
    /// Draws the inspector for the current selection.
    pub fn inspector_ui(
        &mut self,
        ui: &mut Ui,
        s: &Scenario,
        sel: &Selection,
        runner: &Runner,
        problems: &[Problem],
        out: &mut Vec<Command>,
    ) {
        let t = Theme::from_visuals(ui.visuals());
        // A parameter row is its label (up to about 130 points: "Error probability"), a slider and the
        // slider's value box (up to about 60): at egui's usual 140-point slider, wider than the 284 points a
        // 300-point panel holds, and the panel grew to fit it (to 348). The sliders take the room left.
        ui.spacing_mut().slider_width =
            (ui.available_width() - ROW_BESIDE_SLIDER).clamp(70.0, 200.0);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(id) = sel.single_node()
                    && s.node(id).is_some()
                {
                    self.node_ui(ui, s, id, runner, problems, out, &t);
                } else if let Some((from, to)) = sel.single_edge()
                    && let Some(e) = s.edges.iter().find(|e| &e.from == from && &e.to == to)
                {
                    ui.heading(format!("{from} -> {to}"));
                    ui.label(RichText::new("Connection").weak());
                    ui.add_space(theme::SECTION_GAP);
                    let mut edge = e.clone();
                    let mut changed =
                        dist_ui(ui, "Network latency (one way)", &mut edge.latency_ms);
                    ui.add_space(theme::SECTION_GAP);
                    ui.label("Carries request classes:")
                        .on_hover_text("None ticked: the edge carries every class");
                    let classes = super::resilience_ui::scenario_classes(s);
                    for c in &classes {
                        let mut on = edge.classes.contains(c);
                        if ui.checkbox(&mut on, c).changed() {
                            if on {
                                edge.classes.push(c.clone());
                            } else {
                                edge.classes.retain(|x| x != c);
                            }
                            changed = true;
                        }
                    }
                    if edge.classes.is_empty() {
                        ui.label(RichText::new("(all classes)").weak());
                    }
                    ui.add_space(theme::SECTION_GAP);
                    // Clients and queues have no waiting caller on the edge (validation explains why).
                    let caller = s.node(from).map(|n| n.kind.tag());
                    if !matches!(caller, Some(KindTag::Client | KindTag::Queue))
                        || edge.timeout_ms.is_some()
                        || edge.retry.is_some()
                    {
                        changed |= super::resilience_ui::edge_call_ui(
                            ui,
                            &mut edge.timeout_ms,
                            &mut edge.retry,
                        );
                        ui.add_space(theme::SECTION_GAP);
                    }
                    changed |= super::resilience_ui::breaker_ui(ui, &mut edge.breaker);
                    if caller == Some(KindTag::Service) || edge.is_planned() {
                        ui.add_space(theme::SECTION_GAP);
                        changed |= super::calls_ui::edge_calls_ui(ui, &mut edge);
                    }
                    if changed {
                        out.push(Command::Edit(Edit::SetEdge {
                            from: from.clone(),
                            to: to.clone(),
                            edge: Box::new(edge),
                        }));
                    }
                    problems_ui(ui, problems, &format!("edge '{from} -> {to}'"), &t);
                    super::faults_ui::inject_ui(
                        ui,
                        &mut self.fault,
                        &format!("{from}->{to}"),
                        super::faults_ui::FaultSite::Edge,
                        &s.faults,
                        runner,
                        out,
                    );
                    ui.add_space(theme::SECTION_GAP);
                    if ui
                        .button("Delete connection")
                        .on_hover_text("Delete (Del)")
                        .clicked()
                    {
                        out.push(Command::DeleteSelection);
                    }
                } else if sel.is_empty() {
                    scenario_ui(ui, s, problems, out, &t);
                    ui.add_space(theme::SECTION_GAP);
                    super::topology_ui::topology_ui(ui, s, &mut self.fault, runner, out);
                } else {
                    ui.heading(format!(
                        "{} nodes, {} connections selected",
                        sel.nodes.len(),
                        sel.edges.len()
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Duplicate").on_hover_text("Ctrl+D").clicked() {
                            out.push(Command::DuplicateSelection);
                        }
                        if ui.button("Delete").on_hover_text("Del").clicked() {
                            out.push(Command::DeleteSelection);
                        }
                    });
                }
            });
    }
}

pub(super) fn classes_ui(ui: &mut Ui, classes: &mut Vec<ClassWeight>) -> bool {
    let mut changed = false;
    ui.label("Request classes (name, weight)");
    let mut remove = None;
    for (i, c) in classes.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            changed |= ui
                .add(egui::TextEdit::singleline(&mut c.name).desired_width(90.0))
                .on_hover_text("class name")
                .changed();
            changed |= ui
                .add(
                    DragValue::new(&mut c.weight)
                        .clamp_existing_to_range(false)
                        .speed(0.5)
                        .range(0.0..=1e6),
                )
                .on_hover_text("relative weight")
                .changed();
            if ui
                .small_button("Remove")
                .on_hover_text("Remove this class")
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        classes.remove(i);
        changed = true;
    }
    if ui.small_button("+ class").clicked() {
        classes.push(ClassWeight {
            name: format!("class{}", classes.len() + 1),
            weight: 1.0,
        });
        changed = true;
    }
    changed
}

/// Problems for `place`, in words.
pub(super) fn problems_ui(ui: &mut Ui, problems: &[Problem], place: &str, t: &Theme) {
    let mine: Vec<&Problem> = problems.iter().filter(|p| p.place == place).collect();
    if mine.is_empty() {
        return;
    }
    ui.add_space(theme::SECTION_GAP);
    for p in mine {
        let text = if p.field.is_empty() {
            p.message.clone()
        } else {
            format!("{}: {}", p.field, p.message)
        };
        ui.label(RichText::new(format!("• {text}")).color(t.error));
    }
}

/// What the node costs: its instances at the scenario's price (and at the last run's traffic), and the
/// knobs the Optimize tab can vary.
pub(super) fn cost_ui(
    ui: &mut Ui,
    s: &Scenario,
    id: &str,
    runner: &Runner,
    out: &mut Vec<Command>,
) {
    let Some(node) = s.node(id) else { return };
    let tag = node.kind.tag();
    if tag == crate::model::KindTag::Client {
        return;
    }
    let price = s.prices.resolve(id, tag);
    let inst = crate::metrics::configured_instances(&node.kind);
    let cur = s.prices.currency();
    ui.label(format!(
        "{} x {:.4} {cur}/h = {:.2} {cur} per month for its instances",
        inst,
        price.hourly,
        inst * price.hourly * crate::model::HOURS_PER_MONTH
    ));
    if let Some(c) = runner
        .report
        .as_ref()
        .and_then(|r| r.cost.as_ref())
        .and_then(|c| c.node(id))
    {
        ui.label(format!(
            "At the last run's traffic: {:.2} {cur} per month",
            c.monthly
        ));
    }
    let knobs: &[&str] = match &node.kind {
        NodeKind::Service(_) => &["replicas", "workers"],
        NodeKind::Database(_) => &["read_replicas", "pool_size"],
        NodeKind::Cache(_) => &["workers"],
        NodeKind::Gateway(_) => &["concurrency"],
        // No capacity knob the optimizer sizes.
        NodeKind::Client(_)
        | NodeKind::LoadBalancer(_)
        | NodeKind::Queue(_)
        | NodeKind::RateLimiter(_) => &[],
    };
    if !knobs.is_empty() {
        ui.horizontal_wrapped(|ui| {
            for k in knobs {
                if ui
                    .small_button(format!("Vary {k} in Optimize"))
                    .on_hover_text("Search this field for the cheapest design that holds the SLO (Stress test, Optimize tab)")
                    .clicked()
                {
                    out.push(Command::VaryInOptimize(format!("{id}.{k}")));
                }
            }
        });
    }
}

/// The selected node's live numbers.
pub(super) fn live_ui(ui: &mut Ui, runner: &Runner, id: &str) {
    let Some(l) = runner
        .snapshot
        .as_ref()
        .filter(|_| runner.has_sim())
        .and_then(|s| s.nodes.get(runner.node_index(id)?))
    else {
        ui.label(
            egui::RichText::new("Run the design (Space) to see its live figures here.").weak(),
        );
        return;
    };
    egui::Grid::new("live").num_columns(2).show(ui, |ui| {
        ui.label("Utilization");
        ui.label(format::pct(l.utilization));
        ui.end_row();
        ui.label("Queue");
        ui.label(if l.queue_capacity > 0 {
            format!("{} / {}", l.queue_len, l.queue_capacity)
        } else {
            l.queue_len.to_string()
        });
        ui.end_row();
        ui.label("In flight");
        ui.label(l.in_flight.to_string());
        ui.end_row();
        ui.label("Throughput");
        ui.label(format!("{}/s", format::rate(l.throughput_rps)));
        ui.end_row();
        ui.label("p99");
        ui.label(format::ms(l.p99_ms));
        ui.end_row();
    });
}

/// Scenario-level settings (nothing selected).
fn scenario_ui(ui: &mut Ui, s: &Scenario, problems: &[Problem], out: &mut Vec<Command>, t: &Theme) {
    ui.heading("Scenario");
    ui.add_space(4.0);
    let (mut name, mut description, mut duration, mut warmup, mut seed) = (
        s.name.clone(),
        s.description.clone(),
        s.duration_s,
        s.warmup_s,
        s.seed,
    );
    let mut changed = false;
    egui::Grid::new("meta")
        .num_columns(2)
        .spacing([10.0, 8.0])
        .show(ui, |ui| {
            changed |= row(ui, "Name", "Display name", |ui| {
                ui.text_edit_singleline(&mut name)
            });
            changed |= row(ui, "Duration", "Simulated time to run", |ui| {
                ui.add(
                    DragValue::new(&mut duration)
                        .clamp_existing_to_range(false)
                        .speed(1.0)
                        .range(0.1..=604_800.0)
                        .suffix(" s"),
                )
            });
            changed |= row(
                ui,
                "Warm-up",
                "Initial time left out of the summary",
                |ui| {
                    ui.add(
                        DragValue::new(&mut warmup)
                            .clamp_existing_to_range(false)
                            .speed(0.5)
                            .range(0.0..=604_800.0)
                            .suffix(" s"),
                    )
                },
            );
            changed |= row(ui, "Seed", "Same scenario + seed = same results", |ui| {
                ui.add(DragValue::new(&mut seed).clamp_existing_to_range(false))
            });
        });
    ui.add_space(4.0);
    let l = ui.label("Description");
    changed |= ui
        .add(
            egui::TextEdit::multiline(&mut description)
                .desired_rows(6)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id)
        .changed();
    if changed {
        out.push(Command::Edit(Edit::SetMeta {
            name,
            description,
            duration_s: duration,
            warmup_s: warmup,
            seed,
        }));
    }
    problems_ui(ui, problems, "scenario", t);
    ui.add_space(theme::SECTION_GAP);
    ui.label(
        RichText::new(format!(
            "{} nodes, {} connections. Select a node or connection to edit it.",
            s.nodes.len(),
            s.edges.len()
        ))
        .weak(),
    );
}
