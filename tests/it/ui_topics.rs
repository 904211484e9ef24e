//! UI test (egui_kittest) of topics as a user meets them: a queue becomes a partitioned log from its
//! inspector, and the hot-partition preset's results name the lagging group.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness_of, run_to_end};
use archsim::model::{NodeKind, QueueParams, Topic};
use archsim::ui::{App, Command, Selection};
use egui_kittest::kittest::Queryable;

fn queue<'a>(h: &'a H, id: &str) -> &'a QueueParams {
    match &h.state().scenario().node(id).expect("the node exists").kind {
        NodeKind::Queue(q) => q,
        k => panic!("'{id}' is a {}, not a queue", k.tag().as_str()),
    }
}

#[test]
fn a_queue_becomes_a_partitioned_log_from_its_inspector() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("job_scheduler".into()))),
    );
    apply(&mut h, Command::Select(Selection::node("jobs_queue")));
    h.run_steps(2);
    assert!(h.query_by_label("  partitions").is_none());
    h.get_by_label("Partitioned log").click();
    h.run_steps(3);
    assert_eq!(queue(&h, "jobs_queue").topic, Some(Topic::default()));
    h.get_by_label("  partitions");
    h.get_by_label("  rebalance");
    // Key skew is offered only once messages have keys.
    assert!(h.query_by_label("  key skew").is_none());
    // The run works on the new topic: one group, every job read.
    run_to_end(&mut h);
    let r = h.state().runner().report.as_ref().unwrap();
    let t = r
        .nodes
        .iter()
        .find(|n| n.id == "jobs_queue")
        .and_then(|n| n.topic.as_ref())
        .expect("a topic section");
    assert_eq!(t.partitions.len(), 6);
    assert_eq!(t.groups.len(), 1);
}

#[test]
fn the_hot_partition_preset_names_the_lagging_group_in_the_results() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset(
            "metrics_hot_partition".into(),
        ))),
    );
    run_to_end(&mut h);
    h.get_by_label("Results").click();
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("Group rollup on metrics_log")
            .next()
            .is_some()
    );
    assert!(h.query_all_by_label_contains("a hot key").next().is_some());
    apply(&mut h, Command::Select(Selection::node("metrics_log")));
    h.run_steps(2);
    h.get_by_label("  key skew");
    // The topic's charts include each group's lag.
    h.get_by_label("Charts").click();
    h.run_steps(3);
    h.get_by_label("metrics_log: lag of group rollup");
    h.get_by_label("metrics_log: lag of group alerting");
}
