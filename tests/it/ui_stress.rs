//! UI tests of the stress-test window with egui_kittest: open it from the toolbar, sweep a small
//! scenario in the background, read the table and the explanation, open a point, apply a fix, cancel,
//! compare two variants. The sweeps are tiny (a few points, 5 simulated seconds) so each test takes
//! seconds; waiting is by frames, with a generous cap, never by a wall-clock assertion.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness, set_duration, wait_until_idle};
use archsim::ui::{Command, RunState, StressTab, SweepKind};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn a_load_sweep_finds_the_app_tier_and_its_fix_applies() {
    let mut h = harness();
    h.run_steps(2);
    set_duration(&mut h, 5.0);
    h.get_by_label("Stress test…").click();
    // One frame applies the click, one lays the new window out, one shows it.
    h.run_steps(3);
    assert!(h.state().stress().open);
    {
        let f = &mut h.state_mut().stress_mut().form;
        f.kind = SweepKind::Load;
        f.load_start = 1.0;
        f.load_end = 12.0;
        f.points = 3;
        f.log = false;
        f.replications = 2;
    }
    h.get_by_role_and_label(Role::Button, "Run sweep").click();
    h.run_steps(1);
    assert!(h.state().stress().is_running());
    wait_until_idle(&mut h);
    let o = h.state().stress().outcome().expect("a finished sweep");
    assert_eq!(o.result.points.len(), 3);
    // The URL shortener's app tier saturates between 1x and 12x: the flow model puts it at 6.3x (one
    // app node, 20 ms at 1x -> 16% busy; `archsim sweep url_shortener --load 1:12:3 --replications 2
    // --duration 8` measures app 16% at 1x and 100% at 6.5x and 12x).
    assert_eq!(o.explanation.bottleneck.as_deref(), Some("app"));
    assert_eq!(o.result.analytic_bottleneck.as_deref(), Some("app"));
    assert!(
        o.result.points[0].p99_ms.half_width.is_some(),
        "two replications give an interval"
    );
    // The table names the busiest node, and the overloaded points break the 200 ms SLO or not: at 12x
    // about half the requests are rejected, far above the 0.1% error budget.
    assert!(h.query_all_by_label_contains("app 100%").count() >= 1);
    assert!(h.query_all_by_label("broken").count() >= 1);
    assert!(h.query_all_by_label("met").count() >= 1);
    // The explanation names the same node, with fixes.
    apply(&mut h, Command::ShowStress(StressTab::Explain));
    h.get_by_label("Bottleneck: app");
    let before = h.state().scenario().clone();
    h.query_all_by_label("Apply").next().expect("a fix").click();
    h.run_steps(3);
    // The fixes are sized for the toolbar's load (1x here), so the first one need not touch app; what
    // counts is that Apply changed the design and said what it changed.
    assert_ne!(h.state().scenario(), &before, "the fix changed the design");
    assert!(
        h.state().messages().any(|m| m.starts_with("Applied: ")),
        "Apply says what it changed"
    );
    assert!(h.state().is_dirty());
    // Open the last point: the main view runs it at its load.
    apply(&mut h, Command::ShowStress(StressTab::Sweep));
    let opens: Vec<_> = h.query_all_by_label("Open").collect();
    assert_eq!(opens.len(), 3);
    opens[2].click();
    h.run_steps(2);
    assert_eq!(h.state().runner().state, RunState::Running);
    assert!((h.state().runner().load - 12.0).abs() < 1e-9);
}

#[test]
fn cancel_stops_a_sweep_without_a_result() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::ShowStress(StressTab::Sweep));
    {
        let f = &mut h.state_mut().stress_mut().form;
        f.load_start = 1.0;
        f.load_end = 20.0;
        f.points = 16;
        f.replications = 5;
    }
    h.get_by_role_and_label(Role::Button, "Run sweep").click();
    h.run_steps(2);
    assert!(h.state().stress().is_running());
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    wait_until_idle(&mut h);
    assert!(h.state().stress().outcome().is_none());
    assert_eq!(h.state().stress().status(), Some("Cancelled."));
    h.get_by_label("Cancelled.");
    // The button is back.
    h.get_by_role_and_label(Role::Button, "Run sweep");
}

