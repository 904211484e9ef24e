//! Every colour and size the app uses, in one place: node kinds, live states, dots, charts; dark and light.

use egui::{Color32, Stroke, Visuals};

use crate::model::KindTag;
use crate::sim::DotOutcome;

/// Canvas grid spacing in world units (also the snap step).
pub const GRID: f32 = 20.0;
/// Node box size in world units.
pub const NODE_SIZE: egui::Vec2 = egui::vec2(132.0, 56.0);
/// Corner radius of node boxes, world units.
pub const NODE_ROUNDING: f32 = 10.0;
/// Radius of the connect handle, screen points.
pub const HANDLE_RADIUS: f32 = 6.0;
/// Space between panel sections.
pub const SECTION_GAP: f32 = 10.0;

/// Utilization at which a node counts as busy (amber).
pub const BUSY: f64 = 0.6;
/// Utilization at which a node counts as saturated (red).
pub const SATURATED: f64 = 0.9;

/// The accent colour of a node kind (palette tile, node stripe, icon).
pub fn kind_color(kind: KindTag) -> Color32 {
    match kind {
        KindTag::Client => Color32::from_rgb(0x4c, 0x9a, 0xff),
        KindTag::LoadBalancer => Color32::from_rgb(0x9b, 0x6c, 0xf0),
        KindTag::Service => Color32::from_rgb(0x2b, 0xb5, 0xa0),
        KindTag::Cache => Color32::from_rgb(0xf0, 0x8c, 0x2e),
        KindTag::Queue => Color32::from_rgb(0xd9, 0x5d, 0xa8),
        KindTag::Database => Color32::from_rgb(0x6f, 0x86, 0xa8),
        KindTag::RateLimiter => Color32::from_rgb(0xe0, 0x5a, 0x3c),
        KindTag::Gateway => Color32::from_rgb(0xc9, 0xa2, 0x27),
    }
}

/// Human name of a node kind, for the palette and inspector.
pub fn kind_label(kind: KindTag) -> &'static str {
    match kind {
        KindTag::Client => "Client",
        KindTag::LoadBalancer => "Load balancer",
        KindTag::Service => "Service",
        KindTag::Cache => "Cache",
        KindTag::Queue => "Queue",
        KindTag::Database => "Database",
        KindTag::RateLimiter => "Rate limiter",
        KindTag::Gateway => "API gateway",
    }
}

/// Colours that depend on dark or light mode.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    /// Dark mode?
    pub dark: bool,
    /// Canvas background.
    pub canvas_bg: Color32,
    /// Grid dots.
    pub grid: Color32,
    /// Node body.
    pub node_bg: Color32,
    /// Node outline.
    pub node_border: Color32,
    /// Main text on nodes.
    pub text: Color32,
    /// Secondary text (kind, labels).
    pub weak_text: Color32,
    /// Edges at rest.
    pub edge: Color32,
    /// Selection outline and rubber band.
    pub selection: Color32,
    /// Hover outline.
    pub hover: Color32,
    /// Calm (low utilization).
    pub calm: Color32,
    /// Busy.
    pub busy: Color32,
    /// Saturated.
    pub saturated: Color32,
    /// Down (crashed) node.
    pub down: Color32,
    /// Problems and refused actions.
    pub error: Color32,
    /// Warnings.
    pub warn: Color32,
    /// Good news (valid, connected).
    pub ok: Color32,
    /// Badge background.
    pub badge_bg: Color32,
    /// Queue bar background.
    pub bar_bg: Color32,
    /// Drop shadow under nodes.
    pub shadow: Color32,
    /// Text on a coloured (error) marker.
    pub on_marker: Color32,
    /// Background of an edge's role chip ("1", "on miss").
    pub edge_role: Color32,
    /// A region's box behind its nodes.
    pub region_fill: Color32,
    /// A region's outline and name.
    pub region_stroke: Color32,
    /// A zone's outline and name.
    pub zone_stroke: Color32,
}

impl Theme {
    /// The theme matching egui's visuals.
    pub fn from_visuals(v: &Visuals) -> Self {
        if v.dark_mode {
            Self::dark()
        } else {
            Self::light()
        }
    }

