//! Metrics: latency histograms, time series, reports. No UI, no clock.

mod report;

pub use report::{LatencySummary, NodeReport, NodeSeries, Report, RequestCounts, SeriesReport};
