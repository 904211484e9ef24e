//! Reading and writing scenario files (RON).

use std::path::Path;

use ron::extensions::Extensions;

use super::{Scenario, ScenarioError, validate};

/// RON options shared by reading and writing: newtype variants and `Some` may be written bare, so files say
/// `kind: Service(replicas: 2)` and `timeout_ms: 500.0` rather than `Service((replicas: 2))` and `Some(500.0)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(
        Extensions::UNWRAP_VARIANT_NEWTYPES | Extensions::IMPLICIT_SOME | Extensions::UNWRAP_NEWTYPES,
    )
}

/// Parses scenario text without checking its meaning. `file` names the source in errors.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    ron_options()
        .from_str::<Scenario>(text)
        .map_err(|e| ScenarioError::Syntax {
            file: file.to_owned(),
            line: e.span.start.line,
            col: e.span.start.col,
            message: e.code.to_string(),
        })
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

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: file.clone(),
        source,
    })?;
    from_str(&text, &file)
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

/// Writes a scenario file atomically: to a temporary file beside it, then renamed over it, so a crash
/// mid-save never leaves a half-written file.
#[cfg(not(target_arch = "wasm32"))]
pub fn save(scenario: &Scenario, path: &Path) -> Result<(), ScenarioError> {
    use std::io::Write as _;
    let io_err = |source| ScenarioError::Io {
        file: path.display().to_string(),
        source,
    };
    let text = to_string(scenario);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io_err)
}
