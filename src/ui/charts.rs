//! Charts over simulated time, from the report's series (engine histograms per bucket, not averages).

use egui::{Color32, RichText, Ui};
use egui_plot::{Line, Plot, PlotPoints};

use crate::metrics::Report;

use super::theme::chart;

/// A line's points, at most about `max_pts` of them: a run of 2,048 buckets in a chart 300 points wide is
/// decimated to the lowest and the highest value of each group of neighbours (in time order), so a spike
/// still shows while egui tessellates and the GL driver draws a few hundred segments instead of thousands.
fn points(t: &[f64], y: &[f64], scale: f64, max_pts: usize) -> PlotPoints<'static> {
    let finite: Vec<[f64; 2]> = t
        .iter()
        .zip(y)
        .filter(|(_, y)| y.is_finite())
        .map(|(t, y)| [*t, y * scale])
        .collect();
    decimate(finite, max_pts).into()
}

/// Keeps each group's minimum and maximum (two points per group, `max_pts / 2` groups); short lines as they are.
fn decimate(pts: Vec<[f64; 2]>, max_pts: usize) -> Vec<[f64; 2]> {
    let groups = (max_pts / 2).max(1);
    if pts.len() <= max_pts.max(2) {
        return pts;
    }
    let per_group = pts.len().div_ceil(groups);
    let mut out = Vec::with_capacity(groups * 2);
    for g in pts.chunks(per_group) {
        let by_y = |a: &&[f64; 2], b: &&[f64; 2]| a[1].total_cmp(&b[1]);
        let (Some(lo), Some(hi)) = (g.iter().min_by(by_y), g.iter().max_by(by_y)) else {
            continue;
        };
        let (first, second) = if lo[0] <= hi[0] { (lo, hi) } else { (hi, lo) };
        out.push(*first);
        if second != first {
            out.push(*second);
        }
    }
    out
}

/// One line of a chart: its name (shown in the legend row), colour and points.
type Series = (&'static str, Color32, PlotPoints<'static>);

/// A short coloured stroke and the line's name.
fn legend_item_ui(ui: &mut Ui, name: &str, color: Color32) {
    ui.spacing_mut().item_spacing.x = 3.0;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter()
        .line_segment([rect.left_center(), rect.right_center()], (2.5, color));
    ui.label(RichText::new(name).small().color(color));
}

/// A chart with its title and, for several lines, a legend row beside the title: a legend inside the plot
/// would cover the lines in these small charts.
fn plot_ui(
    ui: &mut Ui,
    id: &str,
    title: &str,
    unit: &str,
    height: f32,
    width: f32,
    lines: Vec<Series>,
) {
    ui.vertical(|ui| {
        ui.set_width(width);
        ui.horizontal(|ui| {
            ui.label(RichText::new(title).strong());
            if lines.len() > 1 {
                for (name, color, _) in &lines {
                    legend_item_ui(ui, name, *color);
                }
            }
        });
        let unit = unit.to_owned();
        Plot::new(id)
            .height(height)
            .width(width)
            // 0 and 1 keep an all-zero line at the bottom instead of centring it on a negative axis.
            .include_y(0.0)
            .include_y(1.0)
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .x_axis_label("simulated s")
            .y_axis_formatter(move |m, _| format!("{}{}", super::format::rate(m.value), unit))
            .show(ui, |p| {
                for (name, color, pts) in lines {
                    p.line(Line::new(name, pts).color(color));
                }
            });
    });
}

/// The design's fault timeline, drawn (and edited) under the charts.
pub struct TimelineInput<'a> {
    /// The scheduled faults.
    pub scheduled: &'a [crate::model::Fault],
    /// The scenario's run length, simulated seconds.
    pub duration_s: f64,
    /// Simulated time now, when a run is on screen.
    pub now_s: Option<f64>,
    /// Where the timeline's edits go.
    pub out: &'a mut Vec<super::command::Command>,
}

