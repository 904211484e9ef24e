//! The sentences a report gives about a node beyond its table row (side effects, stale reads, conflicts,
//! refusals), written once so the text report and the app's results panel say the same thing; each face
//! only decides how to show a line's tone.

use super::NodeReport;

/// How a line should stand out: a count that is a problem in itself (a double charge, a lost write, a
/// stale read) is `Bad`, with `strong` for the ones a design must not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Informational.
    Plain,
    /// Something went wrong on this run.
    Bad {
        /// Draw it heavier: a correctness failure, not only a degraded figure.
        strong: bool,
    },
}

/// One sentence about a node, with its tone.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeLine {
    /// The sentence, e.g. "Side effects at charges: 2,680 (227 duplicates)".
    pub text: String,
    /// How it should stand out.
    pub tone: Tone,
}

/// An integer with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The node's extra lines, in a fixed order; none for a node without the options that produce them.
pub fn node_lines(n: &NodeReport) -> Vec<NodeLine> {
    let mut out = Vec::new();
    let mut push = |text: String, tone: Tone| out.push(NodeLine { text, tone });
    if let (Some(w), Some(c)) = (n.writes, n.conflicts) {
        push(
            format!(
                "Optimistic writes at {}: {} ({} conflicts, {} committed)",
                n.id,
                thousands(w),
                thousands(c),
                thousands(w.saturating_sub(c))
            ),
            Tone::Plain,
        );
    }
    if let (Some(s), Some(d)) = (n.side_effects, n.duplicates) {
        let dedup = n.deduplicated.map_or(String::new(), |k| {
            format!(", {} deduplicated by key", thousands(k))
        });
        push(
            format!(
                "Side effects at {}: {} ({} duplicates{dedup})",
                n.id,
                thousands(s),
                thousands(d)
            ),
            if d > 0 {
                Tone::Bad { strong: true }
            } else {
                Tone::Plain
            },
        );
    }
    if n.kind == "cache"
        && let Some(w) = n.writes
    {
        let stale = match (n.reads, n.stale_reads) {
            (Some(r), Some(st)) if r > 0 => format!(
                "; {} of {} reads stale ({:.2}%)",
                thousands(st),
                thousands(r),
                st as f64 / r as f64 * 100.0
            ),
            _ => String::new(),
        };
        let lost = n.lost_writes.map_or(String::new(), |l| {
            format!("; {} lost in crashes", thousands(l))
        });
        let lost_any = n.lost_writes.is_some_and(|l| l > 0);
        push(
            format!(
                "Cache writes at {}: {} acknowledged{stale}{lost}",
                n.id,
                thousands(w)
            ),
            if lost_any {
                Tone::Bad { strong: true }
            } else {
                Tone::Plain
            },
        );
    }
    if n.kind == "database"
        && let (Some(r), Some(s)) = (n.reads, n.stale_reads)
    {
        let primary = n.primary_reads.map_or(String::new(), |p| {
            format!("; {} on the primary", thousands(p))
        });
        push(
            format!(
                "Reads at {}: {} ({} stale, {:.2}%{primary})",
                n.id,
                thousands(r),
                thousands(s),
                100.0 * s as f64 / r.max(1) as f64,
            ),
            if s > 0 {
                Tone::Bad { strong: false }
            } else {
                Tone::Plain
            },
        );
    }
    if let Some(q) = n.quorum_errors {
        push(
            format!(
                "Quorum at {}: {} queries refused (fewer than R or W replicas reachable)",
                n.id,
                thousands(q)
            ),
            Tone::Plain,
        );
    }
    if let Some(t) = &n.topic {
        topic_lines(&n.id, t, &mut push);
    }
    if let Some(g) = &n.gateway {
        gateway_lines(&n.id, g, &mut push);
    }
    if let Some(h) = &n.health {
        health_lines(&n.id, h, &mut push);
    }
    if let (Some(r), Some(d)) = (n.redelivered, n.dead_lettered) {
        push(
            format!(
                "Redeliveries at {}: {} ({} dead-lettered)",
                n.id,
                thousands(r),
                thousands(d)
            ),
            Tone::Plain,
        );
    }
    out
}

/// A balancer's health changes: each backend marked down (traffic moved off it), and when it came back.
fn health_lines(id: &str, h: &[super::HealthChange], push: &mut impl FnMut(String, Tone)) {
    for (i, c) in h.iter().enumerate().filter(|(_, c)| !c.up) {
        let back = h[i + 1..]
            .iter()
            .find(|u| u.up && u.backend == c.backend)
            .map_or(", still down at the end".to_owned(), |u| {
                format!(", back in rotation at {:.1} s", u.at_s)
            });
        push(
            format!(
                "Health checks at {id} marked {} down at {:.1} s and moved its traffic to the others{back}",
                c.backend, c.at_s
            ),
            Tone::Bad { strong: false },
        );
    }
}

