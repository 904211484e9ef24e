//! The headless command line: `list`, `validate`, `run`, `bench`. Native only (clap, indicatif, child
//! processes); `src/main.rs` just calls [`main`].
//!
//! Exit codes: 0 success, 1 a scenario or I/O problem (printed once, here), 2 a usage error (clap),
//! 3 `archsim check` found a broken SLO ([`EXIT_SLO_BROKEN`]), 4 a run stopped early by a governor
//! (memory, events at one instant, wall time; the partial report is printed).

#![allow(
    clippy::disallowed_methods,
    reason = "the CLI measures wall time and progress; the engine it drives never reads the clock"
)]

mod bench;
mod check;
mod interop;
mod optimize;
mod run;
mod stress;
mod stress_args;
mod stress_text;
mod text;
pub mod ui_workload;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::model::{self, RunSpec, Scenario, ScenarioError, ValidScenario, presets};

pub use bench::{Workload, workload_scenario};
pub use check::{CheckArgs, EXIT_SLO_BROKEN};
pub use optimize::{OptimizeArgs, optimize_csv, optimize_text, parse_knob};
pub use stress::{CapacityArgs, ExplainArgs, MergeArgs, RepArgs, ScenarioArgs, SweepArgs};
pub use stress_text::{CSV_HEADER, sweep_csv, sweep_table};
pub use text::format_report;

/// `archsim`: draw an architecture, simulate it, read its percentiles and where it saturates.
#[derive(Debug, Parser)]
#[command(name = "archsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without one, the desktop app opens (when built with the `gui` feature).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in preset scenarios.
    List,
    /// Check scenario files and print every problem; exit 1 if any file is invalid.
    Validate {
        /// Scenario files (or preset names).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
    /// Simulate a scenario and print its report.
    Run(RunArgs),
    /// Open the desktop app on a scenario file or preset (`archsim` alone reopens the last session).
    #[cfg(feature = "gui")]
    Open(OpenArgs),
    /// Run a scenario at many loads (or parameter values) with replications and confidence intervals.
    Sweep(SweepArgs),
    /// Find the largest load that meets a latency and error SLO, and the bottleneck.
    Capacity(CapacityArgs),
    /// Find the cheapest design (replicas, pools...) that holds a p99 and error SLO at a load.
    Optimize(OptimizeArgs),
    /// Run each scenario's `slo` block and fail (exit 3) when an objective is broken; Markdown and JUnit.
    Check(CheckArgs),
    /// Combine the partial results of `sweep --shard` or `optimize --shard` runs into one result.
    Merge(MergeArgs),
    /// Explain what breaks first as load grows, with fixes and their analytic effect.
    Explain(ExplainArgs),
    /// Run the benchmark workloads W1 (M/M/1), W2 (M/M/8), W3 (service tree) and print speed and memory.
    Bench(BenchArgs),
    /// Turn a Mermaid, draw.io, Excalidraw or Graphviz diagram into a scenario, listing each mapping.
    Import(interop::ImportArgs),
    /// Write a scenario as a Mermaid, DOT or SVG diagram.
    Export(interop::ExportArgs),
    /// Record a run as an animated GIF (no display needed).
    Record(interop::RecordArgs),
    /// Print a share link for a scenario (`BASE#s=1.<payload>`); the web app opens it.
    #[command(hide = true)]
    Share {
        /// Scenario file (or preset name).
        #[arg(value_name = "FILE")]
        file: String,
        /// Where the link points (default: `ARCHSIM_SHARE_BASE`, else the local `scripts/web.sh serve`).
        #[arg(long, value_name = "URL")]
        base: Option<String>,
        /// Print only the fragment (`s=1.<payload>`), without the base and the `#`.
        #[arg(long)]
        fragment: bool,
    },
}

/// Options of `archsim open`.
#[cfg(feature = "gui")]
#[derive(Debug, clap::Args)]
pub struct OpenArgs {
    /// Scenario file, or a preset name such as `url_shortener`.
    #[arg(value_name = "FILE")]
    pub scenario: String,
    /// Start running at once.
    #[arg(long)]
    pub run: bool,
    /// Load multiplier at start (0.1 to 20, like the app's slider).
    #[arg(long, value_name = "X")]
    pub load: Option<f64>,
    /// Simulation speed: 1, 2, 5, 10, 30 or 100 times real time, or `max` (default: the last session's).
    #[arg(long, value_name = "SPEED")]
    pub speed: Option<String>,
    /// Show the frame-time overlay (F12 in the app).
    #[arg(long)]
    pub overlay: bool,
    /// Print frame-time statistics to stderr every two seconds: the desktop app's frame-time benchmark
    /// (see docs/benchmarks.md).
    #[arg(long)]
    pub frame_stats: bool,
}

