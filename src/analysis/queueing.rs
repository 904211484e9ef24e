//! Closed-form queueing results: M/M/1, M/M/c (Erlang B and C), M/D/1 and M/G/1 (Pollaczek-Khinchine),
//! M/M/1/K blocking, and the power-of-d-choices supermarket limit.
//!
//! Units: rates are per second (`_rps`), times are seconds (`_s`). The formulas are scale-free, so any
//! consistent pair works (rates per ms give times in ms; `mu = 1` gives times in mean service times).
//! Notation follows `docs/validation.md`: arrival rate lambda, service rate mu per server,
//! c servers, offered load a = lambda / mu (erlangs), utilization rho = lambda / (c mu).
//!
//! Sources: Kleinrock, *Queueing Systems* Vol. 1 (1975); Harchol-Balter, *Performance Modeling and Design of
//! Computer Systems* (2013); Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing" (2001).

/// Why a formula has no answer for the given parameters.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum QueueingError {
    /// A parameter is outside its domain (negative rate, zero servers, NaN...).
    #[error("`{name}` is {value}; allowed: {allowed}")]
    InvalidParameter {
        /// The parameter's name, as in the function signature.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// Arrivals meet or exceed capacity: the queue grows without bound, so there is no steady state.
    #[error("utilization rho = {rho} >= 1: the queue grows without bound and has no steady state")]
    Unstable {
        /// The utilization lambda / (c mu).
        rho: f64,
    },
}

type Result<T> = std::result::Result<T, QueueingError>;

fn arrival_rate(lambda_rps: f64) -> Result<f64> {
    if lambda_rps.is_finite() && lambda_rps >= 0.0 {
        Ok(lambda_rps)
    } else {
        Err(QueueingError::InvalidParameter {
            name: "lambda_rps",
            value: lambda_rps,
            allowed: "a finite number >= 0",
        })
    }
}

fn positive(name: &'static str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(QueueingError::InvalidParameter {
            name,
            value: v,
            allowed: "a finite number > 0",
        })
    }
}

fn at_least_one(name: &'static str, n: u32) -> Result<u32> {
    if n >= 1 {
        Ok(n)
    } else {
        Err(QueueingError::InvalidParameter {
            name,
            value: f64::from(n),
            allowed: "1 or more",
        })
    }
}

fn stable(rho: f64) -> Result<f64> {
    if rho < 1.0 {
        Ok(rho)
    } else {
        Err(QueueingError::Unstable { rho })
    }
}

/// Utilization rho = lambda / (c mu) of `servers` servers, each serving `mu_rps` per second, fed
/// `lambda_rps` per second. May be >= 1 (overload); the other functions refuse that.
pub fn utilization(lambda_rps: f64, mu_rps: f64, servers: u32) -> Result<f64> {
    let lambda = arrival_rate(lambda_rps)?;
    let mu = positive("mu_rps", mu_rps)?;
    let c = at_least_one("servers", servers)?;
    Ok(lambda / (f64::from(c) * mu))
}

/// M/M/1 mean time in system (wait + service), seconds: W = 1 / (mu - lambda).
pub fn mm1_mean_sojourn_s(lambda_rps: f64, mu_rps: f64) -> Result<f64> {
    stable(utilization(lambda_rps, mu_rps, 1)?)?;
    Ok(1.0 / (mu_rps - lambda_rps))
}

/// M/M/1 mean time waiting before service, seconds: Wq = rho / (mu - lambda).
pub fn mm1_mean_wait_s(lambda_rps: f64, mu_rps: f64) -> Result<f64> {
    let rho = stable(utilization(lambda_rps, mu_rps, 1)?)?;
    Ok(rho / (mu_rps - lambda_rps))
}

