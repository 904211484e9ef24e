//! UI tests (egui_kittest) of room to see: the bottom panel collapses and comes back, a laptop screen
//! (1024x640) shows the whole toolbar, and a phone (390 px wide) still shows the diagram, runs it, changes
//! the load and reads the results.
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness_of, run_a_bit};
use archsim::ui::{App, Command, RunState};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

fn harness(w: f32, h: f32) -> H {
    harness_of(App::default(), w, h)
}

#[test]
fn the_bottom_panel_collapses_and_comes_back() {
    let mut h = harness(1280.0, 800.0);
    h.run_steps(2);
    run_a_bit(&mut h);
    h.get_by_label("End-to-end latency");
    let canvas_open = h.state().canvas_rect().unwrap().height();
    h.get_by_label("Hide").click();
    h.run_steps(3);
    assert!(h.query_all_by_label("End-to-end latency").next().is_none());
    let canvas_closed = h.state().canvas_rect().unwrap().height();
    assert!(
        canvas_closed > canvas_open + 150.0,
        "collapsing gave the canvas {canvas_open} -> {canvas_closed} px"
    );
    // Any tab opens it again.
    h.get_by_label("Results").click();
    h.run_steps(3);
    h.get_by_label("node");
    h.get_by_label("Charts").click();
    h.run_steps(3);
    h.get_by_label("End-to-end latency");
}

#[test]
fn a_laptop_screen_shows_the_whole_toolbar() {
    let mut h = harness(1024.0, 640.0);
    h.run_steps(3);
    run_a_bit(&mut h);
    h.run_steps(2);
    for label in ["Pause", "Stress test…", "Copy link"] {
        let r = h.get_by_label(label).rect();
        assert!(r.max.x <= 1024.0, "'{label}' is cut off at x {}", r.max.x);
    }
    let c = h.state().canvas_rect().unwrap();
    assert!(c.width() > 400.0 && c.height() > 200.0, "canvas {c:?}");
    // With a node selected, six charts: none shrinks below a readable height (they scroll instead).
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply(&ctx, Command::Select(archsim::ui::Selection::node("app")));
    h.run_steps(3);
    let latency = h.get_by_label("End-to-end latency").rect();
    assert!(latency.width() > 100.0);
}

#[test]
fn a_phone_views_the_diagram_runs_it_changes_the_load_and_reads_the_results() {
    let mut h = harness(390.0, 780.0);
    h.run_steps(3);
    let c = h.state().canvas_rect().expect("the diagram is drawn");
    assert!(
        c.width() >= 350.0 && c.height() >= 150.0,
        "the diagram has {c:?} on a phone"
    );
    for label in ["Run", "Stress test…", "Copy link"] {
        let r = h.get_by_label(label).rect();
        assert!(r.max.x <= 390.0, "'{label}' is off screen at x {}", r.max.x);
    }
    let slider = h.get_by_role(Role::Slider).rect();
    assert!(slider.max.x <= 390.0, "the load slider is off screen");
    run_a_bit(&mut h);
    h.get_by_label("10x").click();
    h.run_steps(2);
    assert!((h.state().runner().load - 10.0).abs() < 1e-9);
    assert_eq!(
        h.state().runner().state,
        RunState::Running,
        "{:?}",
        h.state().runner().error
    );
    h.get_by_label("Results").click();
    h.run_steps(3);
    h.get_by_label("node");
    assert!(h.query_all_by_label_contains("offered").count() >= 1);
}

/// With a node selected at 1280x800 the inspector fits without scrolling: its sections (Parameters, Figures,
/// Cost, Faults) are collapsible, Cost and Faults closed at first, so the Delete button at the end of the
/// panel is inside the window, during a run too. Before the sections it was below the window's edge.
#[test]
fn the_inspector_fits_a_laptop_screen_with_a_node_selected() {
    let mut h = harness(1280.0, 800.0);
    h.run_steps(2);
    run_a_bit(&mut h);
    for node in ["app", "db", "cache", "users"] {
        apply(&mut h, Command::Select(archsim::ui::Selection::node(node)));
        h.run_steps(3);
        for section in ["Parameters", "Figures", "Faults"] {
            let r = h.get_by_label(section).rect();
            assert!(r.max.y <= 800.0, "{node}: '{section}' at {r:?}");
        }
        let del = h.get_by_label("Delete").rect();
        assert!(
            del.max.y <= 800.0,
            "{node}: Delete at {del:?}, below the window"
        );
    }
}

/// At 1280x800 the inspector keeps its 300 points whichever node is selected: a parameter row's slider
/// takes the room beside its label and value box. Before, a database's or cache's rows (label, 140-point
/// slider, value box) pushed the panel from 308 to 339 and 348 points, and the charts below to two
/// columns.
#[test]
fn the_inspector_keeps_its_width_with_any_node_selected() {
    let mut h = harness(1280.0, 800.0);
    h.run_steps(2);
    run_a_bit(&mut h);
    // The panel's 300 points and its frame, as drawn with nothing selected.
    let unselected_w = 1280.0 - h.state().canvas_rect().unwrap().max.x;
    assert!(unselected_w <= 310.0, "{unselected_w}");
    for node in ["app", "db", "cache", "users", "lb"] {
        apply(&mut h, Command::Select(archsim::ui::Selection::node(node)));
        h.run_steps(3);
        let inspector_w = 1280.0 - h.state().canvas_rect().unwrap().max.x;
        assert!(
            inspector_w <= unselected_w + 0.5,
            "{node}: the inspector is {inspector_w} points wide, {unselected_w} with nothing selected"
        );
        // Three charts across the bottom panel, the fault timeline below them.
        let latency = h.get_by_label("End-to-end latency").rect();
        let failures = h.get_by_label("Failures").rect();
        assert!(
            (failures.min.y - latency.min.y).abs() < 1.0,
            "{node}: the charts are not in one row"
        );
        h.get_by_label("Fault timeline");
    }
}
