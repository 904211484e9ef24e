//! The command-line arguments of `archsim sweep`, `capacity`, `merge` and `explain` (clap), apart from
//! the glue that runs them (`super::stress`).

use std::path::PathBuf;

/// Options shared by the stress commands: which scenario, with which changes.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file, or a preset name such as `url_shortener`.
    #[arg(value_name = "FILE")]
    pub scenario: String,
    /// RNG seed (replaces the scenario's; replication seeds derive from it).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Simulated seconds per run (default: the scenario's `duration_s`, at most 10 s; see `--full`).
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Run every replication for the scenario's full `duration_s` and `warmup_s` instead of the quick
    /// default (at most 10 s after at most 2 s of warm-up).
    #[arg(long, conflicts_with = "duration")]
    pub full: bool,
    /// Warm-up: seconds, or `auto` for MSER-5 truncation on a pilot run (default: the scenario's).
    #[arg(long, value_name = "S|auto")]
    pub warmup: Option<String>,
    /// Hold every client that has a load profile at the profile's peak rate for the whole run (the
    /// peak hour in steady state, as the flow model sees it); an error without any profile.
    #[arg(long)]
    pub at_peak: bool,
    /// Changes a node parameter before everything else, e.g. `app.replicas=4` (repeatable).
    #[arg(long = "set", value_name = "NODE.FIELD=VALUE")]
    pub sets: Vec<String>,
    /// Worker threads for the replications (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Wall-clock seconds the command may take; past it, it stops with a message.
    #[arg(long, value_name = "S", default_value_t = super::DEFAULT_MAX_WALL_S, value_parser = super::parse_wall)]
    pub max_wall_s: f64,
}

/// Replication options.
#[derive(Debug, clap::Args)]
pub struct RepArgs {
    /// Replications per point (different seeds derived from the scenario's seed).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Keep adding replications until the 95% half-width of p99 is below this fraction of its mean.
    #[arg(long, value_name = "FRACTION")]
    pub precision: Option<f64>,
    /// Most replications per point with `--precision`.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub max_replications: u32,
}

/// Options of `archsim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub common: ScenarioArgs,
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub reps: RepArgs,
    /// Load multipliers START:END:POINTS (default 0.5:20:24).
    #[arg(long, value_name = "START:END:POINTS", conflicts_with = "param")]
    pub load: Option<String>,
    /// Space the points evenly in ratio instead of linearly.
    #[arg(long)]
    pub log: bool,
    /// Sweep a node parameter instead: NODE.FIELD=START:END:POINTS (at `--at-load`).
    #[arg(long, value_name = "NODE.FIELD=START:END:POINTS")]
    pub param: Option<String>,
    /// Load multiplier for a parameter sweep.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub at_load: f64,
    /// Writes the points as CSV to PATH (`-`: stdout, instead of the table).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// Writes the full result as JSON to PATH (`-`: stdout, instead of the table).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Runs only shard I of N (0-based) and writes a partial result for `archsim merge` to `--out`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Where a shard writes its partial result (default `sweep-part-I-of-N.json`).
    #[arg(long, value_name = "PATH", requires = "shard")]
    pub out: Option<PathBuf>,
    /// Also prints the "what broke first" explanation.
    #[arg(long)]
    pub explain: bool,
}

/// Options of `archsim capacity`.
#[derive(Debug, clap::Args)]
pub struct CapacityArgs {
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub common: ScenarioArgs,
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub slo: SloArgs,
    /// Replications per probe.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub replications: u32,
    /// Stop bisecting when the bracket is narrower than this fraction.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.02)]
    pub tolerance: f64,
    /// Writes the full result as JSON to PATH (`-`: stdout, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// The objective of `capacity` and `optimize`: one set of flags, checked in one place.
#[derive(Debug, clap::Args)]
pub struct SloArgs {
    /// End-to-end p99 objective, ms.
    #[arg(long, value_name = "MS")]
    pub slo_p99_ms: f64,
    /// Largest share of requests that may fail, time out or be rejected.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.001)]
    pub slo_errors: f64,
}

impl SloArgs {
    /// The objective; refused (naming the flag, the value and the range) when the p99 is not above 0 or
    /// the share of failures is outside 0 to 1.
    pub fn slo(&self) -> Result<crate::analysis::capacity::Slo, super::CliError> {
        if !(self.slo_p99_ms.is_finite() && self.slo_p99_ms > 0.0) {
            return Err(super::stress::usage(format!(
                "--slo-p99-ms is {}; it must be > 0",
                self.slo_p99_ms
            )));
        }
        if !(0.0..=1.0).contains(&self.slo_errors) {
            return Err(super::stress::usage(format!(
                "--slo-errors is {}; allowed: 0 to 1",
                self.slo_errors
            )));
        }
        Ok(crate::analysis::capacity::Slo {
            p99_ms: self.slo_p99_ms,
            error_rate: self.slo_errors,
        })
    }
}

/// Options of `archsim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Partial results written by `archsim sweep --shard`.
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Writes the points as CSV (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// Writes the full result as JSON (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// Options of `archsim explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    #[allow(
        missing_docs,
        reason = "a doc comment here would become clap help text"
    )]
    pub common: ScenarioArgs,
    /// Explain one run at this load multiplier (default: a 12-point load sweep up to 1.5 times the
    /// analytic breaking point).
    #[arg(long, value_name = "X")]
    pub load: Option<f64>,
    /// Replications per sweep point.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub replications: u32,
}
