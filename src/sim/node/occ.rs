//! Optimistic concurrency control on a database's writes: a write is a transaction the caller runs, a read
//! of the row's version, the answer's trip back over the edge and the conditional write's trip out, then a
//! write that commits only if the row's version has not moved since the read; otherwise it fails with a
//! conflict (and the client's retry policy may try again). This is the model of Brooker's "Exponential
//! Backoff And Jitter" experiment. Its state lives in the optional machinery (`ext`), so databases without it
//! pay nothing.

use crate::model::Optimistic;
use crate::sim::event::Kind;
use crate::sim::sampler::unit;
use crate::sim::snapshot::DotOutcome;
use crate::sim::world::{Outcome, World};

/// One database's optimistic-concurrency state.
#[derive(Clone, Debug, Default)]
pub(crate) struct Occ {
    /// Committed version of each row.
    version: Vec<u64>,
    /// Per call slot: the row its transaction read and the version it saw.
    seen: Vec<(u32, u64)>,
    /// Conditional writes tried, and those that failed on a conflict (since the warm-up).
    pub writes: u64,
    pub conflicts: u64,
    /// The class indices a transaction's call carries while it reads and while it writes: two extra
    /// entries of the database's `is_write` table (a read, a write), so the engine samples each query's
    /// time as usual and the phase costs the hot path nothing.
    read_class: u8,
    write_class: u8,
}

impl Occ {
    /// `classes` is the number of request classes; the two phase classes come after them.
    pub(crate) fn new(p: &Optimistic, classes: usize) -> Self {
        Self {
            version: vec![0; p.rows.max(1) as usize],
            read_class: classes.min(253) as u8,
            write_class: classes.min(253) as u8 + 1,
            ..Default::default()
        }
    }

    /// The database's `is_write` table with the phase classes appended (the read's, the write's).
    pub(crate) fn phase_table(&self, mut is_write: Vec<bool>) -> Vec<bool> {
        is_write.resize(self.write_class as usize + 1, false);
        is_write[self.read_class as usize] = false;
        is_write[self.write_class as usize] = true;
        is_write
    }
}

/// Where a call stands in an optimistic database.
#[derive(PartialEq)]
enum Phase {
    /// Not a transaction (or not an optimistic database).
    None,
    Read,
    Write,
}

impl World {
    fn phase(&self, call: u32) -> Phase {
        let c = &self.calls[call as usize];
        match &self.ext.occ[c.node as usize] {
            Some(o) if c.class == o.read_class => Phase::Read,
            Some(o) if c.class == o.write_class => Phase::Write,
            _ => Phase::None,
        }
    }

    /// Is this arrival a transaction coming back for its conditional write? (It is already counted at
    /// the node.)
    pub(crate) fn occ_returning(&self, call: u32) -> bool {
        self.phase(call) == Phase::Write
    }

    /// An arrival at an optimistic database: a write starts its transaction with a read on the primary, a
    /// returning transaction queues for its write. False for anything else (reads go on normally).
    #[inline(never)]
    pub(crate) fn occ_arrive(&mut self, call: u32) -> bool {
        let now = self.now;
        let c = self.calls[call as usize];
        let Some(o) = &self.ext.occ[c.node as usize] else {
            return false;
        };
        let read_class = o.read_class;
        let node = &mut self.nodes[c.node as usize];
        if c.class == o.write_class {
            node.touch(now);
            self.admit(call, 0);
            return true;
        }
        let Some(db) = node.beh.database() else {
            return false;
        };
        if !db.is_write[c.class as usize] {
            return false;
        }
        node.touch(now);
        node.in_sys += 1;
        node.stats.arrivals += 1;
        let c = &mut self.calls[call as usize];
        c.arrive_ns = now;
        c.class = read_class;
        self.admit(call, 0);
        true
    }

    /// A query of a transaction finished. After the read, the version goes back to the caller and the
    /// conditional write comes out (two hops over the edge); after the write, it commits or conflicts.
    /// False for other calls.
    #[inline(never)]
    pub(crate) fn occ_done(&mut self, call: u32) -> bool {
        let c = self.calls[call as usize];
        let phase = self.phase(call);
        if phase == Phase::None {
            return false;
        }
        self.release_worker(c.node, c.instance as u32);
        let n = c.node as usize;
        let occ = self.ext.occ[n].as_mut().expect("checked above");
        let write_class = occ.write_class;
        if phase == Phase::Write {
            let (row, seen) = occ.seen[call as usize];
            occ.writes += 1;
            if occ.version[row as usize] == seen {
                occ.version[row as usize] += 1;
                self.respond(call, Outcome::Ok);
            } else {
                occ.conflicts += 1;
                self.nodes[n].stats.failed += 1;
                self.respond(call, Outcome::Failed);
            }
            return true;
        }
        let rows = occ.version.len() as u32;
        let row = if rows == 1 {
            0
        } else {
            ((unit(&mut self.nodes[n].rng) * rows as f64) as u32).min(rows - 1)
        };
        if occ.seen.len() <= call as usize {
            occ.seen.resize(call as usize + 1, (0, 0));
        }
        occ.seen[call as usize] = (row, occ.version[row as usize]);
        let edge = c.via_edge;
        let fx = self.ext.edge[edge as usize];
        if fx.cut > 0 {
            // The version cannot get back to the caller: the transaction fails like any answer into a cut.
            return {
                self.respond(call, Outcome::Failed);
                true
            };
        }
        let e = &self.edges[edge as usize];
        let back = e.hop_ns(&mut self.nodes[n].rng) + fx.add_ns;
        let out = e.hop_ns(&mut self.nodes[n].rng) + fx.add_ns;
        self.edges[edge as usize].bucket_sends += 1;
        self.sample_dot(edge, true, back, DotOutcome::Ok);
        self.calls[call as usize].class = write_class;
        self.queue
            .push(self.now + back + out, Kind::Arrive, call, 0);
        true
    }

    /// The warm-up ended: the counters restart.
    pub(crate) fn occ_warmup_end(&mut self) {
        for o in self.ext.occ.iter_mut().flatten() {
            o.writes = 0;
            o.conflicts = 0;
        }
    }

    /// `(writes, conflicts)` of an optimistic database.
    pub(crate) fn occ_counts(&self, n: usize) -> Option<(u64, u64)> {
        self.ext
            .occ
            .get(n)
            .and_then(Option::as_ref)
            .map(|o| (o.writes, o.conflicts))
    }
}
