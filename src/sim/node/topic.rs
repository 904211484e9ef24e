//! A queue node as a Kafka-like partitioned log (`crate::model::Topic`).
//!
//! A stored message is appended to one partition (its key's hash, or the next in turn). Every consumer
//! group (one per outgoing edge of the queue; its members are the consumer service's active replicas)
//! reads every message: each partition is assigned to one member (partition p to member p mod members;
//! members past the partition count sit idle) and read one message at a time in order, so one slow
//! message holds up its partition. A group's offset per partition moves on when its consumer finishes a
//! message; a failed delivery is handed out again, in place, until `max_deliveries`, then dead-lettered
//! and skipped. The lag of a group on a partition is the messages appended that it has not finished.
//!
//! When a group's membership changes (its service crashes, comes back or is scaled), the whole group
//! stops for the rebalance pause and its messages in flight are abandoned (their consumers keep working)
//! and handed out again after it: at-least-once delivery, so a message can be finished twice (counted as
//! duplicate side effects at the consumer, `idem.rs`). The same happens to a delivery its consumer has
//! not finished within the queue's visibility timeout. A message leaves the log once every group has read
//! it; the node's queue length is the total lag over groups.

use std::collections::{BTreeMap, VecDeque};

use crate::metrics::{GroupReport, PartitionReport, TopicReport};
use crate::model::Topic;
use crate::sim::event::{GuardWake, Kind};
use crate::sim::sampler::to_ns;
use crate::sim::snapshot::DotOutcome;
use crate::sim::world::{Call, NONE, Outcome, World};
use crate::sim::zipf::Zipf;

/// A topic's partitions, groups and in-flight deliveries.
#[derive(Clone, Debug)]
pub(crate) struct TopicRt {
    parts: Vec<Part>,
    groups: Vec<Group>,
    /// Key popularity, if messages have keys.
    zipf: Option<Zipf>,
    rr: u32,
    rebalance_ns: u64,
    /// Failed hand-outs of a message before it is dead-lettered.
    max_deliveries: u32,
    /// Messages in the log (not yet read by every group), for the capacity.
    held: u64,
    /// Deliveries in flight or abandoned, and rebalance wake-ups, by their call slot.
    slots: BTreeMap<u32, Slot>,
    /// Per group, its lag at the end of each closed time-series bucket (coarsened with the series).
    lag_series: Vec<Vec<u32>>,
}

#[derive(Clone, Debug, Default)]
struct Part {
    /// Message slots from offset `base` on.
    log: VecDeque<u32>,
    base: u64,
    /// Appended since the warm-up.
    appended: u64,
}

#[derive(Clone, Debug)]
struct Group {
    consumer: u32,
    edge: u32,
    /// Members the partitions are shared out among (the consumer's active replicas at the last check).
    members: u32,
    paused_until_ns: u64,
    parts: Vec<GroupPart>,
    /// Per member: its ready partitions waiting for one of its workers, oldest first.
    waiting: Vec<VecDeque<u32>>,
    lag: u64,
    max_lag: u64,
    max_lag_at_ns: u64,
    drained_at_ns: Option<u64>,
    rebalances: u64,
    delivered: u64,
    redelivered: u64,
    dead_lettered: u64,
}

#[derive(Clone, Copy, Debug)]
struct GroupPart {
    /// The offset of the next message to finish (the committed offset).
    next: u64,
    /// The delivery in flight (`NONE` if none).
    inflight: u32,
    /// Failed hand-outs of the message at `next`.
    attempts: u32,
    /// Listed in its member's `waiting`.
    waiting: bool,
    max_lag: u64,
}

#[derive(Clone, Copy, Debug)]
enum Slot {
    Delivery {
        group: u32,
        part: u32,
        /// Still the partition's delivery (not abandoned by a rebalance or a timeout).
        current: bool,
        /// Its visibility timer is pending (the slot must outlive it).
        timer: bool,
        /// Its consumer has answered.
        answered: bool,
    },
    /// The end of a group's rebalance pause.
    Wake { group: u32 },
}

