//! `archsim bench`: the benchmark workloads of `validation.md` section 6, run by the real engine with full
//! metrics. Each workload runs in a fresh child process of this binary (`bench --one W1`), so the peak
//! memory it reports is that workload's own.
//!
//! Time unit: 1 ms stands for the queueing-theory time unit, so W1's mean sojourn is 10 ms for 10 units.

use std::fmt::Write as _;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::text::thousands;
use super::{BenchArgs, CliError, write_stdout};
use crate::model::{
    CacheParams, ClientParams, DatabaseParams, Dist, Edge, LbPolicy, LoadBalancerParams, Node,
    NodeKind, Scenario, ServiceParams,
};
use crate::sim::Simulation;

/// Customers (requests) per workload in a full run, as in the peer measurements.
pub const FULL_CUSTOMERS: u64 = 1_000_000;
/// Customers per workload with `--quick`.
pub const QUICK_CUSTOMERS: u64 = 100_000;
/// Waiting room large enough never to reject at these loads (P(queue > 100,000) at rho 0.9 is nil).
const UNBOUNDED_QUEUE: u32 = 100_000;

/// A benchmark workload.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
    Serialize,
    Deserialize,
)]
pub enum Workload {
    /// M/M/1, lambda = 0.9, mu = 1.
    W1,
    /// M/M/8, lambda = 7.2, mu = 1.
    W2,
    /// Poisson 1,000/s -> round-robin balancer -> 4 services -> cache -> (misses) database.
    W3,
}

impl Workload {
    /// All workloads, in order.
    pub const ALL: [Workload; 3] = [Workload::W1, Workload::W2, Workload::W3];

    /// `W1`, `W2`, `W3`.
    pub fn name(self) -> &'static str {
        match self {
            Workload::W1 => "W1",
            Workload::W2 => "W2",
            Workload::W3 => "W3",
        }
    }

    /// Client arrival rate, requests per second.
    fn rate_rps(self) -> f64 {
        match self {
            Workload::W1 => 900.0,
            Workload::W2 => 7_200.0,
            Workload::W3 => 1_000.0,
        }
    }

    /// Expected end-to-end (mean, p99) in ms: closed forms for W1 and W2, the peers' figures for W3
    /// (validation.md section 6).
    pub fn expected_ms(self) -> (f64, f64) {
        match self {
            Workload::W1 => mmc_sojourn_ms(1, 0.9, 1.0),
            Workload::W2 => mmc_sojourn_ms(8, 7.2, 1.0),
            Workload::W3 => (15.06, 75.9),
        }
    }
}

/// An edge with no network latency: the workloads measure queueing only.
fn edge(from: &str, to: &str) -> Edge {
    Edge {
        latency_ms: Dist::constant(0.0),
        ..Edge::new(from, to)
    }
}

fn node(id: &str, kind: NodeKind) -> Node {
    Node {
        id: id.into(),
        kind,
        pos: None,
        zone: None,
    }
}

fn client(rate_rps: f64) -> Node {
    node(
        "customers",
        NodeKind::Client(ClientParams {
            rate_rps,
            ..ClientParams::default()
        }),
    )
}

fn service(id: &str, workers: u32, mean_ms: f64) -> Node {
    node(
        id,
        NodeKind::Service(ServiceParams {
            replicas: 1,
            workers,
            queue_capacity: UNBOUNDED_QUEUE,
            service_time_ms: Dist::exp(mean_ms),
            error_probability: 0.0,
            ..ServiceParams::default()
        }),
    )
}

