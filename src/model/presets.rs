//! The preset scenarios, embedded in the binary so the web build (which has no file system) and an installed
//! CLI have them too. Every top-level `scenarios/*.ron` belongs here (a test checks); `scenarios/theory/`
//! holds validation models, not presets, and is left out.

use super::{Scenario, ScenarioError};

/// One embedded scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Path relative to the crate root, e.g. `scenarios/url_shortener.ron`; names the source in errors.
    pub file: &'static str,
    /// Short name used on the command line (`archsim run url_shortener`): the file stem.
    pub name: &'static str,
    /// The file's text, as written.
    pub text: &'static str,
}

impl Preset {
    /// Parses and validates the preset.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        super::from_str(self.text, self.file)
    }
}

/// A preset from its file stem; the `include_str!` path is relative to this source file.
macro_rules! preset {
    ($stem:literal) => {
        Preset {
            file: concat!("scenarios/", $stem, ".ron"),
            name: $stem,
            text: include_str!(concat!("../../scenarios/", $stem, ".ron")),
        }
    };
}

/// Sorted by name so listings are stable.
static PRESETS: &[Preset] = &[
    preset!("api_gateway_noisy_tenant"),
    preset!("backoff_jitter"),
    preset!("cache_consistency"),
    preset!("cache_stampede"),
    preset!("chat"),
    preset!("chat_pubsub"),
    preset!("checkout_closed_loop"),
    preset!("file_upload"),
    preset!("file_upload_cdn"),
    preset!("job_scheduler"),
    preset!("metrics_hot_partition"),
    preset!("metrics_ingestion"),
    preset!("news_feed"),
    preset!("news_feed_fanout"),
    preset!("news_feed_fanout_read"),
    preset!("news_feed_fanout_write"),
    preset!("notification"),
    preset!("notification_diurnal"),
    preset!("payment_api"),
    preset!("payment_idempotency"),
    preset!("power_of_two"),
    preset!("quorum_partition"),
    preset!("rate_limiter"),
    preset!("replica_failover"),
    preset!("retry_storm"),
    preset!("sharded_hot_key"),
    preset!("two_region_active_active"),
    preset!("two_region_active_passive"),
    preset!("url_shortener"),
    preset!("watch_history"),
];

/// Every embedded preset, sorted by name.
pub fn presets() -> &'static [Preset] {
    PRESETS
}

/// The preset called `name`; also accepts `name.ron` and `scenarios/name.ron`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    let stem = name.strip_prefix("scenarios/").unwrap_or(name);
    let stem = stem.strip_suffix(".ron").unwrap_or(stem);
    PRESETS.iter().find(|p| p.name == stem)
}

/// Parses and validates the preset called `name` (see [`preset`]); `None` when there is no such preset.
pub fn load_preset(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    preset(name).map(Preset::scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_level_scenario_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("scenarios/ exists")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron"))
            .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = presets().iter().map(|p| p.file).collect();
        for file in &on_disk {
            assert!(
                embedded.contains(&file.as_str()),
                "{file} is not embedded: add `preset!(\"...\")` to PRESETS in src/model/presets.rs"
            );
        }
        assert_eq!(
            embedded.len(),
            on_disk.len(),
            "a preset has no file: {embedded:?} vs {on_disk:?}"
        );
    }

    #[test]
    fn presets_are_sorted_unique_and_valid() {
        let names: Vec<&str> = presets().iter().map(|p| p.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            names, sorted,
            "keep PRESETS sorted by name, without duplicates"
        );
        for p in presets() {
            if let Err(e) = p.scenario() {
                panic!("preset {} does not load:\n{e}", p.name);
            }
        }
    }

    #[test]
    fn lookup_accepts_stem_file_and_path() {
        for q in [
            "url_shortener",
            "url_shortener.ron",
            "scenarios/url_shortener.ron",
        ] {
            assert_eq!(preset(q).map(|p| p.name), Some("url_shortener"), "{q}");
        }
        assert!(preset("nope").is_none());
    }
}