impl TopicRt {
    /// `consumers`: (service node, edge index) per group, in edge order.
    pub(crate) fn new(t: &Topic, max_deliveries: u32, consumers: &[(u32, u32)]) -> Box<Self> {
        let n = t.partitions.max(1) as usize;
        let groups = consumers
            .iter()
            .map(|&(consumer, edge)| Group {
                consumer,
                edge,
                members: 0,
                paused_until_ns: 0,
                parts: vec![
                    GroupPart {
                        next: 0,
                        inflight: NONE,
                        attempts: 0,
                        waiting: false,
                        max_lag: 0,
                    };
                    n
                ],
                waiting: Vec::new(),
                lag: 0,
                max_lag: 0,
                max_lag_at_ns: 0,
                drained_at_ns: None,
                rebalances: 0,
                delivered: 0,
                redelivered: 0,
                dead_lettered: 0,
            })
            .collect();
        Box::new(Self {
            parts: vec![Part::default(); n],
            groups,
            zipf: (t.keys > 0).then(|| Zipf::new(t.keys, t.zipf_exponent)),
            rr: 0,
            rebalance_ns: to_ns(t.rebalance_ms * 1e6),
            max_deliveries: max_deliveries.max(1),
            held: 0,
            slots: BTreeMap::new(),
            lag_series: vec![Vec::new(); consumers.len()],
        })
    }

    /// Total lag over groups (the node's queue length).
    pub(crate) fn total_lag(&self) -> u32 {
        self.groups.iter().map(|g| g.lag).sum::<u64>() as u32
    }

    /// A time-series bucket closed: each group's lag now is its value; when the series coarsened, pairs of
    /// buckets merge into their later value (the lag at the merged bucket's end).
    pub(crate) fn sample_lag(&mut self, coarsened: bool) {
        for (g, series) in self.groups.iter().zip(&mut self.lag_series) {
            series.push(g.lag as u32);
            if coarsened {
                let merged: Vec<u32> = series.chunks(2).map(|c| c[c.len() - 1]).collect();
                *series = merged;
            }
        }
    }

    /// Per group: its consumer and its lag at the end of each bucket.
    pub(crate) fn lag_series(&self, ids: &[String]) -> Vec<crate::metrics::GroupLagSeries> {
        self.groups
            .iter()
            .zip(&self.lag_series)
            .map(|(g, s)| crate::metrics::GroupLagSeries {
                consumer: ids[g.consumer as usize].clone(),
                lag: s.iter().map(|&x| x as f64).collect(),
            })
            .collect()
    }

    /// Is this call slot one of the topic's own (a delivery or a wake-up)?
    pub(crate) fn owns(&self, call: u32) -> bool {
        self.slots.contains_key(&call)
    }

    /// The counters start again at the end of the warm-up; the lag peak starts from the lag now.
    pub(crate) fn warmup_end(&mut self, now: u64) {
        for p in &mut self.parts {
            p.appended = 0;
        }
        for g in &mut self.groups {
            g.max_lag = g.lag;
            g.max_lag_at_ns = now;
            g.drained_at_ns = None;
            g.rebalances = 0;
            g.delivered = 0;
            g.redelivered = 0;
            g.dead_lettered = 0;
            for gp in &mut g.parts {
                gp.max_lag = 0;
            }
        }
    }

