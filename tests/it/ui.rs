//! UI tests with egui_kittest: the real app, driven through its widgets (and, where a canvas gesture would
//! need pixel positions, through the same commands the canvas sends).
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness, harness_of, node_ids};
use archsim::model::KindTag;
use archsim::ui::{App, Command, Edit, RunState, Selection};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn starts_with_the_url_shortener_and_a_palette_of_every_kind() {
    let mut h = harness();
    h.run_steps(3);
    assert_eq!(h.state().scenario().name, "URL shortener");
    assert!(h.query_all_by_label_contains("URL shortener").count() >= 1);
    for kind in [
        "Client",
        "Load balancer",
        "Service",
        "Cache",
        "Queue",
        "Database",
    ] {
        h.get_by_role_and_label(Role::Button, kind);
    }
    h.get_by_label("Run");
    h.get_by_label("No problems");
    assert!(!h.state().is_dirty());
    // Showing a node or edge in the inspector must not change it (no rounding or clamping on display).
    let ids = node_ids(&h);
    for id in ids {
        apply(&mut h, Command::Select(Selection::node(id.as_str())));
        h.run_steps(2);
        assert!(!h.state().is_dirty(), "showing '{id}' changed the scenario");
    }
    apply(&mut h, Command::Select(Selection::edge("users", "lb")));
    h.run_steps(2);
    assert!(!h.state().is_dirty());
}

#[test]
fn add_a_node_from_the_palette_connect_it_and_undo() {
    let mut h = harness();
    h.run_steps(2);
    let before = h.state().scenario().nodes.len();
    h.get_by_role_and_label(Role::Button, "Service").click();
    h.run_steps(3);
    assert_eq!(h.state().scenario().nodes.len(), before + 1);
    assert_eq!(h.state().selection().single_node(), Some("service"));
    // The inspector shows the new node's parameters.
    assert!(h.query_all_by_label("Replicas").count() >= 1);
    assert!(h.query_all_by_label("Service time").count() >= 1);
    assert!(h.state().is_dirty());
    // A service that nothing calls is fine; connect the load balancer to it.
    apply(
        &mut h,
        Command::Edit(Edit::Connect {
            from: "lb".into(),
            to: "service".into(),
        }),
    );
    assert!(
        h.state()
            .scenario()
            .edges
            .iter()
            .any(|e| e.from == "lb" && e.to == "service")
    );
    assert!(h.query_all_by_label("Network latency (one way)").count() >= 1);
    // Refused: into a client, out of a database, to itself. The scenario is unchanged.
    let edges = h.state().scenario().edges.len();
    for (from, to) in [("app", "users"), ("db", "service"), ("service", "service")] {
        apply(
            &mut h,
            Command::Edit(Edit::Connect {
                from: from.into(),
                to: to.into(),
            }),
        );
    }
    assert_eq!(h.state().scenario().edges.len(), edges);
    // Undo (Ctrl+Z) twice: the edge, then the node.
    apply(&mut h, Command::Select(Selection::default()));
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().scenario().nodes.len(), before);
    assert!(!h.state().is_dirty());
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().scenario().nodes.len(), before + 1);
}

#[test]
fn run_a_few_simulated_seconds_and_see_charts_and_results() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::SetSpeed(100.0));
    h.get_by_label("Run").click();
    h.run_steps(2);
    assert_eq!(h.state().runner().state, RunState::Running);
    for _ in 0..200 {
        h.run_steps(1);
        if h.state().runner().time_s() >= 8.0 {
            break;
        }
    }
    assert!(
        h.state().runner().time_s() >= 3.0,
        "only {} s simulated",
        h.state().runner().time_s()
    );
    h.get_by_label("Pause").click();
    h.run_steps(3);
    assert_eq!(h.state().runner().state, RunState::Paused);
    h.get_by_label("End-to-end latency");
    h.get_by_label("Throughput");
    // Select a node: its own charts appear.
    apply(&mut h, Command::Select(Selection::node("app")));
    h.get_by_label("app: utilization");
    h.get_by_label("Results").click();
    h.run_steps(3);
    assert!(h.query_all_by_label_contains("offered").count() >= 1);
    h.get_by_label("node");
    let report = h.state().runner().report.clone().expect("a report");
    assert!(report.requests.offered > 0);
    assert!(archsim::ui::series_csv(&report).lines().count() > 1);
}