/// M/M/1 mean number in system (waiting + in service), customers: L = rho / (1 - rho).
pub fn mm1_mean_in_system(lambda_rps: f64, mu_rps: f64) -> Result<f64> {
    let rho = stable(utilization(lambda_rps, mu_rps, 1)?)?;
    Ok(rho / (1.0 - rho))
}

/// Erlang B: probability that an arrival finds all `servers` busy in a loss system (M/M/c/c) offered
/// `offered_erlangs` = lambda / mu. Any load is allowed (losses keep it stable).
///
/// Uses the recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): every step stays in [0, 1], so it is
/// stable for thousands of servers where the textbook sum of a^k / k! overflows.
pub fn erlang_b(servers: u32, offered_erlangs: f64) -> Result<f64> {
    let c = at_least_one("servers", servers)?;
    let a = arrival_rate(offered_erlangs).map_err(|_| QueueingError::InvalidParameter {
        name: "offered_erlangs",
        value: offered_erlangs,
        allowed: "a finite number >= 0",
    })?;
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    Ok(b)
}

/// Erlang C: probability that an arrival has to wait in M/M/c with `servers` servers offered
/// `offered_erlangs` = lambda / mu (must be below `servers`).
///
/// Derived from Erlang B as C = c B / (c - a (1 - B)), which inherits its stability (tested to c = 1000).
pub fn erlang_c(servers: u32, offered_erlangs: f64) -> Result<f64> {
    let b = erlang_b(servers, offered_erlangs)?;
    let c = f64::from(servers);
    let a = offered_erlangs;
    stable(a / c)?;
    Ok(c * b / (c - a * (1.0 - b)))
}

/// M/M/c mean time waiting before service, seconds: Wq = C(c, a) / (c mu - lambda).
pub fn mmc_mean_wait_s(servers: u32, lambda_rps: f64, mu_rps: f64) -> Result<f64> {
    stable(utilization(lambda_rps, mu_rps, servers)?)?;
    let p_wait = erlang_c(servers, lambda_rps / mu_rps)?;
    Ok(p_wait / (f64::from(servers) * mu_rps - lambda_rps))
}

/// M/M/c mean time in system, seconds: W = Wq + 1 / mu.
pub fn mmc_mean_sojourn_s(servers: u32, lambda_rps: f64, mu_rps: f64) -> Result<f64> {
    Ok(mmc_mean_wait_s(servers, lambda_rps, mu_rps)? + 1.0 / mu_rps)
}

/// M/G/1 mean time waiting before service, seconds (Pollaczek-Khinchine): Wq = lambda E\[S²\] / (2 (1 - rho))
/// with rho = lambda E\[S\]. `mean_service_s` is E\[S\] in seconds, `service_second_moment_s2` is E\[S²\] in
/// seconds squared (see [`crate::model::Dist::second_moment`], which works in ms and ms²).
pub fn mg1_mean_wait_s(
    lambda_rps: f64,
    mean_service_s: f64,
    service_second_moment_s2: f64,
) -> Result<f64> {
    let lambda = arrival_rate(lambda_rps)?;
    let es = positive("mean_service_s", mean_service_s)?;
    // E[S²] >= E[S]² for any distribution (variance >= 0); the slack absorbs rounding in the caller's numbers.
    if !(service_second_moment_s2.is_finite()
        && service_second_moment_s2 >= es * es * (1.0 - 1e-12))
    {
        return Err(QueueingError::InvalidParameter {
            name: "service_second_moment_s2",
            value: service_second_moment_s2,
            allowed: "a finite number >= mean_service_s squared (a variance cannot be negative)",
        });
    }
    let rho = stable(lambda * es)?;
    Ok(lambda * service_second_moment_s2 / (2.0 * (1.0 - rho)))
}

/// M/G/1 mean time in system, seconds: W = Wq + E\[S\] (arguments as for [`mg1_mean_wait_s`]).
pub fn mg1_mean_sojourn_s(
    lambda_rps: f64,
    mean_service_s: f64,
    service_second_moment_s2: f64,
) -> Result<f64> {
    Ok(mg1_mean_wait_s(lambda_rps, mean_service_s, service_second_moment_s2)? + mean_service_s)
}

