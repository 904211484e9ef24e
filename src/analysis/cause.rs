//! From the symptom to the cause: a saturated node whose workers wait on a call is saturated because of
//! whatever it waits on. A caller holds a worker for the whole of its downstream calls, so when the store or
//! dependency it calls saturates, the caller's utilization climbs to 1 as well and it rejects requests that
//! never touch that dependency. Blaming the busiest node then names the caller; this walks the call graph
//! downwards from it to the deepest node that is saturated itself, which is where a fix helps. (A callee that
//! is slow but not saturated is not followed: more of it would not make it faster, so the fix stays with the
//! caller's workers.)

use super::explain::SATURATED;
use crate::metrics::{NodeReport, Report};
use crate::model::Scenario;

/// The chain from `start` down to the node a fix should go to (`start` first, the cause last; just `start`
/// when it is the cause itself). Follows, at each node, its saturated callee with the highest utilization;
/// stops at a node already on the chain (a cycle).
pub fn walk(scenario: &Scenario, report: &Report, start: &str) -> Vec<String> {
    let node = |id: &str| report.nodes.iter().find(|n| n.id == id);
    let mut chain = vec![start.to_owned()];
    loop {
        let at = chain.last().map_or(start, String::as_str);
        let callees: Vec<&NodeReport> = scenario
            .edges
            .iter()
            .filter(|e| e.from == at)
            .filter_map(|e| node(&e.to))
            .filter(|c| busiest_part(c) >= SATURATED && !chain.contains(&c.id))
            .collect();
        let Some(next) = callees
            .iter()
            .max_by(|a, b| busiest_part(a).total_cmp(&busiest_part(b)))
        else {
            return chain;
        };
        chain.push(next.id.clone());
    }
}

/// A node's utilization, or its hottest shard's when that is higher: a sharded store with one saturated
/// shard holds its callers' workers as a saturated store does, however idle its other shards are.
pub fn busiest_part(n: &NodeReport) -> f64 {
    let hot = n
        .shards
        .as_ref()
        .zip(n.hottest_shard)
        .and_then(|(s, h)| s.get(h as usize))
        .map_or(0.0, |s| s.utilization);
    n.utilization.max(hot)
}