/// End-to-end charts, and the selected node's when one is selected; the fault timeline under them.
pub fn charts_ui(
    ui: &mut Ui,
    report: Option<&Report>,
    node: Option<&str>,
    timeline: Option<TimelineInput<'_>>,
) {
    let gap = ui.spacing().item_spacing;
    let no_faults: &[crate::metrics::FaultReport] = &[];
    let ran = report.map_or(no_faults, |r| &r.faults);
    let timeline_h = timeline.as_ref().map_or(0.0, |t| {
        super::timeline_ui::ROW_H * super::timeline_ui::rows(t.scheduled, ran).min(6) as f32
            + 40.0
            + gap.y
    });
    let timeline_ui = |ui: &mut Ui, t: Option<TimelineInput<'_>>| {
        if let Some(t) = t {
            super::timeline_ui::timeline_ui(ui, t.scheduled, ran, t.duration_s, t.now_s, t.out);
        }
    };
    let Some(r) = report.filter(|r| !r.series.t_s.is_empty()) else {
        ui.add_space(8.0);
        ui.label(
            RichText::new("Press Run (Space): charts fill in as simulated time passes.").weak(),
        );
        ui.add_space(8.0);
        egui::ScrollArea::vertical()
            .id_salt("charts_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| timeline_ui(ui, timeline));
        return;
    };
    let s = &r.series;
    let t = &s.t_s;
    let node_series = node.and_then(|id| s.nodes.iter().find(|n| n.id == id));
    // As many columns as fit at a readable width (one on a phone), and never shorter than a readable chart:
    // what does not fit scrolls, instead of six charts shrinking to slivers without a scale.
    let cols = ((ui.available_width() / MIN_CHART_W).floor() as usize).clamp(1, 3);
    let width =
        ((ui.available_width() - (cols as f32 - 1.0) * gap.x - 4.0) / cols as f32).max(120.0);
    let max_pts = max_points(width);
    let mut charts = run_charts(s, max_pts);
    if let Some(n) = node_series {
        charts.extend(node_charts(t, n, max_pts));
    }
    let rows = charts.len().div_ceil(cols) as f32;
    let height = (((ui.available_height() - timeline_h) / rows) - 28.0 - gap.y).max(MIN_CHART_H);
    egui::ScrollArea::vertical()
        .id_salt("charts_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut charts = charts.into_iter().peekable();
            while charts.peek().is_some() {
                ui.horizontal(|ui| {
                    for (id, title, unit, lines) in charts.by_ref().take(cols) {
                        plot_ui(ui, &id, &title, unit, height, width, lines);
                    }
                });
            }
            timeline_ui(ui, timeline);
        });
}

/// The one chart of an embedded page, filling `ui`: end-to-end latency (p50, p95, p99), the figure that
/// shows a design saturating; several charts in a strip a third of an iframe high would have no readable axes.
pub fn main_chart_ui(ui: &mut Ui, report: Option<&Report>) {
    let Some(r) = report.filter(|r| !r.series.t_s.is_empty()) else {
        ui.add_space(6.0);
        ui.label(
            RichText::new("Press Run: the latency chart fills in as simulated time passes.").weak(),
        );
        return;
    };
    // Less the title row above the plot.
    let height = (ui.available_height() - 24.0).max(40.0);
    let width = ui.available_width() - 4.0;
    let Some((id, title, unit, lines)) =
        run_charts(&r.series, max_points(width)).into_iter().next()
    else {
        return;
    };
    plot_ui(ui, &id, &title, unit, height, width, lines);
}

