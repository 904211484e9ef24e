//! The inspector's panel for one node: its kind and name, then collapsible sections (Parameters, Figures:
//! the live numbers, Cost, Faults; the last two closed at first) so that a selected node's panel fits a 1280x800 window; a section's open
//! state is remembered by egui between frames and selections.

use egui::{DragValue, Slider, SliderClamping, Ui};

use crate::model::{
    Arrival, CacheParams, ClientParams, DatabaseParams, KindTag, LbPolicy, LoadBalancerParams,
    NodeKind, Problem, QueueParams, Scenario, ServiceParams,
};

use super::command::Command;
use super::dist_ui::dist_ui;
use super::edit::Edit;
use super::inspector::{Inspector, classes_ui, cost_ui, live_ui, problems_ui};
use super::rows::{count, prob, row};
use super::runner::Runner;
use super::theme::{self, Theme};

impl Inspector {
    #[allow(
        clippy::too_many_arguments,
        reason = "the node's panel reads the scenario, the run, the problems and the theme, and writes commands"
    )]
    pub(super) fn node_ui(
        &mut self,
        ui: &mut Ui,
        s: &Scenario,
        id: &str,
        runner: &Runner,
        problems: &[Problem],
        out: &mut Vec<Command>,
        t: &Theme,
    ) {
        let Some(node) = s.node(id) else { return };
        let kind = node.kind.tag();
        self.name_ui(ui, id, kind, out);
        super::topology_ui::zone_row_ui(ui, s, id, out);
        let mut k = node.kind.clone();
        let classes = super::resilience_ui::scenario_classes(s);
        let changed = egui::CollapsingHeader::new("Parameters")
            .default_open(true)
            .show(ui, |ui| {
                let mut changed = egui::Grid::new("params")
                    .num_columns(2)
                    .spacing([10.0, 8.0])
                    .show(ui, |ui| kind_rows(ui, &mut k, &classes))
                    .inner;
                ui.add_space(theme::SECTION_GAP);
                changed |= distributions_ui(ui, &mut k);
                changed
            })
            .body_returned
            .unwrap_or(false);
        if changed {
            out.push(Command::Edit(Edit::SetKind {
                id: id.to_owned(),
                kind: k,
            }));
        }
        problems_ui(ui, problems, &format!("node '{id}'"), t);
        // The live numbers while a run goes on; the cost (two lines and the Optimize buttons) on request.
        egui::CollapsingHeader::new("Figures")
            .default_open(true)
            .show(ui, |ui| live_ui(ui, runner, id));
        if kind != KindTag::Client {
            egui::CollapsingHeader::new("Cost")
                .default_open(false)
                .show(ui, |ui| cost_ui(ui, s, id, runner, out));
        }
        egui::CollapsingHeader::new("Faults")
            .default_open(false)
            .show(ui, |ui| {
                super::faults_ui::inject_ui(
                    ui,
                    &mut self.fault,
                    id,
                    super::faults_ui::FaultSite::Node(&node.kind),
                    &s.faults,
                    runner,
                    out,
                );
            });
        ui.add_space(theme::SECTION_GAP);
        ui.horizontal(|ui| {
            if ui.button("Duplicate").on_hover_text("Ctrl+D").clicked() {
                out.push(Command::DuplicateSelection);
            }
            if ui.button("Delete").on_hover_text("Del").clicked() {
                out.push(Command::DeleteSelection);
            }
        });
    }

    /// The node's icon, kind and name field (typed into a buffer, committed on Enter or focus loss).
    fn name_ui(&mut self, ui: &mut Ui, id: &str, kind: KindTag, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(26.0, 26.0), egui::Sense::hover());
            super::icons::paint_icon(ui.painter(), kind, rect, theme::kind_color(kind));
            ui.heading(theme::kind_label(kind));
        });
        ui.add_space(4.0);
        // Name: typed into a buffer, committed on Enter or focus loss.
        if self.rename.as_ref().is_none_or(|(of, _)| of != id) {
            self.rename = Some((id.to_owned(), id.to_owned()));
        }
        let mut commit = None;
        if let Some((_, text)) = self.rename.as_mut() {
            ui.horizontal(|ui| {
                let l = ui.label("Name");
                let r = ui
                    .add(egui::TextEdit::singleline(text).desired_width(160.0))
                    .labelled_by(l.id)
                    .on_hover_text("F2 or double-click a node to rename");
                if self.focus_rename {
                    r.request_focus();
                    self.focus_rename = false;
                }
                if r.lost_focus() && text != id {
                    commit = Some(text.clone());
                }
            });
        }
        if let Some(new) = commit {
            self.rename = None;
            out.push(Command::Edit(Edit::Rename {
                old: id.to_owned(),
                new,
            }));
        }
    }
}

