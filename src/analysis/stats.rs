//! Statistics over replications: Student t confidence intervals and MSER-5 warm-up truncation.
//! Pure arithmetic (no `powf`/`exp`/`ln`), so results are the same on every platform.

use serde::{Deserialize, Serialize};

/// Two-sided 95% Student t quantiles t(0.975, df) for df = 1..=30 (standard tables, 6 digits).
const T975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom (the multiplier of a two-sided 95%
/// confidence interval). Exact table values up to 30; above, the Cornish-Fisher expansion around the
/// normal quantile 1.959964 (error below 1e-5 from df = 31 on). `df = 0` gives infinity.
pub fn t_quantile_975(df: u32) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df as usize - 1],
        _ => {
            let z = 1.959_963_984_540_054_f64;
            let n = f64::from(df);
            let (z3, z5, z7) = (z * z * z, z * z * z * z * z, z * z * z * z * z * z * z);
            z + (z3 + z) / (4.0 * n)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
        }
    }
}

/// A metric over replications: the mean of the per-replication values and the half-width of its 95%
/// confidence interval (Student t with n - 1 degrees of freedom).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Half-width of the 95% confidence interval; `None` with fewer than two replications.
    pub half_width: Option<f64>,
    /// Replications it is computed from.
    pub n: u32,
}

impl Estimate {
    /// The estimate from per-replication values (in replication order; the sums are taken in that order,
    /// so the result does not depend on how the replications were scheduled).
    pub fn from_values(values: &[f64]) -> Self {
        let n = values.len();
        if n == 0 {
            return Self::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let half_width = (n >= 2).then(|| {
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            t_quantile_975(n as u32 - 1) * (var / n as f64).sqrt()
        });
        Self {
            mean,
            half_width,
            n: n as u32,
        }
    }

    /// Half-width relative to the mean (`None` without a half-width, infinite for a zero mean with a
    /// non-zero spread, 0 when both are zero).
    pub fn relative_half_width(&self) -> Option<f64> {
        let h = self.half_width?;
        Some(if h == 0.0 {
            0.0
        } else if self.mean == 0.0 {
            f64::INFINITY
        } else {
            h / self.mean.abs()
        })
    }
}

/// Observations per batch in MSER-5.
pub const MSER_BATCH: usize = 5;

/// MSER-5 (White 1997; Franklin and White 2008): the warm-up truncation that minimizes the marginal
/// standard error of what remains. The series is cut into batches of 5 observations; for each candidate
/// truncation d (in batches, up to half of them) it computes the variance of the remaining batch means
/// divided by their count squared, and picks the smallest. Returns the number of **observations** to drop
/// (a multiple of 5); 0 for series shorter than two batches. Non-finite observations count as 0.
pub fn mser5_truncation(series: &[f64]) -> usize {
    let b = series.len() / MSER_BATCH;
    if b < 2 {
        return 0;
    }
    let batches: Vec<f64> = (0..b)
        .map(|i| {
            series[i * MSER_BATCH..(i + 1) * MSER_BATCH]
                .iter()
                .map(|&x| if x.is_finite() { x } else { 0.0 })
                .sum::<f64>()
                / MSER_BATCH as f64
        })
        .collect();
    let mut best = (f64::INFINITY, 0);
    for d in 0..=b / 2 {
        let rest = &batches[d..];
        let m = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / m;
        let ss = rest.iter().map(|z| (z - mean) * (z - mean)).sum::<f64>();
        let stat = ss / (m * m);
        if stat < best.0 {
            best = (stat, d);
        }
    }
    best.1 * MSER_BATCH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables_and_join_smoothly() {
        assert_eq!(t_quantile_975(4), 2.776445);
        // Published: t(0.975, 40) = 2.021075, 60 = 2.000298, 120 = 1.979930.
        for (df, want) in [(40, 2.021075), (60, 2.000298), (120, 1.979930)] {
            assert!((t_quantile_975(df) - want).abs() < 2e-5, "df {df}");
        }
        assert!((t_quantile_975(31) - 2.039513).abs() < 2e-5);
        assert!(t_quantile_975(0).is_infinite());
    }

    #[test]
    fn estimate_of_known_values() {
        // 1..=5: mean 3, sd sqrt(2.5), half-width t(4) sqrt(2.5 / 5).
        let e = Estimate::from_values(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        let want = 2.776445 * (0.5f64).sqrt();
        assert!((e.half_width.unwrap() - want).abs() < 1e-12);
        assert_eq!(Estimate::from_values(&[7.0]).half_width, None);
    }

    #[test]
    fn mser_cuts_a_transient_and_keeps_a_flat_series() {
        // 20 observations ramping down from 100, then 80 around 10: the cut lands at the end of the ramp.
        let mut s: Vec<f64> = (0..20).map(|i| 100.0 - 4.5 * i as f64).collect();
        s.extend((0..80).map(|i| 10.0 + if i % 2 == 0 { 0.5 } else { -0.5 }));
        let d = mser5_truncation(&s);
        assert!((15..=25).contains(&d), "{d}");
        let flat: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 1.0 } else { 2.0 })
            .collect();
        assert_eq!(mser5_truncation(&flat), 0);
        assert_eq!(mser5_truncation(&[1.0; 9]), 0);
    }
}