    /// The report's topic section; `window_s` is the measured time.
    pub(crate) fn report(&self, ids: &[String], now: u64, window_s: f64) -> TopicReport {
        let total: u64 = self.parts.iter().map(|p| p.appended).sum();
        let partitions: Vec<PartitionReport> = self
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| PartitionReport {
                partition: i as u32,
                messages: p.appended,
                share: if total > 0 {
                    p.appended as f64 / total as f64
                } else {
                    0.0
                },
                rate_rps: if window_s > 0.0 {
                    p.appended as f64 / window_s
                } else {
                    0.0
                },
                max_lag: self
                    .groups
                    .iter()
                    .map(|g| g.parts[i].max_lag)
                    .max()
                    .unwrap_or(0),
            })
            .collect();
        let hottest = partitions
            .iter()
            .max_by(|a, b| {
                a.messages
                    .cmp(&b.messages)
                    .then(b.partition.cmp(&a.partition))
            })
            .map_or(0, |p| p.partition);
        TopicReport {
            hottest_partition: hottest,
            partitions,
            groups: self
                .groups
                .iter()
                .map(|g| GroupReport {
                    consumer: ids[g.consumer as usize].clone(),
                    members: g.members,
                    idle_members: g.members.saturating_sub(self.parts.len() as u32),
                    lag: g.lag,
                    max_lag: g.max_lag,
                    max_lag_at_s: g.max_lag_at_ns as f64 / 1e9,
                    drained_at_s: g.drained_at_ns.map(|t| t as f64 / 1e9),
                    paused: g.paused_until_ns > now,
                    rebalances: g.rebalances,
                    delivered: g.delivered,
                    redelivered: g.redelivered,
                    dead_lettered: g.dead_lettered,
                })
                .collect(),
        }
    }
}

impl Part {
    /// The offset the next appended message will get.
    fn end(&self) -> u64 {
        self.base + self.log.len() as u64
    }
}

impl Group {
    /// The lag went up or down by one: its peak, and when it caught up after the peak, are tracked.
    fn add_lag(&mut self, p: usize, up: bool, now: u64, end: u64) {
        if up {
            self.lag += 1;
        } else {
            self.lag -= 1;
        }
        let gp = &mut self.parts[p];
        gp.max_lag = gp.max_lag.max(end - gp.next);
        if self.lag > self.max_lag {
            self.max_lag = self.lag;
            self.max_lag_at_ns = now;
            self.drained_at_ns = None;
        } else if self.lag <= self.parts.len() as u64 && self.drained_at_ns.is_none() {
            // Caught up: nothing waits beyond one message per partition (the ones in flight).
            self.drained_at_ns = Some(now);
        }
    }
}

fn topic_of(w: &mut World, q: u32) -> Option<&mut TopicRt> {
    w.nodes[q as usize]
        .beh
        .queue_mut()
        .and_then(|b| b.topic.as_deref_mut())
}

impl World {
    /// The ack latency is over: the message is appended to its partition and the producer acknowledged,
    /// or the log is full and the producer turned away.
    #[inline(never)]
    pub(crate) fn topic_append(&mut self, call: u32, c: Call) {
        let q = c.node;
        let now = self.now;
        let node = &mut self.nodes[q as usize];
        let (Some(qrt), rng) = (node.beh.queue_mut(), &mut node.rng) else {
            return;
        };
        let cap = qrt.capacity as u64;
        let Some(t) = qrt.topic.as_deref_mut() else {
            return;
        };
        if t.held >= cap {
            return self.reject(call);
        }
        let n = t.parts.len() as u32;
        let p = match &t.zipf {
            Some(z) => crate::model::hash_shard(z.sample(rng), n),
            None => super::next_turn(&mut t.rr, n),
        } as usize;
        let groups = t.groups.len();
        let msg = self.alloc_call(c.req, NONE, q, NONE, c.class);
        self.calls[msg as usize].arrive_ns = now;
        let node = &mut self.nodes[q as usize];
        node.touch(now);
        node.queued += groups as u32;
        if node.queued as u64 > node.stats.max_queue {
            node.stats.max_queue = node.queued as u64;
        }
        let Some(t) = node.beh.queue_mut().and_then(|b| b.topic.as_deref_mut()) else {
            return;
        };
        t.parts[p].log.push_back(msg);
        t.parts[p].appended += 1;
        t.held += 1;
        let end = t.parts[p].end();
        for g in &mut t.groups {
            g.add_lag(p, true, now, end);
        }
        self.respond(call, Outcome::Ok);
        for g in 0..groups as u32 {
            self.check_members(q, g);
            self.try_deliver(q, g, p as u32);
        }
    }

