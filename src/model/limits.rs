//! The work a run may ask for, computed before it starts, and the limits that the CLI, the app, the web page
//! and share links all apply to it. Validation catches a bad value in the file; this catches a file (or a
//! `--load`) whose values are each fine but that together would keep the engine busy for hours, or hold
//! gigabytes in flight: the peak rate offered over all clients (rate x load x spike x burst), the requests a
//! batch sends at one instant, the calls one request can make (paths through the graph with fan-out and
//! retries) and the events the whole run would need. Each refusal gives the computed figure, the limit and
//! the knob to turn. What cannot be known in advance is governed while the run goes (`crate::sim`'s
//! governor). No engine or UI here: plain arithmetic on the scenario.

use std::collections::BTreeMap;

use super::{Arrival, FaultKind, NodeKind, Problem, Scenario};

/// Smallest load multiplier accepted anywhere (CLI `--load`, sweeps, capacity search, the app).
pub const MIN_LOAD: f64 = 0.001;
/// Largest load multiplier accepted anywhere; the offered-rate limit usually binds first.
pub const MAX_LOAD: f64 = 10_000.0;
/// Largest peak rate offered over all clients together, requests/s: the file's per-client limit, now over
/// the rate the engine actually generates (rate x load x spike factor, and the faster rate inside bursts).
pub const MAX_OFFERED_RPS: f64 = 10_000_000.0;
/// Most requests batches may send at one instant (`Batch` count x load, all batch clients together).
pub const MAX_BATCH_REQUESTS: f64 = 1_000_000.0;
/// Most calls one request may make in the worst case (every fan-out, every cache miss, every retry).
pub const MAX_CALLS_PER_REQUEST: f64 = 1_000_000.0;
/// Most events a run may need (about 15 minutes of engine time at 10 million events/s).
pub const MAX_RUN_EVENTS: f64 = 1e10;
/// Most replications per point (`--replications`, `--max-replications`, the stress panel).
pub const MAX_REPLICATIONS: u32 = 1000;
/// Most worker threads a sweep may start (`--threads`).
pub const MAX_THREADS: usize = 256;
/// Smallest `--precision` target (relative half-width of p99's 95% interval).
pub const MIN_PRECISION: f64 = 0.001;
/// Most points on a sweep axis.
pub const MAX_SWEEP_POINTS: usize = 10_000;
/// Most values in a client's inline trace (`profile: Trace(rates_rps: [...])`): a day of per-second rates.
/// A trace read from a file is inlined into the scenario, so a saved file and a share link carry it; a
/// link's own 256 KiB limit on the unpacked scenario binds first for traces of more than about 30,000 values.
pub const MAX_TRACE_POINTS: usize = 86_400;
/// Largest trace file (CSV) read, bytes: 16 MiB holds a day of timestamps at about 100 requests/s.
pub const MAX_TRACE_FILE_BYTES: u64 = 16 << 20;

/// What a run at one load would ask of the engine, before it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Work {
    /// Peak offered rate over all clients, requests/s (spikes and bursts included).
    pub peak_offered_rps: f64,
    /// The client contributing most to it.
    pub busiest_client: Option<String>,
    /// Requests all batch clients send at their instant.
    pub batch_requests: f64,
    /// The batch client sending most.
    pub biggest_batch: Option<String>,
    /// Worst-case calls one request makes (fan-out, cache misses, retries), over clients and classes.
    pub calls_per_request: f64,
    /// The client whose requests can make the most calls.
    pub deepest_client: Option<String>,
    /// Events the run would need (requests x calls, about three events a call), an estimate.
    pub events: f64,
}

/// Which knob a message points at: the file's fields (load 1), or `--load` too.
fn load_knob(load: f64) -> String {
    if load == 1.0 {
        String::new()
    } else {
        format!(" or the load multiplier (now {})", fmt(load))
    }
}

