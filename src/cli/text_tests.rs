//! The text report's tests: how numbers are written, and a saturated node standing out (or none).

use super::*;
use crate::metrics::RequestCounts;

fn node(id: &str, kind: &str, utilization: f64) -> NodeReport {
    NodeReport {
        id: id.into(),
        kind: kind.into(),
        utilization,
        latency_ms: LatencySummary {
            count: 10,
            p50: 1.5,
            p99: 12.25,
            ..LatencySummary::default()
        },
        ..NodeReport::default()
    }
}

#[test]
fn number_formats() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_000), "1,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(rate(1996.44), "1,996.4");
    assert_eq!(ms(0.5), "0.500");
    assert_eq!(ms(15.06), "15.1");
    assert_eq!(ms(f64::NAN), "-");
    assert_eq!(number(60.0), "60");
    assert_eq!(number(2.5), "2.5");
}

#[test]
fn saturated_node_stands_out_and_busiest_is_named() {
    let r = Report {
        scenario: "Demo".into(),
        requests: RequestCounts {
            offered: 200,
            succeeded: 150,
            rejected: 50,
            ..RequestCounts::default()
        },
        nodes: vec![
            node("users", "client", 0.0),
            node("app", "service", 0.97),
            node("db", "database", 0.4),
        ],
        ..Report::default()
    };
    let text = format_report(&r);
    assert!(text.contains("75.00%") && text.contains("25.00%"), "{text}");
    let app_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("app"))
        .unwrap();
    assert!(app_line.contains("97.0%!"), "{app_line}");
    assert!(
        text.contains("SATURATED (utilization >= 97%, or >= 90% while rejecting): app"),
        "{text}"
    );
    assert!(
        text.contains("Busiest node: app (service) at 97.0% utilization: SATURATED"),
        "{text}"
    );
    // Columns line up: every table row has the `kind` column at the same offset.
    let offsets: Vec<usize> = ["client", "service", "database"]
        .iter()
        .map(|k| {
            text.lines()
                .find(|l| l.contains(k))
                .unwrap()
                .find(k)
                .unwrap()
        })
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] == w[1]), "{text}");
}

#[test]
fn calm_system_says_nothing_is_saturated() {
    let r = Report {
        nodes: vec![node("a", "service", 0.3), node("b", "service", 0.3)],
        ..Report::default()
    };
    let text = format_report(&r);
    assert!(
        text.contains("Busiest node: a (service) at 30.0% utilization; no node is saturated"),
        "{text}"
    );
    assert!(!text.contains('!'), "{text}");
    assert!(text.contains("none completed"), "{text}");
}

#[test]
fn replicated_database_shows_its_reads_and_stale_share() {
    let db = NodeReport {
        reads: Some(12_000),
        primary_reads: Some(2_000),
        stale_reads: Some(1_500),
        quorum_errors: Some(3_000),
        ..node("db", "database", 0.2)
    };
    let r = Report {
        nodes: vec![node("users", "client", 0.0), db],
        ..Report::default()
    };
    let text = format_report(&r);
    assert!(
        text.contains("Reads at db: 12,000 (1,500 stale, 12.50%; 2,000 on the primary)"),
        "{text}"
    );
    assert!(
        text.contains("Quorum at db: 3,000 queries refused"),
        "{text}"
    );
    // A quorum has no primary: its reads line says nothing about one.
    let quorum = Report {
        nodes: vec![NodeReport {
            reads: Some(10),
            stale_reads: Some(0),
            ..node("db", "database", 0.2)
        }],
        ..Report::default()
    };
    assert!(
        format_report(&quorum).contains("Reads at db: 10 (0 stale, 0.00%)\n"),
        "{}",
        format_report(&quorum)
    );
    // Without replication there is no such line.
    let plain = Report {
        nodes: vec![node("db", "database", 0.2)],
        ..Report::default()
    };
    assert!(!format_report(&plain).contains("Reads at"));
}
