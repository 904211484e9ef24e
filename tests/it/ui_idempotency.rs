//! UI test (egui_kittest) of the payment-idempotency lesson as a user meets it: run the preset, see double
//! charges in the results, on the database's badge and in its duplicates chart, tick Idempotency key in the inspector, run again,
//! see none.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, database, harness_of, run_to_end};
use archsim::ui::{App, Command, Selection};
use egui_kittest::kittest::Queryable;

fn charges_duplicates(h: &H) -> (Option<u64>, u64) {
    let r = h.state().runner();
    let i = r.node_index("charges").unwrap();
    let report = r.report.as_ref().unwrap();
    (
        report.nodes[i].duplicates,
        r.snapshot.as_ref().unwrap().nodes[i].duplicates,
    )
}

#[test]
fn the_payment_preset_double_charges_until_the_idempotency_key_is_ticked() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("payment_idempotency".into()))),
    );
    run_to_end(&mut h);
    let (dups, live) = charges_duplicates(&h);
    assert!(dups.unwrap() > 100 && live > 100, "{dups:?} {live}");
    h.get_by_label("Results").click();
    h.run_steps(3);
    h.get_by_label("duplicates");
    assert!(
        h.query_all_by_label_contains("Side effects at charges")
            .next()
            .is_some()
    );
    apply(&mut h, Command::Select(Selection::node("charges")));
    assert!(h.state().scenario().node("charges").is_some());
    // The database's own charts include the duplicates over time; a node that counts none has no such chart.
    h.get_by_label("Charts").click();
    h.run_steps(3);
    h.get_by_label("charges: duplicate side effects");
    apply(&mut h, Command::Select(Selection::node("payment_api")));
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("duplicate side effects")
            .is_none()
    );
    apply(&mut h, Command::Select(Selection::node("charges")));
    h.run_steps(2);
    h.get_by_label("Idempotency key").click();
    h.run_steps(3);
    let keyed = |h: &H| database(h, "charges").idempotency.clone();
    assert_eq!(keyed(&h), Some(archsim::model::Idempotency::default()));
    h.get_by_label("  key TTL");
    run_to_end(&mut h);
    assert_eq!(charges_duplicates(&h), (Some(0), 0));
}

/// Any database can start counting side effects from its Options menu; then its idempotency rows appear.
#[test]
fn side_effects_are_switched_on_from_a_databases_options_menu() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(&mut h, Command::Select(Selection::node("db")));
    h.run_steps(2);
    assert!(h.query_by_label("Idempotency key").is_none());
    h.get_by_label("Options").click();
    h.run_steps(2);
    h.get_by_label("Side effects").click();
    h.run_steps(3);
    assert!(database(&h, "db").side_effects);
    h.get_by_label("Options").click();
    h.run_steps(2);
    h.get_by_label("Idempotency key").click();
    h.run_steps(3);
    assert!(database(&h, "db").idempotency.is_some());
}
