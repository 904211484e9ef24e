//! Sweeps a bounded piece at a time, for a caller that must keep its frames short (the browser has no
//! threads). [`SweepStepper::step`] does one piece (at most so many events of one run, or the set-up or
//! summary around them); the caller decides how many pieces fit in its frame (this module never reads a
//! clock). The answer is [`super::sweep::run_sweep`]'s: the same warm-ups, the same replications with the
//! same seeds, the same stopping rule, summarized the same way (the engine's results do not depend on how
//! a run is sliced).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use super::replication::{check_stopped, measure, replication_spec};
use super::stats::mser5_truncation;
use super::sweep::{
    Point, Replication, SweepError, SweepResult, SweepSpec, Warmup, check_points, check_spec,
    first_units, more_replications, point_scenario, point_warmup_s, replication_seed, summarize,
};
use crate::model::{RunSpec, Scenario};
use crate::sim::Simulation;

/// Work that advances in bounded pieces until it has an answer: a sweep, the Optimize search. The app's
/// one background-job runner drives any of them in the browser.
pub trait Stepped {
    /// The answer.
    type Output;

    /// Does one bounded piece of work (at most `max_events` simulation events, or a step between runs).
    /// Returns the answer once there is one; [`SweepError::Cancelled`] once `cancel` is raised.
    fn step(
        &mut self,
        max_events: u64,
        cancel: &AtomicBool,
    ) -> Result<Option<Self::Output>, SweepError>;

    /// Units finished, and planned so far (replications for a sweep, designs for the search).
    fn progress(&self) -> (usize, usize);
}

/// One replication that can be advanced a few events at a time. Its result is
/// [`super::sweep::run_replication`]'s.
pub struct ReplicationRun {
    s: Scenario,
    point: Point,
    r: u32,
    sim: Simulation,
}

impl ReplicationRun {
    /// Builds the run (nothing is simulated yet).
    pub fn start(
        scenario: &Scenario,
        point: &Point,
        r: u32,
        warmup_s: f64,
    ) -> Result<Self, SweepError> {
        let valid = point_scenario(scenario, point)?;
        let seed = replication_seed(scenario.seed, r);
        let spec = replication_spec(valid, seed, point.load, warmup_s)?;
        let sim = Simulation::from_spec(&spec);
        Ok(Self {
            s: spec.effective_scenario(),
            point: point.clone(),
            r,
            sim,
        })
    }

    /// Runs at most `max_events` more events; returns whether the run has reached its end.
    pub fn advance(&mut self, max_events: u64) -> bool {
        advance(&mut self.sim, max_events)
    }

    pub(super) fn sim_mut(&mut self) -> &mut Simulation {
        &mut self.sim
    }

    /// The finished run's measurements (a governor's stop is an error).
    pub fn finish(self) -> Result<Replication, SweepError> {
        let Self { s, point, r, sim } = self;
        check_stopped(&s, point.load, &sim)?;
        Ok(measure(&s, &point, r, &sim))
    }
}

/// The pilot run of [`super::sweep::auto_warmup_s`], advanced a few events at a time.
pub struct PilotRun {
    s: Scenario,
    load: f64,
    sim: Simulation,
}

impl PilotRun {
    /// Builds the pilot run of `point` (nothing is simulated yet).
    pub fn start(scenario: &Scenario, point: &Point) -> Result<Self, SweepError> {
        let valid = point_scenario(scenario, point)?;
        let spec = RunSpec::new(valid)
            .with_seed(replication_seed(scenario.seed, u32::MAX))
            .at_load(point.load)?;
        let sim = Simulation::from_spec(&spec);
        Ok(Self {
            s: spec.effective_scenario(),
            load: point.load,
            sim,
        })
    }

    /// Runs at most `max_events` more events; returns whether the run has reached its end.
    pub fn advance(&mut self, max_events: u64) -> bool {
        advance(&mut self.sim, max_events)
    }

    pub(super) fn sim_mut(&mut self) -> &mut Simulation {
        &mut self.sim
    }

