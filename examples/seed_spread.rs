//! Measures the run-to-run spread of the theory cases over many seeds, to justify the tolerances in
//! `tests/it/theory.rs`. Run: `cargo run --release --no-default-features --example seed_spread [seeds]`.

use archsim::model;
use archsim::sim::Simulation;

fn main() {
    let seeds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let cases = [
        ("scenarios/theory/mm1_rho05.ron", 20.0),
        ("scenarios/theory/mm1_rho08.ron", 50.0),
        ("scenarios/theory/mm1_rho09.ron", 100.0),
        ("scenarios/theory/mmc8_rho09.ron", 8.77),
        ("scenarios/theory/md1_rho08.ron", 20.0),
    ];
    for (file, theory_ms) in cases {
        let base = model::load(std::path::Path::new(file)).expect("theory file loads");
        let wait = !file.contains("mm1_");
        let values: Vec<f64> = (0..seeds)
            .map(|k| {
                let mut s = base.clone();
                s.seed = 1000 + k;
                let mut sim = Simulation::new(&s).expect("valid");
                sim.run_to_end();
                let mean = sim.report().latency_ms.mean;
                if wait { mean - 10.0 } else { mean }
            })
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        println!(
            "{file}: {} seeds, mean {mean:.3} ms (theory {theory_ms}), sd {sd:.3} ms = {:.2}% of theory",
            values.len(),
            100.0 * sd / theory_ms
        );
    }
}
