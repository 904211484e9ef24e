//! The canvas's right-click menu: on a node, that node's actions (inspect, duplicate, delete, inject or
//! schedule a fault); on empty space or an edge, the selection's and the view's.

use egui::Ui;

use super::canvas::CanvasInput;
use super::command::{Command, Selection};
use super::edit::Edit;
use super::faults_ui::kinds_for;
use crate::model::Fault;

/// How long a fault picked from the menu lasts, simulated seconds (the inspector's default).
const MENU_FAULT_S: f64 = 10.0;

/// The menu's contents; `node` is the node right-clicked, if any.
pub fn context_menu_ui(
    ui: &mut Ui,
    node: Option<&str>,
    input: &CanvasInput<'_>,
    out: &mut Vec<Command>,
) {
    let node = node.and_then(|id| input.scenario.node(id));
    if let Some(n) = node {
        ui.label(egui::RichText::new(format!("{} ({})", n.id, n.kind.tag().as_str())).strong());
        if ui
            .button("Inspect")
            .on_hover_text("Select it: its settings, faults and charts show in the inspector and under the diagram")
            .clicked()
        {
            out.push(Command::Select(Selection::node(n.id.clone())));
            ui.close();
        }
    }
    let any = node.is_some() || !input.selection.is_empty();
    if ui
        .add_enabled(any, egui::Button::new("Duplicate").shortcut_text("Ctrl+D"))
        .clicked()
    {
        out.push(Command::DuplicateSelection);
    }
    if ui
        .add_enabled(any, egui::Button::new("Delete").shortcut_text("Del"))
        .clicked()
    {
        out.push(Command::DeleteSelection);
    }
    if let Some(n) = node {
        let kinds = kinds_for(super::faults_ui::FaultSite::Node(&n.kind));
        let runner = input.runner;
        let running = runner.has_sim();
        ui.add_enabled_ui(running, |ui| {
            ui.menu_button("Inject fault now", |ui| {
                for k in &kinds {
                    if ui
                        .button(k.name())
                        .on_hover_text(super::help::fault_blurb(k))
                        .clicked()
                    {
                        out.push(Command::InjectFault(Fault {
                            at_s: runner.time_s(),
                            duration_s: MENU_FAULT_S,
                            target: n.id.clone(),
                            kind: k.clone(),
                        }));
                        ui.close();
                    }
                }
            })
        })
        .response
        .on_disabled_hover_text("Run the simulation first");
        ui.menu_button("Schedule fault", |ui| {
            // A third of the way into the run, so its start and its recovery both show.
            let at_s = (input.scenario.duration_s / 3.0).round();
            ui.label(
                egui::RichText::new(format!(
                    "at {at_s:.0} s for {MENU_FAULT_S:.0} s; drag it on the fault timeline under the charts"
                ))
                .small()
                .weak(),
            );
            for k in &kinds {
                if ui
                    .button(k.name())
                    .on_hover_text(super::help::fault_blurb(k))
                    .clicked()
                {
                    let mut all = input.scenario.faults.clone();
                    all.push(Fault {
                        at_s,
                        duration_s: MENU_FAULT_S,
                        target: n.id.clone(),
                        kind: k.clone(),
                    });
                    out.push(Command::Edit(Edit::SetFaults(all)));
                    out.push(Command::EndGesture);
                    ui.close();
                }
            }
        });
    }
    ui.separator();
    if ui
        .add(egui::Button::new("Zoom to fit").shortcut_text("F"))
        .clicked()
    {
        out.push(Command::FitView);
    }
    if ui
        .add(egui::Button::new("Arrange").shortcut_text("L"))
        .on_hover_text("Lay the diagram out left to right by call depth, with few crossings (Ctrl+Z undoes it)")
        .clicked()
    {
        out.push(Command::Arrange);
    }
    if ui
        .add(egui::Button::new("Select all").shortcut_text("Ctrl+A"))
        .clicked()
    {
        out.push(Command::SelectAll);
    }
}
