//! Message queues: a producer's call is acknowledged once the message is stored (after the ack latency);
//! stored messages go to a consumer service with a free worker, or wait in the backlog until a consumer's
//! worker comes free and pulls one. A full backlog turns the producer's call away. A consumer's finished
//! message records the queue's lag (store to done).
//!
//! With a visibility timeout the queue delivers at least once: a message its consumer has not finished
//! within the timeout of being handed out is stored again as a copy for the next free consumer, while the
//! first consumer keeps working on it (abandoned, not cancelled); after `max_deliveries` hand-outs an
//! unfinished message is dead-lettered instead. Each finished copy is a side effect at its consumer, so a
//! redelivered message finished twice is a duplicate there (`idem.rs`).

use std::collections::BTreeMap;

use std::collections::VecDeque;

use super::{Behaviour, BuildCtx, Built};
use crate::metrics::Latency;
use crate::model::QueueParams;
use crate::sim::event::{GuardWake, Kind};
use crate::sim::sampler::{Sampler, SimRng};
use crate::sim::snapshot::DotOutcome;
use crate::sim::world::{Call, NONE, Outcome, World};

/// A queue's compiled parameters and its backlog.
#[derive(Clone, Debug)]
pub(crate) struct QueueRt {
    pub ack: Sampler,
    /// Stored messages (call slots), oldest first; `NodeRt::queued` mirrors its length.
    pub backlog: VecDeque<u32>,
    pub capacity: u32,
    /// Consumers (service node, edge index), in edge order.
    pub consumers: Vec<(u32, u32)>,
    pub rr: u32,
    /// Time from store to a consumer's success.
    pub lag: Latency,
    /// Messages whose consumer failed.
    pub lost: u64,
    /// At-least-once delivery, if the queue has a visibility timeout.
    pub vis: Option<Box<Visibility>>,
    /// The partitioned log, if the queue is a topic (then `backlog` stays empty).
    pub topic: Option<Box<super::topic::TopicRt>>,
}

/// A visibility timeout, the hand-outs of the messages it watches and its counters (since the warm-up).
#[derive(Clone, Debug)]
pub(crate) struct Visibility {
    pub timeout_ns: u64,
    pub max_deliveries: u32,
    /// Per stored message or copy (call slot): its hand-out state.
    msgs: BTreeMap<u32, Handout>,
    /// Copies stored again after a timeout.
    pub redelivered: u64,
    /// Messages given up after `max_deliveries` hand-outs.
    pub dead_lettered: u64,
}

/// One message copy's progress.
#[derive(Clone, Copy, Debug, Default)]
struct Handout {
    /// Hand-outs of the message so far, this copy's included.
    deliveries: u32,
    /// The consumer service it was handed to.
    consumer: u32,
    /// Its visibility timer is pending (the slot must outlive it).
    timer: bool,
    /// Its consumer has answered.
    answered: bool,
}

impl Visibility {
    fn new(p: &QueueParams) -> Option<Box<Self>> {
        p.visibility_timeout_ms.map(|v| {
            Box::new(Self {
                timeout_ns: crate::sim::sampler::to_ns(v * 1e6).max(1),
                max_deliveries: p.max_deliveries,
                msgs: BTreeMap::new(),
                redelivered: 0,
                dead_lettered: 0,
            })
        })
    }

    /// Messages and copies watched (memory check in the tests).
    #[cfg(test)]
    pub(crate) fn watched(&self) -> usize {
        self.msgs.len()
    }
}

/// Compiles a queue: its consumers are the services its edges lead to.
pub(super) fn build<'a>(p: &QueueParams, id: &str, ctx: &BuildCtx) -> Built<'a> {
    let consumers = ctx
        .s
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.from == id)
        .map(|(i, e)| (ctx.index(&e.to), i as u32))
        .collect::<Vec<_>>();
    let topic = p
        .topic
        .as_ref()
        .map(|t| super::topic::TopicRt::new(t, p.max_deliveries, &consumers));
    Built::without_workers(Behaviour::Queue(QueueRt {
        ack: Sampler::new(&p.ack_latency_ms),
        backlog: VecDeque::new(),
        capacity: p.capacity,
        consumers,
        rr: 0,
        lag: Latency::precise(),
        lost: 0,
        vis: Visibility::new(p),
        topic,
    }))
}

