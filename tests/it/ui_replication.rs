//! UI test (egui_kittest) of replication lag as a user meets it: open the theory scenario, run it, and read
//! the stale share in the results panel (the CLI's line).
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness_of};
use archsim::ui::{App, Command, RunState};
use egui_kittest::kittest::Queryable;

fn run_to_end(h: &mut H) {
    apply(h, Command::SetSpeed(f64::INFINITY));
    apply(h, Command::Restart);
    apply(h, Command::Run);
    for _ in 0..20_000 {
        h.run_steps(1);
        if h.state().runner().state == RunState::Finished {
            break;
        }
    }
    assert_eq!(h.state().runner().state, RunState::Finished);
}

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
}
