//! `archsim check FILE...`: SLOs as code for CI. Runs each scenario's `slo` block, prints a Markdown
//! summary, optionally writes JUnit XML, and exits [`EXIT_SLO_BROKEN`] when any objective is broken.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::stress::emit;
use super::{CliError, check, read_scenario, write_stdout};
use crate::analysis::slo::{ScenarioCheck, check_scenario, junit, markdown};

/// Exit code when every file is valid but some SLO is broken (1 is an invalid file or I/O error, 2 a
/// usage error).
pub const EXIT_SLO_BROKEN: u8 = 3;

/// Options of `archsim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (or preset names); those without an `slo` block are listed and skipped.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Also writes JUnit XML (one test per objective and load) to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Also writes the Markdown summary to PATH (e.g. for a pull-request comment).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
}

pub(super) fn run(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let mut loaded = Vec::new();
    let mut invalid = false;
    for arg in &args.files {
        match read_scenario(arg).and_then(|(s, label)| check(&s, &label).map(|()| (s, label))) {
            Ok(x) => loaded.push(x),
            Err(e) => {
                invalid = true;
                eprintln!("error: {e}");
            }
        }
    }
    let run_one = |(s, label): &(crate::model::Scenario, String)| {
        let started = Instant::now();
        check_scenario(s, label).map(|c| {
            c.map(|mut c| {
                c.wall_time_s = started.elapsed().as_secs_f64();
                c
            })
        })
    };
    let results: Vec<Result<Option<ScenarioCheck>, _>> = {
        use rayon::prelude::*;
        loaded.par_iter().map(run_one).collect()
    };
    let mut checks = Vec::new();
    let mut skipped = Vec::new();
    for (r, (_, label)) in results.into_iter().zip(&loaded) {
        match r? {
            Some(c) => checks.push(c),
            None => skipped.push(label.clone()),
        }
    }
    let md = markdown(&checks, &skipped);
    write_stdout(&md)?;
    if let Some(p) = &args.markdown {
        emit(p, &md)?;
    }
    if let Some(p) = &args.junit {
        emit(p, &junit(&checks))?;
    }
    Ok(if invalid {
        ExitCode::FAILURE
    } else if checks.iter().any(|c| !c.passed()) {
        ExitCode::from(EXIT_SLO_BROKEN)
    } else {
        ExitCode::SUCCESS
    })
}
