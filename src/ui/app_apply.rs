//! Applying commands: the one place where the scenario, the selection and the run change.

use egui::Context;

use crate::model::{Scenario, presets};

use super::app::App;
use super::command::{Command, Selection};
use super::document::Document;
use super::edit::Edit;
use super::runner::RunState;

impl App {
    /// Applies one command (public so tests and scripts can drive the app exactly like the UI does).
    pub fn apply(&mut self, ctx: &Context, cmd: Command) {
        if cmd.loses_changes() && self.doc.is_dirty() {
            self.confirm = Some(cmd);
            return;
        }
        match cmd {
            Command::Edit(edit) => self.edit(ctx, edit),
            Command::EndGesture => self.doc.end_gesture(),
            Command::Undo => {
                if self.doc.undo() {
                    self.after_history();
                } else {
                    self.toast(ctx, "Nothing to undo");
                }
            }
            Command::Redo => {
                if self.doc.redo() {
                    self.after_history();
                } else {
                    self.toast(ctx, "Nothing to redo");
                }
            }
            Command::Select(sel) => self.selection = sel,
            Command::SelectAll => {
                self.selection = Selection {
                    nodes: self
                        .doc
                        .scenario
                        .nodes
                        .iter()
                        .map(|n| n.id.clone())
                        .collect(),
                    ..Selection::default()
                }
            }
            Command::DeleteSelection => {
                if !self.selection.is_empty() {
                    let nodes = self.selection.nodes.iter().cloned().collect();
                    let edges = self.selection.edges.iter().cloned().collect();
                    self.edit(ctx, Edit::Delete { nodes, edges });
                    self.selection = Selection::default();
                }
            }
            Command::DuplicateSelection => {
                if !self.selection.nodes.is_empty() {
                    self.edit(
                        ctx,
                        Edit::Duplicate(self.selection.nodes.iter().cloned().collect()),
                    );
                }
            }
            Command::FocusRename => {
                if self.selection.single_node().is_some() {
                    self.inspector.focus_rename = true;
                }
            }
            Command::New => self.replace(Document::new(Scenario::default(), None)),
            Command::OpenDialog => self.open_dialog(ctx),
            Command::Open(path) => self.open(ctx, &path),
            Command::OpenText { name, text } => self.open_text(ctx, &name, &text),
            Command::OpenLink(fragment) => self.open_link(ctx, &fragment),
            Command::ImportDialog => self.import_dialog(ctx),
            Command::PasteDiagram => self.paste_diagram = Some(String::new()),
            Command::Import(path) => self.import_path(ctx, &path),
            Command::ImportText { name, text } => self.import_text(ctx, &name, &text),
            Command::CopyLink => self.copy_link(ctx, false),
            Command::CopyRunningLink => self.copy_link(ctx, true),
            Command::LoadPreset(name) => {
                match presets::preset(&name).map(|p| crate::model::parse(p.text, p.file)) {
                    Some(Ok(s)) => {
                        self.replace(Document::new(s, None));
                        self.toast(ctx, format!("Loaded preset '{name}'"));
                    }
                    Some(Err(e)) => self.toast(ctx, e.to_string()),
                    None => self.toast(ctx, format!("There is no preset '{name}'")),
                }
            }
            Command::ShowPresets => {
                self.show_presets = true;
                self.preset_picker.opened();
            }
            Command::Save => match self.doc.path.clone() {
                Some(p) => self.save_to(ctx, p),
                None => self.apply(ctx, Command::SaveAsDialog),
            },
            Command::SaveAsDialog => self.save_as_dialog(ctx),
            Command::SaveAs(path) => {
                let path = if std::path::Path::new(&path).extension().is_none() {
                    format!("{path}.ron")
                } else {
                    path
                };
                self.save_to(ctx, path);
            }
            Command::ExportDialog(kind) => self.export_dialog(ctx, kind),
            Command::Export(kind, path) => self.export(ctx, kind, path),
            Command::Run => self.runner.run(&self.doc.scenario),
            Command::Pause => self.runner.pause(),
            Command::ToggleRun => {
                if self.runner.state == RunState::Running {
                    self.runner.pause();
                } else {
                    self.runner.run(&self.doc.scenario);
                }
            }
            Command::Step => self.runner.step(&self.doc.scenario),
            Command::Reset => self.runner.reset(),
            Command::Restart => {
                self.runner.reset();
                self.runner.run(&self.doc.scenario);
            }
            Command::SetLoad(l) => self.runner.set_load(l),
            Command::SetSpeed(s) => self.runner.speed = s,
            Command::FitView => self.canvas.fit_requested = true,
            Command::Arrange => self.arrange(ctx),
            Command::SetSnap(on) => self.canvas.snap = on,
            Command::SetDark(on) => self.dark = on,
            Command::ShowStress(tab) => {
                self.stress.open = true;
                self.stress.tab = tab;
            }
            Command::ExplainRun => {
                match (self.runner.run_scenario(), self.runner.report.as_ref()) {
                    (Some(s), Some(r)) => {
                        let (s, r) = (s.clone(), r.clone());
                        self.stress.explain_last_run(&s, &r);
                    }
                    _ => self.toast(ctx, "Run the design first: there is nothing to explain yet"),
                }
            }
            Command::OpenRun { load, set, design } => {
                if self.guard_design(ctx, design, "open this sweep point")
                    && self.apply_sets(ctx, set.as_slice())
                {
                    self.runner.set_load(load);
                    self.runner.reset();
                    self.runner.run(&self.doc.scenario);
                    self.tab = super::app::BottomTab::Charts;
                    self.toast(ctx, format!("Running at {load:.2}x load"));
                }
            }
            Command::ApplyFix { sets, design } => {
                if self.guard_design(ctx, design, "apply this fix") {
                    let before = self.doc.scenario.clone();
                    if self.apply_sets(ctx, &sets) {
                        let msg = format!(
                            "Applied: {}. Run again to measure it.",
                            describe_changes(&before, &sets)
                        );
                        self.stress.applied = Some(msg.clone());
                        self.toast(ctx, msg);
                    }
                }
            }
            Command::VaryInOptimize(field) => {
                let s = self.doc.scenario.clone();
                self.stress.optimize.add_knob(&s, &field);
                self.stress.tab = super::StressTab::Optimize;
                self.stress.open = true;
            }
            Command::StartOptimize {
                load,
                slo_p99_ms,
                slo_errors,
            } => {
                let form = &mut self.stress.optimize.form;
                form.load = load;
                form.slo_p99_ms = slo_p99_ms;
                form.slo_errors = slo_errors;
                self.stress.tab = super::StressTab::Optimize;
                self.stress.open = true;
                let s = self.doc.scenario.clone();
                self.stress.optimize.start(&s);
            }
            Command::StartSweep {
                load_start,
                load_end,
                points,
                log,
                replications,
            } => {
                let form = &mut self.stress.form;
                form.kind = super::stress::SweepKind::Load;
                form.load_start = load_start;
                form.load_end = load_end;
                form.points = points;
                form.log = log;
                form.replications = replications;
                self.stress.tab = super::StressTab::Sweep;
                self.stress.open = true;
                let s = self.doc.scenario.clone();
                self.stress.start(&s);
            }
            Command::CancelSweep => self.stress.cancel(),
            Command::ToggleHelp => self.show_help = !self.show_help,
            Command::ToggleDebug => self.show_debug = !self.show_debug,
            Command::Notify(m) => self.toast(ctx, m),
            Command::InjectFault(f) => match self.runner.inject_fault(&f) {
                Ok(()) => self.toast(ctx, format!("{} on {}", f.kind.name(), f.target)),
                Err(e) => self.toast(ctx, e),
            },
            Command::ClearFaults => self.runner.clear_faults(),
            Command::Discarding(inner) => {
                let inner = *inner;
                if matches!(inner, Command::Quit) {
                    self.quit(ctx);
                } else {
                    // Apply without asking again: the person chose to discard.
                    let (was, design) = (self.doc.scenario.clone(), self.doc.design);
                    self.doc = Document::new(was, self.doc.path.clone());
                    self.doc.design = design;
                    self.apply(ctx, inner);
                }
            }
            Command::Quit => self.quit(ctx),
        }
    }

