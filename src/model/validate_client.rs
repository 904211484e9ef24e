//! A client's checks (rate, arrival process and load profile, class mix, timeout, retries, sending window),
//! apart from the rest of validation: the client is the node kind with the most options of its own.

use super::validate::{MAX_DURATION_S, MAX_RATE_RPS, check_count, check_dist};
use super::{Arrival, Problem, Scenario};

/// A client's rate, arrival process, class mix, timeout, retry policy and sending window, and that every
/// class it sends has an edge to go out on.
pub(super) fn check_client(
    p: &mut Vec<Problem>,
    s: &Scenario,
    place: &str,
    c: &super::ClientParams,
    outs: &[usize],
) {
    if !(c.rate_rps.is_finite() && (0.0..=MAX_RATE_RPS).contains(&c.rate_rps)) {
        p.push(Problem::new(
            place,
            "rate_rps",
            format!("is {}; allowed: 0 to {MAX_RATE_RPS} requests/s", c.rate_rps),
        ));
    }
    if let Arrival::Bursty { on_s, off_s } = c.arrival {
        if !(on_s.is_finite() && on_s > 0.0) {
            p.push(Problem::new(
                place,
                "arrival.on_s",
                format!("is {on_s}; it must be > 0 seconds"),
            ));
        }
        if !(off_s.is_finite() && off_s >= 0.0) {
            p.push(Problem::new(
                place,
                "arrival.off_s",
                format!("is {off_s}; it must be >= 0 seconds"),
            ));
        }
    }
    if let Arrival::Batch { count } = c.arrival {
        check_count(p, place, "arrival.count", count, 1);
    }
    if let Arrival::ClosedLoop {
        users,
        think_time_ms,
    } = &c.arrival
    {
        check_count(p, place, "arrival.users", *users, 1);
        check_dist(p, place, "arrival.think_time_ms", think_time_ms);
    }
    p.extend(super::traffic::client_problems(c, place));
    if c.classes.is_empty() {
        p.push(Problem::new(
            place,
            "classes",
            "is empty; list at least one request class",
        ));
    }
    let mut total = 0.0;
    for cw in &c.classes {
        if !(cw.weight.is_finite() && cw.weight >= 0.0) {
            p.push(Problem::new(
                place,
                "classes",
                format!(
                    "class '{}' has weight {}; weights must be >= 0",
                    cw.name, cw.weight
                ),
            ));
        } else {
            total += cw.weight;
        }
    }
    if !c.classes.is_empty() && total <= 0.0 {
        p.push(Problem::new(
            place,
            "classes",
            "weights sum to 0; at least one class needs a positive weight",
        ));
    }
    if let Some(t) = c.timeout_ms
        && !(t.is_finite() && t > 0.0)
    {
        p.push(Problem::new(
            place,
            "timeout_ms",
            format!("is {t}; it must be > 0 ms (or omitted for none)"),
        ));
    }
    if let Some(r) = &c.retry {
        for (field, m) in super::retry_problems(r) {
            p.push(Problem::new(place, format!("retry.{field}"), m));
        }
    }
    if !(c.start_s.is_finite() && (0.0..=MAX_DURATION_S).contains(&c.start_s)) {
        p.push(Problem::new(
            place,
            "start_s",
            format!("is {}; allowed: 0 to {MAX_DURATION_S} s", c.start_s),
        ));
    }
    if let Some(stop) = c.stop_s
        && !(stop.is_finite() && stop > c.start_s && stop <= MAX_DURATION_S)
    {
        p.push(Problem::new(
            place,
            "stop_s",
            format!(
                "is {stop}; it must be > start_s ({}) and <= {MAX_DURATION_S} s (or omitted for none)",
                c.start_s
            ),
        ));
    }
    for cw in &c.classes {
        if !outs.iter().any(|&i| s.edges[i].carries(&cw.name)) {
            p.push(Problem::new(
                place,
                "classes",
                format!("class '{}' has no outgoing edge that carries it; connect the client to an entry node", cw.name),
            ));
        }
    }
}
