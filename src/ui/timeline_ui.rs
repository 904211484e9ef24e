//! The fault timeline under the charts: the design's scheduled faults as bars a person drags to move and
//! drags by the right end to resize (saved in the file like every edit), and the faults injected live in
//! the last run, read-only, beside them.

use egui::{Align2, CursorIcon, FontId, Rect, RichText, Sense, Stroke, Ui, pos2, vec2};

use super::command::Command;
use super::edit::Edit;
use super::theme::chart;
use crate::metrics::FaultReport;
use crate::model::Fault;

/// Height of one fault's row, points.
pub const ROW_H: f32 = 18.0;
/// Width of the grip at a bar's right end that resizes it, points.
const GRIP_W: f32 = 7.0;
/// Width of the row labels left of the bars, points.
const LABEL_W: f32 = 150.0;
/// Moves and resizes snap to this, simulated seconds.
const SNAP_S: f64 = 0.5;
/// Shortest fault a resize leaves, simulated seconds.
const MIN_DURATION_S: f64 = SNAP_S;

/// What one drag does to a scheduled fault.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BarDrag {
    /// The bar's body: the start moves, the duration stays.
    Move,
    /// The grip at its right end: the duration changes, the start stays.
    Resize,
}

/// The fault after dragging by `dx_s` simulated seconds from where it was when the drag began, snapped to
/// half seconds and kept inside the time axis (`0..=end_s`).
pub fn dragged(orig: &Fault, how: BarDrag, dx_s: f64, end_s: f64) -> Fault {
    let snap = |s: f64| (s / SNAP_S).round() * SNAP_S;
    let mut f = orig.clone();
    match how {
        BarDrag::Move => {
            let latest = (end_s - orig.duration_s).max(0.0);
            f.at_s = snap(orig.at_s + dx_s).clamp(0.0, latest.max(orig.at_s));
        }
        BarDrag::Resize => {
            let longest = (end_s - orig.at_s).max(orig.duration_s);
            f.duration_s = snap(orig.duration_s + dx_s).clamp(MIN_DURATION_S, longest);
        }
    }
    f
}

/// The time axis the timeline shows: the run's length, stretched to the last fault's end.
pub fn axis_end_s(duration_s: f64, faults: &[Fault]) -> f64 {
    faults
        .iter()
        .map(|f| f.at_s + f.duration_s)
        .fold(duration_s, f64::max)
        .max(1.0)
}

/// Rows the timeline needs (for the room the charts leave it).
pub fn rows(scheduled: &[Fault], ran: &[FaultReport]) -> usize {
    scheduled.len() + ran.iter().filter(|f| f.live).count()
}

