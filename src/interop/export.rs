//! A scenario as a diagram for a design doc: Mermaid and DOT text (which `import` reads back to the same
//! graph: the kind travels as a class), and SVG, optionally coloured by each node's utilization in a run.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{KindTag, Scenario};

use super::palette::{self, hex};

/// Node box size in the pictures, world units (the app's canvas size).
pub const NODE_W: f32 = 132.0;
/// See [`NODE_W`].
pub const NODE_H: f32 = 56.0;

/// A diagram format that [`export`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Mermaid `flowchart LR`.
    Mermaid,
    /// Graphviz `digraph`.
    Dot,
    /// An SVG picture.
    Svg,
}

impl ExportFormat {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            ExportFormat::Mermaid => "mmd",
            ExportFormat::Dot => "dot",
            ExportFormat::Svg => "svg",
        }
    }
}

/// Writes `s` as `format`; `heat` (node id -> utilization 0..=1) colours an SVG's nodes like a run.
pub fn export(s: &Scenario, format: ExportFormat, heat: Option<&BTreeMap<String, f64>>) -> String {
    match format {
        ExportFormat::Mermaid => mermaid(s),
        ExportFormat::Dot => dot(s),
        ExportFormat::Svg => svg(s, heat),
    }
}

/// A Mermaid id for a node id (Mermaid ids are letters, digits and `_`).
fn mermaid_id(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "node".into() } else { s }
}

fn mermaid_shape(k: KindTag) -> (&'static str, &'static str) {
    match k {
        KindTag::Client => ("([", "])"),
        KindTag::LoadBalancer => ("{{", "}}"),
        KindTag::Service => ("[", "]"),
        KindTag::Cache => ("[[", "]]"),
        KindTag::Database => ("[(", ")]"),
        KindTag::Queue => (">", "]"),
        KindTag::RateLimiter => ("[/", "/]"),
        KindTag::Gateway => ("[\\", "\\]"),
    }
}

fn quote_mermaid(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// `flowchart LR`, one line per node (its kind as a class) and per edge, and class colours.
pub fn mermaid(s: &Scenario) -> String {
    let mut out = format!(
        "%% {} (exported by archsim)\nflowchart LR\n",
        s.name.replace('\n', " ")
    );
    for n in &s.nodes {
        let (o, c) = mermaid_shape(n.kind.tag());
        let _ = writeln!(
            out,
            "    {}{o}\"{}\"{c}:::{}",
            mermaid_id(&n.id),
            quote_mermaid(&n.id),
            n.kind.tag().as_str()
        );
    }
    for e in &s.edges {
        let _ = writeln!(out, "    {} --> {}", mermaid_id(&e.from), mermaid_id(&e.to));
    }
    let used: std::collections::BTreeSet<KindTag> = s.nodes.iter().map(|n| n.kind.tag()).collect();
    for k in used {
        let _ = writeln!(
            out,
            "    classDef {} fill:{},stroke:{},color:{}",
            k.as_str(),
            hex(palette::node_fill(palette::kind_color(k))),
            hex(palette::kind_color(k)),
            hex(palette::TEXT)
        );
    }
    out
}

fn dot_shape(k: KindTag) -> &'static str {
    match k {
        KindTag::Client => "oval",
        KindTag::LoadBalancer => "hexagon",
        KindTag::Service => "box",
        KindTag::Cache => "box3d",
        KindTag::Database => "cylinder",
        KindTag::Queue => "cds",
        KindTag::RateLimiter => "trapezium",
        KindTag::Gateway => "house",
    }
}

