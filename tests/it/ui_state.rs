//! UI tests (egui_kittest) of state that must not leak from one design into the next, and of a run that an
//! edit must not silently throw away: the problems tab after New/Open, the stress window's results and
//! their Apply after a preset replaced the design, structural edits against a running simulation, edits
//! after a run finished, the Run/Resume label and the honest speed status.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness, run_until, set_duration, wait_until_idle};
use archsim::analysis::flow::FlowModel;
use archsim::model::{KindTag, NodeKind};
use archsim::ui::{Command, Edit, RunState, StressTab};
use egui_kittest::kittest::Queryable;

fn mark_saved_here(h: &mut H, name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("archsim-ui-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name).display().to_string();
    apply(h, Command::SaveAs(path.clone()));
    path
}

#[test]
fn the_problems_tab_follows_new_and_open() {
    let mut h = harness();
    h.run_steps(2);
    h.get_by_label("No problems");
    let path = mark_saved_here(&mut h, "five.ron");
    // An empty canvas has a problem (no nodes): the tab must say so, not keep the preset's "No problems".
    apply(&mut h, Command::New);
    assert!(h.state().scenario().nodes.is_empty());
    assert!(
        h.query_all_by_label("No problems").next().is_none(),
        "the empty canvas still shows the preset's 'No problems'"
    );
    assert!(h.query_all_by_label_contains("Problems (").count() >= 1);
    // Opening the five-node file: its (zero) problems, not the empty canvas's.
    apply(&mut h, Command::Open(path));
    assert_eq!(h.state().scenario().nodes.len(), 5);
    h.get_by_label("No problems");
    assert!(h.state_mut().problems().is_empty());
}

#[test]
fn a_new_design_drops_the_old_designs_sweep_explanation_and_compare() {
    let mut h = harness();
    h.run_steps(2);
    set_duration(&mut h, 4.0);
    apply(&mut h, Command::ShowStress(StressTab::Sweep));
    {
        let f = &mut h.state_mut().stress_mut().form;
        f.load_start = 1.0;
        f.load_end = 10.0;
        f.points = 2;
        f.log = false;
        f.replications = 1;
    }
    let s = h.state().scenario().clone();
    h.state_mut().stress_mut().start(&s);
    wait_until_idle(&mut h);
    assert!(h.state().stress().outcome().is_some());
    h.state_mut().stress_mut().compare.start(&s, 1);
    wait_until_idle(&mut h);
    assert!(h.state().stress().compare.sides.iter().all(Option::is_some));
    apply(&mut h, Command::ShowStress(StressTab::Explain));
    h.get_by_label("Bottleneck: app");
    let old_design = h.state().stress().design;
    let fix = h
        .state()
        .stress()
        .outcome()
        .unwrap()
        .explanation
        .fixes
        .first()
        .expect("a fix for app")
        .sets
        .clone();

    // A preset without a node called 'app' replaces the design (the edit above makes it ask first).
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset("chat".into()))),
    );
    assert!(h.state().scenario().node("app").is_none());
    let st = h.state().stress();
    assert!(st.outcome().is_none(), "the old sweep is still shown");
    assert!(st.run_explanation().is_none());
    assert!(st.compare.sides.iter().all(Option::is_none));
    assert!(!st.is_running());
    assert_ne!(st.design, old_design);
    assert!(h.query_all_by_label("Bottleneck: app").next().is_none());
    // A command computed for the old design is refused and changes nothing, with a reason.
    let before = h.state().scenario().clone();
    apply(
        &mut h,
        Command::ApplyFix {
            sets: fix.clone(),
            design: old_design,
        },
    );
    assert_eq!(h.state().scenario(), &before);
    assert!(
        h.state().messages().any(|m| m.contains("no longer open")),
        "no reason given: {:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    apply(
        &mut h,
        Command::OpenRun {
            load: 5.0,
            set: None,
            design: old_design,
        },
    );
    assert!(
        !h.state().runner().has_sim(),
        "a stale sweep point started a run"
    );
}

