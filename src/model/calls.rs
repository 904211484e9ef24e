//! How a service makes its downstream calls: one after another (the default), all at once waiting for all
//! of them, or all at once waiting for the first k; and per edge, a probability of being called, a number
//! of calls, and a hedge (a second copy sent when the first is slow). Defaults are documented here and in
//! `docs/scenario-format.md`; every default reproduces the sequential caller the engine always had.

use serde::{Deserialize, Serialize};

use super::{Edge, Problem, Scenario};

/// Most calls one edge may make per request (`times`); `limits.rs` bounds the product over the graph.
pub const MAX_CALL_TIMES: u32 = 1000;

/// How a service's downstream calls are made and when it has its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallPattern {
    /// One call at a time, in edge order; the next goes out when the previous answered. A failed call
    /// fails the request. The default.
    #[default]
    Sequential,
    /// Scatter-gather: every call goes out at once and the service answers when all are back. The first
    /// failed call fails the request at once; answers still on their way are dropped when they come.
    Parallel,
    /// Every call goes out at once and the service answers with the first `k` successful ones (`k` = 1:
    /// the first answer). It fails as soon as fewer than `k` can still succeed. When a request sends fewer
    /// than `k` calls (class filters, probabilities), it waits for all it sent.
    FirstOf(u32),
}

impl CallPattern {
    /// Is this the default (left out of saved files)?
    pub fn is_sequential(&self) -> bool {
        *self == CallPattern::Sequential
    }

    /// The name as written in files, for pickers and labels.
    pub fn label(&self) -> String {
        match self {
            CallPattern::Sequential => "Sequential".into(),
            CallPattern::Parallel => "Parallel".into(),
            CallPattern::FirstOf(k) => format!("FirstOf({k})"),
        }
    }
}

/// When a hedge's second copy goes out.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum HedgeAfter {
    /// After this many milliseconds without an answer.
    Fixed(f64),
    /// After the 95th percentile of this edge's recent answer times (the last complete window of
    /// [`HEDGE_WINDOW`] answers, send to answer as the caller sees it); no copies before the first window.
    P95,
}

/// Answers per window of a `P95` hedge's delay estimate.
pub const HEDGE_WINDOW: u32 = 500;

/// A hedged call (Dean and Barroso, "The Tail at Scale", 2013): when the first copy has not answered
/// after `after_ms`, a second copy goes out over the same edge, and the first successful answer wins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hedge {
    /// When the second copy goes out.
    pub after_ms: HedgeAfter,
    /// Once one copy has answered, the callee drops the other if it has not started on it (still on the
    /// wire, or waiting in the callee's queue); a copy already being worked on finishes and its answer is
    /// dropped. Default false (both copies run to the end).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancel: bool,
}

/// Serde default of an edge's `probability`.
pub fn one() -> f64 {
    1.0
}

/// Serde default of an edge's `times`.
pub fn one_time() -> u32 {
    1
}

/// Is the probability the default 1 (left out of saved files)?
pub fn is_one(p: &f64) -> bool {
    *p == 1.0
}

/// Is `times` the default 1 (left out of saved files)?
pub fn is_one_time(t: &u32) -> bool {
    *t == 1
}

impl Edge {
    /// Does a call over this edge need the call plan (a probability, several calls or a hedge)?
    pub fn is_planned(&self) -> bool {
        self.probability != 1.0 || self.times != 1 || self.hedge.is_some()
    }
}

/// The problems of an edge's call options: ranges, and only on edges a service calls.
pub(super) fn edge_problems(p: &mut Vec<Problem>, place: &str, e: &Edge, from_service: bool) {
    if !(0.0..=1.0).contains(&e.probability) {
        p.push(Problem::new(
            place,
            "probability",
            format!(
                "is {}; a probability must be between 0 and 1",
                e.probability
            ),
        ));
    }
    if !(1..=MAX_CALL_TIMES).contains(&e.times) {
        p.push(Problem::new(
            place,
            "times",
            format!("is {}; allowed: 1 to {MAX_CALL_TIMES}", e.times),
        ));
    }
    if let Some(h) = &e.hedge
        && let HedgeAfter::Fixed(d) = h.after_ms
        && !(d.is_finite() && (0.0..=super::MAX_TIMEOUT_MS).contains(&d))
    {
        p.push(Problem::new(
            place,
            "hedge.after_ms",
            format!(
                "is Fixed({d}); allowed: 0 to {} ms",
                super::limits::fmt(super::MAX_TIMEOUT_MS)
            ),
        ));
    }
    if !from_service {
        for (field, set) in [
            ("probability", e.probability != 1.0),
            ("times", e.times != 1),
            ("hedge", e.hedge.is_some()),
        ] {
            if set {
                p.push(Problem::new(
                    place,
                    field,
                    format!(
                        "is set on an edge from '{}', which is not a service; only a service's downstream \
                         calls take probability, times and hedge",
                        e.from
                    ),
                ));
            }
        }
    }
}

/// The problems of a service's call pattern: `FirstOf(k)` needs 1 <= k <= the calls it may make.
pub(super) fn pattern_problems(
    p: &mut Vec<Problem>,
    place: &str,
    s: &Scenario,
    pattern: CallPattern,
    outs: &[usize],
) {
    let CallPattern::FirstOf(k) = pattern else {
        return;
    };
    // Calls that may go out: every copy of every edge that is called at all.
    let n: u64 = outs
        .iter()
        .map(|&i| &s.edges[i])
        .filter(|e| e.probability > 0.0)
        .map(|e| e.times as u64)
        .sum();
    if k == 0 || k as u64 > n {
        p.push(Problem::new(
            place,
            "calls",
            format!(
                "is FirstOf({k}); allowed: FirstOf(1) to FirstOf({n}), the calls it may make (its outgoing \
                 edges with probability above 0, each counted `times` times)"
            ),
        ));
    }
}
