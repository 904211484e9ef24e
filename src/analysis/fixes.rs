//! The fixes "What broke first" offers: candidate changes for a bottleneck, each sized with the flow model
//! so the node no longer saturates at the load the user is looking at, and each one's analytic effect.

use super::explain::Fix;
use super::flow::FlowModel;
use crate::model::{NodeKind, Scenario, apply_override};

/// The analytic effect of applying `sets` to `scenario`, at `reference` load; `node` is the node the fix
/// is for (its own saturation load goes in [`Fix::node_saturation_load`]).
pub fn evaluate_fix(
    scenario: &Scenario,
    node: &str,
    summary: String,
    sets: Vec<String>,
    reference: f64,
) -> Option<Fix> {
    let mut s = scenario.clone();
    for spec in &sets {
        apply_override(&mut s, spec).ok()?;
    }
    let model = FlowModel::new(&s).ok()?;
    let (breaking, next) = model.breaking_point();
    Some(Fix {
        node_saturation_load: s.node_index(node).and_then(|i| model.saturation_load(i)),
        summary,
        sets,
        breaking_load: breaking,
        next_bottleneck: next,
        end_to_end_mean_ms: model.eval_flow(reference).end_to_end_mean_ms,
    })
}

/// Candidate fixes for `bottleneck`, sized so that it no longer saturates at `reference` load (a third
/// of headroom: utilization about 0.75 there), plus raising a cache's hit ratio when a cache sits on the
/// path. At most three, in that order.
pub fn fixes_for(scenario: &Scenario, bottleneck: &str, reference: f64) -> Vec<Fix> {
    let Some(node) = scenario.node(bottleneck) else {
        return Vec::new();
    };
    let Ok(model) = FlowModel::new(scenario) else {
        return Vec::new();
    };
    let Some(i) = scenario.node_index(bottleneck) else {
        return Vec::new();
    };
    let target = reference.max(1.0) / 0.75;
    let mut fixes = Vec::new();
    // The smallest count for `field` (from `current` up, doubling then bisecting) at which the node's own
    // saturation load reaches the target.
    let size = |field: &str, current: u32| -> Option<u32> {
        let sat_with = |v: u32| -> Option<f64> {
            let mut s = scenario.clone();
            apply_override(&mut s, &format!("{bottleneck}.{field}={v}")).ok()?;
            let m = FlowModel::new(&s).ok()?;
            Some(m.saturation_load(i).unwrap_or(f64::INFINITY))
        };
        let mut hi = current.max(1);
        while sat_with(hi)? < target {
            hi = hi.checked_mul(2)?;
            if hi > 1_000_000 {
                return None;
            }
        }
        let mut lo = current;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if sat_with(mid)? >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        (hi > current).then_some(hi)
    };
    let mut push = |summary: String, sets: Vec<String>| {
        if let Some(f) = evaluate_fix(scenario, bottleneck, summary, sets, reference) {
            fixes.push(f);
        }
    };
    match &node.kind {
        NodeKind::Service(p) => {
            if let Some(r) = size("replicas", p.replicas) {
                push(
                    format!("add replicas to {bottleneck}: {} -> {r}", p.replicas),
                    vec![format!("{bottleneck}.replicas={r}")],
                );
            }
            if let Some(w) = size("workers", p.workers) {
                push(
                    format!(
                        "give {bottleneck} more workers per replica: {} -> {w}",
                        p.workers
                    ),
                    vec![format!("{bottleneck}.workers={w}")],
                );
            }
        }
        NodeKind::Cache(p) => {
            if let Some(w) = size("workers", p.workers) {
                push(
                    format!("give {bottleneck} more workers: {} -> {w}", p.workers),
                    vec![format!("{bottleneck}.workers={w}")],
                );
            }
        }
        NodeKind::Gateway(p) => {
            if let Some(w) = size("concurrency", p.concurrency) {
                push(
                    format!(
                        "let {bottleneck} authenticate more at once: {} -> {w}",
                        p.concurrency
                    ),
                    vec![format!("{bottleneck}.concurrency={w}")],
                );
            }
        }
        NodeKind::Database(p) => {
            if let Some(r) = size("read_replicas", p.read_replicas) {
                push(
                    format!(
                        "add read replicas to {bottleneck}: {} -> {r}",
                        p.read_replicas
                    ),
                    vec![format!("{bottleneck}.read_replicas={r}")],
                );
            }
            if let Some(c) = size("pool_size", p.pool_size) {
                push(
                    format!(
                        "raise {bottleneck}'s connection pool: {} -> {c}",
                        p.pool_size
                    ),
                    vec![format!("{bottleneck}.pool_size={c}")],
                );
            }
        }
        // A client, a balancer, a queue and a rate limiter have no capacity knob the flow model sizes: the
        // fix is at the node behind them.
        NodeKind::Client(_)
        | NodeKind::LoadBalancer(_)
        | NodeKind::Queue(_)
        | NodeKind::RateLimiter(_) => {}
    }
    // A better-hitting cache shortens every worker hold on the path and takes load off the store behind it.
    let flow = model.eval_flow(reference);
    for n in &scenario.nodes {
        // A key-model cache ignores `hit_ratio`: its hits come from its keys, capacity and TTL.
        if let NodeKind::Cache(p) = &n.kind
            && p.keys.is_none()
            && p.hit_ratio < 0.99
            && flow.node(&n.id).is_some_and(|f| f.arrival_rps > 0.0)
        {
            let h = (p.hit_ratio + (1.0 - p.hit_ratio) / 2.0).min(0.99);
            push(
                format!("raise {}'s hit ratio: {} -> {:.3}", n.id, p.hit_ratio, h),
                vec![format!("{}.hit_ratio={h:.3}", n.id)],
            );
            break;
        }
    }
    fixes.truncate(3);
    fixes
}