/// A figure for a message: whole numbers with separators, large ones in scientific notation, never 300
/// digits.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else {
            "infinity".into()
        };
    }
    if x.abs() >= 1e15 {
        return format!("{x:.3e}");
    }
    if x.fract() == 0.0 {
        let digits = format!("{}", x.abs() as u64);
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        return if x < 0.0 { format!("-{out}") } else { out };
    }
    if x.abs() < 1e-3 {
        return format!("{x:.3e}");
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The work a run of `s` at load multiplier `load` asks for. `s` must be structurally valid (nodes and
/// edges resolve, no cycle); anything else counts as no work.
pub fn work(s: &Scenario, load: f64) -> Work {
    let idx: BTreeMap<&str, usize> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); s.nodes.len()];
    for (ei, e) in s.edges.iter().enumerate() {
        if let Some(&a) = idx.get(e.from.as_str()) {
            out_edges[a].push(ei);
        }
    }
    let mut memo: BTreeMap<(usize, String, bool), f64> = BTreeMap::new();
    let mut w = Work {
        peak_offered_rps: 0.0,
        busiest_client: None,
        batch_requests: 0.0,
        biggest_batch: None,
        calls_per_request: 0.0,
        deepest_client: None,
        events: 0.0,
    };
    let (mut top_rate, mut top_batch) = (-1.0, -1.0);
    for (ci, n) in s.nodes.iter().enumerate() {
        let NodeKind::Client(c) = &n.kind else {
            continue;
        };
        let spike = peak_spike(s, &n.id);
        let start = c.start_s.max(0.0);
        let stop = c.stop_s.unwrap_or(s.duration_s).min(s.duration_s);
        let active_s = (stop - start).max(0.0);
        let (peak_rps, requests) = match c.arrival {
            Arrival::Batch { count } => {
                let b = count as f64 * load;
                w.batch_requests += b;
                if b > top_batch {
                    top_batch = b;
                    w.biggest_batch = Some(n.id.clone());
                }
                (0.0, b)
            }
            Arrival::Bursty { on_s, off_s } => {
                let burst = if on_s > 0.0 {
                    (on_s + off_s.max(0.0)) / on_s
                } else {
                    f64::INFINITY
                };
                let mean = c.rate_rps * load;
                (mean * spike * burst, mean * spike * active_s)
            }
            // A user sends at most once per think time (and per answer): the rate is bounded by users /
            // mean think time, at least 1 ms (with no thinking, the system's own latency bounds it).
            Arrival::ClosedLoop {
                users,
                ref think_time_ms,
            } => {
                let think_s = think_time_ms.mean().unwrap_or(0.0).max(1.0) / 1e3;
                let r = (users as f64 * load * spike).round() / think_s;
                (r, r * active_s)
            }
            Arrival::Poisson | Arrival::Constant => match &c.profile {
                // A profile's peak sets the peak rate; its integral over the window the requests.
                Some(pr) => {
                    let base = pr.base_rps(c.rate_rps) * load * spike;
                    (
                        base * pr.peak().0,
                        base * pr.integral(start, stop.max(start)),
                    )
                }
                None => {
                    let r = c.rate_rps * load * spike;
                    (r, r * active_s)
                }
            },
        };
        w.peak_offered_rps += peak_rps;
        if peak_rps > top_rate {
            top_rate = peak_rps;
            w.busiest_client = Some(n.id.clone());
        }
        let client_retries = c.retry.as_ref().map_or(0, |r| r.max_retries) as f64;
        let mut worst: f64 = 0.0;
        let mut nominal: f64 = 0.0;
        for class in client_classes(c) {
            let first = out_edges[ci]
                .iter()
                .copied()
                .find(|&e| s.edges[e].carries(&class));
            if let Some(e) = first {
                let to = idx.get(s.edges[e].to.as_str()).copied();
                if let Some(to) = to {
                    let retry = edge_attempts(s, e);
                    let per = |memo: &mut _, with_retries| {
                        calls_from(s, &idx, &out_edges, to, &class, with_retries, memo, 0)
                    };
                    let wc = (1.0 + client_retries) * retry * per(&mut memo, true);
                    let nc = per(&mut memo, false);
                    worst = worst.max(wc);
                    nominal = nominal.max(nc);
                }
            }
        }
        if worst > w.calls_per_request {
            w.calls_per_request = worst;
            w.deepest_client = Some(n.id.clone());
        }
        // Each call arrives, finishes and answers (three events), plus the arrival itself.
        w.events += requests * (1.0 + 3.0 * nominal);
    }
    w
}

