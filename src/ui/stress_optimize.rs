//! The stress window's "Optimize" tab: the cheapest design that holds the SLO at a load. Knobs come from
//! the defaults (every service's replicas, every database's read replicas) or from the inspector's "Vary
//! in Optimize"; the search (`crate::analysis::optimize`) runs on its own thread natively and, in the
//! browser (no threads), a few thousand events at a time within each frame's budget
//! (`crate::analysis::optimize_step`); the frontier of cost against p99 is plotted and the chosen design
//! applies as undoable edits.

use egui::{RichText, Ui};
use egui_plot::{HLine, Line, Plot, PlotPoints, Points};

use crate::analysis::optimize::{Knob, OptimizeResult, OptimizeSpec, default_knobs, optimize};
use crate::analysis::optimize_step::OptimizeStepper;
use crate::analysis::sweep::{Warmup, spaced};
use crate::model::Scenario;

use super::command::Command;
use super::job::{Job, SliceStats};
use super::theme::{Theme, chart};

/// One knob as the person set it: `NODE.FIELD` from `lo` to `hi` (every whole number when both are).
#[derive(Clone, Debug, PartialEq)]
pub struct KnobRow {
    /// `NODE.FIELD`.
    pub field: String,
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
}

impl KnobRow {
    fn knob(&self) -> Knob {
        let (lo, hi) = (self.lo.min(self.hi), self.lo.max(self.hi));
        let values = if lo.fract() == 0.0 && hi.fract() == 0.0 && hi - lo <= 500.0 {
            (lo as i64..=hi as i64).map(|v| v as f64).collect()
        } else {
            spaced(lo, hi, 8, false)
        };
        Knob {
            field: self.field.clone(),
            values,
        }
    }
}

/// The search's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizeForm {
    /// Load multiplier the SLO must hold at.
    pub load: f64,
    /// p99 bound, ms.
    pub slo_p99_ms: f64,
    /// Failure share bound.
    pub slo_errors: f64,
    /// Replications per simulated candidate.
    pub replications: u32,
    /// Quick runs (at most 10 simulated seconds, 2 of warm-up, as `archsim optimize` without `--full`)
    /// rather than the scenario's own duration.
    pub quick: bool,
    /// What varies; empty means the defaults.
    pub knobs: Vec<KnobRow>,
}

impl Default for OptimizeForm {
    fn default() -> Self {
        Self {
            load: 10.0,
            slo_p99_ms: 200.0,
            slo_errors: 0.001,
            replications: 3,
            quick: true,
            knobs: Vec::new(),
        }
    }
}

impl OptimizeForm {
    /// The scenario the search simulates: `scenario` with quick runs if asked for.
    pub fn run_scenario(&self, scenario: &Scenario) -> Scenario {
        if self.quick {
            crate::analysis::sweep::quick(scenario)
        } else {
            scenario.clone()
        }
    }

    /// The search these settings describe for `scenario`.
    pub fn spec(&self, scenario: &Scenario) -> OptimizeSpec {
        let knobs = if self.knobs.is_empty() {
            default_knobs(scenario, self.load)
        } else {
            self.knobs.iter().map(KnobRow::knob).collect()
        };
        OptimizeSpec {
            load: self.load,
            slo_p99_ms: self.slo_p99_ms,
            slo_error_rate: self.slo_errors,
            knobs,
            replications: self.replications.max(1),
            warmup: Warmup::Scenario,
            finalists: 4,
            frontier: 6,
        }
    }
}

/// The search as a background job: [`optimize`] natively, its stepper in the browser.
fn search_job(scenario: Scenario, spec: OptimizeSpec) -> Job<OptimizeResult> {
    let (s, sp) = (scenario.clone(), spec.clone());
    Job::start(
        "archsim-optimize",
        move |progress, cancel| optimize(&s, &sp, &|p| progress(p.done, p.total), cancel),
        move || OptimizeStepper::new(&scenario, &spec),
    )
}

/// The Optimize tab's state.
#[derive(Default)]
pub struct OptimizePanel {
    /// Settings.
    pub form: OptimizeForm,
    job: Option<Job<OptimizeResult>>,
    result: Option<OptimizeResult>,
    status: Option<String>,
    /// What the browser's frames spent on the current or last search (all zero natively).
    slices: SliceStats,
}

