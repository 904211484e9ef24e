//! Metrics: latency histograms, time series, reports. No UI, no clock.

mod bucket_hist;
mod cost;
mod latency;
mod lines;
mod report;
mod series;
mod topology;

pub use bucket_hist::BucketHist;
pub use cost::{CostReport, NodeCost, configured_instances, cost_of, cost_of_report};
pub use latency::{Latency, LatencyData};
pub use lines::{NodeLine, Tone, node_lines, thousands};
pub use report::{
    BreakerReport, ClosedLoopReport, EdgeReport, FaultReport, GatewayReport, GroupLagSeries,
    GroupReport, KeyThrottled, LatencySummary, NodeReport, NodeSeries, PartitionReport, Report,
    RequestCounts, Routed, SeriesReport, ShardReport, TopicReport,
};
pub use series::{Bucket, MAX_BUCKETS, NodeBucket, Series};
pub use topology::{CrossingReport, HealthChange, RegionReport, TopologyReport};