#[test]
fn compare_one_x_with_ten_x_shows_ten_x_worse() {
    let mut h = harness();
    h.run_steps(2);
    set_duration(&mut h, 5.0);
    apply(&mut h, Command::ShowStress(StressTab::Compare));
    h.state_mut().stress_mut().form.replications = 1;
    h.get_by_role_and_label(Role::Button, "Run both").click();
    h.run_steps(1);
    wait_until_idle(&mut h);
    let c = &h.state().stress().compare;
    let (a, b) = (c.sides[0].as_ref().unwrap(), c.sides[1].as_ref().unwrap());
    // At 10x the app tier is past its 6.3x breaking point: higher p99 and many rejections.
    assert!(b.point.p99_ms.mean > a.point.p99_ms.mean);
    assert!(b.point.failure_rate() > a.point.failure_rate());
    assert!(h.query_all_by_label_contains("worse").count() >= 2);
    h.get_by_label("Latency percentiles");
    h.get_by_label("Node utilization");
}

fn app_replicas(h: &H) -> u32 {
    match &h.state().scenario().node("app").unwrap().kind {
        archsim::model::NodeKind::Service(s) => s.replicas,
        _ => unreachable!(),
    }
}

/// The Optimize tab as a person uses it: pick a knob from the inspector, find the cheapest design that
/// holds the SLO at 10x, see it and the frontier, apply it, and undo.
#[test]
fn optimize_finds_the_cheapest_app_tier_and_applies_it_undoably() {
    let mut h = harness();
    h.run_steps(2);
    set_duration(&mut h, 4.0);
    assert_eq!(app_replicas(&h), 3);
    // The inspector's "Vary replicas in Optimize" sends this command: it adds the knob and opens the tab.
    apply(&mut h, Command::VaryInOptimize("app.replicas".into()));
    assert!(h.state().stress().open);
    assert_eq!(h.state().stress().tab, StressTab::Optimize);
    {
        let form = &mut h.state_mut().stress_mut().optimize.form;
        assert_eq!(form.knobs.len(), 1);
        assert_eq!(form.knobs[0].field, "app.replicas");
        form.knobs[0].lo = 3.0;
        form.knobs[0].hi = 8.0;
        form.replications = 1;
        form.load = 10.0;
    }
    h.run_steps(2);
    h.get_by_label("Find cheapest").click();
    h.run_steps(2);
    wait_until_idle(&mut h);
    let r = h
        .state()
        .stress()
        .optimize
        .result()
        .expect("the search finished")
        .clone();
    let chosen = r
        .chosen()
        .expect("a design meets the SLO")
        .candidate
        .sets
        .clone();
    assert_eq!(chosen.len(), 1);
    let want: u32 = chosen[0]
        .strip_prefix("app.replicas=")
        .unwrap()
        .parse()
        .unwrap();
    assert!(want > 3, "the design as given breaks at 10x; chosen {want}");
    assert!(!r.frontier.is_empty());
    // The answer is on screen with its cost.
    assert!(
        h.query_by_label_contains("Cheapest: app.replicas=")
            .is_some()
    );
    assert!(h.query_all_by_label_contains("per month").count() >= 1);
    h.get_by_label("Apply chosen").click();
    h.run_steps(3);
    assert_eq!(app_replicas(&h), want);
    // Apply says what it changed and how to take it back.
    assert!(
        h.query_by_label_contains(&format!("app.replicas 3 -> {want}"))
            .is_some()
    );
    apply(&mut h, Command::Undo);
    assert_eq!(app_replicas(&h), 3, "Apply is one undoable edit");
    // "Run it at the load" applies it again and runs the main view at 10x, where the SLO holds.
    h.get_by_label("Run it at the load").click();
    h.run_steps(3);
    assert_eq!(app_replicas(&h), want);
    assert_eq!(h.state().runner().load, 10.0);
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    for _ in 0..3000 {
        if h.state().runner().state == RunState::Finished {
            break;
        }
        h.run_steps(1);
    }
    assert_eq!(h.state().runner().state, RunState::Finished);
    let rep = h.state().runner().report.clone().expect("a report");
    let failed = (rep.requests.failed + rep.requests.timed_out + rep.requests.rejected) as f64
        / rep.requests.offered.max(1) as f64;
    assert!(
        rep.latency_ms.p99 < 200.0 && failed <= 0.001,
        "at 10x with {want} replicas: p99 {} ms, failures {failed}",
        rep.latency_ms.p99
    );
}
