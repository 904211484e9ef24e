//! Overlays drawn over the canvas: the frame-time figures (F12) and the toasts.

use egui::Ui;

use super::app::App;
use super::theme::Theme;

impl App {
    /// The frame-time overlay (F12) in the canvas's top right corner.
    pub(super) fn debug_overlay(&self, ui: &mut Ui) {
        let Some(rect) = self.canvas.last_rect else {
            return;
        };
        let t = Theme::from_visuals(ui.visuals());
        let snap = self.runner.snapshot.as_ref();
        let text = format!(
            "frame {:.1} ms{}\ncpu {:.1} ms per frame\nsim slice {:.1} ms\nevents {}\nnodes {}  edges {}\ndots {}",
            self.frame_ms,
            if self.frame_ms > 16.7 { "  (slow)" } else { "" },
            self.cpu_ms,
            self.runner.slice_ms,
            snap.map_or(0, |s| s.events),
            self.doc.scenario.nodes.len(),
            self.doc.scenario.edges.len(),
            self.runner.dots.len()
        );
        let painter = ui.painter_at(rect);
        let galley = painter.layout_no_wrap(
            text,
            egui::FontId::monospace(11.0),
            if self.frame_ms > 16.7 { t.warn } else { t.text },
        );
        let r = egui::Rect::from_min_size(
            rect.right_top() + egui::vec2(-galley.size().x - 18.0, 8.0),
            galley.size() + egui::vec2(12.0, 8.0),
        );
        painter.rect_filled(r, 6.0, t.badge_bg);
        painter.galley(
            r.min + egui::vec2(6.0, 4.0),
            galley,
            egui::Color32::PLACEHOLDER,
        );
    }

    /// Toasts, newest at the bottom of the canvas.
    pub(super) fn toasts_ui(&mut self, ui: &mut Ui) {
        let now = ui.input(|i| i.time);
        self.toasts.retain(|(_, until)| *until > now);
        let Some(rect) = self.canvas.last_rect else {
            return;
        };
        if self.toasts.is_empty() {
            return;
        }
        let t = Theme::from_visuals(ui.visuals());
        let mut y = rect.bottom() - 30.0;
        for (msg, _) in self.toasts.iter().rev() {
            let painter = ui.painter_at(rect);
            let galley =
                painter.layout(msg.clone(), egui::FontId::proportional(13.0), t.text, 420.0);
            let size = galley.size() + egui::vec2(20.0, 12.0);
            let r = egui::Rect::from_min_size(egui::pos2(rect.left() + 12.0, y - size.y), size);
            painter.rect_filled(r, 8.0, t.badge_bg);
            painter.rect_stroke(
                r,
                8.0,
                egui::Stroke::new(1.0, t.node_border),
                egui::StrokeKind::Inside,
            );
            painter.galley(
                r.min + egui::vec2(10.0, 6.0),
                galley,
                egui::Color32::PLACEHOLDER,
            );
            y -= size.y + 6.0;
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(250));
    }
}
