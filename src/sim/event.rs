//! The future-event list: a binary heap ordered by `(time, seq)`, with 16-byte entries.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an event. The payload `a` is a call, request or node index depending on the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// A client issues its next request (`a` = node).
    ClientNext = 0,
    /// A call reaches its node (`a` = call).
    Arrive = 1,
    /// A node finishes its own work on a call (`a` = call).
    Done = 2,
    /// A child's response reaches the parent call (`a` = parent call, `outcome`).
    Response = 3,
    /// A response reaches the client (`a` = request, `outcome`).
    ClientResponse = 4,
    /// A client's timeout for a request expires (`a` = request).
    Timeout = 5,
    /// A pulled message reaches the consumer worker reserved for it (`a` = call).
    ConsumerStart = 6,
    /// The warm-up ends: summary statistics restart.
    WarmupEnd = 7,
    /// A fault starts or ends (`a` = fault index, `outcome` = 0 start, 1 end).
    Fault = 8,
    /// A health check, autoscaler evaluation or autoscaler start (`a` = node, `outcome` = which).
    Tick = 9,
    /// A client's backoff sleep ends: the next attempt goes out (`a` = the attempt's request).
    Retry = 10,
    /// An edge call's timeout expires (`outcome` 0) or its backoff sleep ends (1) (`a` = attempt stub), or
    /// a hedged call's delay ends (2) (`a` = the hedge's slot).
    Guard = 11,
}

impl Kind {
    #[cfg(test)]
    const ALL: [Kind; 12] = [
        Kind::ClientNext,
        Kind::Arrive,
        Kind::Done,
        Kind::Response,
        Kind::ClientResponse,
        Kind::Timeout,
        Kind::ConsumerStart,
        Kind::WarmupEnd,
        Kind::Fault,
        Kind::Tick,
        Kind::Retry,
        Kind::Guard,
    ];
}

/// What a `Kind::Tick` event does (its two sub-kind bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Tick {
    /// A load balancer's health check (`a` = the balancer).
    Health = 0,
    /// An autoscaler's evaluation (`a` = the service).
    Scale = 1,
    /// Replicas an autoscaler started are ready (`a` = the service).
    ScaleReady = 2,
    /// A client's batch goes out (`a` = the client).
    Batch = 3,
}

impl Tick {
    /// The sub-kind the two bits name: each of the four values is one (no fallback to hide a mistake).
    #[inline]
    pub fn from_bits(bits: u8) -> Self {
        match bits & 3 {
            0 => Tick::Health,
            1 => Tick::Scale,
            2 => Tick::ScaleReady,
            3 => Tick::Batch,
            _ => unreachable!("two bits hold 0 to 3"),
        }
    }
}

/// Which end of a fault a `Kind::Fault` event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FaultEdge {
    /// The fault starts.
    Start = 0,
    /// The fault ends.
    End = 1,
}

impl FaultEdge {
    /// The edge the low bit names.
    #[inline]
    pub fn from_bits(bits: u8) -> Self {
        match bits & 1 {
            0 => FaultEdge::Start,
            1 => FaultEdge::End,
            _ => unreachable!("one bit holds 0 or 1"),
        }
    }
}

/// Why a `Kind::Guard` event wakes an edge call's attempt stub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum GuardWake {
    /// The attempt's per-call timeout expired.
    Timeout = 0,
    /// The backoff sleep before the next attempt ended.
    Backoff = 1,
    /// A hedged call's delay ended: its second copy goes out if no answer came (`a` = the hedge's slot).
    Hedge = 2,
    /// A queue message's visibility timeout ended (`a` = the message's slot): redelivered if unfinished;
    /// at a topic, also the end of a group's rebalance pause (`a` = its wake-up slot, `topic.rs`).
    Redeliver = 3,
}

impl GuardWake {
    /// The wake-up the two bits name.
    #[inline]
    pub fn from_bits(bits: u8) -> Self {
        match bits & 3 {
            0 => GuardWake::Timeout,
            1 => GuardWake::Backoff,
            2 => GuardWake::Hedge,
            3 => GuardWake::Redeliver,
            _ => unreachable!("two bits hold 0 to 3"),
        }
    }
}