/// The timeline: one row per scheduled fault (draggable), then one per fault injected live in the last
/// run (`ran`, read-only); a line at `now_s` while a run is on screen.
pub fn timeline_ui(
    ui: &mut Ui,
    scheduled: &[Fault],
    ran: &[FaultReport],
    duration_s: f64,
    now_s: Option<f64>,
    out: &mut Vec<Command>,
) {
    let live: Vec<&FaultReport> = ran.iter().filter(|f| f.live).collect();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Fault timeline").strong());
        ui.label(
            RichText::new(if scheduled.is_empty() {
                "none scheduled: select a node or edge, then Schedule under Faults in the inspector (or right-click a node)"
            } else {
                "drag a bar to move it, its right end to change how long it lasts"
            })
            .small()
            .weak(),
        );
    });
    if scheduled.is_empty() && live.is_empty() {
        return;
    }
    let end_s = axis_end_s(duration_s, scheduled);
    let width = ui.available_width().max(LABEL_W + 120.0);
    let n = scheduled.len() + live.len();
    let (rect, _) = ui.allocate_exact_size(vec2(width, ROW_H * n as f32 + 14.0), Sense::hover());
    let track = Rect::from_min_max(pos2(rect.left() + LABEL_W, rect.top()), rect.max);
    let px_per_s = track.width() as f64 / end_s;
    let x = |s: f64| track.left() + ((s / end_s).clamp(0.0, 1.0) * track.width() as f64) as f32;
    let painter = ui.painter_at(rect.expand(1.0));
    let text = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let font = FontId::proportional(11.0);
    // Axis ticks under the rows.
    let axis_y = rect.top() + ROW_H * n as f32;
    let step = tick_step_s(end_s, track.width());
    let mut t = 0.0;
    while t <= end_s + 1e-9 {
        painter.line_segment(
            [pos2(x(t), rect.top()), pos2(x(t), axis_y + 2.0)],
            Stroke::new(0.5, ui.visuals().faint_bg_color),
        );
        painter.text(
            pos2(x(t), axis_y + 1.0),
            Align2::CENTER_TOP,
            format!("{t:.0} s"),
            FontId::proportional(9.5),
            weak,
        );
        t += step;
    }
    for (i, f) in scheduled.iter().enumerate() {
        let top = rect.top() + i as f32 * ROW_H;
        painter.text(
            pos2(rect.left(), top + ROW_H / 2.0),
            Align2::LEFT_CENTER,
            format!("{} {}", f.kind.name(), f.target),
            font.clone(),
            text,
        );
        let bar = Rect::from_min_max(
            pos2(x(f.at_s), top + 2.0),
            pos2(
                x(f.at_s + f.duration_s).max(x(f.at_s) + 2.0 * GRIP_W),
                top + ROW_H - 2.0,
            ),
        );
        let id = egui::Id::unique(("fault_bar", i));
        let grip = Rect::from_min_max(pos2(bar.right() - GRIP_W, bar.top()), bar.max);
        let body = ui.interact(bar, id, Sense::drag()).on_hover_text(format!(
            "{} on {}: {:.1} s to {:.1} s. Drag to move; drag the right end to resize.",
            f.kind.name(),
            f.target,
            f.at_s,
            f.at_s + f.duration_s
        ));
        body.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Slider,
                true,
                format!("Fault bar {} {}", f.kind.name(), f.target),
            )
        });
        let resize = ui.interact(grip, id.with("grip"), Sense::drag());
        resize.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Slider,
                true,
                format!("Resize {} {}", f.kind.name(), f.target),
            )
        });
        if resize.hovered() || resize.dragged() {
            ui.ctx().set_cursor_icon(CursorIcon::ResizeHorizontal);
        } else if body.dragged() {
            ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
        } else if body.hovered() {
            ui.ctx().set_cursor_icon(CursorIcon::Grab);
        }
        let how = if resize.dragged() || resize.drag_stopped() {
            Some((BarDrag::Resize, &resize))
        } else if body.dragged() || body.drag_stopped() {
            Some((BarDrag::Move, &body))
        } else {
            None
        };
        if let Some((how, r)) = how {
            // The drag is measured from where it began (kept in memory), so snapping never accumulates.
            let key = id.with("orig");
            if r.drag_started() {
                ui.data_mut(|d| d.insert_temp(key, f.clone()));
            }
            let orig = ui
                .data(|d| d.get_temp::<Fault>(key))
                .unwrap_or_else(|| f.clone());
            // On release the press origin is gone: the last frame's move stands.
            let total_px = r
                .interact_pointer_pos()
                .zip(r.ctx.input(|i| i.pointer.press_origin()))
                .map(|(p, o)| p.x - o.x);
            if let Some(px) = total_px.filter(|_| !r.drag_stopped()) {
                let moved = dragged(&orig, how, px as f64 / px_per_s, end_s);
                if moved != *f {
                    let mut all = scheduled.to_vec();
                    all[i] = moved;
                    out.push(Command::Edit(Edit::SetFaults(all)));
                }
            }
            if r.drag_stopped() {
                out.push(Command::EndGesture);
                ui.data_mut(|d| d.remove::<Fault>(key));
            }
        }
        let active = body.hovered() || body.dragged() || resize.dragged();
        painter.rect_filled(bar, 3.0, chart::FAULT);
        if active {
            painter.rect_stroke(bar, 3.0, Stroke::new(1.5, text), egui::StrokeKind::Outside);
        }
        painter.rect_filled(grip.shrink2(vec2(2.0, 3.0)), 1.0, chart::FAULT_GRIP);
        painter.text(
            pos2(bar.left() + 4.0, bar.center().y),
            Align2::LEFT_CENTER,
            format!("{:.1}-{:.1} s", f.at_s, f.at_s + f.duration_s),
            FontId::proportional(10.0),
            chart::FAULT_TEXT,
        );
    }
    for (j, f) in live.iter().enumerate() {
        let top = rect.top() + (scheduled.len() + j) as f32 * ROW_H;
        painter.text(
            pos2(rect.left(), top + ROW_H / 2.0),
            Align2::LEFT_CENTER,
            format!("{} {} (live)", f.kind, f.target),
            font.clone(),
            weak,
        );
        let bar = Rect::from_min_max(
            pos2(x(f.start_s), top + 4.0),
            pos2(x(f.end_s).max(x(f.start_s) + 2.0), top + ROW_H - 4.0),
        );
        painter.rect_filled(bar, 2.0, chart::FAULT_LIVE);
    }
    if let Some(now) = now_s.filter(|s| *s > 0.0) {
        painter.line_segment(
            [pos2(x(now), rect.top()), pos2(x(now), axis_y)],
            Stroke::new(1.5, chart::NOW),
        );
    }
}

/// A round tick spacing that leaves room for the labels.
fn tick_step_s(end_s: f64, width: f32) -> f64 {
    let max_ticks = (width / 50.0).max(2.0) as f64;
    [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ]
    .into_iter()
    .find(|s| end_s / s <= max_ticks)
    .unwrap_or(end_s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FaultKind;

    fn flush(at_s: f64, duration_s: f64) -> Fault {
        Fault {
            at_s,
            duration_s,
            target: "cache".into(),
            kind: FaultKind::Flush,
        }
    }

    #[test]
    fn a_move_keeps_the_duration_snaps_to_half_seconds_and_stays_on_the_axis() {
        let f = flush(20.0, 10.0);
        assert_eq!(dragged(&f, BarDrag::Move, 3.26, 60.0), flush(23.5, 10.0));
        assert_eq!(dragged(&f, BarDrag::Move, -100.0, 60.0), flush(0.0, 10.0));
        // It cannot run past the end of the axis.
        assert_eq!(dragged(&f, BarDrag::Move, 100.0, 60.0), flush(50.0, 10.0));
    }

    #[test]
    fn a_resize_keeps_the_start_and_never_goes_below_half_a_second() {
        let f = flush(20.0, 10.0);
        assert_eq!(dragged(&f, BarDrag::Resize, 4.9, 60.0), flush(20.0, 15.0));
        assert_eq!(dragged(&f, BarDrag::Resize, -50.0, 60.0), flush(20.0, 0.5));
        assert_eq!(dragged(&f, BarDrag::Resize, 500.0, 60.0), flush(20.0, 40.0));
    }

    #[test]
    fn the_axis_reaches_the_last_fault() {
        assert_eq!(axis_end_s(60.0, &[flush(20.0, 10.0)]), 60.0);
        assert_eq!(axis_end_s(60.0, &[flush(55.0, 10.0)]), 65.0);
    }
}
