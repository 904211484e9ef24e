//! Time series in fixed-width buckets with bounded memory.

/// Most buckets kept. When full, neighbours are merged pairwise and the width doubles, so memory stays flat
/// however long the run (1 s buckets up to 2048 s, then 2 s, 4 s...).
pub const MAX_BUCKETS: usize = 2048;

/// One node's numbers in one bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NodeBucket {
    /// Time-averaged utilization.
    pub utilization: f32,
    /// Time-averaged queue length.
    pub queue_len: f32,
    /// Completions.
    pub completed: u32,
    /// p99 of the node's own latency, ms (NaN when nothing completed).
    pub p99_ms: f32,
    /// Reads answered stale (a cache with a write path, a replicated database; 0 elsewhere).
    pub stale_reads: u32,
    /// Duplicate side effects (a node that counts side effects; 0 elsewhere).
    pub duplicates: u32,
}

/// End-to-end numbers in one bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bucket {
    /// Requests issued.
    pub offered: u32,
    /// Successful responses.
    pub succeeded: u32,
    /// Errors.
    pub failed: u32,
    /// Timeouts.
    pub timed_out: u32,
    /// Rejections.
    pub rejected: u32,
    /// Retries sent.
    pub retries: u32,
    /// Rate-limited (429).
    pub rate_limited: u32,
    /// Latency percentiles of successes, ms (NaN when none).
    pub p50_ms: f32,
    /// 95th percentile.
    pub p95_ms: f32,
    /// 99th percentile.
    pub p99_ms: f32,
    /// Per node.
    pub nodes: Vec<NodeBucket>,
    /// Sends per edge.
    pub edge_sends: Vec<u32>,
}

/// Closed buckets, oldest first.
#[derive(Clone, Debug)]
pub struct Series {
    width_ns: u64,
    buckets: Vec<Bucket>,
}

impl Series {
    /// An empty series with `width_ns` buckets.
    pub fn new(width_ns: u64) -> Self {
        Self {
            width_ns,
            buckets: Vec::new(),
        }
    }

    /// Current bucket width, ns.
    pub fn width_ns(&self) -> u64 {
        self.width_ns
    }

    /// Closed buckets.
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// Appends a closed bucket of the current width; coarsens when full. Returns true if the width doubled
    /// (the caller's next bucket must then be twice as wide).
    pub fn push(&mut self, b: Bucket) -> bool {
        self.buckets.push(b);
        if self.buckets.len() < MAX_BUCKETS {
            return false;
        }
        let old = std::mem::take(&mut self.buckets);
        let mut it = old.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => self.buckets.push(merge(a, b)),
                None => self.buckets.push(a),
            }
        }
        self.width_ns *= 2;
        true
    }
}

/// Counters add and utilizations average exactly; a merged percentile is the larger of the two, an upper
/// bound (percentiles of a union cannot be recovered from percentiles of the parts).
fn merge(a: Bucket, b: Bucket) -> Bucket {
    let fmax = |x: f32, y: f32| {
        if x.is_nan() {
            y
        } else if y.is_nan() {
            x
        } else {
            x.max(y)
        }
    };
    Bucket {
        offered: a.offered + b.offered,
        succeeded: a.succeeded + b.succeeded,
        failed: a.failed + b.failed,
        timed_out: a.timed_out + b.timed_out,
        rejected: a.rejected + b.rejected,
        retries: a.retries + b.retries,
        rate_limited: a.rate_limited + b.rate_limited,
        p50_ms: fmax(a.p50_ms, b.p50_ms),
        p95_ms: fmax(a.p95_ms, b.p95_ms),
        p99_ms: fmax(a.p99_ms, b.p99_ms),
        nodes: a
            .nodes
            .iter()
            .zip(&b.nodes)
            .map(|(x, y)| NodeBucket {
                utilization: (x.utilization + y.utilization) / 2.0,
                queue_len: (x.queue_len + y.queue_len) / 2.0,
                completed: x.completed + y.completed,
                p99_ms: fmax(x.p99_ms, y.p99_ms),
                stale_reads: x.stale_reads + y.stale_reads,
                duplicates: x.duplicates + y.duplicates,
            })
            .collect(),
        edge_sends: a
            .edge_sends
            .iter()
            .zip(&b.edge_sends)
            .map(|(x, y)| x + y)
            .collect(),
    }
}
