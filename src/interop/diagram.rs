//! What every importer produces: boxes and links as drawn, each with the place it came from, before any
//! mapping to node kinds.

/// A parsed drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    /// The boxes, in source order.
    pub boxes: Vec<DiagramBox>,
    /// The arrows between boxes, in source order, by box key.
    pub links: Vec<DiagramLink>,
    /// Elements left out while parsing (free text, groups, junctions...), with the reason.
    pub skipped: Vec<Skipped>,
    /// Readings the parser had to choose (an undirected line read left to right...).
    pub guesses: Vec<String>,
}

/// One box of the drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramBox {
    /// The source's own id for it (unique within the diagram); links refer to it.
    pub key: String,
    /// Its text, as shown (markup removed, lines joined by spaces).
    pub label: String,
    /// The shape, in the source's words (`cylinder`, `shape=mxgraph.aws4.dynamo_db`), if it says one.
    pub shape: Option<String>,
    /// An icon name (Mermaid architecture `database`, `logos:redis`), if any.
    pub icon: Option<String>,
    /// CSS-like classes given to it (Mermaid `:::database`, DOT `class=`); a class named after a node kind
    /// decides the kind outright.
    pub classes: Vec<String>,
    /// Centre of the box in the source's coordinates (y down), if the source has positions.
    pub pos: Option<(f32, f32)>,
    /// Where it is in the file: `line 4` or `element 'a1'`.
    pub place: String,
}

/// An arrow from one box to another.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramLink {
    /// Key of the box it starts at.
    pub from: String,
    /// Key of the box it points to.
    pub to: String,
    /// Where it is in the file.
    pub place: String,
}

/// Something in the drawing that did not become a node or an edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is in the file.
    pub place: String,
    /// What it is, e.g. `group 'api'` or `arrow 'a7'`.
    pub what: String,
    /// Why it was left out.
    pub reason: String,
    /// What to change (in the drawing or in the mapping table) to have it imported.
    pub fix: String,
}

impl Skipped {
    /// A skipped element.
    pub fn new(
        place: impl Into<String>,
        what: impl Into<String>,
        reason: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            place: place.into(),
            what: what.into(),
            reason: reason.into(),
            fix: fix.into(),
        }
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}; {}",
            self.what, self.place, self.reason, self.fix
        )
    }
}
