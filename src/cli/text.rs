//! The human-readable run report: outcomes, end-to-end latency, an aligned node table that makes a
//! saturated node stand out, and one line naming the busiest node.

use std::fmt::Write as _;

use crate::metrics::{EdgeReport, LatencySummary, NodeReport, Report};

/// Shared with the app and the report's node lines.
pub use crate::metrics::thousands;

/// Utilization at or above this marks a node as saturated: queues grow without bound near 1.
pub const SATURATED_UTILIZATION: f64 = 0.97;
/// At or above this utilization a node that is also turning requests away is saturated too.
pub const REJECTING_UTILIZATION: f64 = 0.9;
/// Busy: not saturated, but waiting time grows steeply from here (at 0.8, M/M/1 waits 4 service times).
pub const BUSY_UTILIZATION: f64 = 0.8;

/// Formats a report for the terminal. Deterministic: nodes appear in scenario order.
pub fn format_report(r: &Report) -> String {
    let mut out = String::new();
    let measured_s = (r.sim_time_s - r.warmup_s).max(0.0);
    let _ = writeln!(
        out,
        "{}: {} s simulated ({} s warm-up excluded, {} s measured), seed {}, load {}x",
        r.scenario,
        number(r.sim_time_s),
        number(r.warmup_s),
        number(measured_s),
        r.seed,
        number(r.load)
    );
    if let Some(why) = &r.stopped {
        let _ = writeln!(out, "STOPPED EARLY (partial report): {why}");
    }
    let events_per_s = if r.wall_time_s > 0.0 {
        r.events as f64 / r.wall_time_s
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "{} events in {:.2} s wall time ({} events/s)",
        thousands(r.events),
        r.wall_time_s,
        thousands(events_per_s.round() as u64)
    );

    out.push('\n');
    requests_section(&mut out, r);
    out.push('\n');
    let _ = writeln!(out, "End-to-end latency of successful requests, ms:");
    let _ = writeln!(out, "  {}", latency_line(&r.latency_ms));
    out.push('\n');
    nodes_section(&mut out, &r.nodes);
    shards_section(&mut out, &r.nodes);
    partitions_section(&mut out, &r.nodes);
    edges_section(&mut out, &r.edges);
    if let Some(t) = &r.topology {
        topology_section(&mut out, t);
    }
    if let Some(c) = &r.cost {
        cost_section(&mut out, c);
    }
    out
}

/// Money with two decimals and thousands separators: `1,234.56 USD`.
pub fn money(x: f64, currency: &str) -> String {
    let cents = (x * 100.0).round().max(0.0) as u64;
    format!("{}.{:02} {currency}", thousands(cents / 100), cents % 100)
}

/// The bill at the measured traffic: the total per month and per million requests, and each billed node.
fn cost_section(out: &mut String, c: &crate::metrics::CostReport) {
    let cur = c.currency.as_str();
    let per_m = c
        .per_million_requests
        .map_or("-".to_owned(), |x| format!("{x:.4} {cur}"));
    let _ = writeln!(
        out,
        "\nCost: {} per month ({} h), {} per million requests (prices: docs/cost-model.md)",
        money(c.monthly, cur),
        number(c.hours_per_month),
        per_m
    );
    let mut t = Table::new(&[
        ("id", Align::Left),
        ("instances", Align::Right),
        ("per hour", Align::Right),
        ("requests/s", Align::Right),
        ("per month", Align::Right),
    ]);
    for n in c.nodes.iter().filter(|n| n.kind != "client") {
        t.row(vec![
            n.id.clone(),
            number((n.instances * 100.0).round() / 100.0),
            format!("{:.4}", n.hourly_price),
            rate(n.requests_rps),
            money(n.monthly, cur),
        ]);
    }
    out.push_str(&t.render("  "));
}

/// Calls by where they went, and each region's nodes.
fn topology_section(out: &mut String, t: &crate::metrics::TopologyReport) {
    let _ = writeln!(
        out,
        "\nZones and regions: {} calls within a zone, {} between zones, {} between regions",
        thousands(t.local_calls),
        thousands(t.cross_zone_calls),
        thousands(t.cross_region_calls)
    );
    for r in &t.regions {
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            r.name,
            r.zones.join(", "),
            if r.nodes.is_empty() {
                "no nodes".to_owned()
            } else {
                r.nodes.join(", ")
            }
        );
    }
}