/// The largest product of `Spike` factors on `client` in force at one time (1 without spikes).
fn peak_spike(s: &Scenario, client: &str) -> f64 {
    let spikes: Vec<(f64, f64, f64)> = s
        .faults
        .iter()
        .filter(|f| f.target == client)
        .filter_map(|f| match &f.kind {
            FaultKind::Spike(p) => Some((f.at_s, f.at_s + f.duration_s, p.factor)),
            _ => None,
        })
        .collect();
    let mut peak: f64 = 1.0;
    for &(t, _, _) in &spikes {
        let product: f64 = spikes
            .iter()
            .filter(|&&(a, b, _)| a <= t && t < b)
            .map(|&(_, _, f)| f)
            .product();
        peak = peak.max(product);
    }
    peak
}

fn client_classes(c: &super::ClientParams) -> Vec<String> {
    if c.classes.is_empty() {
        vec!["default".into()]
    } else {
        c.classes.iter().map(|k| k.name.clone()).collect()
    }
}

/// Attempts one call over edge `e` may take: 1 plus its retries.
fn edge_attempts(s: &Scenario, e: usize) -> f64 {
    1.0 + s.edges[e].retry.as_ref().map_or(0, |r| r.max_retries) as f64
}

/// Worst-case calls a request of `class` makes from the moment it reaches node `n`, this call included.
/// Memoized per (node, class), so a ladder of 40 doubling layers costs 80 evaluations, not 2^40.
#[allow(
    clippy::too_many_arguments,
    reason = "the memo, the path guard and the scenario are threaded through the recursion"
)]
fn calls_from(
    s: &Scenario,
    idx: &BTreeMap<&str, usize>,
    out_edges: &[Vec<usize>],
    n: usize,
    class: &str,
    with_retries: bool,
    memo: &mut BTreeMap<(usize, String, bool), f64>,
    depth: usize,
) -> f64 {
    if let Some(&v) = memo.get(&(n, class.to_owned(), with_retries)) {
        return v;
    }
    // Validation refuses cycles; a cycle here would mean an unvalidated scenario: say "a lot".
    if depth > s.nodes.len() {
        return f64::INFINITY;
    }
    let child = |e: usize, memo: &mut BTreeMap<(usize, String, bool), f64>| -> f64 {
        let Some(&to) = idx.get(s.edges[e].to.as_str()) else {
            return 0.0;
        };
        let attempts = if with_retries {
            edge_attempts(s, e)
        } else {
            1.0
        };
        // Each of an edge's `times` calls, and a hedge's second copy of each.
        let edge = &s.edges[e];
        let copies = edge.times as f64 * if edge.hedge.is_some() { 2.0 } else { 1.0 };
        copies * attempts * calls_from(s, idx, out_edges, to, class, with_retries, memo, depth + 1)
    };
    let carrying: Vec<usize> = out_edges[n]
        .iter()
        .copied()
        .filter(|&e| s.edges[e].carries(class))
        .collect();
    let below = match &s.nodes[n].kind {
        // A service calls every downstream edge that carries the class.
        NodeKind::Service(_) => carrying.iter().map(|&e| child(e, memo)).sum(),
        // One backend, one consumer: the worst of them.
        NodeKind::LoadBalancer(_) | NodeKind::Queue(_) => {
            carrying.iter().map(|&e| child(e, memo)).fold(0.0, f64::max)
        }
        // A miss (the worst case) and an admitted request go on over the first carrying edge.
        NodeKind::Cache(_) | NodeKind::RateLimiter(_) | NodeKind::Gateway(_) => {
            carrying.first().map_or(0.0, |&e| child(e, memo))
        }
        // An optimistic write is a read and a conditional write.
        NodeKind::Database(d) => {
            if d.optimistic.is_some() {
                1.0
            } else {
                0.0
            }
        }
        NodeKind::Client(_) => 0.0,
    };
    let v = 1.0 + below;
    memo.insert((n, class.to_owned(), with_retries), v);
    v
}

