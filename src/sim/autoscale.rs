//! Autoscaling for services: a periodic evaluation that adds replicas after a cold-start delay or retires
//! them, using the same live scale-up and scale-down as a parameter edit (see `update.rs`).

use std::collections::VecDeque;

use super::event::Kind;
use super::event::Tick;
use super::world::World;
use crate::model::Autoscale;

/// One service's autoscaler state.
#[derive(Clone, Debug)]
pub(crate) struct Scaler {
    pub interval_ns: u64,
    target: f64,
    min: u32,
    max: u32,
    delay_ns: u64,
    cooldown_ns: u64,
    /// Busy-worker area and time at the last evaluation.
    last_area: f64,
    last_ns: u64,
    last_change_ns: Option<u64>,
    /// Replicas starting (cold), with the count each start event brings.
    starting: VecDeque<u32>,
    /// Replica-nanoseconds billed (serving plus starting: a cold start is paid from its request) up to
    /// `bill_last_ns`, and at the end of the warm-up. Integrated at the autoscaler's own events only.
    bill_area: f64,
    bill_last_ns: u64,
    bill_warm: f64,
}

impl Scaler {
    /// Brings the billed replica-time up to `now`, `billed` replicas having run since the last update.
    fn bill_to(&mut self, now: u64, billed: u32) {
        self.bill_area += f64::from(billed) * now.saturating_sub(self.bill_last_ns) as f64;
        self.bill_last_ns = now;
    }
}

impl Scaler {
    pub fn new(a: &Autoscale, _replicas: u32) -> Self {
        Self {
            interval_ns: super::secs_to_ns(a.interval_s).max(1),
            target: a.target_utilization,
            min: a.min_replicas,
            max: a.max_replicas,
            delay_ns: super::secs_to_ns(a.scale_up_delay_s),
            cooldown_ns: super::secs_to_ns(a.cooldown_s),
            last_area: 0.0,
            last_ns: 0,
            last_change_ns: None,
            starting: VecDeque::new(),
            bill_area: 0.0,
            bill_last_ns: 0,
            bill_warm: 0.0,
        }
    }
}

impl World {
    /// Evaluates service `n`'s utilization over the last interval and scales it.
    pub(crate) fn scale_tick(&mut self, n: u32) {
        let now = self.now;
        let Some(mut sc) = self.ext.scalers[n as usize].take() else {
            return;
        };
        let down = self.ext.node[n as usize].down > 0;
        let billed = self.billed_replicas_now(n as usize, &sc);
        sc.bill_to(now, billed);
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        let area = node.stats.area_busy;
        let cap = node.capacity() as f64;
        let dt = (now - sc.last_ns) as f64;
        let util = if cap > 0.0 && dt > 0.0 {
            ((area - sc.last_area) / dt / cap).min(1.0)
        } else {
            0.0
        };
        sc.last_area = area;
        sc.last_ns = now;
        let cooling = sc
            .last_change_ns
            .is_some_and(|t| now < t.saturating_add(sc.cooldown_ns));
        if !down && !cooling && sc.starting.is_empty() {
            let active = node.active;
            let want = ((active as f64 * util / sc.target).ceil() as u32).clamp(sc.min, sc.max);
            if want > active {
                sc.starting.push_back(want - active);
                sc.last_change_ns = Some(now);
                self.queue
                    .push(now + sc.delay_ns, Kind::Tick, n, Tick::ScaleReady as u8);
            } else if want < active {
                // Retired replicas finish what they hold and take nothing new.
                node.active = want;
                sc.last_change_ns = Some(now);
            }
        }
        self.queue
            .push(now + sc.interval_ns, Kind::Tick, n, Tick::Scale as u8);
        self.ext.scalers[n as usize] = Some(sc);
    }

    /// Replicas of autoscaled service `n` being paid for now: serving (or crashed and held for restart)
    /// plus starting.
    fn billed_replicas_now(&self, n: usize, sc: &Scaler) -> u32 {
        let fx = &self.ext.node[n];
        let serving = if fx.down > 0 {
            fx.saved_active
        } else {
            self.nodes[n].active
        };
        serving + sc.starting.iter().sum::<u32>()
    }

    /// Marks the end of the warm-up in every autoscaler's billing.
    pub(crate) fn scale_warmup_end(&mut self) {
        let now = self.now;
        for n in 0..self.ext.scalers.len() {
            if let Some(mut sc) = self.ext.scalers[n].take() {
                let billed = self.billed_replicas_now(n, &sc);
                sc.bill_to(now, billed);
                sc.bill_warm = sc.bill_area;
                self.ext.scalers[n] = Some(sc);
            }
        }
    }

    /// Time-averaged replicas billed over the measured window, for an autoscaled service.
    pub(crate) fn billed_replicas(&self, n: usize, window_ns: f64) -> Option<f64> {
        let sc = self.ext.scalers.get(n)?.as_ref()?;
        let billed = self.billed_replicas_now(n, sc);
        let area = sc.bill_area - sc.bill_warm
            + f64::from(billed) * self.now.saturating_sub(sc.bill_last_ns) as f64;
        (window_ns > 0.0).then(|| area / window_ns)
    }

    /// New replicas of service `n` have started and take work.
    pub(crate) fn scale_ready(&mut self, n: u32) {
        let now = self.now;
        let Some(sc) = self.ext.scalers[n as usize].as_mut() else {
            return;
        };
        let add = sc.starting.pop_front().unwrap_or(0);
        if self.ext.node[n as usize].down > 0 {
            self.ext.node[n as usize].saved_active += add;
            return;
        }
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        node.active += add;
        while node.instances.len() < node.active as usize {
            node.instances.push(Default::default());
        }
        self.fill_free_workers(n);
    }
}