impl OptimizePanel {
    /// Forgets the last result (the design it was for was replaced); a search in progress is cancelled.
    pub fn clear_results(&mut self) {
        if let Some(j) = &self.job {
            j.cancel();
        }
        self.job = None;
        self.result = None;
        self.status = None;
    }

    /// Is a search running?
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The last finished search.
    pub fn result(&self) -> Option<&OptimizeResult> {
        self.result.as_ref()
    }

    /// What the browser's frames spent on the current or last search (natively the search has its own
    /// thread and all are 0).
    pub fn slice_stats(&self) -> SliceStats {
        self.slices
    }

    /// The search's state for the browser test hook (`archsim_state().optimize`).
    pub fn web_state(&self) -> serde_json::Value {
        let (done, total) = self.job.as_ref().map_or((0, 0), Job::progress);
        let chosen = self.result.as_ref().and_then(|r| r.chosen());
        serde_json::json!({
            "running": self.job.is_some(),
            "done": done,
            "total": total,
            "slices": self.slices.frames,
            "max_slice_ms": self.slices.max_ms,
            "total_slice_ms": self.slices.total_ms,
            "status": self.status,
            "chosen": chosen.map(|c| c.candidate.sets.clone()),
            "monthly_cost": chosen.map(|c| c.candidate.monthly_cost),
            "p99_ms": chosen.map(|c| c.p99_ms),
            "simulated": self.result.as_ref().map(|r| r.finalists.len()),
        })
    }

    /// Why the last search has no result, in words.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Adds a knob (from the inspector): `NODE.FIELD`, from 1 (0 for read replicas) to four times its
    /// current value (at least 8). Replaces a knob on the same field.
    pub fn add_knob(&mut self, scenario: &Scenario, field: &str) {
        let current = current_value(scenario, field).unwrap_or(1.0);
        let lo = if field.ends_with("read_replicas") {
            0.0
        } else {
            1.0
        };
        let hi = (current * 4.0).max(8.0).round();
        self.form.knobs.retain(|k| k.field != field);
        self.form.knobs.push(KnobRow {
            field: field.to_owned(),
            lo,
            hi,
        });
    }

    /// Starts a search of `scenario` with the form's settings.
    pub fn start(&mut self, scenario: &Scenario) {
        if let Some(j) = &self.job {
            j.cancel();
        }
        let s = self.form.run_scenario(scenario);
        let spec = self.form.spec(&s);
        self.job = Some(search_job(s, spec));
        self.status = None;
        self.slices = SliceStats::default();
    }

    /// Moves the search on; call once a frame. `budget_s`: wall time the browser may spend on it.
    pub fn tick(&mut self, budget_s: f64) {
        let Some(job) = self.job.as_mut() else { return };
        let polled = job.poll(budget_s);
        self.slices = job.stats();
        let Some(out) = polled else { return };
        self.job = None;
        match out {
            Ok(r) => {
                self.status = r.chosen.is_none().then(|| {
                    "No simulated design meets the SLO: widen the knobs' ranges or relax the SLO."
                        .to_owned()
                });
                self.result = Some(r);
            }
            Err(e) if e == "cancelled" => self.status = Some("Cancelled.".into()),
            Err(e) => self.status = Some(format!("The search stopped: {e}")),
        }
    }

