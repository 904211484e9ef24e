//! Statistics bookkeeping: the end of the warm-up and the closing of time-series buckets.

use super::world::World;

impl World {
    pub(crate) fn warmup_end(&mut self) {
        let now = self.now;
        for node in &mut self.nodes {
            node.touch(now);
            let s = &mut node.stats;
            s.warm = [s.area_busy, s.area_queue, s.area_sys];
            s.arrivals = 0;
            s.completed = 0;
            s.rejected = 0;
            s.failed = 0;
            s.retries = 0;
            s.latency.reset();
            s.max_queue = node.queued as u64;
            if let Some(g) = node.beh.gateway_mut() {
                g.warmup_end();
            }
            if let Some(q) = node.beh.queue_mut() {
                q.lag.reset();
                q.lost = 0;
                if let Some(v) = q.vis.as_mut() {
                    v.redelivered = 0;
                    v.dead_lettered = 0;
                }
                node.stats.max_queue = q.backlog.len() as u64;
                if let Some(t) = q.topic.as_mut() {
                    t.warmup_end(now);
                    node.stats.max_queue = node.queued as u64;
                }
            }
        }
        for e in &mut self.edges {
            e.sends_warm = e.sends_total + e.bucket_sends as u64;
            if let Some(g) = e.guard.as_mut() {
                g.warmup_end(now);
            }
        }
        if self.idem.on {
            self.idem.warmup_end();
        }
        if self.ext_on() {
            self.occ_warmup_end();
            self.scale_warmup_end();
            self.fans_warmup_end();
            self.shards_warmup_end();
            self.cache_writes_warmup_end();
            self.repl_warmup_end();
        }
    }

    /// Closes the bucket ending at `bucket_end_ns` and opens the next.
    pub(crate) fn close_bucket(&mut self) {
        let end = self.bucket_end_ns;
        let width = self.series.width_ns();
        let w = width as f64;
        for (i, node) in self.nodes.iter_mut().enumerate() {
            node.touch(end);
            let cap = node.capacity() as f64;
            let s = &mut node.stats;
            let nb = &mut self.bucket.nodes[i];
            nb.utilization = if cap > 0.0 {
                ((s.area_busy - s.bucket0[0]) / w / cap).min(1.0) as f32
            } else {
                0.0
            };
            nb.queue_len = ((s.area_queue - s.bucket0[1]) / w) as f32;
            nb.completed = s.bucket_completed;
            nb.p99_ms = s.bucket_latency.quantile_ms(0.99) as f32;
            s.bucket0 = [s.area_busy, s.area_queue];
            s.bucket_completed = 0;
            s.bucket_latency.reset();
        }
        for (i, e) in self.edges.iter_mut().enumerate() {
            self.bucket.edge_sends[i] = e.bucket_sends;
            e.sends_total += e.bucket_sends as u64;
            e.bucket_sends = 0;
        }
        self.bucket.p50_ms = self.bucket_latency.quantile_ms(0.5) as f32;
        self.bucket.p95_ms = self.bucket_latency.quantile_ms(0.95) as f32;
        self.bucket.p99_ms = self.bucket_latency.quantile_ms(0.99) as f32;
        self.bucket_latency.reset();
        let fresh = super::metrics_bucket(self.nodes.len(), self.edges.len());
        let closed = std::mem::replace(&mut self.bucket, fresh);
        let coarsened = self.series.push(closed);
        for node in &mut self.nodes {
            if let Some(t) = node.beh.queue_mut().and_then(|q| q.topic.as_mut()) {
                t.sample_lag(coarsened);
            }
        }
        self.bucket_end_ns = end + self.series.width_ns();
    }
}