/// Options of `archsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file, or a preset name such as `url_shortener` (see `archsim list`).
    #[arg(value_name = "FILE")]
    pub scenario: String,
    /// RNG seed (replaces the scenario's).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Multiplies every client's rate, e.g. 10 for a 10x stress test (> 0).
    #[arg(long, allow_negative_numbers = true, value_name = "X", value_parser = parse_load)]
    pub load: Option<f64>,
    /// Simulated seconds to run (replaces the scenario's `duration_s`).
    #[arg(long, allow_negative_numbers = true, value_name = "S")]
    pub duration: Option<f64>,
    /// Initial seconds excluded from the statistics (replaces the scenario's `warmup_s`).
    #[arg(long, allow_negative_numbers = true, value_name = "S")]
    pub warmup: Option<f64>,
    /// Changes a node parameter, e.g. `app.replicas=4` or `db.read_time_ms.mean=8` (repeatable).
    #[arg(long = "set", value_name = "NODE.FIELD=VALUE")]
    pub sets: Vec<String>,
    /// Also writes the full report as JSON to PATH; `-` writes it to stdout instead of the text report.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// The run-time governors' limits (memory, events at one instant, wall time).
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// The run-time budgets of `archsim run`: a run over one stops with a partial report saying why.
#[derive(Debug, Clone, clap::Args)]
pub struct BudgetArgs {
    /// Memory for the requests in flight, MiB; a run that needs more stops, partial report marked.
    #[arg(long, value_name = "MIB", default_value_t = crate::sim::DEFAULT_MEMORY_MIB,
          value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_memory_mib: u64,
    /// Events at one simulated instant (a zero-time loop) before the run stops.
    #[arg(long, value_name = "N", default_value_t = crate::sim::DEFAULT_INSTANT_EVENTS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_instant_events: u64,
    /// Wall-clock seconds the command may take before it stops (with a partial report for `run`).
    #[arg(long, value_name = "S", default_value_t = DEFAULT_MAX_WALL_S, value_parser = parse_wall)]
    pub max_wall_s: f64,
}

/// Default wall-clock budget of a CLI command, seconds (an hour).
pub const DEFAULT_MAX_WALL_S: f64 = 3600.0;

/// `--max-wall-s`: positive seconds.
fn parse_wall(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(format!("{x} is not allowed; give seconds > 0"))
    }
}

/// Options of `archsim bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Workloads to run (default: all).
    #[arg(value_enum, ignore_case = true)]
    pub workloads: Vec<Workload>,
    /// 100,000 customers per workload instead of 1,000,000.
    #[arg(long)]
    pub quick: bool,
    /// Runs one workload in this process and prints its result as JSON (used by the parent, so that each
    /// workload's peak memory is its own).
    #[arg(long, hide = true, value_enum, ignore_case = true)]
    pub one: Option<Workload>,
}

/// Everything that stops a command; printed once by [`main`], exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Loading, validating or overriding the scenario failed.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The argument is neither an existing file nor a preset.
    #[error("{name}: no such file, and no preset of that name (presets: {presets})")]
    NotFound {
        /// The argument as given.
        name: String,
        /// The preset names, comma-separated.
        presets: String,
    },
    /// Writing output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// Where (`stdout` or a path).
        path: String,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A benchmark child process failed.
    #[error("benchmark {workload}: {message}")]
    Bench {
        /// W1, W2 or W3.
        workload: String,
        /// What went wrong.
        message: String,
    },
    /// The desktop app could not start.
    #[error("{0}")]
    Gui(String),
    /// An option's value is out of range.
    #[error("{0}")]
    Usage(String),
}

/// Parses the process arguments and runs the command. Usage errors exit 2 (clap prints them).
pub fn main() -> ExitCode {
    run_cli(Cli::parse())
}

