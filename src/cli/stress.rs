//! `archsim sweep`, `capacity`, `merge` and `explain`: thin glue over `crate::analysis`.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::stress_text as out;
use super::{CliError, check, check_output, read_scenario, run_spec, write_file, write_stdout};
use crate::analysis::capacity::{CapacityOptions, find_capacity};
use crate::analysis::explain::{explain_run, explain_sweep};
use crate::analysis::flow::FlowModel;
use crate::analysis::optimize::{OPTIMIZE_PARTIAL_FORMAT, OptimizePartial};
use crate::analysis::shard::{Partial, merge, run_shard};
use crate::analysis::sweep::{
    Axis, Precision, Progress, SweepError, SweepResult, SweepSpec, Warmup, run_sweep, spaced,
};
use crate::model::{self, Scenario};
use crate::sim::Simulation;

pub use super::stress_args::{
    CapacityArgs, ExplainArgs, MergeArgs, RepArgs, ScenarioArgs, SweepArgs,
};

pub(super) fn usage(msg: String) -> CliError {
    CliError::Usage(msg)
}

pub(super) fn from_sweep(e: SweepError) -> CliError {
    match e {
        SweepError::Scenario(s) => CliError::Scenario(s),
        other => CliError::Usage(other.to_string()),
    }
}

/// The cancel flag of a stress command, raised by a timer thread when the wall-time budget runs out.
struct WallBudget {
    cancel: Arc<AtomicBool>,
    seconds: f64,
}

impl WallBudget {
    fn start(seconds: f64) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        // Detached: it only raises the flag, and the process ends with the command.
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
            flag.store(true, Ordering::Relaxed);
        });
        Self { cancel, seconds }
    }

    /// A cancelled sweep is the budget running out: say so.
    fn explain(&self, e: SweepError) -> CliError {
        match e {
            SweepError::Cancelled => usage(format!(
                "stopped after {} s of wall time, the budget (--max-wall-s): use fewer points or \
                 replications, a shorter --duration, or raise the budget",
                model::limits::fmt(self.seconds)
            )),
            other => from_sweep(other),
        }
    }
}

/// Loads the scenario with the common options applied, validated.
pub(super) fn prepare(c: &ScenarioArgs) -> Result<(Scenario, Warmup), CliError> {
    let (mut s, mut label) = read_scenario(&c.scenario)?;
    if let Some(seed) = c.seed {
        s.seed = seed;
    }
    match c.duration {
        Some(d) => s.duration_s = d,
        // Many runs make a sweep: short ones by default, so that 24 points x 5 replications take seconds.
        // The replications' confidence intervals show what the shorter runs cost in precision.
        None if !c.full => s = crate::analysis::sweep::quick(&s),
        None => {}
    }
    for spec in &c.sets {
        model::apply_override(&mut s, spec)?;
    }
    if c.at_peak {
        let held = crate::analysis::peak::at_peak(&s).map_err(usage)?;
        for (before, after) in s.nodes.iter().zip(&held.nodes) {
            if let (model::NodeKind::Client(b), model::NodeKind::Client(a)) =
                (&before.kind, &after.kind)
                && b.profile.is_some()
            {
                eprintln!(
                    "--at-peak: '{}' sends {}/s for the whole run (its profile's peak)",
                    after.id,
                    model::limits::fmt(a.rate_rps)
                );
            }
        }
        s = held;
        label.push_str(" (at the profile's peak)");
    }
    let warmup = match c.warmup.as_deref() {
        None => Warmup::Scenario,
        Some("auto") => Warmup::Auto,
        Some(v) => {
            let w: f64 = v
                .parse()
                .map_err(|_| usage(format!("--warmup is '{v}'; expected seconds or `auto`")))?;
            s.warmup_s = w;
            Warmup::Scenario
        }
    };
    if c.duration.is_some() || c.warmup.is_some() || !c.sets.is_empty() {
        label.push_str(" (with command-line overrides)");
    }
    check(&s, &label)?;
    Ok((s, warmup))
}

