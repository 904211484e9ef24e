//! The colours of the pictures archsim draws without egui (SVG export, GIF recording): the app's light
//! theme (`src/ui/theme.rs`) as plain RGB, so an exported picture looks like the canvas. Keep the two in
//! step when the theme changes.

use crate::model::KindTag;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// Canvas background.
pub const BACKGROUND: Rgb = [0xf6, 0xf7, 0xf9];
/// Node body.
pub const NODE_BG: Rgb = [0xff, 0xff, 0xff];
/// Node outline.
pub const NODE_BORDER: Rgb = [0xb8, 0xbf, 0xc9];
/// Main text.
pub const TEXT: Rgb = [0x1d, 0x21, 0x27];
/// Secondary text.
pub const WEAK_TEXT: Rgb = [0x5f, 0x67, 0x73];
/// Edges.
pub const EDGE: Rgb = [0x80, 0x89, 0x96];
/// Low utilization.
pub const CALM: Rgb = [0x2e, 0x9e, 0x57];
/// Busy (60%).
pub const BUSY: Rgb = [0xd9, 0x8e, 0x00];
/// Saturated (90% and more).
pub const SATURATED: Rgb = [0xd8, 0x2c, 0x2c];
/// A crashed node.
pub const DOWN: Rgb = [0x90, 0x90, 0x90];
/// Panel behind the figures in a recording.
pub const PANEL: Rgb = [0xff, 0xff, 0xff];
/// Requests travelling on an edge.
pub const DOT: Rgb = [0x1f, 0x7a, 0xe0];

/// Utilization at which a node counts as busy (amber), as in the app.
pub const BUSY_AT: f64 = 0.6;
/// Utilization at which a node counts as saturated (red), as in the app.
pub const SATURATED_AT: f64 = 0.9;

/// A node kind's accent colour (the stripe on its box).
pub fn kind_color(kind: KindTag) -> Rgb {
    match kind {
        KindTag::Client => [0x4c, 0x9a, 0xff],
        KindTag::LoadBalancer => [0x9b, 0x6c, 0xf0],
        KindTag::Service => [0x2b, 0xb5, 0xa0],
        KindTag::Cache => [0xf0, 0x8c, 0x2e],
        KindTag::Queue => [0xd9, 0x5d, 0xa8],
        KindTag::Database => [0x6f, 0x86, 0xa8],
        KindTag::RateLimiter => [0xe0, 0x5a, 0x3c],
        KindTag::Gateway => [0xc9, 0xa2, 0x27],
    }
}

/// Calm -> busy -> saturated by utilization (0..=1), as the app colours a running node.
pub fn utilization_color(u: f64) -> Rgb {
    let u = if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if u <= BUSY_AT {
        lerp(CALM, BUSY, u / BUSY_AT)
    } else if u <= SATURATED_AT {
        lerp(BUSY, SATURATED, (u - BUSY_AT) / (SATURATED_AT - BUSY_AT))
    } else {
        SATURATED
    }
}

/// A node's body tinted by its state colour (the app's light-mode tint).
pub fn node_fill(state: Rgb) -> Rgb {
    lerp(NODE_BG, state, 0.18)
}

/// `a` to `b` by `t` in 0..=1.
pub fn lerp(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    std::array::from_fn(|i| (a[i] as f64 + (b[i] as f64 - a[i] as f64) * t).round() as u8)
}

/// `#rrggbb`.
pub fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}
