//! A sweep running in the background so the UI keeps drawing: natively on its own thread (the library
//! spreads the replications over rayon's pool); in the browser, which has no threads, one replication at a
//! time inside each frame's time budget. Both give the same numbers: every replication depends only on
//! its inputs, and the library combines them in a fixed order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::analysis::sweep::{SweepResult, SweepSpec};
use crate::model::Scenario;

/// How a finished job ended: the result, or why there is none (cancelled, invalid scenario) in words.
pub type JobOutcome = Result<SweepResult, String>;

/// A sweep in progress.
pub struct SweepJob {
    cancel: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
    total: usize,
    #[cfg(not(target_arch = "wasm32"))]
    handle: Option<std::thread::JoinHandle<JobOutcome>>,
    #[cfg(target_arch = "wasm32")]
    stepper: Stepper,
}

impl SweepJob {
    /// Starts sweeping `scenario` as `spec` says.
    pub fn start(scenario: Scenario, spec: SweepSpec) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let total = spec.axis.len() * spec.replications.max(1) as usize;
        #[cfg(not(target_arch = "wasm32"))]
        {
            let (c, d) = (cancel.clone(), done.clone());
            let handle = std::thread::Builder::new()
                .name("archsim-sweep".into())
                .spawn(move || {
                    let progress = move |p: crate::analysis::sweep::Progress| {
                        d.store(p.done, Ordering::Relaxed);
                    };
                    crate::analysis::sweep::run_sweep(&scenario, &spec, &progress, &c)
                        .map_err(|e| e.to_string())
                })
                .ok();
            Self {
                cancel,
                done,
                total,
                handle,
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            Self {
                cancel,
                done,
                total,
                stepper: Stepper::new(scenario, spec),
            }
        }
    }

    /// Replications finished and planned.
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total)
    }

    /// Asks the sweep to stop (it ends at its next check, within a fraction of one replication).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Has Cancel been pressed?
    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Moves the sweep on (in the browser: runs replications for up to `budget_s` wall seconds) and
    /// returns how it ended once it has.
    pub fn poll(&mut self, budget_s: f64) -> Option<JobOutcome> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = budget_s;
            let Some(h) = self.handle.as_ref() else {
                return Some(Err("could not start a thread for the sweep".into()));
            };
            if !h.is_finished() {
                return None;
            }
            let h = self.handle.take()?;
            Some(
                h.join()
                    .unwrap_or_else(|_| Err("the sweep failed inside the engine".into())),
            )
        }
        #[cfg(target_arch = "wasm32")]
        {
            let out = self.stepper.step(budget_s, &self.cancel);
            self.done.store(self.stepper.done(), Ordering::Relaxed);
            out
        }
    }
}

/// The browser's sweep: the (point, replication) units in order, a few per frame.
#[cfg(target_arch = "wasm32")]
struct Stepper {
    scenario: Scenario,
    spec: SweepSpec,
    units: Vec<(usize, u32)>,
    next: usize,
    warmups: Vec<Option<f64>>,
    reps: Vec<crate::analysis::sweep::Replication>,
}

#[cfg(target_arch = "wasm32")]
impl Stepper {
    fn new(scenario: Scenario, spec: SweepSpec) -> Self {
        let n = spec.axis.len();
        let units = (0..n)
            .flat_map(|p| (0..spec.replications.max(1)).map(move |r| (p, r)))
            .collect();
        Self {
            scenario,
            spec,
            units,
            next: 0,
            warmups: vec![None; n],
            reps: Vec::new(),
        }
    }

    fn done(&self) -> usize {
        self.next
    }

    fn step(&mut self, budget_s: f64, cancel: &AtomicBool) -> Option<JobOutcome> {
        use crate::analysis::sweep::{point_warmup_s, run_replication, summarize};
        let started = web_time::Instant::now();
        while self.next < self.units.len() {
            if started.elapsed().as_secs_f64() >= budget_s {
                return None;
            }
            let (p, r) = self.units[self.next];
            let point = self.spec.axis.point(p);
            let warm = match self.warmups[p] {
                Some(w) => w,
                None => match point_warmup_s(&self.scenario, &point, self.spec.warmup, cancel) {
                    Ok(w) => {
                        self.warmups[p] = Some(w);
                        w
                    }
                    Err(e) => return Some(Err(e.to_string())),
                },
            };
            match run_replication(&self.scenario, &point, r, warm, cancel) {
                Ok(rep) => self.reps.push(rep),
                Err(e) => return Some(Err(e.to_string())),
            }
            self.next += 1;
        }
        Some(
            summarize(&self.scenario, &self.spec, std::mem::take(&mut self.reps))
                .map_err(|e| e.to_string()),
        )
    }
}
