//! The sweep settings: load range or node parameter, replications, SLO.

use egui::{DragValue, Ui};
use serde_json::Value;

use crate::model::{Node, Scenario};

use super::stress::{SweepForm, SweepKind};

/// Numeric parameters of a node as `--set` paths (`replicas`, `service_time.mean_ms`, ...) with their
/// current values, in the order the node's parameters are written. Enum variant wrappers are skipped
/// because `--set` steps through them.
pub fn numeric_fields(node: &Node) -> Vec<(String, f64)> {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<(String, f64)>) {
        match v {
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    out.push((prefix.to_owned(), x));
                }
            }
            Value::Object(o) => {
                let variant = o.len() == 1 && o.keys().all(|k| k.starts_with(char::is_uppercase));
                for (k, v) in o {
                    let path = if variant {
                        prefix.to_owned()
                    } else if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(v, &path, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(Value::Object(o)) = serde_json::to_value(&node.kind)
        && let Some(params) = o.values().next()
    {
        walk(params, "", &mut out);
    }
    out.retain(|(p, _)| !p.is_empty());
    out
}

fn labelled_drag_ui(
    ui: &mut Ui,
    label: &str,
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    speed: f64,
) {
    let l = ui.label(label);
    ui.add(
        DragValue::new(value)
            .range(range)
            .speed(speed)
            .max_decimals(3),
    )
    .labelled_by(l.id);
}

/// The settings rows.
pub fn form_ui(ui: &mut Ui, f: &mut SweepForm, scenario: &Scenario) {
    ui.horizontal(|ui| {
        ui.label("Vary");
        ui.selectable_value(&mut f.kind, SweepKind::Load, "Load");
        ui.selectable_value(&mut f.kind, SweepKind::Param, "A node parameter");
    });
    ui.horizontal_wrapped(|ui| match f.kind {
        SweepKind::Load => {
            labelled_drag_ui(ui, "From", &mut f.load_start, 0.01..=1000.0, 0.05);
            labelled_drag_ui(ui, "to", &mut f.load_end, 0.01..=1000.0, 0.1);
            ui.label("x load");
            ui.checkbox(&mut f.log, "log spacing")
                .on_hover_text("Evenly spaced in ratio (0.5, 1, 2, 4...) rather than in steps");
        }
        SweepKind::Param => {
            if scenario.node(&f.node).is_none() {
                f.node = scenario
                    .nodes
                    .iter()
                    .find(|n| {
                        !numeric_fields(n).is_empty()
                            && n.kind.tag() != crate::model::KindTag::Client
                    })
                    .map(|n| n.id.clone())
                    .unwrap_or_default();
            }
            let l = ui.label("Node");
            egui::ComboBox::from_id_salt("stress_node")
                .selected_text(f.node.clone())
                .show_ui(ui, |ui| {
                    for n in &scenario.nodes {
                        ui.selectable_value(&mut f.node, n.id.clone(), &n.id);
                    }
                })
                .response
                .labelled_by(l.id);
            let fields = scenario
                .node(&f.node)
                .map(numeric_fields)
                .unwrap_or_default();
            let l = ui.label("Field");
            egui::ComboBox::from_id_salt("stress_field")
                .selected_text(f.field.clone())
                .show_ui(ui, |ui| {
                    for (name, value) in &fields {
                        if ui
                            .selectable_label(*name == f.field, format!("{name}  (now {value})"))
                            .clicked()
                        {
                            f.field = name.clone();
                            f.value_start = *value;
                            f.value_end = if *value == 0.0 { 1.0 } else { value * 4.0 };
                        }
                    }
                })
                .response
                .labelled_by(l.id);
            labelled_drag_ui(ui, "from", &mut f.value_start, 0.0..=1e9, 0.1);
            labelled_drag_ui(ui, "to", &mut f.value_end, 0.0..=1e9, 0.1);
            labelled_drag_ui(ui, "at load", &mut f.param_load, 0.01..=1000.0, 0.1);
            ui.label("x");
        }
    });
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Points");
        ui.add(DragValue::new(&mut f.points).range(1..=64))
            .labelled_by(l.id);
        let l = ui.label("Replications");
        ui.add(DragValue::new(&mut f.replications).range(1..=20))
            .labelled_by(l.id)
            .on_hover_text(
                "Runs per point with different seeds; two or more give 95% confidence intervals",
            );
        ui.separator();
        ui.label("SLO:");
        labelled_drag_ui(ui, "p99 ≤", &mut f.slo_p99_ms, 0.1..=1e6, 1.0);
        ui.label("ms,");
        let mut pct = f.slo_errors * 100.0;
        labelled_drag_ui(ui, "errors ≤", &mut pct, 0.0..=100.0, 0.01);
        f.slo_errors = pct / 100.0;
        ui.label("%");
        if crate::analysis::peak::has_profile(scenario) {
            ui.separator();
            ui.checkbox(&mut f.at_peak, "At the profile's peak").on_hover_text(
                "Every client with a load profile sends its profile's peak rate for the whole run: the \
                 design judged at its busiest hour (archsim sweep --at-peak). Open runs the design as drawn",
            );
        }
    });
}