impl QueueRt {
    /// A producer's message arrives: it is stored (its `Done`) after this ack latency, ns.
    #[inline]
    pub(super) fn ack_ns(&self, rng: &mut SimRng) -> u64 {
        self.ack.sample(rng)
    }

    /// Takes an edited ack latency and capacity; stored messages stay.
    pub(super) fn take_params(&mut self, g: QueueRt) {
        self.ack = g.ack;
        self.capacity = g.capacity;
        if let (Some(v), Some(n)) = (self.vis.as_mut(), g.vis) {
            v.timeout_ns = n.timeout_ns;
            v.max_deliveries = n.max_deliveries;
        }
    }
}

/// The ack latency is over: the message is stored (a copy of the call outlives it) and the producer
/// acknowledged, or the backlog is full and the producer turned away.
#[inline]
pub(super) fn done(w: &mut World, call: u32, c: Call) {
    if w.nodes[c.node as usize]
        .beh
        .queue()
        .is_some_and(|q| q.topic.is_some())
    {
        return w.topic_append(call, c);
    }
    let full = w.nodes[c.node as usize]
        .beh
        .queue()
        .is_some_and(|q| q.backlog.len() >= q.capacity as usize);
    if full {
        w.reject(call);
    } else {
        let msg = w.store_message(c, w.now, 0);
        w.respond(call, Outcome::Ok);
        w.enqueue_message(c.node, msg);
    }
}

/// A consumer finished a message: its lag is recorded (or it is lost) and the message freed (under a
/// visibility timeout: once its timer has fired too).
#[inline]
pub(super) fn response(w: &mut World, parent: u32, p: Call, outcome: Outcome) {
    if w.nodes[p.node as usize]
        .beh
        .queue()
        .is_some_and(|q| q.topic.is_some())
    {
        return w.topic_response(p.node, parent, outcome);
    }
    let now = w.now;
    let mut keep = false;
    let mut effect_at = NONE;
    if let Some(q) = w.nodes[p.node as usize].beh.queue_mut() {
        if outcome == Outcome::Ok {
            q.lag.record_ns(now - p.arrive_ns);
        } else {
            q.lost += 1;
        }
        if let Some(h) = q.vis.as_mut().and_then(|v| v.msgs.get_mut(&parent)) {
            h.answered = true;
            keep = h.timer;
            if outcome == Outcome::Ok {
                effect_at = h.consumer;
            }
            if !keep {
                q.vis.as_mut().map(|v| v.msgs.remove(&parent));
            }
        }
    }
    if effect_at != NONE {
        w.side_effect(effect_at, p.req);
    }
    if !keep {
        w.free_call(parent);
    }
}

impl World {
    /// Stores a message of `of`'s request and class at `of`'s queue: a call slot of its own, stored at
    /// `stored_ns` (the first store's time for a redelivered copy, so its lag counts from there), and, under
    /// a visibility timeout, its hand-out state with the `deliveries` made so far. The caller enqueues it.
    fn store_message(&mut self, of: Call, stored_ns: u64, deliveries: u32) -> u32 {
        let msg = self.alloc_call(of.req, NONE, of.node, NONE, of.class);
        self.calls[msg as usize].arrive_ns = stored_ns;
        if let Some(v) = self.nodes[of.node as usize]
            .beh
            .queue_mut()
            .and_then(|q| q.vis.as_mut())
        {
            v.msgs.insert(
                msg,
                Handout {
                    deliveries,
                    ..Default::default()
                },
            );
        }
        msg
    }

    /// A stored message goes to a consumer with a free worker, or waits in the backlog.
    pub(crate) fn enqueue_message(&mut self, q: u32, msg: u32) {
        let now = self.now;
        let Some(qrt) = self.nodes[q as usize].beh.queue_mut() else {
            return;
        };
        let start = qrt.rr;
        qrt.rr = qrt.rr.wrapping_add(1);
        let k = qrt.consumers.len() as u32;
        for j in 0..k {
            let Some(qrt) = self.nodes[q as usize].beh.queue() else {
                return;
            };
            let (cn, edge) = qrt.consumers[((start + j) % k) as usize];
            let node = &self.nodes[cn as usize];
            let free = node
                .instances
                .iter()
                .take(node.active as usize) // replicas retired by a live scale-down take nothing new
                .position(|i| i.busy < node.workers && i.queue.is_empty());
            if let Some(inst) = free {
                let node = &mut self.nodes[cn as usize];
                node.touch(now);
                node.instances[inst].busy += 1;
                node.busy += 1;
                self.deliver_message(q, msg, cn, inst as u32, edge);
                return;
            }
        }
        let node = &mut self.nodes[q as usize];
        node.touch(now);
        if let Some(qrt) = node.beh.queue_mut() {
            qrt.backlog.push_back(msg);
            node.queued += 1;
        }
        let len = node.queue_len();
        if len > node.stats.max_queue {
            node.stats.max_queue = len;
        }
    }

