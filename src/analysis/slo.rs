//! SLOs as code: a scenario's `slo` block checked against runs at its loads, one verdict per objective
//! and load, each broken one naming the node that broke first (from [`super::explain::explain_run`]).
//! Rendered as a Markdown table (for a pull-request comment) and as JUnit XML (for CI test reports).

use std::fmt::Write as _;

use serde::Serialize;

use super::explain::explain_run;
use crate::metrics::Report;
use crate::model::{RunSpec, Scenario, ScenarioError, SloSpec, ValidScenario};
use crate::sim::Simulation;

/// One objective at one load.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// `p50_ms`, `p99_ms`, `p999_ms`, `error_rate`, `rejection_rate`, `monthly_cost` or `stale_read_rate`.
    pub objective: String,
    /// Load multiplier of the run.
    pub load: f64,
    /// The bound (at most this).
    pub bound: f64,
    /// What the run measured (NaN, `null` in JSON, when no request succeeded for a latency bound).
    pub measured: f64,
    /// Measured within the bound.
    pub passed: bool,
    /// For a broken objective: the node that broke first, if the run shows one.
    pub broke_first: Option<String>,
}

/// One scenario's check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioCheck {
    /// The file (or preset) name as given.
    pub file: String,
    /// Scenario name.
    pub scenario: String,
    /// Currency of `monthly_cost`.
    pub currency: String,
    /// Every objective at every load, in load order then objective order.
    pub verdicts: Vec<Verdict>,
    /// Wall-clock seconds the runs took (filled in by the caller).
    pub wall_time_s: f64,
}

impl ScenarioCheck {
    /// True when every objective holds.
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed)
    }
}

fn rate(n: u64, offered: u64) -> f64 {
    if offered == 0 {
        0.0
    } else {
        n as f64 / offered as f64
    }
}

/// The verdicts of `slo` on one run's report at `load`.
pub fn judge(scenario: &Scenario, slo: &SloSpec, report: &Report, load: f64) -> Vec<Verdict> {
    let q = &report.requests;
    let l = &report.latency_ms;
    let latency = |x: f64| if l.count == 0 { f64::NAN } else { x };
    let measured = [
        ("p50_ms", slo.p50_ms, latency(l.p50)),
        ("p99_ms", slo.p99_ms, latency(l.p99)),
        ("p999_ms", slo.p999_ms, latency(l.p999)),
        (
            "error_rate",
            slo.error_rate,
            rate(q.failed + q.timed_out, q.offered),
        ),
        (
            "rejection_rate",
            slo.rejection_rate,
            rate(q.rejected + q.rate_limited, q.offered),
        ),
        (
            "monthly_cost",
            slo.monthly_cost,
            report.cost.as_ref().map_or(0.0, |c| c.monthly),
        ),
        (
            "stale_read_rate",
            slo.stale_read_rate,
            stalest(report).map_or(0.0, |(_, x)| x),
        ),
    ];
    let mut out: Vec<Verdict> = measured
        .into_iter()
        .filter_map(|(name, bound, m)| {
            bound.map(|b| Verdict {
                objective: name.to_owned(),
                load,
                bound: b,
                measured: m,
                // NaN (nothing succeeded) never passes a latency bound.
                passed: m <= b,
                broke_first: None,
            })
        })
        .collect();
    if out
        .iter()
        .any(|v| !v.passed && v.objective != "stale_read_rate")
    {
        let who = explain_run(scenario, report).bottleneck;
        for v in out.iter_mut().filter(|v| !v.passed) {
            v.broke_first = who.clone();
        }
    }
    // A consistency budget is broken by the node serving the stale reads, not by a saturated one.
    for v in out
        .iter_mut()
        .filter(|v| !v.passed && v.objective == "stale_read_rate")
    {
        v.broke_first = stalest(report).map(|(id, _)| id.to_owned());
    }
    out
}

/// The node with the largest share of stale reads, and the share (the first of equals; `None` when no
/// node counts them).
pub fn stalest(report: &Report) -> Option<(&str, f64)> {
    report
        .nodes
        .iter()
        .filter_map(|n| {
            let (r, s) = (n.reads?, n.stale_reads?);
            Some((
                n.id.as_str(),
                if r == 0 { 0.0 } else { s as f64 / r as f64 },
            ))
        })
        .fold(None, |best, (id, x)| match best {
            Some((_, b)) if b >= x => best,
            _ => Some((id, x)),
        })
}

/// Runs `scenario` at every load of its `slo` block (in order) and judges each run; `None` when the
/// scenario has no `slo` block.
pub fn check_scenario(
    scenario: &Scenario,
    file: &str,
) -> Result<Option<ScenarioCheck>, ScenarioError> {
    let Some(slo) = &scenario.slo else {
        return Ok(None);
    };
    let mut verdicts = Vec::new();
    let valid = ValidScenario::new(scenario.clone())?;
    for &load in &slo.loads {
        let mut sim = Simulation::from_spec(&RunSpec::new(valid.clone()).at_load(load)?);
        sim.run_to_end();
        verdicts.extend(judge(scenario, slo, &sim.report(), load));
    }
    Ok(Some(ScenarioCheck {
        file: file.to_owned(),
        scenario: scenario.name.clone(),
        currency: scenario.prices.currency().to_owned(),
        verdicts,
        wall_time_s: 0.0,
    }))
}

