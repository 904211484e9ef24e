//! A running node's badge (throughput, p99, queue; DOWN or DEGRADED), placed where it covers no other
//! node: above the node when there is room, else below, beside, or at a corner; failing all of those it is
//! shortened, and as a last resort drawn inside the node's own box.

use egui::{Color32, FontId, Painter, Pos2, Rect, Stroke, StrokeKind, Vec2, pos2, vec2};

use crate::sim::NodeLive;

use super::format;
use super::theme::Theme;

/// Space between a node and its badge, points.
const GAP: f32 = 4.0;
/// Room left for the connect handle on a node's right side, points.
const HANDLE_ROOM: f32 = 10.0;

/// What a node's badge says and in which colours.
pub struct BadgeLook {
    /// Everything: state, rate, p99, queue.
    pub full: String,
    /// The state and rate only, for a tight spot.
    pub short: String,
    pub text: Color32,
    pub border: Color32,
}

/// The badge of a running node; `sending_rps` is a client's rate on its outgoing edges.
pub fn badge_look(l: &NodeLive, sending_rps: Option<f64>, t: &Theme) -> BadgeLook {
    let down = !l.up;
    let degraded = !down && l.degraded;
    if down {
        return BadgeLook {
            full: "DOWN (crashed)".into(),
            short: "DOWN".into(),
            text: t.error,
            border: t.error,
        };
    }
    let prefix = if degraded { "DEGRADED · " } else { "" };
    let rate = match sending_rps {
        Some(r) => format!("sending {}/s", format::rate(r)),
        None => format!("{}/s", format::rate(l.throughput_rps)),
    };
    let mut full = format!("{prefix}{rate}");
    if l.p99_ms.is_finite() {
        full.push_str(&format!(" · p99 {}", format::ms(l.p99_ms)));
    }
    if l.queue_len > 0 {
        full.push_str(&format!(" · q {}", l.queue_len));
    }
    if l.duplicates > 0 {
        full.push_str(&format!(
            " · {} duplicates",
            format::thousands(l.duplicates)
        ));
    }
    if l.stale_reads > 0 {
        full.push_str(&format!(" · {} stale", format::thousands(l.stale_reads)));
    }
    if l.lost_writes > 0 {
        full.push_str(&format!(" · {} lost", format::thousands(l.lost_writes)));
    }
    let short = if degraded { "DEGRADED".into() } else { rate };
    let (text, border) = if degraded {
        (t.warn, t.warn)
    } else if l.duplicates > 0 || l.lost_writes > 0 {
        (t.error, t.utilization_color(l.utilization))
    } else {
        (t.text, t.utilization_color(l.utilization))
    };
    BadgeLook {
        full,
        short,
        text,
        border,
    }
}

/// Where a badge of `size` goes for the node at `own` among `nodes` (screen rects): the first spot around
/// it that meets no other node and, if possible, no badge already placed; `None` when every spot meets
/// another node.
pub fn place(own: usize, nodes: &[Rect], placed: &[Rect], size: Vec2) -> Option<Rect> {
    let r = nodes[own];
    let (w, h) = (size.x, size.y);
    let cx = r.center().x - w / 2.0;
    let above = r.top() - h - GAP;
    let below = r.bottom() + GAP;
    let spots = [
        pos2(cx, above),
        pos2(cx, below),
        pos2(r.right() - w, above),
        pos2(r.left(), above),
        pos2(r.right() - w, below),
        pos2(r.left(), below),
        pos2(r.right() + HANDLE_ROOM, r.center().y - h / 2.0),
        pos2(r.left() - w - GAP, r.center().y - h / 2.0),
    ]
    .map(|p| Rect::from_min_size(p, size));
    let meets_node = |b: &Rect| {
        nodes
            .iter()
            .enumerate()
            .any(|(j, n)| j != own && n.intersects(*b))
    };
    let free = || spots.iter().filter(|b| !meets_node(b));
    free()
        .find(|b| !placed.iter().any(|p| p.intersects(**b)))
        .or_else(|| free().next())
        .copied()
}

/// Lays out and places node `own`'s badge, paints it, and returns where it went.
pub fn paint_badge(
    painter: &Painter,
    own: usize,
    nodes: &[Rect],
    placed: &[Rect],
    look: &BadgeLook,
    zoom: f32,
    t: &Theme,
) -> Rect {
    let pad = vec2(10.0, 4.0);
    let mut short = None;
    for (text, size) in [(&look.full, 10.5), (&look.short, 9.5)] {
        let galley = painter.layout_no_wrap(
            text.clone(),
            FontId::proportional(size * zoom.sqrt()),
            look.text,
        );
        if let Some(at) = place(own, nodes, placed, galley.size() + pad) {
            return draw(painter, at, galley, look.border, t);
        }
        short = Some(galley);
    }
    let Some(short) = short else {
        return Rect::NOTHING;
    };
    // Hemmed in on every side: inside the node's own box, along its top, cut to its width.
    let r = nodes[own];
    let size = short.size() + pad;
    let at = Rect::from_min_size(
        Pos2::new(r.center().x - size.x.min(r.width()) / 2.0, r.top() + 2.0),
        vec2(size.x.min(r.width()), size.y),
    );
    draw(&painter.with_clip_rect(at), at, short, look.border, t)
}

fn draw(
    painter: &Painter,
    at: Rect,
    galley: std::sync::Arc<egui::Galley>,
    border: Color32,
    t: &Theme,
) -> Rect {
    painter.rect_filled(at, 6.0, t.badge_bg);
    painter.rect_stroke(at, 6.0, Stroke::new(1.0, border), StrokeKind::Inside);
    painter.galley(at.min + vec2(5.0, 2.0), galley, Color32::PLACEHOLDER);
    at
}