/// M/D/1 mean time waiting before service, seconds, for a constant service time `service_s` seconds:
/// Wq = rho / (2 mu (1 - rho)), half the M/M/1 wait at the same load.
pub fn md1_mean_wait_s(lambda_rps: f64, service_s: f64) -> Result<f64> {
    mg1_mean_wait_s(lambda_rps, service_s, service_s * service_s)
}

/// M/M/1/K blocking probability: the share of arrivals turned away because `system_capacity` = K customers
/// (one in service plus K - 1 waiting) are already there. P_K = (1 - rho) rho^K / (1 - rho^(K+1)), and
/// 1 / (K + 1) at rho = 1. Any load is allowed (blocking keeps it stable).
///
/// In archsim terms: a service with `workers: 1` and `queue_capacity: q` has K = q + 1.
pub fn mm1k_blocking_probability(
    lambda_rps: f64,
    mu_rps: f64,
    system_capacity: u32,
) -> Result<f64> {
    let rho = utilization(lambda_rps, mu_rps, 1)?;
    let k = f64::from(at_least_one("system_capacity", system_capacity)?);
    if rho == 0.0 {
        return Ok(0.0);
    }
    if rho == 1.0 {
        return Ok(1.0 / (k + 1.0));
    }
    // Written with expm1 so that rho close to 1 does not cancel: with l = ln rho,
    // P_K = expm1(l) e^(K l) / expm1((K+1) l). Above 1, the same with r = 1/rho keeps rho^K from overflowing:
    // P_K = (1 - r) / (1 - r^(K+1)).
    if rho < 1.0 {
        let l = libm::log(rho);
        Ok(libm::expm1(l) * libm::exp(k * l) / libm::expm1((k + 1.0) * l))
    } else {
        let l = -libm::log(rho);
        Ok(libm::expm1(l) / libm::expm1((k + 1.0) * l))
    }
}

/// M/M/1/K mean number in system, customers: L = rho / (1 - rho) - (K + 1) rho^(K+1) / (1 - rho^(K+1)),
/// and K / 2 at rho = 1. With the blocking probability P_K, Little's law gives the mean time in system of
/// admitted customers: W = L / (lambda (1 - P_K)).
pub fn mm1k_mean_in_system(lambda_rps: f64, mu_rps: f64, system_capacity: u32) -> Result<f64> {
    let rho = utilization(lambda_rps, mu_rps, 1)?;
    let k = f64::from(at_least_one("system_capacity", system_capacity)?);
    if rho == 0.0 {
        return Ok(0.0);
    }
    let l = libm::log(rho);
    if l.abs() < 1e-12 {
        // Second-order expansion around rho = 1; the closed form below would divide 0 by 0.
        return Ok(k / 2.0 + k * (k + 2.0) * (rho - 1.0) / 12.0);
    }
    // (K+1) rho^(K+1) / (1 - rho^(K+1)) = (K+1) / expm1(-(K+1) l): no overflow for rho > 1, no cancellation
    // inside the ratio for rho near 1.
    Ok(rho / (1.0 - rho) - (k + 1.0) / libm::expm1(-(k + 1.0) * l))
}

