//! UI tests (egui_kittest) of behaviour you can see while drawing: the right-click menu on a node, the
//! warning for a likely mistake (the same requests sent to a cache and to the database behind it), and
//! Arrange (left to right by call depth, one undo step).
#![cfg(feature = "gui")]

use archsim::model::FaultKind;
use archsim::ui::{App, Command};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.ui_root(ui), App::default())
}

fn apply(h: &mut Harness<'static, App>, cmd: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, cmd);
    h.run_steps(2);
}

fn open_text(h: &mut Harness<'static, App>, text: &str) {
    apply(
        h,
        Command::OpenText {
            name: "t.ron".into(),
            text: text.into(),
        },
    );
}

/// Right-clicks node `id` where it is drawn.
fn right_click(h: &mut Harness<'static, App>, id: &str) {
    let r = h.state().node_screen_rect(id).expect("node drawn");
    let at = r.center() - egui::vec2(r.width() * 0.3, 0.0);
    h.event(egui::Event::PointerMoved(at));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: Default::default(),
        });
        h.run_steps(1);
    }
    h.run_steps(2);
}

#[test]
fn right_click_on_a_node_offers_its_actions_and_they_act_on_it() {
    let mut h = harness();
    h.run_steps(3);
    right_click(&mut h, "cache");
    // The menu names the node, and right-clicking selected it.
    h.get_by_label("cache (cache)");
    assert_eq!(h.state().selection().single_node(), Some("cache"));
    h.get_by_label("Schedule fault").click();
    h.run_steps(3);
    h.get_by_label("Flush").click();
    h.run_steps(3);
    let f = &h.state().scenario().faults;
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].target, "cache");
    assert_eq!(f[0].kind, FaultKind::Flush);

    // Duplicate, then delete the copy, from the menu.
    let n = h.state().scenario().nodes.len();
    right_click(&mut h, "cache");
    h.get_by_label("Duplicate").click();
    h.run_steps(3);
    assert_eq!(h.state().scenario().nodes.len(), n + 1);
    let copy = h
        .state()
        .selection()
        .single_node()
        .expect("the copy is selected")
        .to_owned();
    assert_ne!(copy, "cache");
    right_click(&mut h, &copy);
    h.get_by_label("Delete").click();
    h.run_steps(3);
    assert_eq!(h.state().scenario().nodes.len(), n);
    assert!(h.state().scenario().node(&copy).is_none());
}

const CACHE_AND_DB: &str = r#"(
    nodes: [
        (id: "users", kind: Client(rate_rps: 100), pos: (0.0, 0.0)),
        (id: "app", kind: Service(), pos: (200.0, 0.0)),
        (id: "cache", kind: Cache(), pos: (400.0, -100.0)),
        (id: "db", kind: Database(), pos: (400.0, 100.0)),
    ],
    edges: [
        (from: "users", to: "app"), (from: "app", to: "cache"), (from: "app", to: "db"),
        (from: "cache", to: "db"),
    ],
)"#;

#[test]
fn the_same_requests_to_a_cache_and_to_the_db_behind_it_is_a_warning_not_a_problem() {
    let mut h = harness();
    h.run_steps(2);
    open_text(&mut h, CACHE_AND_DB);
    assert!(h.state_mut().problems().is_empty(), "valid: it runs");
    let said: Vec<String> = h.state().messages().map(str::to_owned).collect();
    assert_eq!(h.state().scenario().nodes.len(), 4, "{said:?}");
    h.get_by_label("Warnings (1)").click();
    h.run_steps(2);
    h.get_by_label_contains("the cache saves nothing");
    // Its link selects the edge.
    h.get_by_label("app -> db").click();
    h.run_steps(2);
    assert!(
        h.state()
            .selection()
            .edges
            .contains(&("app".to_owned(), "db".to_owned()))
    );
    // Reads to the cache and writes to the db: no warning.
    let fixed = CACHE_AND_DB
        .replace(
            r#"(id: "users", kind: Client(rate_rps: 100)"#,
            r#"(id: "users", kind: Client(rate_rps: 100, classes: [(name: "read", weight: 9.0), (name: "write", weight: 1.0)])"#,
        )
        .replace(
            r#"(from: "app", to: "cache")"#,
            r#"(from: "app", to: "cache", classes: ["read"])"#,
        )
        .replace(
            r#"(from: "app", to: "db")"#,
            r#"(from: "app", to: "db", classes: ["write"])"#,
        );
    open_text(&mut h, &fixed);
    assert!(
        h.state_mut().problems().is_empty(),
        "{:?}",
        h.state_mut().problems()
    );
    h.get_by_label("No problems");
}

#[test]
fn arrange_lays_the_calls_out_left_to_right_and_one_undo_puts_them_back() {
    let mut h = harness();
    h.run_steps(2);
    // Drawn right to left: every edge points left.
    let backwards = CACHE_AND_DB
        .replace("pos: (0.0, 0.0)", "pos: (600.0, 0.0)")
        .replace("pos: (400.0, -100.0)", "pos: (0.0, -100.0)")
        .replace("pos: (400.0, 100.0)", "pos: (0.0, 100.0)");
    open_text(&mut h, &backwards);
    let before = h.state().scenario().clone();
    apply(&mut h, Command::Arrange);
    let s = h.state().scenario().clone();
    let x = |id: &str| s.node(id).and_then(|n| n.pos).unwrap().0;
    for e in &s.edges {
        assert!(x(&e.from) < x(&e.to), "{} -> {} points left", e.from, e.to);
    }
    // app calls db directly and through the cache: db sits right of the cache.
    assert!(x("cache") < x("db"));
    let said: Vec<String> = h.state().messages().map(str::to_owned).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("Arranged 4 nodes in 4 columns")),
        "{said:?}"
    );
    apply(&mut h, Command::Undo);
    assert_eq!(h.state().scenario(), &before);
}