/// Runs parsed arguments; prints any error once, on stderr.
pub fn run_cli(cli: Cli) -> ExitCode {
    let result = match cli.command {
        None => no_command(),
        #[cfg(feature = "gui")]
        Some(Command::Open(args)) => open(&args),
        Some(Command::List) => list(),
        Some(Command::Validate { files }) => validate(&files),
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::Bench(args)) => bench::bench(&args),
        Some(Command::Sweep(args)) => stress::sweep(&args),
        Some(Command::Capacity(args)) => stress::capacity(&args),
        Some(Command::Merge(args)) => stress::merge_parts(&args),
        Some(Command::Optimize(args)) => optimize::run(&args),
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Explain(args)) => stress::explain(&args),
        Some(Command::Import(args)) => interop::import(&args),
        Some(Command::Export(args)) => interop::export(&args),
        Some(Command::Record(args)) => interop::record(&args),
        Some(Command::Share {
            file,
            base,
            fragment,
        }) => share(&file, base, fragment),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "gui")]
fn no_command() -> Result<ExitCode, CliError> {
    crate::ui::run_native(Default::default()).map_err(CliError::Gui)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "gui")]
fn open(args: &OpenArgs) -> Result<ExitCode, CliError> {
    let (scenario, label) = read_scenario(&args.scenario)?;
    check(&scenario, &label)?;
    if let Some(load) = args.load {
        if !(0.1..=20.0).contains(&load) {
            return Err(CliError::Usage(format!(
                "--load is {load}; allowed: 0.1 to 20"
            )));
        }
        run_spec(scenario.clone(), &label, load)?;
    }
    let speed = match args.speed.as_deref() {
        None => None,
        Some("max") => Some(f64::INFINITY),
        Some(v) => match v.trim_end_matches('x').parse::<f64>() {
            Ok(x) if crate::ui::SPEEDS.contains(&x) => Some(x),
            _ => {
                return Err(CliError::Usage(format!(
                    "--speed is {v}; allowed: 1, 2, 5, 10, 30, 100 or max"
                )));
            }
        },
    };
    // A preset has no file of its own: saving asks for one.
    let path = std::path::Path::new(&args.scenario)
        .exists()
        .then(|| args.scenario.clone());
    let start = crate::ui::StartOptions {
        scenario: Some((scenario, path)),
        run: args.run,
        load: args.load,
        speed,
        overlay: args.overlay,
        frame_stats: args.frame_stats,
    };
    crate::ui::run_native(start).map_err(CliError::Gui)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "gui"))]
fn no_command() -> Result<ExitCode, CliError> {
    use clap::CommandFactory as _;
    // Headless build: nothing to open, so say what there is; exit 2 like any missing-argument usage error.
    let help = Cli::command().render_help();
    eprintln!(
        "{help}\n(this archsim was built without the `gui` feature, so there is no desktop app)"
    );
    Ok(ExitCode::from(2))
}

