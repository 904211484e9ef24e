//! Reading and writing scenario files (RON).

use std::path::Path;

use ron::extensions::Extensions;
use serde::Deserialize;

use super::validate::newer_version_problem;
use super::{FORMAT_VERSION, Scenario, ScenarioError, validate};

/// RON options shared by reading and writing: newtype variants and `Some` may be written bare, so files say
/// `kind: Service(replicas: 2)` and `timeout_ms: 500.0` rather than `Service((replicas: 2))` and `Some(500.0)`.
pub(super) fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(
        Extensions::UNWRAP_VARIANT_NEWTYPES
            | Extensions::IMPLICIT_SOME
            | Extensions::UNWRAP_NEWTYPES,
    )
}

/// Parses scenario text without checking its meaning. `file` names the source in errors.
///
/// A file from a newer archsim that this version cannot parse (it may use fields added since) is reported as
/// a version problem rather than as a puzzling "unexpected field".
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    // Editors on some systems start UTF-8 files with a byte-order mark; it is not part of the scenario.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ron_options().from_str::<Scenario>(text).map_err(|e| {
        if let Some(version) = newer_version(text) {
            return ScenarioError::Invalid {
                file: file.to_owned(),
                problems: vec![newer_version_problem(version)],
            };
        }
        let (line, col) = (e.span.start.line, e.span.start.col);
        let mut message = e.code.to_string();
        // `replicas: 2.5` stops RON after the `2`, expecting a comma: the real problem is the fraction.
        if fraction_at(text, line, col) {
            message = "expected a whole number, found a fraction".into();
        }
        // RON's value errors ("Integer is out of bounds", "Expected float") do not say which field.
        if let Some(field) = field_at(text, line, col)
            && !message.contains(&format!("`{field}`"))
        {
            message = format!("{message} (field `{field}`)");
        }
        ScenarioError::Syntax {
            file: file.to_owned(),
            line,
            col,
            message,
        }
    })
}

/// The field whose value is at 1-based `line:col`, as in `replicas: -1` with the position on `-1`; `None` when
/// the position is not inside a plain `name: value` on that line.
fn field_at(text: &str, line: usize, col: usize) -> Option<&str> {
    let src = text.lines().nth(line.checked_sub(1)?)?;
    let end = src
        .char_indices()
        .nth(col.checked_sub(1)?)
        .map_or(src.len(), |(i, _)| i);
    let before = &src[..end];
    let colon = before.rfind(':')?;
    if before[colon + 1..].contains([',', '(', ')', '[', ']', '{', '}', '"']) {
        return None;
    }
    let head = before[..colon].trim_end();
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &head[start..];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        .then_some(name)
}

/// Is the text at 1-based `line:col` the `.` of a fraction right after a whole number (`2.5`)?
fn fraction_at(text: &str, line: usize, col: usize) -> bool {
    let Some(src) = line.checked_sub(1).and_then(|l| text.lines().nth(l)) else {
        return false;
    };
    let chars: Vec<char> = src.chars().collect();
    let i = col.saturating_sub(1);
    i > 0
        && chars.get(i) == Some(&'.')
        && chars[i - 1].is_ascii_digit()
        && chars.get(i + 1).is_some_and(char::is_ascii_digit)
}

/// Just the top-level `version`, every other field skipped whatever its shape.
#[derive(Deserialize)]
struct VersionOnly {
    #[serde(default)]
    version: u32,
}

/// The file's format version if it is newer than this build reads, found by a lenient second parse.
fn newer_version(text: &str) -> Option<u32> {
    ron_options()
        .from_str::<VersionOnly>(text)
        .ok()
        .map(|v| v.version)
        .filter(|&v| v > FORMAT_VERSION)
}

/// Parses and validates scenario text. `file` names the source in errors.
pub fn from_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let scenario = parse(text, file)?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioError::Invalid {
            file: file.to_owned(),
            problems,
        })
    }
}

/// Reads and parses (without validating) a scenario file, with the trace files its clients name read
/// (relative to the file's folder) and their rates inlined, so the scenario no longer needs the files.
pub fn read(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: file.clone(),
        source,
    })?;
    let mut scenario = parse(&text, &file)?;
    super::inline_traces(&mut scenario, path.parent().unwrap_or(Path::new(".")))?;
    Ok(scenario)
}

/// Reads, parses and validates a scenario file (see [`read`]).
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let scenario = read(path)?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioError::Invalid {
            file: path.display().to_string(),
            problems,
        })
    }
}

/// Writes a scenario as pretty RON, in the same style as the files under `scenarios/`.
pub fn to_string(scenario: &Scenario) -> String {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(false)
        .indentor("    ".to_owned())
        .separate_tuple_members(false);
    ron_options()
        .to_string_pretty(scenario, config)
        .expect("a Scenario always serializes: it holds only strings, numbers, lists and maps")
}

/// Writes a scenario file atomically (see [`write_atomic`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn save(scenario: &Scenario, path: &Path) -> Result<(), ScenarioError> {
    write_atomic(path, to_string(scenario).as_bytes()).map_err(|source| ScenarioError::Io {
        file: path.display().to_string(),
        source,
    })
}

/// Checks, before a long run, that [`write_atomic`] will be able to write `path`: it is not a directory and
/// a file can be created beside it (the check creates and removes an empty temporary file there).
#[cfg(not(target_arch = "wasm32"))]
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let probe = dir.join(format!(".{name}.check-{}", std::process::id()));
    std::fs::File::create(&probe)?;
    std::fs::remove_file(&probe)
}

/// Writes a file atomically: to a temporary file beside it, then renamed over it, so a crash mid-write
/// never leaves a half-written file. Used for scenarios and every export.
#[cfg(not(target_arch = "wasm32"))]
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
