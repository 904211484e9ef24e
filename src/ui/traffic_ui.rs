//! Inspector rows for a client's traffic over time: its load profile and closed-loop users.

use egui::{DragValue, Ui};

use crate::model::{Arrival, Dist, Profile};

use super::dist_ui::dist_ui;
use super::rows::number_row_ui;

/// Rows for closed-loop users: how many, and their think time.
pub fn closed_loop_rows_ui(ui: &mut Ui, a: &mut Arrival) -> bool {
    let Arrival::ClosedLoop {
        users,
        think_time_ms,
    } = a
    else {
        return false;
    };
    let l = ui
        .label("  users")
        .on_hover_text("Closed-loop users (times the load): each waits for its answer, thinks, then sends again; the rate is ignored");
    let mut changed = ui
        .add(
            DragValue::new(users)
                .clamp_existing_to_range(false)
                .range(1..=1_000_000),
        )
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    ui.label("  think time");
    changed |= dist_ui(ui, "think", think_time_ms);
    ui.end_row();
    changed
}

/// The default closed loop the arrival picker switches to: 50 users thinking 1 s on average.
pub fn default_closed_loop() -> Arrival {
    Arrival::ClosedLoop {
        users: 50,
        think_time_ms: Dist::Exponential { mean: 1000.0 },
    }
}

const KINDS: [&str; 5] = ["constant", "steps", "ramp", "diurnal", "trace"];

fn kind_of(p: &Option<Profile>) -> usize {
    match p {
        None => 0,
        Some(Profile::Steps(_)) => 1,
        Some(Profile::Ramp { .. }) => 2,
        Some(Profile::Diurnal { .. }) => 3,
        Some(Profile::Trace { .. }) => 4,
    }
}

fn new_profile(kind: usize) -> Option<Profile> {
    match kind {
        1 => Some(Profile::Steps(vec![(30.0, 3.0), (60.0, 1.0)])),
        2 => Some(Profile::Ramp {
            from: 1.0,
            to: 4.0,
            at_s: 0.0,
            over_s: 60.0,
        }),
        3 => Some(Profile::Diurnal {
            period_s: 60.0,
            peak_to_trough: 3.5,
            peak_at_s: 40.0,
        }),
        4 => Some(Profile::Trace {
            rates_rps: vec![100.0, 300.0, 50.0],
            step_s: 10.0,
            file: None,
        }),
        _ => None,
    }
}

/// Rows for a Poisson client's load profile: a kind picker and the kind's fields.
pub fn profile_rows_ui(ui: &mut Ui, p: &mut Option<Profile>) -> bool {
    let cur = kind_of(p);
    let mut changed = false;
    let l = ui.label("Load over time").on_hover_text(
        "How the rate varies over the run: rate x load x the profile's multiplier at t",
    );
    egui::ComboBox::from_id_salt("profile")
        .selected_text(KINDS[cur])
        .show_ui(ui, |ui| {
            for (i, k) in KINDS.iter().enumerate() {
                if ui.selectable_label(i == cur, *k).clicked() && i != cur {
                    *p = new_profile(i);
                    changed = true;
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    match p {
        None => {}
        Some(Profile::Steps(steps)) => {
            let mut remove = None;
            for (i, (at, m)) in steps.iter_mut().enumerate() {
                ui.label(format!("  step {}", i + 1));
                ui.horizontal(|ui| {
                    changed |= ui
                        .add(
                            DragValue::new(at)
                                .range(0.0..=604_800.0)
                                .prefix("at ")
                                .suffix(" s"),
                        )
                        .changed();
                    changed |= ui
                        .add(
                            DragValue::new(m)
                                .speed(0.05)
                                .range(0.0..=10_000.0)
                                .prefix("x"),
                        )
                        .changed();
                    if ui
                        .small_button("−")
                        .on_hover_text("Remove this step")
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
                ui.end_row();
            }
            if let Some(i) = remove.filter(|_| steps.len() > 1) {
                steps.remove(i);
                changed = true;
            }
            ui.label("");
            if ui.small_button("+ step").clicked() {
                let last = steps.last().map_or(0.0, |s| s.0);
                steps.push((last + 30.0, 1.0));
                changed = true;
            }
            ui.end_row();
        }
        Some(Profile::Ramp {
            from,
            to,
            at_s,
            over_s,
        }) => {
            changed |= number_row_ui(
                ui,
                "  from",
                "Multiplier before the ramp",
                from,
                0.0..=10_000.0,
                0.1,
                "x",
            );
            changed |= number_row_ui(
                ui,
                "  to",
                "Multiplier at the ramp's end, and after",
                to,
                0.0..=10_000.0,
                0.1,
                "x",
            );
            changed |= number_row_ui(
                ui,
                "  starts at",
                "When the ramp starts",
                at_s,
                0.0..=604_800.0,
                0.1,
                " s",
            );
            changed |= number_row_ui(
                ui,
                "  lasts",
                "How long the ramp takes",
                over_s,
                0.001..=604_800.0,
                0.1,
                " s",
            );
        }
        Some(Profile::Diurnal {
            period_s,
            peak_to_trough,
            peak_at_s,
        }) => {
            changed |= number_row_ui(
                ui,
                "  day length",
                "One period of the curve (a short one compresses a day)",
                period_s,
                0.001..=604_800.0,
                0.1,
                " s",
            );
            changed |= number_row_ui(
                ui,
                "  peak / trough",
                "The highest rate over the lowest; the rate is the day's average",
                peak_to_trough,
                1.0..=10_000.0,
                0.1,
                "x",
            );
            changed |= number_row_ui(
                ui,
                "  peak at",
                "When in the period the peak comes",
                peak_at_s,
                0.0..=604_800.0,
                0.1,
                " s",
            );
        }
        Some(Profile::Trace {
            rates_rps,
            step_s,
            file,
        }) => {
            ui.label("  trace");
            ui.label(format!(
                "{} values x {} s{}",
                rates_rps.len(),
                step_s,
                file.as_ref()
                    .map_or(String::new(), |f| format!(" from {f}"))
            ));
            ui.end_row();
        }
    }
    changed
}