    /// The warm-up MSER-5 picks from the finished run, seconds: the truncation of the 1 s series of the
    /// total queue length over all nodes.
    pub fn finish(self) -> Result<f64, SweepError> {
        check_stopped(&self.s, self.load, &self.sim)?;
        let rep = self.sim.report();
        let n = rep.series.t_s.len();
        let total: Vec<f64> = (0..n)
            .map(|i| rep.series.nodes.iter().map(|ns| ns.queue_len[i]).sum())
            .collect();
        Ok(mser5_truncation(&total) as f64 * rep.series.bucket_s)
    }
}

fn advance(sim: &mut Simulation, max_events: u64) -> bool {
    let end = sim.end_ns();
    sim.step_events(end, max_events.max(1));
    sim.is_finished()
}

/// A sweep in progress, advanced by [`Stepped::step`]: the warm-ups first (a pilot run per point for
/// [`Warmup::Auto`]), then the units (point, replication) in order, then more while the precision target
/// asks for them, then the summary.
pub struct SweepStepper {
    scenario: Scenario,
    spec: SweepSpec,
    warmups: Vec<Option<f64>>,
    pilot: Option<(usize, PilotRun)>,
    units: VecDeque<(usize, u32)>,
    run: Option<ReplicationRun>,
    reps: Vec<Vec<Replication>>,
    done: usize,
    total: usize,
    over: bool,
}

impl SweepStepper {
    /// Checks the sweep as [`super::sweep::run_sweep`] does (nothing is simulated yet).
    pub fn new(scenario: &Scenario, spec: &SweepSpec) -> Result<Self, SweepError> {
        check_spec(spec)?;
        check_points(scenario, spec)?;
        let n = spec.axis.len();
        let never = AtomicBool::new(false);
        let warmups = (0..n)
            .map(|p| match spec.warmup {
                Warmup::Auto => Ok(None),
                w => point_warmup_s(scenario, &spec.axis.point(p), w, &never).map(Some),
            })
            .collect::<Result<_, _>>()?;
        let units: VecDeque<_> = first_units(spec).into();
        Ok(Self {
            scenario: scenario.clone(),
            spec: spec.clone(),
            warmups,
            pilot: None,
            total: units.len(),
            units,
            run: None,
            reps: vec![Vec::new(); n],
            done: 0,
            over: false,
        })
    }
}

impl Stepped for SweepStepper {
    type Output = SweepResult;

    fn step(
        &mut self,
        max_events: u64,
        cancel: &AtomicBool,
    ) -> Result<Option<SweepResult>, SweepError> {
        if cancel.load(Ordering::Relaxed) {
            return Err(SweepError::Cancelled);
        }
        if self.over {
            return Err(SweepError::Spec("the sweep is already over".into()));
        }
        if let Some((p, pilot)) = self.pilot.as_mut() {
            let p = *p;
            if pilot.advance(max_events)
                && let Some((_, pilot)) = self.pilot.take()
            {
                self.warmups[p] = Some(pilot.finish()?);
            }
            return Ok(None);
        }
        if let Some(p) = self.warmups.iter().position(Option::is_none) {
            self.pilot = Some((
                p,
                PilotRun::start(&self.scenario, &self.spec.axis.point(p))?,
            ));
            return Ok(None);
        }
        if let Some(run) = self.run.as_mut() {
            if run.advance(max_events)
                && let Some(run) = self.run.take()
            {
                let rep = run.finish()?;
                self.reps[rep.point].push(rep);
                self.done += 1;
            }
            return Ok(None);
        }
        if let Some((p, r)) = self.units.pop_front() {
            let warmup_s = self.warmups[p].unwrap_or(self.scenario.warmup_s);
            let point = self.spec.axis.point(p);
            self.run = Some(ReplicationRun::start(&self.scenario, &point, r, warmup_s)?);
            return Ok(None);
        }
        let more = more_replications(self.spec.precision, &self.reps);
        if !more.is_empty() {
            self.total += more.len();
            self.units = more.into();
            return Ok(None);
        }
        self.over = true;
        let reps = std::mem::take(&mut self.reps)
            .into_iter()
            .flatten()
            .collect();
        summarize(&self.scenario, &self.spec, reps).map(Some)
    }

    fn progress(&self) -> (usize, usize) {
        (self.done, self.total)
    }
}
