//! UI test (egui_kittest) of the API gateway as a user meets it: the noisy-tenant preset's gateway shows
//! its rows in the inspector and its label on the canvas; typing a key count, switching the validation
//! cache and the per-key limit off end up in the design, and the results name the throttled key.
#![cfg(feature = "gui")]

use archsim::model::{GatewayParams, NodeKind};
use archsim::ui::{App, Command, Selection};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::common::ui::{H, apply, harness_of, run_to_end};

fn gateway(h: &H) -> GatewayParams {
    match &h.state().scenario().node("gw").expect("the gateway").kind {
        NodeKind::Gateway(g) => g.clone(),
        k => panic!("a {}, not a gateway", k.tag().as_str()),
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

#[test]
fn the_inspector_shows_and_edits_a_gateways_rows() {
    let mut h = harness_of(App::default(), 1280.0, 2400.0);
    h.run_steps(2);
    apply(
        &mut h,
        Command::Discarding(Box::new(Command::LoadPreset(
            "api_gateway_noisy_tenant".into(),
        ))),
    );
    apply(&mut h, Command::Select(Selection::node("gw")));
    h.run_steps(2);
    let text = painted(&h);
    assert!(text.iter().any(|t| t == "200/s × 50 keys"), "{text:?}");
    for label in [
        "Concurrency",
        "API keys",
        "Key skew",
        "Auth cache",
        "  cache TTL",
        "Per-key limit",
        "Algorithm",
        "Burst",
        "Window",
    ] {
        assert!(
            h.query_all_by_label(label).next().is_some(),
            "no row {label:?}"
        );
    }
    // A gateway's limit is always per key, and it holds no requests: neither is offered.
    assert!(h.query_by_label("Per client").is_none());

    // The key count, typed in.
    h.get_by_role_and_label(Role::SpinButton, "API keys")
        .hover();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "API keys")
        .click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::SpinButton, "API keys")
        .type_text("20");
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
    assert_eq!(gateway(&h).keys, 20);

    // The results of a run at 10x name the hot tenant, key 0, as the most throttled.
    apply(&mut h, Command::SetLoad(10.0));
    run_to_end(&mut h);
    h.get_by_label("Results").click();
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("most throttled: key 0")
            .next()
            .is_some()
    );
    assert!(
        h.query_all_by_label_contains("Gateway gw:")
            .next()
            .is_some()
    );

    // The validation cache and the limit switched off: their rows go.
    apply(&mut h, Command::Select(Selection::node("gw")));
    h.run_steps(2);
    h.get_by_label("Auth cache").click();
    h.run_steps(3);
    assert_eq!(gateway(&h).auth_cache_ttl_s, None);
    assert!(h.query_by_label("  cache TTL").is_none());
    h.get_by_label("Per-key limit").click();
    h.run_steps(3);
    assert!(gateway(&h).limit.is_none());
    assert!(h.query_by_label("Algorithm").is_none());
    assert!(painted(&h).iter().any(|t| t == "20 keys"));
    // And on again, from the gateway's own defaults for a limit.
    h.get_by_label("Per-key limit").click();
    h.run_steps(3);
    assert_eq!(gateway(&h).limit.map(|l| l.rate_rps), Some(10.0));
}
