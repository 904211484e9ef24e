//! The "Stress test" window: sweep the load (or one node parameter) in the background, plot the curves
//! with their confidence bands, the SLO and the breaking points, compare two variants, and explain what
//! broke first. The numbers all come from `crate::analysis`; this file only asks and shows.

use egui::{RichText, Ui};

use crate::analysis::capacity::Slo;
use crate::analysis::explain::{Explanation, Fix, explain_run, explain_sweep, fixes_for};
use crate::analysis::flow::FlowModel;
use crate::analysis::sweep::{Axis, SweepResult, SweepSpec, Warmup, spaced};
use crate::metrics::Report;
use crate::model::Scenario;

use super::command::Command;
use super::job::{self, Job, SliceStats};
use super::stress_compare::ComparePanel;
use super::theme::Theme;

/// The window's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StressTab {
    /// Load or parameter sweep.
    #[default]
    Sweep,
    /// Two variants side by side.
    Compare,
    /// "What broke first".
    Explain,
    /// The cheapest design that holds the SLO.
    Optimize,
}

/// What the sweep varies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SweepKind {
    /// The load multiplier.
    #[default]
    Load,
    /// One numeric field of one node.
    Param,
}

/// The sweep's settings as the person typed them.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepForm {
    /// Load or parameter.
    pub kind: SweepKind,
    /// First load multiplier.
    pub load_start: f64,
    /// Last load multiplier.
    pub load_end: f64,
    /// Number of points.
    pub points: usize,
    /// Evenly spaced in ratio instead of difference.
    pub log: bool,
    /// Node whose field is swept.
    pub node: String,
    /// The field, as in `--set NODE.FIELD=...` (e.g. `replicas`).
    pub field: String,
    /// First value of the field.
    pub value_start: f64,
    /// Last value of the field.
    pub value_end: f64,
    /// Load multiplier of a parameter sweep.
    pub param_load: f64,
    /// Replications per point.
    pub replications: u32,
    /// SLO: end-to-end p99, ms.
    pub slo_p99_ms: f64,
    /// SLO: failed, timed out and rejected share of offered requests.
    pub slo_errors: f64,
    /// Hold every profiled client at its profile's peak rate (`archsim sweep --at-peak`); ignored when
    /// no client has a profile.
    pub at_peak: bool,
}

impl Default for SweepForm {
    fn default() -> Self {
        Self {
            kind: SweepKind::Load,
            load_start: 0.5,
            load_end: 20.0,
            points: 12,
            log: true,
            node: String::new(),
            field: "replicas".into(),
            value_start: 1.0,
            value_end: 8.0,
            param_load: 10.0,
            replications: 3,
            slo_p99_ms: 200.0,
            slo_errors: 0.001,
            at_peak: false,
        }
    }
}

impl SweepForm {
    /// The sweep these settings describe.
    pub fn spec(&self) -> SweepSpec {
        let n = self.points.max(1);
        let axis = match self.kind {
            SweepKind::Load => Axis::Load(spaced(
                self.load_start,
                self.load_end,
                n,
                self.log && self.load_start > 0.0,
            )),
            SweepKind::Param => {
                let integer = self.value_start.fract() == 0.0 && self.value_end.fract() == 0.0;
                let mut values = spaced(self.value_start, self.value_end, n, false);
                if integer {
                    // Counts (replicas, workers, pool sizes) must stay whole; repeated values collapse.
                    values = values.iter().map(|v| v.round()).collect();
                    values.dedup();
                }
                Axis::Param {
                    field: format!("{}.{}", self.node, self.field),
                    values,
                    load: self.param_load,
                }
            }
        };
        SweepSpec {
            axis,
            replications: self.replications.max(1),
            warmup: Warmup::Scenario,
            precision: None,
        }
    }

    /// The SLO.
    pub fn slo(&self) -> Slo {
        Slo {
            p99_ms: self.slo_p99_ms,
            error_rate: self.slo_errors,
        }
    }
}