#[test]
fn ten_x_load_saturates_the_app_tier_and_more_replicas_fix_it() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::SetLoad(10.0));
    apply(&mut h, Command::Run);
    for _ in 0..400 {
        h.run_steps(1);
        if h.state().runner().time_s() >= 15.0 {
            break;
        }
    }
    let util = |h: &H| {
        let r = h.state().runner();
        let i = r.node_index("app").unwrap();
        r.snapshot.as_ref().unwrap().nodes[i].utilization
    };
    assert!(util(&h) > 0.9, "app utilization {} at 10x", util(&h));
    // Raise replicas in the inspector's model: the change applies live, the run goes on from where it was.
    let t_edit = h.state().runner().time_s();
    let mut kind = h.state().scenario().node("app").unwrap().kind.clone();
    if let archsim::model::NodeKind::Service(s) = &mut kind {
        s.replicas = 40;
        s.workers = 64;
    }
    apply(
        &mut h,
        Command::Edit(Edit::SetKind {
            id: "app".into(),
            kind,
        }),
    );
    assert!(
        h.state().runner().outdated.is_none(),
        "a parameter edit needs no restart"
    );
    assert!(
        h.state().runner().time_s() >= t_edit,
        "the clock did not go back to 0"
    );
    for _ in 0..400 {
        h.run_steps(1);
        if h.state().runner().time_s() >= t_edit + 5.0 {
            break;
        }
    }
    assert!(
        util(&h) < 0.9,
        "app utilization {} after scaling out",
        util(&h)
    );
}

#[test]
fn no_panic_on_hostile_editing() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    h.run_steps(5);
    // Delete a node the running simulation uses.
    apply(&mut h, Command::Select(Selection::node("cache")));
    h.key_press(Key::Delete);
    h.run_steps(10);
    assert!(h.state().scenario().node("cache").is_none());
    // NaN and negative values: validation says so in words, nothing panics.
    let mut kind = h.state().scenario().node("users").unwrap().kind.clone();
    if let archsim::model::NodeKind::Client(c) = &mut kind {
        c.rate_rps = f64::NAN;
    }
    apply(
        &mut h,
        Command::Edit(Edit::SetKind {
            id: "users".into(),
            kind,
        }),
    );
    let mut kind = h.state().scenario().node("app").unwrap().kind.clone();
    if let archsim::model::NodeKind::Service(s) = &mut kind {
        s.error_probability = -1.0;
    }
    apply(
        &mut h,
        Command::Edit(Edit::SetKind {
            id: "app".into(),
            kind,
        }),
    );
    h.run_steps(40);
    assert!(h.query_all_by_label_contains("Problems (").count() == 1);
    // Self-connection, unknown nodes, renaming to a clash, deleting everything, running an empty scenario.
    for cmd in [
        Command::Edit(Edit::Connect {
            from: "app".into(),
            to: "app".into(),
        }),
        Command::Edit(Edit::Connect {
            from: "nope".into(),
            to: "app".into(),
        }),
        Command::Edit(Edit::Rename {
            old: "app".into(),
            new: "db".into(),
        }),
        Command::Edit(Edit::Rename {
            old: "app".into(),
            new: "a.b".into(),
        }),
        Command::Edit(Edit::AddNode {
            kind: KindTag::Queue,
            pos: (f32::NAN, 0.0),
        }),
        Command::SetLoad(f64::NAN),
        Command::SelectAll,
        Command::DuplicateSelection,
        Command::SelectAll,
        Command::DeleteSelection,
        Command::Run,
        Command::Step,
        Command::Undo,
        Command::Undo,
        Command::Redo,
        Command::Reset,
    ] {
        apply(&mut h, cmd);
        h.run_steps(3);
    }
    assert!(h.state().scenario().nodes.iter().all(|n| n.id != "a.b"));
}

