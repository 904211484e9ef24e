//! Zones and regions in the inspector: with nothing selected, the design's regions, their zones, the
//! latency between them (the built-in measured figures shown where they apply) and each place's outage;
//! with a node selected, the zone it runs in.

use egui::{DragValue, RichText, Ui};

use crate::model::topology::LatencySource;
use crate::model::{Link, Region, Scenario, Topology};

use super::command::Command;
use super::edit::Edit;
use super::faults_ui::{FaultDraft, FaultSite};
use super::rows::{number_row_ui, row};
use super::runner::Runner;
use super::theme;

/// Region codes offered for a new region, in order (those the built-in latency table knows).
const REGION_CODES: [&str; 8] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "ap-northeast-1",
    "eu-central-1",
    "us-west-1",
    "ap-southeast-1",
    "sa-east-1",
];

/// The topology a design starts with: one region of two zones.
pub fn starter_topology() -> Topology {
    Topology {
        regions: vec![region("us-east-1", 2)],
        ..Topology::default()
    }
}

fn region(name: &str, zones: usize) -> Region {
    Region {
        name: name.to_owned(),
        zones: (0..zones).map(|i| zone_name(name, i)).collect(),
    }
}

/// `us-east-1` and 0 give `us-east-1a`, as the clouds name zones.
fn zone_name(region: &str, i: usize) -> String {
    let letter = (b'a' + (i % 26) as u8) as char;
    format!("{region}{letter}")
}