/// A finished sweep with what the panel derives from it once.
pub struct SweepOutcome {
    /// The design it ran on.
    pub scenario: Scenario,
    /// The library's result.
    pub result: SweepResult,
    /// "What broke first".
    pub explanation: Explanation,
    /// The flow model's end-to-end mean over a fine grid of the x axis, `[x, ms]` (stops where the model
    /// says the design is overloaded).
    pub analytic_curve: Vec<[f64; 2]>,
}

impl SweepOutcome {
    fn new(scenario: Scenario, result: SweepResult) -> Self {
        let explanation = explain_sweep(&scenario, &result);
        let analytic_curve = match &result.spec.axis {
            Axis::Load(v) => {
                let (lo, hi) = (
                    v.iter().copied().fold(f64::INFINITY, f64::min),
                    v.iter().copied().fold(0.0, f64::max),
                );
                FlowModel::new(&scenario).map_or_else(
                    |_| Vec::new(),
                    |m| {
                        spaced(lo, hi, 120, lo > 0.0)
                            .into_iter()
                            .map_while(|x| m.at(x).end_to_end_mean_ms.map(|y| [x, y]))
                            .collect()
                    },
                )
            }
            // Per point: each value is a different design, so the model is rebuilt for each.
            Axis::Param { .. } => result
                .points
                .iter()
                .filter_map(|p| p.analytic.end_to_end_mean_ms.map(|y| [p.value, y]))
                .collect(),
        };
        Self {
            scenario,
            result,
            explanation,
            analytic_curve,
        }
    }

    /// The x value of point `i` (load, or the parameter's value).
    pub fn x(&self, i: usize) -> f64 {
        self.result.points[i].value
    }
}

/// The stress-test window's state.
#[derive(Default)]
pub struct StressPanel {
    /// Shown?
    pub open: bool,
    /// Current tab.
    pub tab: StressTab,
    /// Sweep settings.
    pub form: SweepForm,
    job: Option<Job<SweepResult>>,
    job_scenario: Option<Scenario>,
    outcome: Option<SweepOutcome>,
    /// Why the last sweep has no result, in words.
    status: Option<String>,
    /// The explanation of the last single run (Explain tab).
    run_explanation: Option<Explanation>,
    /// The two-variant comparison.
    pub compare: ComparePanel,
    /// The cheapest-design search.
    pub optimize: super::stress_optimize::OptimizePanel,
    /// The design (`Document::design`) the results above belong to; their commands carry it, so they
    /// are refused on any other design.
    pub design: u64,
    /// Fixes re-sized for the load being viewed, with what they were computed from: (document generation,
    /// load, bottleneck).
    sized: Option<((u64, u64, String), Vec<Fix>)>,
    /// What the last Apply changed, in words (shown above the fixes).
    pub applied: Option<String>,
    /// What the browser's frames spent on the current or last sweep.
    slices: SliceStats,
    /// Sweeps finished so far (the page hook republishes the result when it changes).
    finished: u64,
}

/// What the Explain tab needs to know about the main view.
pub struct Viewing {
    /// The document's generation (bumped by every edit), so fixes are re-sized after one.
    pub generation: u64,
    /// The load multiplier set in the toolbar.
    pub load: f64,
}

impl StressPanel {
    /// A new design replaced the old one (New, Open, preset, link): every result of the old one goes,
    /// a sweep in progress is cancelled, the settings stay.
    pub fn design_replaced(&mut self, design: u64) {
        self.cancel();
        self.job = None;
        self.job_scenario = None;
        self.outcome = None;
        self.status = None;
        self.run_explanation = None;
        self.sized = None;
        self.applied = None;
        self.compare.clear_results();
        self.optimize.clear_results();
        self.design = design;
    }

    /// The last single run's explanation, if the Explain tab holds one.
    pub fn run_explanation(&self) -> Option<&Explanation> {
        self.run_explanation.as_ref()
    }

