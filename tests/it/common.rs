//! Helpers shared by the test modules.

use archsim::metrics::{EdgeReport, NodeReport, Report};
use archsim::model::{Dist, Edge, Node, NodeKind, Scenario};
use archsim::sim::Simulation;

/// A node at no particular place on the canvas.
pub fn node(id: &str, kind: NodeKind) -> Node {
    Node {
        id: id.into(),
        kind,
        pos: None,
        zone: None,
    }
}

/// An edge that takes no time, with the defaults otherwise: a test's numbers are then the nodes' alone.
pub fn instant_edge(from: &str, to: &str) -> Edge {
    Edge {
        latency_ms: Dist::constant(0.0),
        ..Edge::new(from, to)
    }
}

/// Runs `s` to its end at the load it is written for and returns the report.
pub fn run(s: &Scenario) -> Report {
    let mut sim = Simulation::new(s).unwrap();
    sim.run_to_end();
    sim.report()
}

/// Runs `s` to its end at load multiplier `load` and returns the report.
pub fn run_at(s: &Scenario, load: f64) -> Report {
    let mut sim = Simulation::new(s).unwrap();
    sim.set_load(load);
    sim.run_to_end();
    sim.report()
}

/// Node `id`'s row of the report (panics if there is none: a test names nodes it built).
pub fn node_report<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes.iter().find(|n| n.id == id).unwrap()
}

/// The row of the edge `from -> to`.
pub fn edge_report<'a>(r: &'a Report, from: &str, to: &str) -> &'a EdgeReport {
    r.edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .unwrap()
}

/// With `SPREAD=1`, prints a figure over seeds 1-10 (min, max, each value): how a test's tolerance was
/// chosen (wider than this spread).
pub fn spread(name: &str, f: impl Fn(u64) -> f64) {
    if std::env::var_os("SPREAD").is_none() {
        return;
    }
    let v: Vec<f64> = (1..=10).map(f).collect();
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!("{name}: seeds 1-10 min {min:.4} max {max:.4} {v:.4?}");
}

/// The UI tests' shared preamble: the real app in an egui_kittest harness, driven through the same
/// commands its widgets send.
#[cfg(feature = "gui")]
pub mod ui {
    use archsim::ui::{App, Command, Edit, RunState};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    /// The app under test.
    pub type H = Harness<'static, App>;

    /// `app` in a window of `w` x `h` logical pixels.
    pub fn harness_of(app: App, w: f32, h: f32) -> H {
        Harness::builder()
            .with_size(egui::vec2(w, h))
            .build_ui_state(|ui, app: &mut App| app.ui_root(ui), app)
    }

    /// The app as it starts (the URL shortener), in a 1280 x 800 window.
    pub fn harness() -> H {
        harness_of(App::default(), 1280.0, 800.0)
    }

    /// The parameters of database `id` in the design as edited.
    pub fn database<'a>(h: &'a H, id: &str) -> &'a archsim::model::DatabaseParams {
        match &h.state().scenario().node(id).expect("the node exists").kind {
            archsim::model::NodeKind::Database(d) => d,
            k => panic!("'{id}' is a {}, not a database", k.tag().as_str()),
        }
    }

    /// The design's node ids, in order.
    pub fn node_ids(h: &H) -> Vec<String> {
        h.state()
            .scenario()
            .nodes
            .iter()
            .map(|n| n.id.clone())
            .collect()
    }

    /// Applies a command as a widget would, then lets two frames show its effect.
    pub fn apply(h: &mut H, cmd: Command) {
        let ctx = h.ctx.clone();
        h.state_mut().apply(&ctx, cmd);
        h.run_steps(2);
    }

    /// Sets the design's duration to `duration_s` simulated seconds with 1 s of warm-up (short runs keep
    /// a test to seconds).
    pub fn set_duration(h: &mut H, duration_s: f64) {
        let s = h.state().scenario().clone();
        apply(
            h,
            Command::Edit(Edit::SetMeta {
                name: s.name,
                description: s.description,
                duration_s,
                warmup_s: 1.0,
                seed: s.seed,
            }),
        );
    }

    /// Runs the design from the start at Max speed and steps frames until the run has finished.
    pub fn run_to_end(h: &mut H) {
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

    /// Steps frames until the run reaches `t_s` simulated seconds or stops.
    pub fn run_until(h: &mut H, t_s: f64) {
        for _ in 0..2000 {
            h.run_steps(1);
            let r = h.state().runner();
            if r.time_s() >= t_s || r.state != RunState::Running {
                return;
            }
        }
        panic!("the run did not reach {t_s} s");
    }

    /// Starts the run at 30 s/s (fast, but not Max: at Max a whole 60 s run can end between two report
    /// refreshes) and steps frames until a report past 5 s is in.
    pub fn run_a_bit(h: &mut H) {
        let ctx = h.ctx.clone();
        h.state_mut().apply(&ctx, Command::SetSpeed(30.0));
        h.get_by_label("Run").click();
        // The report is refreshed a few times a (wall) second: wait for one past 5 s.
        for _ in 0..5000 {
            h.run_steps(1);
            let r = h.state().runner();
            if r.time_s() >= 5.0 && r.report.as_ref().is_some_and(|r| r.sim_time_s >= 4.0) {
                break;
            }
        }
        assert!(h.state().runner().time_s() >= 5.0);
    }

    /// Steps frames until the stress window's background work is done (it runs on its own thread).
    pub fn wait_until_idle(h: &mut H) {
        for _ in 0..6000 {
            h.run_steps(1);
            if !h.state().stress().is_running() {
                h.run_steps(2);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the stress test did not finish");
    }
}

/// The `archsim` binary as a person runs it, for the CLI tests.
pub mod cli {
    use std::path::PathBuf;
    use std::process::{Command, Output};

    /// Runs the binary with `args` from the repository's root (so `scenarios/...` paths resolve).
    pub fn archsim(args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_archsim"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("the archsim binary runs")
    }

    /// What it printed on stdout.
    pub fn stdout(o: &Output) -> String {
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// What it printed on stderr.
    pub fn stderr(o: &Output) -> String {
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    /// A path in Cargo's per-test temporary directory.
    pub fn temp_path(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
    }

    /// A file with `text` in Cargo's per-test temporary directory.
    pub fn temp_file(name: &str, text: &str) -> PathBuf {
        let path = temp_path(name);
        std::fs::write(&path, text).expect("temp dir is writable");
        path
    }
}
