//! A run as an animated GIF, drawn in software (no display, so it runs in CI): every frame is the diagram
//! with each node tinted by its utilization, the requests in flight as dots, and the clock and key figures
//! in the top-left corner. Deterministic: the same scenario, seed and options give the same bytes.
//!
//! Small by construction: one fixed palette for the whole file (the theme's colours, then an even colour
//! cube), and each frame stores only the pixels that changed (the rest transparent over the previous
//! frame); a frame equal to the last one only lengthens the last one's delay.

use std::borrow::Cow;

use crate::model::{RunSpec, Scenario, ValidScenario};
use crate::sim::{NS_PER_S, Simulation, secs_to_ns};

use super::export::{NODE_H, NODE_W, box_exit, positions};
use super::palette::{self, Rgb};
use super::render::{Canvas, NodeFrame};

/// Recording settings (the `archsim record` options).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordOptions {
    /// Load multiplier (as `--load`).
    pub load: f64,
    /// Simulated seconds recorded, from time 0.
    pub seconds: f64,
    /// Frames per second of simulated (and playback) time, 1 to 30.
    pub fps: u32,
    /// Image width, pixels (160 to 1920).
    pub width: u32,
    /// Image height, pixels (120 to 1080).
    pub height: u32,
    /// Palette size, 16 to 256 colours.
    pub colors: u32,
    /// Playback speed: 1 plays in real time, 2 twice as fast (0.1 to 100).
    pub speed: f64,
    /// Draw requests in flight as dots.
    pub dots: bool,
}

impl Default for RecordOptions {
    fn default() -> Self {
        Self {
            load: 1.0,
            seconds: 20.0,
            fps: 10,
            width: 800,
            height: 450,
            colors: 256,
            speed: 1.0,
            dots: true,
        }
    }
}

impl RecordOptions {
    /// Every option out of range, in words.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(self.load.is_finite() && self.load > 0.0) {
            p.push(format!("--load is {}; allowed: > 0", self.load));
        }
        if !(self.seconds.is_finite() && self.seconds > 0.0 && self.seconds <= 600.0) {
            p.push(format!(
                "--seconds is {}; allowed: > 0 and <= 600",
                self.seconds
            ));
        }
        if !(1..=30).contains(&self.fps) {
            p.push(format!("--fps is {}; allowed: 1 to 30", self.fps));
        }
        if !(160..=1920).contains(&self.width) {
            p.push(format!("--width is {}; allowed: 160 to 1920", self.width));
        }
        if !(120..=1080).contains(&self.height) {
            p.push(format!("--height is {}; allowed: 120 to 1080", self.height));
        }
        if !(16..=256).contains(&self.colors) {
            p.push(format!("--colors is {}; allowed: 16 to 256", self.colors));
        }
        if !(self.speed.is_finite() && (0.1..=100.0).contains(&self.speed)) {
            p.push(format!("--speed is {}; allowed: 0.1 to 100", self.speed));
        }
        p
    }
}

/// Height of the figures strip above the diagram, pixels.
const PANEL_PX: f32 = 58.0;