/// A chart to draw: plot id, title, unit of the y axis, lines.
type Chart = (String, String, &'static str, Vec<Series>);

/// Points worth drawing in a line `width_pt` wide: a low and a high per 4 points of width, finer than the
/// bucketed series reads at that size, and about what a 60-fps frame can afford for nine lines under llvmpipe.
fn max_points(width_pt: f32) -> usize {
    (width_pt.max(60.0) / 2.0) as usize
}

/// Narrowest chart worth drawing, points: below it the axis labels collide.
const MIN_CHART_W: f32 = 260.0;
/// Lowest chart worth drawing, points: enough for three y-axis labels.
const MIN_CHART_H: f32 = 110.0;

fn run_charts(s: &crate::metrics::SeriesReport, max_pts: usize) -> Vec<Chart> {
    let t = &s.t_s;
    let mut throughput = vec![
        (
            "offered",
            chart::OFFERED,
            points(t, &s.offered_rps, 1.0, max_pts),
        ),
        (
            "succeeded",
            chart::SUCCEEDED,
            points(t, &s.succeeded_rps, 1.0, max_pts),
        ),
    ];
    // With retries the servers see more than the users offered: show the amplification.
    if s.retries_rps.iter().any(|&r| r > 0.0) {
        let attempts: Vec<f64> = s
            .offered_rps
            .iter()
            .zip(&s.retries_rps)
            .map(|(o, r)| o + r)
            .collect();
        throughput.push((
            "attempts",
            chart::ATTEMPTS,
            points(t, &attempts, 1.0, max_pts),
        ));
    }
    vec![
        (
            "latency".into(),
            "End-to-end latency".into(),
            " ms",
            vec![
                ("p50", chart::P50, points(t, &s.p50_ms, 1.0, max_pts)),
                ("p95", chart::P95, points(t, &s.p95_ms, 1.0, max_pts)),
                ("p99", chart::P99, points(t, &s.p99_ms, 1.0, max_pts)),
            ],
        ),
        ("throughput".into(), "Throughput".into(), "/s", throughput),
        (
            "errors".into(),
            "Failures".into(),
            "/s",
            vec![
                (
                    "errors",
                    chart::FAILED,
                    points(t, &s.failed_rps, 1.0, max_pts),
                ),
                (
                    "timeouts",
                    chart::TIMED_OUT,
                    points(t, &s.timed_out_rps, 1.0, max_pts),
                ),
                (
                    "rejected",
                    chart::REJECTED,
                    points(t, &s.rejected_rps, 1.0, max_pts),
                ),
                (
                    "429",
                    chart::RATE_LIMITED,
                    points(t, &s.rate_limited_rps, 1.0, max_pts),
                ),
            ],
        ),
    ]
}

fn node_charts(t: &[f64], n: &crate::metrics::NodeSeries, max_pts: usize) -> Vec<Chart> {
    let mut charts = vec![
        (
            "node_util".into(),
            format!("{}: utilization", n.id),
            "%",
            vec![(
                "utilization",
                chart::UTILIZATION,
                points(t, &n.utilization, 100.0, max_pts),
            )],
        ),
        (
            "node_queue".into(),
            format!("{}: queue length", n.id),
            "",
            vec![("queue", chart::QUEUE, points(t, &n.queue_len, 1.0, max_pts))],
        ),
        (
            "node_p99".into(),
            format!("{}: latency p99", n.id),
            " ms",
            vec![("p99", chart::P99, points(t, &n.p99_ms, 1.0, max_pts))],
        ),
    ];
    // A cache's hit ratio: a flush shows as a fall to 0 and the climb back.
    if !n.hit_ratio.is_empty() {
        charts.push((
            "node_hit".into(),
            format!("{}: hit ratio", n.id),
            "%",
            vec![(
                "hit ratio",
                chart::HIT_RATIO,
                points(t, &n.hit_ratio, 100.0, max_pts),
            )],
        ));
    }
    // Stale reads: a write-around TTL, a cache-aside race, a replica's lag or a partition, over time.
    if !n.stale_reads_rps.is_empty() {
        charts.push((
            "node_stale".into(),
            format!("{}: stale reads", n.id),
            "/s",
            vec![(
                "stale reads",
                chart::STALE,
                points(t, &n.stale_reads_rps, 1.0, max_pts),
            )],
        ));
    }
    // Duplicate side effects: a retry after a timeout repeating a charge, a redelivery repeating a job.
    if !n.duplicates_rps.is_empty() {
        charts.push((
            "node_dup".into(),
            format!("{}: duplicate side effects", n.id),
            "/s",
            vec![(
                "duplicates",
                chart::DUPLICATES,
                points(t, &n.duplicates_rps, 1.0, max_pts),
            )],
        ));
    }
    // A topic: each consumer group's lag (the queue chart above is their sum), so a group that stalls
    // stands out from one that keeps up.
    for g in &n.group_lag {
        charts.push((
            format!("node_lag_{}", g.consumer),
            format!("{}: lag of group {}", n.id, g.consumer),
            "",
            vec![("lag", chart::QUEUE, points(t, &g.lag, 1.0, max_pts))],
        ));
    }
    charts
}

#[cfg(test)]
mod tests {
    use super::decimate;

    #[test]
    fn a_long_line_is_cut_to_its_budget_and_keeps_its_spike_in_time_order() {
        let pts: Vec<[f64; 2]> = (0..2048)
            .map(|i| [f64::from(i), if i == 1000 { 500.0 } else { 1.0 }])
            .collect();
        let out = decimate(pts, 200);
        assert!(out.len() <= 200, "{} points", out.len());
        assert!(
            out.iter().any(|p| p == &[1000.0, 500.0]),
            "the spike is kept"
        );
        assert!(out.windows(2).all(|w| w[0][0] < w[1][0]), "time order");
        assert_eq!(out.first().map(|p| p[0]), Some(0.0));
    }

    #[test]
    fn a_short_line_is_left_as_it_is() {
        let pts: Vec<[f64; 2]> = (0..50).map(|i| [f64::from(i), f64::from(i % 7)]).collect();
        assert_eq!(decimate(pts.clone(), 200), pts);
    }
}
