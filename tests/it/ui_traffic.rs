//! UI tests (egui_kittest) of a client's traffic rows in the inspector (`src/ui/traffic_ui.rs`): the "Load
//! over time" picker (Diurnal, Steps, Ramp) and "Closed loop" in the Arrivals picker, chosen and edited as
//! a person would, end up in the design, and the client's label on the canvas says so.
#![cfg(feature = "gui")]

use archsim::model::{Arrival, Dist, NodeKind, Profile};
use archsim::ui::{Command, Selection};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::common::ui::{H, apply, harness, set_duration, wait_until_idle};

const SHOP: &str = r#"(
    nodes: [
        (id: "shoppers", kind: Client(rate_rps: 100), pos: (0.0, 0.0)),
        (id: "shop", kind: Service(), pos: (250.0, 0.0)),
    ],
    edges: [(from: "shoppers", to: "shop")],
)"#;

/// The two-node shop with its client selected.
fn open_shop() -> H {
    let mut h = harness();
    apply(
        &mut h,
        Command::OpenText {
            name: "shop.ron".into(),
            text: SHOP.into(),
        },
    );
    apply(&mut h, Command::Select(Selection::node("shoppers")));
    h
}

fn client(h: &H) -> archsim::model::ClientParams {
    match &h
        .state()
        .scenario()
        .node("shoppers")
        .expect("the client")
        .kind
    {
        NodeKind::Client(c) => c.clone(),
        k => panic!("a {}, not a client", k.tag().as_str()),
    }
}

/// Every piece of text painted in the last frame (the canvas's labels are painted, not in the
/// accessibility tree).
fn painted(h: &H) -> Vec<String> {
    fn walk(s: &egui::Shape, out: &mut Vec<String>) {
        match s {
            egui::Shape::Text(t) => out.push(t.galley.text().to_owned()),
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in &h.output().shapes {
        walk(&c.shape, &mut out);
    }
    out
}

fn shows(h: &H, text: &str) -> bool {
    painted(h).iter().any(|t| t == text)
}

/// Opens the combo box labelled `combo` and picks `item`.
fn pick(h: &mut H, combo: &str, item: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    h.run_steps(2);
    h.get_by_label(item).click();
    h.run_steps(3);
}

/// Types `value` into the number field labelled `label` and presses Enter. The pointer rests on the
/// field first: a label's tooltip where the pointer last was could cover it.
fn type_into(h: &mut H, label: &str, value: &str) {
    h.get_by_role_and_label(Role::SpinButton, label).hover();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, label).click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::SpinButton, label)
        .type_text(value);
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
}

#[test]
fn load_over_time_picks_a_diurnal_steps_or_ramp_profile_and_edits_it() {
    let mut h = open_shop();
    assert_eq!(client(&h).profile, None);
    assert!(shows(&h, "100/s Poisson"), "{:?}", painted(&h));
    // Diurnal: the picker's default day, then its peak-to-trough typed in.
    pick(&mut h, "Load over time", "diurnal");
    assert_eq!(
        client(&h).profile,
        Some(Profile::Diurnal {
            period_s: 60.0,
            peak_to_trough: 3.5,
            peak_at_s: 40.0
        })
    );
    assert!(shows(&h, "diurnal x3.5"), "{:?}", painted(&h));
    type_into(&mut h, "  peak / trough", "5");
    assert!(
        matches!(client(&h).profile, Some(Profile::Diurnal { peak_to_trough, .. }) if peak_to_trough == 5.0),
        "{:?}",
        client(&h).profile
    );
    assert!(shows(&h, "diurnal x5"), "{:?}", painted(&h));
    // Steps: two steps, 3x from 30 s and back to 1x at 60 s; one more step added.
    pick(&mut h, "Load over time", "steps");
    assert_eq!(
        client(&h).profile,
        Some(Profile::Steps(vec![(30.0, 3.0), (60.0, 1.0)]))
    );
    assert!(shows(&h, "steps to x3"), "{:?}", painted(&h));
    h.get_by_label("+ step").click();
    h.run_steps(3);
    assert_eq!(
        client(&h).profile,
        Some(Profile::Steps(vec![(30.0, 3.0), (60.0, 1.0), (90.0, 1.0)]))
    );
    // Ramp: 1x to 4x over 60 s, its end typed in.
    pick(&mut h, "Load over time", "ramp");
    assert!(shows(&h, "ramp x1-4"), "{:?}", painted(&h));
    type_into(&mut h, "  to", "6");
    assert!(
        matches!(client(&h).profile, Some(Profile::Ramp { from, to, .. }) if from == 1.0 && to == 6.0),
        "{:?}",
        client(&h).profile
    );
    assert!(shows(&h, "ramp x1-6"), "{:?}", painted(&h));
    // Back to a constant rate: no profile.
    pick(&mut h, "Load over time", "constant");
    assert_eq!(client(&h).profile, None);
    assert!(shows(&h, "100/s Poisson"), "{:?}", painted(&h));
}

