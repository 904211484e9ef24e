//! "What broke first": a plain-language account of a sweep (or one run) with fixes the numbers support.
//! Every number in the text comes from the measurements or from the flow model; each fix is a set of
//! `--set` overrides whose effect is estimated by recomputing the flow model with them applied.

use serde::Serialize;

pub use super::fixes::{evaluate_fix, fixes_for};
use super::flow::FlowModel;
use super::summary::PointResult;
use super::sweep::SweepResult;
use crate::metrics::Report;
use crate::model::{NodeKind, Scenario, apply_override};

/// Utilization at which a node counts as saturated in measurements (the engine's utilization can only
/// approach 1).
pub const SATURATED: f64 = 0.95;

/// A concrete change and its analytic effect.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    /// What to do, in words.
    pub summary: String,
    /// The overrides that make the change (`NODE.FIELD=VALUE`, as for `--set`).
    pub sets: Vec<String>,
    /// Analytic saturation load of the node being fixed, with the change (`None`: it no longer
    /// saturates, or the fix is elsewhere).
    pub node_saturation_load: Option<f64>,
    /// Analytic breaking load with the change (whichever node saturates first).
    pub breaking_load: Option<f64>,
    /// The node that would saturate first with the change.
    pub next_bottleneck: Option<String>,
    /// Analytic end-to-end mean at the reference load with the change, ms (`None`: still overloaded).
    pub end_to_end_mean_ms: Option<f64>,
}

/// The explanation: the text and its parts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The node that saturated first (measured; the analytic one if nothing saturated).
    pub bottleneck: Option<String>,
    /// The load at which it was first seen saturated (measured), if it was.
    pub saturated_at_load: Option<f64>,
    /// The analytic breaking point.
    pub analytic_breaking_load: Option<f64>,
    /// The load the fixes are evaluated at.
    pub reference_load: f64,
    /// Two or three fixes, best first.
    pub fixes: Vec<Fix>,
    /// Plain-language text, paragraphs separated by blank lines.
    pub text: String,
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn ms(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0} ms")
    } else {
        format!("{x:.1} ms")
    }
}

fn load(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.1}x")
    } else {
        format!("{x:.2}x")
    }
}

/// Explains a load sweep (points in increasing load). For a parameter sweep the same logic reads the
/// points in sweep order.
pub fn explain_sweep(scenario: &Scenario, sweep: &SweepResult) -> Explanation {
    let pts = &sweep.points;
    let model = FlowModel::new(scenario).ok();
    let (analytic, analytic_node) = model.as_ref().map_or((None, None), |m| m.breaking_point());
    let mut text = String::new();
    let Some(first) = pts.first() else {
        return Explanation {
            bottleneck: analytic_node,
            saturated_at_load: None,
            analytic_breaking_load: analytic,
            reference_load: 1.0,
            fixes: Vec::new(),
            text: "The sweep has no points.".into(),
        };
    };
    let last = pts.last().unwrap_or(first);
    let busiest_sat = pts.iter().find(|p| p.busiest_utilization.mean >= SATURATED);
    // A sharded database's hottest shard may saturate first, while every node's average looks healthy.
    let hot = super::explain_data::first_hot_shard(pts)
        .filter(|(hp, _)| busiest_sat.is_none_or(|p| hp.load <= p.load));
    let sat = hot.map(|(p, _)| p).or(busiest_sat);
    let bottleneck = hot
        .map(|(_, n)| n.id.clone())
        .or_else(|| sat.map(|p| p.busiest_node.clone()))
        .or_else(|| analytic_node.clone());
    match sat {
        Some(p) if hot.is_some() => {
            text.push_str(&super::explain_data::hot_shard_story(hot));
            text.push_str(&p99_story(first, p, last));
            text.push_str("\n\n");
            text.push_str(&downstream_story(scenario, p, last));
        }
        Some(p) => {
            let node = p.node(&p.busiest_node);
            text.push_str(&format!(
                "{} saturated first: at {} load it was {} busy",
                p.busiest_node,
                load(p.load),
                pct(p.busiest_utilization.mean)
            ));
            if let Some(n) = node {
                text.push_str(&format!(
                    ", with {:.1} requests waiting on average",
                    n.mean_queue_len.mean
                ));
                if n.queue_growth_per_s.mean > 0.5 {
                    text.push_str(&format!(
                        " and the queue growing by {:.1} per second",
                        n.queue_growth_per_s.mean
                    ));
                }
            }
            text.push_str(". ");
            text.push_str(&p99_story(first, p, last));
            text.push_str("\n\n");
            text.push_str(&downstream_story(scenario, p, last));
        }
        None => {
            text.push_str(&format!(
                "Nothing saturated up to {} load: the busiest node, {}, reached {} busy there, and the \
                 end-to-end p99 went from {} at {} to {}. ",
                load(last.load),
                last.busiest_node,
                pct(last.busiest_utilization.mean),
                ms(first.p99_ms.mean),
                load(first.load),
                ms(last.p99_ms.mean)
            ));
        }
    }
    if let (Some(x), Some(n)) = (analytic, &analytic_node) {
        text.push_str(&format!(
            "\n\nThe flow model (M/M/c queues along the routes) predicts that {n} reaches utilization 1 at \
             {} load{}.",
            load(x),
            match &bottleneck {
                Some(b) if b == n => ", the same node".to_owned(),
                Some(b) => format!(", while the simulation saw {b} saturate first"),
                None => String::new(),
            }
        ));
    }
    let reference = sat.map_or(last.load, |p| p.load);
    with_fixes(
        scenario,
        &[],
        text,
        bottleneck,
        sat.map(|p| p.load),
        analytic,
        reference,
    )
}

