//! Runs one scenario file and prints wall time and the headline numbers (a profiling aid).
//! `cargo run --release --no-default-features --example run_file -- FILE [LOAD]`

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: run_file FILE [LOAD]");
    let s = archsim::model::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    #[allow(
        clippy::disallowed_methods,
        reason = "a profiling aid measures wall time around the engine, which never reads it"
    )]
    let t = std::time::Instant::now();
    let mut sim = archsim::sim::Simulation::new(&s).expect("validated");
    if let Some(l) = std::env::args().nth(2) {
        sim.set_load(l.parse().expect("LOAD is a number"));
    }
    sim.run_to_end();
    let wall_s = t.elapsed().as_secs_f64();
    let r = sim.report();
    println!(
        "wall {wall_s:.3} s, {} events, {:.2} M requests/s, mean {:.3} ms, p99 {:.3} ms",
        r.events,
        r.requests.offered as f64 / wall_s / 1e6,
        r.latency_ms.mean,
        r.latency_ms.p99
    );
}
