//! The request animation: every message the engine samples slides along its edge for at least
//! [`MIN_TRAVEL_S`] of wall time, so a hop of a quarter of a millisecond (the default edge) is seen at all.
//! This timing is the animation's only: the engine's clock and results are untouched.
//!
//! An edge whose latency is the constant 0 never produces a sample (the engine delivers such hops without an
//! event); while it carries traffic the animation adds dots on it at the rate the sampling would have given.

use egui::{Mesh, Painter, Pos2, Rect, Shape, vec2};

use super::canvas_draw::LOD_ZOOM;

use crate::model::{Dist, Scenario};
use crate::sim::{DotOutcome, Snapshot, TransitDot};

use super::runner::{RunState, Runner};
use super::theme::Theme;

/// Shortest time a dot takes to cross its edge on screen, wall seconds.
pub const MIN_TRAVEL_S: f64 = 0.6;
/// Most dots in flight at once in one direction of one edge: more would merge into a line.
const LANE_MAX: usize = 6;
/// Most dots drawn in all (a big diagram at high load).
const MAX_DOTS: usize = 3000;
/// The engine samples one successful message in this many (`sample_dot` in src/sim/plumbing.rs).
const SAMPLING: f64 = 8.0;

/// One dot on screen.
#[derive(Clone, Copy, Debug)]
struct AnimDot {
    /// Index into the run's edges.
    edge: usize,
    response: bool,
    outcome: DotOutcome,
    start_s: f64,
    travel_s: f64,
}

/// The dots on screen and what has been taken from the engine's samples.
#[derive(Default)]
pub struct DotAnim {
    dots: Vec<AnimDot>,
    /// Animation clock, wall seconds: it stands still while the run is paused.
    clock_s: f64,
    /// The egui time of the last update.
    last_time: Option<f64>,
    /// Simulated time at the last update (a smaller one means a new run).
    sim_ns: u64,
    /// The latest departure taken, and how many samples departing at exactly that time were taken.
    taken_until: (u64, usize),
    /// Per lane (edge × 2 + response): when its last dot started, and the credit toward a made-up dot on an
    /// edge of zero latency.
    lanes: Vec<(f64, f64)>,
}

/// A dot to draw: its edge in the run, direction, outcome, and how far along it is (0 to 1).
pub struct DotView {
    pub edge: usize,
    pub response: bool,
    pub outcome: DotOutcome,
    pub along: f32,
}

impl DotAnim {
    /// Advances the clock by the egui time since the last frame and takes the engine's new samples.
    pub fn update(&mut self, runner: &Runner, time_s: f64) {
        let dt = self
            .last_time
            .map_or(0.0, |t| (time_s - t).clamp(0.0, 0.25));
        self.last_time = Some(time_s);
        let (Some(run), Some(snap)) = (runner.run_scenario(), runner.snapshot.as_ref()) else {
            *self = Self {
                last_time: self.last_time,
                ..Self::default()
            };
            return;
        };
        let now_ns = runner.time_ns();
        if now_ns < self.sim_ns || self.lanes.len() != run.edges.len() * 2 {
            *self = Self {
                last_time: self.last_time,
                lanes: vec![(f64::NEG_INFINITY, 0.0); run.edges.len() * 2],
                ..Self::default()
            };
        }
        self.sim_ns = now_ns;
        // Dots finish crossing once the run ends; a paused run holds them where they are.
        if matches!(runner.state, RunState::Running | RunState::Finished) {
            self.clock_s += dt;
        }
        let clock = self.clock_s;
        self.dots.retain(|d| clock - d.start_s <= d.travel_s);
        let speed = if runner.achieved_speed > 0.0 {
            runner.achieved_speed
        } else if runner.speed.is_finite() {
            runner.speed
        } else {
            1.0
        };
        for d in self.take_new(&runner.dots) {
            let travel = (d.arrive_ns - d.depart_ns) as f64 / 1e9 / speed;
            self.admit(d.edge, d.response, d.outcome, travel);
        }
        if runner.state == RunState::Running {
            self.make_up_zero_latency(run, snap, speed, dt);
        }
    }

    /// The samples in `ring` (departure order) not taken before.
    fn take_new(&mut self, ring: &[TransitDot]) -> Vec<TransitDot> {
        let (until, at_until) = self.taken_until;
        let mut seen_at_until = 0;
        let mut fresh = Vec::new();
        for d in ring {
            if d.depart_ns < until {
                continue;
            }
            if d.depart_ns == until {
                seen_at_until += 1;
                if seen_at_until <= at_until {
                    continue;
                }
            }
            fresh.push(*d);
        }
        if let Some(last) = fresh.last() {
            let n_last = ring
                .iter()
                .filter(|d| d.depart_ns == last.depart_ns)
                .count();
            self.taken_until = (last.depart_ns, n_last);
        }
        fresh
    }

