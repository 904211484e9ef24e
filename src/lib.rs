//! archsim: a system-design sandbox built on a deterministic discrete-event simulator.
//!
//! `model` (scenario files), `sim` (the engine), `metrics` (histograms, series, reports) and `analysis`
//! never import the UI and never read the wall clock; the desktop app, the web app and the CLI all drive
//! the same [`sim::Simulation::step_until`]. The data path and the event loop: `docs/architecture.md`.
//!
//! A run's lifecycle: parse a scenario, validate it once into a [`model::ValidScenario`], make a
//! [`model::RunSpec`] of it (seed, length, load multiplier, each checked when set), build the simulation
//! from the spec, step it (in slices, as the app does, or to the end), and read the report. The same spec
//! gives the same report, to the byte.
//!
//! ```
//! use archsim::model::{self, Dist, NodeKind, RunSpec, ValidScenario};
//! use archsim::sim::Simulation;
//!
//! // An M/M/1 queue at rho = 0.5: 50 requests/s into one worker with exponential 10 ms service.
//! let text = r#"(
//!     name: "mm1",
//!     duration_s: 200.0,
//!     warmup_s: 20.0,
//!     seed: 7,
//!     nodes: [
//!         (id: "users", kind: Client(rate_rps: 50.0)),
//!         (id: "server", kind: Service(workers: 1, queue_capacity: 1000000,
//!                                      service_time_ms: Exponential(mean: 10.0))),
//!     ],
//!     edges: [(from: "users", to: "server", latency_ms: Constant(value: 0.0))],
//! )"#;
//! let scenario = model::parse(text, "mm1.ron")?;
//! assert!(matches!(&scenario.nodes[1].kind, NodeKind::Service(p)
//!     if p.service_time_ms == Dist::Exponential { mean: 10.0 }));
//!
//! // Validation names every problem; a bad scenario (or a load out of range) is an error, never a panic.
//! let valid = ValidScenario::new(scenario.clone())?;
//! let spec = RunSpec::new(valid).at_load(1.0)?; // the 10x stress test would be 10.0
//! assert!(RunSpec::new(ValidScenario::new(scenario.clone())?).at_load(-1.0).is_err());
//! let mut sim = Simulation::from_spec(&spec);
//! while !sim.is_finished() {
//!     // The app steps in slices of simulated time, one per frame.
//!     sim.step_until(sim.time_ns() + 10 * archsim::sim::NS_PER_S);
//! }
//! let report = sim.report();
//! // M/M/1: W = 1 / (mu - lambda) = 1 / (100/s - 50/s) = 20 ms.
//! assert!((report.latency_ms.mean - 20.0).abs() < 2.0, "{}", report.latency_ms.mean);
//!
//! // Determinism: a second run is identical (`Simulation::new` is `from_spec` of the scenario as written).
//! let mut again = Simulation::new(&scenario)?;
//! again.run_to_end();
//! assert_eq!(
//!     serde_json::to_string(&again.report())?,
//!     serde_json::to_string(&report)?
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analysis;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod interop;
pub mod metrics;
pub mod model;
pub mod sim;
#[cfg(feature = "gui")]
pub mod ui;