    /// Dark mode.
    pub fn dark() -> Self {
        Self {
            dark: true,
            canvas_bg: Color32::from_rgb(0x17, 0x19, 0x1d),
            grid: Color32::from_rgb(0x2c, 0x30, 0x37),
            node_bg: Color32::from_rgb(0x25, 0x29, 0x30),
            node_border: Color32::from_rgb(0x44, 0x4a, 0x55),
            text: Color32::from_rgb(0xe8, 0xea, 0xee),
            weak_text: Color32::from_rgb(0x9a, 0xa1, 0xad),
            edge: Color32::from_rgb(0x7d, 0x86, 0x94),
            selection: Color32::from_rgb(0x5a, 0xb0, 0xff),
            hover: Color32::from_rgb(0x8f, 0x99, 0xa8),
            calm: Color32::from_rgb(0x3f, 0xb9, 0x6a),
            busy: Color32::from_rgb(0xf2, 0xb1, 0x2c),
            saturated: Color32::from_rgb(0xf0, 0x4a, 0x4a),
            down: Color32::from_rgb(0x70, 0x70, 0x70),
            error: Color32::from_rgb(0xff, 0x6b, 0x6b),
            warn: Color32::from_rgb(0xf2, 0xb1, 0x2c),
            ok: Color32::from_rgb(0x3f, 0xb9, 0x6a),
            badge_bg: Color32::from_rgba_unmultiplied(0x10, 0x12, 0x15, 0xe0),
            bar_bg: Color32::from_rgb(0x33, 0x38, 0x40),
            shadow: Color32::from_black_alpha(90),
            region_fill: Color32::from_rgba_unmultiplied(90, 140, 220, 14),
            region_stroke: Color32::from_rgb(95, 130, 190),
            zone_stroke: Color32::from_rgb(80, 100, 130),
            on_marker: Color32::WHITE,
            edge_role: Color32::from_rgb(0x3d, 0x6f, 0xb5),
        }
    }

    /// Light mode.
    pub fn light() -> Self {
        Self {
            dark: false,
            canvas_bg: Color32::from_rgb(0xf6, 0xf7, 0xf9),
            grid: Color32::from_rgb(0xd7, 0xdb, 0xe1),
            node_bg: Color32::WHITE,
            node_border: Color32::from_rgb(0xb8, 0xbf, 0xc9),
            text: Color32::from_rgb(0x1d, 0x21, 0x27),
            weak_text: Color32::from_rgb(0x5f, 0x67, 0x73),
            edge: Color32::from_rgb(0x80, 0x89, 0x96),
            selection: Color32::from_rgb(0x1f, 0x7a, 0xe0),
            hover: Color32::from_rgb(0x6b, 0x75, 0x82),
            calm: Color32::from_rgb(0x2e, 0x9e, 0x57),
            busy: Color32::from_rgb(0xd9, 0x8e, 0x00),
            saturated: Color32::from_rgb(0xd8, 0x2c, 0x2c),
            down: Color32::from_rgb(0x90, 0x90, 0x90),
            error: Color32::from_rgb(0xc8, 0x28, 0x28),
            warn: Color32::from_rgb(0xb0, 0x70, 0x00),
            ok: Color32::from_rgb(0x2e, 0x9e, 0x57),
            badge_bg: Color32::from_rgba_unmultiplied(0xff, 0xff, 0xff, 0xee),
            bar_bg: Color32::from_rgb(0xe3, 0xe6, 0xea),
            shadow: Color32::from_black_alpha(28),
            region_fill: Color32::from_rgba_unmultiplied(60, 110, 200, 12),
            region_stroke: Color32::from_rgb(90, 125, 185),
            zone_stroke: Color32::from_rgb(150, 165, 190),
            on_marker: Color32::WHITE,
            edge_role: Color32::from_rgb(0x2f, 0x62, 0xb0),
        }
    }

    /// Calm -> busy -> saturated, blended by utilization (0..=1).
    pub fn utilization_color(&self, u: f64) -> Color32 {
        let u = if u.is_finite() {
            u.clamp(0.0, 1.0)
        } else {
            0.0
        };
        if u <= BUSY {
            lerp(self.calm, self.busy, (u / BUSY) as f32)
        } else if u <= SATURATED {
            lerp(
                self.busy,
                self.saturated,
                ((u - BUSY) / (SATURATED - BUSY)) as f32,
            )
        } else {
            self.saturated
        }
    }

    /// Body of a crashed node: greyed, well apart from every utilization tint.
    pub fn down_fill(&self) -> Color32 {
        lerp(self.node_bg, self.down, if self.dark { 0.45 } else { 0.55 })
    }

    /// Body of a node tinted by its state (utilization).
    pub fn node_fill(&self, state: Color32) -> Color32 {
        lerp(self.node_bg, state, if self.dark { 0.28 } else { 0.18 })
    }

    /// Colour of an animated request dot.
    pub fn dot_color(&self, outcome: DotOutcome, response: bool) -> Color32 {
        match outcome {
            DotOutcome::Ok if response => self.calm,
            DotOutcome::Ok => self.selection,
            DotOutcome::Error => self.saturated,
            DotOutcome::Timeout => self.busy,
            DotOutcome::Rejected => Color32::from_rgb(0xc0, 0x4c, 0xd0),
        }
    }

