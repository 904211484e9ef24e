//! The search a few thousand events at a time, for a caller that must keep its frames short (the browser
//! has no threads). Each [`OptimizeStepper::step`] does a bounded piece of work; the caller decides how
//! many pieces fit in its frame (this module never reads a clock). The answer is [`super::optimize::optimize`]'s:
//! the same [`Search`], the same replications with the same seeds, summarized the same way.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use super::optimize::{OptimizeResult, OptimizeSpec, Search, finalist};
use super::sweep::{
    Axis, Point, Replication, ReplicationRun, SweepError, SweepSpec, check_points, point_scenario,
    point_warmup_s, summarize,
};
use crate::model::Scenario;

/// One candidate being simulated: its replications in order, the current one part-way.
struct CandidateRun {
    index: usize,
    scenario: Scenario,
    spec: SweepSpec,
    warmup_s: f64,
    reps: Vec<Replication>,
    run: Option<ReplicationRun>,
}

/// A search in progress, advanced by [`OptimizeStepper::step`].
pub struct OptimizeStepper {
    scenario: Scenario,
    spec: OptimizeSpec,
    search: Option<Search>,
    batch: VecDeque<usize>,
    results: Vec<super::optimize::Finalist>,
    current: Option<CandidateRun>,
    done: usize,
    planned: usize,
}

impl OptimizeStepper {
    /// Plans the search (the flow model over the whole grid, at once: microseconds a point).
    pub fn new(scenario: &Scenario, spec: &OptimizeSpec) -> Result<Self, SweepError> {
        let search = Search::new(scenario, spec)?;
        Ok(Self {
            scenario: scenario.clone(),
            spec: spec.clone(),
            search: Some(search),
            batch: VecDeque::new(),
            results: Vec::new(),
            current: None,
            done: 0,
            planned: 0,
        })
    }

    /// Candidates simulated, and planned so far.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.planned)
    }

    /// Does one bounded piece of work: at most `max_events` events of a replication, or the set-up or
    /// summary of one candidate. Returns the answer once the search is over; [`SweepError::Cancelled`]
    /// once `cancel` is raised.
    pub fn step(
        &mut self,
        max_events: u64,
        cancel: &AtomicBool,
    ) -> Result<Option<OptimizeResult>, SweepError> {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(SweepError::Cancelled);
        }
        let Some(search) = self.search.as_mut() else {
            return Err(SweepError::Spec("the search is already over".into()));
        };
        let Some(cur) = self.current.as_mut() else {
            if let Some(index) = self.batch.pop_front() {
                self.current = Some(self.begin(index, cancel)?);
                return Ok(None);
            }
            search.record(std::mem::take(&mut self.results));
            let next = search.next_batch(&self.spec);
            if next.is_empty() {
                let search = self.search.take().ok_or(SweepError::Cancelled)?;
                return search.conclude(&self.scenario, &self.spec).map(Some);
            }
            self.planned += next.len();
            self.batch = next.into();
            return Ok(None);
        };
        let Some(run) = cur.run.as_mut() else {
            let r = cur.reps.len() as u32;
            if r < cur.spec.replications {
                let point = cur.spec.axis.point(0);
                cur.run = Some(ReplicationRun::start(
                    &cur.scenario,
                    &point,
                    r,
                    cur.warmup_s,
                )?);
                return Ok(None);
            }
            let Some(cur) = self.current.take() else {
                return Ok(None);
            };
            let f = Self::conclude_candidate(search, &self.spec, cur)?;
            self.results.push(f);
            self.done += 1;
            return Ok(None);
        };
        if run.advance(max_events)
            && let Some(run) = cur.run.take()
        {
            cur.reps.push(run.finish()?);
        }
        Ok(None)
    }

    /// What [`super::sweep::run_point`] does before its replications, for grid point `index`.
    fn begin(&self, index: usize, cancel: &AtomicBool) -> Result<CandidateRun, SweepError> {
        let search = self.search.as_ref().ok_or(SweepError::Cancelled)?;
        let c = &search.candidates()[index];
        let cs = super::optimize::candidate_scenario(&self.scenario, &c.sets)?;
        let point = Point {
            index: c.index,
            load: self.spec.load,
            set: None,
            value: self.spec.load,
        };
        let scenario = point_scenario(&cs, &point)?;
        let spec = SweepSpec {
            axis: Axis::Load(vec![point.load]),
            replications: self.spec.replications,
            warmup: self.spec.warmup,
            precision: None,
        };
        check_points(&scenario, &spec)?;
        let warmup_s = point_warmup_s(&scenario, &spec.axis.point(0), spec.warmup, cancel)?;
        Ok(CandidateRun {
            index,
            scenario,
            spec,
            warmup_s,
            reps: Vec::new(),
            run: None,
        })
    }

    /// What [`super::sweep::run_point`] does after them.
    fn conclude_candidate(
        search: &Search,
        spec: &OptimizeSpec,
        cur: CandidateRun,
    ) -> Result<super::optimize::Finalist, SweepError> {
        let c = &search.candidates()[cur.index];
        let result = summarize(&cur.scenario, &cur.spec, cur.reps)?;
        let mut p = result
            .points
            .into_iter()
            .next()
            .ok_or_else(|| SweepError::Spec("no point".into()))?;
        p.index = c.index;
        p.value = spec.load;
        p.set = None;
        Ok(finalist(c, &p, spec.slo()))
    }
}
