//! Call patterns and hedged calls: a service's downstream calls made in parallel (wait for all, or for the
//! first k), per-edge probabilities and repeat counts, and hedges (a second copy of a slow call).
//!
//! A service with a call plan does not call its edges itself. When its own work is done it hands the calls
//! to a *runner*: a call slot on the service's node that makes the calls, collects their answers and gives
//! the service one answer (success, or the outcome of the call that failed it). The service call waits for
//! the runner as for any child, and answers as a sequential service does after its last call. A hedged call
//! is a second slot, the *hedge*, under the runner; each copy it sends goes through a *copy* slot, so that
//! the hedge knows which copy answered (for the `P95` delay and for cancelling the other). Answers come
//! back to these slots through the optional machinery (`ext_response`), and a slot lives until every
//! answer and timer naming it has arrived (`refs`), so a late answer after the runner has moved on finds a
//! slot that only counts it down. Services without a plan never get here: the engine's paths are the
//! sequential ones, and a scenario with no plan pays one flag test per finished service call.

use super::event::{GuardWake, Kind};
use super::snapshot::DotOutcome;
use super::world::{NONE, Outcome, World};
use crate::model::{CallPattern, HEDGE_WINDOW, HedgeAfter, Scenario};

/// One step of a service's plan for a class: an edge, the probability it is called and how many times.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlanEntry {
    edge: u32,
    p: f64,
    times: u32,
    hedged: bool,
}

/// A service's compiled calls.
#[derive(Clone, Debug)]
pub(crate) struct CallPlan {
    pattern: CallPattern,
    /// Per class: the steps, in edge order.
    per_class: Vec<Vec<PlanEntry>>,
}

/// A hedged edge at run time: its delay, its answer-time window (for `P95`) and its counter.
#[derive(Clone, Debug)]
pub(crate) struct HedgeRt {
    /// The delay before the second copy; none while a `P95` hedge has no estimate yet.
    after_ns: Option<u64>,
    p95: bool,
    window: Vec<u64>,
    cancel: bool,
    /// Second copies sent since the warm-up.
    pub sent: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    None,
    /// Makes a service's calls and gives it one answer.
    Runner,
    /// One hedged call: up to two copies, the first success wins.
    Hedge,
    /// One copy of a hedged call.
    Copy,
}

/// A runner's, hedge's or copy's bookkeeping, indexed by its call slot.
#[derive(Clone, Copy, Debug)]
struct Fan {
    role: Role,
    /// The answer has been given (or a copy was cancelled): later answers only count down `refs`.
    decided: bool,
    /// Pending answers and timers naming this slot.
    refs: u32,
    /// Successes needed (runner gathering, hedge), calls sent, successes and failures so far.
    need: u32,
    sent: u32,
    ok: u32,
    failed: u32,
    /// Sequential runner: the next step and the calls left of the current one.
    entry: u32,
    left: u32,
    /// Hedge and copy: the edge. Copy: its child call (`NONE` through an edge's attempt stub) and index.
    edge: u32,
    child: u32,
    index: u8,
    /// Hedge: its copies' slots.
    copies: [u32; 2],
    /// Runner: it makes its calls one after another (its pattern when it started: a live edit of the
    /// pattern applies to the calls that start after it).
    sequential: bool,
}

const IDLE: Fan = Fan {
    role: Role::None,
    decided: false,
    refs: 0,
    need: 0,
    sent: 0,
    ok: 0,
    failed: 0,
    entry: 0,
    left: 0,
    edge: NONE,
    child: NONE,
    index: 0,
    copies: [NONE; 2],
    sequential: false,
};

/// The call plans and slots of a run.
#[derive(Default)]
pub(crate) struct Fans {
    v: Vec<Fan>,
    /// Per node: its plan, if it is a service with one.
    pub plans: Vec<Option<Box<CallPlan>>>,
    /// Per edge: its hedge, if it has one.
    pub hedges: Vec<Option<HedgeRt>>,
    /// Some hedge cancels: arrivals check for cancelled copies.
    cancels: bool,
    /// Scratch for a gathering runner's draws (edge, copies, hedged).
    draws: Vec<(u32, u32, bool)>,
}