fn quote_dot(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A `digraph` laid out left to right, with the canvas positions as `pos` (for `neato -n`).
pub fn dot(s: &Scenario) -> String {
    let mut out = format!(
        "// {} (exported by archsim)\ndigraph {} {{\n    rankdir=LR;\n    node [style=\"rounded,filled\", fontname=\"Helvetica\"];\n",
        s.name.replace('\n', " "),
        quote_dot(&s.name)
    );
    for n in &s.nodes {
        let k = n.kind.tag();
        let pos = n
            .pos
            .map(|(x, y)| format!(", pos=\"{},{}!\"", x / 1.5, -y / 1.5))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {} [label={}, shape={}, class=\"{}\", fillcolor=\"{}\", color=\"{}\"{pos}];",
            quote_dot(&n.id),
            quote_dot(&n.id),
            dot_shape(k),
            k.as_str(),
            hex(palette::node_fill(palette::kind_color(k))),
            hex(palette::kind_color(k)),
        );
    }
    for e in &s.edges {
        let _ = writeln!(out, "    {} -> {};", quote_dot(&e.from), quote_dot(&e.to));
    }
    out.push_str("}\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Node centres for drawing: the scenario's positions, or a row for nodes without one.
pub fn positions(s: &Scenario) -> Vec<(f32, f32)> {
    s.nodes
        .iter()
        .enumerate()
        .map(|(i, n)| n.pos.unwrap_or((100.0 + 200.0 * i as f32, 80.0)))
        .collect()
}

/// Where the segment from the centre of a box towards `to` leaves the box's outline.
pub fn box_exit(from: (f32, f32), to: (f32, f32)) -> (f32, f32) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    if dx == 0.0 && dy == 0.0 {
        return from;
    }
    let sx = if dx != 0.0 {
        (NODE_W / 2.0) / dx.abs()
    } else {
        f32::INFINITY
    };
    let sy = if dy != 0.0 {
        (NODE_H / 2.0) / dy.abs()
    } else {
        f32::INFINITY
    };
    let t = sx.min(sy).min(1.0);
    (from.0 + dx * t, from.1 + dy * t)
}

/// An SVG of the diagram: boxes with their kind's stripe, arrows, ids and kinds; with `heat`, each
/// node's body is tinted calm/busy/saturated by its utilization and labelled with it.
pub fn svg(s: &Scenario, heat: Option<&BTreeMap<String, f64>>) -> String {
    let pos = positions(s);
    let margin = 40.0;
    let (mut x0, mut y0, mut x1, mut y1) = (
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    );
    for &(x, y) in &pos {
        x0 = x0.min(x - NODE_W / 2.0);
        y0 = y0.min(y - NODE_H / 2.0);
        x1 = x1.max(x + NODE_W / 2.0);
        y1 = y1.max(y + NODE_H / 2.0);
    }
    if !x0.is_finite() {
        (x0, y0, x1, y1) = (0.0, 0.0, 200.0, 100.0);
    }
    let (vx, vy, w, h) = (
        x0 - margin,
        y0 - margin,
        x1 - x0 + 2.0 * margin,
        y1 - y0 + 2.0 * margin,
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{vx} {vy} {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"Helvetica, Arial, sans-serif\">"
    );
    let _ = writeln!(out, "  <title>{}</title>", esc(&s.name));
    let _ = writeln!(
        out,
        "  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker></defs>",
        hex(palette::EDGE)
    );
    let _ = writeln!(
        out,
        "  <rect x=\"{vx}\" y=\"{vy}\" width=\"{w}\" height=\"{h}\" fill=\"{}\"/>",
        hex(palette::BACKGROUND)
    );
    let index: BTreeMap<&str, usize> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for e in &s.edges {
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        let p = box_exit(pos[a], pos[b]);
        let q = box_exit(pos[b], pos[a]);
        let _ = writeln!(
            out,
            "  <line class=\"edge\" data-from=\"{}\" data-to=\"{}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>",
            esc(&e.from),
            esc(&e.to),
            p.0,
            p.1,
            q.0,
            q.1,
            hex(palette::EDGE)
        );
    }
    for (n, &(x, y)) in s.nodes.iter().zip(&pos) {
        let k = n.kind.tag();
        let u = heat.and_then(|h| h.get(&n.id)).copied();
        let fill = match u {
            Some(u) => palette::node_fill(palette::utilization_color(u)),
            None => palette::NODE_BG,
        };
        let border = match u {
            Some(u) => palette::utilization_color(u),
            None => palette::NODE_BORDER,
        };
        let (l, t) = (x - NODE_W / 2.0, y - NODE_H / 2.0);
        let _ = writeln!(
            out,
            "  <g class=\"node\" data-id=\"{}\" data-kind=\"{}\">",
            esc(&n.id),
            k.as_str()
        );
        let _ = writeln!(
            out,
            "    <rect x=\"{l}\" y=\"{t}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"10\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"/>",
            hex(fill),
            hex(border)
        );
        let _ = writeln!(
            out,
            "    <rect x=\"{}\" y=\"{}\" width=\"5\" height=\"{}\" fill=\"{}\"/>",
            l + 1.0,
            t + 8.0,
            NODE_H - 16.0,
            hex(palette::kind_color(k))
        );
        let _ = writeln!(
            out,
            "    <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" fill=\"{}\">{}</text>",
            y - 2.0,
            hex(palette::TEXT),
            esc(&n.id)
        );
        let sub = match u {
            Some(u) => format!("{} · {:.0}% busy", kind_word(k), u * 100.0),
            None => kind_word(k).to_owned(),
        };
        let _ = writeln!(
            out,
            "    <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{}\">{}</text>",
            y + 15.0,
            hex(palette::WEAK_TEXT),
            esc(&sub)
        );
        out.push_str("  </g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// A node kind in words.
pub fn kind_word(k: KindTag) -> &'static str {
    match k {
        KindTag::Client => "client",
        KindTag::LoadBalancer => "load balancer",
        KindTag::Service => "service",
        KindTag::Cache => "cache",
        KindTag::Database => "database",
        KindTag::Queue => "queue",
        KindTag::RateLimiter => "rate limiter",
        KindTag::Gateway => "API gateway",
    }
}