    /// A group whose consumer's active replicas changed since the last check rebalances: its deliveries
    /// in flight are abandoned, and it stops for the pause (then a wake-up hands its partitions out).
    fn check_members(&mut self, q: u32, g: u32) {
        let now = self.now;
        let Some(t) = topic_of(self, q) else { return };
        let consumer = t.groups[g as usize].consumer;
        let active = self.nodes[consumer as usize].active;
        let Some(t) = topic_of(self, q) else { return };
        let pause_ns = t.rebalance_ns;
        let grp = &mut t.groups[g as usize];
        if grp.members == active {
            return;
        }
        let first = grp.members == 0 && grp.rebalances == 0 && grp.delivered == 0;
        grp.members = active;
        grp.waiting = vec![VecDeque::new(); active as usize];
        let mut abandoned = Vec::new();
        for gp in &mut grp.parts {
            gp.waiting = false;
            if gp.inflight != NONE {
                abandoned.push(gp.inflight);
                gp.inflight = NONE;
            }
        }
        grp.redelivered += abandoned.len() as u64;
        for d in abandoned {
            if let Some(Slot::Delivery { current, .. }) = t.slots.get_mut(&d) {
                *current = false;
            }
        }
        // The group's first assignment, when the run starts, is no rebalance.
        if first || active == 0 {
            return;
        }
        grp.rebalances += 1;
        if pause_ns == 0 {
            let n = grp.parts.len() as u32;
            for p in 0..n {
                self.try_deliver(q, g, p);
            }
        } else {
            grp.paused_until_ns = now + pause_ns;
            let marker = self.alloc_marker(q);
            if let Some(t) = topic_of(self, q) {
                t.slots.insert(marker, Slot::Wake { group: g });
            }
            self.queue.push(
                now + pause_ns,
                Kind::Guard,
                marker,
                GuardWake::Redeliver as u8,
            );
        }
    }

    /// A call slot at the topic that stands for a wake-up, with a request of its own that no client waits
    /// for (freed with the slot).
    fn alloc_marker(&mut self, q: u32) -> u32 {
        let req = self.alloc_req(crate::sim::world::Req {
            issued_ns: self.now,
            refs: 0,
            measured: false,
            resolved: true,
            attempt: 0,
        });
        self.alloc_call(req, NONE, q, NONE, 0)
    }

    /// Hands partition `p`'s next message to the group's member for it, if the partition is free, the
    /// group is not paused and the member has a free worker; else the partition waits for that worker.
    fn try_deliver(&mut self, q: u32, g: u32, p: u32) {
        let now = self.now;
        let Some(t) = topic_of(self, q) else { return };
        let grp = &t.groups[g as usize];
        let gp = grp.parts[p as usize];
        if grp.paused_until_ns > now
            || grp.members == 0
            || gp.inflight != NONE
            || gp.next >= t.parts[p as usize].end()
        {
            return;
        }
        let (consumer, member) = (grp.consumer, p % grp.members);
        let node = &mut self.nodes[consumer as usize];
        let free = member < node.active
            && node
                .instances
                .get(member as usize)
                .is_some_and(|i| i.busy < node.workers && i.queue.is_empty());
        if free {
            node.touch(now);
            node.instances[member as usize].busy += 1;
            node.busy += 1;
            self.topic_deliver(q, g, p, member);
        } else if let Some(t) = topic_of(self, q) {
            let grp = &mut t.groups[g as usize];
            if !grp.parts[p as usize].waiting {
                grp.parts[p as usize].waiting = true;
                grp.waiting[member as usize].push_back(p);
            }
        }
    }