    /// Starts a dot unless its lane is full (failures always show: they are what a person looks for).
    fn admit(&mut self, edge: usize, response: bool, outcome: DotOutcome, travel_s: f64) {
        let lane = edge * 2 + usize::from(response);
        let Some(&(last_start, _)) = self.lanes.get(lane) else {
            return;
        };
        let spacing = MIN_TRAVEL_S / LANE_MAX as f64;
        if (outcome == DotOutcome::Ok && self.clock_s - last_start < spacing)
            || self.dots.len() >= MAX_DOTS
        {
            return;
        }
        self.lanes[lane].0 = self.clock_s;
        self.dots.push(AnimDot {
            edge,
            response,
            outcome,
            start_s: self.clock_s,
            travel_s: travel_s.max(MIN_TRAVEL_S),
        });
    }

    /// Dots on edges of zero latency, which the engine never samples, at the rate it would have.
    fn make_up_zero_latency(&mut self, run: &Scenario, snap: &Snapshot, speed: f64, dt: f64) {
        for (i, e) in run.edges.iter().enumerate() {
            if e.latency_ms != Dist::constant(0.0) {
                continue;
            }
            let rps = snap.edges.get(i).map_or(0.0, |l| l.throughput_rps);
            if rps.is_nan() || rps <= 0.0 {
                continue;
            }
            let credit = &mut self.lanes[i * 2].1;
            *credit = (*credit + rps * speed / SAMPLING * dt).min(1.0);
            if *credit >= 1.0 {
                *credit = 0.0;
                self.admit(i, false, DotOutcome::Ok, 0.0);
                self.admit(i, true, DotOutcome::Ok, 0.0);
            }
        }
    }

    /// The dots to draw now.
    pub fn visible(&self) -> impl Iterator<Item = DotView> + '_ {
        self.dots.iter().map(|d| DotView {
            edge: d.edge,
            response: d.response,
            outcome: d.outcome,
            along: ((self.clock_s - d.start_s) / d.travel_s).clamp(0.0, 1.0) as f32,
        })
    }

    /// Dots still crossing (the app keeps drawing frames until they are done).
    pub fn is_moving(&self) -> bool {
        !self.dots.is_empty()
    }
}

/// Where a dot is on screen: on the segment from sender to receiver (a response travels back, on its own
/// side of the line), and its radius.
fn dot_at(seg: (Pos2, Pos2), dot: &DotView, zoom: f32) -> (Pos2, f32) {
    let (a, b) = if dot.response { (seg.1, seg.0) } else { seg };
    let dir = (b - a).normalized();
    let side = vec2(-dir.y, dir.x) * 3.0 * zoom.sqrt();
    let p = a + (b - a) * dot.along + if dot.response { side } else { -side };
    (p, 2.6 * zoom.sqrt().max(0.8))
}

/// Paints the dots: anti-aliased circles when zoomed in; when zoomed out past [`LOD_ZOOM`], where a dot is
/// about 4 px across, one mesh of small squares. A big diagram at high load keeps about 1,700 dots on
/// screen, and under a software rasterizer (Mesa's llvmpipe, what a machine without a GPU has) each
/// feathered circle is a couple of dozen triangles to set up; a square is two and reads the same at
/// that size.
pub struct DotPainter {
    mesh: Option<Mesh>,
}

impl DotPainter {
    pub fn new(zoom: f32) -> Self {
        Self {
            mesh: (zoom < LOD_ZOOM).then(Mesh::default),
        }
    }

    /// Adds one dot on `seg`.
    pub fn dot(
        &mut self,
        painter: &Painter,
        seg: (Pos2, Pos2),
        dot: &DotView,
        zoom: f32,
        t: &Theme,
    ) {
        let (p, r) = dot_at(seg, dot, zoom);
        let color = t.dot_color(dot.outcome, dot.response);
        match &mut self.mesh {
            Some(mesh) => {
                // A square of the circle's area.
                let h = r * 0.886;
                mesh.add_colored_rect(Rect::from_center_size(p, vec2(2.0 * h, 2.0 * h)), color);
            }
            None => {
                painter.circle_filled(p, r, color);
            }
        }
    }

    /// Draws what was collected (one shape for all the squares).
    pub fn finish(self, painter: &Painter) {
        if let Some(mesh) = self.mesh
            && !mesh.is_empty()
        {
            painter.add(Shape::mesh(mesh));
        }
    }
}
