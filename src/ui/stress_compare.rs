//! Compare: two variants (the current design at two loads, or the current design against a kept copy or a
//! preset) run side by side in the background, with their key metrics, the differences coloured better or
//! worse, and their latency and utilization charts next to each other.

use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::analysis::summary::PointResult;
use crate::analysis::sweep::{Axis, SweepResult, SweepSpec, Warmup};
use crate::model::{Scenario, presets};

use super::command::Command;
use super::format;
use super::job::{self, Job};
use super::theme::{Theme, chart};

/// Where a variant's design comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The design being edited.
    Current,
    /// The copy kept with "Keep a copy of the current design".
    Kept,
    /// A preset, by name.
    Preset(String),
}

/// One side of the comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Design.
    pub source: Source,
    /// Load multiplier.
    pub load: f64,
}

/// A finished side: its name and its point.
pub struct Side {
    /// "current design at 10x", ...
    pub label: String,
    /// The measurements.
    pub point: PointResult,
}

/// The Compare tab's state.
pub struct ComparePanel {
    /// Left and right.
    pub variants: [Variant; 2],
    kept: Option<Scenario>,
    jobs: [Option<(Job<SweepResult>, String)>; 2],
    /// Finished sides.
    pub sides: [Option<Side>; 2],
    status: Option<String>,
}

impl Default for ComparePanel {
    fn default() -> Self {
        Self {
            variants: [
                Variant {
                    source: Source::Current,
                    load: 1.0,
                },
                Variant {
                    source: Source::Current,
                    load: 10.0,
                },
            ],
            kept: None,
            jobs: [None, None],
            sides: [None, None],
            status: None,
        }
    }
}

fn source_label(s: &Source) -> String {
    match s {
        Source::Current => "current design".into(),
        Source::Kept => "kept copy".into(),
        Source::Preset(n) => format!("preset {n}"),
    }
}

impl ComparePanel {
    /// Forgets both sides' results (cancelling any still running): the design they ran on is gone. The kept
    /// copy stays, since the person kept it on purpose to compare against.
    pub fn clear_results(&mut self) {
        for (j, _) in self.jobs.iter().flatten() {
            j.cancel();
        }
        self.jobs = [None, None];
        self.sides = [None, None];
        self.status = None;
    }

    /// Is either side running?
    pub fn is_running(&self) -> bool {
        self.jobs.iter().any(Option::is_some)
    }

    /// Moves both sides on.
    pub fn tick(&mut self, budget_s: f64) {
        for i in 0..2 {
            let Some((job, _)) = self.jobs[i].as_mut() else {
                continue;
            };
            let Some(out) = job.poll(budget_s / 2.0) else {
                continue;
            };
            let Some((_, label)) = self.jobs[i].take() else {
                continue;
            };
            match out.and_then(|r| r.points.into_iter().next().ok_or_else(|| "no point".into())) {
                Ok(point) => self.sides[i] = Some(Side { label, point }),
                Err(e) => self.status = Some(format!("{label}: {e}")),
            }
        }
    }

    fn scenario_of(&self, v: &Variant, current: &Scenario) -> Result<Scenario, String> {
        match &v.source {
            Source::Current => Ok(current.clone()),
            Source::Kept => self.kept.clone().ok_or_else(|| "no kept copy yet".into()),
            Source::Preset(n) => presets::load_preset(n)
                .ok_or_else(|| format!("no preset '{n}'"))?
                .map_err(|e| e.to_string()),
        }
    }

    /// Starts both sides.
    pub fn start(&mut self, current: &Scenario, replications: u32) {
        self.status = None;
        for i in 0..2 {
            let v = self.variants[i].clone();
            let label = format!("{} at {:.2}x", source_label(&v.source), v.load);
            match self.scenario_of(&v, current) {
                Ok(s) => {
                    let spec = SweepSpec {
                        axis: Axis::Load(vec![v.load]),
                        replications: replications.max(1),
                        warmup: Warmup::Scenario,
                        precision: None,
                    };
                    self.sides[i] = None;
                    self.jobs[i] = Some((job::sweep(s, spec), label));
                }
                Err(e) => self.status = Some(format!("{label}: {e}")),
            }
        }
    }

