//! archsim: a system-design sandbox built on a deterministic discrete-event simulator.
//!
//! `model` (scenario files), `sim` (the engine), `metrics` (histograms, series, reports) and `analysis`
//! never import the UI and never read the wall clock; the desktop app, the web app and the CLI all drive
//! the same [`sim::Simulation::step_until`].

pub mod analysis;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod interop;
pub mod metrics;
pub mod model;
pub mod sim;
#[cfg(feature = "gui")]
pub mod ui;
