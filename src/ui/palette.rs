//! The palette: one tile per node kind, to drag onto the canvas (or click to add at the centre).

use egui::{Sense, Stroke, StrokeKind, Ui, vec2};

use crate::model::KindTag;

use super::command::Command;
use super::edit::Edit;
use super::icons;
use super::theme::{self, Theme};

/// One-line description of each kind, for tooltips.
fn blurb(kind: KindTag) -> &'static str {
    match kind {
        KindTag::Client => {
            "Traffic source: sends requests at a rate (open loop). Nothing can call a client."
        }
        KindTag::LoadBalancer => {
            "Spreads requests over its outgoing edges (round robin, least connections...)."
        }
        KindTag::Service => {
            "Application server: replicas × workers with a bounded queue; calls downstream in order."
        }
        KindTag::Cache => {
            "Look-aside cache: hits answer here, misses go on to the store behind it."
        }
        KindTag::Queue => {
            "Message broker: acknowledges producers once stored; services behind it consume."
        }
        KindTag::Database => {
            "Connection-pooled database with optional read replicas. Never calls out."
        }
        KindTag::RateLimiter => {
            "Admits requests up to a rate (token/leaky bucket, fixed/sliding window); the rest get a 429."
        }
        KindTag::Gateway => {
            "API gateway: authenticates API keys, rate-limits each key (429s) and routes request classes to backends."
        }
    }
}

/// Draws the palette. `add_kind` is the kind a double-click on the canvas adds; `center` is where a
/// clicked tile places its node (world units).
pub fn palette_ui(ui: &mut Ui, add_kind: &mut KindTag, center: (f32, f32), out: &mut Vec<Command>) {
    let t = Theme::from_visuals(ui.visuals());
    ui.add_space(4.0);
    ui.strong("Components");
    ui.label(egui::RichText::new("Drag onto the canvas").small().weak());
    ui.add_space(4.0);
    for kind in KindTag::ALL {
        let id = egui::Id::unique(("palette", kind));
        let color = theme::kind_color(kind);
        let r = ui
            .dnd_drag_source(id, kind, |ui| {
                let (rect, _) =
                    ui.allocate_exact_size(vec2(ui.available_width(), 40.0), Sense::hover());
                let painter = ui.painter();
                let selected = *add_kind == kind;
                painter.rect_filled(rect, 8.0, t.node_bg);
                painter.rect_stroke(
                    rect,
                    8.0,
                    Stroke::new(
                        if selected { 2.0 } else { 1.0 },
                        if selected { color } else { t.node_border },
                    ),
                    StrokeKind::Inside,
                );
                let icon = icons::icon_rect(rect.left_center() + vec2(20.0, 0.0), 22.0);
                icons::paint_icon(painter, kind, icon, color);
                painter.text(
                    rect.left_center() + vec2(40.0, 0.0),
                    egui::Align2::LEFT_CENTER,
                    theme::kind_label(kind),
                    egui::FontId::proportional(13.5),
                    t.text,
                );
            })
            .response;
        let r = r.interact(Sense::click());
        r.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, theme::kind_label(kind))
        });
        let r = r.on_hover_text(format!(
            "{}\nClick to add at the centre; drag to place.",
            blurb(kind)
        ));
        if r.clicked() {
            *add_kind = kind;
            out.push(Command::Edit(Edit::AddNode { kind, pos: center }));
        }
        ui.add_space(2.0);
    }
}