    fn variant_ui(&mut self, ui: &mut Ui, i: usize) {
        let name = ["A", "B"][i];
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(name)
                    .strong()
                    .color([chart::VARIANT_A, chart::VARIANT_B][i]),
            );
            let v = &mut self.variants[i];
            let l = ui.label("design");
            egui::ComboBox::from_id_salt(("compare_source", i))
                .selected_text(source_label(&v.source))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut v.source, Source::Current, "current design");
                    if self.kept.is_some() {
                        ui.selectable_value(&mut v.source, Source::Kept, "kept copy");
                    }
                    for p in presets::presets() {
                        ui.selectable_value(
                            &mut v.source,
                            Source::Preset(p.name.into()),
                            format!("preset {}", p.name),
                        );
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("load");
            ui.add(
                egui::DragValue::new(&mut v.load)
                    .range(0.01..=1000.0)
                    .speed(0.1)
                    .suffix("x"),
            )
            .labelled_by(l.id);
            for quick in [1.0, 10.0] {
                if ui.small_button(format!("{quick}x")).clicked() {
                    v.load = quick;
                }
            }
        });
    }

    /// The tab.
    pub fn compare_ui(
        &mut self,
        ui: &mut Ui,
        current: &Scenario,
        replications: u32,
        _out: &mut Vec<Command>,
    ) {
        let t = Theme::from_visuals(ui.visuals());
        self.variant_ui(ui, 0);
        self.variant_ui(ui, 1);
        ui.horizontal(|ui| {
            if self.is_running() {
                ui.spinner();
                ui.label("running both…");
                if ui.button("Cancel").clicked() {
                    for (j, _) in self.jobs.iter().flatten() {
                        j.cancel();
                    }
                }
            } else if ui
                .button(RichText::new("Run both").strong())
                .on_hover_text(format!(
                    "{replications} replication(s) each, as set on the Sweep tab"
                ))
                .clicked()
            {
                self.start(current, replications);
            }
            if ui
                .button("Keep a copy of the current design")
                .on_hover_text("Keep the design as it is now, to compare it with your next changes")
                .clicked()
            {
                self.kept = Some(current.clone());
            }
            if let Some(s) = &self.status {
                ui.label(RichText::new(s.clone()).color(t.warn));
            }
        });
        ui.separator();
        let [Some(a), Some(b)] = &self.sides else {
            ui.label(RichText::new("Choose two variants and press Run both.").weak());
            return;
        };
        metrics_ui(ui, a, b);
        ui.add_space(6.0);
        charts_ui(ui, a, b);
    }
}

/// A metric row: name, value per side, formatter, and whether lower is better. Shares (0..=1) change by
/// percentage points: a relative change from a near-zero share ("+70000%") says nothing.
fn row_ui(ui: &mut Ui, name: &str, a: f64, b: f64, fmt: fn(f64) -> String, lower_better: bool) {
    let share = name == "failed share" || name == "busiest node";
    let t = Theme::from_visuals(ui.visuals());
    ui.label(name);
    ui.label(fmt(a));
    ui.label(fmt(b));
    let rel = if a.abs() > 1e-12 {
        (b - a) / a.abs()
    } else if b.abs() > 1e-12 {
        f64::INFINITY
    } else {
        0.0
    };
    let same = if share {
        (b - a).abs() < 0.0005
    } else {
        rel.abs() < 0.02
    };
    if same {
        ui.label(RichText::new("same").color(t.weak_text));
    } else {
        let better = (b < a) == lower_better;
        let text = if share {
            format!("{:+.1} points", (b - a) * 100.0)
        } else if rel.is_finite() {
            format!("{:+.0}%", rel * 100.0)
        } else {
            "from 0".into()
        };
        ui.label(
            RichText::new(format!(
                "{text} {}",
                if better { "better" } else { "worse" }
            ))
            .color(if better { t.ok } else { t.error }),
        );
    }
    ui.end_row();
}

/// Achieved throughput, `(offered, achieved)` per side. When the two were offered different loads (1x
/// against 10x) more throughput is what was asked for, not an improvement: the verdict is then on the
/// share of the offered load each side served.
fn achieved_row_ui(ui: &mut Ui, a: (f64, f64), b: (f64, f64)) {
    let offered_rel = if a.0.abs() > 1e-12 {
        (b.0 - a.0) / a.0.abs()
    } else {
        0.0
    };
    if offered_rel.abs() < 0.02 {
        row_ui(ui, "achieved", a.1, b.1, rps, false);
        return;
    }
    let t = Theme::from_visuals(ui.visuals());
    let served = |(o, x): (f64, f64)| if o > 0.0 { (x / o).min(1.0) } else { 0.0 };
    let (sa, sb) = (served(a), served(b));
    ui.label("achieved");
    ui.label(format!("{} ({:.0}% of offered)", rps(a.1), sa * 100.0));
    ui.label(format!("{} ({:.0}% of offered)", rps(b.1), sb * 100.0));
    let verdict = if (sb - sa).abs() < 0.005 {
        RichText::new(format!(
            "same share served ({:+.0}% offered, {:+.0}% achieved)",
            offered_rel * 100.0,
            if a.1 > 0.0 {
                (b.1 - a.1) / a.1 * 100.0
            } else {
                0.0
            }
        ))
        .color(t.weak_text)
    } else if sb > sa {
        RichText::new(format!(
            "serves {:+.1} points more of its offered load",
            (sb - sa) * 100.0
        ))
        .color(t.ok)
    } else {
        RichText::new(format!(
            "serves {:.1} points less of its offered load",
            (sa - sb) * 100.0
        ))
        .color(t.error)
    };
    ui.label(verdict)
        .on_hover_text("B was offered a different load than A: more throughput is what was asked for, so the verdict is on the share served");
    ui.end_row();
}