/// The edges with a timeout, retries or a breaker (the others only count calls: see the JSON report).
fn edges_section(out: &mut String, edges: &[EdgeReport]) {
    let guarded: Vec<&EdgeReport> = edges.iter().filter(|e| e.failures.is_some()).collect();
    if guarded.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nEdges with timeouts, retries or breakers:");
    let mut t = Table::new(&[
        ("edge", Align::Left),
        ("calls", Align::Right),
        ("failures", Align::Right),
        ("timeouts", Align::Right),
        ("retries", Align::Right),
        ("breaker", Align::Left),
    ]);
    let n = |x: Option<u64>| thousands(x.unwrap_or(0));
    for e in guarded {
        let breaker = e.breaker.as_ref().map_or("-".to_owned(), |b| {
            format!(
                "{}, opened {}x, open {} s, {} failed fast",
                b.state.replace('_', "-"),
                b.opens,
                number(b.time_open_s),
                thousands(b.fast_failed)
            )
        });
        t.row(vec![
            format!("{} -> {}", e.from, e.to),
            thousands(e.calls),
            n(e.failures),
            n(e.timeouts),
            n(e.retries),
            breaker,
        ]);
    }
    out.push_str(&t.render("  "));
}

fn requests_section(out: &mut String, r: &Report) {
    let q = &r.requests;
    let share = |n: u64| {
        if q.offered == 0 {
            "-".to_owned()
        } else {
            format!("{:.2}%", 100.0 * n as f64 / q.offered as f64)
        }
    };
    let rows = [
        ("succeeded", q.succeeded),
        ("failed", q.failed),
        ("timed out", q.timed_out),
        ("rejected", q.rejected),
        ("rate limited", q.rate_limited),
        ("in flight", q.in_flight),
    ];
    let _ = writeln!(out, "Requests:");
    let mut t = Table::new(&[
        ("", Align::Left),
        ("count", Align::Right),
        ("share", Align::Right),
    ]);
    t.row(vec!["offered".into(), thousands(q.offered), String::new()]);
    for (name, n) in rows {
        t.row(vec![name.into(), thousands(n), share(n)]);
    }
    out.push_str(&t.render("  "));
    let _ = writeln!(
        out,
        "Throughput: {} successful requests/s (offered {}/s)",
        rate(r.throughput_rps),
        rate(r.offered_rps)
    );
    if q.retries > 0 {
        // Amplification: what the callees see per request the users made.
        let _ = writeln!(
            out,
            "Retries: {} (attempts per request: {:.2})",
            thousands(q.retries),
            (q.offered + q.retries) as f64 / q.offered.max(1) as f64
        );
    }
    if let Some(t) = r.last_resolved_ms {
        let _ = writeln!(
            out,
            "Batch completed: the last request resolved at {t:.1} ms"
        );
    }
    for n in &r.nodes {
        for line in crate::metrics::node_lines(n) {
            let _ = writeln!(out, "{}", line.text);
        }
    }
}

/// Per-shard rows of each sharded database, and its hottest shard.
/// A topic's partitions: messages, share, rate and the largest lag any group had on each.
fn partitions_section(out: &mut String, nodes: &[NodeReport]) {
    for n in nodes {
        let Some(t) = &n.topic else { continue };
        let mut tab = Table::new(&[
            ("partition", Align::Right),
            ("messages", Align::Right),
            ("share", Align::Right),
            ("rate /s", Align::Right),
            ("max lag", Align::Right),
        ]);
        for p in &t.partitions {
            tab.row(vec![
                p.partition.to_string(),
                thousands(p.messages),
                format!("{:.1}%", 100.0 * p.share),
                format!("{:.1}", p.rate_rps),
                thousands(p.max_lag),
            ]);
        }
        let _ = writeln!(out, "\nPartitions of {}:", n.id);
        out.push_str(&tab.render("  "));
    }
}