/// Records `scenario` under `opts` as GIF bytes. Errors: options out of range, or an invalid scenario.
pub fn record(scenario: &Scenario, opts: &RecordOptions) -> Result<Vec<u8>, String> {
    let problems = opts.problems();
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let mut s = scenario.clone();
    s.duration_s = s.duration_s.max(opts.seconds);
    let spec = ValidScenario::new(s.clone())
        .and_then(|v| RunSpec::new(v).at_load(opts.load))
        .map_err(|e| e.to_string())?;
    let mut sim = Simulation::from_spec(&spec);
    sim.set_dot_sampling(opts.dots);

    let pos = positions(&s);
    let (mut x0, mut y0, mut x1, mut y1) = (
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    );
    for &(x, y) in &pos {
        x0 = x0.min(x - NODE_W / 2.0 - 20.0);
        y0 = y0.min(y - NODE_H / 2.0 - 20.0);
        x1 = x1.max(x + NODE_W / 2.0 + 20.0);
        y1 = y1.max(y + NODE_H / 2.0 + 20.0);
    }
    let mut canvas = Canvas::new(opts.width, opts.height, (x0, y0, x1, y1), PANEL_PX)
        .ok_or("cannot make the canvas (the bundled fonts did not load)")?;
    let index: std::collections::BTreeMap<&str, usize> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize)> = s
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?)))
        .collect();

    let palette = Palette::new(opts.colors as usize);
    let mut gif = Gif::new(opts.width as u16, opts.height as u16, &palette.colors)?;
    let frames = (opts.seconds * opts.fps as f64).round().max(1.0) as u64;
    let delay_cs = ((100.0 / (opts.fps as f64 * opts.speed)).round() as u16).max(2);
    let mut figures = Figures::default();
    for f in 1..=frames {
        let t_ns = secs_to_ns(f as f64 / opts.fps as f64);
        sim.step_until(t_ns);
        let now = sim.time_ns();
        if now / NS_PER_S != figures.second || f == 1 {
            figures = Figures::from_report(&sim.report(), now / NS_PER_S);
        }
        let snap = sim.snapshot();
        let nodes: Vec<NodeFrame> = s
            .nodes
            .iter()
            .zip(&pos)
            .zip(&snap.nodes)
            .map(|((n, &p), live)| NodeFrame {
                id: n.id.clone(),
                kind: Some(n.kind.tag()),
                pos: p,
                utilization: live.utilization,
                queue_len: live.queue_len,
                down: !live.up,
            })
            .collect();
        let edge_frames: Vec<(usize, usize, bool)> = edges
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| (a, b, snap.edges.get(i).is_some_and(|e| e.down)))
            .collect();
        canvas.clear(palette::BACKGROUND);
        canvas.diagram(&nodes, &edge_frames);
        if opts.dots {
            let r = (3.0 * canvas.scale()).clamp(2.0, 4.0);
            for d in sim.dots() {
                if !(d.depart_ns <= now && now < d.arrive_ns) {
                    continue;
                }
                let Some(&(a, b)) = edges.get(d.edge) else {
                    continue;
                };
                let (from, to) = if d.response {
                    (pos[b], pos[a])
                } else {
                    (pos[a], pos[b])
                };
                // Between the boxes' outlines, not their centres, so dots never cover a label.
                let (from, to) = (box_exit(from, to), box_exit(to, from));
                let t = (now - d.depart_ns) as f32 / (d.arrive_ns - d.depart_ns).max(1) as f32;
                let p = (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t);
                let c = match d.outcome {
                    crate::sim::DotOutcome::Ok if d.response => palette::CALM,
                    crate::sim::DotOutcome::Ok => palette::DOT,
                    crate::sim::DotOutcome::Error => palette::SATURATED,
                    _ => palette::BUSY,
                };
                canvas.dot(p, r, c);
            }
        }
        figures.draw(&mut canvas, now, opts.load, &s.name);
        let indices = palette.index(canvas.pixmap.data());
        gif.frame(indices, delay_cs)?;
    }
    gif.finish()
}

/// The figures drawn in the corner, refreshed once per simulated second from the report's last bucket.
#[derive(Default)]
struct Figures {
    second: u64,
    p50_ms: f64,
    p99_ms: f64,
    ok_rps: f64,
    bad_rps: f64,
}

impl Figures {
    fn from_report(r: &crate::metrics::Report, second: u64) -> Self {
        let s = &r.series;
        // The last full bucket: the one before the bucket now filling.
        let i = s.t_s.len().saturating_sub(2);
        let at = |v: &Vec<f64>| v.get(i).copied().unwrap_or(f64::NAN);
        Self {
            second,
            p50_ms: at(&s.p50_ms),
            p99_ms: at(&s.p99_ms),
            ok_rps: at(&s.succeeded_rps),
            bad_rps: at(&s.failed_rps)
                + at(&s.timed_out_rps)
                + at(&s.rejected_rps)
                + at(&s.rate_limited_rps),
        }
    }