fn list() -> Result<ExitCode, CliError> {
    let rows: Vec<(&str, String)> = presets::presets()
        .iter()
        .map(|p| {
            let summary = match p.scenario() {
                Ok(s) => one_line_summary(&s),
                Err(e) => format!("(does not load: {e})"),
            };
            (p.name, summary)
        })
        .collect();
    let width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("Preset scenarios (simulate one with `archsim run NAME`):\n");
    for (name, summary) in rows {
        out.push_str(&format!("  {name:<width$}  {summary}\n"));
    }
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `Name: first clause of the description`, cut to fit a terminal line.
fn one_line_summary(s: &Scenario) -> String {
    const MAX_CHARS: usize = 100;
    let desc = s.description.trim();
    let clause_end = [". ", ": ", "; ", "\n"]
        .iter()
        .filter_map(|sep| desc.find(sep))
        .min()
        .unwrap_or(desc.len());
    let clause = desc[..clause_end].trim_end_matches('.');
    let line = if clause.is_empty() {
        s.name.clone()
    } else {
        format!("{}: {clause}", s.name)
    };
    if line.chars().count() <= MAX_CHARS {
        line
    } else {
        let cut: String = line.chars().take(MAX_CHARS - 3).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
        format!("{cut}...")
    }
}

fn share(file: &str, base: Option<String>, fragment_only: bool) -> Result<ExitCode, CliError> {
    let (scenario, label) = read_scenario(file)?;
    check(&scenario, &label)?;
    // The app's rule, word for word: a link it would refuse is not printed.
    let fragment = model::share::encode(&scenario);
    if let Err(e) = model::share::decode(&fragment) {
        return Err(CliError::Usage(format!("{label}: no link printed: {e}")));
    }
    let line = if fragment_only {
        fragment
    } else {
        model::share::link(&model::share::native_base_url(base), &scenario)
    };
    write_stdout(&(line + "\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn validate(files: &[String]) -> Result<ExitCode, CliError> {
    let mut all_ok = true;
    for arg in files {
        let checked = read_scenario(arg)
            .and_then(|(scenario, label)| check(&scenario, &label).map(|()| label));
        match checked {
            Ok(label) => write_stdout(&format!("{label}: ok\n"))?,
            Err(e) => {
                all_ok = false;
                eprintln!("{e}");
            }
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads and parses (without validating) a scenario file, or a preset when no such file exists.
/// Returns the scenario and the label that names it in messages.
fn read_scenario(arg: &str) -> Result<(Scenario, String), CliError> {
    // A share link (`...#s=1.<payload>`, or the fragment alone) opens like a file: `archsim open LINK`.
    if let Some((_, fragment)) = arg.split_once('#').filter(|(_, f)| f.starts_with("s=")) {
        // The app's `&load=`/`&run=1` options mean nothing here: the command's own flags say that.
        let fragment = fragment.split('&').next().unwrap_or(fragment);
        let scenario = model::share::decode(fragment)
            .map_err(|e| CliError::Usage(format!("share link: {e}")))?;
        return Ok((scenario, "share link".to_owned()));
    }
    let path = Path::new(arg);
    if path.exists() {
        return Ok((model::read(path)?, arg.to_owned()));
    }
    match presets::preset(arg) {
        Some(p) => Ok((model::parse(p.text, p.file)?, p.file.to_owned())),
        None => Err(CliError::NotFound {
            name: arg.to_owned(),
            presets: presets::presets()
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Validates, turning problems into the model's error (which names the file and every problem).
fn check(scenario: &Scenario, label: &str) -> Result<(), CliError> {
    let problems = model::validate(scenario);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid {
            file: label.to_owned(),
            problems,
        }
        .into())
    }
}

/// The run a command makes of `scenario` (`label` names it in errors) at `load`: validated once, then
/// refused when over the limits computed before a run at that load (offered rate, batch size, calls per
/// request, events), each problem naming the figure, the limit and the knob.
fn run_spec(scenario: Scenario, label: &str, load: f64) -> Result<RunSpec, CliError> {
    let spec = RunSpec::new(ValidScenario::named(scenario, label)?);
    spec.at_load(load).map_err(|e| {
        match e {
            ScenarioError::Invalid { problems, .. } => ScenarioError::Invalid {
                file: format!("{label} at --load {}", model::limits::fmt(load)),
                problems,
            },
            other => other,
        }
        .into()
    })
}

/// Checks, before a run, that an output file can be written (`-`, stdout, always can).
fn check_output(path: Option<&Path>) -> Result<(), CliError> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            model::check_writable(p).map_err(|source| CliError::Write {
                path: p.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// Writes an output file atomically (the app's helper: a temporary file renamed over the target).
fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    model::write_atomic(path, text.as_bytes()).map_err(|source| CliError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// `--load` must be a multiplier in the shared range ([`model::limits::MIN_LOAD`] to `MAX_LOAD`).
fn parse_load(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    match model::limits::load_problem(x) {
        None => Ok(x),
        Some(why) => Err(why),
    }
}

/// Writes to stdout; a closed pipe (`archsim list | head -1`) is not an error.
fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Write {
            path: "stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn load_must_be_positive_and_finite() {
        assert_eq!(parse_load("2.5"), Ok(2.5));
        for bad in ["0", "-1", "inf", "NaN", "x", "1e6", "0.0001"] {
            assert!(parse_load(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn summary_is_one_short_line() {
        let s = Scenario {
            name: "Demo".into(),
            description: "A small thing: with details. More.".into(),
            ..Scenario::default()
        };
        assert_eq!(one_line_summary(&s), "Demo: A small thing");
        let long = Scenario {
            description: "word ".repeat(50),
            ..s
        };
        let line = one_line_summary(&long);
        assert!(
            line.chars().count() <= 100 && line.ends_with("..."),
            "{line}"
        );
    }
}