    fn quit(&mut self, ctx: &Context) {
        self.allow_close = true;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    fn edit(&mut self, ctx: &Context, edit: Edit) {
        let visual = edit.is_visual_only();
        match self.doc.apply(edit) {
            Ok(applied) => {
                if !applied.select_nodes.is_empty() {
                    self.selection = Selection {
                        nodes: applied.select_nodes.into_iter().collect(),
                        ..Selection::default()
                    };
                } else if let Some((f, t)) = applied.select_edge {
                    self.selection = Selection::edge(f, t);
                }
                self.prune_selection();
                if !visual {
                    self.runner.scenario_changed(&self.doc.scenario);
                }
            }
            Err(why) => self.toast(ctx, why),
        }
    }

    /// Applies `NODE.FIELD=VALUE` overrides as edits (one per changed node, so undo works); says why
    /// and changes nothing if any of them does not apply.
    fn apply_sets(&mut self, ctx: &Context, sets: &[String]) -> bool {
        let mut changed = self.doc.scenario.clone();
        for s in sets {
            if let Err(e) = crate::model::apply_override(&mut changed, s) {
                self.toast(ctx, e.to_string());
                return false;
            }
        }
        let edits: Vec<Edit> = changed
            .nodes
            .iter()
            .zip(&self.doc.scenario.nodes)
            .filter(|(new, old)| new.kind != old.kind)
            .map(|(new, _)| Edit::SetKind {
                id: new.id.clone(),
                kind: new.kind.clone(),
            })
            .collect();
        for e in edits {
            self.edit(ctx, e);
            self.doc.end_gesture();
        }
        true
    }

    /// Lays the diagram out by call depth (one undo step) and zooms to show it.
    fn arrange(&mut self, ctx: &Context) {
        let s = &self.doc.scenario;
        if s.nodes.is_empty() {
            self.toast(ctx, "Nothing to arrange: the canvas is empty");
            return;
        }
        let ys: Vec<f32> = super::view::node_centers(s).iter().map(|p| p.y).collect();
        let at = crate::model::layout::arrange(s, &ys);
        let columns = crate::model::layout::columns(s)
            .into_iter()
            .max()
            .map_or(1, |c| c + 1);
        let moved: Vec<(String, (f32, f32))> =
            s.nodes.iter().map(|n| n.id.clone()).zip(at).collect();
        let n = moved.len();
        self.doc.end_gesture();
        self.edit(ctx, Edit::SetPositions(moved));
        self.doc.end_gesture();
        self.canvas.fit_requested = true;
        self.toast(
            ctx,
            format!("Arranged {n} nodes in {columns} columns by call depth (Ctrl+Z undoes it)"),
        );
    }

    fn after_history(&mut self) {
        self.prune_selection();
        self.runner.scenario_changed(&self.doc.scenario);
    }

    /// Drops selected things that no longer exist.
    fn prune_selection(&mut self) {
        let s = &self.doc.scenario;
        self.selection.nodes.retain(|id| s.node(id).is_some());
        self.selection
            .edges
            .retain(|(f, t)| s.edges.iter().any(|e| &e.from == f && &e.to == t));
    }

    /// Is `design` the one being edited? If not, says why `what` cannot be done: results computed for a
    /// design must never change another one opened since.
    fn guard_design(&mut self, ctx: &Context, design: u64, what: &str) -> bool {
        if design == self.doc.design {
            return true;
        }
        self.toast(
            ctx,
            format!(
                "Cannot {what}: it was computed for a design that is no longer open. Run the analysis \
                 again on '{}'.",
                self.doc.title()
            ),
        );
        false
    }

    /// Shows `doc` instead of the current document: nothing selected, no run, view fitted, and nothing of
    /// the old design left in any view (problems, stress sweep, compare, explanations).
    pub(super) fn replace(&mut self, doc: Document) {
        self.doc = doc;
        self.selection = Selection::default();
        self.runner.reset();
        self.canvas.fit_requested = true;
        // The import report speaks of the design it made: with another design it would mislead.
        self.import_report = None;
        self.invalidate_views();
    }

    /// Forgets every view computed from the previous document (call after `self.doc` was replaced).
    pub(super) fn invalidate_views(&mut self) {
        self.problems_gen = None;
        self.stress.design_replaced(self.doc.design);
    }
}

/// "app replicas 1 -> 5" for each `NODE.FIELD=VALUE` override, reading the old value from `before`.
fn describe_changes(before: &Scenario, sets: &[String]) -> String {
    sets.iter()
        .map(|s| {
            let Some((target, value)) = s.split_once('=') else {
                return s.clone();
            };
            let old = target
                .split_once('.')
                .and_then(|(node, field)| {
                    let n = before.node(node)?;
                    let v = ron::to_string(&n.kind).ok()?;
                    field_value(&v, field)
                })
                .unwrap_or_else(|| "?".into());
            format!("{target} {old} -> {value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value of `field` in a RON struct's text (`replicas: 3` -> "3"), for messages only.
fn field_value(ron_text: &str, field: &str) -> Option<String> {
    let key = format!("{field}:");
    let at = ron_text.match_indices(&key).find_map(|(i, _)| {
        let before = ron_text[..i].chars().next_back();
        matches!(before, Some('(' | ',' | ' ' | '\n')).then_some(i + key.len())
    })?;
    let rest = ron_text[at..].trim_start();
    let end = rest.find([',', ')']).unwrap_or(rest.len());
    Some(rest[..end].trim().to_owned())
}