/// A gateway's authentications and routes, then its per-key 429s (the keys most throttled named) and any
/// request no route carried.
fn gateway_lines(id: &str, g: &super::GatewayReport, push: &mut impl FnMut(String, Tone)) {
    let cached = g.auth_cache_hits.map_or(String::new(), |c| {
        format!(" ({} from the auth cache)", thousands(c))
    });
    let routes: Vec<String> = g
        .routed
        .iter()
        .map(|r| format!("{} {}", r.backend, thousands(r.requests)))
        .collect();
    push(
        format!(
            "Gateway {id}: {} authenticated{cached}; routed: {}",
            thousands(g.authenticated),
            if routes.is_empty() {
                "none".to_owned()
            } else {
                routes.join(", ")
            }
        ),
        Tone::Plain,
    );
    if g.rate_limited > 0 {
        let top: Vec<String> = g
            .top_throttled
            .iter()
            .map(|k| format!("key {} ({})", k.key, thousands(k.rate_limited)))
            .collect();
        push(
            format!(
                "Per-key limit at {id}: {} requests answered 429, over {} key{}; most throttled: {}",
                thousands(g.rate_limited),
                thousands(g.keys_throttled),
                if g.keys_throttled == 1 { "" } else { "s" },
                top.join(", ")
            ),
            Tone::Bad { strong: false },
        );
    }
    if g.unrouted > 0 {
        push(
            format!(
                "Unrouted at {id}: {} requests failed, no outgoing edge carries their class (a 404)",
                thousands(g.unrouted)
            ),
            Tone::Bad { strong: false },
        );
    }
}

/// A topic's hottest partition, then a line per consumer group: its lag (and whether it drained after its
/// peak), rebalances, redeliveries, dead letters and idle members.
fn topic_lines(id: &str, t: &super::TopicReport, push: &mut impl FnMut(String, Tone)) {
    let n = t.partitions.len();
    if let Some(h) = t.partitions.get(t.hottest_partition as usize)
        && n > 1
    {
        let hot = h.share > 2.0 / n as f64;
        push(
            format!(
                "Topic {id}: {n} partitions; the hottest, #{}, takes {:.1}% of the messages ({:.0}/s){}",
                h.partition,
                100.0 * h.share,
                h.rate_rps,
                if hot {
                    ": a hot key; one consumer reads a partition, so more consumers will not help"
                } else {
                    ""
                }
            ),
            if hot {
                Tone::Bad { strong: false }
            } else {
                Tone::Plain
            },
        );
    }
    for g in &t.groups {
        let drained = match g.drained_at_s {
            Some(d) if g.max_lag > 100 => format!(", caught up at {d:.1} s"),
            _ => String::new(),
        };
        let mut extra = Vec::new();
        if g.rebalances > 0 {
            extra.push(format!(
                "{} rebalance{}",
                thousands(g.rebalances),
                if g.rebalances == 1 { "" } else { "s" }
            ));
        }
        if g.redelivered > 0 {
            extra.push(format!("{} redelivered", thousands(g.redelivered)));
        }
        if g.dead_lettered > 0 {
            extra.push(format!("{} dead-lettered", thousands(g.dead_lettered)));
        }
        if g.idle_members > 0 {
            extra.push(format!(
                "{} of {} consumers idle (more consumers than partitions)",
                g.idle_members, g.members
            ));
        }
        let behind = g.lag > 100 && g.drained_at_s.is_none();
        push(
            format!(
                "Group {} on {id}: lag {} at the end (peak {} at {:.1} s{drained}){}{}",
                g.consumer,
                thousands(g.lag),
                thousands(g.max_lag),
                g.max_lag_at_s,
                if extra.is_empty() { "" } else { "; " },
                extra.join(", ")
            ),
            if g.dead_lettered > 0 || behind {
                Tone::Bad { strong: behind }
            } else {
                Tone::Plain
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_double_charge_is_a_strong_bad_line_and_none_is_plain() {
        let mut n = NodeReport {
            id: "charges".into(),
            kind: "database".into(),
            side_effects: Some(2680),
            duplicates: Some(227),
            ..NodeReport::default()
        };
        let lines = node_lines(&n);
        assert_eq!(lines.len(), 1);
        assert_eq!(
            lines[0].text,
            "Side effects at charges: 2,680 (227 duplicates)"
        );
        assert_eq!(lines[0].tone, Tone::Bad { strong: true });
        n.duplicates = Some(0);
        n.deduplicated = Some(227);
        let lines = node_lines(&n);
        assert_eq!(
            lines[0].text,
            "Side effects at charges: 2,680 (0 duplicates, 227 deduplicated by key)"
        );
        assert_eq!(lines[0].tone, Tone::Plain);
        assert!(node_lines(&NodeReport::default()).is_empty());
    }
}