fn load_text(x: f64) -> String {
    format!("{}x", trim(x))
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn value_text(objective: &str, x: f64, currency: &str) -> String {
    if x.is_nan() {
        return "no successes".into();
    }
    match objective {
        "error_rate" | "rejection_rate" | "stale_read_rate" => format!("{}%", trim(x * 100.0)),
        "monthly_cost" => format!("{x:.2} {currency}"),
        _ => format!("{x:.1} ms"),
    }
}

fn objective_text(v: &Verdict) -> String {
    let name = match v.objective.as_str() {
        "p50_ms" => "p50",
        "p99_ms" => "p99",
        "p999_ms" => "p99.9",
        "error_rate" => "errors",
        "rejection_rate" => "rejections",
        "monthly_cost" => "monthly cost",
        "stale_read_rate" => "stale reads",
        other => other,
    };
    format!("{name} at {}", load_text(v.load))
}

/// The Markdown summary: a headline, one table row per objective and load, and the broken ones in words.
pub fn markdown(checks: &[ScenarioCheck], skipped: &[String]) -> String {
    let mut out = String::new();
    let failed = checks.iter().filter(|c| !c.passed()).count();
    let _ = writeln!(
        out,
        "## archsim check: {} {}, {}\n",
        checks.len(),
        if checks.len() == 1 {
            "scenario"
        } else {
            "scenarios"
        },
        if failed == 0 {
            "every SLO met".to_owned()
        } else {
            format!("{failed} with a broken SLO")
        }
    );
    let _ = writeln!(
        out,
        "| scenario | objective | bound | measured | result |\n|---|---|---|---|---|"
    );
    for c in checks {
        for v in &c.verdicts {
            let _ = writeln!(
                out,
                "| {} | {} | <= {} | {} | {} |",
                c.file,
                objective_text(v),
                value_text(&v.objective, v.bound, &c.currency),
                value_text(&v.objective, v.measured, &c.currency),
                if v.passed { "pass" } else { "**FAIL**" }
            );
        }
    }
    for c in checks.iter().filter(|c| !c.passed()) {
        for v in c.verdicts.iter().filter(|v| !v.passed) {
            let _ = writeln!(
                out,
                "\n- **{}**: {} is {} (bound {}){}",
                c.file,
                objective_text(v),
                value_text(&v.objective, v.measured, &c.currency),
                value_text(&v.objective, v.bound, &c.currency),
                v.broke_first
                    .as_ref()
                    .map_or(String::new(), |n| format!("; `{n}` broke first"))
            );
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nNo `slo` block (not checked): {}",
            skipped.join(", ")
        );
    }
    out
}

/// XML text with `& < > " '` escaped.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML (the common Ant/Jenkins form): one `<testsuite>` per scenario, one `<testcase>` per
/// objective and load, a `<failure>` on each broken one.
pub fn junit(checks: &[ScenarioCheck]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = checks.iter().map(|c| c.verdicts.len()).sum();
    let failures: usize = checks
        .iter()
        .map(|c| c.verdicts.iter().filter(|v| !v.passed).count())
        .sum();
    let time: f64 = checks.iter().map(|c| c.wall_time_s).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"archsim check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">"
    );
    for (id, c) in checks.iter().enumerate() {
        let f = c.verdicts.iter().filter(|v| !v.passed).count();
        let per = if c.verdicts.is_empty() {
            0.0
        } else {
            c.wall_time_s / c.verdicts.len() as f64
        };
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{id}\" package=\"archsim\" hostname=\"localhost\" tests=\"{}\" failures=\"{f}\" errors=\"0\" skipped=\"0\" time=\"{:.3}\">",
            esc(&c.file),
            c.verdicts.len(),
            c.wall_time_s
        );
        for v in &c.verdicts {
            let name = format!(
                "{} <= {}",
                objective_text(v),
                value_text(&v.objective, v.bound, &c.currency)
            );
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{per:.3}\"",
                esc(&name),
                esc(&c.scenario)
            );
            if v.passed {
                out.push_str("/>\n");
            } else {
                let msg = format!(
                    "measured {}{}",
                    value_text(&v.objective, v.measured, &c.currency),
                    v.broke_first
                        .as_ref()
                        .map_or(String::new(), |n| format!("; {n} broke first"))
                );
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"SloBroken\">{} in {}: {}</failure>\n    </testcase>",
                    esc(&msg),
                    esc(&name),
                    esc(&c.file),
                    esc(&msg)
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
