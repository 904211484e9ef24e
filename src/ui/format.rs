//! Number formatting shared by the canvas badges, inspector, charts and results.

/// The same grouping as the text report's.
pub use crate::metrics::thousands;

/// `1234.5` -> `1.2k`, `12.3` -> `12.3`, NaN -> `-`.
pub fn rate(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.0}k", x / 1e3)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else if x >= 100.0 || x == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Milliseconds with sensible precision; NaN -> `-`.
pub fn ms(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x >= 10_000.0 {
        format!("{:.1} s", x / 1000.0)
    } else if x >= 100.0 {
        format!("{x:.0} ms")
    } else if x >= 10.0 {
        format!("{x:.1} ms")
    } else {
        format!("{x:.2} ms")
    }
}

/// A fraction as a percentage.
pub fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        "-".into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(super::rate(1234.0), "1.2k");
        assert_eq!(super::rate(f64::NAN), "-");
        assert_eq!(super::ms(2.5), "2.50 ms");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
