//! UI tests (egui_kittest) of the call-pattern rows: a service's "Calls" picker and an edge's "Calls per
//! request" and "Hedge", changed in the inspector as a person would, end up in the design (and so in the
//! saved file and the next run).
#![cfg(feature = "gui")]

use archsim::model::{CallPattern, HedgeAfter, NodeKind};
use archsim::ui::{Command, Selection};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::common::ui::{H, apply, harness};

const FEED: &str = r#"(
    nodes: [
        (id: "users", kind: Client(rate_rps: 100), pos: (0.0, 0.0)),
        (id: "feed", kind: Service(), pos: (250.0, 0.0)),
        (id: "posts", kind: Service(), pos: (500.0, -100.0)),
        (id: "ads", kind: Service(), pos: (500.0, 100.0)),
    ],
    edges: [(from: "users", to: "feed"), (from: "feed", to: "posts"), (from: "feed", to: "ads")],
)"#;

fn open_feed() -> H {
    let mut h = harness();
    apply(
        &mut h,
        Command::OpenText {
            name: "feed.ron".into(),
            text: FEED.into(),
        },
    );
    assert_eq!(h.state().scenario().nodes.len(), 4);
    h
}

fn calls_of(h: &H, id: &str) -> CallPattern {
    let n = h.state().scenario().nodes.iter().find(|n| n.id == id);
    match n.map(|n| &n.kind) {
        Some(NodeKind::Service(p)) => p.calls,
        other => panic!("{id} is not a service: {other:?}"),
    }
}

#[test]
fn the_calls_picker_makes_a_service_fan_out_in_parallel_and_first_k() {
    let mut h = open_feed();
    apply(&mut h, Command::Select(Selection::node("feed")));
    assert_eq!(calls_of(&h, "feed"), CallPattern::Sequential);
    // The picker shows the current pattern; open it and choose.
    let picker = |h: &H| {
        h.get_by_role_and_label(Role::ComboBox, "Calls")
            .value()
            .unwrap_or_default()
    };
    assert_eq!(picker(&h), "Sequential");
    h.get_by_role_and_label(Role::ComboBox, "Calls").click();
    h.run_steps(2);
    h.get_by_label("Parallel (all)").click();
    h.run_steps(2);
    assert_eq!(calls_of(&h, "feed"), CallPattern::Parallel);
    assert_eq!(picker(&h), "Parallel (all)");
    h.get_by_role_and_label(Role::ComboBox, "Calls").click();
    h.run_steps(2);
    h.get_by_label("First k").click();
    h.run_steps(2);
    assert_eq!(calls_of(&h, "feed"), CallPattern::FirstOf(1));
    // The k field appears beside the picker.
    let k = h.get_by_role_and_label(Role::SpinButton, "Calls");
    assert_eq!(k.value().as_deref(), Some("k = 1"), "{k:?}");
    // One undo step puts the pattern back as it was.
    apply(&mut h, Command::Undo);
    assert_ne!(calls_of(&h, "feed"), CallPattern::FirstOf(1));
}

#[test]
fn an_edges_repeats_and_hedge_are_set_in_its_inspector_and_saved() {
    let mut h = open_feed();
    apply(&mut h, Command::Select(Selection::edge("feed", "posts")));
    let edge = |h: &H| {
        h.state()
            .scenario()
            .edges
            .iter()
            .find(|e| e.from == "feed" && e.to == "posts")
            .cloned()
            .expect("edge")
    };
    assert_eq!((edge(&h).probability, edge(&h).times), (1.0, 1));
    assert!(edge(&h).hedge.is_none());
    // Calls per request: type a number into the field.
    let times = h.get_by_role_and_label(Role::SpinButton, "Calls per request");
    times.click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::SpinButton, "Calls per request")
        .type_text("3");
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert_eq!(edge(&h).times, 3, "calls per request typed in");
    // Hedge on: a second copy after the callee's p95 by default, cancel off.
    h.get_by_role_and_label(Role::CheckBox, "Hedge").click();
    h.run_steps(2);
    let hedge = edge(&h).hedge.expect("hedge on");
    assert_eq!((hedge.after_ms, hedge.cancel), (HedgeAfter::P95, false));
    h.get_by_role_and_label(Role::CheckBox, "  cancel").click();
    h.run_steps(2);
    assert!(edge(&h).hedge.is_some_and(|x| x.cancel), "cancel ticked");
    // Saved with the design (the canvas label is painted, not in the accessibility tree).
    let saved = archsim::model::to_string(h.state().scenario());
    assert!(saved.contains("times: 3"), "{saved}");
    assert!(saved.contains("hedge:"), "{saved}");
}
