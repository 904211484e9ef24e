//! The data half of "explain the last run": a hot shard, stale reads and lost writes are what break a
//! design whose nodes all look healthy on average, so they get their own sentences, naming the node, the
//! figure and the mechanism.

use super::explain::SATURATED;
use super::summary::{NodeEstimate, PointResult};
use crate::metrics::{NodeReport, Report};

/// A shard counts as hot when it is at least this busy...
const HOT_SHARD_UTILIZATION: f64 = 0.8;
/// ...and at least this much busier than its shards' mean (a share of the time).
const HOT_SHARD_MARGIN: f64 = 0.15;

/// Sentences on hot shards, stale reads and lost writes in `report` (empty when there is nothing to say).
pub fn data_story(report: &Report) -> String {
    let mut out = Vec::new();
    for n in &report.nodes {
        if let Some(s) = hot_shard(n) {
            out.push(s);
        }
        if let Some(s) = stale(n) {
            out.push(s);
        }
        if let Some(l) = n.lost_writes.filter(|&l| l > 0) {
            out.push(format!(
                "{} lost {l} acknowledged writes in a crash: write-behind had answered them before \
                 flushing them to the store. A shorter flush interval loses fewer (about rate x interval / 2 \
                 per crash); write-through loses none.",
                n.id
            ));
        }
    }
    out.join(" ")
}

/// A sharded database whose hottest shard is far busier than the rest.
fn hot_shard(n: &NodeReport) -> Option<String> {
    let shards = n.shards.as_ref()?;
    let hot = shards.get(n.hottest_shard? as usize)?;
    let mean = shards.iter().map(|s| s.utilization).sum::<f64>() / shards.len().max(1) as f64;
    if hot.utilization < HOT_SHARD_UTILIZATION || hot.utilization < mean + HOT_SHARD_MARGIN {
        return None;
    }
    Some(format!(
        "{} has a hot shard: shard {} is {:.0}% busy while its {} shards average {:.0}%, so it saturates \
         first while the store as a whole has room. The key distribution puts too many queries on one \
         shard: more shards or a bigger pool spread the cold keys, not the hot one; cache the hot key or \
         split it (salt it over several shards).",
        n.id,
        hot.shard,
        hot.utilization * 100.0,
        shards.len(),
        mean * 100.0
    ))
}

/// A node serving stale reads.
fn stale(n: &NodeReport) -> Option<String> {
    let (reads, st) = (n.reads?, n.stale_reads?);
    if reads == 0 || st == 0 {
        return None;
    }
    let share = st as f64 / reads as f64;
    let why = if n.kind == "cache" {
        "reads answered with an older value than the latest acknowledged write of their key (under \
         cache-aside, a miss that fetched before a write and filled after it; under write-around, a copy \
         kept until its TTL)"
    } else {
        "reads answered by a replica that had not yet applied the latest write of their key"
    };
    Some(format!(
        "{} served {st} stale reads, {:.2}% of its {reads} reads: {why}. Set slo.stale_read_rate to hold the \
         design to a budget.",
        n.id,
        share * 100.0
    ))
}

/// In a sweep: the first point at which a sharded database's hottest shard saturated while the database
/// as a whole did not, and that database.
pub fn first_hot_shard(points: &[PointResult]) -> Option<(&PointResult, &NodeEstimate)> {
    points.iter().find_map(|p| {
        p.nodes
            .iter()
            .find(|n| {
                n.hottest_shard_utilization
                    .is_some_and(|h| h.mean >= SATURATED && n.utilization.mean < SATURATED)
            })
            .map(|n| (p, n))
    })
}

/// The sweep story's first sentences when a hot shard saturated first.
pub fn hot_shard_story(hot: Option<(&PointResult, &NodeEstimate)>) -> String {
    let Some((p, n)) = hot else {
        return String::new();
    };
    format!(
        "{}'s hottest shard saturated first: at {:.2}x load it was {:.0}% busy while {} averaged {:.0}% over \
         its shards. A hot key or an uneven split limits it, and more shards will not spread a single hot \
         key: cache it or split it. ",
        n.id,
        p.load,
        n.hottest_shard_utilization.map_or(0.0, |h| h.mean) * 100.0,
        n.id,
        n.utilization.mean * 100.0
    )
}
