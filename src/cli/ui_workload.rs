//! The desktop app's frame-time workload: 100 nodes at 10,000 requests/s (issue: "with a 100-node scenario
//! simulating 10,000 requests/s, the frame time stays under 16 ms"). Shipped as
//! `benches/workloads/ui100.ron` for `archsim open benches/workloads/ui100.ron --run --frame-stats`.

use crate::model::{ClientParams, Edge, KindTag, Node, NodeKind, Scenario};

/// Where the workload file lives, relative to the repository.
pub const UI100_FILE: &str = "benches/workloads/ui100.ron";

/// One client at 10,000 requests/s, a load balancer, 48 services each calling its own cache in front of one
/// of two databases: 100 nodes, 145 edges.
pub fn hundred_nodes() -> Scenario {
    let mut s = Scenario {
        name: "UI frame-time workload: 100 nodes at 10k req/s".into(),
        description: "The desktop app's frame-time benchmark (docs/benchmarks.md): one client at 10,000 requests/s -> a load balancer -> 48 services, each calling its own cache in front of one of two databases. Default parameters otherwise.".into(),
        duration_s: 600.0,
        ..Scenario::default()
    };
    // Laid out as a readable diagram: 48 service/cache pairs in six columns of eight between the load
    // balancer and the databases.
    let node = |id: String, kind: NodeKind, x: f32, y: f32| Node {
        id,
        kind,
        pos: Some((x, y)),
        zone: None,
    };
    s.nodes.push(node(
        "users".into(),
        NodeKind::Client(ClientParams {
            rate_rps: 10_000.0,
            ..ClientParams::default()
        }),
        0.0,
        420.0,
    ));
    s.nodes.push(node(
        "lb".into(),
        KindTag::LoadBalancer.default_kind(),
        220.0,
        420.0,
    ));
    s.edges.push(Edge::new("users", "lb"));
    for (k, db) in ["db1", "db2"].into_iter().enumerate() {
        s.nodes.push(node(
            db.into(),
            KindTag::Database.default_kind(),
            2500.0,
            260.0 + 320.0 * k as f32,
        ));
    }
    for i in 0..48 {
        let (svc, cache) = (format!("svc{i}"), format!("cache{i}"));
        let x = 480.0 + 340.0 * (i / 8) as f32;
        let y = 110.0 * (i % 8) as f32;
        s.nodes
            .push(node(svc.clone(), KindTag::Service.default_kind(), x, y));
        s.nodes.push(node(
            cache.clone(),
            KindTag::Cache.default_kind(),
            x + 160.0,
            y,
        ));
        s.edges.push(Edge::new("lb", svc.clone()));
        s.edges.push(Edge::new(svc, cache.clone()));
        s.edges
            .push(Edge::new(cache, if i % 2 == 0 { "db1" } else { "db2" }));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    /// `ARCHSIM_WRITE_WORKLOADS=1 cargo test ui100` rewrites the file after a change here.
    #[test]
    fn ui100_file_matches_the_code_and_is_valid() {
        let s = hundred_nodes();
        assert_eq!(s.nodes.len(), 100);
        assert!(model::validate(&s).is_empty(), "{:?}", model::validate(&s));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(UI100_FILE);
        if std::env::var_os("ARCHSIM_WRITE_WORKLOADS").is_some() {
            let header = "// The desktop app's frame-time workload. Generated from src/cli/ui_workload.rs: edit there, then\n// ARCHSIM_WRITE_WORKLOADS=1 cargo test ui100\n";
            std::fs::write(&path, header.to_owned() + &model::to_string(&s) + "\n").unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            model::from_str(&text, UI100_FILE).unwrap(),
            s,
            "{UI100_FILE} is out of date"
        );
    }
}