    /// The tab's contents.
    /// `applied`: what the last Apply changed, shown under the answer so the person sees it took.
    pub fn optimize_ui(
        &mut self,
        ui: &mut Ui,
        scenario: &Scenario,
        design: u64,
        applied: Option<&str>,
        out: &mut Vec<Command>,
    ) {
        let t = Theme::from_visuals(ui.visuals());
        self.form_ui(ui, scenario);
        ui.horizontal(|ui| {
            if let Some(job) = &self.job {
                let (d, n) = job.progress();
                let text = if n == 0 {
                    "Costing every design with the flow model…".to_owned()
                } else {
                    format!("{d} of {n} designs simulated so far")
                };
                ui.add(
                    egui::ProgressBar::new(d as f32 / n.max(1) as f32)
                        .desired_width(300.0)
                        .text(text),
                );
                if ui.button("Cancel").on_hover_text("Stop the search").clicked() {
                    job.cancel();
                }
            } else if ui
                .button(RichText::new("Find cheapest").strong())
                .on_hover_text(
                    "Cost every combination of the knobs, rule out the overloaded ones with the flow \
                     model, and simulate the cheapest until two meet the SLO",
                )
                .clicked()
            {
                self.start(scenario);
            }
            if let Some(s) = &self.status {
                ui.label(RichText::new(s.clone()).color(t.warn));
            }
        });
        ui.separator();
        let Some(r) = &self.result else {
            ui.label(
                RichText::new(
                    "Find the cheapest design that holds the SLO at the load: its monthly cost, its p99 with \
                     its interval, the runner-up and the frontier of cost against p99.",
                )
                .weak(),
            );
            return;
        };
        result_ui(ui, r, design, out, &t);
        if let Some(a) = applied {
            ui.label(RichText::new(a).color(t.ok));
            ui.label(
                RichText::new(format!(
                    "Edit > Undo (Ctrl+Z) takes it back. \"Run it at the load\" runs the main view at {}x to \
                     measure it.",
                    r.spec.load
                ))
                .weak(),
            );
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, scenario: &Scenario) {
        let f = &mut self.form;
        egui::Grid::new("optimize_form")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("At load");
                ui.add(
                    egui::DragValue::new(&mut f.load)
                        .range(0.1..=100.0)
                        .speed(0.1)
                        .suffix("x"),
                );
                ui.end_row();
                ui.label("SLO p99");
                ui.add(
                    egui::DragValue::new(&mut f.slo_p99_ms)
                        .range(1.0..=60_000.0)
                        .suffix(" ms"),
                );
                ui.end_row();
                ui.label("SLO failures");
                let mut pct = f.slo_errors * 100.0;
                if ui
                    .add(
                        egui::DragValue::new(&mut pct)
                            .range(0.0..=100.0)
                            .speed(0.01)
                            .suffix(" %"),
                    )
                    .changed()
                {
                    f.slo_errors = pct / 100.0;
                }
                ui.end_row();
                ui.label("Replications");
                ui.add(egui::DragValue::new(&mut f.replications).range(1..=20));
                ui.end_row();
                ui.label("Runs");
                ui.horizontal(|ui| {
                    let quick = format!(
                        "Quick ({} s)",
                        crate::analysis::sweep::QUICK_DURATION_S.min(scenario.duration_s)
                    );
                    ui.selectable_value(&mut f.quick, true, quick).on_hover_text(
                        "Each replication simulates at most 10 s (2 s of warm-up), as `archsim optimize` \
                         does: the answer in seconds, its p99 interval a little wider",
                    );
                    ui.selectable_value(
                        &mut f.quick,
                        false,
                        format!("Full ({} s)", scenario.duration_s),
                    )
                    .on_hover_text("Each replication simulates the scenario's whole duration");
                });
                ui.end_row();
            });
        ui.add_space(4.0);
        ui.strong("Knobs");
        if f.knobs.is_empty() {
            let names: Vec<String> = default_knobs(scenario, f.load)
                .iter()
                .map(|k| {
                    format!(
                        "{} {}..{}",
                        k.field,
                        k.values.first().copied().unwrap_or(0.0),
                        k.values.last().copied().unwrap_or(0.0)
                    )
                })
                .collect();
            ui.label(
                RichText::new(format!(
                    "Defaults: {} (add your own with \"Vary in Optimize\" in the inspector)",
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                ))
                .weak(),
            );
        }
        let mut remove = None;
        for (i, k) in f.knobs.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.label(&k.field);
                ui.add(egui::DragValue::new(&mut k.lo).range(0.0..=1_000_000.0));
                ui.label("to");
                ui.add(egui::DragValue::new(&mut k.hi).range(0.0..=1_000_000.0));
                if ui
                    .small_button("Remove")
                    .on_hover_text("Remove this knob")
                    .clicked()
                {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            f.knobs.remove(i);
        }
    }
}

/// The current value of `NODE.FIELD` (through the same JSON view `--set` uses).
fn current_value(s: &Scenario, field: &str) -> Option<f64> {
    let (node, path) = field.split_once('.')?;
    let kind = serde_json::to_value(&s.node(node)?.kind).ok()?;
    let mut v = kind.as_object()?.values().next()?.clone();
    for part in path.split('.') {
        v = v.get(part)?.clone();
    }
    v.as_f64()
}

fn money(x: f64, cur: &str) -> String {
    format!("{x:.2} {cur}")
}

