//! The stress window's one background-job runner (a sweep, each side of a comparison, the Optimize
//! search). Natively the library's parallel entry point runs on its own thread, so the UI keeps drawing;
//! the browser has no threads, so there the library's stepper ([`Stepped`]) runs a few thousand events at
//! a time until the frame's budget is spent. Both give the same answer: the stepper runs the same
//! replications with the same seeds and combines them in the same order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::analysis::sweep::{SweepError, SweepResult, SweepSpec};
use crate::analysis::sweep_step::{Stepped, SweepStepper};
use crate::model::Scenario;

/// How a finished job ended: the answer, or why there is none in words ("cancelled" when Cancel stopped it).
pub type Outcome<T> = Result<T, String>;

/// Wall time a browser frame may spend on background work: half the ~50 ms at which a page feels
/// stuck, so drawing and the main view's run fit beside it.
pub const FRAME_BUDGET_S: f64 = 0.025;

/// Events one step runs before the frame's clock is looked at again (a few milliseconds of simulation
/// in the browser).
#[cfg(target_arch = "wasm32")]
const EVENTS_PER_STEP: u64 = 4_000;

/// What the browser's frames spent on a job (all zero natively, where it has its own thread): the page
/// test reads it to check that no frame froze.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SliceStats {
    /// Frames the job ran in.
    pub frames: usize,
    /// Longest wall time one frame spent on it, ms.
    pub max_ms: f64,
    /// Wall time all frames spent on it, ms.
    pub total_ms: f64,
    /// Frames polled after Cancel was pressed, until the job ended (1: the first frame after it).
    pub frames_after_cancel: usize,
}

/// A job in progress.
pub struct Job<T> {
    cancel: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    #[cfg(not(target_arch = "wasm32"))]
    handle: Option<std::thread::JoinHandle<Outcome<T>>>,
    #[cfg(target_arch = "wasm32")]
    stepper: Result<Box<dyn Stepped<Output = T>>, String>,
    stats: SliceStats,
}

/// The progress callback a threaded job reports to: (finished, planned so far).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

impl<T: Send + 'static> Job<T> {
    /// Starts a job. Natively `threaded` runs on a thread named `name`; in the browser `stepped` builds
    /// the stepper that frames advance. The caller gives both, and they must compute the same answer.
    pub fn start<S>(
        name: &str,
        threaded: impl FnOnce(Progress, &AtomicBool) -> Result<T, SweepError> + Send + 'static,
        stepped: impl FnOnce() -> Result<S, SweepError>,
    ) -> Self
    where
        S: Stepped<Output = T> + 'static,
    {
        let cancel = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        #[cfg(not(target_arch = "wasm32"))]
        {
            drop(stepped);
            let (c, d, t) = (cancel.clone(), done.clone(), total.clone());
            let handle = std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(move || {
                    let progress = move |k: usize, n: usize| {
                        d.store(k, Ordering::Relaxed);
                        t.store(n, Ordering::Relaxed);
                    };
                    threaded(&progress, &c).map_err(|e| e.to_string())
                })
                .ok();
            Self {
                cancel,
                done,
                total,
                handle,
                stats: SliceStats::default(),
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            let _ = (name, threaded);
            let stepper = stepped()
                .map(|s| Box::new(s) as Box<dyn Stepped<Output = T>>)
                .map_err(|e| e.to_string());
            if let Ok(s) = &stepper {
                let (k, n) = s.progress();
                done.store(k, Ordering::Relaxed);
                total.store(n, Ordering::Relaxed);
            }
            Self {
                cancel,
                done,
                total,
                stepper,
                stats: SliceStats::default(),
            }
        }
    }

    /// Units finished and planned so far.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Asks the job to stop: it ends with "cancelled" at its next check (in the browser, the next frame;
    /// natively within a fraction of one replication).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Has Cancel been pressed?
    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// What the browser's frames spent on it so far.
    pub fn stats(&self) -> SliceStats {
        self.stats
    }

    /// Moves the job on (in the browser: steps until `budget_s` of wall time is spent) and returns how it
    /// ended once it has. Call once a frame.
    pub fn poll(&mut self, budget_s: f64) -> Option<Outcome<T>> {
        if self.is_cancelling() {
            self.stats.frames_after_cancel += 1;
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = budget_s;
            let Some(h) = self.handle.as_ref() else {
                return Some(Err("could not start a thread for the job".into()));
            };
            if !h.is_finished() {
                return None;
            }
            let h = self.handle.take()?;
            Some(
                h.join()
                    .unwrap_or_else(|_| Err("the job failed inside the engine".into())),
            )
        }
        #[cfg(target_arch = "wasm32")]
        {
            let stepper = match &mut self.stepper {
                Ok(s) => s,
                Err(e) => return Some(Err(e.clone())),
            };
            let started = web_time::Instant::now();
            let mut out = None;
            while out.is_none() && started.elapsed().as_secs_f64() < budget_s {
                out = match stepper.step(EVENTS_PER_STEP, &self.cancel) {
                    Ok(None) => None,
                    Ok(Some(r)) => Some(Ok(r)),
                    Err(e) => Some(Err(e.to_string())),
                };
            }
            let (k, n) = stepper.progress();
            self.done.store(k, Ordering::Relaxed);
            self.total.store(n, Ordering::Relaxed);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            self.stats.frames += 1;
            self.stats.max_ms = self.stats.max_ms.max(ms);
            self.stats.total_ms += ms;
            out
        }
    }
}

/// A sweep of `scenario` as `spec` says: [`crate::analysis::sweep::run_sweep`] natively, its stepper
/// in the browser.
pub fn sweep(scenario: Scenario, spec: SweepSpec) -> Job<SweepResult> {
    let (s, sp) = (scenario.clone(), spec.clone());
    Job::start(
        "archsim-sweep",
        move |progress, cancel| {
            crate::analysis::sweep::run_sweep(&s, &sp, &|p| progress(p.done, p.total), cancel)
        },
        move || SweepStepper::new(&scenario, &spec),
    )
}