/// The kind's parameter rows in the two-column grid; returns whether one changed.
fn kind_rows(ui: &mut Ui, k: &mut NodeKind, classes: &[String]) -> bool {
    match k {
        NodeKind::Client(c) => client_rows(ui, c),
        NodeKind::Service(sv) => service_rows(ui, sv, classes),
        NodeKind::LoadBalancer(lb) => balancer_rows(ui, lb),
        NodeKind::Cache(c) => cache_rows(ui, c),
        NodeKind::Database(d) => database_rows(ui, d, classes),
        NodeKind::RateLimiter(r) => super::resilience_ui::limiter_rows_ui(ui, r),
        NodeKind::Gateway(g) => super::gateway_ui::gateway_rows_ui(ui, g),
        NodeKind::Queue(q) => queue_rows(ui, q),
    }
}

/// A client's rows: rate, arrivals, timeout, retries.
fn client_rows(ui: &mut Ui, c: &mut ClientParams) -> bool {
    let mut changed = false;
    changed |= row(
        ui,
        "Rate",
        "Mean arrival rate (multiplied by the load slider)",
        |ui| {
            ui.add(
                Slider::new(&mut c.rate_rps, 0.0..=100_000.0)
                    .logarithmic(true)
                    .suffix(" req/s")
                    .clamping(SliderClamping::Never),
            )
        },
    );
    let names = ["Poisson", "Constant", "Bursty", "Batch", "Closed loop"];
    let cur = match c.arrival {
        Arrival::Poisson => 0,
        Arrival::Constant => 1,
        Arrival::Bursty { .. } => 2,
        Arrival::Batch { .. } => 3,
        Arrival::ClosedLoop { .. } => 4,
    };
    let l = ui.label("Arrivals");
    egui::ComboBox::from_id_salt("arrival")
        .selected_text(names[cur])
        .show_ui(ui, |ui| {
            for (i, n) in names.iter().enumerate() {
                if ui.selectable_label(i == cur, *n).clicked() && i != cur {
                    c.arrival = match i {
                        0 => Arrival::Poisson,
                        1 => Arrival::Constant,
                        3 => Arrival::Batch { count: 100 },
                        4 => super::traffic_ui::default_closed_loop(),
                        _ => Arrival::Bursty {
                            on_s: 5.0,
                            off_s: 5.0,
                        },
                    };
                    changed = true;
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed |= super::resilience_ui::batch_row_ui(ui, &mut c.arrival);
    changed |= super::traffic_ui::closed_loop_rows_ui(ui, &mut c.arrival);
    if c.arrival == Arrival::Poisson {
        changed |= super::traffic_ui::profile_rows_ui(ui, &mut c.profile);
    } else if c.profile.is_some() {
        // A profile shapes Poisson arrivals only: switching away drops it.
        c.profile = None;
        changed = true;
    }
    if let Arrival::Bursty { on_s, off_s } = &mut c.arrival {
        changed |= row(ui, "  burst on", "Seconds of traffic per burst", |ui| {
            ui.add(
                DragValue::new(on_s)
                    .clamp_existing_to_range(false)
                    .speed(0.1)
                    .range(0.001..=3600.0)
                    .suffix(" s"),
            )
        });
        changed |= row(
            ui,
            "  burst off",
            "Seconds of silence between bursts",
            |ui| {
                ui.add(
                    DragValue::new(off_s)
                        .clamp_existing_to_range(false)
                        .speed(0.1)
                        .range(0.0..=3600.0)
                        .suffix(" s"),
                )
            },
        );
    }
    let mut has_timeout = c.timeout_ms.is_some();
    let l = ui.label("Timeout");
    ui.horizontal(|ui| {
        if ui
            .checkbox(&mut has_timeout, "")
            .labelled_by(l.id)
            .changed()
        {
            c.timeout_ms = has_timeout.then_some(1000.0);
            changed = true;
        }
        if let Some(tm) = c.timeout_ms.as_mut() {
            changed |= ui
                .add(
                    DragValue::new(tm)
                        .clamp_existing_to_range(false)
                        .speed(10.0)
                        .range(0.001..=3_600_000.0)
                        .suffix(" ms"),
                )
                .labelled_by(l.id)
                .changed();
        }
    });
    ui.end_row();
    changed |= super::resilience_ui::retry_rows_ui(ui, &mut c.retry);
    changed
}

/// A service's rows: capacity, queueing, errors.
fn service_rows(ui: &mut Ui, sv: &mut ServiceParams, classes: &[String]) -> bool {
    let mut changed = false;
    changed |= count(
        ui,
        "Replicas",
        "Identical instances; arrivals go round-robin",
        &mut sv.replicas,
        64,
    );
    changed |= count(
        ui,
        "Workers",
        "Concurrent requests per replica (held during downstream calls)",
        &mut sv.workers,
        256,
    );
    changed |= count(
        ui,
        "Queue",
        "Waiting requests per replica before rejecting",
        &mut sv.queue_capacity,
        10_000,
    );
    changed |= super::resilience_ui::discipline_row_ui(ui, &mut sv.queue_discipline);
    changed |= super::resilience_ui::class_priority_rows_ui(
        ui,
        sv.queue_discipline,
        &mut sv.class_priority,
        classes,
    );
    changed |= prob(
        ui,
        "Error rate",
        "Probability a request fails here",
        &mut sv.error_probability,
    );
    changed |= super::calls_ui::pattern_row_ui(ui, &mut sv.calls);
    changed
}

/// A load balancer's row: its policy.
fn balancer_rows(ui: &mut Ui, lb: &mut LoadBalancerParams) -> bool {
    let mut changed = false;
    let l = ui.label("Policy");
    egui::ComboBox::from_id_salt("policy")
        .selected_text(format!("{:?}", lb.policy))
        .show_ui(ui, |ui| {
            for p in LbPolicy::ALL {
                changed |= ui
                    .selectable_value(&mut lb.policy, p, format!("{p:?}"))
                    .changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed
}

/// A cache's rows: hit ratio, capacity and write path.
fn cache_rows(ui: &mut Ui, c: &mut CacheParams) -> bool {
    let mut changed = false;
    changed |= prob(
        ui,
        "Hit ratio",
        "Share of lookups answered here",
        &mut c.hit_ratio,
    );
    changed |= count(ui, "Workers", "Concurrent lookups", &mut c.workers, 1024);
    changed |= count(
        ui,
        "Queue",
        "Waiting lookups before rejecting",
        &mut c.queue_capacity,
        100_000,
    );
    changed |= super::cache_keys_ui::cache_keys_rows_ui(ui, c);
    changed |= super::cache_write_ui::cache_write_rows_ui(ui, c);
    changed
}

/// A database's rows: pool, replicas (per shard when sharded), queueing, optimistic writes, shards.
fn database_rows(ui: &mut Ui, d: &mut DatabaseParams, classes: &[String]) -> bool {
    let mut changed = false;
    changed |= count(
        ui,
        "Pool size",
        "Connections per instance (concurrent queries)",
        &mut d.pool_size,
        256,
    );
    let replicas = d.read_replicas;
    changed |= count(
        ui,
        "Read replicas",
        "Reads spread over these; writes go to the primary (with a quorum: every instance is a replica)",
        &mut d.read_replicas,
        16,
    );
    if d.read_replicas != replicas {
        super::replication_ui::follow_replicas(d);
    }
    changed |= count(
        ui,
        "Queue",
        "Waiting queries per instance before rejecting",
        &mut d.queue_capacity,
        10_000,
    );
    changed |= super::resilience_ui::discipline_row_ui(ui, &mut d.queue_discipline);
    changed |= super::resilience_ui::class_priority_rows_ui(
        ui,
        d.queue_discipline,
        &mut d.class_priority,
        classes,
    );
    changed |= super::shards_ui::database_options_ui(ui, d);
    changed |= super::idempotency_ui::database_rows_ui(ui, d);
    changed |= super::replication_ui::database_rows_ui(ui, d);
    changed
}

/// A queue's rows: its capacity, at-least-once delivery and the partitioned log.
fn queue_rows(ui: &mut Ui, q: &mut QueueParams) -> bool {
    let mut changed = false;
    changed |= count(
        ui,
        "Capacity",
        "Messages held before rejecting",
        &mut q.capacity,
        1_000_000,
    );
    changed |= super::idempotency_ui::queue_rows_ui(ui, q);
    changed |= super::topic_ui::topic_rows_ui(ui, q);
    changed
}

/// The kind's time distributions (and a database's write classes, a client's request classes).
fn distributions_ui(ui: &mut Ui, k: &mut NodeKind) -> bool {
    let mut changed = false;
    match k {
        NodeKind::Service(sv) => changed |= dist_ui(ui, "Service time", &mut sv.service_time_ms),
        NodeKind::Cache(c) => changed |= dist_ui(ui, "Lookup time", &mut c.hit_latency_ms),
        NodeKind::Database(d) => {
            changed |= dist_ui(ui, "Read time", &mut d.read_time_ms);
            changed |= dist_ui(ui, "Write time", &mut d.write_time_ms);
            if let Some(r) = d.replication.as_deref_mut() {
                changed |= dist_ui(ui, "Replication lag", &mut r.lag_ms);
            }
            let mut text = d.write_classes.join(", ");
            ui.horizontal(|ui| {
                let l = ui.label("Write classes");
                if ui
                    .text_edit_singleline(&mut text)
                    .labelled_by(l.id)
                    .on_hover_text("Comma-separated request classes that are writes")
                    .changed()
                {
                    d.write_classes = text
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect();
                    changed = true;
                }
            });
        }
        NodeKind::Queue(q) => changed |= dist_ui(ui, "Store time", &mut q.ack_latency_ms),
        NodeKind::Gateway(g) => changed |= super::gateway_ui::gateway_dists_ui(ui, g),
        NodeKind::Client(c) => changed |= classes_ui(ui, &mut c.classes),
        NodeKind::LoadBalancer(_) | NodeKind::RateLimiter(_) => {}
    }
    changed
}