/// Power of d choices, supermarket-model limit (Mitzenmacher 2001): n -> infinity exponential servers of rate 1,
/// Poisson arrivals at `load` per server, each job joins the shortest of `choices` = d servers sampled at
/// random. Returns the mean time in system **in units of the mean service time** (multiply by it for
/// seconds): T_d(lambda) = sum over i >= 1 of lambda^((d^i - d) / (d - 1)), and 1 / (1 - lambda) for d = 1.
pub fn supermarket_mean_sojourn(load: f64, choices: u32) -> Result<f64> {
    let lambda = arrival_rate(load).map_err(|_| QueueingError::InvalidParameter {
        name: "load",
        value: load,
        allowed: "a finite number >= 0",
    })?;
    let d = at_least_one("choices", choices)?;
    stable(lambda)?;
    if d == 1 {
        return Ok(1.0 / (1.0 - lambda));
    }
    // Exponents e_i = (d^i - d) / (d - 1) obey e_1 = 0, e_(i+1) = d e_i + d: they grow doubly
    // exponentially, so a few dozen terms reach the f64 floor even at lambda = 0.999.
    let d = f64::from(d);
    let mut exponent = 0.0;
    let mut sum = 0.0;
    for _ in 0..200 {
        let term = libm::pow(lambda, exponent);
        sum += term;
        if term <= sum * 1e-17 || !exponent.is_finite() {
            break;
        }
        exponent = d * exponent + d;
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(x: f64, decimals: i32) -> f64 {
        let f = 10f64.powi(decimals);
        (x * f).round() / f
    }

    #[test]
    fn mm1_matches_closed_forms() {
        assert!((mm1_mean_sojourn_s(0.9, 1.0).unwrap() - 10.0).abs() < 1e-12);
        assert!((mm1_mean_in_system(0.9, 1.0).unwrap() - 9.0).abs() < 1e-12);
        assert!((mm1_mean_wait_s(0.9, 1.0).unwrap() - 9.0).abs() < 1e-12);
        // The theory scenarios: mean service 10 ms (mu = 100/s).
        assert!((mm1_mean_sojourn_s(50.0, 100.0).unwrap() - 0.020).abs() < 1e-12);
        assert!((mm1_mean_sojourn_s(80.0, 100.0).unwrap() - 0.050).abs() < 1e-12);
        assert!((mm1_mean_sojourn_s(90.0, 100.0).unwrap() - 0.100).abs() < 1e-12);
        // Little's law ties them together.
        let (l, w) = (
            mm1_mean_in_system(80.0, 100.0).unwrap(),
            mm1_mean_sojourn_s(80.0, 100.0).unwrap(),
        );
        assert!((l - 80.0 * w).abs() < 1e-12);
    }

    #[test]
    fn overload_and_bad_input_are_errors_not_panics() {
        assert!(matches!(
            mm1_mean_sojourn_s(1.0, 1.0),
            Err(QueueingError::Unstable { .. })
        ));
        assert!(matches!(
            mmc_mean_wait_s(8, 9.0, 1.0),
            Err(QueueingError::Unstable { .. })
        ));
        assert!(matches!(
            erlang_c(4, 4.0),
            Err(QueueingError::Unstable { .. })
        ));
        assert!(matches!(
            supermarket_mean_sojourn(1.0, 2),
            Err(QueueingError::Unstable { .. })
        ));
        assert!(matches!(
            mm1_mean_sojourn_s(-1.0, 1.0),
            Err(QueueingError::InvalidParameter {
                name: "lambda_rps",
                ..
            })
        ));
        assert!(matches!(
            mm1_mean_sojourn_s(0.5, 0.0),
            Err(QueueingError::InvalidParameter { name: "mu_rps", .. })
        ));
        assert!(matches!(
            mm1_mean_sojourn_s(f64::NAN, 1.0),
            Err(QueueingError::InvalidParameter { .. })
        ));
        assert!(matches!(
            erlang_b(0, 1.0),
            Err(QueueingError::InvalidParameter {
                name: "servers",
                ..
            })
        ));
        assert!(matches!(
            mm1k_blocking_probability(1.0, 1.0, 0),
            Err(QueueingError::InvalidParameter { .. })
        ));
        assert!(matches!(
            supermarket_mean_sojourn(0.5, 0),
            Err(QueueingError::InvalidParameter { .. })
        ));
        // E[S²] below E[S]² is impossible.
        assert!(matches!(
            mg1_mean_wait_s(0.5, 1.0, 0.5),
            Err(QueueingError::InvalidParameter { .. })
        ));
        let msg = mm1_mean_sojourn_s(-2.0, 1.0).unwrap_err().to_string();
        assert!(msg.contains("lambda_rps") && msg.contains("-2"), "{msg}");
    }

    #[test]
    fn erlang_b_and_c_small_cases() {
        // M/M/1: P(wait) = rho.
        assert!((erlang_c(1, 0.7).unwrap() - 0.7).abs() < 1e-12);
        // c = 2, a = 1: B = 0.2, C = 2 rho^2 / (1 + rho) = 1/3.
        assert!((erlang_b(2, 1.0).unwrap() - 0.2).abs() < 1e-12);
        assert!((erlang_c(2, 1.0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // No load, no waiting.
        assert_eq!(erlang_c(8, 0.0).unwrap(), 0.0);
    }

    #[test]
    fn mmc_matches_validation_md() {
        // validation.md: c = 8, lambda = 7.2, mu = 1: Wq = 0.877.
        let wq = mmc_mean_wait_s(8, 7.2, 1.0).unwrap();
        assert_eq!(round(wq, 3), 0.877, "{wq}");
        assert!((mmc_mean_sojourn_s(8, 7.2, 1.0).unwrap() - (wq + 1.0)).abs() < 1e-12);
        // The same system in the mmc8_rho09 scenario's units: 10 ms service, 720 requests/s.
        let wq_s = mmc_mean_wait_s(8, 720.0, 100.0).unwrap();
        assert!((wq_s - wq / 100.0).abs() < 1e-12);
        // c = 1 reduces to M/M/1.
        assert!((mmc_mean_wait_s(1, 0.9, 1.0).unwrap() - 9.0).abs() < 1e-12);
    }

    #[test]
    fn erlang_c_is_stable_for_a_thousand_servers() {
        for &(c, a) in &[
            (1000u32, 900.0),
            (1000, 990.0),
            (1000, 999.9),
            (500, 499.0),
            (1000, 10.0),
        ] {
            let p = erlang_c(c, a).unwrap();
            assert!(
                p.is_finite() && (0.0..=1.0).contains(&p),
                "C({c}, {a}) = {p}"
            );
        }
        // Waiting gets likelier as the load rises.
        assert!(erlang_c(1000, 990.0).unwrap() > erlang_c(1000, 950.0).unwrap());
        // Square-root staffing: c = a + beta sqrt(a) keeps P(wait) roughly constant (Halfin-Whitt), about 0.2 to
        // 0.3 for beta = 1; a naive a^k / k! sum would overflow long before a = 900.
        let p = erlang_c(930, 900.0).unwrap();
        assert!((0.1..0.4).contains(&p), "{p}");
    }

    #[test]
    fn pollaczek_khinchine() {
        // M/D/1 at rho = 0.8, mu = 1: Wq = rho / (2 mu (1 - rho)) = 2.
        assert!((md1_mean_wait_s(0.8, 1.0).unwrap() - 2.0).abs() < 1e-12);
        // md1_rho08: 80/s, 10 ms constant: Wq = 20 ms, W = 30 ms.
        assert!((md1_mean_wait_s(80.0, 0.010).unwrap() - 0.020).abs() < 1e-12);
        assert!((mg1_mean_sojourn_s(80.0, 0.010, 1e-4).unwrap() - 0.030).abs() < 1e-12);
        // Exponential service (E[S²] = 2 E[S]²) gives back M/M/1.
        let mg1 = mg1_mean_wait_s(0.9, 1.0, 2.0).unwrap();
        assert!((mg1 - mm1_mean_wait_s(0.9, 1.0).unwrap()).abs() < 1e-12);
        assert!(matches!(
            md1_mean_wait_s(1.0, 1.0),
            Err(QueueingError::Unstable { .. })
        ));
    }

    /// Direct evaluation of the truncated geometric distribution, for checking the closed forms.
    fn mm1k_direct(rho: f64, k: u32) -> (f64, f64) {
        let weights: Vec<f64> = (0..=k).map(|n| rho.powi(n as i32)).collect();
        let total: f64 = weights.iter().sum();
        let mean = weights
            .iter()
            .enumerate()
            .map(|(n, w)| n as f64 * w)
            .sum::<f64>()
            / total;
        (weights[k as usize] / total, mean)
    }

    #[test]
    fn mm1k_blocking() {
        // mm1k_k10_rho09: rho = 0.9, K = 10.
        let p = mm1k_blocking_probability(90.0, 100.0, 10).unwrap();
        let closed = 0.1 * 0.9f64.powi(10) / (1.0 - 0.9f64.powi(11));
        assert!((p - closed).abs() < 1e-14, "{p} vs {closed}");
        assert_eq!(round(p, 4), 0.0508);
        for &(rho, k) in &[
            (0.9, 10u32),
            (0.5, 3),
            (2.0, 10),
            (1.2, 50),
            (0.999_999, 20),
            (1.000_001, 20),
        ] {
            let (pb, l) = mm1k_direct(rho, k);
            let got_p = mm1k_blocking_probability(rho, 1.0, k).unwrap();
            let got_l = mm1k_mean_in_system(rho, 1.0, k).unwrap();
            assert!(
                (got_p - pb).abs() < 1e-9 * pb.max(1e-3),
                "rho {rho} K {k}: {got_p} vs {pb}"
            );
            assert!(
                (got_l - l).abs() < 1e-6 * l.max(1.0),
                "rho {rho} K {k}: {got_l} vs {l}"
            );
        }
        // rho == 1: every state equally likely.
        assert!((mm1k_blocking_probability(5.0, 5.0, 9).unwrap() - 0.1).abs() < 1e-15);
        assert!((mm1k_mean_in_system(5.0, 5.0, 9).unwrap() - 4.5).abs() < 1e-12);
        // Extreme overload: nearly everyone blocked, no overflow.
        let p = mm1k_blocking_probability(1e6, 1.0, 1_000_000).unwrap();
        assert!((p - (1.0 - 1e-6)).abs() < 1e-9, "{p}");
        assert_eq!(mm1k_blocking_probability(0.0, 1.0, 5).unwrap(), 0.0);
        // K = 1 (no waiting room) is Erlang B with one server.
        let p1 = mm1k_blocking_probability(0.6, 1.0, 1).unwrap();
        assert!((p1 - erlang_b(1, 0.6).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn supermarket_matches_mitzenmacher_table() {
        // validation.md section 2: lambda, d = 1, d = 2, d = 3.
        let table = [
            (0.5, 2.0, 1.27, 1.13),
            (0.8, 5.0, 1.95, 1.58),
            (0.9, 10.0, 2.61, 2.03),
            (0.95, 20.0, 3.38, 2.54),
            (0.99, 100.0, 5.43, 3.86),
        ];
        for (lambda, d1, d2, d3) in table {
            assert!(
                (supermarket_mean_sojourn(lambda, 1).unwrap() - d1).abs() < 1e-9,
                "{lambda}"
            );
            assert_eq!(
                round(supermarket_mean_sojourn(lambda, 2).unwrap(), 2),
                d2,
                "{lambda}"
            );
            assert_eq!(
                round(supermarket_mean_sojourn(lambda, 3).unwrap(), 2),
                d3,
                "{lambda}"
            );
        }
        // No load: just the service time.
        assert_eq!(supermarket_mean_sojourn(0.0, 2).unwrap(), 1.0);
        // More choices never hurt.
        assert!(
            supermarket_mean_sojourn(0.9, 10).unwrap() < supermarket_mean_sojourn(0.9, 3).unwrap()
        );
    }
}