    fn draw(&self, c: &mut Canvas, now_ns: u64, load: f64, name: &str) {
        let ms = |v: f64| {
            if v.is_finite() {
                format!("{v:.0} ms")
            } else {
                "-".into()
            }
        };
        let rps = |v: f64| {
            if v.is_finite() {
                format!("{v:.0}/s")
            } else {
                "-".into()
            }
        };
        let lines = [
            format!(
                "t {:5.1} s   load {}x   {}",
                now_ns as f64 / NS_PER_S as f64,
                trim(load),
                name
            ),
            format!("p50 {}   p99 {}", ms(self.p50_ms), ms(self.p99_ms)),
            format!("ok {}   errors {}", rps(self.ok_rps), rps(self.bad_rps)),
        ];
        let w = lines
            .iter()
            .map(|l| c.text_width(l, 13.0, true))
            .fold(0.0, f32::max)
            + 16.0;
        c.rounded_rect(
            6.0,
            6.0,
            w,
            PANEL_PX - 10.0,
            6.0,
            palette::PANEL,
            Some((palette::NODE_BORDER, 1.0)),
        );
        for (i, l) in lines.iter().enumerate() {
            let color = if i == 2 && self.bad_rps > 0.0 {
                palette::SATURATED
            } else {
                palette::TEXT
            };
            c.text(l, 14.0, 21.0 + 15.0 * i as f32, 13.0, color, true);
        }
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The fixed palette: the theme's colours first (exact), an even colour cube, greys; the last entry is
/// kept for "unchanged" (transparent) pixels.
struct Palette {
    colors: Vec<u8>,
    lut: Vec<u8>,
}

impl Palette {
    fn new(size: usize) -> Self {
        // Most important first: small palettes keep only the head of this list exactly.
        let mut list: Vec<Rgb> = vec![
            palette::BACKGROUND,
            palette::TEXT,
            palette::SATURATED,
            palette::BUSY,
            palette::CALM,
            palette::EDGE,
            palette::NODE_BG,
            palette::WEAK_TEXT,
            palette::NODE_BORDER,
            palette::DOT,
            palette::DOWN,
            palette::node_fill(palette::CALM),
            palette::node_fill(palette::BUSY),
            palette::node_fill(palette::SATURATED),
        ];
        for k in crate::model::KindTag::ALL {
            list.push(palette::kind_color(k));
        }
        // The utilization tints of node bodies and borders, so busy shades do not fall to a grey.
        for k in 0..=15 {
            let u = k as f64 / 15.0;
            list.push(palette::node_fill(palette::utilization_color(u)));
            list.push(palette::utilization_color(u));
        }
        let usable = size - 1;
        list.truncate(usable / 2);
        let room = usable - list.len();
        let levels = (2..=6).rev().find(|l| l * l * l <= room).unwrap_or(2);
        for r in 0..levels {
            for g in 0..levels {
                for b in 0..levels {
                    let v = |i: usize| (i * 255 / (levels - 1)) as u8;
                    list.push([v(r), v(g), v(b)]);
                }
            }
        }
        let greys = usable - list.len();
        for k in 0..greys {
            let v = ((k + 1) * 255 / (greys + 1)) as u8;
            list.push([v, v, v]);
        }
        // 5 bits per channel -> nearest palette entry.
        let mut lut = vec![0u8; 32 * 32 * 32];
        for (i, slot) in lut.iter_mut().enumerate() {
            let c = [
                ((i >> 10) & 31) as i32,
                ((i >> 5) & 31) as i32,
                (i & 31) as i32,
            ];
            let c = c.map(|v| v * 255 / 31);
            let best = list
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| (0..3).map(|k| (p[k] as i32 - c[k]).pow(2)).sum::<i32>())
                .map_or(0, |(j, _)| j);
            *slot = best as u8;
        }
        // Exact theme colours map to themselves even where a cube entry is as close.
        for (j, p) in list.iter().enumerate().take(usable / 2) {
            lut[Self::key(*p)] = j as u8;
        }
        let mut colors: Vec<u8> = list.iter().flatten().copied().collect();
        colors.extend([0, 0, 0]);
        Self { colors, lut }
    }

    fn key(c: Rgb) -> usize {
        ((c[0] as usize >> 3) << 10) | ((c[1] as usize >> 3) << 5) | (c[2] as usize >> 3)
    }

    fn index(&self, rgba: &[u8]) -> Vec<u8> {
        rgba.chunks_exact(4)
            .map(|p| self.lut[Self::key([p[0], p[1], p[2]])])
            .collect()
    }

    #[cfg(test)]
    fn transparent(&self) -> u8 {
        (self.colors.len() / 3 - 1) as u8
    }
}

/// The encoder with frame differencing.
struct Gif {
    enc: gif::Encoder<Vec<u8>>,
    width: u16,
    height: u16,
    transparent: u8,
    /// The full picture shown after the last written frame.
    shown: Option<Vec<u8>>,
    /// A frame not yet written (its delay may still grow).
    pending: Option<(gif::Frame<'static>, Vec<u8>)>,
}

impl Gif {
    fn new(width: u16, height: u16, colors: &[u8]) -> Result<Self, String> {
        let mut enc =
            gif::Encoder::new(Vec::new(), width, height, colors).map_err(|e| e.to_string())?;
        enc.set_repeat(gif::Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            enc,
            width,
            height,
            transparent: (colors.len() / 3 - 1) as u8,
            shown: None,
            pending: None,
        })
    }