    /// The fixes the Explain tab offers for `e`, sized for the load being viewed (the flow model
    /// recomputed on the design as it is now), cached until the design or the load changes.
    fn sized_fixes(&mut self, scenario: &Scenario, e: &Explanation, v: &Viewing) -> Vec<Fix> {
        let Some(b) = e.bottleneck.clone() else {
            return e.fixes.clone();
        };
        let key = (v.generation, v.load.to_bits(), b.clone());
        if self.sized.as_ref().map(|(k, _)| k) != Some(&key) {
            let fixes = fixes_for(scenario, &b, v.load);
            self.sized = Some((key, fixes));
        }
        self.sized
            .as_ref()
            .map(|(_, f)| f.clone())
            .unwrap_or_default()
    }
    /// Is a sweep (or a comparison) running?
    pub fn is_running(&self) -> bool {
        self.job.is_some() || self.compare.is_running() || self.optimize.is_running()
    }

    /// The last finished sweep.
    pub fn outcome(&self) -> Option<&SweepOutcome> {
        self.outcome.as_ref()
    }

    /// Status line of the last sweep (e.g. "Cancelled").
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// What the browser's frames spent on the current or last sweep (all zero natively).
    pub fn slice_stats(&self) -> SliceStats {
        self.slices
    }

    /// Sweeps finished so far: changes when [`Self::outcome`] does.
    pub fn finished(&self) -> u64 {
        self.finished
    }

    /// The sweep's state for the browser test hook (`archsim_state().sweep`).
    pub fn web_state(&self) -> serde_json::Value {
        let (done, total) = self.progress().unwrap_or((0, 0));
        let s = self.slices;
        serde_json::json!({
            "running": self.job.is_some(),
            "done": done,
            "total": total,
            "slices": s.frames,
            "max_slice_ms": s.max_ms,
            "total_slice_ms": s.total_ms,
            "frames_after_cancel": s.frames_after_cancel,
            "status": self.status,
            "finished": self.finished,
            "points": self.outcome.as_ref().map(|o| o.result.points.len()),
        })
    }

