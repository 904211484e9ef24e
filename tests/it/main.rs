//! The integration tests, as one binary (one link instead of one per file). Each module is one area;
//! `cargo test --test it MODULE::` runs one of them, e.g. `cargo test --test it theory::`.

#![allow(
    clippy::unwrap_used,
    reason = "in a test, a failed unwrap is a failed test with its location"
)]

mod common;
// Shared with examples/fuzz_import.rs.
#[path = "../support/mutate.rs"]
mod mutate;

mod analysis;
mod backoff;
mod bounded;
mod cache_writes;
mod calls;
mod calls_live;
mod cli;
mod cost;
mod edge_resilience;
mod engine;
mod explain_data;
mod export;
mod fault_recovery;
mod faults;
mod fuzz;
mod gateway;
mod idempotency;
mod import;
mod import_fuzz;
mod model_io;
mod presets;
mod presets_topics;
mod presets_topology;
mod presets_traffic;
mod replication;
mod resilience;
mod run_spec;
mod shards;
mod slo_check;
mod theory;
mod topics;
mod topology;
mod traffic;
#[cfg(feature = "gui")]
mod ui;
#[cfg(feature = "gui")]
mod ui_behaviour;
#[cfg(feature = "gui")]
mod ui_cache_writes;
#[cfg(feature = "gui")]
mod ui_calls;
mod ui_canvas;
#[cfg(feature = "gui")]
mod ui_faults;
#[cfg(feature = "gui")]
mod ui_gateway;
#[cfg(feature = "gui")]
mod ui_idempotency;
#[cfg(feature = "gui")]
mod ui_interop;
#[cfg(feature = "gui")]
mod ui_layout;
#[cfg(feature = "gui")]
mod ui_replication;
#[cfg(feature = "gui")]
mod ui_state;
#[cfg(feature = "gui")]
mod ui_stress;
#[cfg(feature = "gui")]
mod ui_timeline;
#[cfg(feature = "gui")]
mod ui_topics;
#[cfg(feature = "gui")]
mod ui_topology;
#[cfg(feature = "gui")]
mod ui_traffic;