/// The node's zone picker (only when the design has a topology).
pub(super) fn zone_row_ui(ui: &mut Ui, s: &Scenario, id: &str, out: &mut Vec<Command>) {
    let (Some(t), Some(node)) = (&s.topology, s.node(id)) else {
        return;
    };
    let mut zone = node.zone.clone();
    ui.horizontal(|ui| {
        let l = ui.label("Zone").on_hover_text(
            "Where the node runs: calls to other zones and regions pay the latency between them, and a zone or region outage takes it down",
        );
        egui::ComboBox::from_id_salt("node_zone")
            .selected_text(zone.as_deref().unwrap_or("(none)"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut zone, None, "(none)");
                for r in &t.regions {
                    for z in &r.zones {
                        ui.selectable_value(&mut zone, Some(z.clone()), format!("{z} · {}", r.name));
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    if zone != node.zone {
        out.push(Command::Edit(Edit::SetZone {
            id: id.to_owned(),
            zone,
        }));
    }
}

/// "Zones and regions" in the scenario panel.
pub(super) fn topology_ui(
    ui: &mut Ui,
    s: &Scenario,
    draft: &mut FaultDraft,
    runner: &Runner,
    out: &mut Vec<Command>,
) {
    egui::CollapsingHeader::new("Zones and regions")
        .default_open(s.topology.is_some())
        .show(ui, |ui| {
            let Some(t) = &s.topology else {
                ui.label(
                    RichText::new("Every node is in one place: edges pay only their own latency.")
                        .weak(),
                );
                if ui
                    .button("Add zones and regions")
                    .on_hover_text(
                        "Start with us-east-1 and its zones a and b; then pick each node's zone",
                    )
                    .clicked()
                {
                    out.push(Command::Edit(Edit::SetTopology(Some(starter_topology()))));
                }
                return;
            };
            let mut t = t.clone();
            let mut changed = regions_ui(ui, &mut t);
            ui.add_space(theme::SECTION_GAP);
            changed |= latency_ui(ui, &mut t);
            if changed {
                out.push(Command::Edit(Edit::SetTopology(Some(t.clone()))));
            }
            ui.add_space(theme::SECTION_GAP);
            outage_ui(ui, s, &t, draft, runner, out);
            ui.add_space(theme::SECTION_GAP);
            if ui
                .button("Remove zones and regions")
                .on_hover_text("Every node back in one place; outages on zones go too")
                .clicked()
            {
                out.push(Command::Edit(Edit::SetTopology(None)));
            }
        });
}

/// Each region with its zones: names editable, zones and regions added and removed.
fn regions_ui(ui: &mut Ui, t: &mut Topology) -> bool {
    let mut changed = false;
    let mut drop_region = None;
    for (ri, r) in t.regions.iter_mut().enumerate() {
        ui.push_id(("region", ri), |ui| {
            ui.horizontal(|ui| {
                let l = ui.label(RichText::new("Region").strong());
                changed |= ui
                    .add(egui::TextEdit::singleline(&mut r.name).desired_width(120.0))
                    .labelled_by(l.id)
                    .changed();
                if ui
                    .small_button("Remove")
                    .on_hover_text("Remove the region; its nodes lose their zone")
                    .clicked()
                {
                    drop_region = Some(ri);
                }
            });
            let mut drop_zone = None;
            let many = r.zones.len() > 1;
            // One zone a line, its remove button beside it.
            for (zi, z) in r.zones.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    ui.add_space(12.0);
                    let l = ui.label("zone");
                    changed |= ui
                        .add(egui::TextEdit::singleline(z).desired_width(110.0))
                        .labelled_by(l.id)
                        .on_hover_text("Zone name (unique in the design)")
                        .changed();
                    if many && ui.small_button("x").on_hover_text("Remove zone").clicked() {
                        drop_zone = Some(zi);
                    }
                });
            }
            ui.horizontal(|ui| {
                ui.add_space(12.0);
                if ui.small_button("+ zone").clicked() {
                    let name = (r.zones.len()..)
                        .map(|i| zone_name(&r.name, i))
                        .find(|n| !r.zones.contains(n))
                        .unwrap_or_default();
                    r.zones.push(name);
                    changed = true;
                }
            });
            if let Some(zi) = drop_zone {
                r.zones.remove(zi);
                changed = true;
            }
        });
    }
    if let Some(ri) = drop_region {
        t.regions.remove(ri);
        changed = true;
    }
    if ui
        .button("+ region")
        .on_hover_text("Add a region with one zone (named after a cloud region, so its measured latency applies)")
        .clicked()
    {
        let name = REGION_CODES
            .iter()
            .find(|c| !t.regions.iter().any(|r| r.name == **c))
            .map_or_else(|| format!("region-{}", t.regions.len() + 1), |c| (*c).to_owned());
        t.regions.push(region(&name, 1));
        changed = true;
    }
    changed
}

/// The latency between zones and between each pair of regions, one way.
fn latency_ui(ui: &mut Ui, t: &mut Topology) -> bool {
    let mut changed = false;
    egui::Grid::new("topology_latency")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            changed |= number_row_ui(
                ui,
                "Between zones",
                "One-way latency added to a call between two zones of a region (measured between AWS zones: 0.25 to 3.4 ms round trip)",
                &mut t.cross_zone_ms,
                0.0..=1000.0,
                0.01,
                " ms",
            );
            changed |= number_row_ui(
                ui,
                "Between regions",
                "One-way latency between regions the table below does not give",
                &mut t.cross_region_ms,
                0.0..=1000.0,
                0.5,
                " ms",
            );
            let names: Vec<String> = t.regions.iter().map(|r| r.name.clone()).collect();
            for (i, a) in names.iter().enumerate() {
                for b in &names[i + 1..] {
                    let (mut ms, source) = t.region_latency(a, b);
                    let source = match source {
                        LatencySource::Set => "set here",
                        LatencySource::Measured => "half the measured round trip",
                        LatencySource::Default => "the default between regions",
                    };
                    let label = format!("{a} to {b}");
                    if row(ui, &label, &format!("One-way latency, ms ({source})"), |ui| {
                        ui.add(DragValue::new(&mut ms).range(0.0..=1000.0).speed(0.5).suffix(" ms"))
                    }) {
                        t.links.retain(|l| !pair(l, a, b));
                        t.links.push(Link {
                            a: a.clone(),
                            b: b.clone(),
                            one_way_ms: ms,
                        });
                        changed = true;
                    }
                }
            }
        });
    changed
}

fn pair(l: &Link, a: &str, b: &str) -> bool {
    (l.a == a && l.b == b) || (l.a == b && l.b == a)
}

/// Inject or schedule an outage of one region or zone.
fn outage_ui(
    ui: &mut Ui,
    s: &Scenario,
    t: &Topology,
    draft: &mut FaultDraft,
    runner: &Runner,
    out: &mut Vec<Command>,
) {
    let places: Vec<String> = t.places().into_iter().map(str::to_owned).collect();
    if places.is_empty() {
        return;
    }
    let id = ui.scope_id().with("outage_place");
    let mut pick: usize = ui
        .data(|d| d.get_temp(id))
        .unwrap_or(0)
        .min(places.len() - 1);
    ui.horizontal(|ui| {
        let l = ui.label("Outage of");
        egui::ComboBox::from_id_salt("outage_place")
            .selected_text(&places[pick])
            .show_ui(ui, |ui| {
                for (i, p) in places.iter().enumerate() {
                    ui.selectable_value(&mut pick, i, p);
                }
            })
            .response
            .labelled_by(l.id);
    });
    ui.data_mut(|d| d.insert_temp(id, pick));
    super::faults_ui::inject_ui(
        ui,
        draft,
        &places[pick],
        FaultSite::Place,
        &s.faults,
        runner,
        out,
    );
}