fn shards_section(out: &mut String, nodes: &[NodeReport]) {
    for n in nodes {
        let Some(shards) = &n.shards else { continue };
        let mut t = Table::new(&[
            ("shard", Align::Right),
            ("util", Align::Right),
            ("", Align::Left),
            ("queue mean", Align::Right),
            ("arrivals", Align::Right),
            ("completed", Align::Right),
            ("p50 ms", Align::Right),
            ("p99 ms", Align::Right),
        ]);
        for sh in shards {
            let l = &sh.latency_ms;
            let pct = |p: f64| if l.count == 0 { "-".to_owned() } else { ms(p) };
            t.row(vec![
                sh.shard.to_string(),
                format!("{:.1}%", 100.0 * sh.utilization),
                if sh.utilization >= SATURATED_UTILIZATION {
                    "!"
                } else {
                    ""
                }
                .to_owned(),
                format!("{:.2}", sh.mean_queue_len),
                thousands(sh.arrivals),
                thousands(sh.completed),
                pct(l.p50),
                pct(l.p99),
            ]);
        }
        let _ = writeln!(out, "\nShards of {}:", n.id);
        out.push_str(&t.render("  "));
        if let Some(h) = n.hottest_shard.and_then(|h| shards.get(h as usize)) {
            let mean = shards.iter().map(|s| s.utilization).sum::<f64>() / shards.len() as f64;
            let _ = writeln!(
                out,
                "  Hottest shard: {} at {:.1}% utilization (mean over shards {:.1}%){}",
                h.shard,
                100.0 * h.utilization,
                100.0 * mean,
                if h.utilization >= SATURATED_UTILIZATION {
                    ": SATURATED, a hot key or an uneven split; more shards will not help a single hot key"
                } else {
                    ""
                }
            );
        }
    }
}

fn latency_line(l: &LatencySummary) -> String {
    if l.count == 0 {
        return "none completed".into();
    }
    format!(
        "mean {}   p50 {}   p90 {}   p99 {}   p99.9 {}   max {}   ({} samples)",
        ms(l.mean),
        ms(l.p50),
        ms(l.p90),
        ms(l.p99),
        ms(l.p999),
        ms(l.max),
        thousands(l.count)
    )
}

/// Kinds whose utilization and queue mean something (they have workers or a backlog).
fn has_workers(kind: &str) -> bool {
    matches!(kind, "service" | "cache" | "database" | "gateway")
}

fn has_queue(kind: &str) -> bool {
    has_workers(kind) || kind == "queue"
}