/// Runs `f` on a rayon pool of `threads` threads (or the global pool).
pub(super) fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, CliError> {
    match threads {
        None => Ok(f()),
        Some(n) if crate::model::limits::threads_problem(n).is_some() => Err(usage(
            crate::model::limits::threads_problem(n).unwrap_or_default(),
        )),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|p| p.install(f))
            .map_err(|e| usage(format!("cannot start {n} threads: {e}"))),
    }
}

/// `START:END:POINTS`.
pub(super) fn parse_range(text: &str, what: &str) -> Result<(f64, f64, usize), CliError> {
    let parts: Vec<&str> = text.split(':').collect();
    let bad = || {
        usage(format!(
            "{what} is '{text}'; expected START:END:POINTS, e.g. 0.5:20:24"
        ))
    };
    if parts.len() != 3 {
        return Err(bad());
    }
    let a: f64 = parts[0].trim().parse().map_err(|_| bad())?;
    let b: f64 = parts[1].trim().parse().map_err(|_| bad())?;
    let n: usize = parts[2].trim().parse().map_err(|_| bad())?;
    let max = crate::model::limits::MAX_SWEEP_POINTS;
    if !(a.is_finite() && b.is_finite()) || n == 0 || n > max {
        return Err(usage(format!(
            "{what} is '{text}'; START and END must be finite and POINTS 1 to {max}"
        )));
    }
    Ok((a, b, n))
}

fn axis(args: &SweepArgs, scenario: &Scenario) -> Result<Axis, CliError> {
    if let Some(p) = &args.param {
        let (field, range) = p.rsplit_once('=').ok_or_else(|| {
            usage(format!(
                "--param is '{p}'; expected NODE.FIELD=START:END:POINTS"
            ))
        })?;
        let (a, b, n) = parse_range(range, "--param")?;
        if args.log && (a <= 0.0 || b <= 0.0) {
            return Err(usage("--log needs START and END > 0".into()));
        }
        let mut values = spaced(a, b, n, args.log);
        // A count (replicas, workers...) takes whole numbers: round the points, so 1:8:8 works.
        let mut probe = scenario.clone();
        let is_count = model::apply_override(&mut probe, &format!("{field}=0.5"))
            .is_err_and(|e| e.to_string().contains("whole number"));
        if is_count {
            values.iter_mut().for_each(|v| *v = v.round());
        }
        if let Some(why) = crate::model::limits::load_problem(args.at_load) {
            return Err(usage(format!("--at-load: {why}")));
        }
        return Ok(Axis::Param {
            field: field.trim().to_owned(),
            values,
            load: args.at_load,
        });
    }
    let (a, b, n) = parse_range(args.load.as_deref().unwrap_or("0.5:20:24"), "--load")?;
    for x in [a, b] {
        if let Some(why) = crate::model::limits::load_problem(x) {
            return Err(usage(format!("--load: {why}")));
        }
    }
    Ok(Axis::Load(spaced(a, b, n, args.log)))
}

fn precision(r: &RepArgs) -> Result<Option<Precision>, CliError> {
    use crate::model::limits;
    if let Some(why) = limits::replications_problem("--replications", r.replications) {
        return Err(usage(why));
    }
    match r.precision {
        None => Ok(None),
        Some(p) => {
            if let Some(why) = limits::precision_problem(p) {
                return Err(usage(why));
            }
            if let Some(why) =
                limits::replications_problem("--max-replications", r.max_replications)
            {
                return Err(usage(why));
            }
            Ok(Some(Precision {
                target: p,
                max_replications: r.max_replications.max(r.replications),
            }))
        }
    }
}

/// A progress bar on stderr when it is a terminal.
pub(super) fn bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} runs  (eta {eta})")
        .expect("the template is valid")
        .progress_chars("=> ");
    b.set_style(style);
    Some(b)
}

fn report_progress(bar: &Option<ProgressBar>) -> impl Fn(Progress) + Sync + '_ {
    move |p: Progress| {
        if let Some(b) = bar {
            b.set_length(p.total as u64);
            b.set_position(p.done as u64);
        }
    }
}

