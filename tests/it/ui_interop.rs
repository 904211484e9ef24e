//! File > Import diagram, the diagram exports and embed mode, in the real app (egui_kittest).
#![cfg(feature = "gui")]

use crate::common::ui::{H, apply, harness_of};
use archsim::model::KindTag;
use archsim::ui::{App, Command, ExportKind};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

fn harness(app: App) -> H {
    harness_of(app, 1280.0, 800.0)
}

const DOC: &str = "# Design\n```mermaid\narchitecture-beta\n    service web(internet)[Web]\n    service api(server)[Orders API]\n    service db(database)[Postgres]\n    web:R --> L:api\n    api:R --> L:db\n```\n";

#[test]
fn importing_a_pasted_architecture_block_gives_a_design_that_runs() {
    let mut h = harness(App::default());
    h.run_steps(2);
    apply(
        &mut h,
        Command::ImportText {
            name: "design.md".into(),
            text: DOC.into(),
        },
    );
    let kinds: Vec<(String, KindTag)> = h
        .state()
        .scenario()
        .nodes
        .iter()
        .map(|n| (n.id.clone(), n.kind.tag()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("web".to_string(), KindTag::Client),
            ("orders_api".into(), KindTag::Service),
            ("postgres".into(), KindTag::Database)
        ]
    );
    // The report window lists each mapping and says it runs.
    h.run_steps(2);
    h.get_by_label_contains("The scenario validates: press Run.");
    assert!(
        h.query_all_by_label_contains("label \"Postgres\" has \"postgres\"")
            .count()
            >= 1
    );
    assert!(h.state().messages().any(|m| m == "Imported design.md"));
    apply(&mut h, Command::Run);
    h.run_steps(30);
    assert!(h.state().runner().time_s() > 0.0);
    // A broken diagram is refused with its place, and the design stays.
    apply(
        &mut h,
        Command::ImportText {
            name: "bad.mmd".into(),
            text: "flowchart LR\n  a --> b[oops\n".into(),
        },
    );
    assert!(
        h.state()
            .messages()
            .any(|m| m.starts_with("bad.mmd: line 2, column 10")),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    assert_eq!(h.state().scenario().nodes.len(), 3);
}

#[test]
fn paste_diagram_imports_pasted_text_on_ctrl_enter_or_import() {
    let mut h = harness(App::default());
    h.run_steps(2);
    // File > Paste diagram… (its command: the menu itself is clicked in tests/interop_gui.sh) opens a text
    // box with the focus; a paste (Ctrl+V) fills it.
    apply(&mut h, Command::PasteDiagram);
    h.run_steps(2);
    h.get_by_label_contains("Paste a Mermaid flowchart");
    h.event(egui::Event::Paste(DOC.into()));
    h.run_steps(2);
    // Nothing is imported until asked; the window keeps the text.
    assert_eq!(h.state().scenario().name, "URL shortener");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(3);
    let ids: Vec<&str> = h
        .state()
        .scenario()
        .nodes
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(ids, ["web", "orders_api", "postgres"]);
    assert!(h.state().messages().any(|m| m == "Imported pasted diagram"));
    assert_eq!(h.query_all_by_label_contains("Paste a Mermaid").count(), 0);
    // The Import button does the same, and a bad paste names its line.
    apply(&mut h, Command::PasteDiagram);
    h.event(egui::Event::Paste("flowchart LR\n  a --> b[oops\n".into()));
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Import").click();
    h.run_steps(3);
    assert!(
        h.state()
            .messages()
            .any(|m| m.starts_with("pasted diagram: line 2")),
        "{:?}",
        h.state().messages().collect::<Vec<_>>()
    );
    assert_eq!(h.state().scenario().nodes.len(), 3);
}

#[test]
fn diagram_exports_write_files() {
    let dir = std::env::temp_dir().join(format!("archsim-ui-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = harness(App::default());
    h.run_steps(2);
    for (kind, name, head) in [
        (ExportKind::Mermaid, "d.mmd", "%% URL shortener"),
        (ExportKind::Dot, "d.dot", "// URL shortener"),
        (ExportKind::Svg, "d.svg", "<svg"),
    ] {
        let path = dir.join(name).display().to_string();
        apply(&mut h, Command::Export(kind, path.clone()));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(head),
            "{name}: {}",
            &text[..40.min(text.len())]
        );
    }
    // The live SVG needs a run; with one, nodes carry their utilization.
    let live = dir.join("live.svg").display().to_string();
    apply(&mut h, Command::Export(ExportKind::SvgLive, live.clone()));
    assert!(!std::path::Path::new(&live).exists());
    apply(&mut h, Command::SetSpeed(f64::INFINITY));
    apply(&mut h, Command::Run);
    h.run_steps(10);
    apply(&mut h, Command::Export(ExportKind::SvgLive, live.clone()));
    assert!(std::fs::read_to_string(&live).unwrap().contains("% busy"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_mode_shows_run_load_and_chart_only() {
    let mut h = harness(App::default().embedded());
    h.run_steps(3);
    assert!(h.state().is_embedded());
    h.get_by_role_and_label(Role::Button, "Run");
    for x in ["1x", "2x", "5x", "10x"] {
        h.get_by_label(x);
    }
    // No menus, palette, inspector or stress test.
    for absent in ["File", "Edit", "Stress test…", "Service"] {
        assert_eq!(
            h.query_all_by_label(absent).count(),
            0,
            "'{absent}' is shown in embed mode"
        );
    }
    h.get_by_label("10x").click();
    h.run_steps(2);
    assert_eq!(h.state().runner().load, 10.0);
    h.get_by_role_and_label(Role::Button, "Run").click();
    h.run_steps(20);
    assert!(h.state().runner().has_sim());
    // Read-only: what the canvas would send to edit is dropped.
    assert!(!archsim::ui::allowed_in_embed(&Command::DeleteSelection));
    assert!(archsim::ui::allowed_in_embed(&Command::SetLoad(2.0)));
    assert!(!h.state().is_dirty());
}

/// Is the import report window on screen?
fn report_shown(h: &H) -> bool {
    h.query_all_by_label_contains("The scenario validates: press Run.")
        .count()
        > 0
}

fn import_doc(h: &mut H) {
    apply(
        h,
        Command::ImportText {
            name: "design.md".into(),
            text: DOC.into(),
        },
    );
    h.run_steps(2);
    assert!(report_shown(h), "the import report did not open");
}

#[test]
fn the_import_report_closes_when_the_design_is_replaced() {
    let mut h = harness(App::default());
    h.run_steps(2);
    let dir = std::env::temp_dir().join(format!("archsim-ui-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("chat.ron");
    std::fs::copy("scenarios/chat.ron", &saved).unwrap();
    let link = archsim::model::share::encode(
        &archsim::model::parse(
            &std::fs::read_to_string("scenarios/url_shortener.ron").unwrap(),
            "url_shortener.ron",
        )
        .unwrap(),
    );
    // Each way of putting another design on the canvas: a preset, File > New, File > Open, a share link.
    for (what, cmd, name) in [
        ("a preset", Command::LoadPreset("chat".into()), "Chat"),
        ("File > New", Command::New, "Untitled"),
        (
            "File > Open",
            Command::Open(saved.display().to_string()),
            "Chat",
        ),
        (
            "a share link",
            Command::OpenLink(link.clone()),
            "URL shortener",
        ),
    ] {
        import_doc(&mut h);
        apply(&mut h, cmd);
        h.run_steps(2);
        assert!(
            h.state().scenario().name.starts_with(name),
            "{what} opened '{}'",
            h.state().scenario().name
        );
        assert!(
            !report_shown(&h),
            "the report of the imported design stays open after {what}"
        );
    }
    // A second import still shows its own report.
    import_doc(&mut h);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Embed mode at iframe sizes: the whole diagram is on the canvas (fitted when the page opens and when it
/// is resized) and the one chart takes at most 30% of the height.
#[test]
fn embed_mode_fits_the_diagram_and_keeps_the_chart_small() {
    for (w, hgt) in [(640.0, 400.0), (480.0, 320.0), (800.0, 500.0)] {
        let mut h = harness_of(App::default().embedded(), w, hgt);
        h.run_steps(3);
        let l = archsim::ui::EmbedLayout::last(&h.ctx).expect("no embed layout");
        assert_eq!(l.nodes, 5, "{w}x{hgt}");
        assert_eq!(l.nodes_inside, l.nodes, "{w}x{hgt}: {l:?}");
        assert!(
            l.chart_h > 0.0 && l.chart_h <= 0.3 * hgt,
            "{w}x{hgt}: {l:?}"
        );
        assert!(l.canvas[3] - l.canvas[1] >= 0.5 * hgt, "{w}x{hgt}: {l:?}");
        // A run's chart keeps the strip's height.
        apply(&mut h, Command::SetLoad(10.0));
        apply(&mut h, Command::Run);
        h.run_steps(10);
        let run = archsim::ui::EmbedLayout::last(&h.ctx).unwrap();
        assert_eq!(run.chart_h, l.chart_h, "{w}x{hgt}");
        assert_eq!(run.nodes_inside, 5, "{w}x{hgt}: {run:?}");
    }
    // A page made smaller after it opened is fitted again.
    let mut h = harness_of(App::default().embedded(), 800.0, 500.0);
    h.run_steps(3);
    h.set_size(egui::vec2(360.0, 300.0));
    h.run_steps(3);
    let l = archsim::ui::EmbedLayout::last(&h.ctx).unwrap();
    assert!((l.page_h - 300.0).abs() < 1.0, "{l:?}");
    assert_eq!(l.nodes_inside, 5, "after a resize: {l:?}");
}

/// In a narrow iframe the embed bar's title is cut short ("…") instead of running under "Open in archsim",
/// which stays whole on screen; at 480 points the buttons and loads leave it no room and it goes; at 800
/// more of it shows than at 640.
#[test]
fn the_embed_bar_title_gives_way_to_the_open_link() {
    let name = "A payments platform with regional failover";
    let mut s = archsim::model::presets::load_preset("url_shortener")
        .unwrap()
        .unwrap();
    s.name = name.into();
    let ron = archsim::model::to_string(&s);
    let mut widths = Vec::new();
    for w in [480.0, 640.0, 800.0] {
        let mut h = harness_of(App::default().embedded(), w, 320.0);
        h.run_steps(2);
        apply(
            &mut h,
            Command::OpenText {
                name: "long.ron".into(),
                text: ron.clone(),
            },
        );
        h.run_steps(2);
        let link = h.get_by_label("Open in archsim").rect();
        assert!(
            link.max.x <= w,
            "{w}: the link is cut off at {}",
            link.max.x
        );
        let title = h.query_by_label(name).map(|t| t.rect());
        if let Some(title) = title {
            assert!(
                title.max.x <= link.min.x,
                "{w}: the title {title:?} runs under the link {link:?}"
            );
        }
        widths.push(title.map(|t| t.width()));
    }
    let (Some(w640), Some(w800)) = (widths[1], widths[2]) else {
        panic!("no title at 640 or 800: {widths:?}");
    };
    assert!(w640 < w800 - 50.0, "title widths {widths:?}");
}
