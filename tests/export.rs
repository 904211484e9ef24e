//! Diagram export: Mermaid and DOT read back by the importers to the same graph for every preset; SVG
//! holds every node and edge and takes a run's colours; GIF recordings are deterministic and small.

use std::collections::BTreeMap;

use archsim::interop::export::{ExportFormat, export};
use archsim::interop::{self, Format, palette};
use archsim::model::{Scenario, presets};

fn graph(
    s: &Scenario,
) -> (
    Vec<(String, archsim::model::KindTag)>,
    Vec<(String, String)>,
) {
    (
        s.nodes
            .iter()
            .map(|n| (n.id.clone(), n.kind.tag()))
            .collect(),
        s.edges
            .iter()
            .map(|e| (e.from.clone(), e.to.clone()))
            .collect(),
    )
}

#[test]
fn mermaid_and_dot_round_trip_every_preset() {
    for p in presets::presets() {
        let s = p.scenario().unwrap();
        for (format, import_as) in [
            (ExportFormat::Mermaid, Format::Mermaid),
            (ExportFormat::Dot, Format::Dot),
        ] {
            let text = export(&s, format, None);
            let back = interop::import(Some(import_as), &text, p.file)
                .unwrap_or_else(|e| panic!("{format:?} {}: {e}\n{text}", p.name));
            assert_eq!(
                graph(&back.scenario),
                graph(&s),
                "{format:?} {}:\n{text}",
                p.name
            );
            assert!(
                back.mappings
                    .iter()
                    .all(|m| !m.guessed && m.rule.starts_with("class")),
                "{}",
                back.summary()
            );
            assert!(back.skipped.is_empty(), "{}", back.summary());
        }
    }
}

#[test]
fn dot_keeps_positions() {
    let s = presets::preset("url_shortener")
        .unwrap()
        .scenario()
        .unwrap();
    let back = interop::import(
        Some(Format::Dot),
        &export(&s, ExportFormat::Dot, None),
        "x.dot",
    )
    .unwrap();
    // Moved as a whole (the drawing starts at the canvas origin after import), shape kept.
    let d = |s: &Scenario, a: &str, b: &str| {
        let (p, q) = (
            s.node(a).unwrap().pos.unwrap(),
            s.node(b).unwrap().pos.unwrap(),
        );
        (q.0 - p.0, q.1 - p.1)
    };
    for (a, b) in [("users", "db"), ("lb", "cache")] {
        let (x, y) = (d(&s, a, b), d(&back.scenario, a, b));
        assert!(
            (x.0 - y.0).abs() < 0.01 && (x.1 - y.1).abs() < 0.01,
            "{a}->{b}: {x:?} vs {y:?}"
        );
    }
}

#[test]
fn svg_has_every_node_and_edge_and_run_colours() {
    let s = presets::preset("url_shortener")
        .unwrap()
        .scenario()
        .unwrap();
    let plain = export(&s, ExportFormat::Svg, None);
    assert!(plain.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    for n in &s.nodes {
        assert!(plain.contains(&format!("data-id=\"{}\"", n.id)));
    }
    assert_eq!(plain.matches("class=\"edge\"").count(), s.edges.len());
    let heat: BTreeMap<String, f64> = [("app".to_string(), 1.0), ("db".to_string(), 0.1)].into();
    let hot = export(&s, ExportFormat::Svg, Some(&heat));
    let red = palette::hex(palette::utilization_color(1.0));
    let green = palette::hex(palette::utilization_color(0.1));
    let app = &hot[hot.find("data-id=\"app\"").unwrap()..];
    assert!(app[..300].contains(&red), "{}", &app[..300]);
    let db = &hot[hot.find("data-id=\"db\"").unwrap()..];
    assert!(db[..300].contains(&green));
    assert!(hot.contains("100% busy"));
    assert!(!plain.contains("busy"));
}

#[cfg(not(target_arch = "wasm32"))]
mod gif {
    use archsim::interop::record::{RecordOptions, record};
    use archsim::model::presets;

    fn frames(bytes: &[u8]) -> (u16, u16, usize, u32) {
        let mut o = ::gif::DecodeOptions::new();
        o.set_color_output(::gif::ColorOutput::Indexed);
        let mut d = o.read_info(bytes).unwrap();
        let (w, h) = (d.width(), d.height());
        let (mut n, mut delay) = (0, 0u32);
        while let Some(f) = d.read_next_frame().unwrap() {
            n += 1;
            delay += f.delay as u32;
        }
        (w, h, n, delay)
    }

    #[test]
    fn url_shortener_at_10x_is_small_deterministic_and_20_s_long() {
        let s = presets::preset("url_shortener")
            .unwrap()
            .scenario()
            .unwrap();
        let opts = RecordOptions {
            load: 10.0,
            ..RecordOptions::default()
        };
        let a = record(&s, &opts).unwrap();
        let b = record(&s, &opts).unwrap();
        assert!(a == b, "two recordings differ");
        assert!(a.len() < 5_000_000, "{} bytes", a.len());
        let (w, h, n, delay_cs) = frames(&a);
        assert_eq!((w, h), (800, 450));
        assert!(n > 100, "{n} frames");
        // 200 frames of 10 cs: 20 s of playback, however many identical frames were merged.
        assert_eq!(delay_cs, 2000);
    }

    #[test]
    fn options_change_the_picture_and_bad_ones_are_named() {
        let s = presets::preset("job_scheduler")
            .unwrap()
            .scenario()
            .unwrap();
        let small = RecordOptions {
            seconds: 2.0,
            width: 320,
            height: 180,
            colors: 16,
            fps: 5,
            ..RecordOptions::default()
        };
        let a = record(&s, &small).unwrap();
        let (w, h, _, delay) = frames(&a);
        assert_eq!((w, h, delay), (320, 180, 200));
        let other_seed = {
            let mut t = s.clone();
            t.seed += 1;
            record(&t, &small).unwrap()
        };
        assert!(other_seed != a, "the seed shows in the picture");
        let bad = RecordOptions {
            fps: 0,
            colors: 999,
            ..RecordOptions::default()
        };
        let e = record(&s, &bad).unwrap_err();
        assert!(
            e.contains("--fps is 0") && e.contains("--colors is 999"),
            "{e}"
        );
    }
}