fn nodes_section(out: &mut String, nodes: &[NodeReport]) {
    let show_lag = nodes.iter().any(|n| n.lag_ms.is_some());
    let mut cols = vec![
        ("id", Align::Left),
        ("kind", Align::Left),
        ("util", Align::Right),
        ("", Align::Left),
        ("queue mean", Align::Right),
        ("queue max", Align::Right),
        ("arrivals", Align::Right),
        ("completed", Align::Right),
        ("rejected", Align::Right),
        ("p50 ms", Align::Right),
        ("p99 ms", Align::Right),
    ];
    if show_lag {
        cols.push(("lag p50 ms", Align::Right));
        cols.push(("lag p99 ms", Align::Right));
    }
    let mut t = Table::new(&cols);
    // A stable queue at 90% is busy, not saturated: saturated means (almost) always busy, or busy while
    // turning requests away.
    let saturated = |n: &NodeReport| {
        has_workers(&n.kind)
            && (n.utilization >= SATURATED_UTILIZATION
                || (n.utilization >= REJECTING_UTILIZATION && n.rejected > 0))
    };
    for n in nodes {
        let (util, mark) = if has_workers(&n.kind) {
            (
                format!("{:.1}%", 100.0 * n.utilization),
                if saturated(n) { "!" } else { "" },
            )
        } else {
            ("-".to_owned(), "")
        };
        let (q_mean, q_max) = if has_queue(&n.kind) {
            (
                format!("{:.2}", n.mean_queue_len),
                thousands(n.max_queue_len),
            )
        } else {
            ("-".to_owned(), "-".to_owned())
        };
        let pct = |l: &LatencySummary, p: f64| if l.count == 0 { "-".to_owned() } else { ms(p) };
        // A client only originates traffic: its outcomes are the Requests section above.
        let count = |v: u64| {
            if n.kind == "client" && v == 0 {
                "-".to_owned()
            } else {
                thousands(v)
            }
        };
        let mut row = vec![
            n.id.clone(),
            n.kind.clone(),
            util,
            mark.to_owned(),
            q_mean,
            q_max,
            count(n.arrivals),
            count(n.completed),
            count(n.rejected),
            pct(&n.latency_ms, n.latency_ms.p50),
            pct(&n.latency_ms, n.latency_ms.p99),
        ];
        if show_lag {
            match &n.lag_ms {
                Some(l) => {
                    row.push(pct(l, l.p50));
                    row.push(pct(l, l.p99));
                }
                None => row.extend(["-".to_owned(), "-".to_owned()]),
            }
        }
        t.row(row);
    }
    let _ = writeln!(out, "Nodes:");
    out.push_str(&t.render("  "));

    let hot: Vec<&str> = nodes
        .iter()
        .filter(|n| saturated(n))
        .map(|n| n.id.as_str())
        .collect();
    if !hot.is_empty() {
        let _ = writeln!(
            out,
            "  ! = SATURATED (utilization >= {:.0}%, or >= {:.0}% while rejecting): {}",
            100.0 * SATURATED_UTILIZATION,
            100.0 * REJECTING_UTILIZATION,
            hot.join(", ")
        );
    }
    // Ties go to the first node in scenario order, so the line is deterministic.
    let busiest = nodes.iter().filter(|n| has_workers(&n.kind)).fold(
        None::<&NodeReport>,
        |best, n| match best {
            Some(b) if b.utilization >= n.utilization => Some(b),
            _ => Some(n),
        },
    );
    match busiest {
        Some(b) if saturated(b) => {
            let _ = writeln!(
                out,
                "Busiest node: {} ({}) at {:.1}% utilization: SATURATED, it limits throughput and its queue grows.",
                b.id,
                b.kind,
                100.0 * b.utilization
            );
        }
        Some(b) if b.utilization >= BUSY_UTILIZATION => {
            let _ = writeln!(
                out,
                "Busiest node: {} ({}) at {:.1}% utilization: busy, not saturated; queueing delay grows steeply from here.",
                b.id,
                b.kind,
                100.0 * b.utilization
            );
        }
        Some(b) => {
            let _ = writeln!(
                out,
                "Busiest node: {} ({}) at {:.1}% utilization; no node is saturated.",
                b.id,
                b.kind,
                100.0 * b.utilization
            );
        }
        None => {}
    }
}

/// Column alignment.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// A plain-text table: column widths fit the widest cell; trailing spaces are trimmed.
struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(headers: &[(&str, Align)]) -> Self {
        Self {
            headers: headers.iter().map(|&(h, a)| (h.to_owned(), a)).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    fn render(&self, indent: &str) -> String {
        let width = |s: &str| s.chars().count();
        let widths: Vec<usize> = self
            .headers
            .iter()
            .enumerate()
            .map(|(i, (h, _))| {
                self.rows
                    .iter()
                    .map(|r| width(&r[i]))
                    .chain([width(h)])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            let mut s = indent.to_owned();
            for (i, cell) in cells.iter().enumerate() {
                let w = widths[i];
                if w == 0 {
                    continue;
                }
                // The unnamed marker column hugs the column before it.
                if i > 0 && !self.headers[i].0.is_empty() {
                    s.push_str("  ");
                }
                match self.headers[i].1 {
                    Align::Left => {
                        let _ = write!(s, "{cell:<w$}");
                    }
                    Align::Right => {
                        let _ = write!(s, "{cell:>w$}");
                    }
                }
            }
            s.trim_end().to_owned() + "\n"
        };
        let mut out = line(self.headers.iter().map(|(h, _)| h.as_str()).collect());
        for r in &self.rows {
            out.push_str(&line(r.iter().map(String::as_str).collect()));
        }
        out
    }
}

/// A rate with one decimal and thousands separators.
fn rate(x: f64) -> String {
    if !x.is_finite() || x < 0.0 {
        return "-".into();
    }
    let tenths = (x * 10.0).round() as u64;
    format!("{}.{}", thousands(tenths / 10), tenths % 10)
}

/// Milliseconds with about three significant digits (the histograms keep three).
fn ms(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x < 1.0 {
        format!("{x:.3}")
    } else if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// A plain number without needless decimals: `60`, `2.5`.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{}", (x * 1000.0).round() / 1000.0)
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