impl Fans {
    /// Takes the plans and hedges of `fresh` (built from the edited scenario, same nodes and edges) and
    /// keeps the slots in flight. A plan that is gone is kept for the runners still using it (its service
    /// starts no new one); a hedge keeps its count and its observed answer times, and takes the new delay
    /// and cancel; a hedge switched off keeps its count for the report while no new call is hedged.
    pub(crate) fn take_params(&mut self, fresh: Fans) {
        for (old, new) in self.plans.iter_mut().zip(fresh.plans) {
            if new.is_some() {
                *old = new;
            }
        }
        for (old, new) in self.hedges.iter_mut().zip(fresh.hedges) {
            match (old.as_mut(), new) {
                (Some(o), Some(n)) => {
                    if n.p95 != o.p95 || !n.p95 {
                        o.after_ns = n.after_ns;
                        o.window.clear();
                    }
                    o.p95 = n.p95;
                    o.cancel = n.cancel;
                }
                (None, Some(n)) => *old = Some(n),
                (_, None) => {}
            }
        }
        // Copies that may be cancelled are looked for on arrival; once on, it stays on for those in flight.
        self.cancels |= fresh.cancels;
    }

    /// Is this call a runner, hedge or copy slot?
    #[inline]
    pub(crate) fn is(&self, call: u32) -> bool {
        self.v
            .get(call as usize)
            .is_some_and(|f| f.role != Role::None)
    }

    fn set(&mut self, call: u32, f: Fan) {
        let i = call as usize;
        if self.v.len() <= i {
            self.v.resize(i + 1, IDLE);
        }
        self.v[i] = f;
    }
}

/// Does this service need a plan (a pattern other than sequential, or an edge with call options)?
pub(crate) fn needs_plan(s: &Scenario, id: &str, pattern: CallPattern) -> bool {
    !pattern.is_sequential() || s.edges.iter().any(|e| e.from == id && e.is_planned())
}

impl World {
    /// Compiles the plans of the services that have one and the hedges of the edges; true if any.
    pub(crate) fn build_plans(&mut self, s: &Scenario) -> bool {
        let mut on = false;
        let mut plans: Vec<Option<Box<CallPlan>>> = (0..self.nodes.len()).map(|_| None).collect();
        for (i, n) in s.nodes.iter().enumerate() {
            let crate::model::NodeKind::Service(p) = &n.kind else {
                continue;
            };
            if !needs_plan(s, &n.id, p.calls) {
                continue;
            }
            let per_class = self.nodes[i]
                .routes
                .iter()
                .map(|route| {
                    route
                        .iter()
                        .map(|&e| {
                            let edge = &s.edges[e as usize];
                            PlanEntry {
                                edge: e,
                                p: edge.probability,
                                times: edge.times,
                                hedged: edge.hedge.is_some(),
                            }
                        })
                        .collect()
                })
                .collect();
            plans[i] = Some(Box::new(CallPlan {
                pattern: p.calls,
                per_class,
            }));
            on = true;
        }
        self.fans.plans = plans;
        self.fans.hedges = s
            .edges
            .iter()
            .map(|e| {
                e.hedge.as_ref().map(|h| HedgeRt {
                    after_ns: match h.after_ms {
                        HedgeAfter::Fixed(d) => Some(super::sampler::to_ns(d * 1e6)),
                        HedgeAfter::P95 => None,
                    },
                    p95: h.after_ms == HedgeAfter::P95,
                    window: Vec::new(),
                    cancel: h.cancel,
                    sent: 0,
                })
            })
            .collect();
        self.fans.cancels = s
            .edges
            .iter()
            .any(|e| e.hedge.as_ref().is_some_and(|h| h.cancel));
        on
    }

