//! UI test (egui_kittest) of replication lag as a user meets it: open the theory scenario, run it, read the
//! stale share in the results panel (the CLI's line), tick Read-your-writes in the database's inspector,
//! run again, see almost none.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, database, harness_of, run_to_end};
use archsim::ui::{App, Command, Selection};
use egui_kittest::kittest::Queryable;

#[test]
fn the_results_panel_shows_the_stale_reads() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::Open(
            "scenarios/theory/replication_lag.ron".into(),
        ))),
    );
    run_to_end(&mut h);
    let r = h.state().runner();
    let db = r.node_index("db").unwrap();
    let stale = r.report.as_ref().unwrap().nodes[db].stale_reads.unwrap();
    assert!(stale > 20_000, "{stale}");
    h.get_by_label("Results").click();
    h.run_steps(3);
    // The reads line, with the 1 - e^-0.2 share.
    assert!(
        h.query_all_by_label_contains("Reads at db: ")
            .next()
            .is_some()
    );
    assert!(h.query_all_by_label_contains("stale, 18.").next().is_some());
    // Read-your-writes for 1 s (the lag): the reads that would be stale go to the primary.
    apply(&mut h, Command::Select(Selection::node("db")));
    h.get_by_label("Read-your-writes").click();
    h.run_steps(3);
    let ryw = |h: &H| {
        database(h, "db")
            .replication
            .as_ref()
            .unwrap()
            .read_your_writes_ms
    };
    assert_eq!(ryw(&h), Some(1000.0));
    h.get_by_label("  window");
    h.get_by_label("Replicated keys");
    h.get_by_label("Replication lag");
    run_to_end(&mut h);
    let r = h.state().runner();
    let db = &r.report.as_ref().unwrap().nodes[r.node_index("db").unwrap()];
    let (reads, stale) = (db.reads.unwrap(), db.stale_reads.unwrap());
    assert!(stale * 500 < reads, "{stale} of {reads}");
    assert!(db.primary_reads.unwrap() > reads / 10);
}

/// A database without replication gets it from the inspector's Options row, then a quorum sized to its
/// instances, and its Faults section then offers a Split (a partition between the replicas).
#[test]
fn replication_and_a_quorum_are_switched_on_in_the_inspector() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(&mut h, Command::Select(Selection::node("db")));
    h.run_steps(2);
    let repl = |h: &H| database(h, "db").replication.clone();
    assert_eq!(repl(&h), None);
    assert!(h.query_by_label("Replicated keys").is_none());
    // The database's optional machinery is one "Options" menu of switches.
    h.get_by_label("Options").click();
    h.run_steps(2);
    h.get_by_label("Replicated").click();
    h.run_steps(3);
    assert!(h.query_by_label("Options").is_some());
    assert_eq!(repl(&h).unwrap().quorum, None);
    h.get_by_label("Replicated keys");
    h.get_by_label("Replication lag");
    // The picker stays open while its switches are ticked; a second click on it closes it.
    h.get_by_label("Options").click();
    h.run_steps(2);
    h.get_by_label("Quorum").click();
    h.run_steps(3);
    // The preset's database has 2 read replicas: a quorum of 3, majorities of 2.
    let q = repl(&h).unwrap().quorum.unwrap();
    assert_eq!((q.n, q.r, q.w), (3, 2, 2));
    assert!(archsim::model::ensure_valid(h.state().scenario()).is_ok());
    h.get_by_label("Quorum R");
    h.get_by_label("Faults").click();
    h.run_steps(2);
    h.get_by_label("kind").click();
    h.run_steps(2);
    h.get_by_label("Split");
}
