//! The fast slice of the fuzzer (see `examples/fuzz/main.rs` for the long mode): a fixed set of seeds for
//! each target, a few seconds in all, plus the seeds of anything the long mode found (kept as regression
//! cases).

#[path = "../../examples/fuzz/cases.rs"]
mod cases;

use std::time::Duration;

/// Seeds the long mode once failed on, fixed since; each stays a case here.
/// - 74514: a crashed balancer's lost calls kept a link to their freed parent; a per-client rate limiter
///   below walked that link into a loop and the run never ended (`bounded.rs` keeps a cut-down copy).
const REGRESSIONS: &[u64] = &[74514];

fn slice(
    name: &str,
    seeds: impl Iterator<Item = u64>,
    case: impl Fn(u64) -> Result<cases::Outcome, String>,
) {
    let mut outcomes = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for seed in seeds {
        match case(seed) {
            Ok(o) => *outcomes.entry(o).or_insert(0) += 1,
            Err(why) => failures.push(format!("{name} seed {seed}: {why}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The generator must exercise both sides: scenarios that run and ones validation refuses.
    assert!(outcomes.len() >= 2, "{name}: only {outcomes:?}");
}

#[test]
fn scenario_fuzz_slice() {
    let seeds = (0..150).chain(REGRESSIONS.iter().copied());
    slice("scenario", seeds, |s| {
        cases::scenario_case(s, Duration::from_secs(20))
    });
}

#[test]
fn ron_parser_fuzz_slice() {
    slice("ron", 0..300, cases::ron_case);
}

#[test]
fn share_link_fuzz_slice() {
    slice("share", 0..200, cases::share_case);
}