/// The limits a run of `s` at `load` breaks, as problems naming the place, the figure, the limit and the
/// knob. Empty when the run may start. At load 1 this is part of [`super::validate`].
pub fn problems(s: &Scenario, load: f64) -> Vec<Problem> {
    let mut p = Vec::new();
    let w = work(s, load);
    let knob = load_knob(load);
    let place = |who: &Option<String>| {
        who.as_ref()
            .map_or_else(|| "scenario".to_owned(), |id| format!("node '{id}'"))
    };
    if over(w.peak_offered_rps, MAX_OFFERED_RPS) {
        p.push(Problem::new(
            place(&w.busiest_client),
            "rate_rps",
            format!(
                "the clients offer up to {} requests/s together (rate x load x spike factor, and the faster \
                 rate inside bursts: rate x (on_s + off_s) / on_s); allowed: at most {} requests/s over all \
                 clients: lower rate_rps, a spike's factor or the burst ratio{knob}",
                fmt(w.peak_offered_rps),
                fmt(MAX_OFFERED_RPS)
            ),
        ));
    }
    if over(w.batch_requests, MAX_BATCH_REQUESTS) {
        p.push(Problem::new(
            place(&w.biggest_batch),
            "arrival",
            format!(
                "batches send {} requests at one instant (count x load); allowed: at most {}: lower \
                 Batch's count{knob}",
                fmt(w.batch_requests),
                fmt(MAX_BATCH_REQUESTS)
            ),
        ));
    }
    if over(w.calls_per_request, MAX_CALLS_PER_REQUEST) {
        p.push(Problem::new(
            place(&w.deepest_client),
            "edges",
            format!(
                "one request can make {} calls (every path through the graph: each service calls all its \
                 downstream edges, each `times` times, twice if hedged, times each edge's and the client's \
                 1 + max_retries); allowed: at most {}: remove fan-out edges, layers, times or retries",
                fmt(w.calls_per_request),
                fmt(MAX_CALLS_PER_REQUEST)
            ),
        ));
    }
    if p.is_empty() && over(w.events, MAX_RUN_EVENTS) {
        p.push(Problem::new(
            "scenario",
            "duration_s",
            format!(
                "the run would need about {} events (requests x calls per request x 3); allowed: at most {}: \
                 shorten duration_s (now {}), lower rate_rps{knob}",
                fmt(w.events),
                fmt(MAX_RUN_EVENTS),
                fmt(s.duration_s)
            ),
        ));
    }
    p
}

/// The largest load multiplier at which a run of `s` stays within the limits (offered rate, batch size and
/// events all grow in proportion to the load), at most [`MAX_LOAD`]: how far a capacity search may go.
pub fn max_load(s: &Scenario) -> f64 {
    let w = work(s, 1.0);
    let mut cap = MAX_LOAD;
    for (figure, limit) in [
        (w.peak_offered_rps, MAX_OFFERED_RPS),
        (w.batch_requests, MAX_BATCH_REQUESTS),
        (w.events, MAX_RUN_EVENTS),
    ] {
        if figure > 0.0 {
            cap = cap.min(limit / figure);
        }
    }
    cap
}

/// Does `s` send any traffic at all (a rate above 0, or a batch)?
pub fn offers_traffic(s: &Scenario) -> bool {
    let w = work(s, 1.0);
    w.peak_offered_rps > 0.0 || w.batch_requests > 0.0
}

/// Is `x` over `limit` (NaN counts as over: a figure that cannot be computed is not allowed)?
fn over(x: f64, limit: f64) -> bool {
    x.is_nan() || x > limit
}

/// Why a load multiplier is refused: outside [`MIN_LOAD`]..=[`MAX_LOAD`].
pub fn load_problem(load: f64) -> Option<String> {
    if load.is_finite() && (MIN_LOAD..=MAX_LOAD).contains(&load) {
        None
    } else {
        Some(format!(
            "the load multiplier is {}; allowed: {} to {}",
            fmt(load),
            fmt(MIN_LOAD),
            fmt(MAX_LOAD)
        ))
    }
}