#[test]
fn fixes_are_sized_for_the_load_in_the_toolbar_and_apply_refreshes_them() {
    let mut h = harness();
    h.run_steps(2);
    set_duration(&mut h, 3.0);
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    run_until(&mut h, 100.0);
    assert_eq!(h.state().runner().state, RunState::Finished);
    // Explain the 1x run, then look at 10x: the fixes must be for 10x.
    apply(&mut h, Command::ExplainRun);
    apply(&mut h, Command::SetLoad(10.0));
    h.run_steps(2);
    h.get_by_label_contains("Fixes for app at 10.0x load");
    // The app tier's saturation load grows in proportion to its replicas (each replica has the same
    // workers and holding time; nothing downstream depends on the count), so the smallest count that
    // keeps it at most 75% busy at 10x is ceil(3 * 10 / (0.75 * saturation at 3)).
    let (sat3, node) = FlowModel::new(h.state().scenario())
        .unwrap()
        .breaking_point();
    assert_eq!(node.as_deref(), Some("app"));
    let want = (3.0 * 10.0 / (0.75 * sat3.unwrap())).ceil() as u32;
    let label = format!("add replicas to app: 3 -> {want}");
    h.get_by_label(&label);
    // Apply it: the design changes, the panel says what changed and the fixes are recomputed.
    h.query_all_by_label("Apply").next().unwrap().click();
    h.run_steps(3);
    match &h.state().scenario().node("app").unwrap().kind {
        NodeKind::Service(s) => assert_eq!(s.replicas, want),
        k => panic!("app is {k:?}"),
    }
    assert!(
        h.query_all_by_label_contains(&format!("app.replicas 3 -> {want}"))
            .count()
            >= 1
    );
    assert!(
        h.query_all_by_label(&label).next().is_none(),
        "the applied fix is still offered"
    );
}

#[test]
fn a_structural_edit_keeps_the_run_and_its_charts_until_restart() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    run_until(&mut h, 8.0);
    let t_edit = h.state().runner().time_s();
    assert!(t_edit >= 8.0);
    apply(
        &mut h,
        Command::Edit(Edit::AddNode {
            kind: KindTag::Service,
            pos: (400.0, 500.0),
        }),
    );
    for _ in 0..30 {
        h.run_steps(1);
    }
    let r = h.state().runner();
    assert!(
        r.time_s() >= t_edit,
        "the run went back to {} s",
        r.time_s()
    );
    assert!(r.report.is_some(), "the charts were cleared");
    assert!(r.outdated.is_some(), "the run does not say it is outdated");
    assert!(r.run_scenario().unwrap().node("service").is_none());
    h.get_by_label("Outdated run");
    h.get_by_label("Restart").click();
    h.run_steps(2);
    let r = h.state().runner();
    assert!(r.outdated.is_none());
    assert_eq!(r.state, RunState::Running);
    assert!(r.run_scenario().unwrap().node("service").is_some());
    assert!(r.time_s() < t_edit);
}

#[test]
fn an_edit_after_the_run_finished_marks_its_results_outdated() {
    let mut h = harness();
    h.run_steps(2);
    set_duration(&mut h, 3.0);
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    run_until(&mut h, 100.0);
    assert_eq!(h.state().runner().state, RunState::Finished);
    let counts = |h: &H| {
        let r = h
            .state()
            .runner()
            .report
            .as_ref()
            .map(|r| (r.events, r.requests));
        format!("{r:?}")
    };
    let report = counts(&h);
    let mut kind = h.state().scenario().node("app").unwrap().kind.clone();
    if let NodeKind::Service(s) = &mut kind {
        s.replicas = 9;
    }
    apply(
        &mut h,
        Command::Edit(Edit::SetKind {
            id: "app".into(),
            kind,
        }),
    );
    assert_eq!(h.state().runner().state, RunState::Finished);
    assert!(h.state().runner().outdated.is_some());
    let r = h.state().runner();
    // The run keeps describing the design it ran, not the edited one.
    match &r.run_scenario().unwrap().node("app").unwrap().kind {
        NodeKind::Service(s) => assert_eq!(s.replicas, 3),
        k => panic!("app is {k:?}"),
    }
    assert_eq!(counts(&h), report);
    h.get_by_label("Outdated run");
    // A structural edit on a finished run: the button says Run (a fresh start), not Resume at 0.0 s.
    apply(
        &mut h,
        Command::Edit(Edit::AddNode {
            kind: KindTag::Service,
            pos: (0.0, 500.0),
        }),
    );
    for _ in 0..30 {
        h.run_steps(1);
    }
    assert!(h.query_all_by_label("Resume").next().is_none());
    h.get_by_label("Run");
    assert!(
        h.state().runner().time_s() > 2.0,
        "the finished run was wiped"
    );
    apply(&mut h, Command::Run);
    let r = h.state().runner();
    assert!(r.outdated.is_none());
    // (At Max a 3 s run may already have finished again.)
    assert!(matches!(r.state, RunState::Running | RunState::Finished));
    assert!(r.run_scenario().unwrap().node("service").is_some());
}