/// Appends the fixes for the bottleneck (with their analytic effect at `reference` load) and assembles the
/// explanation: the last step of both [`explain_sweep`] and [`explain_run`]. `waiting` are the saturated
/// callers that only wait on the bottleneck (nearest first): once it is fixed they break next, so the first
/// fix is also offered together with the first one for the nearest caller.
fn with_fixes(
    scenario: &Scenario,
    waiting: &[String],
    mut text: String,
    bottleneck: Option<String>,
    saturated_at_load: Option<f64>,
    analytic: Option<f64>,
    reference: f64,
) -> Explanation {
    let mut fixes = bottleneck
        .as_deref()
        .map(|b| fixes_for(scenario, b, reference))
        .unwrap_or_default();
    if let (Some(b), Some(caller)) = (bottleneck.as_deref(), waiting.first()) {
        fixes.extend(with_caller(scenario, &fixes, b, caller, reference));
        fixes.truncate(3);
    }
    push_fixes(
        &mut text,
        &fixes,
        reference,
        analytic,
        bottleneck.as_deref(),
    );
    Explanation {
        bottleneck,
        saturated_at_load,
        analytic_breaking_load: analytic,
        reference_load: reference,
        fixes,
        text,
    }
}

/// The first of `fixes` (for the bottleneck) together with the first fix for `caller` sized on the scenario
/// with that fix applied: the caller, no longer waiting, needs its own headroom at `reference` load.
fn with_caller(
    scenario: &Scenario,
    fixes: &[Fix],
    bottleneck: &str,
    caller: &str,
    reference: f64,
) -> Option<Fix> {
    let first = fixes.first()?;
    let mut fixed = scenario.clone();
    for spec in &first.sets {
        apply_override(&mut fixed, spec).ok()?;
    }
    let then = fixes_for(&fixed, caller, reference).into_iter().next()?;
    let sets = first.sets.iter().chain(&then.sets).cloned().collect();
    evaluate_fix(
        scenario,
        bottleneck,
        format!("{}, and {}", first.summary, then.summary),
        sets,
        reference,
    )
}