/// Bits of the scheduling sequence number kept in an entry. When it would overflow, the pending events are
/// renumbered in order (every 67 million events; with a few thousand pending that takes microseconds).
/// Below it: 4 bits of kind (room for 16 kinds), 2 of outcome, 32 of payload.
const SEQ_BITS: u32 = 26;
const SEQ_SHIFT: u32 = 64 - SEQ_BITS;
const KIND_SHIFT: u32 = 34;
const OUTCOME_SHIFT: u32 = 32;

/// A scheduled event: the time, then `seq | kind | outcome | a` packed in one word with the sequence number
/// on top, so comparing the two words orders by time and then by scheduling order. Sixteen bytes instead of
/// twenty-four make the heap's sift loops markedly faster (the heap is the engine's hottest structure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    time_ns: u64,
    packed: u64,
}

impl Event {
    /// When it happens, ns.
    #[inline]
    pub fn time_ns(&self) -> u64 {
        self.time_ns
    }

    /// Index payload.
    #[inline]
    pub fn a(&self) -> u32 {
        self.packed as u32
    }

    /// Event kind.
    #[inline]
    pub fn kind(&self) -> Kind {
        // A match rather than a table lookup: it compiles to the bits themselves (no load, no bounds check).
        match (self.packed >> KIND_SHIFT) & 15 {
            0 => Kind::ClientNext,
            1 => Kind::Arrive,
            2 => Kind::Done,
            3 => Kind::Response,
            4 => Kind::ClientResponse,
            5 => Kind::Timeout,
            6 => Kind::ConsumerStart,
            7 => Kind::WarmupEnd,
            8 => Kind::Fault,
            9 => Kind::Tick,
            10 => Kind::Retry,
            11 => Kind::Guard,
            // `push` only writes the kinds above; 12 to 15 never occur.
            k => unreachable!("event kind bits {k} name no kind"),
        }
    }

    /// Outcome carried by responses.
    #[inline]
    pub fn outcome(&self) -> u8 {
        ((self.packed >> OUTCOME_SHIFT) & 3) as u8
    }

    #[inline]
    fn seq(&self) -> u64 {
        self.packed >> SEQ_SHIFT
    }

    #[inline]
    fn key(&self) -> u128 {
        ((self.time_ns as u128) << 64) | self.packed as u128
    }
}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so `BinaryHeap` (a max-heap) pops the earliest first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// Pending events. (A four-ary heap was tried: fewer levels, but more unpredictable branches per pop, and
/// slower on the W3 benchmark; std's binary heap with its sift-to-bottom pop stays. So did a hand-written
/// binary heap, plain and Floyd-style: the same instructions, but a quarter more mispredicted branches on W3
/// under callgrind's branch simulator.)
#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Event>,
    seq: u64,
}

impl EventQueue {
    /// Schedules an event. `outcome` must be below 4. Always inlined: out of line it cost a third more (the
    /// handlers push from a dozen places, so the compiler's heuristics kept it out).
    #[inline(always)]
    pub fn push(&mut self, time_ns: u64, kind: Kind, a: u32, outcome: u8) {
        if self.seq >> SEQ_BITS != 0 {
            self.renumber();
        }
        let packed = (self.seq << SEQ_SHIFT)
            | ((kind as u64) << KIND_SHIFT)
            | (((outcome & 3) as u64) << OUTCOME_SHIFT)
            | a as u64;
        self.seq += 1;
        self.heap.push(Event { time_ns, packed });
    }

    /// Gives the pending events the sequence numbers 0..n in their current order, so numbering can go on.
    #[cold]
    fn renumber(&mut self) {
        let mut pending = std::mem::take(&mut self.heap).into_vec();
        pending.sort_unstable_by_key(Event::seq);
        for (i, ev) in pending.iter_mut().enumerate() {
            ev.packed = (ev.packed & ((1u64 << SEQ_SHIFT) - 1)) | ((i as u64) << SEQ_SHIFT);
        }
        self.seq = pending.len() as u64;
        self.heap = BinaryHeap::from(pending);
    }