    /// Sends partition `p`'s next message to member `inst`, whose worker is reserved for it.
    fn topic_deliver(&mut self, q: u32, g: u32, p: u32, inst: u32) {
        let now = self.now;
        let vis_ns = self.nodes[q as usize]
            .beh
            .queue()
            .and_then(|b| b.vis.as_ref())
            .map(|v| v.timeout_ns);
        let Some(t) = topic_of(self, q) else { return };
        let grp = &t.groups[g as usize];
        let (consumer, edge) = (grp.consumer, grp.edge);
        let part = &t.parts[p as usize];
        let msg = part.log[(grp.parts[p as usize].next - part.base) as usize];
        let m = self.calls[msg as usize];
        let d = self.alloc_call(m.req, NONE, q, NONE, m.class);
        self.calls[d as usize].arrive_ns = m.arrive_ns;
        let Some(t) = topic_of(self, q) else { return };
        t.slots.insert(
            d,
            Slot::Delivery {
                group: g,
                part: p,
                current: true,
                timer: vis_ns.is_some(),
                answered: false,
            },
        );
        let grp = &mut t.groups[g as usize];
        grp.parts[p as usize].inflight = d;
        grp.delivered += 1;
        if let Some(v) = vis_ns {
            self.queue
                .push(now + v, Kind::Guard, d, GuardWake::Redeliver as u8);
        }
        let child = self.alloc_call(m.req, d, consumer, edge, m.class);
        self.calls[child as usize].instance = inst as u16;
        self.send(q, child, edge, Kind::ConsumerStart, DotOutcome::Ok);
    }

    /// A free worker of member `inst` of the group reading over `edge` takes a waiting partition's next
    /// message; false if none waits. The worker is already reserved.
    #[inline(never)]
    pub(crate) fn topic_pull(&mut self, q: u32, edge: u32, inst: u32) -> bool {
        let now = self.now;
        let Some(t) = topic_of(self, q) else {
            return false;
        };
        let Some(g) = t.groups.iter().position(|g| g.edge == edge) else {
            return false;
        };
        let grp = &mut t.groups[g];
        if grp.paused_until_ns > now {
            return false;
        }
        while let Some(p) = grp
            .waiting
            .get_mut(inst as usize)
            .and_then(VecDeque::pop_front)
        {
            let gp = &mut grp.parts[p as usize];
            gp.waiting = false;
            let (next, inflight) = (gp.next, gp.inflight);
            let ready = inflight == NONE
                && grp.members > 0
                && p % grp.members == inst
                && next < t.parts[p as usize].end();
            if ready {
                self.topic_deliver(q, g as u32, p, inst);
                return true;
            }
        }
        false
    }

    /// A consumer answered a delivery: if it is still the partition's, the group's offset moves on (or the
    /// message is handed out again, or dead-lettered after `max_deliveries`) and the partition's next
    /// message goes out. An abandoned delivery finishing is only a side effect (a duplicate, if the
    /// message was finished again since).
    #[inline(never)]
    pub(crate) fn topic_response(&mut self, q: u32, d: u32, outcome: Outcome) {
        let now = self.now;
        let Some(t) = topic_of(self, q) else { return };
        let Some(&Slot::Delivery { group, .. }) = t.slots.get(&d) else {
            return;
        };
        let consumer = t.groups[group as usize].consumer;
        self.check_members(q, group);
        if outcome == Outcome::Ok {
            let req = self.calls[d as usize].req;
            self.side_effect(consumer, req);
        }
        let stored_ns = self.calls[d as usize].arrive_ns;
        let Some(qrt) = self.nodes[q as usize].beh.queue_mut() else {
            return;
        };
        let Some(t) = qrt.topic.as_deref_mut() else {
            return;
        };
        let Some(Slot::Delivery {
            part,
            current,
            timer,
            ..
        }) = t.slots.get(&d).copied()
        else {
            return;
        };
        if timer {
            t.slots.insert(
                d,
                Slot::Delivery {
                    group,
                    part,
                    current: false,
                    timer,
                    answered: true,
                },
            );
        } else {
            t.slots.remove(&d);
        }
        if current {
            t.groups[group as usize].parts[part as usize].inflight = NONE;
            if outcome == Outcome::Ok {
                qrt.lag.record_ns(now - stored_ns);
            }
            self.settle(q, group, part, outcome == Outcome::Ok);
        }
        if !timer {
            self.free_call(d);
        }
    }