    /// Replications done and planned, while a sweep runs.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.job.as_ref().map(Job::progress)
    }

    /// Starts a sweep of `scenario` with the form's settings (replacing one in progress).
    pub fn start(&mut self, scenario: &Scenario) {
        if let Some(j) = &self.job {
            j.cancel();
        }
        let swept = if self.form.at_peak {
            crate::analysis::peak::at_peak(scenario).unwrap_or_else(|_| scenario.clone())
        } else {
            scenario.clone()
        };
        self.job = Some(job::sweep(swept.clone(), self.form.spec()));
        self.job_scenario = Some(swept);
        self.status = None;
        self.slices = SliceStats::default();
    }

    /// Stops the sweep in progress.
    pub fn cancel(&mut self) {
        if let Some(j) = &self.job {
            j.cancel();
        }
    }

    /// Moves background work on; call once a frame. `budget_s`: wall time the browser may spend here,
    /// shared by the jobs running.
    pub fn tick(&mut self, budget_s: f64) {
        let running = [
            self.job.is_some(),
            self.compare.is_running(),
            self.optimize.is_running(),
        ];
        let share = budget_s / running.iter().filter(|&&r| r).count().max(1) as f64;
        self.compare.tick(share);
        self.optimize.tick(share);
        let Some(job) = self.job.as_mut() else { return };
        let polled = job.poll(share);
        self.slices = job.stats();
        let Some(out) = polled else {
            return;
        };
        self.job = None;
        let scenario = self.job_scenario.take().unwrap_or_default();
        match out {
            Ok(result) => {
                self.outcome = Some(SweepOutcome::new(scenario, result));
                self.status = None;
                self.finished += 1;
            }
            Err(e) if e == "cancelled" => self.status = Some("Cancelled.".into()),
            Err(e) => self.status = Some(format!("The sweep stopped: {e}")),
        }
    }

    /// Explains the last run (the Explain tab's button and the run's "What broke first?").
    pub fn explain_last_run(&mut self, scenario: &Scenario, report: &Report) {
        self.run_explanation = Some(explain_run(scenario, report));
        self.applied = None;
        self.tab = StressTab::Explain;
        self.open = true;
    }

    /// The window's contents. `last_run`: the scenario and report of the main view's run, if any.
    pub fn stress_ui(
        &mut self,
        ui: &mut Ui,
        scenario: &Scenario,
        last_run: Option<(&Scenario, &Report)>,
        viewing: &Viewing,
        out: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, StressTab::Sweep, "Sweep");
            ui.selectable_value(&mut self.tab, StressTab::Compare, "Compare");
            ui.selectable_value(&mut self.tab, StressTab::Explain, "What broke first");
            ui.selectable_value(&mut self.tab, StressTab::Optimize, "Optimize");
        });
        ui.separator();
        match self.tab {
            StressTab::Sweep => self.sweep_tab_ui(ui, scenario, out),
            StressTab::Compare => {
                self.compare
                    .compare_ui(ui, scenario, self.form.replications, out)
            }
            StressTab::Optimize => {
                self.optimize
                    .optimize_ui(ui, scenario, self.design, self.applied.as_deref(), out)
            }
            StressTab::Explain => {
                if let Some((s, r)) = last_run
                    && ui
                        .button("Explain the last run")
                        .on_hover_text("Read the main view's run: which node saturated, what it did to latency")
                        .clicked()
                {
                    self.run_explanation = Some(explain_run(s, r));
                    self.applied = None;
                }
                // The run's explanation reads the load it ran at; the sweep's, the whole curve. Either way
                // the fixes are re-sized for the load in the toolbar, on the design as it is now.
                let shown = self
                    .run_explanation
                    .clone()
                    .or_else(|| self.outcome.as_ref().map(|o| o.explanation.clone()));
                let fixes = shown
                    .as_ref()
                    .map(|e| self.sized_fixes(scenario, e, viewing))
                    .unwrap_or_default();
                let sweep = self.outcome.as_ref().map(|o| &o.explanation);
                super::stress_explain::explain_tab_ui(
                    ui,
                    &super::stress_explain::ExplainView {
                        sweep,
                        run: self.run_explanation.as_ref(),
                        fixes: &fixes,
                        fixes_load: viewing.load,
                        applied: self.applied.as_deref(),
                        design: self.design,
                    },
                    out,
                );
            }
        }
    }

    fn sweep_tab_ui(&mut self, ui: &mut Ui, scenario: &Scenario, out: &mut Vec<Command>) {
        let t = Theme::from_visuals(ui.visuals());
        super::stress_form::form_ui(ui, &mut self.form, scenario);
        ui.horizontal(|ui| {
            if let Some(job) = &self.job {
                let (done, total) = job.progress();
                let frac = done as f32 / total.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(260.0)
                        .text(format!("{done} / {total} runs")),
                );
                let label = if job.is_cancelling() {
                    "Cancelling…"
                } else {
                    "Cancel"
                };
                if ui.button(label).on_hover_text("Stop the sweep").clicked() {
                    job.cancel();
                }
            } else if ui
                .button(RichText::new("Run sweep").strong())
                .on_hover_text("Run every point with its replications in the background")
                .clicked()
            {
                self.start(scenario);
            }
            if let Some(s) = &self.status {
                ui.label(RichText::new(s.clone()).color(t.warn));
            }
        });
        ui.separator();
        let Some(o) = &self.outcome else {
            ui.label(
                RichText::new(
                    "Run a sweep to see latency and throughput against load, the SLO and the breaking point.",
                )
                .weak(),
            );
            return;
        };
        let slo = self.form.slo();
        if let Some(i) = super::stress_plot::sweep_plots_ui(ui, o, &slo) {
            open_point(o, i, self.design, out);
        }
        ui.add_space(4.0);
        if let Some(i) = super::stress_plot::points_table_ui(ui, o, &slo) {
            open_point(o, i, self.design, out);
        }
    }
}

fn open_point(o: &SweepOutcome, i: usize, design: u64, out: &mut Vec<Command>) {
    let p = &o.result.points[i];
    out.push(Command::OpenRun {
        load: p.load,
        set: p.set.clone(),
        design,
    });
}