fn p99_story(first: &PointResult, sat: &PointResult, last: &PointResult) -> String {
    let mut s = format!(
        "The end-to-end p99 went from {} at {} load to {} there",
        ms(first.p99_ms.mean),
        load(first.load),
        ms(sat.p99_ms.mean)
    );
    if last.load != sat.load {
        s.push_str(&format!(
            " and {} at {}",
            ms(last.p99_ms.mean),
            load(last.load)
        ));
    }
    s.push_str(&format!(
        "; throughput reached {:.0} requests/s of {:.0} offered at the highest load.",
        last.throughput_rps.mean, last.offered_rps.mean
    ));
    s
}

fn downstream_story(scenario: &Scenario, sat: &PointResult, last: &PointResult) -> String {
    let mut s = format!(
        "At {} load, {} of requests were rejected, {} timed out and {} failed.",
        load(last.load),
        pct_small(last.reject_rate.mean),
        pct_small(last.timeout_rate.mean),
        pct_small(last.error_rate.mean)
    );
    let rejecting: Vec<String> = last
        .nodes
        .iter()
        .filter(|n| n.rejected_rps.mean > 0.0)
        .map(|n| format!("{} ({:.0}/s)", n.id, n.rejected_rps.mean))
        .collect();
    if !rejecting.is_empty() {
        s.push_str(&format!(" Rejections came from {}.", rejecting.join(", ")));
    }
    let calm: Vec<String> = scenario
        .nodes
        .iter()
        .filter(|n| {
            !matches!(
                n.kind,
                NodeKind::Client(_) | NodeKind::LoadBalancer(_) | NodeKind::Queue(_)
            )
        })
        .filter(|n| n.id != sat.busiest_node)
        .filter_map(|n| last.node(&n.id))
        .filter(|n| n.utilization.mean < 0.7)
        .map(|n| format!("{} {}", n.id, pct(n.utilization.mean)))
        .collect();
    if !calm.is_empty() {
        s.push_str(&format!(
            " Behind the bottleneck the other tiers stayed calm ({} busy), because the saturated node caps \
             what reaches them.",
            calm.join(", ")
        ));
    }
    s
}