/// Writes one shard's part (`--out`, else `KIND-part-I-of-N.json`) and says so on stderr: the sweep's and
/// the optimizer's shards are written the same way, so `archsim merge` finds them alike.
pub(super) fn write_shard(
    out: Option<&Path>,
    kind: &str,
    (i, n): (u32, u32),
    what: &str,
    text: &str,
) -> Result<ExitCode, CliError> {
    let path = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{kind}-part-{i}-of-{n}.json")));
    emit(&path, text)?;
    eprintln!("wrote shard {i}/{n} ({what}) to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to `path` atomically, or to stdout for `-`.
pub(super) fn emit(path: &Path, text: &str) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        write_stdout(text)
    } else {
        write_file(path, text)
    }
}

pub(super) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("results hold only numbers, strings and lists") + "\n"
}

/// Prints the table unless CSV or JSON went to stdout, and writes the files asked for.
fn output(
    result: &SweepResult,
    csv: Option<&Path>,
    json_path: Option<&Path>,
    extra: &str,
) -> Result<(), CliError> {
    let to_stdout = |p: Option<&Path>| p.is_some_and(|p| p.as_os_str() == "-");
    if !to_stdout(csv) && !to_stdout(json_path) {
        write_stdout(&(out::sweep_table(result) + extra))?;
    }
    if let Some(p) = csv {
        emit(p, &out::sweep_csv(result))?;
    }
    if let Some(p) = json_path {
        emit(p, &json(result))?;
    }
    Ok(())
}

