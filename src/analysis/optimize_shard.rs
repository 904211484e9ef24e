//! A search split over machines: `archsim optimize --shard I/N` runs one shard, `archsim merge` combines
//! the parts into exactly the unsharded answer.
//!
//! The unsharded search simulates the survivors in cost order, in rounds, until two meet the SLO, so
//! where it stops depends on every result. A shard owns every `N`-th position of the cost order
//! (position `k` with `k % N == I`) and simulates its own positions in order until it has seen two of
//! them meet the SLO itself: if its second is at position `m`, at least two of the positions before
//! `m + 1` meet it in the whole search too, so the unsharded rounds end no later than the end of the
//! round holding `m`, and the shard goes on to the end of that round. Every shard therefore covers its
//! share of everything the unsharded rounds simulate; [`merge`] finds where those rounds end from the
//! union, keeps exactly their candidates and the frontier's (which each shard simulates for the
//! positions it owns), and drops what a shard ran past that end. A shard's overshoot is at most a
//! round and its two own finds.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::optimize::{
    Candidate, Finalist, OptimizeProgress, OptimizeResult, OptimizeSpec, conclude,
    frontier_positions, plan, rounds_end, simulate, survivors,
};
use super::sweep::SweepError;
use crate::model::Scenario;

/// A shard's share of a search: the candidates it simulated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizePartial {
    /// Always `"archsim-optimize-partial"`.
    pub format: String,
    /// Shard index, 0-based.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// The scenario.
    pub scenario: Scenario,
    /// The search definition.
    pub spec: OptimizeSpec,
    /// The candidates this shard simulated.
    pub finalists: Vec<Finalist>,
}

/// The format tag of partial search results.
pub const OPTIMIZE_PARTIAL_FORMAT: &str = "archsim-optimize-partial";

/// Runs shard `shard` of `shards` of the search (see the module's comment for what it covers).
pub fn optimize_shard(
    scenario: &Scenario,
    spec: &OptimizeSpec,
    shard: u32,
    shards: u32,
    progress: &(dyn Fn(OptimizeProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<OptimizePartial, SweepError> {
    if shards == 0 || shard >= shards {
        return Err(SweepError::Spec(format!(
            "shard {shard} of {shards}: the index must be below the count"
        )));
    }
    let cands = plan(scenario, spec)?;
    let order = survivors(&cands);
    let len = order.len();
    let per_round = spec.finalists.max(1);
    let (n, i) = (shards as usize, shard as usize);
    let done = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(OptimizeProgress {
            done: d,
            total: total.load(Ordering::Relaxed),
        });
    };
    let run = |positions: &[usize]| -> Result<Vec<Finalist>, SweepError> {
        total.fetch_add(positions.len(), Ordering::Relaxed);
        let batch: Vec<&Candidate> = positions.iter().map(|&k| &cands[order[k]]).collect();
        simulate(scenario, spec, &batch, &tick, cancel)
    };
    let mut finalists = Vec::new();
    let mut simulated = vec![false; len];
    let mut bound = len;
    let mut meeting = 0;
    let mut next = i;
    while next < bound {
        let positions: Vec<usize> = (next..bound).step_by(n).take(per_round).collect();
        next = positions.last().map_or(bound, |&k| k + n);
        for (&k, f) in positions.iter().zip(run(&positions)?) {
            simulated[k] = true;
            if f.meets {
                meeting += 1;
                if meeting == 2 {
                    bound = bound.min((k / per_round + 1) * per_round).min(len);
                }
            }
            finalists.push(f);
        }
    }
    let frontier: Vec<usize> = frontier_positions(len, spec.frontier)
        .into_iter()
        .filter(|&k| k % n == i && !simulated[k])
        .collect();
    finalists.extend(run(&frontier)?);
    Ok(OptimizePartial {
        format: OPTIMIZE_PARTIAL_FORMAT.into(),
        shard,
        shards,
        scenario: scenario.clone(),
        spec: spec.clone(),
        finalists,
    })
}

/// Combines shards into the result of the unsharded search.
pub fn merge(parts: &[OptimizePartial]) -> Result<OptimizeResult, SweepError> {
    let first = parts
        .first()
        .ok_or_else(|| SweepError::Merge("no partial results to merge".into()))?;
    let mut seen = vec![false; first.shards as usize];
    for p in parts {
        if p.format != OPTIMIZE_PARTIAL_FORMAT {
            return Err(SweepError::Merge(format!(
                "not a partial search result (format '{}')",
                p.format
            )));
        }
        if p.scenario != first.scenario || p.spec != first.spec || p.shards != first.shards {
            return Err(SweepError::Merge(format!(
                "shard {} belongs to a different search (scenario, options or shard count differ)",
                p.shard
            )));
        }
        match seen.get_mut(p.shard as usize) {
            None => {
                return Err(SweepError::Merge(format!(
                    "shard index {} out of range",
                    p.shard
                )));
            }
            Some(true) => return Err(SweepError::Merge(format!("shard {} given twice", p.shard))),
            Some(s) => *s = true,
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(SweepError::Merge(format!(
            "shard {missing} of {} is missing",
            first.shards
        )));
    }
    let (scenario, spec) = (&first.scenario, &first.spec);
    let cands = plan(scenario, spec)?;
    let order = survivors(&cands);
    let mut at: Vec<Option<&Finalist>> = vec![None; cands.len()];
    for f in parts.iter().flat_map(|p| &p.finalists) {
        if let Some(slot) = at.get_mut(f.candidate.index) {
            *slot = Some(f);
        }
    }
    let missing = |k: usize| {
        SweepError::Merge(format!(
            "no shard simulated {} (position {} of the cost order)",
            cands[order[k]].sets.join(", "),
            k + 1
        ))
    };
    let end = rounds_end(order.len(), spec.finalists.max(1), |k| {
        at[order[k]].map(|f| f.meets)
    })
    .ok_or_else(|| {
        let k = (0..order.len())
            .find(|&k| at[order[k]].is_none())
            .unwrap_or(0);
        missing(k)
    })?;
    let mut keep: Vec<usize> = (0..end).collect();
    keep.extend(
        frontier_positions(order.len(), spec.frontier)
            .into_iter()
            .filter(|&k| k >= end),
    );
    let finalists = keep
        .into_iter()
        .map(|k| at[order[k]].cloned().ok_or_else(|| missing(k)))
        .collect::<Result<Vec<_>, _>>()?;
    conclude(scenario, spec, &cands, finalists)
}
