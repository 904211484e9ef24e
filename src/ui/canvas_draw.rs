//! Painting the diagram's parts: grid, edges, nodes with their live state.

use egui::{
    Align2, Color32, CornerRadius, FontId, Painter, Pos2, Rect, Stroke, StrokeKind, Vec2, pos2,
    vec2,
};

use crate::model::{Arrival, Edge, Node, NodeKind};
use crate::sim::NodeLive;

use super::theme::{self, Theme};
use super::view::View;
use super::{format, icons};

/// How a node is highlighted.
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeFlags {
    /// Selected.
    pub selected: bool,
    /// Under the pointer.
    pub hovered: bool,
    /// Has validation problems.
    pub problem: bool,
    /// A valid target for the connection being dragged (Some(true)) or a refused one (Some(false)).
    pub connect_target: Option<bool>,
    /// Show the connect handle.
    pub handle: bool,
}

/// Dots on the background, every grid step (skipped when too dense).
pub fn paint_grid(painter: &Painter, canvas: Rect, view: &View, t: &Theme) {
    painter.rect_filled(canvas, 0.0, t.canvas_bg);
    let mut step = theme::GRID * view.zoom();
    while step < 12.0 {
        step *= 2.0;
    }
    let origin = view.to_screen(canvas, Pos2::ZERO);
    let x0 = origin.x + ((canvas.left() - origin.x) / step).ceil() * step;
    let y0 = origin.y + ((canvas.top() - origin.y) / step).ceil() * step;
    let r = (1.1 * view.zoom().sqrt()).clamp(0.8, 1.6);
    let mut y = y0;
    while y < canvas.bottom() {
        let mut x = x0;
        while x < canvas.right() {
            painter.circle_filled(pos2(x, y), r, t.grid);
            x += step;
        }
        y += step;
    }
}

/// The screen segment an edge is drawn along (node border to node border), or `None` if the boxes overlap.
pub fn edge_segment(a: Rect, b: Rect) -> Option<(Pos2, Pos2)> {
    if a.intersects(b) {
        return None;
    }
    Some((
        icons::border_point(a, b.center()),
        icons::border_point(b, a.center()),
    ))
}

