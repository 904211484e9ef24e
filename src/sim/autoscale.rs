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
