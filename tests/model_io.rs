//! Scenario files: round trip, and clear errors for bad input.

use archsim::model::{self, ScenarioError};

#[test]
fn preset_parses_and_round_trips() {
    let text = std::fs::read_to_string("scenarios/url_shortener.ron").unwrap();
    let s = model::from_str(&text, "url_shortener.ron").unwrap();
    assert_eq!(s.nodes.len(), 5);
    let again = model::from_str(&model::to_string(&s), "again").unwrap();
    assert_eq!(s, again);
}
