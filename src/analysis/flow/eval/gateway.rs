//! A gateway in the flow model: an M/M/c station of `concurrency` workers holding each request for its
//! mean authentication (the validation cache's share included), and the per-key limit's closed form
//! passing `sum over keys of min(lambda x share_k, rate)` on (`GatewayParams::admitted_rps`).
//!
//! Not modelled: the limit's burst and the Poisson spread of each key's arrivals (both let a key offered
//! near its limit through a little more or less than the sustained rate), a full queue's rejections, and
//! the shape of a throttled key's admitted stream (nearly evenly spaced, smoother than the Poisson the
//! stations behind assume: their waits come out too long).

use super::{Tables, forced};
use crate::analysis::flow::{FlowModel, NodeFlow};
use crate::model::GatewayParams;

/// The share of a gateway's arrivals (`lam` per ms) its per-key limit admits.
pub(super) fn admitted_share(g: &GatewayParams, lam: f64) -> f64 {
    if lam <= 0.0 || g.limit.is_none() {
        return 1.0;
    }
    (g.admitted_rps(lam * 1000.0) / (lam * 1000.0)).clamp(0.0, 1.0)
}

impl FlowModel {
    /// Authentication on the gateway's workers, then the first route's round trip.
    pub(super) fn back_gateway(
        &self,
        ni: usize,
        g: &GatewayParams,
        lam: f64,
        t: &mut Tables,
        flow: &mut NodeFlow,
    ) -> bool {
        let (k, routes) = (self.classes.len(), &self.routes[ni]);
        let auth = g.mean_auth_ms(lam * 1000.0).unwrap_or(f64::INFINITY);
        let hold = vec![auth; k];
        let w = self.station(flow, &t.lambda[ni], &hold, 0.0, 1, g.concurrency);
        let w = forced(t, ni, flow).unwrap_or(w);
        // The response of the requests that pass, as the simulation's latencies are of successes (a 429
        // answers after the authentication alone).
        for ci in 0..k {
            let down = routes[ci]
                .first()
                .map_or(0.0, |&e| self.round_trip(e, &t.resp, ci));
            t.resp[ni][ci] = w + auth + down;
        }
        flow.peak_utilization >= 1.0
    }
}
