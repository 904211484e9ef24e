//! Vector icons for the node kinds, drawn with the painter so they look the same at every zoom.

use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, pos2, vec2};

use crate::model::KindTag;

/// Paints the icon of `kind` centred in `rect`.
pub fn paint_icon(painter: &Painter, kind: KindTag, rect: Rect, color: Color32) {
    let c = rect.center();
    let s = rect.width().min(rect.height()) / 2.0;
    let w = (s * 0.16).max(1.0);
    let stroke = Stroke::new(w, color);
    let p = |x: f32, y: f32| -> Pos2 { c + vec2(x * s, y * s) };
    match kind {
        KindTag::Client => {
            painter.circle_stroke(p(0.0, -0.42), s * 0.3, stroke);
            let body: Vec<Pos2> = (0..=12)
                .map(|i| {
                    let a = std::f32::consts::PI * (i as f32 / 12.0);
                    p(-a.cos() * 0.65, 0.75 - a.sin() * 0.7)
                })
                .collect();
            painter.add(Shape::line(body, stroke));
            painter.line_segment([p(-0.65, 0.75), p(0.65, 0.75)], stroke);
        }
        KindTag::LoadBalancer => {
            painter.circle_filled(p(-0.7, 0.0), s * 0.16, color);
            for y in [-0.65, 0.0, 0.65] {
                painter.line_segment([p(-0.6, 0.0), p(0.55, y)], stroke);
                painter.circle_filled(p(0.65, y), s * 0.16, color);
            }
        }
        KindTag::Service => {
            let teeth = 8;
            let pts: Vec<Pos2> = (0..teeth * 4)
                .map(|i| {
                    let a = std::f32::consts::TAU * (i as f32 + 0.5) / (teeth * 4) as f32;
                    let r = if (i / 2) % 2 == 0 { 0.85 } else { 0.62 };
                    p(a.cos() * r, a.sin() * r)
                })
                .collect();
            painter.add(Shape::closed_line(pts, stroke));
            painter.circle_stroke(c, s * 0.25, stroke);
        }
        KindTag::Cache => {
            let bolt = vec![
                p(0.15, -0.9),
                p(-0.5, 0.1),
                p(-0.02, 0.1),
                p(-0.2, 0.9),
                p(0.5, -0.15),
                p(0.02, -0.15),
            ];
            painter.add(Shape::convex_polygon(
                bolt[..3].to_vec(),
                color,
                Stroke::NONE,
            ));
            painter.add(Shape::closed_line(bolt, stroke));
            painter.add(Shape::convex_polygon(
                vec![p(-0.2, 0.9), p(0.5, -0.15), p(0.02, -0.15)],
                color,
                Stroke::NONE,
            ));
        }
        KindTag::RateLimiter => {
            // A gauge: an arc with its needle near the red line.
            let arc: Vec<Pos2> = (0..=16)
                .map(|i| {
                    let a = std::f32::consts::PI * (1.0 + i as f32 / 16.0);
                    p(0.8 * a.cos(), 0.35 + 0.8 * a.sin())
                })
                .collect();
            painter.add(Shape::line(arc, stroke));
            painter.line_segment([p(0.0, 0.35), p(0.5, -0.2)], stroke);
            painter.circle_filled(p(0.0, 0.35), s * 0.12, color);
        }
        KindTag::Gateway => {
            // A gate: two pillars under an arch, with a keyhole between them.
            let arch: Vec<Pos2> = (0..=16)
                .map(|i| {
                    let a = std::f32::consts::PI * (1.0 + i as f32 / 16.0);
                    p(0.6 * a.cos(), -0.1 + 0.6 * a.sin())
                })
                .collect();
            painter.add(Shape::line(arch, stroke));
            painter.line_segment([p(-0.6, -0.1), p(-0.6, 0.85)], stroke);
            painter.line_segment([p(0.6, -0.1), p(0.6, 0.85)], stroke);
            painter.circle_filled(p(0.0, 0.15), s * 0.14, color);
            painter.line_segment([p(0.0, 0.2), p(0.0, 0.6)], stroke);
        }
        KindTag::Queue => {
            for (i, y) in [-0.55, 0.0, 0.55].iter().enumerate() {
                let r = Rect::from_center_size(p(0.0, *y), vec2(s * 1.5, s * 0.32));
                if i == 2 {
                    painter.rect_filled(r, s * 0.08, color);
                } else {
                    painter.rect_stroke(r, s * 0.08, stroke, egui::StrokeKind::Middle);
                }
            }
        }
        KindTag::Database => {
            let rx = 0.7;
            let ry = 0.25;
            let ellipse = |cy: f32, from: f32, to: f32| -> Vec<Pos2> {
                (0..=16)
                    .map(|i| {
                        let a = from + (to - from) * i as f32 / 16.0;
                        p(a.cos() * rx, cy + a.sin() * ry)
                    })
                    .collect()
            };
            painter.add(Shape::closed_line(
                ellipse(-0.6, 0.0, std::f32::consts::TAU),
                stroke,
            ));
            painter.add(Shape::line(ellipse(0.0, 0.0, std::f32::consts::PI), stroke));
            painter.add(Shape::line(ellipse(0.6, 0.0, std::f32::consts::PI), stroke));
            painter.line_segment([p(-rx, -0.6), p(-rx, 0.6)], stroke);
            painter.line_segment([p(rx, -0.6), p(rx, 0.6)], stroke);
        }
    }
}

/// An icon-sized square at `center`.
pub fn icon_rect(center: Pos2, size: f32) -> Rect {
    Rect::from_center_size(center, vec2(size, size))
}

/// A small right-pointing arrow head at `tip`, pointing along `dir` (unit vector).
pub fn arrow_head(painter: &Painter, tip: Pos2, dir: egui::Vec2, size: f32, color: Color32) {
    let n = vec2(-dir.y, dir.x);
    let back = tip - dir * size;
    painter.add(Shape::convex_polygon(
        vec![tip, back + n * size * 0.5, back - n * size * 0.5],
        color,
        Stroke::NONE,
    ));
}

/// A point on the border of `rect` in the direction of `toward` from its centre.
pub fn border_point(rect: Rect, toward: Pos2) -> Pos2 {
    let c = rect.center();
    let d = toward - c;
    if d.length_sq() < 1e-6 {
        return c;
    }
    let sx = if d.x.abs() > 1e-6 {
        rect.width() / 2.0 / d.x.abs()
    } else {
        f32::INFINITY
    };
    let sy = if d.y.abs() > 1e-6 {
        rect.height() / 2.0 / d.y.abs()
    } else {
        f32::INFINITY
    };
    let t = sx.min(sy);
    pos2(c.x + d.x * t, c.y + d.y * t)
}
