//! The open scenario with its file path, dirty marker and undo/redo history.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::Scenario;

use super::edit::{Applied, Edit};

/// Undo steps kept.
const MAX_UNDO: usize = 200;

/// Hands out design ids: every New, Open, preset or link gets a fresh one.
static NEXT_DESIGN: AtomicU64 = AtomicU64::new(1);

/// The scenario being edited.
pub struct Document {
    /// The scenario as it is now.
    pub scenario: Scenario,
    /// Where it was loaded from or last saved to (`None`: never saved; a preset has none).
    pub path: Option<String>,
    /// The scenario as last saved or opened, to tell whether there are unsaved changes.
    saved: Option<Scenario>,
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
    /// Merge key of the last edit, while the same gesture goes on.
    last_key: Option<String>,
    /// Bumped on every change (undo and redo included), so views can tell the scenario moved on.
    pub generation: u64,
    /// Which design this is: unique per opened document and kept through edits, so a result computed for
    /// one design (a sweep, a fix) can refuse to act on another one opened since.
    pub design: u64,
}

impl Document {
    /// A freshly opened scenario: clean, with no history.
    pub fn new(scenario: Scenario, path: Option<String>) -> Self {
        Self {
            saved: Some(scenario.clone()),
            scenario,
            path,
            undo: Vec::new(),
            redo: Vec::new(),
            last_key: None,
            generation: 0,
            design: NEXT_DESIGN.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// A restored scenario that may differ from the file it came from.
    pub fn restored(scenario: Scenario, path: Option<String>, dirty: bool) -> Self {
        let mut d = Self::new(scenario, path);
        if dirty {
            d.saved = None;
        }
        d
    }

    /// Are there unsaved changes?
    pub fn is_dirty(&self) -> bool {
        self.saved.as_ref() != Some(&self.scenario)
    }

    /// Records that the scenario now matches `path` on disk.
    pub fn mark_saved(&mut self, path: String) {
        self.path = Some(path);
        self.saved = Some(self.scenario.clone());
    }

    /// File name for titles: the path's last part, or the scenario name.
    pub fn title(&self) -> String {
        match &self.path {
            Some(p) => std::path::Path::new(p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.clone()),
            None => self.scenario.name.clone(),
        }
    }

    /// Applies an edit as one undo step (merged with the previous one if it continues the same gesture).
    pub fn apply(&mut self, edit: Edit) -> Result<Applied, String> {
        let key = edit.merge_key();
        let before = self.scenario.clone();
        let applied = edit.apply(&mut self.scenario)?;
        if self.scenario == before {
            return Ok(applied);
        }
        if key.is_none() || key != self.last_key {
            self.undo.push(before);
            if self.undo.len() > MAX_UNDO {
                self.undo.remove(0);
            }
        }
        self.last_key = key;
        self.redo.clear();
        self.generation += 1;
        Ok(applied)
    }

    /// Ends the current gesture: the next edit starts a new undo step even if it has the same key.
    pub fn end_gesture(&mut self) {
        self.last_key = None;
    }

    /// Steps back. Returns false when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        let Some(prev) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.scenario, prev));
        self.last_key = None;
        self.generation += 1;
        true
    }

    /// Steps forward again. Returns false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.scenario, next));
        self.last_key = None;
        self.generation += 1;
        true
    }

    /// Can [`Self::undo`] do anything?
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Can [`Self::redo`] do anything?
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KindTag;

    #[test]
    fn undo_redo_and_merging() {
        let mut d = Document::new(Scenario::default(), None);
        assert!(!d.is_dirty());
        d.apply(Edit::AddNode {
            kind: KindTag::Service,
            pos: (0.0, 0.0),
        })
        .unwrap();
        assert!(d.is_dirty());
        for x in 1..5 {
            d.apply(Edit::SetPositions(vec![(
                "service".into(),
                (x as f32, 0.0),
            )]))
            .unwrap();
        }
        assert!(d.undo());
        assert_eq!(d.scenario.nodes[0].pos, Some((0.0, 0.0)));
        assert!(d.undo());
        assert!(d.scenario.nodes.is_empty());
        assert!(!d.is_dirty());
        assert!(d.redo());
        assert_eq!(d.scenario.nodes.len(), 1);
    }
}