/// Shares with two decimals: an error budget is often 0.1%.
fn pct2(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn rps(x: f64) -> String {
    format!("{}/s", format::rate(x))
}

fn metrics_ui(ui: &mut Ui, a: &Side, b: &Side) {
    egui::Grid::new("compare_metrics")
        .striped(true)
        .num_columns(4)
        .spacing([18.0, 3.0])
        .show(ui, |ui| {
            ui.label("");
            ui.label(
                RichText::new(format!("A: {}", a.label))
                    .strong()
                    .color(chart::VARIANT_A),
            );
            ui.label(
                RichText::new(format!("B: {}", b.label))
                    .strong()
                    .color(chart::VARIANT_B),
            );
            ui.label(RichText::new("B against A").strong());
            ui.end_row();
            let (pa, pb) = (&a.point, &b.point);
            // Offered load is what was asked for, not a quality: more is neither better nor worse, so it is
            // shown without a verdict.
            ui.label("offered");
            ui.label(rps(pa.offered_rps.mean));
            ui.label(rps(pb.offered_rps.mean));
            ui.label("");
            ui.end_row();
            achieved_row_ui(
                ui,
                (pa.offered_rps.mean, pa.throughput_rps.mean),
                (pb.offered_rps.mean, pb.throughput_rps.mean),
            );
            row_ui(
                ui,
                "latency p50",
                pa.p50_ms.mean,
                pb.p50_ms.mean,
                format::ms,
                true,
            );
            row_ui(
                ui,
                "latency p99",
                pa.p99_ms.mean,
                pb.p99_ms.mean,
                format::ms,
                true,
            );
            row_ui(
                ui,
                "latency p99.9",
                pa.p999_ms.mean,
                pb.p999_ms.mean,
                format::ms,
                true,
            );
            row_ui(
                ui,
                "failed share",
                pa.failure_rate(),
                pb.failure_rate(),
                pct2,
                true,
            );
            // Cost beside latency: what the change costs (or saves) per month at this load.
            row_ui(
                ui,
                "cost per month",
                pa.monthly_cost,
                pb.monthly_cost,
                |x| format!("{x:.2}"),
                true,
            );
            row_ui(
                ui,
                "busiest node",
                pa.busiest_utilization.mean,
                pb.busiest_utilization.mean,
                format::pct,
                true,
            );
            ui.label("");
            ui.label(&pa.busiest_node);
            ui.label(&pb.busiest_node);
            ui.label("");
            ui.end_row();
        });
}

fn bars(values: &[f64], offset: f64, color: egui::Color32, name: &str) -> BarChart {
    BarChart::new(
        name,
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Bar::new(i as f64 + offset, *v).width(0.38))
            .collect(),
    )
    .color(color)
}

fn charts_ui(ui: &mut Ui, a: &Side, b: &Side) {
    let width = ((ui.available_width() - ui.spacing().item_spacing.x) / 2.0).max(200.0);
    let height = (ui.available_height() - 30.0).clamp(120.0, 240.0);
    let mut ids: Vec<String> = a.point.nodes.iter().map(|n| n.id.clone()).collect();
    for n in &b.point.nodes {
        if !ids.contains(&n.id) {
            ids.push(n.id.clone());
        }
    }
    let util = |p: &PointResult| -> Vec<f64> {
        ids.iter()
            .map(|id| p.node(id).map_or(0.0, |n| n.utilization.mean * 100.0))
            .collect()
    };
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new("Latency percentiles").strong());
            let names = vec!["p50".to_owned(), "p99".to_owned(), "p99.9".to_owned()];
            category_plot("compare_latency", width, height, names)
                .y_axis_formatter(|m, _| format!("{} ms", format::rate(m.value)))
                .show(ui, |p| {
                    let l = |q: &PointResult| vec![q.p50_ms.mean, q.p99_ms.mean, q.p999_ms.mean];
                    p.bar_chart(bars(&l(&a.point), -0.2, chart::VARIANT_A, "A"));
                    p.bar_chart(bars(&l(&b.point), 0.2, chart::VARIANT_B, "B"));
                });
        });
        ui.vertical(|ui| {
            ui.label(RichText::new("Node utilization").strong());
            category_plot("compare_util", width, height, ids.clone())
                .include_y(100.0)
                .y_axis_formatter(|m, _| format!("{:.0}%", m.value))
                .show(ui, |p| {
                    p.bar_chart(bars(&util(&a.point), -0.2, chart::VARIANT_A, "A"));
                    p.bar_chart(bars(&util(&b.point), 0.2, chart::VARIANT_B, "B"));
                });
        });
    });
}

/// A fixed (no zoom, scroll or drag) bar plot from 0 up whose x axis names category `i` at `x = i`.
fn category_plot(id: &str, width: f32, height: f32, names: Vec<String>) -> Plot<'static> {
    Plot::new(id)
        .width(width)
        .height(height)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_drag(false)
        .include_y(0.0)
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
}