    /// The head message of a group's partition was finished (`ok`) or a hand-out of it failed: the offset
    /// moves on, or the message goes out again, or after `max_deliveries` failed hand-outs it is
    /// dead-lettered and skipped.
    fn settle(&mut self, q: u32, g: u32, p: u32, ok: bool) {
        let now = self.now;
        let Some(t) = topic_of(self, q) else { return };
        let max_deliveries = t.max_deliveries;
        let grp = &mut t.groups[g as usize];
        let gp = &mut grp.parts[p as usize];
        let commit = if ok {
            true
        } else {
            gp.attempts += 1;
            if gp.attempts >= max_deliveries {
                grp.dead_lettered += 1;
                true
            } else {
                grp.redelivered += 1;
                false
            }
        };
        if commit {
            let gp = &mut grp.parts[p as usize];
            gp.next += 1;
            gp.attempts = 0;
            let end = t.parts[p as usize].end();
            grp.add_lag(p as usize, false, now, end);
            // Messages every group has read leave the log.
            let min_next = t
                .groups
                .iter()
                .map(|g| g.parts[p as usize].next)
                .min()
                .unwrap_or(0);
            let part = &mut t.parts[p as usize];
            let mut freed = Vec::new();
            while part.base < min_next {
                if let Some(m) = part.log.pop_front() {
                    freed.push(m);
                }
                part.base += 1;
            }
            t.held -= freed.len() as u64;
            let node = &mut self.nodes[q as usize];
            node.touch(now);
            node.queued -= 1;
            for m in freed {
                self.free_call(m);
            }
        }
        self.try_deliver(q, g, p);
    }

    /// A topic slot's timer fired: a rebalance pause ended (the group's partitions go out), or a delivery's
    /// visibility timeout (the message goes out again while its consumer keeps working).
    #[inline(never)]
    pub(crate) fn topic_timer(&mut self, q: u32, d: u32) {
        let now = self.now;
        let Some(t) = topic_of(self, q) else { return };
        match t.slots.get(&d).copied() {
            Some(Slot::Wake { group }) => {
                t.slots.remove(&d);
                let due = t.groups[group as usize].paused_until_ns <= now;
                let n = t.parts.len() as u32;
                self.free_call(d);
                if due {
                    self.check_members(q, group);
                    for p in 0..n {
                        self.try_deliver(q, group, p);
                    }
                }
            }
            Some(Slot::Delivery {
                group,
                part,
                current,
                answered,
                ..
            }) => {
                if answered {
                    t.slots.remove(&d);
                    return self.free_call(d);
                }
                t.slots.insert(
                    d,
                    Slot::Delivery {
                        group,
                        part,
                        current: false,
                        timer: false,
                        answered,
                    },
                );
                if current {
                    t.groups[group as usize].parts[part as usize].inflight = NONE;
                    self.settle(q, group, part, false);
                }
            }
            None => {}
        }
    }
}

impl World {
    /// Is `call` a topic's own slot at node `n` (a delivery or a wake-up, not work of the node's)?
    pub(crate) fn is_topic_slot(&self, n: usize, call: u32) -> bool {
        self.nodes[n]
            .beh
            .queue()
            .and_then(|q| q.topic.as_ref())
            .is_some_and(|t| t.owns(call))
    }
}