    /// Stroke of an edge carrying `rps` requests per second (thicker when busier).
    pub fn edge_stroke(&self, rps: f64, zoom: f32, selected: bool) -> Stroke {
        let extra = if rps.is_finite() && rps > 0.0 {
            (rps.log10() + 1.0).clamp(0.0, 5.0) as f32
        } else {
            0.0
        };
        let color = if selected { self.selection } else { self.edge };
        Stroke::new((1.5 + extra * 0.9) * zoom.sqrt(), color)
    }
}

/// Chart series colours.
pub mod chart {
    use egui::Color32;

    /// Median latency.
    pub const P50: Color32 = Color32::from_rgb(0x4c, 0x9a, 0xff);
    /// 95th percentile.
    pub const P95: Color32 = Color32::from_rgb(0xf2, 0xb1, 0x2c);
    /// 99th percentile.
    pub const P99: Color32 = Color32::from_rgb(0xf0, 0x4a, 0x4a);
    /// Offered load.
    pub const OFFERED: Color32 = Color32::from_rgb(0x9a, 0xa1, 0xad);
    /// Attempts (offered plus retries).
    pub const ATTEMPTS: Color32 = Color32::from_rgb(0xe0, 0x7b, 0x39);
    /// Successful throughput.
    pub const SUCCEEDED: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x6a);
    /// Errors.
    pub const FAILED: Color32 = Color32::from_rgb(0xf0, 0x4a, 0x4a);
    /// Timeouts.
    pub const TIMED_OUT: Color32 = Color32::from_rgb(0xf2, 0xb1, 0x2c);
    /// Rate-limited (429).
    pub const RATE_LIMITED: Color32 = Color32::from_rgb(0xe0, 0x5a, 0x3c);
    /// Rejections.
    pub const REJECTED: Color32 = Color32::from_rgb(0xc0, 0x4c, 0xd0);
    /// Node utilization.
    pub const UTILIZATION: Color32 = Color32::from_rgb(0x2b, 0xb5, 0xa0);
    /// Node queue length.
    pub const QUEUE: Color32 = Color32::from_rgb(0xd9, 0x5d, 0xa8);
    /// A fault's bar on the timeline under the charts.
    pub const FAULT: Color32 = Color32::from_rgba_premultiplied(0x78, 0x32, 0x32, 0xb0);
    /// The resize grip at a scheduled fault's right end.
    pub const FAULT_GRIP: Color32 = Color32::from_rgb(0xf0, 0xa0, 0xa0);
    /// Text on a fault's bar.
    pub const FAULT_TEXT: Color32 = Color32::from_rgb(0xff, 0xf0, 0xf0);
    /// A fault injected live (read-only on the timeline).
    pub const FAULT_LIVE: Color32 = Color32::from_rgba_premultiplied(0x50, 0x30, 0x60, 0xb0);
    /// The simulated time now, on the fault timeline.
    pub const NOW: Color32 = Color32::from_rgb(0x4c, 0x9a, 0xff);
    /// A cache's hit ratio.
    pub const HIT_RATIO: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x6a);
    /// Stale reads of a cache with a write path or a replicated database.
    pub const STALE: Color32 = Color32::from_rgb(0xe0, 0x8a, 0x2c);
    /// Duplicate side effects (a retried charge, a redelivered message).
    pub const DUPLICATES: Color32 = Color32::from_rgb(0xc0, 0x4c, 0xd0);
    /// 95% band around the median (stress test).
    pub const P50_BAND: Color32 = Color32::from_rgba_premultiplied(0x13, 0x27, 0x40, 0x40);
    /// 95% band around the 99th percentile (stress test).
    pub const P99_BAND: Color32 = Color32::from_rgba_premultiplied(0x3c, 0x13, 0x13, 0x40);
    /// 95% band around the achieved throughput (stress test).
    pub const SUCCEEDED_BAND: Color32 = Color32::from_rgba_premultiplied(0x10, 0x2e, 0x1b, 0x40);
    /// The analytic (flow model) overlay.
    pub const ANALYTIC: Color32 = Color32::from_rgb(0xb3, 0x8c, 0xf5);
    /// The SLO line.
    pub const SLO: Color32 = Color32::from_rgb(0x9a, 0xa1, 0xad);
    /// Where the SLO is first broken.
    pub const BREAK: Color32 = Color32::from_rgb(0xf0, 0x4a, 0x4a);
    /// Variant A in a comparison.
    pub const VARIANT_A: Color32 = Color32::from_rgb(0x4c, 0x9a, 0xff);
    /// Variant B in a comparison.
    pub const VARIANT_B: Color32 = Color32::from_rgb(0xf0, 0x8c, 0x2e);
}

fn lerp(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    Color32::from_rgba_unmultiplied(
        mix(a.r(), b.r()),
        mix(a.g(), b.g()),
        mix(a.b(), b.b()),
        mix(a.a(), b.a()),
    )
}

/// Applies archsim's look to egui's style (spacing, rounding) for dark or light mode.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.spacing.slider_width = 140.0;
        style.spacing.interact_size.y = 22.0;
    });
}