    /// A planned service's own work is done: a runner makes its calls, and the service waits for it.
    #[cold]
    #[inline(never)]
    pub(crate) fn plan_start(&mut self, call: u32) {
        let c = self.calls[call as usize];
        // The service's own step is past every edge: the runner's answer finishes it (`service::response`).
        self.calls[call as usize].step = u16::MAX;
        let runner = self.alloc_call(c.req, call, c.node, c.via_edge, c.class);
        let pattern = self.plan(c.node).pattern;
        self.fans.set(
            runner,
            Fan {
                role: Role::Runner,
                sequential: pattern == CallPattern::Sequential,
                ..IDLE
            },
        );
        let k = match pattern {
            CallPattern::Sequential => return self.runner_next(runner),
            CallPattern::Parallel => u32::MAX,
            CallPattern::FirstOf(k) => k,
        };
        // Every call goes out at once: draw which edges are called first, so that the runner knows how
        // many answers it waits for before any can come back (over zero-latency edges, at once).
        let mut draws = std::mem::take(&mut self.fans.draws);
        draws.clear();
        let entries = self.plan(c.node).per_class[c.class as usize].len();
        let mut total = 0u32;
        for i in 0..entries {
            let e = self.plan(c.node).per_class[c.class as usize][i];
            if self.draw(c.node, e.p) {
                draws.push((e.edge, e.times, e.hedged));
                total += e.times;
            }
        }
        let f = &mut self.fans.v[runner as usize];
        f.sent = total;
        f.need = k.min(total);
        f.refs = total;
        if total == 0 {
            self.fans.draws = draws;
            return self.decide(runner, Outcome::Ok);
        }
        for &(edge, times, hedged) in &draws {
            for _ in 0..times {
                self.send_planned(runner, edge, hedged);
            }
        }
        self.fans.draws = draws;
    }

    fn plan(&self, node: u32) -> &CallPlan {
        self.fans.plans[node as usize]
            .as_deref()
            .expect("a planned service has a plan")
    }

    /// Is an edge with call probability `p` called this time? Draws only when `p` is below 1.
    fn draw(&mut self, node: u32, p: f64) -> bool {
        p >= 1.0 || super::sampler::unit(&mut self.nodes[node as usize].rng) < p
    }

    /// One call of a runner: over a hedge, or straight to the callee.
    fn send_planned(&mut self, runner: u32, edge: u32, hedged: bool) {
        if hedged {
            self.hedge_start(runner, edge);
        } else {
            self.call_child(runner, edge);
        }
    }

    /// A sequential runner's next call, or its answer when none is left.
    fn runner_next(&mut self, runner: u32) {
        let c = self.calls[runner as usize];
        loop {
            let f = self.fans.v[runner as usize];
            if f.left > 0 {
                let e = self.plan(c.node).per_class[c.class as usize][f.entry as usize - 1];
                let f = &mut self.fans.v[runner as usize];
                f.left -= 1;
                f.refs += 1;
                return self.send_planned(runner, e.edge, e.hedged);
            }
            let steps = &self.plan(c.node).per_class[c.class as usize];
            let Some(&e) = steps.get(f.entry as usize) else {
                return self.decide(runner, Outcome::Ok);
            };
            let called = self.draw(c.node, e.p);
            let f = &mut self.fans.v[runner as usize];
            f.entry += 1;
            f.left = if called { e.times } else { 0 };
        }
    }

    /// An answer reached a runner, hedge or copy slot (from `ext_response`).
    pub(crate) fn fan_response(&mut self, slot: u32, outcome: Outcome) {
        let f = &mut self.fans.v[slot as usize];
        f.refs -= 1;
        match f.role {
            Role::Copy => self.copy_answered(slot, outcome, true),
            Role::Runner => {
                if f.decided {
                    return self.release_fan(slot);
                }
                let sequential = f.sequential;
                self.gathered(slot, outcome, sequential);
            }
            Role::Hedge | Role::None => {
                unreachable!("hedges hear from their copies; idle slots get no answers")
            }
        }
    }

