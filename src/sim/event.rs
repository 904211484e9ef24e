//! The future-event list: a binary heap ordered by `(time, seq)`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an event. The payload `a` is a call, request or node index depending on the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// A client issues its next request (`a` = node).
    ClientNext,
    /// A call reaches its node (`a` = call).
    Arrive,
    /// A node finishes its own work on a call (`a` = call).
    Done,
    /// A child's response reaches the parent call (`a` = parent call, `outcome`).
    Response,
    /// A response reaches the client (`a` = request, `outcome`).
    ClientResponse,
    /// A client's timeout for a request expires (`a` = request).
    Timeout,
    /// A pulled message reaches the consumer worker reserved for it (`a` = call).
    ConsumerStart,
    /// The warm-up ends: summary statistics restart.
    WarmupEnd,
}

/// A scheduled event. Ordered by time, then by the order it was scheduled (its `seq`).
#[derive(Clone, Copy, Debug)]
pub struct Event {
    time_ns: u64,
    /// Scheduling order: breaks ties between events at the same time.
    seq: u64,
    /// Index payload.
    pub a: u32,
    /// Event kind.
    pub kind: Kind,
    /// Outcome carried by responses.
    pub outcome: u8,
}

impl Event {
    /// When it happens, ns.
    #[inline]
    pub fn time_ns(&self) -> u64 {
        self.time_ns
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.time_ns == other.time_ns && self.seq == other.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so `BinaryHeap` (a max-heap) pops the earliest first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time_ns, other.seq).cmp(&(self.time_ns, self.seq))
    }
}

/// Pending events.
#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Event>,
    seq: u64,
}

impl EventQueue {
    /// Schedules an event.
    #[inline]
    pub fn push(&mut self, time_ns: u64, kind: Kind, a: u32, outcome: u8) {
        let seq = self.seq;
        self.seq += 1;
        self.heap.push(Event {
            time_ns,
            seq,
            a,
            kind,
            outcome,
        });
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(Event::time_ns)
    }

    /// Removes the earliest event if it is due at or before `until_ns`.
    #[inline]
    pub fn pop_until(&mut self, until_ns: u64) -> Option<Event> {
        match self.heap.peek() {
            Some(top) if top.time_ns <= until_ns => self.heap.pop(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(5, Kind::Arrive, 1, 0);
        q.push(3, Kind::Arrive, 2, 0);
        q.push(5, Kind::Arrive, 3, 0);
        q.push(3, Kind::Arrive, 4, 0);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop_until(u64::MAX).map(|e| e.a)).collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }
}