#[test]
fn the_clock_speed_is_named_apart_from_the_load_and_shown_as_achieved() {
    let mut h = harness();
    h.run_steps(2);
    // The speed reads as simulated seconds per second, never as "10x" (that is the load).
    h.get_by_label("Sim clock");
    let mut r = archsim::ui::Runner::default();
    let s = h.state().scenario().clone();
    r.build(&s).unwrap();
    r.state = RunState::Paused;
    assert_eq!(archsim::ui::status_text(&r).0, "ready");
    r.state = RunState::Running;
    r.speed = 10.0;
    r.achieved_speed = 3.0;
    let (text, why) = archsim::ui::status_text(&r);
    assert_eq!(text, "running at 3.0 s/s, not 10 s/s");
    assert!(why.unwrap().contains("cannot keep up"));
    r.achieved_speed = 9.8;
    assert_eq!(
        archsim::ui::status_text(&r),
        ("running at 10 s/s".into(), None)
    );
}

/// A "see it break at 10x" link opens at 10x (and, if it asks, running); an option the app does not know
/// is refused with its name, never ignored.
#[test]
fn share_links_carry_the_load_and_may_start_running() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::SetLoad(10.0));
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, Command::CopyRunningLink);
    h.step();
    let link = h
        .output()
        .platform_output
        .commands
        .iter()
        .rev()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .expect("a copied link");
    let (_, fragment) = link.split_once('#').unwrap();
    assert!(fragment.ends_with("&load=10&run=1"), "{fragment}");
    // Open it in a fresh app at 1x.
    let mut other = harness();
    other.run_steps(2);
    apply(&mut other, Command::SetLoad(1.0));
    apply(&mut other, Command::OpenLink(fragment.to_owned()));
    assert_eq!(other.state().scenario().name, "URL shortener");
    assert!((other.state().runner().load - 10.0).abs() < 1e-9);
    assert_eq!(other.state().runner().state, RunState::Running);
    // Without options: 1x stays, nothing runs.
    let plain = archsim::model::share::encode(other.state().scenario());
    apply(&mut other, Command::Reset);
    apply(&mut other, Command::SetLoad(1.0));
    apply(&mut other, Command::OpenLink(plain.clone()));
    assert!((other.state().runner().load - 1.0).abs() < 1e-9);
    assert!(!other.state().runner().has_sim());
    // Unknown or out-of-range options are refused, naming them.
    apply(&mut other, Command::Discarding(Box::new(Command::New)));
    for (bad, says) in [("&load=500", "'500'"), ("&speed=3", "'speed=3'")] {
        apply(&mut other, Command::OpenLink(format!("{plain}{bad}")));
        assert!(
            other.state().scenario().nodes.is_empty(),
            "{bad} was opened"
        );
        other.get_by_label("Cannot open this link");
        assert!(
            other.query_all_by_label_contains(says).count() >= 1,
            "the refusal of {bad} does not name it"
        );
        other.get_by_label("OK").click();
        other.run_steps(2);
    }
}
