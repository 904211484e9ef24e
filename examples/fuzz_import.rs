//! The long importer fuzz run: `cargo run --release --example fuzz_import [MUTANTS_PER_FILE] [SEED]`
//! (default 100,000 and 1). Stops at the first failure and prints the input that caused it.

#[path = "../tests/support/mutate.rs"]
mod mutate;

use mutate::{CORPUS, Rng, check, mutate};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    for (path, format) in CORPUS {
        let base = std::fs::read(path).expect("run from the repository root");
        let mut rng = Rng(seed ^ path.len() as u64);
        for k in 0..n {
            let m = mutate(&mut rng, &base);
            // Mutants of mutants reach further from the seed file.
            let m = if k % 3 == 0 { mutate(&mut rng, &m) } else { m };
            let format = (k % 2 == 0).then_some(*format);
            if let Err(e) = check(format, path, &m) {
                eprintln!(
                    "{path} mutant {k} (seed {seed}): {e}\n--- input ---\n{}",
                    String::from_utf8_lossy(&m)
                );
                std::process::exit(1);
            }
        }
        println!("{path}: {n} mutants, no failure");
    }
}
