//! UI tests (egui_kittest) of faults you can author: pick a kind (explained in one line), set its
//! parameters, schedule it on the design's timeline from the inspector, see it saved in the file and
//! carried by a link, run it, edit and remove it; renaming or deleting its target carries it along. And
//! F1's getting-started guide and glossary.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness_of};
use archsim::model::{CrashParams, Fault, FaultKind};
use archsim::ui::{App, Command, Edit, RunState, Selection};
use egui::Key;
use egui_kittest::kittest::Queryable;

/// A window tall enough to show the inspector's whole fault editor.
fn harness() -> H {
    harness_of(App::default(), 1280.0, 2400.0)
}

fn crash_at_20() -> Fault {
    Fault {
        at_s: 20.0,
        duration_s: 10.0,
        target: "app".into(),
        kind: FaultKind::Crash(CrashParams::default()),
    }
}

#[test]
fn schedule_a_fault_from_the_inspector_save_share_run_and_remove_it() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::Select(Selection::node("app")));
    // The inspector's Faults section starts closed; the kind picked is explained where it is picked.
    h.get_by_label("Faults").click();
    h.run_steps(2);
    h.get_by_label_contains("The node is down");
    h.get_by_label("Schedule").click();
    h.run_steps(3);
    assert_eq!(h.state().scenario().faults, vec![crash_at_20()]);
    h.get_by_label("Scheduled on the timeline");
    assert!(h.state().is_dirty());

    // Saved in the file.
    let dir = std::env::temp_dir().join(format!("archsim-ui-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("with_fault.ron").display().to_string();
    apply(&mut h, Command::SaveAs(path.clone()));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Crash"), "{text}");
    apply(&mut h, Command::New);
    apply(&mut h, Command::Open(path));
    assert_eq!(h.state().scenario().faults, vec![crash_at_20()]);
    // Carried by a link.
    let link = archsim::model::share::encode(h.state().scenario());
    let opened = archsim::model::share::decode(&link).unwrap();
    assert_eq!(opened.faults, vec![crash_at_20()]);

    // It runs: the report's fault timeline has it from 20 s to 30 s.
    let s = h.state().scenario().clone();
    apply(
        &mut h,
        Command::Edit(Edit::SetMeta {
            name: s.name,
            description: s.description,
            duration_s: 32.0,
            warmup_s: 1.0,
            seed: s.seed,
        }),
    );
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    for _ in 0..3000 {
        h.run_steps(1);
        if h.state().runner().state == RunState::Finished {
            break;
        }
    }
    let r = h.state().runner().report.clone().expect("a report");
    assert_eq!(r.faults.len(), 1);
    assert_eq!(r.faults[0].target, "app");
    assert!((r.faults[0].start_s - 20.0).abs() < 1e-9);
    assert!((r.faults[0].end_s - 30.0).abs() < 1e-9);
    assert!(r.requests.failed > 0, "a crashed app tier failed nothing");

    // Remove it from the timeline.
    apply(&mut h, Command::Select(Selection::node("app")));
    h.get_by_label("Remove").click();
    h.run_steps(3);
    assert!(
        h.state().scenario().faults.is_empty(),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
}

#[test]
fn renaming_or_deleting_a_target_carries_its_faults_along() {
    let mut h = harness();
    h.run_steps(2);
    let mut edge_fault = crash_at_20();
    edge_fault.target = "app->cache".into();
    edge_fault.kind = FaultKind::all()
        .into_iter()
        .find(|k| k.name() == "Partition")
        .unwrap();
    apply(
        &mut h,
        Command::Edit(Edit::SetFaults(vec![crash_at_20(), edge_fault])),
    );
    apply(
        &mut h,
        Command::Edit(Edit::Rename {
            old: "app".into(),
            new: "api".into(),
        }),
    );
    let targets: Vec<String> = h
        .state()
        .scenario()
        .faults
        .iter()
        .map(|f| f.target.clone())
        .collect();
    assert_eq!(targets, ["api", "api->cache"]);
    assert!(h.state_mut().problems().is_empty());
    apply(
        &mut h,
        Command::Edit(Edit::Delete {
            nodes: vec!["cache".into()],
            edges: vec![],
        }),
    );
    let targets: Vec<&str> = h
        .state()
        .scenario()
        .faults
        .iter()
        .map(|f| f.target.as_str())
        .collect();
    assert_eq!(targets, ["api"]);
}

#[test]
fn f1_opens_a_getting_started_guide_and_a_glossary() {
    let mut h = harness();
    h.run_steps(2);
    h.key_press(Key::F1);
    h.run_steps(3);
    h.get_by_label("Getting started");
    h.get_by_label("Node kinds");
    h.get_by_label("Fault kinds");
    for k in FaultKind::all() {
        assert!(
            h.query_all_by_label(k.name()).count() >= 1,
            "no glossary entry for {}",
            k.name()
        );
    }
    h.get_by_label_contains("hit ratio drops to 0");
}
