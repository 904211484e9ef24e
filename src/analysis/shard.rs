//! Sharding a sweep over machines: each shard runs a slice of the replication units and writes a
//! [`Partial`]; [`merge`] combines the partials into exactly the result of the unsharded sweep.

use std::sync::atomic::{AtomicBool, AtomicUsize};

use serde::{Deserialize, Serialize};

use super::sweep::{
    Progress, Replication, SweepError, SweepResult, SweepSpec, Tracker, check_spec, run_units,
    summarize, warmups,
};
use crate::model::Scenario;

/// A shard's share of a sweep: every `n`-th replication unit starting at `i` (units are (point,
/// replication) pairs in point order), so that expensive high-load points spread over the shards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Always `"archsim-sweep-partial"`.
    pub format: String,
    /// Shard index, 0-based.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// The scenario (so `merge` can summarize without the file).
    pub scenario: Scenario,
    /// The sweep definition.
    pub spec: SweepSpec,
    /// The replications this shard ran.
    pub replications: Vec<Replication>,
}

/// The format tag of partial result files.
pub const PARTIAL_FORMAT: &str = "archsim-sweep-partial";

/// Runs shard `shard` of `shards` (0-based) of the sweep. A precision target is refused: stopping needs
/// every replication of a point in one place.
pub fn run_shard(
    scenario: &Scenario,
    spec: &SweepSpec,
    shard: u32,
    shards: u32,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &AtomicBool,
) -> Result<Partial, SweepError> {
    check_spec(spec)?;
    super::sweep::check_points(scenario, spec)?;
    if spec.precision.is_some() {
        return Err(SweepError::Spec(
            "a precision target cannot be combined with sharding (each shard sees only some replications)"
                .into(),
        ));
    }
    if shards == 0 || shard >= shards {
        return Err(SweepError::Spec(format!(
            "shard {shard} of {shards}: the index must be below the count"
        )));
    }
    let units: Vec<(usize, u32)> = (0..spec.axis.len())
        .flat_map(|p| (0..spec.replications).map(move |r| (p, r)))
        .enumerate()
        .filter(|(k, _)| *k as u32 % shards == shard)
        .map(|(_, u)| u)
        .collect();
    let mut touched: Vec<usize> = units.iter().map(|u| u.0).collect();
    touched.dedup();
    let warm = warmups(scenario, spec, &touched, cancel)?;
    let tracker = Tracker {
        progress,
        done: AtomicUsize::new(0),
        total: units.len(),
    };
    let reps = run_units(scenario, spec, &warm, &units, &tracker, cancel)?;
    Ok(Partial {
        format: PARTIAL_FORMAT.into(),
        shard,
        shards,
        scenario: scenario.clone(),
        spec: spec.clone(),
        replications: reps,
    })
}

/// Merges partial results into the sweep result, exactly as if the sweep had run in one piece: the
/// shards must share scenario, definition and shard count, and together hold every unit once.
pub fn merge(parts: &[Partial]) -> Result<SweepResult, SweepError> {
    let first = parts
        .first()
        .ok_or_else(|| SweepError::Merge("no partial results to merge".into()))?;
    let mut seen = vec![false; first.shards as usize];
    for p in parts {
        if p.format != PARTIAL_FORMAT {
            return Err(SweepError::Merge(format!(
                "not a partial sweep result (format '{}')",
                p.format
            )));
        }
        if p.scenario != first.scenario || p.spec != first.spec || p.shards != first.shards {
            return Err(SweepError::Merge(format!(
                "shard {} belongs to a different sweep (scenario, options or shard count differ)",
                p.shard
            )));
        }
        let Some(s) = seen.get_mut(p.shard as usize) else {
            return Err(SweepError::Merge(format!(
                "shard index {} out of range",
                p.shard
            )));
        };
        if *s {
            return Err(SweepError::Merge(format!("shard {} given twice", p.shard)));
        }
        *s = true;
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(SweepError::Merge(format!(
            "shard {missing} of {} is missing",
            first.shards
        )));
    }
    let reps = parts
        .iter()
        .flat_map(|p| p.replications.iter().cloned())
        .collect();
    let result = summarize(&first.scenario, &first.spec, reps)?;
    for p in &result.points {
        if p.replications != first.spec.replications {
            return Err(SweepError::Merge(format!(
                "point {} has {} replications, expected {}",
                p.index, p.replications, first.spec.replications
            )));
        }
    }
    Ok(result)
}
