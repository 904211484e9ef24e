//! `archsim run`: load, override, simulate in slices (with a progress bar on a terminal), report.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CliError, RunArgs, check, read_scenario, text, write_stdout};
use crate::metrics::Report;
use crate::model;
use crate::sim::{NS_PER_S, Simulation};

/// Runs shorter than this never show a progress bar: it would only flicker.
const PROGRESS_DELAY: Duration = Duration::from_millis(300);
/// Simulated time is advanced in this many slices so the bar can move.
const SLICES: u64 = 1000;

pub(super) fn run(args: &RunArgs) -> Result<ExitCode, CliError> {
    let (mut scenario, mut label) = read_scenario(&args.scenario)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(d) = args.duration {
        scenario.duration_s = d;
    }
    if let Some(w) = args.warmup {
        scenario.warmup_s = w;
    }
    for spec in &args.sets {
        model::apply_override(&mut scenario, spec)?;
    }
    if args.duration.is_some() || args.warmup.is_some() || !args.sets.is_empty() {
        // The problem may come from an override, not from the file: say so.
        label.push_str(" (with command-line overrides)");
    }
    check(&scenario, &label)?;

    // The engine never reads the clock; the caller measures wall time.
    let started = Instant::now();
    let mut sim = Simulation::new(&scenario)?;
    if let Some(load) = args.load {
        sim.set_load(load);
    }
    run_sliced(&mut sim, std::io::stderr().is_terminal());
    let mut report = sim.report();
    report.wall_time_s = started.elapsed().as_secs_f64();

    match args.json.as_deref() {
        Some(p) if p.as_os_str() == "-" => write_stdout(&(to_json(&report) + "\n"))?,
        Some(path) => {
            write_stdout(&text::format_report(&report))?;
            std::fs::write(path, to_json(&report) + "\n").map_err(|source| CliError::Write {
                path: path.display().to_string(),
                source,
            })?;
            eprintln!("wrote the JSON report to {}", path.display());
        }
        None => write_stdout(&text::format_report(&report))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json(report: &Report) -> String {
    // Non-finite numbers (NaN percentiles of empty buckets) become `null`.
    serde_json::to_string_pretty(report).expect("a Report holds only numbers, strings and lists")
}

/// Runs to the end in slices of simulated time; after [`PROGRESS_DELAY`] of wall time, and only when
/// `terminal` (stderr is a terminal), shows a progress bar on stderr.
fn run_sliced(sim: &mut Simulation, terminal: bool) {
    let end_ns = sim.end_ns();
    let slice_ns = (end_ns / SLICES).max(1);
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    while sim.time_ns() < end_ns && !sim.is_finished() {
        let before_ns = sim.time_ns();
        sim.step_until(before_ns.saturating_add(slice_ns).min(end_ns));
        if sim.time_ns() <= before_ns {
            // The engine did not advance (it should always reach the target): finish in one go.
            sim.run_to_end();
            break;
        }
        if bar.is_none() && terminal && started.elapsed() >= PROGRESS_DELAY {
            bar = Some(progress_bar(end_ns));
        }
        if let Some(b) = &bar {
            b.set_position(sim.time_ns());
            b.set_message(format!(
                "{:.1} / {:.1} s simulated, {} events",
                sim.time_ns() as f64 / NS_PER_S as f64,
                end_ns as f64 / NS_PER_S as f64,
                text::thousands(sim.events())
            ));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

fn progress_bar(end_ns: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(end_ns), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {percent:>3}%  {msg}  (eta {eta})")
        .expect("the template is valid")
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}
