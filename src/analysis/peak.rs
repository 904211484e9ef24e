//! A profiled scenario held at its peak, for the stress commands' `--at-peak` and the Stress window's
//! "At the profile's peak" switch.
//!
//! A sweep or a capacity search judges a run by its measured window. Under a load profile that window
//! averages the quiet hours with the busy ones (and a quick 10 s sweep run may see only the first,
//! quiet seconds of a compressed day), so a design that passes can still fail at the peak. Holding every
//! profiled client at its profile's peak rate for the whole run judges the design at its busiest moment
//! in steady state: what it must carry for the peak hour, and what the flow model already evaluates
//! (it takes a profile at its peak), so the simulated and analytic columns of a sweep then describe the
//! same load. It is the pessimistic side of a short peak: a peak too brief for the queues to fill does
//! less harm than its steady state. Measuring a window of the profiled run itself is not offered: the
//! engine counts a request issued in the window only once it resolves before the run ends, so a short
//! window under overload would leave out exactly the slow requests.

use crate::model::{NodeKind, Profile, Scenario};

/// The scenario with every client under a `profile` sending at the profile's peak rate for the whole
/// run, a flat Poisson stream of `rate_rps x peak multiplier` (a trace: its highest rate); `start_s`,
/// `stop_s`, spikes and everything else unchanged. An error naming the option when no client has a
/// profile.
pub fn at_peak(s: &Scenario) -> Result<Scenario, String> {
    let mut out = s.clone();
    let mut any = false;
    for n in &mut out.nodes {
        let NodeKind::Client(c) = &mut n.kind else {
            continue;
        };
        if let Some(p) = c.profile.take() {
            c.rate_rps = peak_rps(&p, c.rate_rps);
            any = true;
        }
    }
    if !any {
        return Err(format!(
            "--at-peak: no client of '{}' has a load profile (`profile`), so there is no peak to hold; \
             use it on a scenario with a Diurnal, Steps, Ramp or Trace profile",
            s.name
        ));
    }
    Ok(out)
}

/// Does some client of the scenario have a load profile?
pub fn has_profile(s: &Scenario) -> bool {
    s.nodes
        .iter()
        .any(|n| matches!(&n.kind, NodeKind::Client(c) if c.profile.is_some()))
}

/// A profile's peak rate, requests/s, for a client of `rate_rps`.
pub fn peak_rps(p: &Profile, rate_rps: f64) -> f64 {
    p.base_rps(rate_rps) * p.peak().0
}
