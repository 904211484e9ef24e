//! `archsim optimize`: the cheapest design that holds a p99 and error SLO at a load (glue over
//! `crate::analysis::optimize`), its text, CSV and JSON forms, and its shards.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use super::stress::{
    ScenarioArgs, bar, emit, from_sweep, json, parse_range, prepare, usage, with_threads,
    write_shard,
};
use super::text::money;
use super::{CliError, write_stdout};
use crate::analysis::optimize::{
    Knob, OptimizeProgress, OptimizeResult, OptimizeSpec, default_knobs, optimize, optimize_shard,
};
use crate::analysis::sweep::{Warmup, spaced};
use crate::model::{self, Scenario};

/// Options of `archsim optimize`.
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub common: ScenarioArgs,
    /// Load multiplier the SLO must hold at.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub load: f64,
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub slo: super::stress_args::SloArgs,
    /// A knob and its values: NODE.FIELD=LO:HI (every whole number, for counts), LO:HI:POINTS or
    /// V1,V2,... (repeatable). Default: every fixed-size service's replicas and every database's read
    /// replicas.
    #[arg(long = "vary", value_name = "NODE.FIELD=LO:HI")]
    pub vary: Vec<String>,
    /// Replications per simulated candidate.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub replications: u32,
    /// Candidates simulated per round, cheapest first.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub finalists: usize,
    /// More expensive candidates simulated for the cost-vs-p99 frontier.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub frontier: usize,
    /// Writes the simulated candidates as CSV to PATH (`-`: stdout, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// Writes the full result as JSON to PATH (`-`: stdout, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Runs only shard I of N (0-based) of the search and writes a partial result for `archsim merge`
    /// (the merged result equals the unsharded one).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Where a shard writes its partial result (default `optimize-part-I-of-N.json`).
    #[arg(long, value_name = "PATH", requires = "shard")]
    pub out: Option<PathBuf>,
}

/// Parses one `--vary`.
pub fn parse_knob(scenario: &Scenario, text: &str) -> Result<Knob, CliError> {
    let (field, range) = text.rsplit_once('=').ok_or_else(|| {
        usage(format!(
            "--vary is '{text}'; expected NODE.FIELD=LO:HI, LO:HI:POINTS or V1,V2,..."
        ))
    })?;
    let field = field.trim().to_owned();
    let mut probe = scenario.clone();
    // The field must exist (and a count takes whole numbers: round the points).
    if let Err(e) = model::apply_override(&mut probe, &format!("{field}=1")) {
        return Err(CliError::Scenario(e));
    }
    let is_count = model::apply_override(&mut probe, &format!("{field}=0.5"))
        .is_err_and(|e| e.to_string().contains("whole number"));
    let mut values: Vec<f64> = if range.contains(',') {
        range
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| usage(format!("--vary {text}: '{v}' is not a number")))
            })
            .collect::<Result<_, _>>()?
    } else if range.matches(':').count() == 1 {
        let (a, b) = range.split_once(':').unwrap_or_default();
        let parse = |v: &str| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| usage(format!("--vary {text}: '{v}' is not a number")))
        };
        let (a, b) = (parse(a)?, parse(b)?);
        if !is_count {
            return Err(usage(format!(
                "--vary {text}: {field} is not a count; give LO:HI:POINTS"
            )));
        }
        if !(a.is_finite() && b.is_finite() && a <= b && b - a <= 10_000.0) {
            return Err(usage(format!(
                "--vary {text}: expected LO <= HI, at most 10000 apart"
            )));
        }
        (a.round() as i64..=b.round() as i64)
            .map(|v| v as f64)
            .collect()
    } else {
        let (a, b, n) = parse_range(range, "--vary")?;
        spaced(a, b, n, false)
    };
    if is_count {
        values.iter_mut().for_each(|v| *v = v.round());
        values.dedup();
    }
    if values.is_empty() {
        return Err(usage(format!("--vary {text}: no values")));
    }
    Ok(Knob { field, values })
}

fn spec_of(
    args: &OptimizeArgs,
    scenario: &Scenario,
    warmup: Warmup,
) -> Result<OptimizeSpec, CliError> {
    if !(args.load.is_finite() && args.load > 0.0) {
        return Err(usage(format!("--load is {}; it must be > 0", args.load)));
    }
    let slo = args.slo.slo()?;
    if args.replications == 0 || args.finalists == 0 {
        return Err(usage(
            "--replications and --finalists must be at least 1".into(),
        ));
    }
    let knobs = if args.vary.is_empty() {
        default_knobs(scenario, args.load)
    } else {
        args.vary
            .iter()
            .map(|v| parse_knob(scenario, v))
            .collect::<Result<_, _>>()?
    };
    if knobs.is_empty() {
        return Err(usage(
            "the scenario has no service replicas or database read replicas to vary; name knobs with --vary"
                .into(),
        ));
    }
    Ok(OptimizeSpec {
        load: args.load,
        slo_p99_ms: slo.p99_ms,
        slo_error_rate: slo.error_rate,
        knobs,
        replications: args.replications,
        warmup,
        finalists: args.finalists,
        frontier: args.frontier,
    })
}

