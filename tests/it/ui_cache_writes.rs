//! UI test (egui_kittest) of the cache-consistency lesson as a user meets it: open the preset, run it, read
//! the stale reads in the results, pick write-behind in the cache's inspector, run again, see the lost
//! writes of the crash; and the quorum preset's CAP choice in the store's inspector.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, database, harness_of, run_to_end};
use archsim::model::{NodeKind, WritePolicy};
use archsim::ui::{App, Command, Selection};
use egui_kittest::kittest::Queryable;

fn cache_counts(h: &H) -> (Option<u64>, Option<u64>) {
    let r = h.state().runner();
    let i = r.node_index("cache").unwrap();
    let n = &r.report.as_ref().unwrap().nodes[i];
    (n.stale_reads, n.lost_writes)
}

fn policy(h: &H) -> Option<WritePolicy> {
    match &h.state().scenario().node("cache").unwrap().kind {
        NodeKind::Cache(c) => c.writes.as_ref().map(|w| w.policy.clone()),
        _ => None,
    }
}

#[test]
fn the_cache_preset_shows_stale_reads_then_write_behind_loses_writes_in_the_crash() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("cache_consistency".into()))),
    );
    run_to_end(&mut h);
    let (stale, lost) = cache_counts(&h);
    assert!(stale.unwrap() > 100 && lost.is_none(), "{stale:?} {lost:?}");
    h.get_by_label("Results").click();
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("Cache writes at cache")
            .next()
            .is_some()
    );
    apply(&mut h, Command::Select(Selection::node("cache")));
    h.run_steps(2);
    assert_eq!(policy(&h), Some(WritePolicy::CacheAside));
    h.get_by_label("Write policy").click();
    h.run_steps(2);
    h.get_by_label("write-behind").click();
    h.run_steps(3);
    assert!(
        matches!(policy(&h), Some(WritePolicy::WriteBehind(_))),
        "{:?}",
        policy(&h)
    );
    h.get_by_label("  flush every");
    h.get_by_label("  batch size");
    run_to_end(&mut h);
    let (_, lost) = cache_counts(&h);
    assert!(lost.unwrap() > 50, "{lost:?}");
    let live = h.state().runner().snapshot.as_ref().unwrap().nodes
        [h.state().runner().node_index("cache").unwrap()]
    .lost_writes;
    assert_eq!(Some(live), lost, "the badge's count is the report's");
}

/// The quorum preset's CAP choice is one pick in the store's inspector.
#[test]
fn the_quorum_store_switches_from_refuse_to_serve_reachable_in_the_inspector() {
    use archsim::model::OnPartition;
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("quorum_partition".into()))),
    );
    apply(&mut h, Command::Select(Selection::node("store")));
    h.run_steps(2);
    let choice = |h: &H| {
        database(h, "store")
            .replication
            .as_ref()
            .and_then(|r| r.quorum.as_ref())
            .map(|q| q.on_partition)
    };
    assert_eq!(choice(&h), Some(OnPartition::Refuse));
    h.get_by_label("Quorum");
    h.get_by_label("On partition").click();
    h.run_steps(2);
    h.get_by_label("serve reachable (AP)").click();
    h.run_steps(3);
    assert_eq!(choice(&h), Some(OnPartition::ServeReachable));
}