#[test]
fn save_and_reopen_round_trips() {
    let dir = std::env::temp_dir().join(format!("archsim-ui-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("saved.ron").display().to_string();
    let mut h = harness();
    h.run_steps(2);
    apply(
        &mut h,
        Command::Edit(Edit::AddNode {
            kind: KindTag::Queue,
            pos: (100.0, 400.0),
        }),
    );
    assert!(h.state().is_dirty());
    apply(&mut h, Command::SaveAs(path.clone()));
    assert!(!h.state().is_dirty());
    let saved = h.state().scenario().clone();
    apply(&mut h, Command::New);
    assert!(h.state().scenario().nodes.is_empty());
    apply(&mut h, Command::Open(path.clone()));
    assert_eq!(h.state().scenario(), &saved);
    // Unsaved changes: New asks first and changes nothing until answered.
    apply(
        &mut h,
        Command::Edit(Edit::AddNode {
            kind: KindTag::Cache,
            pos: (0.0, 0.0),
        }),
    );
    apply(&mut h, Command::New);
    h.get_by_label("Unsaved changes");
    assert!(!h.state().scenario().nodes.is_empty());
    h.get_by_label("Discard changes").click();
    h.run_steps(3);
    assert!(h.state().scenario().nodes.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn persisted_state_restores_scenario_and_view() {
    let mut app = App::default();
    let ctx = egui::Context::default();
    app.apply(
        &ctx,
        Command::Edit(Edit::AddNode {
            kind: KindTag::Database,
            pos: (10.0, 20.0),
        }),
    );
    let p = app.persisted();
    let text = ron::to_string(&p).unwrap();
    let back: archsim::ui::Persisted = ron::from_str(&text).unwrap();
    let restored = App::from_persisted(back);
    assert_eq!(restored.scenario(), app.scenario());
    assert!(restored.is_dirty());
}

/// The 100-node workload runs in the app: frames keep coming and the simulation advances. How long a frame
/// takes is a benchmark's job (`archsim open benches/workloads/ui100.ron --run --frame-stats`, see
/// docs/benchmarks.md), not a test's.
#[test]
fn hundred_nodes_at_ten_thousand_rps_run_in_the_app() {
    let mut h = harness_of(
        App::with_scenario(archsim::cli::ui_workload::hundred_nodes(), None),
        1280.0,
        800.0,
    );
    h.run_steps(2);
    apply(&mut h, Command::SetSpeed(1.0));
    apply(&mut h, Command::Run);
    h.run_steps(30);
    let sim0 = h.state().runner().time_s();
    #[allow(
        clippy::disallowed_methods,
        reason = "the test reports the app's frame time on the wall clock; it asserts no timing"
    )]
    let start = std::time::Instant::now();
    let mut frames = 0;
    while frames < 30 || start.elapsed().as_secs_f64() < 0.5 {
        h.run_steps(1);
        frames += 1;
    }
    let wall = start.elapsed().as_secs_f64();
    let sim_s = h.state().runner().time_s() - sim0;
    eprintln!(
        "100 nodes at 10k req/s: {:.2} ms per frame (UI logic + simulation slice, no painting), {sim_s:.2} s simulated",
        wall * 1000.0 / frames as f64
    );
    assert!(sim_s > 0.0, "the simulation did not advance");
    let snap = h
        .state()
        .runner()
        .snapshot
        .clone()
        .expect("a running simulation has a snapshot");
    assert_eq!(snap.nodes.len(), 100);
    assert!(snap.events > 0);
}

/// "Copy link" in the toolbar puts a link on the clipboard whose fragment opens the same scenario.
#[test]
fn copy_link_copies_a_link_that_holds_the_scenario() {
    let mut h = harness();
    h.run_steps(2);
    h.get_by_label("Copy link").click();
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let link = copied.last().expect("Copy link copied some text");
    let (base, fragment) = link.split_once('#').expect("the link has a fragment");
    assert!(base.starts_with("http"), "{link}");
    let opened = archsim::model::share::decode(fragment).expect("the copied link decodes");
    assert_eq!(&opened, h.state().scenario());
}

#[test]
fn inject_a_crash_live_from_the_inspector_and_clear_it() {
    // Tall enough that the database's inspector (parameters, prices, faults) shows "Inject now" unscrolled.
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    // Fast, but not Max: a Max frame under a loaded machine may run far past 6 s.
    apply(&mut h, Command::SetSpeed(30.0));
    apply(&mut h, Command::Run);
    for _ in 0..20_000 {
        h.run_steps(1);
        if h.state().runner().time_s() >= 6.0 {
            break;
        }
    }
    apply(&mut h, Command::Pause);
    apply(&mut h, Command::Select(Selection::node("db")));
    let up = |h: &H| {
        let r = h.state().runner();
        let i = r.node_index("db").unwrap();
        r.snapshot.as_ref().unwrap().nodes[i].up
    };
    assert!(up(&h));
    // The Faults section of the inspector starts closed; the first kind offered for a database is Crash.
    h.get_by_label("Faults").click();
    h.run_steps(2);
    h.get_by_label("Inject now").click();
    h.run_steps(3);
    assert!(
        !up(&h),
        "the database is down after the injection: {:?} {:?}",
        h.state().messages().collect::<Vec<_>>(),
        h.state().runner().error
    );
    let faults = h.state().runner().report.as_ref().unwrap().faults.clone();
    assert_eq!(faults.len(), 1);
    assert_eq!(
        (faults[0].kind.as_str(), faults[0].target.as_str()),
        ("Crash", "db")
    );
    assert!(faults[0].live);
    h.get_by_label("Clear faults").click();
    h.run_steps(3);
    assert!(up(&h), "clearing the faults restarts it");
    // The run goes on and the charts (with the fault timeline under them) still draw.
    apply(&mut h, Command::Run);
    h.run_steps(5);
    h.get_by_label("End-to-end latency");
}

#[test]
fn the_selected_edge_edits_its_timeout_and_retry_policy() {
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::Select(Selection::edge("app", "db")));
    let edge = |h: &H| {
        h.state()
            .scenario()
            .edges
            .iter()
            .find(|e| e.from == "app" && e.to == "db")
            .unwrap()
            .clone()
    };
    assert!(edge(&h).timeout_ms.is_none() && edge(&h).retry.is_none());
    h.get_by_label("Per-call timeout").click();
    h.run_steps(3);
    assert_eq!(edge(&h).timeout_ms, Some(1000.0));
    h.get_by_label("  timeout");
    h.get_by_label("Retries").click();
    h.run_steps(3);
    assert_eq!(edge(&h).retry, Some(archsim::model::RetryPolicy::default()));
    h.get_by_label("  retry budget").click();
    h.run_steps(3);
    assert!(edge(&h).retry.unwrap().budget.is_some());
    // An edge from a client offers neither (the client's own settings apply).
    apply(&mut h, Command::Select(Selection::edge("users", "lb")));
    assert!(h.query_by_label("Per-call timeout").is_none());
}

#[test]
fn a_sharded_database_has_its_rows_and_shows_its_hottest_shard() {
    // The hot-key preset as a person opens it: the database's inspector has the Shards rows, and after a
    // run the results name shard 7 as the hottest, red above the 90% line, with a row per shard.
    let mut h = harness();
    h.run_steps(2);
    apply(&mut h, Command::LoadPreset("sharded_hot_key".into()));
    crate::common::ui::set_duration(&mut h, 15.0);
    apply(&mut h, Command::Select(Selection::node("orders_db")));
    for row in ["Options", "  count", "  keys", "  zipf", "  routing"] {
        h.get_by_label(row);
    }
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    for _ in 0..3000 {
        h.run_steps(1);
        if h.state().runner().state == RunState::Finished {
            break;
        }
    }
    assert_eq!(h.state().runner().state, RunState::Finished);
    let r = h.state().runner().report.clone().unwrap();
    let db = r.nodes.iter().find(|n| n.id == "orders_db").unwrap();
    assert_eq!(db.hottest_shard, Some(7));
    h.get_by_label("Results").click();
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("Hottest shard of 'orders_db': shard 7")
            .count()
            == 1
    );
    assert!(h.query_all_by_label_contains("shard 7 (hottest)").count() == 1);
}