/// The workload as a scenario sized for about `customers` arrivals (Poisson, so the count varies by about
/// its square root). No warm-up: every customer counts, as in the peers.
pub fn workload_scenario(w: Workload, customers: u64) -> Scenario {
    let duration_s = customers as f64 / w.rate_rps();
    let (name, description, nodes, edges) = match w {
        Workload::W1 => (
            "W1: M/M/1",
            "Benchmark W1 (validation.md section 6): M/M/1 with lambda = 0.9, mu = 1, 1 ms as the time unit: Poisson 900 requests/s into one worker with exponential 1 ms service and an effectively unbounded queue. Theory: mean sojourn 10 ms, p99 46.05 ms.",
            vec![client(w.rate_rps()), service("server", 1, 1.0)],
            vec![edge("customers", "server")],
        ),
        Workload::W2 => (
            "W2: M/M/8",
            "Benchmark W2 (validation.md section 6): M/M/8 with lambda = 7.2, mu = 1, 1 ms as the time unit: Poisson 7,200 requests/s into 8 workers with exponential 1 ms service. Theory (Erlang C): mean wait 0.877 ms, mean sojourn 1.877 ms.",
            vec![client(w.rate_rps()), service("server", 8, 1.0)],
            vec![edge("customers", "server")],
        ),
        Workload::W3 => {
            let mut nodes = vec![
                client(w.rate_rps()),
                node(
                    "lb",
                    NodeKind::LoadBalancer(LoadBalancerParams {
                        policy: LbPolicy::RoundRobin,
                        ..LoadBalancerParams::default()
                    }),
                ),
            ];
            let mut edges = vec![edge("customers", "lb")];
            for i in 1..=4 {
                let id = format!("svc{i}");
                nodes.push(service(&id, 16, 10.0));
                edges.push(edge("lb", &id));
                edges.push(edge(&id, "cache"));
            }
            nodes.push(node(
                "cache",
                NodeKind::Cache(CacheParams {
                    hit_ratio: 0.8,
                    hit_latency_ms: Dist::exp(1.0),
                    workers: 64,
                    queue_capacity: UNBOUNDED_QUEUE,
                    ..CacheParams::default()
                }),
            ));
            nodes.push(node(
                "db",
                NodeKind::Database(DatabaseParams {
                    pool_size: 8,
                    queue_capacity: UNBOUNDED_QUEUE,
                    read_time_ms: Dist::exp(20.0),
                    write_time_ms: Dist::exp(20.0),
                    read_replicas: 0,
                    ..DatabaseParams::default()
                }),
            ));
            edges.push(edge("cache", "db"));
            (
                "W3: service tree",
                "Benchmark W3 (validation.md section 6): Poisson 1,000 requests/s -> round-robin load balancer -> 4 services (16 workers each, exponential 10 ms) -> cache (hit ratio 0.8, exponential 1 ms, 64 workers) -> on a miss a database (pool of 8, exponential 20 ms reads, no replicas). All edges have zero latency. Expected: mean about 15.06 ms, p99 about 75.9 ms.",
                nodes,
                edges,
            )
        }
    };
    Scenario {
        name: name.into(),
        description: description.into(),
        duration_s,
        warmup_s: 0.0,
        seed: 1,
        nodes,
        edges,
        ..Scenario::default()
    }
}

/// What one workload run measured; the child prints it as JSON for the parent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchResult {
    /// Which workload.
    pub workload: Workload,
    /// Customers (requests) issued.
    pub customers: u64,
    /// Events processed.
    pub events: u64,
    /// Wall time of build + run + report, seconds.
    pub wall_s: f64,
    /// CPU time of the same span, seconds (Linux only): on a busy machine it is the fairer figure.
    pub cpu_s: Option<f64>,
    /// End-to-end mean latency, ms.
    pub mean_ms: f64,
    /// End-to-end p99 latency, ms.
    pub p99_ms: f64,
    /// Peak resident memory of the process (VmHWM), KiB; `None` where /proc is unavailable.
    pub peak_rss_kib: Option<u64>,
}

