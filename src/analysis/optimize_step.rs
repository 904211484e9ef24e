//! The search a few thousand events at a time, for a caller that must keep its frames short (the browser
//! has no threads). Each [`Stepped::step`] does a bounded piece of work; the caller decides how many
//! pieces fit in its frame (this module never reads a clock). The answer is [`super::optimize::optimize`]'s:
//! the same [`Search`], each candidate a one-point sweep as [`super::sweep::run_point`] runs it, stepped
//! by [`SweepStepper`].

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use super::optimize::{OptimizeResult, OptimizeSpec, Search, finalist};
use super::sweep::{Axis, Point, SweepError, SweepResult, SweepSpec, point_scenario};
use super::sweep_step::{Stepped, SweepStepper};
use crate::model::Scenario;

/// One candidate being simulated: the candidate's index and its one-point sweep part-way.
struct CandidateRun {
    index: usize,
    sweep: SweepStepper,
}

/// A search in progress, advanced by [`Stepped::step`].
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

    /// What [`super::sweep::run_point`] sets up for grid point `index`: the candidate's scenario at the
    /// search's load as a one-point sweep.
    fn begin(&self, index: usize) -> Result<CandidateRun, SweepError> {
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
        Ok(CandidateRun {
            index,
            sweep: SweepStepper::new(&scenario, &spec)?,
        })
    }

    /// What [`super::sweep::run_point`] does with the one-point sweep's result.
    fn conclude_candidate(
        search: &Search,
        spec: &OptimizeSpec,
        index: usize,
        result: SweepResult,
    ) -> Result<super::optimize::Finalist, SweepError> {
        let c = &search.candidates()[index];
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

impl Stepped for OptimizeStepper {
    type Output = OptimizeResult;

    /// One bounded piece: at most `max_events` events of a replication, or the set-up or summary of one
    /// candidate, or the planning of the next batch.
    fn step(
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
                self.current = Some(self.begin(index)?);
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
        let Some(result) = cur.sweep.step(max_events, cancel)? else {
            return Ok(None);
        };
        let index = cur.index;
        self.current = None;
        let f = Self::conclude_candidate(search, &self.spec, index, result)?;
        self.results.push(f);
        self.done += 1;
        Ok(None)
    }

    /// Candidates simulated, and planned so far.
    fn progress(&self) -> (usize, usize) {
        (self.done, self.planned)
    }
}
