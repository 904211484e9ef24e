//! Text and CSV for the stress commands.

use crate::analysis::capacity::Capacity;
use crate::analysis::stats::Estimate;
use crate::analysis::sweep::{Axis, SweepResult, Warmup};
use crate::model::Scenario;

/// `12.3 ±0.4` (or just the mean with one replication).
fn est(e: &Estimate, decimals: usize) -> String {
    match e.half_width {
        Some(h) => format!("{:.*} ±{:.*}", decimals, e.mean, decimals, h),
        None => format!("{:.*}", decimals, e.mean),
    }
}

fn pct(e: &Estimate) -> String {
    let scaled = Estimate {
        mean: e.mean * 100.0,
        half_width: e.half_width.map(|h| h * 100.0),
        n: e.n,
    };
    est(&scaled, 2)
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

/// The readable table: one line per point.
pub fn sweep_table(r: &SweepResult) -> String {
    let (label, reps) = match &r.spec.axis {
        Axis::Load(_) => ("load".to_owned(), r.spec.replications),
        Axis::Param { field, load, .. } => (format!("{field} (at {load}x)"), r.spec.replications),
    };
    let warm = r.points.first().map_or(0.0, |p| p.warmup_s);
    let runs = if r.spec.warmup == Warmup::Auto {
        format!(
            "runs of {} s simulated, warm-up by MSER-5 per point",
            r.duration_s
        )
    } else {
        format!(
            "runs of {} s simulated, the first {} s as warm-up",
            r.duration_s,
            (warm * 1000.0).round() / 1000.0
        )
    };
    let mut out = format!(
        "Sweep of {} over {label}: {} points x {} replication(s){}; {runs} (± = 95% CI half-width)\n",
        r.scenario,
        r.points.len(),
        reps,
        if r.spec.precision.is_some() {
            " or more to reach the precision target"
        } else {
            ""
        },
    );
    if let (Some(x), Some(n)) = (r.analytic_breaking_load, &r.analytic_bottleneck) {
        out.push_str(&format!(
            "Analytic breaking point: {n} reaches utilization 1 at {x:.2}x load\n"
        ));
    }
    let head = [
        "value",
        "offered/s",
        "achieved/s",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "err %",
        "timeout %",
        "reject %",
        "busiest",
        "util",
        "model util",
        "model mean ms",
        "cost/month",
    ];
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|s| s.to_string()).collect()];
    for p in &r.points {
        rows.push(vec![
            format!("{}", (p.value * 1000.0).round() / 1000.0),
            est(&p.offered_rps, 0),
            est(&p.throughput_rps, 0),
            est(&p.p50_ms, 1),
            est(&p.p99_ms, 1),
            est(&p.p999_ms, 1),
            pct(&p.error_rate),
            pct(&p.timeout_rate),
            pct(&p.reject_rate),
            p.busiest_node.clone(),
            est(&p.busiest_utilization, 2),
            if p.analytic.busiest_utilization.is_finite() {
                format!("{:.2}", p.analytic.busiest_utilization)
            } else {
                "inf".into()
            },
            opt(p.analytic.end_to_end_mean_ms, 1),
            format!("{:.0}", p.monthly_cost),
        ]);
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if c == 9 {
                    format!("{s:<w$}", w = widths[c])
                } else {
                    format!("{s:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    // A sharded database's hottest shard, point by point: it saturates before the node's average does.
    if let Some(first) = r.points.first() {
        for (i, n) in first.nodes.iter().enumerate() {
            if n.hottest_shard_utilization.is_none() {
                continue;
            }
            let per_point: Vec<String> = r
                .points
                .iter()
                .filter_map(|p| p.nodes.get(i)?.hottest_shard_utilization.as_ref())
                .map(|e| est(e, 2))
                .collect();
            out.push_str(&format!(
                "Hottest shard of {} (utilization, per point): {}\n",
                n.id,
                per_point.join("  ")
            ));
        }
    }
    out
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn hw(e: &Estimate) -> String {
    e.half_width.map_or(String::new(), num)
}

/// The CSV columns, in order (documented in docs/stress-testing.md).
pub const CSV_HEADER: &str = "index,load,value,set,replications,warmup_s,\
offered_rps,offered_rps_hw,throughput_rps,throughput_rps_hw,mean_ms,mean_ms_hw,\
p50_ms,p50_ms_hw,p99_ms,p99_ms_hw,p999_ms,p999_ms_hw,\
error_rate,error_rate_hw,timeout_rate,timeout_rate_hw,reject_rate,reject_rate_hw,\
pooled_p50_ms,pooled_p99_ms,pooled_p999_ms,busiest_node,busiest_utilization,busiest_utilization_hw,\
analytic_end_to_end_mean_ms,analytic_busiest_node,analytic_busiest_utilization,monthly_cost";

/// One CSV line per point, with [`CSV_HEADER`]. Empty cells: no half-width (one replication) or no
/// analytic value (overloaded).
pub fn sweep_csv(r: &SweepResult) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for p in &r.points {
        let mut cells = vec![
            p.index.to_string(),
            num(p.load),
            num(p.value),
            p.set.clone().unwrap_or_default(),
            p.replications.to_string(),
            num(p.warmup_s),
        ];
        for e in [
            &p.offered_rps,
            &p.throughput_rps,
            &p.mean_ms,
            &p.p50_ms,
            &p.p99_ms,
            &p.p999_ms,
            &p.error_rate,
            &p.timeout_rate,
            &p.reject_rate,
        ] {
            cells.push(num(e.mean));
            cells.push(hw(e));
        }
        cells.extend([
            num(p.pooled_latency_ms.p50),
            num(p.pooled_latency_ms.p99),
            num(p.pooled_latency_ms.p999),
            p.busiest_node.clone(),
            num(p.busiest_utilization.mean),
            hw(&p.busiest_utilization),
            p.analytic.end_to_end_mean_ms.map_or(String::new(), num),
            p.analytic.busiest_node.clone(),
            num(p.analytic.busiest_utilization),
            format!("{:.4}", p.monthly_cost),
        ]);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The capacity answer in words.
pub fn capacity_text(s: &Scenario, c: &Capacity, reps: u32) -> String {
    let mut out = format!(
        "Capacity of {} (SLO: p99 <= {} ms, failed + timed out + rejected <= {}%; {reps} replication(s) per probe)\n\n",
        s.name,
        c.slo.p99_ms,
        c.slo.error_rate * 100.0
    );
    out.push_str(
        "     load   p99 ms (±95%)   failures %   busiest (util)        SLO      cost/month\n",
    );
    let mut probes: Vec<_> = c.probes.iter().collect();
    probes.sort_by(|a, b| a.load.total_cmp(&b.load));
    for p in probes {
        out.push_str(&format!(
            "  {:>7.3}x  {:>14}  {:>10.3}   {:<20}  {:<6}  {:>10.2}\n",
            p.load,
            est(&p.p99_ms, 1),
            p.failure_rate() * 100.0,
            format!("{} ({:.2})", p.busiest_node, p.busiest_utilization.mean),
            if c.slo.met_by(p) { "met" } else { "missed" },
            p.monthly_cost
        ));
    }
    out.push('\n');
    match (c.max_load, c.first_failing_load) {
        (Some(lo), Some(hi)) => out.push_str(&format!(
            "Breaking point: the SLO holds up to {lo:.3}x load and fails at {hi:.3}x ({:.0} requests/s offered there).\n",
            c.probes
                .iter()
                .find(|p| p.load == hi)
                .map_or(0.0, |p| p.offered_rps.mean)
        )),
        (Some(lo), None) => out.push_str(&format!(
            "The SLO held at every probe, up to {lo:.3}x load.\n"
        )),
        (None, _) => out.push_str("The SLO is not met even at the smallest load probed.\n"),
    }
    if let Some(b) = &c.bottleneck {
        out.push_str(&format!(
            "Bottleneck: {} ({} busy at the first failing load{}), {} waiting on average, queue growing {}/s.\n",
            b.id,
            est(&b.utilization, 2),
            b.utilization_at_capacity
                .map_or(String::new(), |u| format!("; {} at the breaking point", est(&u, 2))),
            est(&b.mean_queue_len, 1),
            est(&b.queue_growth_per_s, 1)
        ));
    }
    match (c.analytic_breaking_load, &c.analytic_bottleneck) {
        (Some(x), Some(n)) => out.push_str(&format!(
            "Analytic prediction (flow model, M/M/c): {n} reaches utilization 1 at {x:.3}x load.\n"
        )),
        _ => out.push_str("Analytic prediction: no node saturates.\n"),
    }
    out
}