fn result_ui(ui: &mut Ui, r: &OptimizeResult, design: u64, out: &mut Vec<Command>, t: &Theme) {
    let cur = r.currency.as_str();
    let p99 = |f: &crate::analysis::optimize::Finalist| match f.p99_half_width_ms {
        Some(h) => format!("{:.1} ± {:.1} ms", f.p99_ms, h),
        None => format!("{:.1} ms", f.p99_ms),
    };
    if let Some(c) = r.chosen() {
        ui.label(RichText::new(format!("Cheapest: {}", c.candidate.sets.join(", "))).strong());
        ui.label(format!(
            "{} per month (as designed: {}), p99 {}, failures {:.3}%, busiest {} at {:.0}%",
            money(c.candidate.monthly_cost, cur),
            money(r.baseline_monthly_cost, cur),
            p99(c),
            c.failure_rate * 100.0,
            c.busiest_node,
            c.busiest_utilization * 100.0
        ));
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new("Apply chosen").strong())
                .on_hover_text("Change the design to this configuration (undo with Ctrl+Z)")
                .clicked()
            {
                out.push(Command::ApplyFix {
                    sets: c.candidate.sets.clone(),
                    design,
                });
            }
            if ui
                .button("Run it at the load")
                .on_hover_text("Apply it and run the main view at the search's load")
                .clicked()
            {
                out.push(Command::ApplyFix {
                    sets: c.candidate.sets.clone(),
                    design,
                });
                out.push(Command::OpenRun {
                    load: r.spec.load,
                    set: None,
                    design,
                });
            }
        });
    }
    if let Some(c) = r.runner_up() {
        ui.label(format!(
            "Runner-up: {}: {} per month, p99 {}",
            c.candidate.sets.join(", "),
            money(c.candidate.monthly_cost, cur),
            p99(c)
        ));
    }
    ui.label(
        RichText::new(format!(
            "{} designs: {} ruled out by the flow model, {} simulated.",
            r.candidates,
            r.pruned,
            r.finalists.len()
        ))
        .weak(),
    );
    let all: Vec<[f64; 2]> = r
        .finalists
        .iter()
        .filter(|f| f.p99_ms.is_finite())
        .map(|f| [f.candidate.monthly_cost, f.p99_ms])
        .collect();
    let frontier: Vec<[f64; 2]> = r
        .frontier
        .iter()
        .map(|&i| [r.finalists[i].candidate.monthly_cost, r.finalists[i].p99_ms])
        .collect();
    let chosen: Vec<[f64; 2]> = r
        .chosen()
        .map(|c| vec![[c.candidate.monthly_cost, c.p99_ms]])
        .unwrap_or_default();
    Plot::new("optimize_frontier")
        .height(220.0)
        .x_axis_label(format!("cost per month, {cur}"))
        .y_axis_label("p99, ms")
        .legend(egui_plot::Legend::default())
        .show(ui, |p| {
            p.points(
                Points::new("simulated", PlotPoints::from(all))
                    .color(chart::OFFERED)
                    .radius(3.0),
            );
            p.line(
                Line::new("frontier", PlotPoints::from(frontier))
                    .color(chart::P99)
                    .width(2.0),
            );
            p.points(
                Points::new("chosen", PlotPoints::from(chosen))
                    .color(t.ok)
                    .radius(6.0),
            );
            p.hline(HLine::new("SLO p99", r.spec.slo_p99_ms).color(t.warn));
        });
    egui::CollapsingHeader::new(format!(
        "The frontier: {} designs, each cheaper than every design with a lower p99",
        r.frontier.len()
    ))
    .id_salt("optimize_frontier_list")
    .show(ui, |ui| {
        egui::Grid::new("optimize_frontier_grid")
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                ui.strong("per month");
                ui.strong("p99");
                ui.strong("failures");
                ui.strong("design");
                ui.end_row();
                for &i in &r.frontier {
                    let f = &r.finalists[i];
                    ui.label(money(f.candidate.monthly_cost, cur));
                    ui.label(p99(f));
                    ui.label(format!("{:.3}%", f.failure_rate * 100.0));
                    let mark = if Some(i) == r.chosen {
                        "  (chosen)"
                    } else {
                        ""
                    };
                    ui.label(format!("{}{mark}", f.candidate.sets.join(", ")));
                    ui.end_row();
                }
            });
    });
}