fn pct_small(x: f64) -> String {
    if x > 0.0 && x < 0.001 {
        format!("{:.3}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

/// Explains one run with the flow model beside it.
pub fn explain_run(scenario: &Scenario, report: &Report) -> Explanation {
    let model = FlowModel::new(scenario).ok();
    let (analytic, analytic_node) = model.as_ref().map_or((None, None), |m| m.breaking_point());
    let busiest =
        report
            .nodes
            .iter()
            .fold(None, |b: Option<&crate::metrics::NodeReport>, n| match b {
                Some(b) if b.utilization >= n.utilization => Some(b),
                _ => Some(n),
            });
    let offered = report.requests.offered.max(1) as f64;
    let mut text = String::new();
    // The busiest saturated node may only be waiting on a saturated callee: blame the end of that chain.
    let chain = busiest
        .filter(|b| b.utilization >= SATURATED)
        .map(|b| super::cause::walk(scenario, report, &b.id))
        .unwrap_or_default();
    let saturated = chain
        .last()
        .and_then(|id| report.nodes.iter().find(|n| n.id == *id));
    let bottleneck = saturated
        .map(|b| b.id.clone())
        .or_else(|| analytic_node.clone());
    if let Some(b) = saturated {
        if let [first, .., _] = chain.as_slice() {
            let waits = chain
                .windows(2)
                .map(|w| format!("{} waits on {}", w[0], w[1]));
            text.push_str(&format!(
                "At {} load, {first} is saturated, but it is not the cause: {}, and every worker held \
                 waiting is one {first} cannot use. The cause is {}: ",
                load(report.load),
                waits.collect::<Vec<_>>().join(", which "),
                b.id
            ));
        } else {
            text.push_str(&format!(
                "At {} load, {} is saturated: ",
                load(report.load),
                b.id
            ));
        }
        text.push_str(&format!(
            "{} busy, {:.1} requests waiting on average (at most {}), its own latency p99 {}. ",
            pct(b.utilization),
            b.mean_queue_len,
            b.max_queue_len,
            ms(b.latency_ms.p99)
        ));
        // A queue consumer's backlog waits in the queue, not at the consumer: show it there.
        for e in scenario.edges.iter().filter(|e| e.to == b.id) {
            let is_queue = scenario
                .node(&e.from)
                .is_some_and(|n| matches!(n.kind, NodeKind::Queue(_)));
            if let (true, Some(q)) = (is_queue, report.nodes.iter().find(|n| n.id == e.from)) {
                text.push_str(&format!(
                    "Its backlog waits in {}: {:.0} messages on average, {} at the end of the window, and \
                     a median lag (enqueue to done) of {}. ",
                    q.id,
                    q.mean_queue_len,
                    report
                        .series
                        .nodes
                        .iter()
                        .find(|n| n.id == q.id)
                        .and_then(|n| n.queue_len.last())
                        .map_or("-".to_owned(), |x| format!("{x:.0}")),
                    q.lag_ms.map_or("-".to_owned(), |l| ms(l.p50))
                ));
            }
        }
    } else if let Some(b) = busiest {
        text.push_str(&format!(
            "At {} load nothing is saturated; the busiest node is {} at {} busy. ",
            load(report.load),
            b.id,
            pct(b.utilization)
        ));
    }
    text.push_str(&format!(
        "End to end: p50 {}, p99 {}; {} of requests rejected, {} timed out, {} failed.",
        ms(report.latency_ms.p50),
        ms(report.latency_ms.p99),
        pct_small(report.requests.rejected as f64 / offered),
        pct_small(report.requests.timed_out as f64 / offered),
        pct_small(report.requests.failed as f64 / offered)
    ));
    if let (Some(x), Some(n)) = (analytic, &analytic_node) {
        text.push_str(&format!(
            "\n\nThe flow model predicts that {n} reaches utilization 1 at {} load{}",
            load(x),
            if x <= report.load {
                " (this run is past it)"
            } else {
                ""
            }
        ));
        // The model's first node may be a caller whose hold time is the cause's latency: say when the
        // cause saturates in the model too.
        let cause_load = bottleneck
            .as_deref()
            .filter(|b| *b != n)
            .and_then(|b| Some((b, model.as_ref()?.saturation_load(scenario.node_index(b)?)?)));
        if let Some((b, y)) = cause_load {
            text.push_str(&format!(", and {b} at {}", load(y)));
        }
        text.push('.');
    }
    let data = super::explain_data::data_story(report);
    if !data.is_empty() {
        text.push_str("\n\n");
        text.push_str(&data);
    }
    let waiting: Vec<String> = chain.iter().rev().skip(1).cloned().collect();
    with_fixes(
        scenario,
        &waiting,
        text,
        bottleneck,
        saturated.map(|_| report.load),
        analytic,
        report.load,
    )
}

fn push_fixes(
    text: &mut String,
    fixes: &[Fix],
    reference: f64,
    before: Option<f64>,
    bottleneck: Option<&str>,
) {
    if fixes.is_empty() {
        return;
    }
    text.push_str("\n\nFixes the numbers support (analytic estimates");
    if let Some(b) = before {
        text.push_str(&format!("; the breaking point today is {}", load(b)));
    }
    text.push_str("):");
    for f in fixes {
        text.push_str(&format!(
            "\n  - {} (--set {}): ",
            f.summary,
            f.sets.join(" --set ")
        ));
        match (bottleneck, f.node_saturation_load) {
            (Some(b), Some(x)) => text.push_str(&format!("{b} would saturate at {} load", load(x))),
            (Some(b), None) => text.push_str(&format!("{b} would no longer saturate")),
            (None, _) => {}
        }
        match f.next_bottleneck.as_deref() {
            Some(n) if Some(n) != bottleneck => text.push_str(&format!(
                ", but {n} would saturate first, at {}",
                load(f.breaking_load.unwrap_or(f64::NAN))
            )),
            _ => {}
        }
        match f.end_to_end_mean_ms {
            Some(m) => text.push_str(&format!(
                "; end-to-end mean {} at {} load",
                ms(m),
                load(reference)
            )),
            None => text.push_str(&format!("; still overloaded at {} load", load(reference))),
        }
        text.push('.');
    }
}