    fn frame(&mut self, picture: Vec<u8>, delay_cs: u16) -> Result<(), String> {
        if let Some((f, p)) = &mut self.pending
            && *p == picture
        {
            f.delay = f.delay.saturating_add(delay_cs);
            return Ok(());
        }
        self.flush()?;
        let w = self.width as usize;
        let frame = match &self.shown {
            None => gif::Frame {
                width: self.width,
                height: self.height,
                buffer: Cow::Owned(picture.clone()),
                delay: delay_cs,
                ..gif::Frame::default()
            },
            Some(prev) => {
                // The rectangle around the changed pixels; inside it, unchanged pixels are transparent.
                let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
                for (i, (a, b)) in prev.iter().zip(&picture).enumerate() {
                    if a != b {
                        let (x, y) = (i % w, i / w);
                        x0 = x0.min(x);
                        y0 = y0.min(y);
                        x1 = x1.max(x);
                        y1 = y1.max(y);
                    }
                }
                let mut buf = Vec::with_capacity((x1 + 1 - x0) * (y1 + 1 - y0));
                for y in y0..=y1 {
                    for x in x0..=x1 {
                        let i = y * w + x;
                        buf.push(if prev[i] == picture[i] {
                            self.transparent
                        } else {
                            picture[i]
                        });
                    }
                }
                gif::Frame {
                    left: x0 as u16,
                    top: y0 as u16,
                    width: (x1 + 1 - x0) as u16,
                    height: (y1 + 1 - y0) as u16,
                    buffer: Cow::Owned(buf),
                    delay: delay_cs,
                    transparent: Some(self.transparent),
                    dispose: gif::DisposalMethod::Keep,
                    ..gif::Frame::default()
                }
            }
        };
        self.pending = Some((frame, picture));
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        if let Some((f, p)) = self.pending.take() {
            self.enc.write_frame(&f).map_err(|e| e.to_string())?;
            self.shown = Some(p);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, String> {
        self.flush()?;
        self.enc.into_inner().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_keeps_theme_colours_exact() {
        for size in [16, 64, 256] {
            let p = Palette::new(size);
            assert_eq!(p.colors.len(), size * 3);
            let i = p.index(&[
                palette::SATURATED[0],
                palette::SATURATED[1],
                palette::SATURATED[2],
                255,
            ])[0] as usize;
            assert_eq!(
                &p.colors[i * 3..i * 3 + 3],
                &palette::SATURATED,
                "size {size}"
            );
            assert_ne!(i as u8, p.transparent());
        }
    }
}
