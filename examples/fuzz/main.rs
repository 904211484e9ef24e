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
//! Options: `--start S` (first seed, default 0), `--deadline-s N` (wall time one case may take, default
//! 30; a case over it fails with its seed). A case that does not return at all (its own deadline check
//! cannot fire) is reported by a watchdog 10 s after its deadline, counted as failed and left behind
//! while the rest go on. Exit code 1 if any case broke an invariant.

#![allow(
    clippy::disallowed_methods,
    reason = "the long mode reports its own wall time; the engine never reads the clock"
)]

mod cases;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    let name = target.clone();
    let case = move |seed: u64| match name.as_str() {
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
        // The scenario first: the case may be one that does not end.
        if target == "scenario" {
            println!("{}", archsim::model::to_string(&cases::scenario(seed)));
        }
        let r = case(seed);
        println!("{target} case {seed}: {r:?}");
        std::process::exit(i32::from(r.is_err()));
    }
    let cases = number("--cases", 10_000);
    let start = number("--start", 0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let run = Arc::new(Run {
        target: target.clone(),
        end: start + cases,
        next: AtomicU64::new(start),
        counts: [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
        done: AtomicU64::new(0),
        running: Mutex::new(BTreeMap::new()),
        failures: Mutex::new(Vec::new()),
        hung: Mutex::new(Vec::new()),
    });
    let case = Arc::new(case);
    let started = Instant::now();
    let spawn_worker = |run: &Arc<Run>| {
        let (run, case) = (Arc::clone(run), Arc::clone(&case));
        std::thread::spawn(move || run.work(&*case, cases, started));
    };
    for _ in 0..threads {
        spawn_worker(&run);
    }
    // The watchdog: a case still going `grace` after its own deadline is one whose deadline could not fire
    // (a single chunk of events, the build or the report did not return). It is reported at once with its
    // seed, counted as a failure and left behind; a new worker takes its place, so the run goes on.
    let grace = deadline + Duration::from_secs(10);
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let over: Vec<(u64, Duration)> = {
            let running = run.running.lock().expect("not poisoned");
            let hung = run.hung.lock().expect("not poisoned");
            running
                .iter()
                .filter(|(seed, t0)| t0.elapsed() > grace && !hung.contains(seed))
                .map(|(seed, t0)| (*seed, t0.elapsed()))
                .collect()
        };
        for (seed, took) in over {
            eprintln!(
                "HUNG {target} case {} (seed {seed}): still running after {:.0} s, past its {} s deadline, \
                 which did not fire  (again: --target {target} --seed {seed})",
                seed - start,
                took.as_secs_f64(),
                deadline.as_secs()
            );
            run.hung.lock().expect("not poisoned").push(seed);
            spawn_worker(&run);
        }
        let hung = run.hung.lock().expect("not poisoned").len() as u64;
        if run.done.load(Ordering::Relaxed) + hung >= cases {
            break;
        }
    }
    let mut failures = run.failures.lock().expect("not poisoned").clone();
    let hung = run.hung.lock().expect("not poisoned").clone();
    failures.extend(&hung);
    failures.sort_unstable();
    println!(
        "{target}: {cases} cases (seeds {start}..{}) in {:.1} s: {} refused by validation, {} ran to the \
         end, {} stopped by a governor, {} failed ({} of them hung past the deadline)",
        start + cases,
        started.elapsed().as_secs_f64(),
        run.counts[0].load(Ordering::Relaxed),
        run.counts[1].load(Ordering::Relaxed),
        run.counts[2].load(Ordering::Relaxed),
        failures.len(),
        hung.len()
    );
    if !failures.is_empty() {
        println!("failing seeds: {failures:?}");
        // Hung cases' threads are still spinning: end the process rather than wait for them.
        std::process::exit(1);
    }
}

/// The long mode's shared state: the next seed to take, what the cases came to, and which are running.
struct Run {
    target: String,
    end: u64,
    next: AtomicU64,
    counts: [AtomicU64; 3],
    done: AtomicU64,
    /// Cases now running, with their start.
    running: Mutex<BTreeMap<u64, Instant>>,
    failures: Mutex<Vec<u64>>,
    /// Cases the watchdog gave up on.
    hung: Mutex<Vec<u64>>,
}

impl Run {
    /// One worker: takes seeds until none are left.
    fn work(
        &self,
        case: &(dyn Fn(u64) -> Result<cases::Outcome, String> + Sync),
        cases: u64,
        started: Instant,
    ) {
        loop {
            let seed = self.next.fetch_add(1, Ordering::Relaxed);
            if seed >= self.end {
                return;
            }
            self.running
                .lock()
                .expect("not poisoned")
                .insert(seed, Instant::now());
            let result = case(seed);
            self.running.lock().expect("not poisoned").remove(&seed);
            if self.hung.lock().expect("not poisoned").contains(&seed) {
                // The watchdog already counted it; a late end changes nothing.
                continue;
            }
            match result {
                Ok(o) => {
                    self.counts[o as usize].fetch_add(1, Ordering::Relaxed);
                }
                Err(why) => {
                    let target = &self.target;
                    eprintln!(
                        "FAIL {target} seed {seed}: {why}  (again: --target {target} --seed {seed})"
                    );
                    self.failures.lock().expect("not poisoned").push(seed);
                }
            }
            let d = self.done.fetch_add(1, Ordering::Relaxed) + 1;
            if d.is_multiple_of(10_000) {
                eprintln!(
                    "{d} / {cases} cases, {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
}
