//! The long importer fuzz run:
//! `cargo run --release --no-default-features --example fuzz_import [MUTANTS_PER_FILE] [SEED]`
//! (default 100,000 and 1). Every corpus file gets that many mutants, so each format gets at least that
//! many cases. A case fails if the import panics, breaks a property `check` asserts, or takes longer than
//! `SLOW_S`; failing inputs are written to `target/fuzz-import/` (to become regression cases) and the run
//! goes on. Prints cases, failures, wall time and the slowest case per format; exits 1 if any failed.
#![allow(
    clippy::disallowed_methods,
    reason = "the fuzzer reports its own wall time; the importers never read the clock"
)]

#[path = "../tests/support/mutate.rs"]
mod mutate;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use mutate::{CORPUS, Rng, check, mutate};

/// One import slower than this is a failure (the 8 MiB file cap keeps honest inputs far below it).
const SLOW_S: f64 = 2.0;
/// Where failing inputs go.
const FAILURES_DIR: &str = "target/fuzz-import";

#[derive(Default)]
struct Tally {
    cases: usize,
    failures: usize,
    wall: Duration,
    slowest: (Duration, String),
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    // Panics are caught and reported as failures with the input; the hook keeps the message and place.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    for (path, format) in CORPUS {
        let base = std::fs::read(path).expect("run from the repository root");
        let mut rng = Rng(seed ^ path.len() as u64);
        let t = tally.entry(format.name()).or_default();
        for k in 0..n {
            let m = mutate(&mut rng, &base);
            // Mutants of mutants reach further from the seed file.
            let m = if k % 3 == 0 { mutate(&mut rng, &m) } else { m };
            let given = (k % 2 == 0).then_some(*format);
            let started = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| check(given, path, &m)))
                .unwrap_or_else(|_| Err(format!("panic: {}", last_panic())));
            let took = started.elapsed();
            t.cases += 1;
            t.wall += took;
            if took > t.slowest.0 {
                t.slowest = (took, format!("{path} mutant {k}"));
            }
            let outcome = match outcome {
                Ok(()) if took.as_secs_f64() > SLOW_S => {
                    Err(format!("took {:.2} s", took.as_secs_f64()))
                }
                o => o,
            };
            if let Err(e) = outcome {
                t.failures += 1;
                let stem = std::path::Path::new(path)
                    .file_name()
                    .and_then(|s| s.to_str())
                    .unwrap_or("input");
                let file = format!("{FAILURES_DIR}/{stem}.seed{seed}.mutant{k}");
                let _ = std::fs::create_dir_all(FAILURES_DIR);
                let _ = std::fs::write(&file, &m);
                eprintln!("FAIL {path} mutant {k} (seed {seed}): {e} (input in {file})");
            }
        }
        println!("{path}: {n} mutants");
    }
    let mut failed = 0;
    for (format, t) in &tally {
        println!(
            "{format}: {} cases, {} failed, {:.1} s in the importer, slowest {:.1} ms ({})",
            t.cases,
            t.failures,
            t.wall.as_secs_f64(),
            t.slowest.0.as_secs_f64() * 1e3,
            t.slowest.1
        );
        failed += t.failures;
    }
    std::process::exit(i32::from(failed > 0));
}

static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

fn last_panic() -> String {
    LAST_PANIC
        .lock()
        .map(|s| s.clone())
        .unwrap_or_else(|_| "(no message)".into())
}