    /// A runner's or hedge's call answered: on to the next call, or the answer is decided.
    fn gathered(&mut self, slot: u32, outcome: Outcome, sequential: bool) {
        if sequential {
            return if outcome == Outcome::Ok {
                self.runner_next(slot)
            } else {
                self.decide(slot, outcome)
            };
        }
        let f = &mut self.fans.v[slot as usize];
        if outcome == Outcome::Ok {
            f.ok += 1;
        } else {
            f.failed += 1;
        }
        if f.ok >= f.need {
            self.decide(slot, Outcome::Ok);
        } else if f.failed > f.sent - f.need {
            // Fewer than `need` can still succeed.
            self.decide(slot, outcome);
        }
    }

    /// The slot has its answer: its parent gets it, and later answers only count down.
    fn decide(&mut self, slot: u32, outcome: Outcome) {
        self.fans.v[slot as usize].decided = true;
        let parent = self.calls[slot as usize].parent;
        // The parent moves on and its slot may be reused: a crash scan or a walk up must stop here.
        self.calls[slot as usize].parent = NONE;
        self.release_fan(slot);
        self.response(parent, outcome);
    }

    /// Frees a decided slot nothing names any more.
    fn release_fan(&mut self, slot: u32) {
        let f = &mut self.fans.v[slot as usize];
        if f.refs == 0 && f.decided {
            f.role = Role::None;
            self.free_call(slot);
        }
    }

    // ---- hedged calls ---------------------------------------------------------------------------------

    /// A hedged call: its first copy goes out now, and a timer for the second if a delay is known.
    fn hedge_start(&mut self, parent: u32, edge: u32) {
        let p = self.calls[parent as usize];
        let h = self.alloc_call(p.req, parent, p.node, edge, p.class);
        self.fans.set(
            h,
            Fan {
                role: Role::Hedge,
                need: 1,
                edge,
                ..IDLE
            },
        );
        let after = self.fans.hedges[edge as usize]
            .as_ref()
            .and_then(|r| r.after_ns);
        if let Some(d) = after {
            // Held before the first copy goes: over zero-latency edges its answer can come back at once.
            self.fans.v[h as usize].refs += 1;
            self.queue
                .push(self.now + d, Kind::Guard, h, GuardWake::Hedge as u8);
        }
        self.send_copy(h, 0);
    }

    /// Sends copy `index` of a hedged call through a copy slot of its own.
    fn send_copy(&mut self, h: u32, index: u8) {
        let p = self.calls[h as usize];
        let edge = self.fans.v[h as usize].edge;
        let copy = self.alloc_call(p.req, h, p.node, edge, p.class);
        self.fans.set(
            copy,
            Fan {
                role: Role::Copy,
                refs: 1,
                edge,
                index,
                ..IDLE
            },
        );
        let f = &mut self.fans.v[h as usize];
        f.refs += 1;
        f.sent += 1;
        f.copies[index as usize] = copy;
        // As `call_child`, keeping the child's slot for a cancellation (set before the send: over a
        // zero-latency edge the answer can come back within it).
        if !self.edge_takes_call(copy, edge) {
            return;
        }
        let to = self.edges[edge as usize].to;
        let child = self.alloc_call(p.req, copy, to, edge, p.class);
        self.fans.v[copy as usize].child = child;
        self.send(p.node, child, edge, Kind::Arrive, DotOutcome::Ok);
    }

    /// A hedge's timer: the second copy goes out if no copy has answered yet.
    #[cold]
    pub(crate) fn hedge_due(&mut self, h: u32) {
        let f = &mut self.fans.v[h as usize];
        f.refs -= 1;
        if f.decided || f.sent > 1 {
            return self.release_fan(h);
        }
        let edge = f.edge;
        if let Some(r) = self.fans.hedges[edge as usize].as_mut() {
            r.sent += 1;
        }
        self.send_copy(h, 1);
    }

