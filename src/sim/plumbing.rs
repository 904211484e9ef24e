//! Plumbing: hops over edges (delivered at once when the latency is the constant 0), animation dots, and
//! the call and request slots.

use super::event::Kind;
use super::snapshot::{DotOutcome, TransitDot};
use super::world::{Call, MAX_DOTS, Outcome, Req, World};

impl World {
    /// Schedules `kind` for `call` after the edge's latency, sampled from the sender's stream.
    /// A hop over an edge whose latency is the constant 0 is delivered at once, without an event: same
    /// result, half the events for the theory scenarios and benchmarks.
    #[inline(always)]
    pub(crate) fn send(&mut self, sender: u32, call: u32, edge: u32, kind: Kind, dot: DotOutcome) {
        if self.ext_on() && self.ext_send(sender, call, edge, kind) {
            return;
        }
        let e = &mut self.edges[edge as usize];
        e.bucket_sends += 1;
        if e.zero_latency {
            return self.deliver(kind, call, 0);
        }
        let lat = e.hop_ns(&mut self.nodes[sender as usize].rng);
        self.sample_dot(edge, false, lat, dot);
        self.queue.push(self.now + lat, kind, call, 0);
    }

    #[inline(always)]
    pub(super) fn send_back(
        &mut self,
        sender: u32,
        call: u32,
        edge: u32,
        kind: Kind,
        outcome: Outcome,
        dot: DotOutcome,
    ) {
        if self.ext_on() && self.ext_send_back(sender, call, edge, kind, outcome) {
            return;
        }
        if self.edges[edge as usize].zero_latency {
            return self.deliver(kind, call, outcome as u8);
        }
        let lat = self.edges[edge as usize].hop_ns(&mut self.nodes[sender as usize].rng);
        self.sample_dot(edge, true, lat, dot);
        self.queue.push(self.now + lat, kind, call, outcome as u8);
    }

    #[inline(always)]
    fn deliver(&mut self, kind: Kind, a: u32, outcome: u8) {
        match kind {
            Kind::Arrive => self.arrive(a),
            Kind::Response => self.response(a, Outcome::from_u8(outcome)),
            Kind::ClientResponse => self.client_response(a, Outcome::from_u8(outcome)),
            Kind::ConsumerStart => self.consumer_start(a),
            Kind::ClientNext
            | Kind::Done
            | Kind::Timeout
            | Kind::WarmupEnd
            | Kind::Fault
            | Kind::Tick
            | Kind::Retry
            | Kind::Guard => unreachable!("only hops are sent over edges"),
        }
    }

    #[inline]
    pub(crate) fn sample_dot(&mut self, edge: u32, response: bool, lat: u64, outcome: DotOutcome) {
        if !self.dots_on {
            return;
        }
        self.dot_counter = self.dot_counter.wrapping_add(1);
        if !self.dot_counter.is_multiple_of(8) && outcome == DotOutcome::Ok {
            return;
        }
        if self.dots.len() >= MAX_DOTS {
            self.dots.pop_front();
        }
        self.dots.push_back(TransitDot {
            edge: edge as usize,
            response,
            depart_ns: self.now,
            arrive_ns: self.now + lat.max(1),
            outcome,
        });
    }

    #[inline(always)]
    pub(crate) fn alloc_req(&mut self, r: Req) -> u32 {
        if let Some(i) = self.free_reqs.pop() {
            self.reqs[i as usize] = r;
            i
        } else {
            self.reqs.push(r);
            (self.reqs.len() - 1) as u32
        }
    }

    /// Drops the client's hold on a request.
    #[inline(always)]
    pub(super) fn release_req(&mut self, req: u32) {
        let r = &mut self.reqs[req as usize];
        r.refs -= 1;
        if r.refs == 0 {
            self.free_reqs.push(req);
        }
    }

    #[inline(always)]
    pub(crate) fn alloc_call(
        &mut self,
        req: u32,
        parent: u32,
        node: u32,
        via_edge: u32,
        class: u8,
    ) -> u32 {
        self.reqs[req as usize].refs += 1;
        let c = Call {
            req,
            parent,
            node,
            via_edge,
            arrive_ns: self.now,
            class,
            instance: 0,
            step: 0,
        };
        if let Some(i) = self.free_calls.pop() {
            self.calls[i as usize] = c;
            i
        } else {
            self.calls.push(c);
            (self.calls.len() - 1) as u32
        }
    }

    #[inline(always)]
    pub(crate) fn free_call(&mut self, call: u32) {
        let req = self.calls[call as usize].req;
        self.free_calls.push(call);
        self.release_req(req);
    }
}
