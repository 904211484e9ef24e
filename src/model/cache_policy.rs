//! How a cache takes writes: the policy that decides whether the cache or the store sees a write first,
//! and so what a reader can be served afterwards. Without `writes` a cache treats every request as a
//! lookup (the read-through cache of earlier versions, whose reports this keeps byte-identical).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Problem;

/// Longest write-behind flush interval, ms (an hour: longer is a cache that never writes back).
pub const MAX_FLUSH_INTERVAL_MS: f64 = 3_600_000.0;
/// Most writes one write-behind flush query carries.
pub const MAX_BATCH_SIZE: u32 = 100_000;

/// A cache's write path. Defaults: cache-aside, invalidate on write, class `"write"` is a write.
///
/// With a key model (`keys`) each read and write has a key, every key has a version, and the report counts
/// `stale_reads` (a read answered with an older version than the latest acknowledged write of its key)
/// and, for write-behind, `lost_writes` (acknowledged writes a crash of the cache destroyed before they
/// were flushed). Without a key model only the latency and the store's load change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheWrites {
    /// Who sees a write first, the store or the cache.
    pub policy: WritePolicy,
    /// Under `CacheAside`: whether a committed write deletes the cached copy or replaces it.
    pub on_write: OnWrite,
    /// Request classes that are writes; every other class is a read (a lookup).
    pub classes: Vec<String>,
}

impl Default for CacheWrites {
    fn default() -> Self {
        Self {
            policy: WritePolicy::CacheAside,
            on_write: OnWrite::Invalidate,
            classes: vec!["write".into()],
        }
    }
}

/// Where a write goes. Every write first takes a worker for the cache's lookup time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WritePolicy {
    /// The write goes to the store; once it commits the cached copy is invalidated or updated
    /// (`on_write`). A read miss that fetched the old value before the commit and fills after it leaves
    /// that old value cached: the classic cache-aside race.
    CacheAside,
    /// The write goes to the store and, once it commits, the cache holds the new value (it answers after
    /// both).
    WriteThrough,
    /// The write goes to the store only: a cached copy stays as it was until it expires (`ttl_s`) or is
    /// evicted, and reads of it meanwhile are stale.
    WriteAround,
    /// The cache takes the write, answers at once and writes it back to the store later, in batches.
    WriteBehind(WriteBehindParams),
}

/// Parameters of [`WritePolicy::WriteBehind`]. Defaults: flush every second, up to 100 writes per query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriteBehindParams {
    /// Every this many ms, everything written since the last flush goes to the store.
    pub flush_interval_ms: f64,
    /// Writes per flush query: a flush of n writes sends ceil(n / batch_size) queries to the store.
    pub batch_size: u32,
}

/// Write-behind's defaults, one place for `Default` and the pickers' [`WritePolicy::ALL`].
const WRITE_BEHIND_DEFAULT: WriteBehindParams = WriteBehindParams {
    flush_interval_ms: 1_000.0,
    batch_size: 100,
};

impl Default for WriteBehindParams {
    fn default() -> Self {
        WRITE_BEHIND_DEFAULT
    }
}

/// What a committed write does to the cached copy under cache-aside.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnWrite {
    /// Delete it: the next read misses and fetches the new value.
    #[default]
    Invalidate,
    /// Replace it with the written value.
    Update,
}

impl WritePolicy {
    /// Every policy, for pickers (write-behind with its defaults).
    pub const ALL: [WritePolicy; 4] = [
        WritePolicy::CacheAside,
        WritePolicy::WriteThrough,
        WritePolicy::WriteAround,
        WritePolicy::WriteBehind(WRITE_BEHIND_DEFAULT),
    ];

    /// The name a file uses.
    pub fn name(&self) -> &'static str {
        match self {
            WritePolicy::CacheAside => "CacheAside",
            WritePolicy::WriteThrough => "WriteThrough",
            WritePolicy::WriteAround => "WriteAround",
            WritePolicy::WriteBehind(_) => "WriteBehind",
        }
    }

    /// A short label for the canvas and pickers.
    pub fn label(&self) -> &'static str {
        match self {
            WritePolicy::CacheAside => "cache-aside",
            WritePolicy::WriteThrough => "write-through",
            WritePolicy::WriteAround => "write-around",
            WritePolicy::WriteBehind(_) => "write-behind",
        }
    }

    /// One line on what it does, where it is picked.
    pub fn explain(&self) -> &'static str {
        match self {
            WritePolicy::CacheAside => {
                "writes go to the store, then the cached copy is invalidated (or updated)"
            }
            WritePolicy::WriteThrough => "writes go to the store and the cache; answers after both",
            WritePolicy::WriteAround => {
                "writes skip the cache: cached copies stay stale until they expire"
            }
            WritePolicy::WriteBehind(_) => {
                "the cache answers at once and writes back in batches; a crash loses what it held"
            }
        }
    }
}

impl CacheWrites {
    pub(super) fn check(&self, p: &mut Vec<Problem>, place: &str, emitted: &BTreeSet<&str>) {
        if let WritePolicy::WriteBehind(wb) = &self.policy {
            let ms = wb.flush_interval_ms;
            if !(ms.is_finite() && ms > 0.0 && ms <= MAX_FLUSH_INTERVAL_MS) {
                p.push(Problem::new(
                    place,
                    "writes.policy.flush_interval_ms",
                    format!("is {ms}; allowed: > 0 to {MAX_FLUSH_INTERVAL_MS}"),
                ));
            }
            if !(1..=MAX_BATCH_SIZE).contains(&wb.batch_size) {
                p.push(Problem::new(
                    place,
                    "writes.policy.batch_size",
                    format!("is {}; allowed: 1 to {MAX_BATCH_SIZE}", wb.batch_size),
                ));
            }
        }
        if self.classes.is_empty() {
            p.push(Problem::new(
                place,
                "writes.classes",
                "is empty; name the request classes that are writes (e.g. [\"write\"])",
            ));
        }
        for c in &self.classes {
            if !emitted.contains(c.as_str()) {
                p.push(Problem::new(
                    place,
                    "writes.classes",
                    format!(
                        "names class '{c}', which no client sends (known: {})",
                        emitted.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{from_str, validate};

    const PRESET: &str = include_str!("../../scenarios/cache_consistency.ron");

    fn problems(from: &str, to: &str) -> Vec<String> {
        let text = PRESET.replace(from, to);
        assert_ne!(text, PRESET, "{from} not in the preset");
        match from_str(&text, "cache_consistency.ron") {
            Ok(s) => validate(&s).iter().map(|p| p.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn bad_write_paths_name_the_node_field_value_and_range() {
        let p = problems(
            "policy: CacheAside, on_write: Invalidate",
            "policy: WriteBehind(flush_interval_ms: -5.0, batch_size: 0)",
        );
        assert!(
            p.iter().any(|m| m.contains("node 'cache'")
                && m.contains("writes.policy.flush_interval_ms")
                && m.contains("is -5")
                && m.contains("allowed")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("writes.policy.batch_size")
                && m.contains("is 0")
                && m.contains("1 to 100000")),
            "{p:?}"
        );
        let p = problems(
            "on_write: Invalidate",
            "on_write: Invalidate, classes: [\"put\"]",
        );
        assert!(
            p.iter()
                .any(|m| m.contains("writes.classes") && m.contains("'put'")),
            "{p:?}"
        );
        let p = problems("on_write: Invalidate", "on_write: Sometimes");
        assert!(
            p.iter()
                .any(|m| m.contains("cache_consistency.ron:") && m.contains("Sometimes")),
            "{p:?}"
        );
    }
}