/// Distance from `p` to the segment `a-b`.
pub fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    if len2 < 1e-6 {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// How an edge is drawn this frame.
#[derive(Clone, Debug, Default)]
pub struct EdgeLook {
    /// Live throughput over it, when running.
    pub rps: Option<f64>,
    /// Selected or hovered.
    pub selected: bool,
    /// Cut, or at a crashed or degraded node: drawn dashed.
    pub broken: bool,
    /// Its role for the caller ("1", "on miss"; empty for none), drawn as a chip.
    pub role: String,
    /// A likely mistake is about it: drawn in the warning colour.
    pub warn: bool,
    /// One of a parallel fan-out's calls: a fork mark where it leaves the caller.
    pub fork: bool,
}

/// An edge with its arrow head and its label: role chip, class chips and (when running) throughput.
pub fn paint_edge(
    painter: &Painter,
    seg: (Pos2, Pos2),
    edge: &Edge,
    look: &EdgeLook,
    zoom: f32,
    t: &Theme,
) {
    let (a, b) = seg;
    let selected = look.selected;
    let mut stroke = t.edge_stroke(look.rps.unwrap_or(0.0), zoom, selected);
    if look.warn && !selected {
        stroke.color = t.warn;
    }
    let dir = (b - a).normalized();
    let head = (8.0 + stroke.width * 1.5) * zoom.sqrt();
    if look.broken {
        // Cut, or at a crashed or degraded node: dashed, so a broken path reads at a glance.
        stroke.color = if selected { t.selection } else { t.down };
        painter.extend(egui::Shape::dashed_line(
            &[a, b - dir * head * 0.8],
            stroke,
            7.0 * zoom.sqrt(),
            5.0 * zoom.sqrt(),
        ));
    } else {
        painter.line_segment([a, b - dir * head * 0.8], stroke);
    }
    icons::arrow_head(painter, b, dir, head, stroke.color);
    if look.fork {
        // The fork: a dot where the call leaves the caller, and a short tine across it.
        let r = 3.5 * zoom.sqrt();
        painter.circle_filled(a, r, stroke.color);
        let across = egui::vec2(-dir.y, dir.x) * r * 2.2;
        painter.line_segment(
            [a + dir * r * 2.0 - across, a + dir * r * 2.0 + across],
            stroke,
        );
    }
    if zoom <= 0.45 {
        return;
    }
    // The chips: role (filled), then each class (outlined), then the live rate (plain).
    let text_c = if selected { t.selection } else { t.weak_text };
    let mut chips: Vec<(String, Chip)> = Vec::new();
    if !look.role.is_empty() {
        chips.push((look.role.clone(), Chip::Role));
    }
    for c in &edge.classes {
        chips.push((c.clone(), Chip::Class));
    }
    if let Some(r) = look.rps.filter(|r| *r > 0.0) {
        chips.push((format!("{}/s", format::rate(r)), Chip::Plain));
    }
    if chips.is_empty() {
        return;
    }
    let font = FontId::proportional(10.5 * zoom.sqrt());
    let galleys: Vec<_> = chips
        .into_iter()
        .map(|(text, kind)| {
            let color = match kind {
                Chip::Role => t.on_marker,
                Chip::Class | Chip::Plain => text_c,
            };
            (painter.layout_no_wrap(text, font.clone(), color), kind)
        })
        .collect();
    let gap = 3.0;
    let pad = vec2(8.0, 2.0);
    let total_w: f32 = galleys.iter().map(|(g, _)| g.size().x + pad.x).sum::<f32>()
        + gap * (galleys.len() - 1) as f32;
    let h = galleys.iter().map(|(g, _)| g.size().y).fold(0.0, f32::max) + pad.y;
    let mid = a + (b - a) * 0.5;
    let normal = vec2(-dir.y, dir.x);
    let normal = if normal.y > 0.0 { -normal } else { normal };
    let center = mid + normal * (h * 0.5 + 4.0);
    let mut x = center.x - total_w / 2.0;
    for (g, kind) in galleys {
        let rect = Rect::from_min_size(pos2(x, center.y - h / 2.0), vec2(g.size().x + pad.x, h));
        match kind {
            Chip::Role => {
                painter.rect_filled(rect, h / 2.0, t.edge_role);
            }
            Chip::Class => {
                painter.rect_filled(rect, 4.0, t.badge_bg);
                painter.rect_stroke(rect, 4.0, Stroke::new(1.0, text_c), StrokeKind::Inside);
            }
            Chip::Plain => {
                painter.rect_filled(rect, 4.0, t.badge_bg);
            }
        }
        x += rect.width() + gap;
        painter.galley(rect.min + pad / 2.0, g, Color32::PLACEHOLDER);
    }
}

/// The kinds of chip on an edge's label.
#[derive(Clone, Copy)]
enum Chip {
    Role,
    Class,
    Plain,
}

/// One line describing a node's main parameters.
pub fn subtitle(node: &Node) -> String {
    match &node.kind {
        NodeKind::Client(c) => {
            let arrival = match c.arrival {
                Arrival::Poisson => "Poisson",
                Arrival::Constant => "constant",
                Arrival::Bursty { .. } => "bursty",
                Arrival::Batch { count } => return format!("batch of {count}"),
                Arrival::ClosedLoop { users, .. } => return format!("{users} users"),
            };
            // Under a profile its shape says more than the average rate (the badge shows the rate now).
            match &c.profile {
                Some(p) => p.label(),
                None => format!("{}/s {arrival}", format::rate(c.rate_rps)),
            }
        }
        NodeKind::Service(s) => format!("{} × {} workers", s.replicas, s.workers),
        NodeKind::LoadBalancer(l) => match l.policy {
            crate::model::LbPolicy::RoundRobin => "round robin".into(),
            crate::model::LbPolicy::Random => "random".into(),
            crate::model::LbPolicy::LeastConnections => "least connections".into(),
            crate::model::LbPolicy::PowerOfTwo => "power of two".into(),
            crate::model::LbPolicy::ConsistentHash => "consistent hash".into(),
            crate::model::LbPolicy::NearestHealthy => "nearest healthy".into(),
            crate::model::LbPolicy::Failover => "failover".into(),
        },
        NodeKind::Cache(c) if c.per_region => "CDN · edges".into(),
        NodeKind::Cache(c) => match &c.writes {
            // The key model's hit ratio is its own: the policy says more than a ratio it ignores.
            Some(w) if c.keys.is_some() => w.policy.label().to_owned(),
            Some(w) => format!("hit {} · {}", format::pct(c.hit_ratio), w.policy.label()),
            None => match &c.keys {
                Some(k) => format!("LRU {} keys", format::thousands(u64::from(k.capacity))),
                None => format!("hit {}", format::pct(c.hit_ratio)),
            },
        },
        NodeKind::Database(d)
            if let Some(q) = d.replication.as_deref().and_then(|r| r.quorum.as_ref()) =>
        {
            format!("R{} W{} of {}", q.r, q.w, q.n)
        }
        NodeKind::Database(d) if d.optimistic.is_some() => format!("pool {} · OCC", d.pool_size),
        NodeKind::Database(d) if d.shards.is_some() => {
            let n = d.shards.as_ref().map_or(1, |s| s.count);
            format!("×{n} shards · pool {}", d.pool_size)
        }
        NodeKind::Database(d) => {
            if d.read_replicas > 0 {
                format!("pool {} · {} repl.", d.pool_size, d.read_replicas)
            } else {
                format!("pool {}", d.pool_size)
            }
        }
        NodeKind::Queue(q) if let Some(t) = &q.topic => match (t.keys, t.partitions) {
            (0, p) => format!("topic ×{p}"),
            (_, p) if t.zipf_exponent > 0.0 => format!("topic ×{p} hot"),
            (_, p) => format!("topic ×{p} keyed"),
        },
        NodeKind::Queue(q) => format!("capacity {}", format::rate(q.capacity as f64)),
        NodeKind::RateLimiter(r) => format!(
            "{}/s{}",
            format::rate(r.rate_rps),
            if r.per_client { " per client" } else { "" }
        ),
        // "200/s × 50 keys": each key's own limit (the box has room for about 16 characters).
        NodeKind::Gateway(g) => {
            let keys = crate::metrics::thousands(u64::from(g.keys));
            match &g.limit {
                Some(l) => format!("{}/s × {keys} keys", format::rate(l.rate_rps)),
                None => format!("{keys} keys"),
            }
        }
    }
}

/// Below this zoom nodes are drawn without shadow, icon detail or the empty queue bar.
pub const LOD_ZOOM: f32 = 0.5;

/// A node box: kind stripe and icon, name, parameters; when running, a state tint and queue bar (its badge
/// is placed once every node is drawn: canvas_badge.rs).
pub fn paint_node(
    painter: &Painter,
    rect: Rect,
    node: &Node,
    live: Option<&NodeLive>,
    flags: NodeFlags,
    zoom: f32,
    t: &Theme,
) {
    let kind = node.kind.tag();
    let accent = theme::kind_color(kind);
    let r = theme::NODE_ROUNDING * zoom;
    let hot_shard = live.and_then(|l| l.shards);
    let down = live.is_some_and(|l| !l.up);
    let degraded = !down && live.is_some_and(|l| l.degraded);
    let state = live.map(|l| {
        if down {
            t.down
        } else {
            t.utilization_color(l.utilization)
        }
    });
    let fill = match state {
        // A crashed node is greyed right through, not tinted: it must not look like a calm one.
        Some(_) if down => t.down_fill(),
        Some(c) => t.node_fill(c),
        None => t.node_bg,
    };
    let accent = if down { t.down } else { accent };
    // Zoomed out (a big diagram), detail below a legible size is left out: it cannot be seen, and with
    // software rendering it costs most of the frame (docs/benchmarks.md, app frame time).
    let detailed = zoom >= LOD_ZOOM;
    // Shadow, body, kind stripe.
    if detailed {
        painter.rect_filled(rect.translate(vec2(0.0, 2.0 * zoom)), r, t.shadow);
    }
    painter.rect_filled(rect, r, fill);
    let stripe = Rect::from_min_size(rect.min, vec2(5.0 * zoom, rect.height()));
    painter.rect_filled(
        stripe,
        CornerRadius {
            nw: r as u8,
            sw: r as u8,
            ne: 0,
            se: 0,
        },
        accent,
    );
    let (border_w, border) = if flags.connect_target == Some(true) {
        (2.5, t.ok)
    } else if flags.connect_target == Some(false) {
        (2.5, t.error)
    } else if flags.selected {
        (2.5, t.selection)
    } else if down {
        (2.5, t.error)
    } else if degraded {
        (2.5, t.warn)
    } else if let Some(c) =
        state.filter(|_| live.is_some_and(|l| l.utilization >= theme::SATURATED))
    {
        (2.0, c)
    } else if let Some((_, _, u)) = hot_shard.filter(|h| h.2 >= theme::SATURATED) {
        // One saturated shard is the node's bottleneck even while the others idle.
        (2.0, t.utilization_color(u))
    } else if flags.hovered {
        (1.5, t.hover)
    } else {
        (1.0, t.node_border)
    };
    painter.rect_stroke(rect, r, Stroke::new(border_w, border), StrokeKind::Inside);

    // Icon and text.
    let icon_size = 26.0 * zoom;
    let icon_center = pos2(
        rect.left() + 8.0 * zoom + icon_size / 2.0 + 2.0 * zoom,
        rect.center().y - 2.0 * zoom,
    );
    if detailed {
        icons::paint_icon(
            painter,
            kind,
            icons::icon_rect(icon_center, icon_size),
            accent,
        );
    } else {
        painter.circle_filled(icon_center, icon_size * 0.3, accent);
    }
    if zoom > 0.35 {
        let text_x = icon_center.x + icon_size / 2.0 + 8.0 * zoom;
        let max_w = rect.right() - text_x - 4.0 * zoom;
        // The name is what a person looks for: a long one is set smaller (down to 10 points at 100%) before
        // anything is cut, so names up to about 17 characters show whole.
        let natural = painter
            .layout_no_wrap(
                node.id.clone(),
                FontId::proportional(14.0 * zoom),
                Color32::PLACEHOLDER,
            )
            .size()
            .x;
        let size = if natural > max_w && natural > 0.0 {
            (14.0 * zoom * max_w / natural).max(10.0 * zoom)
        } else {
            14.0 * zoom
        };
        let name = elide(painter, &node.id, FontId::proportional(size), max_w);
        painter.text(
            pos2(text_x, rect.center().y - 9.0 * zoom),
            Align2::LEFT_CENTER,
            name,
            FontId::proportional(size),
            t.text,
        );
        // A running sharded database shows its hottest shard, coloured by that shard's utilization.
        let (sub, sub_color) = match hot_shard {
            Some((n, s, u)) => (
                format!("×{n} · hot #{s} {}", format::pct(u)),
                t.utilization_color(u),
            ),
            None => (subtitle(node), t.weak_text),
        };
        let sub = elide(painter, &sub, FontId::proportional(11.0 * zoom), max_w);
        painter.text(
            pos2(text_x, rect.center().y + 9.0 * zoom),
            Align2::LEFT_CENTER,
            sub,
            FontId::proportional(11.0 * zoom),
            sub_color,
        );
    }

    if let Some(l) = live {
        // Queue fill bar along the bottom.
        if l.queue_capacity > 0 {
            let frac = (l.queue_len as f32 / l.queue_capacity as f32).clamp(0.0, 1.0);
            let bar = Rect::from_min_max(
                pos2(rect.left() + 10.0 * zoom, rect.bottom() - 7.0 * zoom),
                pos2(rect.right() - 10.0 * zoom, rect.bottom() - 4.0 * zoom),
            );
            let radius = if detailed { 2.0 } else { 0.0 };
            if detailed {
                painter.rect_filled(bar, radius, t.bar_bg);
            }
            if frac > 0.0 {
                let filled =
                    Rect::from_min_size(bar.min, vec2(bar.width() * frac.max(0.02), bar.height()));
                painter.rect_filled(filled, radius, t.utilization_color(frac as f64));
            }
        }
        // Utilization figure in the corner.
        if zoom > 0.6 && l.utilization > 0.0 && !down {
            painter.text(
                pos2(rect.right() - 6.0 * zoom, rect.top() + 5.0 * zoom),
                Align2::RIGHT_TOP,
                format::pct(l.utilization),
                FontId::proportional(10.0 * zoom),
                state.unwrap_or(t.weak_text),
            );
        }
    }

    if down || degraded {
        paint_fault_mark(painter, rect, down, zoom, t);
    }
    if flags.problem {
        let c = pos2(rect.right() - 2.0, rect.top() + 2.0);
        painter.circle_filled(c, 8.0 * zoom.sqrt(), t.error);
        painter.text(
            c,
            Align2::CENTER_CENTER,
            "!",
            FontId::proportional(12.0 * zoom.sqrt()),
            t.on_marker,
        );
    }
    if flags.handle {
        let h = handle_pos(rect);
        painter.circle_filled(h, theme::HANDLE_RADIUS, t.node_bg);
        painter.circle_stroke(h, theme::HANDLE_RADIUS, Stroke::new(2.0, accent));
    }
}

/// The mark on a crashed node (a cross in a circle) or a degraded one (an exclamation in a triangle), at
/// its bottom-right corner, drawn with lines so it needs no glyph from the font.
fn paint_fault_mark(painter: &Painter, rect: Rect, down: bool, zoom: f32, t: &Theme) {
    let r = 8.0 * zoom.sqrt();
    let c = pos2(
        rect.right() - r - 3.0 * zoom,
        rect.bottom() - r - 3.0 * zoom,
    );
    let line = Stroke::new(2.0 * zoom.sqrt(), t.on_marker);
    if down {
        painter.circle_filled(c, r, t.error);
        let d = r * 0.45;
        painter.line_segment([c + vec2(-d, -d), c + vec2(d, d)], line);
        painter.line_segment([c + vec2(-d, d), c + vec2(d, -d)], line);
    } else {
        let pts = vec![
            c + vec2(0.0, -r),
            c + vec2(r * 1.05, r * 0.8),
            c + vec2(-r * 1.05, r * 0.8),
        ];
        painter.add(egui::Shape::convex_polygon(pts, t.warn, Stroke::NONE));
        painter.line_segment([c + vec2(0.0, -r * 0.4), c + vec2(0.0, r * 0.25)], line);
        painter.circle_filled(c + vec2(0.0, r * 0.52), line.width * 0.5, t.on_marker);
    }
}

/// Where a node's connect handle sits (screen).
pub fn handle_pos(rect: Rect) -> Pos2 {
    pos2(rect.right(), rect.center().y)
}

fn elide(painter: &Painter, text: &str, font: FontId, max_w: f32) -> String {
    let width = |s: &str| {
        painter
            .layout_no_wrap(s.to_owned(), font.clone(), Color32::PLACEHOLDER)
            .size()
            .x
    };
    elide_with(text, max_w, width)
}

/// The longest prefix of `text` that fits in `max_w` with "…" after it (`text` itself if it fits, "" if
/// not even "…" does), `width` measuring a string. A prefix is never narrower than a shorter one, so a
/// binary search finds the prefix that dropping one character at a time would: log2(n) text layouts
/// instead of n, which on the browser's first frame (every layout new) was tens of milliseconds.
fn elide_with(text: &str, max_w: f32, width: impl Fn(&str) -> f32) -> String {
    if width(text) <= max_w {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let cut = |n: usize| chars[..n].iter().collect::<String>() + "…";
    // Every prefix shorter than `lo` characters fits; none of `hi` or more is tried (the whole text
    // did not fit).
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if width(&cut(mid)) <= max_w {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if lo == 0 { String::new() } else { cut(lo - 1) }
}

/// A floating hint near the pointer (refused connection, tips).
pub fn paint_hint(painter: &Painter, at: Pos2, text: &str, color: Color32, t: &Theme) {
    let galley = painter.layout(text.to_owned(), FontId::proportional(13.0), color, 320.0);
    let rect = Rect::from_min_size(at + Vec2::new(14.0, 14.0), galley.size() + vec2(14.0, 10.0));
    painter.rect_filled(rect, 6.0, t.badge_bg);
    painter.rect_stroke(rect, 6.0, Stroke::new(1.0, color), StrokeKind::Inside);
    painter.galley(rect.min + vec2(7.0, 5.0), galley, Color32::PLACEHOLDER);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cache_shows_its_write_policy_and_a_quorum_store_its_n_r_w() {
        let node = |preset: &str, id: &str| {
            let s = crate::model::presets::load_preset(preset)
                .and_then(Result::ok)
                .unwrap_or_default();
            s.node(id).cloned()
        };
        let cache = node("cache_consistency", "cache").map(|n| super::subtitle(&n));
        assert_eq!(cache.as_deref(), Some("cache-aside"));
        let store = node("quorum_partition", "store").map(|n| super::subtitle(&n));
        assert_eq!(store.as_deref(), Some("R2 W2 of 3"));
    }

    /// What `elide` did before the binary search: drop one character at a time until it fits.
    fn elide_linear(text: &str, max_w: f32, width: impl Fn(&str) -> f32) -> String {
        if width(text) <= max_w {
            return text.to_owned();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let s: String = chars.iter().collect::<String>() + "…";
            if width(&s) <= max_w {
                return s;
            }
        }
        String::new()
    }

    #[test]
    fn the_binary_search_elides_as_dropping_one_character_at_a_time_did() {
        // Uneven widths, as a proportional font has: narrow i and l, wide m and w, a wide ellipsis.
        let width = |s: &str| -> f32 {
            s.chars()
                .map(|c| match c {
                    'i' | 'l' | '.' => 3.0,
                    'm' | 'w' | 'W' => 11.0,
                    '…' => 9.0,
                    _ => 7.0,
                })
                .sum()
        };
        let texts = [
            "",
            "a",
            "payment_api",
            "millimetre-wave_link",
            "iiiiiiiiiiiiW",
            "Wmw…é日本",
        ];
        let mut elided = 0;
        for text in texts {
            for max_w in 0..=200 {
                let max_w = max_w as f32 * 0.5;
                let got = super::elide_with(text, max_w, width);
                assert_eq!(got, elide_linear(text, max_w, width), "{text:?} in {max_w}");
                assert!(
                    got == text || width(&got) <= max_w,
                    "{got:?} wider than {max_w}"
                );
                elided += usize::from(got != text && !got.is_empty());
            }
        }
        assert!(elided > 100, "the cases elide something ({elided})");
    }
}