pub(super) fn bench(args: &BenchArgs) -> Result<ExitCode, CliError> {
    let customers = if args.quick {
        QUICK_CUSTOMERS
    } else {
        FULL_CUSTOMERS
    };
    if let Some(w) = args.one {
        let result = run_one(w, customers)?;
        let json = serde_json::to_string(&result).expect("a BenchResult always serializes");
        write_stdout(&(json + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut chosen = if args.workloads.is_empty() {
        Workload::ALL.to_vec()
    } else {
        args.workloads.clone()
    };
    chosen.sort_unstable();
    chosen.dedup();

    eprintln!(
        "archsim bench: {} customers per workload, each in its own process ({} build)",
        thousands(customers),
        if cfg!(debug_assertions) {
            "DEBUG: use --release for real figures"
        } else {
            "release"
        }
    );
    let mut results = Vec::new();
    for w in chosen {
        eprintln!("running {} ...", w.name());
        results.push(run_child(w, args.quick)?);
    }
    write_stdout(&format_results(&results))?;
    Ok(ExitCode::SUCCESS)
}

fn run_one(w: Workload, customers: u64) -> Result<BenchResult, CliError> {
    let scenario = workload_scenario(w, customers);
    let cpu_start_ns = cpu_time_ns();
    let started = Instant::now();
    let mut sim = Simulation::new(&scenario)?;
    sim.run_to_end();
    let report = sim.report();
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_start_ns
        .zip(cpu_time_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 / 1e9);
    Ok(BenchResult {
        workload: w,
        customers: report.requests.offered,
        events: report.events,
        wall_s,
        cpu_s,
        mean_ms: report.latency_ms.mean,
        p99_ms: report.latency_ms.p99,
        peak_rss_kib: peak_rss_kib(),
    })
}

fn run_child(w: Workload, quick: bool) -> Result<BenchResult, CliError> {
    let fail = |message: String| CliError::Bench {
        workload: w.name().into(),
        message,
    };
    let exe =
        std::env::current_exe().map_err(|e| fail(format!("cannot find this program: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench", "--one", w.name()]);
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| fail(format!("cannot start the child process: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!("the child process failed ({})", out.status)));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| fail(format!("unreadable result from the child process: {e}")))
}

fn format_results(results: &[BenchResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:>11} {:>12} {:>8} {:>8} {:>13} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "workload",
        "customers",
        "events",
        "wall s",
        "cpu s",
        "customers/s",
        "events/s",
        "mean ms",
        "(expect)",
        "p99 ms",
        "(expect)",
        "peak MiB"
    );
    for r in results {
        let per_s = |n: u64| {
            if r.wall_s > 0.0 {
                thousands((n as f64 / r.wall_s).round() as u64)
            } else {
                "-".into()
            }
        };
        let (mean_expected, p99_expected) = r.workload.expected_ms();
        let peak = r
            .peak_rss_kib
            .map_or("-".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0));
        let _ = writeln!(
            out,
            "{:<8} {:>11} {:>12} {:>8.2} {:>8} {:>13} {:>12} {:>9.3} {:>9.3} {:>9.2} {:>9.2} {:>9}",
            r.workload.name(),
            thousands(r.customers),
            thousands(r.events),
            r.wall_s,
            r.cpu_s.map_or("-".to_owned(), |c| format!("{c:.2}")),
            per_s(r.customers),
            per_s(r.events),
            r.mean_ms,
            mean_expected,
            r.p99_ms,
            p99_expected,
            peak
        );
    }
    out
}

/// Peak resident set size of this process, from `VmHWM` in /proc/self/status (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time this thread has run, ns, from /proc/self/schedstat (Linux only; exact, unlike clock ticks).
/// The engine is single-threaded, so the main thread's time is the run's.
fn cpu_time_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load `a` = lambda / mu.
fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by its stable recurrence, then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho + rho * b)
}

/// Mean and 99th percentile of the M/M/c sojourn time (wait + service), in the time unit of the rates.
/// The sojourn is the service time plus a wait that is 0 with probability 1 - C and otherwise exponential
/// with rate theta = c mu - lambda; its tail is solved for 1% by bisection.
fn mmc_sojourn_ms(c: u32, lambda: f64, mu: f64) -> (f64, f64) {
    let wait_prob = erlang_c(c, lambda / mu);
    let theta = f64::from(c) * mu - lambda;
    let mean = 1.0 / mu + wait_prob / theta;
    let tail = |t: f64| {
        // P(Exp(theta) + Exp(mu) > t), the hypoexponential tail (theta != mu for these workloads).
        let both = (mu * (-theta * t).exp() - theta * (-mu * t).exp()) / (mu - theta);
        (1.0 - wait_prob) * (-mu * t).exp() + wait_prob * both
    };
    let (mut lo, mut hi) = (0.0, 1.0);
    while tail(hi) > 0.01 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.01 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (mean, 0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    #[test]
    fn closed_forms_match_the_reference() {
        let (mean, p99) = mmc_sojourn_ms(1, 0.9, 1.0);
        assert!(
            (mean - 10.0).abs() < 1e-9 && (p99 - 10.0 * 100f64.ln()).abs() < 1e-6,
            "{mean} {p99}"
        );
        // validation.md section 1: M/M/8, lambda 7.2, mu 1 has Wq = 0.877.
        let (mean, _) = mmc_sojourn_ms(8, 7.2, 1.0);
        assert!((mean - 1.877).abs() < 5e-4, "{mean}");
    }

    #[test]
    fn workloads_are_valid_and_sized() {
        for w in Workload::ALL {
            let s = workload_scenario(w, FULL_CUSTOMERS);
            assert_eq!(model::validate(&s), vec![], "{}", w.name());
            let expected = s.duration_s * w.rate_rps();
            assert!(
                (expected - FULL_CUSTOMERS as f64).abs() < 1e-6,
                "{}",
                w.name()
            );
        }
    }

    /// A feature a scenario does not use costs it nothing only if the benchmarks measure the plain paths:
    /// none of the workloads may switch on the optional machinery.
    #[test]
    fn workloads_run_on_the_plain_paths() {
        for w in Workload::ALL {
            let sim = Simulation::new(&workload_scenario(w, 1_000)).expect("a valid workload");
            assert!(
                sim.features().is_empty(),
                "{}: {}",
                w.name(),
                sim.features().names()
            );
        }
    }

    /// The files under benches/workloads/ are these scenarios, so peers and `archsim run` use the same model.
    /// `ARCHSIM_WRITE_WORKLOADS=1 cargo test` rewrites them after a change here.
    #[test]
    fn workload_files_match_the_code() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workloads");
        for w in Workload::ALL {
            let s = workload_scenario(w, FULL_CUSTOMERS);
            let path = dir.join(format!("{}.ron", w.name().to_lowercase()));
            if std::env::var_os("ARCHSIM_WRITE_WORKLOADS").is_some() {
                let header = format!(
                    "// Benchmark workload {} ({} customers). Generated from src/cli/bench.rs: edit there, then\n// ARCHSIM_WRITE_WORKLOADS=1 cargo test --no-default-features workload_files\n",
                    w.name(),
                    thousands(FULL_CUSTOMERS)
                );
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, header + &model::to_string(&s) + "\n").unwrap();
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let on_disk = model::from_str(&text, &path.display().to_string()).unwrap();
            assert_eq!(on_disk, s, "{} is out of date", path.display());
        }
    }
}
