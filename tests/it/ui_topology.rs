//! UI test (egui_kittest) of zones and regions as a user meets them: add a topology from the scenario
//! panel, place a node in a zone, add a region and see its measured latency, schedule a region outage, and
//! read the failover in the two-region preset's results.
#![cfg(feature = "gui")]

use crate::common::ui::{apply, harness_of, run_to_end};
use archsim::model::FaultKind;
use archsim::ui::{App, Command, Selection};
use egui_kittest::kittest::Queryable;

#[test]
fn a_design_gets_zones_and_regions_from_the_inspector() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("url_shortener".into()))),
    );
    apply(&mut h, Command::Select(Selection::default()));
    h.run_steps(2);
    assert!(h.state().scenario().topology.is_none());
    h.get_by_label("Zones and regions").click();
    h.run_steps(2);
    h.get_by_label("Add zones and regions").click();
    h.run_steps(3);
    let t = h.state().scenario().topology.clone().expect("a topology");
    assert_eq!(t.regions[0].name, "us-east-1");
    assert_eq!(t.regions[0].zones, ["us-east-1a", "us-east-1b"]);
    // A second region, named after a cloud region: its measured latency shows (half of 87.0 ms).
    h.get_by_label("+ region").click();
    h.run_steps(3);
    let t = h.state().scenario().topology.clone().unwrap();
    assert_eq!(t.regions[1].name, "us-west-2");
    h.get_by_label("us-east-1 to us-west-2");
    assert_eq!(t.region_ms("us-east-1", "us-west-2"), 43.5);
    // A region outage, scheduled from the same panel (the outage picker starts on the first region).
    h.get_by_label("Schedule").click();
    h.run_steps(3);
    let f = &h.state().scenario().faults;
    assert!(
        f.iter()
            .any(|f| f.kind == FaultKind::Outage && f.target == "us-east-1"),
        "{f:?}"
    );
    // A node's zone is picked in its panel.
    let id = h.state().scenario().nodes[1].id.clone();
    apply(&mut h, Command::Select(Selection::node(&id)));
    h.run_steps(2);
    h.get_by_label("Zone").click();
    h.run_steps(2);
    h.get_by_label("us-east-1b · us-east-1").click();
    h.run_steps(3);
    assert_eq!(
        h.state().scenario().node(&id).unwrap().zone.as_deref(),
        Some("us-east-1b")
    );
}

#[test]
fn the_two_region_preset_shows_the_failover_in_its_results() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset(
            "two_region_active_passive".into(),
        ))),
    );
    run_to_end(&mut h);
    h.get_by_label("Results").click();
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("Health checks at dns marked east_lb down at 70.0 s")
            .next()
            .is_some()
    );
}
