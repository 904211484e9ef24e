//! The scenario fuzzer's long mode: as many cases as asked, in parallel, with a reproducible seed printed
//! for every failure. Run:
//!
//! ```sh
//! cargo run --release --no-default-features --example fuzz -- --cases 100000      # scenarios
//! cargo run --release --no-default-features --example fuzz -- --target ron --cases 100000
//! cargo run --release --no-default-features --example fuzz -- --target share --cases 100000
//! cargo run --release --no-default-features --example fuzz -- --seed 123456      # one case again
//! ```
//!
//! Options: `--start S` (first seed, default 0), `--deadline-s N` (wall time one run may take, default 30).
//! Exit code 1 if any case broke an invariant.

#![allow(
    clippy::disallowed_methods,
    reason = "the long mode reports its own wall time; the engine never reads the clock"
)]

mod cases;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let number = |name: &str, default: u64| {
        value(name).map_or(default, |v| {
            v.replace('_', "").parse().unwrap_or_else(|_| {
                eprintln!("{name} takes a whole number, not '{v}'");
                std::process::exit(2)
            })
        })
    };
    let target = value("--target").unwrap_or_else(|| "scenario".into());
    let deadline = Duration::from_secs(number("--deadline-s", 30));
    let case = |seed: u64| match target.as_str() {
        "scenario" => cases::scenario_case(seed, deadline),
        "ron" => cases::ron_case(seed),
        "share" => cases::share_case(seed),
        other => {
            eprintln!("--target is '{other}'; one of: scenario, ron, share");
            std::process::exit(2)
        }
    };
    // Failures are reported; the panic hook's own message would only repeat them.
    std::panic::set_hook(Box::new(|_| {}));
    if let Some(seed) = value("--seed") {
        let seed: u64 = seed.parse().expect("--seed takes a whole number");
        let r = case(seed);
        println!("{target} case {seed}: {r:?}");
        if target == "scenario" {
            println!("{}", archsim::model::to_string(&cases::scenario(seed)));
        }
        std::process::exit(i32::from(r.is_err()));
    }
    let cases = number("--cases", 10_000);
    let start = number("--start", 0);
    let started = Instant::now();
    let counts = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
    let failures = Mutex::new(Vec::new());
    let done = AtomicU64::new(0);
    (start..start + cases).into_par_iter().for_each(|seed| {
        match case(seed) {
            Ok(o) => {
                counts[o as usize].fetch_add(1, Ordering::Relaxed);
            }
            Err(why) => {
                eprintln!(
                    "FAIL {target} seed {seed}: {why}  (again: --target {target} --seed {seed})"
                );
                failures.lock().expect("not poisoned").push(seed);
            }
        }
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        if d.is_multiple_of(10_000) {
            eprintln!(
                "{d} / {cases} cases, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    });
    let failures = failures.into_inner().expect("not poisoned");
    println!(
        "{target}: {cases} cases (seeds {start}..{}) in {:.1} s: {} refused by validation, {} ran to the \
         end, {} stopped by a governor, {} failed",
        start + cases,
        started.elapsed().as_secs_f64(),
        counts[0].load(Ordering::Relaxed),
        counts[1].load(Ordering::Relaxed),
        counts[2].load(Ordering::Relaxed),
        failures.len()
    );
    if !failures.is_empty() {
        println!("failing seeds: {failures:?}");
        std::process::exit(1);
    }
}
