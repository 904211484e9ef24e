//! Turning the world's counters into a [`Report`] and a [`Snapshot`].

use super::snapshot::{EdgeLive, NodeLive, Snapshot};
use super::world::World;
use crate::metrics::{NodeReport, NodeSeries, Report, SeriesReport};

impl World {
    /// The measured window: from the end of the warm-up (or 0) to now, seconds.
    fn window_s(&self) -> f64 {
        self.now.saturating_sub(self.warmup_ns.min(self.now)) as f64 / 1e9
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let last = self.series.buckets().last();
        let width_s = self.series.width_ns() as f64 / 1e9;
        Snapshot {
            time_ns: self.now,
            events: self.events,
            requests: self.counts,
            nodes: self
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let cap = n.capacity();
                    NodeLive {
                        kind: Some(n.tag),
                        utilization: if cap > 0 {
                            n.busy as f64 / cap as f64
                        } else {
                            0.0
                        },
                        queue_len: n.queue_len(),
                        queue_capacity: n
                            .beh
                            .queue()
                            .map_or(n.queue_cap as u64 * n.active as u64, |q| q.capacity as u64),
                        in_flight: n.in_sys as u64,
                        up: self.node_state(i).0,
                        degraded: self.node_state(i).1,
                        replicas: n.active,
                        throughput_rps: last.map_or(0.0, |b| b.nodes[i].completed as f64 / width_s),
                        p99_ms: last.map_or(f64::NAN, |b| b.nodes[i].p99_ms as f64),
                        shards: self.live_hottest_shard(i),
                        duplicates: self.effects(i).map_or(0, |f| f.duplicates),
                        stale_reads: self
                            .repl_counts(i)
                            .map(|c| c.2)
                            .or(self.cache_write_counts(i).map(|(c, _)| c.stale_reads))
                            .unwrap_or(0),
                        lost_writes: self.cache_write_counts(i).map_or(0, |(c, _)| c.lost_writes),
                    }
                })
                .collect(),
            edges: (0..self.edges.len())
                .map(|i| EdgeLive {
                    throughput_rps: last.map_or(0.0, |b| b.edge_sends[i] as f64 / width_s),
                    down: self.ext_on()
                        && (self.ext.edge[i].cut > 0 || super::health::edge_down(&self.ext, i)),
                })
                .collect(),
        }
    }

    /// A batch's completion time: when the last measured request resolved, once none is left open.
    fn last_resolved_ms(&self) -> Option<f64> {
        let r = &self.retries;
        if !r.batch || self.counts.in_flight > 0 {
            return None;
        }
        r.last_resolved_ns.map(|t| t as f64 / 1e6)
    }

    pub(crate) fn report(&self) -> Report {
        let window_s = self.window_s();
        let per_s = |x: u64| {
            if window_s > 0.0 {
                x as f64 / window_s
            } else {
                0.0
            }
        };
        let window_ns = window_s * 1e9;
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let s = &n.stats;
                // Areas brought up to now without mutating.
                let dt = (self.now - s.last_ns) as f64;
                let busy = s.area_busy + n.busy as f64 * dt - s.warm[0];
                let queue = s.area_queue + n.queue_len() as f64 * dt - s.warm[1];
                let sys = s.area_sys + n.in_sys as f64 * dt - s.warm[2];
                let cap = n.capacity() as f64;
                let avg = |a: f64| if window_ns > 0.0 { a / window_ns } else { 0.0 };
                NodeReport {
                    id: self.ids[i].clone(),
                    kind: n.tag.as_str().to_owned(),
                    // Work still held by replicas retired mid-run counts as full, not as more than 100%.
                    utilization: if cap > 0.0 {
                        (avg(busy) / cap).min(1.0)
                    } else {
                        0.0
                    },
                    mean_queue_len: avg(queue),
                    max_queue_len: s.max_queue,
                    arrivals: s.arrivals,
                    completed: s.completed,
                    rejected: s.rejected,
                    failed: s.failed,
                    retries: s.retries,
                    throughput_rps: per_s(s.completed),
                    mean_in_system: avg(sys),
                    latency_ms: s.latency.summary(),
                    lag_ms: n.beh.queue().map(|q| q.lag.summary()),
                    writes: self
                        .occ_counts(i)
                        .map(|c| c.0)
                        .or(self.cache_write_counts(i).map(|(c, _)| c.writes)),
                    conflicts: self.occ_counts(i).map(|c| c.1),
                    reads: self.repl_counts(i).map(|c| c.0).or(self
                        .cache_write_counts(i)
                        .and_then(|(c, keyed)| keyed.then_some(c.reads))),
                    primary_reads: self.repl_counts(i).and_then(|c| c.1),
                    stale_reads: self.repl_counts(i).map(|c| c.2).or(self
                        .cache_write_counts(i)
                        .and_then(|(c, keyed)| keyed.then_some(c.stale_reads))),
                    quorum_errors: self.quorum_errors(i),
                    billed_replicas: self.billed_replicas(i, window_ns),
                    shards: self.shard_reports(i, window_ns),
                    hottest_shard: None,
                    topic: n
                        .beh
                        .queue()
                        .and_then(|q| q.topic.as_ref())
                        .map(|t| t.report(&self.ids, self.now, window_s)),
                    closed_loop: self.closed_report(i, window_s),
                    side_effects: self.effects(i).map(|f| f.side_effects),
                    duplicates: self.effects(i).map(|f| f.duplicates),
                    deduplicated: self
                        .effects(i)
                        .and_then(|f| f.ttl_ns.map(|_| f.deduplicated)),
                    redelivered: n
                        .beh
                        .queue()
                        .and_then(|q| q.vis.as_ref())
                        .map(|v| v.redelivered),
                    dead_lettered: n
                        .beh
                        .queue()
                        .and_then(|q| q.vis.as_ref())
                        .map(|v| v.dead_lettered),
                    lost_writes: self
                        .cache_write_counts(i)
                        .and_then(|(c, _)| c.write_behind.then_some(c.lost_writes)),
                    health: self.health_changes(i),
                    gateway: n.beh.gateway().map(|g| {
                        g.report(|e| self.ids[self.edges[e as usize].to as usize].clone())
                    }),
                }
                .with_hottest_shard()
            })
            .collect();
        Report {
            scenario: self.name.clone(),
            seed: self.seed,
            load: self.load,
            sim_time_s: self.now as f64 / 1e9,
            warmup_s: self.warmup_ns as f64 / 1e9,
            events: self.events,
            requests: self.counts,
            latency_ms: self.latency.summary(),
            throughput_rps: per_s(self.counts.succeeded),
            offered_rps: per_s(self.counts.offered),
            nodes,
            series: self.series_report(),
            wall_time_s: 0.0,
            faults: self.fault_reports(),
            edges: self.edge_reports(),
            last_resolved_ms: self.last_resolved_ms(),
            stopped: None,
            cost: None,
            topology: None,
        }
    }

    /// A sharded database's shard count and hottest shard so far, for the canvas.
    fn live_hottest_shard(&self, node: usize) -> Option<(u32, u32, f64)> {
        if !self.ext_on() {
            return None;
        }
        let rows = self.shard_reports(node, self.window_s() * 1e9)?;
        let count = rows.len() as u32;
        let hot = rows
            .iter()
            .fold(None::<&crate::metrics::ShardReport>, |best, s| match best {
                Some(b) if b.utilization >= s.utilization => Some(b),
                _ => Some(s),
            })?;
        Some((count, hot.shard, hot.utilization))
    }

    /// A sharded database's per-shard figures (None for any other node).
    fn shard_reports(
        &self,
        node: usize,
        window_ns: f64,
    ) -> Option<Vec<crate::metrics::ShardReport>> {
        if !self.ext_on() {
            return None;
        }
        let sh = self.ext.shards.get(node)?.as_ref()?;
        let conns = sh.connections(self.nodes[node].workers) as f64;
        let avg = |a: u64| {
            if window_ns > 0.0 {
                a as f64 / window_ns
            } else {
                0.0
            }
        };
        Some(
            sh.figures()
                .into_iter()
                .enumerate()
                .map(|(s, f)| crate::metrics::ShardReport {
                    shard: s as u32,
                    arrivals: f.arrivals,
                    completed: f.completed,
                    utilization: if conns > 0.0 {
                        (avg(f.busy_ns) / conns).min(1.0)
                    } else {
                        0.0
                    },
                    mean_queue_len: avg(f.wait_ns),
                    latency_ms: f.latency_ms,
                })
                .collect(),
        )
    }

    /// A cache's hit ratio per bucket, from figures the series already keeps (so it costs the hot path
    /// nothing): 1 - calls sent to the backing store / lookups answered. Retries over the cache's edge count
    /// as misses, so with edge retries it reads low. Empty for other kinds; NaN in a bucket with no lookups.
    fn hit_ratio_series(&self, node: usize) -> Vec<f64> {
        if self.nodes[node].tag != crate::model::KindTag::Cache {
            return Vec::new();
        }
        let out: Vec<usize> = (0..self.edges.len())
            .filter(|&e| self.edges[e].from as usize == node)
            .collect();
        self.series
            .buckets()
            .iter()
            .map(|b| {
                let lookups = b.nodes[node].completed as f64;
                let misses: f64 = out.iter().map(|&e| b.edge_sends[e] as f64).sum();
                if lookups > 0.0 {
                    (1.0 - misses / lookups).clamp(0.0, 1.0)
                } else {
                    f64::NAN
                }
            })
            .collect()
    }

    fn series_report(&self) -> SeriesReport {
        let buckets = self.series.buckets();
        let width_s = self.series.width_ns() as f64 / 1e9;
        let rate = |f: &dyn Fn(&crate::metrics::Bucket) -> u32| -> Vec<f64> {
            buckets.iter().map(|b| f(b) as f64 / width_s).collect()
        };
        let ms = |f: &dyn Fn(&crate::metrics::Bucket) -> f32| -> Vec<f64> {
            buckets.iter().map(|b| f(b) as f64).collect()
        };
        SeriesReport {
            bucket_s: width_s,
            t_s: (0..buckets.len()).map(|i| i as f64 * width_s).collect(),
            offered_rps: rate(&|b| b.offered),
            succeeded_rps: rate(&|b| b.succeeded),
            failed_rps: rate(&|b| b.failed),
            timed_out_rps: rate(&|b| b.timed_out),
            rejected_rps: rate(&|b| b.rejected),
            retries_rps: rate(&|b| b.retries),
            rate_limited_rps: rate(&|b| b.rate_limited),
            p50_ms: ms(&|b| b.p50_ms),
            p95_ms: ms(&|b| b.p95_ms),
            p99_ms: ms(&|b| b.p99_ms),
            nodes: (0..self.nodes.len())
                .map(|i| NodeSeries {
                    id: self.ids[i].clone(),
                    utilization: buckets
                        .iter()
                        .map(|b| b.nodes[i].utilization as f64)
                        .collect(),
                    queue_len: buckets
                        .iter()
                        .map(|b| b.nodes[i].queue_len as f64)
                        .collect(),
                    throughput_rps: buckets
                        .iter()
                        .map(|b| b.nodes[i].completed as f64 / width_s)
                        .collect(),
                    p99_ms: buckets.iter().map(|b| b.nodes[i].p99_ms as f64).collect(),
                    hit_ratio: self.hit_ratio_series(i),
                    stale_reads_rps: if self.repl_counts(i).is_some()
                        || self.cache_write_counts(i).is_some_and(|(_, keyed)| keyed)
                    {
                        rate(&|b| b.nodes[i].stale_reads)
                    } else {
                        Vec::new()
                    },
                    duplicates_rps: if self.effects(i).is_some() {
                        rate(&|b| b.nodes[i].duplicates)
                    } else {
                        Vec::new()
                    },
                    group_lag: self.nodes[i]
                        .beh
                        .queue()
                        .and_then(|q| q.topic.as_ref())
                        .map_or(Vec::new(), |t| t.lag_series(&self.ids)),
                })
                .collect(),
        }
    }
}
