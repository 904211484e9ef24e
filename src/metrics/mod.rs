//! Metrics: latency histograms, time series, reports. No UI, no clock.

mod latency;
mod report;
mod series;

pub use latency::Latency;
pub use report::{LatencySummary, NodeReport, NodeSeries, Report, RequestCounts, SeriesReport};
pub use series::{Bucket, MAX_BUCKETS, NodeBucket, Series};
