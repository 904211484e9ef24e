//! Software drawing of the diagram (tiny-skia for shapes, ab_glyph for text, the fonts egui ships), for
//! recordings that need no display. Same inputs, same pixels: nothing here reads the clock or the
//! platform.

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _, point};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Stroke, Transform};

use crate::model::KindTag;

use super::export::{NODE_H, NODE_W, box_exit, kind_word};
use super::palette::{self, Rgb};

/// What a node shows in a frame.
#[derive(Clone, Debug, Default)]
pub struct NodeFrame {
    /// Node id.
    pub id: String,
    /// Kind.
    pub kind: Option<KindTag>,
    /// Centre in world units.
    pub pos: (f32, f32),
    /// Busy share 0..=1 (NaN: not running).
    pub utilization: f64,
    /// Waiting requests.
    pub queue_len: u64,
    /// Crashed.
    pub down: bool,
}

/// A canvas mapping world units to pixels.
pub struct Canvas {
    /// The pixels (opaque, so premultiplied equals straight RGBA).
    pub pixmap: Pixmap,
    scale: f32,
    offset: (f32, f32),
    sans: FontRef<'static>,
    mono: FontRef<'static>,
}

impl Canvas {
    /// A `width` x `height` canvas framing world rectangle `world` (min x, min y, max x, max y) below a
    /// strip of `top_px` pixels kept free for the figures.
    pub fn new(width: u32, height: u32, world: (f32, f32, f32, f32), top_px: f32) -> Option<Self> {
        let pixmap = Pixmap::new(width, height)?;
        let (ww, wh) = ((world.2 - world.0).max(1.0), (world.3 - world.1).max(1.0));
        let avail_h = (height as f32 - top_px).max(1.0);
        let scale = (width as f32 / ww).min(avail_h / wh);
        let offset = (
            (width as f32 - ww * scale) / 2.0 - world.0 * scale,
            top_px + (avail_h - wh * scale) / 2.0 - world.1 * scale,
        );
        Some(Self {
            pixmap,
            scale,
            offset,
            sans: FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok()?,
            mono: FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR).ok()?,
        })
    }

    fn px(&self, p: (f32, f32)) -> (f32, f32) {
        (
            p.0 * self.scale + self.offset.0,
            p.1 * self.scale + self.offset.1,
        )
    }

    /// Fills the whole canvas.
    pub fn clear(&mut self, c: Rgb) {
        self.pixmap
            .fill(tiny_skia::Color::from_rgba8(c[0], c[1], c[2], 255));
    }

    fn paint(c: Rgb) -> Paint<'static> {
        let mut p = Paint::default();
        p.set_color_rgba8(c[0], c[1], c[2], 255);
        p.anti_alias = true;
        p
    }

    /// A rounded rectangle in pixels, filled and outlined.
    pub fn rounded_rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        r: f32,
        fill: Rgb,
        stroke: Option<(Rgb, f32)>,
    ) {
        let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
        let k = 0.552_284_8 * r;
        let mut pb = PathBuilder::new();
        pb.move_to(x + r, y);
        pb.line_to(x + w - r, y);
        pb.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
        pb.line_to(x + w, y + h - r);
        pb.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
        pb.line_to(x + r, y + h);
        pb.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
        pb.line_to(x, y + r);
        pb.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
        pb.close();
        let Some(path) = pb.finish() else { return };
        self.pixmap.fill_path(
            &path,
            &Self::paint(fill),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
        if let Some((c, width)) = stroke {
            let s = Stroke {
                width,
                ..Stroke::default()
            };
            self.pixmap
                .stroke_path(&path, &Self::paint(c), &s, Transform::identity(), None);
        }
    }

    /// An arrow between two world points, pixels wide.
    pub fn arrow(&mut self, a: (f32, f32), b: (f32, f32), c: Rgb, width: f32) {
        let (a, b) = (self.px(a), self.px(b));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let head = (8.0 * self.scale).clamp(5.0, 12.0);
        let base = (b.0 - ux * head, b.1 - uy * head);
        let mut pb = PathBuilder::new();
        pb.move_to(a.0, a.1);
        pb.line_to(base.0, base.1);
        if let Some(path) = pb.finish() {
            let s = Stroke {
                width,
                ..Stroke::default()
            };
            self.pixmap
                .stroke_path(&path, &Self::paint(c), &s, Transform::identity(), None);
        }
        let mut pb = PathBuilder::new();
        pb.move_to(b.0, b.1);
        pb.line_to(base.0 - uy * head * 0.5, base.1 + ux * head * 0.5);
        pb.line_to(base.0 + uy * head * 0.5, base.1 - ux * head * 0.5);
        pb.close();
        if let Some(path) = pb.finish() {
            self.pixmap.fill_path(
                &path,
                &Self::paint(c),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    /// A filled circle at a world point, radius in pixels.
    pub fn dot(&mut self, p: (f32, f32), r: f32, c: Rgb) {
        let p = self.px(p);
        if let Some(path) = PathBuilder::from_circle(p.0, p.1, r) {
            self.pixmap.fill_path(
                &path,
                &Self::paint(c),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    /// Text width in pixels.
    pub fn text_width(&self, text: &str, size: f32, mono: bool) -> f32 {
        let font = if mono { &self.mono } else { &self.sans };
        let f = font.as_scaled(PxScale::from(size));
        text.chars().map(|ch| f.h_advance(f.glyph_id(ch))).sum()
    }

    /// Draws `text` with its left end at pixel `x` and its baseline at pixel `y`.
    pub fn text(&mut self, text: &str, x: f32, y: f32, size: f32, c: Rgb, mono: bool) {
        let font = if mono {
            self.mono.clone()
        } else {
            self.sans.clone()
        };
        let scaled = font.as_scaled(PxScale::from(size));
        let (w, h) = (self.pixmap.width() as i32, self.pixmap.height() as i32);
        let data = self.pixmap.data_mut();
        let mut caret = x;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, y));
            caret += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                let (px, py) = (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32);
                if px < 0 || py < 0 || px >= w || py >= h {
                    return;
                }
                let i = (py as usize * w as usize + px as usize) * 4;
                let a = cov.clamp(0.0, 1.0);
                for k in 0..3 {
                    let old = data[i + k] as f32;
                    data[i + k] = (old + (c[k] as f32 - old) * a).round() as u8;
                }
            });
        }
    }

    /// Text centred on world point `p`, baseline `dy` pixels below it.
    pub fn text_centered(&mut self, text: &str, p: (f32, f32), dy: f32, size: f32, c: Rgb) {
        let q = self.px(p);
        let w = self.text_width(text, size, false);
        self.text(text, q.0 - w / 2.0, q.1 + dy, size, c, false);
    }

    /// Pixels per world unit.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Draws the diagram: edges (`edge_down` marks cut ones), then nodes tinted by utilization.
    pub fn diagram(&mut self, nodes: &[NodeFrame], edges: &[(usize, usize, bool)]) {
        let s = self.scale;
        for &(a, b, down) in edges {
            let (pa, pb) = (nodes[a].pos, nodes[b].pos);
            let c = if down {
                palette::SATURATED
            } else {
                palette::EDGE
            };
            self.arrow(box_exit(pa, pb), box_exit(pb, pa), c, (1.5 * s).max(1.0));
        }
        for n in nodes {
            let state = if n.down {
                palette::DOWN
            } else if n.utilization.is_finite() {
                palette::utilization_color(n.utilization)
            } else {
                palette::NODE_BORDER
            };
            let fill = if n.utilization.is_finite() || n.down {
                palette::node_fill(state)
            } else {
                palette::NODE_BG
            };
            let c = self.px(n.pos);
            let (w, h) = (NODE_W * s, NODE_H * s);
            self.rounded_rect(
                c.0 - w / 2.0,
                c.1 - h / 2.0,
                w,
                h,
                10.0 * s,
                fill,
                Some((state, (1.5 * s).max(1.0))),
            );
            if let Some(k) = n.kind {
                self.rounded_rect(
                    c.0 - w / 2.0 + 1.5 * s,
                    c.1 - h / 2.0 + 8.0 * s,
                    5.0 * s,
                    h - 16.0 * s,
                    2.0 * s,
                    palette::kind_color(k),
                    None,
                );
            }
            let size = (14.0 * s).clamp(8.0, 20.0);
            self.text_centered(&fit(&n.id, 16), n.pos, -2.0 * s, size, palette::TEXT);
            let sub = if n.down {
                "down".to_owned()
            } else if n.utilization.is_finite() && n.kind.is_some_and(|k| k != KindTag::Client) {
                if n.queue_len > 0 {
                    format!(
                        "{:.0}% busy · {} waiting",
                        n.utilization * 100.0,
                        n.queue_len
                    )
                } else {
                    format!("{:.0}% busy", n.utilization * 100.0)
                }
            } else {
                n.kind.map(kind_word).unwrap_or("").to_owned()
            };
            self.text_centered(
                &sub,
                n.pos,
                15.0 * s,
                (11.0 * s).clamp(7.0, 16.0),
                palette::WEAK_TEXT,
            );
        }
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