pub(super) fn run(args: &OptimizeArgs) -> Result<ExitCode, CliError> {
    let (scenario, warmup) = prepare(&args.common)?;
    let spec = spec_of(args, &scenario, warmup)?;
    let cancel = AtomicBool::new(false);
    let b = bar();
    let progress = |p: OptimizeProgress| {
        if let Some(b) = &b {
            b.set_length(p.total as u64);
            b.set_position(p.done as u64);
        }
    };
    if let Some(sh) = &args.shard {
        let (i, n) = sh
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)))
            .filter(|&(i, n)| n > 0 && i < n)
            .ok_or_else(|| usage(format!("--shard is '{sh}'; expected I/N with 0 <= I < N")))?;
        let part = with_threads(args.common.threads, || {
            optimize_shard(&scenario, &spec, i, n, &progress, &cancel)
        })?
        .map_err(from_sweep)?;
        if let Some(b) = &b {
            b.finish_and_clear();
        }
        let what = format!("{} candidates", part.finalists.len());
        return write_shard(args.out.as_deref(), "optimize", (i, n), &what, &json(&part));
    }
    let result = with_threads(args.common.threads, || {
        optimize(&scenario, &spec, &progress, &cancel)
    })?
    .map_err(from_sweep)?;
    if let Some(b) = &b {
        b.finish_and_clear();
    }
    output(&result, args.csv.as_deref(), args.json.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the text unless CSV or JSON went to stdout, and writes the files asked for.
pub(super) fn output(
    result: &OptimizeResult,
    csv: Option<&std::path::Path>,
    json_path: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let to_stdout = |p: Option<&std::path::Path>| p.is_some_and(|p| p.as_os_str() == "-");
    if !to_stdout(csv) && !to_stdout(json_path) {
        write_stdout(&optimize_text(result))?;
    }
    if let Some(p) = csv {
        emit(p, &optimize_csv(result))?;
    }
    if let Some(p) = json_path {
        emit(p, &json(result))?;
    }
    Ok(())
}

fn p99_text(f: &crate::analysis::optimize::Finalist) -> String {
    match f.p99_half_width_ms {
        Some(h) => format!("{:.1} ± {:.1} ms", f.p99_ms, h),
        None => format!("{:.1} ms", f.p99_ms),
    }
}

/// The answer in words, the runner-up and the frontier.
pub fn optimize_text(r: &OptimizeResult) -> String {
    let mut out = String::new();
    let cur = r.currency.as_str();
    let s = &r.spec;
    let _ = writeln!(
        out,
        "{}: the cheapest design holding p99 <= {} ms with failures <= {}% at {}x",
        r.scenario,
        s.slo_p99_ms,
        s.slo_error_rate * 100.0,
        s.load
    );
    match r.chosen() {
        Some(c) => {
            let _ = writeln!(out, "  {}", c.candidate.sets.join(", "));
            let _ = writeln!(
                out,
                "  cost {} per month (the design as given: {})",
                money(c.candidate.monthly_cost, cur),
                money(r.baseline_monthly_cost, cur)
            );
            let _ = writeln!(
                out,
                "  p99 {}, failures {:.3}%, busiest {} at {:.0}% ({} replications)",
                p99_text(c),
                c.failure_rate * 100.0,
                c.busiest_node,
                c.busiest_utilization * 100.0,
                c.replications
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  no simulated design meets the SLO; widen the ranges (--vary) or relax the SLO"
            );
        }
    }
    if let Some(c) = r.runner_up() {
        let _ = writeln!(
            out,
            "Runner-up: {}: {} per month, p99 {}, failures {:.3}%",
            c.candidate.sets.join(", "),
            money(c.candidate.monthly_cost, cur),
            p99_text(c),
            c.failure_rate * 100.0
        );
    }
    let _ = writeln!(
        out,
        "Searched {} grid points: {} ruled out by the flow model, {} simulated.",
        r.candidates,
        r.pruned,
        r.finalists.len()
    );
    let _ = writeln!(out, "\nPareto frontier (cost against p99):");
    let _ = writeln!(
        out,
        "  {:>16}  {:>20}  {:>9}  design",
        "per month", "p99", "failures"
    );
    for &i in &r.frontier {
        let f = &r.finalists[i];
        let mark = if Some(i) == r.chosen {
            "  <- chosen"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:>16}  {:>20}  {:>8.3}%  {}{mark}",
            money(f.candidate.monthly_cost, cur),
            p99_text(f),
            f.failure_rate * 100.0,
            f.candidate.sets.join(", ")
        );
    }
    out
}

/// The CSV header of `optimize --csv`.
pub const OPTIMIZE_CSV_HEADER: &str = "index,design,monthly_cost,p99_ms,p99_half_width_ms,p50_ms,failure_rate,busiest_node,busiest_utilization,meets,chosen,runner_up,frontier";

/// One row per simulated candidate, by cost.
pub fn optimize_csv(r: &OptimizeResult) -> String {
    let mut out = String::from(OPTIMIZE_CSV_HEADER);
    out.push('\n');
    for (i, f) in r.finalists.iter().enumerate() {
        let _ = writeln!(
            out,
            "{},\"{}\",{:.4},{:.4},{},{:.4},{:.6},{},{:.4},{},{},{},{}",
            f.candidate.index,
            f.candidate.sets.join(";"),
            f.candidate.monthly_cost,
            f.p99_ms,
            f.p99_half_width_ms
                .map_or(String::new(), |h| format!("{h:.4}")),
            f.p50_ms,
            f.failure_rate,
            f.busiest_node,
            f.busiest_utilization,
            f.meets,
            r.chosen == Some(i),
            r.runner_up == Some(i),
            r.frontier.contains(&i)
        );
    }
    out
}
