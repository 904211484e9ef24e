//! Analysis beside the engine: closed-form queueing results, the analytic flow model of a whole scenario
//! (and its comparison with a simulated report), load and parameter sweeps with replications and
//! confidence intervals, capacity search, and the "what broke first" explanation. No UI, no clock; the
//! sweeps run their replications in parallel with rayon on native builds and in order on wasm.
//!
//! Entry points for a stress-test front end: [`sweep::run_sweep`] (whole sweep, progress callback, cancel
//! flag), [`sweep::run_point`] (one point), [`shard::run_shard`] and [`shard::merge`], [`capacity::find_capacity`], [`explain::explain_sweep`] and
//! [`explain::explain_run`], [`flow::analyze`] and [`compare::compare`].

pub mod capacity;
pub mod cause;
pub mod compare;
pub mod explain;
pub mod explain_data;
mod fixes;
pub mod flow;
pub mod optimize;
pub mod optimize_shard;
pub mod optimize_step;
pub mod peak;
pub mod queueing;
pub mod replication;
pub mod shard;
pub mod slo;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod sweep_step;

pub use queueing::QueueingError;