/// Why a replication count is refused.
pub fn replications_problem(what: &str, n: u32) -> Option<String> {
    if (1..=MAX_REPLICATIONS).contains(&n) {
        None
    } else {
        Some(format!("{what} is {n}; allowed: 1 to {MAX_REPLICATIONS}"))
    }
}

/// Why a thread count is refused.
pub fn threads_problem(n: usize) -> Option<String> {
    if (1..=MAX_THREADS).contains(&n) {
        None
    } else {
        Some(format!("--threads is {n}; allowed: 1 to {MAX_THREADS}"))
    }
}

/// Why a precision target is refused.
pub fn precision_problem(p: f64) -> Option<String> {
    if p.is_finite() && (MIN_PRECISION..=1.0).contains(&p) {
        None
    } else {
        Some(format!(
            "--precision is {}; allowed: {} to 1 (a fraction of p99's mean)",
            fmt(p),
            fmt(MIN_PRECISION)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, Node, ServiceParams, presets};

    fn ladder(layers: usize) -> Scenario {
        let mut s = Scenario {
            nodes: vec![Node {
                id: "c".into(),
                kind: NodeKind::Client(super::super::ClientParams {
                    rate_rps: 1.0,
                    ..Default::default()
                }),
                pos: None,
                zone: None,
            }],
            ..Scenario::default()
        };
        let svc = |id: String| Node {
            id,
            kind: NodeKind::Service(ServiceParams::default()),
            pos: None,
            zone: None,
        };
        s.nodes.push(svc("s0".into()));
        s.edges.push(Edge::new("c", "s0"));
        for l in 1..=layers {
            for side in ["a", "b"] {
                s.nodes.push(svc(format!("s{l}{side}")));
            }
            let prev: Vec<String> = if l == 1 {
                vec!["s0".into()]
            } else {
                vec![format!("s{}a", l - 1), format!("s{}b", l - 1)]
            };
            for p in prev {
                for side in ["a", "b"] {
                    s.edges.push(Edge::new(p.clone(), format!("s{l}{side}")));
                }
            }
        }
        s
    }

    #[test]
    fn path_counting_doubles_per_layer_without_enumerating_paths() {
        // Layer l has 2^l paths reaching each of its two nodes: 1 + 2 + 4 + ... calls below s0.
        let w = work(&ladder(3), 1.0);
        // s0 (1) + layer 1 (2) + layer 2 (4 nodes visits) + layer 3 (8): 15 calls.
        assert_eq!(w.calls_per_request, 15.0);
        let w40 = work(&ladder(40), 1.0);
        assert_eq!(w40.calls_per_request, 2f64.powi(41) - 1.0);
        let p = problems(&ladder(40), 1.0);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].message.contains("2,199,023,255,551"),
            "{}",
            p[0].message
        );
        assert!(p[0].place.contains("'c'"));
    }

    #[test]
    fn load_spike_and_bursts_multiply_the_offered_rate() {
        let mut s = ladder(0);
        let NodeKind::Client(c) = &mut s.nodes[0].kind else {
            unreachable!()
        };
        c.rate_rps = 1000.0;
        c.arrival = Arrival::Bursty {
            on_s: 0.1,
            off_s: 0.9,
        };
        let w = work(&s, 3.0);
        assert!((w.peak_offered_rps - 30_000.0).abs() < 1e-6, "{w:?}");
        assert!(problems(&s, 3.0).is_empty());
        assert!(!problems(&s, 2000.0).is_empty());
    }

    #[test]
    fn every_preset_is_within_the_limits() {
        for p in presets::presets() {
            let s = p.scenario().expect("preset loads");
            assert_eq!(problems(&s, 1.0), vec![], "{}", p.name);
        }
    }

    #[test]
    fn figures_never_print_hundreds_of_digits() {
        assert_eq!(fmt(1e300), "1.000e300");
        assert_eq!(fmt(10_000_000.0), "10,000,000");
        assert_eq!(fmt(0.5), "0.5");
        assert_eq!(fmt(f64::INFINITY), "infinity");
    }
}