    /// Hands a message to a consumer worker already reserved for it (`busy` counted).
    pub(crate) fn deliver_message(
        &mut self,
        q: u32,
        msg: u32,
        consumer: u32,
        inst: u32,
        edge: u32,
    ) {
        let m = self.calls[msg as usize];
        let child = self.alloc_call(m.req, msg, consumer, edge, m.class);
        self.calls[child as usize].instance = inst as u16;
        let now = self.now;
        if let Some(v) = self.nodes[q as usize]
            .beh
            .queue_mut()
            .and_then(|b| b.vis.as_mut())
            && let Some(h) = v.msgs.get_mut(&msg)
        {
            h.deliveries += 1;
            h.consumer = consumer;
            h.timer = true;
            let at = now + v.timeout_ns;
            self.queue
                .push(at, Kind::Guard, msg, GuardWake::Redeliver as u8);
        }
        self.send(q, child, edge, Kind::ConsumerStart, DotOutcome::Ok);
    }

    /// A message copy's visibility timeout ended: freed if its consumer answered, else stored again as a
    /// new copy (or dead-lettered after `max_deliveries` hand-outs) while the consumer keeps working.
    pub(crate) fn visibility_due(&mut self, msg: u32) {
        let m = self.calls[msg as usize];
        if self.nodes[m.node as usize]
            .beh
            .queue()
            .is_some_and(|q| q.topic.is_some())
        {
            return self.topic_timer(m.node, msg);
        }
        let Some(v) = self.nodes[m.node as usize]
            .beh
            .queue_mut()
            .and_then(|b| b.vis.as_mut())
        else {
            return;
        };
        let Some(h) = v.msgs.get_mut(&msg) else {
            return;
        };
        h.timer = false;
        let h = *h;
        if h.answered {
            v.msgs.remove(&msg);
            return self.free_call(msg);
        }
        if h.deliveries >= v.max_deliveries {
            v.dead_lettered += 1;
            return;
        }
        v.redelivered += 1;
        let copy = self.store_message(m, m.arrive_ns, h.deliveries);
        self.enqueue_message(m.node, copy);
    }

    pub(crate) fn consumer_start(&mut self, call: u32) {
        if self.ext_on() && self.ext.zombies.remove(&call) {
            // Its consumer crashed while the message was on its way.
            self.free_call(call);
            return;
        }
        let now = self.now;
        let c = &mut self.calls[call as usize];
        c.arrive_ns = now;
        let node = &mut self.nodes[c.node as usize];
        node.touch(now);
        node.in_sys += 1;
        node.stats.arrivals += 1;
        self.start_work(call);
    }

    /// Gives a free worker of a consumer service a message from one of its queues; false if none waits.
    /// Always inlined: `release_worker`'s FIFO path had it inlined, and its other callers (the LIFO and
    /// priority path, `fill_free_workers`) made the compiler stop doing so.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn pull_message(&mut self, n: u32, inst: u32) -> bool {
        let now = self.now;
        let sources = self.nodes[n as usize]
            .beh
            .service()
            .map_or(0, |s| s.sources.len());
        for k in 0..sources {
            let Some(s) = self.nodes[n as usize].beh.service() else {
                return false;
            };
            let (q, edge) = s.sources[k];
            let qn = &mut self.nodes[q as usize];
            qn.touch(now);
            let Some(b) = qn.beh.queue_mut() else {
                continue;
            };
            if b.topic.is_some() {
                if self.topic_pull(q, edge, inst) {
                    return true;
                }
                continue;
            }
            let msg = b.backlog.pop_front();
            if let Some(msg) = msg {
                qn.queued -= 1;
                self.deliver_message(q, msg, n, inst, edge);
                return true;
            }
        }
        false
    }
}
