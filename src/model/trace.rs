//! Trace files: the CSV a `Trace` profile replays, read when a scenario is loaded from its file and inlined
//! into it (share links and the web page cannot read files, so the scenario must carry the rates).
//!
//! Three shapes, told apart by a header line or, without one, by the number of columns:
//! - `rate_rps` (or one bare column): one rate per interval, requests/s, in order;
//! - `second,rate_rps` (or two bare columns): the interval's start in seconds (a whole multiple of the
//!   trace's `step_s`, increasing) and its rate; intervals not listed have rate 0;
//! - `timestamp_s`: one request time per row, seconds from the start (any order); they are counted per
//!   interval and replayed as a Poisson process at those counts (the instants themselves are not kept).
//!
//! Blank lines and lines starting with `#` are skipped. A bad row is reported by its line and value.

use std::path::Path;

use super::limits::MAX_TRACE_POINTS;
use super::{Scenario, ScenarioError};

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Rates,
    Indexed,
    Timestamps,
}

/// Reads a trace's CSV text into per-interval rates (requests/s) for intervals of `step_s` seconds. Errors
/// are `(line, message)`, 1-based lines.
pub fn parse_trace(text: &str, step_s: f64) -> Result<Vec<f64>, Vec<(usize, String)>> {
    let mut errors = Vec::new();
    let mut shape: Option<Shape> = None;
    let mut rates: Vec<f64> = Vec::new();
    let mut last_index: Option<u64> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let row = raw.trim();
        if row.is_empty() || row.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = row.split(',').map(str::trim).collect();
        if shape.is_none() && cols.iter().any(|c| c.parse::<f64>().is_err()) {
            shape = match cols.as_slice() {
                ["rate_rps" | "rate"] => Some(Shape::Rates),
                ["second" | "t_s", "rate_rps" | "rate"] => Some(Shape::Indexed),
                ["timestamp_s" | "timestamp"] => Some(Shape::Timestamps),
                _ => {
                    errors.push((
                        line,
                        format!(
                            "header '{row}' is not one of: rate_rps | second,rate_rps | timestamp_s"
                        ),
                    ));
                    return Err(errors);
                }
            };
            continue;
        }
        let shape = *shape.get_or_insert(if cols.len() == 2 {
            Shape::Indexed
        } else {
            Shape::Rates
        });
        let want = if shape == Shape::Indexed { 2 } else { 1 };
        if cols.len() != want {
            errors.push((
                line,
                format!("has {} columns, expected {want}: '{row}'", cols.len()),
            ));
            continue;
        }
        let num = |s: &str| s.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
        match shape {
            Shape::Rates => match num(cols[0]) {
                Some(r) => rates.push(r),
                None => errors.push((line, format!("rate '{}' is not a number >= 0", cols[0]))),
            },
            Shape::Indexed => {
                let (Some(t), Some(r)) = (num(cols[0]), num(cols[1])) else {
                    errors.push((
                        line,
                        format!("'{row}' is not two numbers >= 0 (second, rate_rps)"),
                    ));
                    continue;
                };
                let index = t / step_s;
                if (index - index.round()).abs() > 1e-9 || index > MAX_TRACE_POINTS as f64 {
                    errors.push((
                        line,
                        format!(
                            "second {t} is not a whole multiple of step_s {step_s} below {} s",
                            MAX_TRACE_POINTS as f64 * step_s
                        ),
                    ));
                    continue;
                }
                let index = index.round() as u64;
                if last_index.is_some_and(|l| index <= l) {
                    errors.push((
                        line,
                        format!("second {t} does not come after the row before"),
                    ));
                    continue;
                }
                last_index = Some(index);
                rates.resize(index as usize, 0.0);
                rates.push(r);
            }
            Shape::Timestamps => match num(cols[0]) {
                Some(t) if t / step_s < MAX_TRACE_POINTS as f64 => {
                    let index = (t / step_s).floor() as usize;
                    if rates.len() <= index {
                        rates.resize(index + 1, 0.0);
                    }
                    rates[index] += 1.0 / step_s;
                }
                _ => errors.push((
                    line,
                    format!(
                        "timestamp '{}' is not a number of seconds from 0 to {}",
                        cols[0],
                        MAX_TRACE_POINTS as f64 * step_s
                    ),
                )),
            },
        }
        if rates.len() > MAX_TRACE_POINTS {
            errors.push((
                line,
                format!("the trace is longer than {MAX_TRACE_POINTS} intervals"),
            ));
            return Err(errors);
        }
    }
    if errors.is_empty() && rates.is_empty() {
        errors.push((0, "holds no rates".into()));
    }
    if errors.is_empty() {
        Ok(rates)
    } else {
        Err(errors)
    }
}

/// Reads the file of every `Trace` profile whose rates are not inline yet, relative to `dir` (the scenario
/// file's folder), and writes the rates into the scenario. A missing, oversized or malformed file is an
/// error naming the trace file, with the line of each bad row.
#[cfg(not(target_arch = "wasm32"))]
pub fn inline_traces(scenario: &mut Scenario, dir: &Path) -> Result<(), ScenarioError> {
    use super::limits::MAX_TRACE_FILE_BYTES;
    use super::{NodeKind, Problem, Profile};
    for node in &mut scenario.nodes {
        let NodeKind::Client(c) = &mut node.kind else {
            continue;
        };
        let Some(Profile::Trace {
            rates_rps,
            step_s,
            file: Some(file),
        }) = &mut c.profile
        else {
            continue;
        };
        if !(rates_rps.is_empty() && step_s.is_finite() && *step_s > 0.0) {
            continue;
        }
        let path = dir.join(&*file);
        let shown = path.display().to_string();
        let io = |source| ScenarioError::Io {
            file: shown.clone(),
            source,
        };
        let size = std::fs::metadata(&path).map_err(io)?.len();
        if size > MAX_TRACE_FILE_BYTES {
            return Err(ScenarioError::Invalid {
                file: shown.clone(),
                problems: vec![Problem::new(
                    format!("node '{}'", node.id),
                    "profile.file",
                    format!(
                        "is {size} bytes; trace files may be at most {MAX_TRACE_FILE_BYTES} bytes"
                    ),
                )],
            });
        }
        let text = std::fs::read_to_string(&path).map_err(io)?;
        match parse_trace(&text, *step_s) {
            Ok(r) => *rates_rps = r,
            Err(errors) => {
                return Err(ScenarioError::Invalid {
                    file: shown,
                    problems: errors
                        .into_iter()
                        .map(|(line, msg)| {
                            Problem::new(
                                format!("line {line}"),
                                "",
                                format!("{msg} (the trace of node '{}')", node.id),
                            )
                        })
                        .collect(),
                });
            }
        }
    }
    Ok(())
}

/// On the web there are no files: a trace must arrive inline (a share link or an uploaded scenario
/// carries its rates).
#[cfg(target_arch = "wasm32")]
pub fn inline_traces(_scenario: &mut Scenario, _dir: &Path) -> Result<(), ScenarioError> {
    Ok(())
}
