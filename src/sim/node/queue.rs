//! Message queues: producers are acknowledged once a message is stored; consumers pull when a worker is free.

use super::event::Kind;
use super::snapshot::DotOutcome;
use super::world::{Behaviour, World};

impl World {
    // ---- queues --------------------------------------------------------------------------------------

    /// A stored message goes to a consumer with a free worker, or waits in the backlog.
    pub(crate) fn enqueue_message(&mut self, q: u32, msg: u32) {
        let now = self.now;
        let (k, start) = match &mut self.nodes[q as usize].beh {
            Behaviour::Queue { consumers, rr, .. } => {
                let s = *rr;
                *rr = rr.wrapping_add(1);
                (consumers.len() as u32, s)
            }
            Behaviour::Client(_)
            | Behaviour::Service { .. }
            | Behaviour::Lb { .. }
            | Behaviour::Cache { .. }
            | Behaviour::Database { .. }
            | Behaviour::RateLimiter(_) => return,
        };
        for j in 0..k {
            let (cn, edge) = match &self.nodes[q as usize].beh {
                Behaviour::Queue { consumers, .. } => consumers[((start + j) % k) as usize],
                Behaviour::Client(_)
                | Behaviour::Service { .. }
                | Behaviour::Lb { .. }
                | Behaviour::Cache { .. }
                | Behaviour::Database { .. }
                | Behaviour::RateLimiter(_) => return,
            };
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
        if let Behaviour::Queue { backlog, .. } = &mut node.beh {
            backlog.push_back(msg);
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
        self.send(q, child, edge, Kind::ConsumerStart, DotOutcome::Ok);
    }

    pub(crate) fn consumer_start(&mut self, call: u32) {
        if self.ext_on && self.ext.zombies.remove(&call) {
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
}
