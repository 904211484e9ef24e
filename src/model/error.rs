//! Errors from loading, validating and overriding scenarios.

use std::fmt;

/// One meaning-level problem in a scenario: which node (or top-level part) and field, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: `node 'api'`, `edge 'lb -> api'` or `scenario`.
    pub place: String,
    /// The field, e.g. `replicas` or `service_time_ms.mean`.
    pub field: String,
    /// The bad value and what is allowed, in words.
    pub message: String,
}

impl Problem {
    /// A problem at `place`, `field`.
    pub fn new(
        place: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            place: place.into(),
            field: field.into(),
            message: compact_numbers(&message.into()),
        }
    }

    /// The node this problem is about, if it is about a node.
    pub fn node_id(&self) -> Option<&str> {
        self.place
            .strip_prefix("node '")
            .and_then(|s| s.strip_suffix('\''))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.place, self.message)
        } else {
            write!(
                f,
                "{}, field `{}`: {}",
                self.place, self.field, self.message
            )
        }
    }
}

/// Why a scenario could not be loaded or used. Each variant names the file it came from.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        /// The path, as given.
        file: String,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not valid RON, or does not match the scenario format (unknown field, wrong type...).
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        /// The path, as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser expected and found.
        message: String,
    },
    /// The file parses but describes an impossible system (negative rate, unknown node...).
    #[error("{file}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The path, as given.
        file: String,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
    /// A `--set NODE.FIELD=VALUE` override could not be applied.
    #[error("--set {spec}: {message}")]
    Override {
        /// The override as given.
        spec: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Rewrites every number of more than 20 characters in `text` (`1e300` prints as 301 digits) in scientific
/// notation, so a message echoes the value it refuses readably.
pub(crate) fn compact_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let trimmed = run.trim_end_matches('.');
        match trimmed.parse::<f64>() {
            Ok(x) if trimmed.len() > 20 => {
                out.push_str(&format!("{x:.3e}"));
                out.push_str(&run[trimmed.len()..]);
            }
            _ => out.push_str(run),
        }
        run.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii_digit() || (ch == '.' && !run.is_empty()) {
            run.push(ch);
        } else {
            flush(&mut run, &mut out);
            out.push(ch);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod compact_tests {
    use super::compact_numbers;

    #[test]
    fn long_numbers_become_scientific_and_short_ones_stay() {
        let huge = format!("is {}; allowed: 0 to 10000000", 1e300);
        assert_eq!(
            compact_numbers(&huge),
            "is 1.000e300; allowed: 0 to 10000000"
        );
        let tiny = format!("is {}.", 1e-30);
        assert_eq!(compact_numbers(&tiny), "is 1.000e-30.");
        assert_eq!(compact_numbers("node 'a1', 2.5 ms"), "node 'a1', 2.5 ms");
    }
}
