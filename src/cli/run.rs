//! `archsim run`: load, override, simulate in slices (with a progress bar on a terminal), report.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{
    CliError, RunArgs, check_output, read_scenario, run_spec, text, write_file, write_stdout,
};
use crate::metrics::Report;
use crate::model;
use crate::sim::{Budget, NS_PER_S, Simulation};

/// Runs shorter than this never show a progress bar: it would only flicker.
const PROGRESS_DELAY: Duration = Duration::from_millis(300);

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
    let spec = run_spec(scenario, &label, args.load.unwrap_or(1.0))?;
    check_output(args.json.as_deref())?;

    // The engine never reads the clock; the caller measures wall time.
    let started = Instant::now();
    let mut sim = Simulation::from_spec(&spec);
    sim.set_budget(Budget {
        memory_mib: args.budget.max_memory_mib,
        instant_events: args.budget.max_instant_events,
    });
    let wall = Duration::from_secs_f64(args.budget.max_wall_s);
    run_sliced(&mut sim, std::io::stderr().is_terminal(), wall);
    let mut report = sim.report();
    report.wall_time_s = started.elapsed().as_secs_f64();

    match args.json.as_deref() {
        Some(p) if p.as_os_str() == "-" => write_stdout(&(to_json(&report) + "\n"))?,
        Some(path) => {
            write_stdout(&text::format_report(&report))?;
            write_file(path, &(to_json(&report) + "\n"))?;
            eprintln!("wrote the JSON report to {}", path.display());
        }
        None => write_stdout(&text::format_report(&report))?,
    }
    if let Some(stop) = sim.stopped() {
        // The partial report is out; the exit code and stderr say it is not the whole run.
        eprintln!("error: {}", stop.message);
        return Ok(ExitCode::from(4));
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json(report: &Report) -> String {
    // Non-finite numbers (NaN percentiles of empty buckets) become `null`.
    serde_json::to_string_pretty(report).expect("a Report holds only numbers, strings and lists")
}

/// Events per step between two looks at the wall clock (a few milliseconds of engine time).
const EVENTS_PER_STEP: u64 = 1 << 18;

/// Runs to the end in slices of [`EVENTS_PER_STEP`] events (`Simulation::run_in_slices`); after
/// [`PROGRESS_DELAY`] of wall time, and only when `terminal` (stderr is a terminal), shows a progress bar on
/// stderr. The wall-time budget `wall` is seen within milliseconds of running out (the run then stops where
/// it is, with a partial report).
fn run_sliced(sim: &mut Simulation, terminal: bool, wall: Duration) {
    let end_ns = sim.end_ns();
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    sim.run_in_slices(EVENTS_PER_STEP, |sim| {
        if started.elapsed() >= wall {
            sim.stop(format!(
                "stopped at {:.3} s simulated after {} s of wall time, the budget (--max-wall-s): \
                 shorten the run (--duration) or raise the budget",
                sim.time_ns() as f64 / NS_PER_S as f64,
                model::limits::fmt(wall.as_secs_f64())
            ));
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
        std::ops::ControlFlow::Continue(())
    });
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