    /// A copy's answer (`measured`: a real answer, not a cancellation): its time goes into the edge's
    /// window, and the hedge hears of it.
    fn copy_answered(&mut self, copy: u32, outcome: Outcome, measured: bool) {
        let f = self.fans.v[copy as usize];
        let h = self.calls[copy as usize].parent;
        let now = self.now;
        let sent_ns = self.calls[copy as usize].arrive_ns;
        if measured
            && let Some(r) = self.fans.hedges[f.edge as usize].as_mut()
            && r.p95
        {
            r.window.push(now - sent_ns);
            if r.window.len() >= HEDGE_WINDOW as usize {
                let at = (HEDGE_WINDOW as usize * 95).div_ceil(100) - 1;
                let (_, &mut v, _) = r.window.select_nth_unstable(at);
                r.after_ns = Some(v);
                r.window.clear();
            }
        }
        let fc = &mut self.fans.v[copy as usize];
        fc.decided = true;
        fc.child = NONE;
        self.release_fan(copy);
        let fh = &mut self.fans.v[h as usize];
        fh.refs -= 1;
        if fh.decided {
            return self.release_fan(h);
        }
        let won = outcome == Outcome::Ok;
        if won {
            // Held through the answer: the hedge's slot must outlive it to cancel the other copy.
            self.fans.v[h as usize].refs += 1;
        }
        self.gathered(h, outcome, false);
        if won {
            self.cancel_other(h, f.index);
            self.fans.v[h as usize].refs -= 1;
            self.release_fan(h);
        }
    }

    /// The hedge has its answer from copy `winner`: with `cancel`, the other copy is dropped if its callee
    /// has not started on it (it waits in the callee's queue, or is still on the wire: dropped on arrival).
    fn cancel_other(&mut self, h: u32, winner: u8) {
        let fh = self.fans.v[h as usize];
        let cancel = self.fans.hedges[fh.edge as usize]
            .as_ref()
            .is_some_and(|r| r.cancel);
        let other = 1 - winner as usize;
        if !cancel || fh.sent as usize <= other {
            return;
        }
        let copy = fh.copies[other];
        let fc = self.fans.v[copy as usize];
        if fc.role != Role::Copy || fc.decided || fc.child == NONE {
            return;
        }
        let child = fc.child;
        self.fans.v[copy as usize].decided = true;
        let c = self.calls[child as usize];
        if c.parent != copy {
            return;
        }
        let now = self.now;
        let node = &mut self.nodes[c.node as usize];
        let Some(pos) = node
            .instances
            .get(c.instance as usize)
            .and_then(|i| i.queue.iter().position(|&x| x == child))
        else {
            // On the wire (dropped when it arrives) or started (it finishes; its answer is dropped).
            return;
        };
        node.touch(now);
        node.instances[c.instance as usize].queue.remove(pos);
        node.queued -= 1;
        node.in_sys -= 1;
        self.free_call(child);
        self.fans.v[copy as usize].refs -= 1;
        self.copy_answered(copy, Outcome::Failed, false);
    }

    /// An arriving call that is a cancelled copy is dropped before the callee sees it (`ext_arrive`).
    #[inline]
    pub(crate) fn cancelled_on_arrival(&mut self, call: u32) -> bool {
        if !self.fans.cancels {
            return false;
        }
        let copy = self.calls[call as usize].parent;
        let Some(&f) = self.fans.v.get(copy as usize) else {
            return false;
        };
        if f.role != Role::Copy || !f.decided || f.child != call {
            return false;
        }
        self.free_call(call);
        self.fans.v[copy as usize].refs -= 1;
        self.fans.v[copy as usize].child = NONE;
        self.copy_answered(copy, Outcome::Failed, false);
        true
    }

    /// Restarts the hedge counters at the end of the warm-up.
    pub(crate) fn fans_warmup_end(&mut self) {
        for r in self.fans.hedges.iter_mut().flatten() {
            r.sent = 0;
        }
    }

    /// Second copies sent over edge `e` since the warm-up, if it is hedged.
    pub(crate) fn hedges_sent(&self, e: usize) -> Option<u64> {
        self.fans
            .hedges
            .get(e)
            .and_then(|r| r.as_ref())
            .map(|r| r.sent)
    }
}