    /// Every pending event, in no particular order (for the rare scans a crash needs).
    pub fn pending(&self) -> impl Iterator<Item = &Event> {
        self.heap.iter()
    }

    /// Events the heap has room for (the governor's memory estimate).
    pub fn capacity(&self) -> usize {
        self.heap.capacity()
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

    fn drain(q: &mut EventQueue) -> Vec<(u64, u32, Kind, u8)> {
        std::iter::from_fn(|| {
            q.pop_until(u64::MAX)
                .map(|e| (e.time_ns(), e.a(), e.kind(), e.outcome()))
        })
        .collect()
    }

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(5, Kind::Arrive, 1, 0);
        q.push(3, Kind::Arrive, 2, 0);
        q.push(5, Kind::Arrive, 3, 0);
        q.push(3, Kind::Arrive, 4, 0);
        let order: Vec<u32> = drain(&mut q).iter().map(|e| e.1).collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }

    #[test]
    fn pops_in_key_order_against_a_sorted_reference() {
        // A mixed push/pop workload with many ties, checked against a stable sort of what was pushed.
        let mut q = EventQueue::default();
        let mut reference: Vec<(u64, u32)> = Vec::new();
        let mut popped = Vec::new();
        let mut x: u64 = 12345;
        let mut now = 0;
        for i in 0..20_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let t = now + (x >> 58); // 0..63 ahead: plenty of ties
            q.push(t, Kind::Done, i, 0);
            reference.push((t, i));
            if x.is_multiple_of(3) {
                let e = q.pop_until(u64::MAX).unwrap();
                now = e.time_ns();
                popped.push((e.time_ns(), e.a()));
            }
        }
        popped.extend(drain(&mut q).iter().map(|e| (e.0, e.1)));
        // Events pushed after an earlier pop can only be later than it, so the full pop order must equal
        // (time, insertion) order: times never decrease, and ties pop in insertion order.
        assert_eq!(popped.len(), reference.len());
        for w in popped.windows(2) {
            assert!(
                w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1),
                "{w:?}"
            );
        }
    }

    #[test]
    fn payload_round_trips_through_the_packed_word() {
        let mut q = EventQueue::default();
        for (i, k) in Kind::ALL.iter().enumerate() {
            q.push(10 + i as u64, *k, u32::MAX - i as u32, (i % 3) as u8);
        }
        let got = drain(&mut q);
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(
                got[i],
                (10 + i as u64, u32::MAX - i as u32, *k, (i % 3) as u8)
            );
        }
    }

    #[test]
    fn sub_kinds_round_trip_through_their_bits() {
        for t in [Tick::Health, Tick::Scale, Tick::ScaleReady, Tick::Batch] {
            assert_eq!(Tick::from_bits(t as u8), t);
        }
        for f in [FaultEdge::Start, FaultEdge::End] {
            assert_eq!(FaultEdge::from_bits(f as u8), f);
        }
        for g in [
            GuardWake::Timeout,
            GuardWake::Backoff,
            GuardWake::Hedge,
            GuardWake::Redeliver,
        ] {
            assert_eq!(GuardWake::from_bits(g as u8), g);
        }
    }

    #[test]
    fn sequence_overflow_renumbers_without_changing_the_order() {
        let mut q = EventQueue {
            seq: (1 << SEQ_BITS) - 3,
            ..Default::default()
        };
        // Ties at time 7 straddle the overflow: they must still pop in the order they were pushed.
        for a in 0..6 {
            q.push(7, Kind::Done, a, 0);
            q.push(3 + a as u64, Kind::Arrive, 100 + a, 1);
        }
        assert!(q.seq < 16, "renumbered");
        let got = drain(&mut q);
        let at7: Vec<u32> = got.iter().filter(|e| e.0 == 7).map(|e| e.1).collect();
        assert_eq!(at7, vec![0, 1, 2, 3, 4, 104, 5]);
        assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