#[test]
fn closed_loop_in_the_arrivals_picker_makes_users_that_think() {
    let mut h = open_shop();
    // A profile first: closed-loop users have no rate to shape, so switching drops it.
    pick(&mut h, "Load over time", "diurnal");
    assert!(client(&h).profile.is_some());
    pick(&mut h, "Arrivals", "Closed loop");
    assert_eq!(
        client(&h).arrival,
        Arrival::ClosedLoop {
            users: 50,
            think_time_ms: Dist::Exponential { mean: 1000.0 }
        }
    );
    assert_eq!(client(&h).profile, None);
    assert!(h.query_by_label("Load over time").is_none());
    assert!(shows(&h, "50 users"), "{:?}", painted(&h));
    type_into(&mut h, "  users", "200");
    assert!(
        matches!(client(&h).arrival, Arrival::ClosedLoop { users: 200, .. }),
        "{:?}",
        client(&h).arrival
    );
    assert!(shows(&h, "200 users"), "{:?}", painted(&h));
    // Saved with the design.
    let saved = archsim::model::to_string(h.state().scenario());
    let again = archsim::model::from_str(&saved, "saved").unwrap();
    assert_eq!(again.nodes[0].kind, h.state().scenario().nodes[0].kind);
    assert!(saved.contains("users: 200"), "{saved}");
}

/// The Stress window's "At the profile's peak" switch, shown only for a design with a load profile,
/// sweeps it with every profiled client at its peak rate, as `archsim sweep --at-peak` does.
#[test]
fn the_stress_windows_peak_switch_sweeps_a_profiled_design_at_its_peak() {
    let mut h = harness();
    h.run_steps(2);
    h.get_by_label("Stress test…").click();
    h.run_steps(3);
    assert!(h.state().stress().open);
    assert!(h.query_by_label("At the profile's peak").is_none());
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("notification_diurnal".into()))),
    );
    set_duration(&mut h, 10.0);
    h.run_steps(3);
    {
        let f = &mut h.state_mut().stress_mut().form;
        f.kind = archsim::ui::SweepKind::Load;
        f.load_start = 1.0;
        f.load_end = 1.0;
        f.points = 1;
        f.replications = 1;
    }
    let sweep = |h: &mut H| {
        h.get_by_role_and_label(Role::Button, "Run sweep").click();
        h.run_steps(1);
        wait_until_idle(h);
        let p = &h.state().stress().outcome().expect("a sweep").result.points[0];
        let sender = p.nodes.iter().find(|n| n.id == "sender").unwrap();
        (p.offered_rps.mean, sender.utilization.mean)
    };
    // Off: the first 10 s of the compressed day, below its average of 150/s; the sender is not saturated.
    let (offered, busy) = sweep(&mut h);
    assert!(offered < 200.0 && busy < 0.9, "{offered}/s, sender {busy}");
    h.get_by_label("At the profile's peak").click();
    h.run_steps(2);
    assert!(h.state().stress().form.at_peak);
    // On: 233.3/s throughout (2 x 3.5 / 4.5 x 150), which saturates the sender.
    let (offered, busy) = sweep(&mut h);
    assert!(
        (offered - 233.3).abs() < 0.05 * 233.3 && busy > 0.97,
        "{offered}/s, sender {busy}"
    );
}