pub(super) fn sweep(args: &SweepArgs) -> Result<ExitCode, CliError> {
    let (scenario, warmup) = prepare(&args.common)?;
    let spec = SweepSpec {
        axis: axis(args, &scenario)?,
        replications: args.reps.replications,
        warmup,
        precision: precision(&args.reps)?,
    };
    check_output(args.csv.as_deref())?;
    check_output(args.json.as_deref())?;
    check_output(args.out.as_deref())?;
    crate::analysis::sweep::check_points(&scenario, &spec).map_err(from_sweep)?;
    let wall = WallBudget::start(args.common.max_wall_s);
    let cancel = &*wall.cancel;
    let b = bar();
    let progress = report_progress(&b);
    if let Some(sh) = &args.shard {
        let (i, n) = sh
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)))
            .filter(|&(i, n)| n > 0 && i < n)
            .ok_or_else(|| usage(format!("--shard is '{sh}'; expected I/N with 0 <= I < N")))?;
        let part = with_threads(args.common.threads, || {
            run_shard(&scenario, &spec, i, n, &progress, cancel)
        })?
        .map_err(|e| wall.explain(e))?;
        if let Some(b) = &b {
            b.finish_and_clear();
        }
        let what = format!("{} runs", part.replications.len());
        return write_shard(args.out.as_deref(), "sweep", (i, n), &what, &json(&part));
    }
    let result = with_threads(args.common.threads, || {
        run_sweep(&scenario, &spec, &progress, cancel)
    })?
    .map_err(|e| wall.explain(e))?;
    if let Some(b) = &b {
        b.finish_and_clear();
    }
    let extra = if args.explain {
        format!("\n{}\n", explain_sweep(&scenario, &result).text)
    } else {
        String::new()
    };
    output(&result, args.csv.as_deref(), args.json.as_deref(), &extra)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn merge_parts(args: &MergeArgs) -> Result<ExitCode, CliError> {
    let mut parts = Vec::new();
    let mut searches = Vec::new();
    for p in &args.parts {
        let text = std::fs::read_to_string(p).map_err(|source| {
            CliError::Scenario(model::ScenarioError::Io {
                file: p.display().to_string(),
                source,
            })
        })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| usage(format!("{}: not a partial result: {e}", p.display())))?;
        if value.get("format").and_then(|f| f.as_str()) == Some(OPTIMIZE_PARTIAL_FORMAT) {
            let part: OptimizePartial = serde_json::from_value(value)
                .map_err(|e| usage(format!("{}: not a partial search result: {e}", p.display())))?;
            searches.push(part);
            continue;
        }
        let part: Partial = serde_json::from_value(value)
            .map_err(|e| usage(format!("{}: not a partial sweep result: {e}", p.display())))?;
        parts.push(part);
    }
    check_output(args.csv.as_deref())?;
    check_output(args.json.as_deref())?;
    if !searches.is_empty() {
        if !parts.is_empty() {
            return Err(usage(
                "cannot merge sweep parts and optimize parts together".into(),
            ));
        }
        let result = crate::analysis::optimize::merge(&searches).map_err(from_sweep)?;
        super::optimize::output(&result, args.csv.as_deref(), args.json.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }
    let result = merge(&parts).map_err(from_sweep)?;
    output(&result, args.csv.as_deref(), args.json.as_deref(), "")?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn capacity(args: &CapacityArgs) -> Result<ExitCode, CliError> {
    let (scenario, warmup) = prepare(&args.common)?;
    let slo = args.slo.slo()?;
    if let Some(why) =
        crate::model::limits::replications_problem("--replications", args.replications)
    {
        return Err(usage(why));
    }
    check_output(args.json.as_deref())?;
    let opts = CapacityOptions {
        replications: args.replications,
        warmup,
        rel_tolerance: args.tolerance.clamp(1e-4, 1.0),
        ..CapacityOptions::default()
    };
    let terminal = std::io::stderr().is_terminal();
    let wall = WallBudget::start(args.common.max_wall_s);
    let cancel = &*wall.cancel;
    let cap = with_threads(args.common.threads, || {
        find_capacity(
            &scenario,
            slo,
            opts,
            &|p| {
                if terminal {
                    eprintln!(
                        "  probe {:.3}x: p99 {:.1} ms, failures {:.3}%",
                        p.load,
                        p.p99_ms.mean,
                        p.failure_rate() * 100.0
                    );
                }
            },
            cancel,
        )
    })?
    .map_err(|e| wall.explain(e))?;
    let to_stdout = args.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if !to_stdout {
        write_stdout(&out::capacity_text(&scenario, &cap, args.replications))?;
    }
    if let Some(p) = &args.json {
        emit(p, &json(&cap))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn explain(args: &ExplainArgs) -> Result<ExitCode, CliError> {
    let (scenario, warmup) = prepare(&args.common)?;
    let text = match args.load {
        Some(x) => {
            if let Some(why) = crate::model::limits::load_problem(x) {
                return Err(usage(format!("--load: {why}")));
            }
            let spec = run_spec(scenario.clone(), &args.common.scenario, x)?;
            let mut sim = Simulation::from_spec(&spec);
            sim.run_to_end();
            if let Some(stop) = sim.stopped() {
                return Err(usage(stop.message.clone()));
            }
            explain_run(&scenario, &sim.report()).text
        }
        None => {
            let model = FlowModel::new(&scenario)?;
            let top = model
                .breaking_point()
                .0
                .map_or(20.0, |x| (1.5 * x).max(2.0));
            let spec = SweepSpec {
                axis: Axis::Load(spaced(0.5_f64.min(top / 2.0), top, 12, false)),
                replications: args.replications.max(1),
                warmup,
                precision: None,
            };
            let top = top.min(crate::model::limits::max_load(&scenario));
            let spec = SweepSpec {
                axis: Axis::Load(spaced(0.5_f64.min(top / 2.0), top, 12, false)),
                ..spec
            };
            let wall = WallBudget::start(args.common.max_wall_s);
            let result = with_threads(args.common.threads, || {
                run_sweep(&scenario, &spec, &|_| {}, &wall.cancel)
            })?
            .map_err(|e| wall.explain(e))?;
            format!(
                "{}\n{}",
                out::sweep_table(&result),
                explain_sweep(&scenario, &result).text
            )
        }
    };
    write_stdout(&(text + "\n"))?;
    Ok(ExitCode::SUCCESS)
}
