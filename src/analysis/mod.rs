//! Closed-form answers the simulator is checked against (and that the app can show beside a run).
//! Pure functions: no engine, no UI, no clock.

pub mod queueing;

pub use queueing::QueueingError;
