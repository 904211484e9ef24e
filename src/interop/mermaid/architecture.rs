//! The Mermaid `architecture-beta` reader: groups, services and junctions, laid out on a grid from the sides their edges leave by.

use std::collections::BTreeMap;

use super::{Result, cut, is_id_char};
use crate::interop::diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
use crate::interop::text::plain;

/// Grid step for laying out architecture diagrams from their edge sides, world units.
const ARCH_STEP: (f32, f32) = (200.0, 120.0);

/// The architecture-beta parser's state.
#[derive(Default)]
pub(super) struct Arch {
    d: Diagram,
    index: BTreeMap<String, usize>,
    junctions: BTreeMap<String, usize>,
    /// Raw edges with their sides: (from, from side, to, to side, line).
    edges: Vec<(String, char, String, char, usize)>,
}

impl Arch {
    pub(super) fn line(&mut self, n: usize, l: &str) -> Result<()> {
        let place = format!("line {n}");
        let word = l.split_whitespace().next().unwrap_or("");
        match word {
            "group" | "service" => {
                let rest = l[word.len()..].trim_start();
                let id_end = rest
                    .find(|c: char| !(is_id_char(c) || c == '-'))
                    .unwrap_or(rest.len());
                let id = &rest[..id_end];
                if id.is_empty() {
                    return Err((
                        place,
                        format!("`{word}` needs an id, e.g. `{word} db(database)[Database]`"),
                    ));
                }
                let mut rest = &rest[id_end..];
                let mut icon = None;
                if let Some(r) = rest.strip_prefix('(') {
                    let Some(j) = r.find(')') else {
                        return Err((place, "the icon's `(` is never closed".into()));
                    };
                    icon = Some(r[..j].trim().to_owned());
                    rest = &r[j + 1..];
                }
                let mut title = None;
                if let Some(r) = rest.strip_prefix('[') {
                    let Some(j) = r.find(']') else {
                        return Err((place, "the title's `[` is never closed".into()));
                    };
                    title = Some(plain(r[..j].trim().trim_matches('"')));
                    rest = &r[j + 1..];
                }
                let rest = rest.trim();
                if !(rest.is_empty() || rest.starts_with("in ")) {
                    return Err((
                        place,
                        format!("unexpected `{}` after the {word}'s title", cut(rest)),
                    ));
                }
                if word == "group" {
                    self.d.skipped.push(Skipped::new(
                        place,
                        format!("group '{}'", title.as_deref().unwrap_or(id)),
                        "archsim has no zones yet; its services are imported without it",
                        "nothing to do",
                    ));
                } else {
                    if self.index.contains_key(id) {
                        return Err((place, format!("service '{id}' is declared twice")));
                    }
                    self.index.insert(id.to_owned(), self.d.boxes.len());
                    self.d.boxes.push(DiagramBox {
                        key: id.to_owned(),
                        label: title.unwrap_or_else(|| id.to_owned()),
                        icon,
                        place,
                        ..DiagramBox::default()
                    });
                }
            }
            "junction" => {
                let id = l[word.len()..].split_whitespace().next().unwrap_or("");
                if id.is_empty() {
                    return Err((place, "`junction` needs an id".into()));
                }
                self.junctions.insert(id.to_owned(), n);
            }
            _ => self.edge(n, l)?,
        }
        Ok(())
    }

    /// `a:R --> L:b`, `a{group}:B -- T:b`, `a:R <--> L:b`.
    fn edge(&mut self, n: usize, l: &str) -> Result<()> {
        let place = format!("line {n}");
        let Some(at) = l.find("--") else {
            return Err((
                place,
                format!(
                    "expected `service`, `group`, `junction` or an edge like `a:R --> L:b`, found `{}`",
                    cut(l)
                ),
            ));
        };
        let (mut lhs, mut rhs) = (l[..at].trim_end(), l[at + 2..].trim_start());
        let back = lhs.ends_with('<');
        if back {
            lhs = lhs[..lhs.len() - 1].trim_end();
        }
        let fwd = rhs.starts_with('>');
        if fwd {
            rhs = rhs[1..].trim_start();
        }
        let side = |s: &str| {
            s.trim()
                .chars()
                .next()
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or('R')
        };
        let strip_group = |s: &str| s.split('{').next().unwrap_or("").trim().to_owned();
        let (a, sa) = match lhs.rsplit_once(':') {
            Some((id, s)) => (strip_group(id), side(s)),
            None => (strip_group(lhs), 'R'),
        };
        let (b, sb) = match rhs.split_once(':') {
            Some((s, id)) => (strip_group(id), side(s)),
            None => (strip_group(rhs), 'L'),
        };
        for id in [&a, &b] {
            if id.is_empty() || !(self.index.contains_key(id) || self.junctions.contains_key(id)) {
                return Err((
                    place.clone(),
                    format!(
                        "the edge names '{}', which is not a declared service or junction",
                        cut(id)
                    ),
                ));
            }
        }
        match (back, fwd) {
            (true, false) => self.edges.push((b, sb, a, sa, n)),
            (b2, f2) => {
                if b2 == f2 {
                    self.d.guesses.push(format!(
                        "line {n}: the edge {a} {}-- {b} {} read as an arrow from '{a}' to '{b}'",
                        if b2 { "<" } else { "" },
                        if b2 { "has two heads" } else { "has no head" }
                    ));
                }
                self.edges.push((a, sa, b, sb, n));
            }
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Diagram {
        self.layout();
        let mut links = Vec::new();
        for (a, _, b, _, n) in &self.edges {
            if self.junctions.contains_key(a) || self.junctions.contains_key(b) {
                continue;
            }
            links.push(DiagramLink {
                from: a.clone(),
                to: b.clone(),
                place: format!("line {n}"),
            });
        }
        // A junction is a bend point: every arrow into it continues along every arrow out of it.
        for (j, n) in &self.junctions {
            let ins: Vec<&String> = self
                .edges
                .iter()
                .filter(|e| &e.2 == j)
                .map(|e| &e.0)
                .collect();
            let outs: Vec<&String> = self
                .edges
                .iter()
                .filter(|e| &e.0 == j)
                .map(|e| &e.2)
                .collect();
            for a in &ins {
                for b in &outs {
                    if a != b
                        && !self.junctions.contains_key(*a)
                        && !self.junctions.contains_key(*b)
                    {
                        links.push(DiagramLink {
                            from: (*a).clone(),
                            to: (*b).clone(),
                            place: format!("line {n}"),
                        });
                    }
                }
            }
            self.d.guesses.push(format!(
                "line {n}: junction '{j}' is a bend point: each arrow into it continues along each arrow out of it"
            ));
        }
        self.d.links = links;
        self.d
    }

    /// Positions from the edge sides: `a:R -- L:b` puts b right of a.
    fn layout(&mut self) {
        let mut cell: BTreeMap<String, (i32, i32)> = BTreeMap::new();
        let keys: Vec<String> = self
            .d
            .boxes
            .iter()
            .map(|b| b.key.clone())
            .chain(self.junctions.keys().cloned())
            .collect();
        let mut next_row = 0;
        for root in &keys {
            if cell.contains_key(root) {
                continue;
            }
            cell.insert(root.clone(), (0, next_row));
            let mut changed = true;
            while changed {
                changed = false;
                for (a, sa, b, _, _) in &self.edges {
                    let d = match sa {
                        'L' => (-1, 0),
                        'T' => (0, -1),
                        'B' => (0, 1),
                        _ => (1, 0),
                    };
                    let pa = cell.get(a).copied();
                    let pb = cell.get(b).copied();
                    match (pa, pb) {
                        (Some(p), None) => {
                            cell.insert(b.clone(), (p.0 + d.0, p.1 + d.1));
                            changed = true;
                        }
                        (None, Some(p)) => {
                            cell.insert(a.clone(), (p.0 - d.0, p.1 - d.1));
                            changed = true;
                        }
                        _ => {}
                    }
                }
            }
            next_row = cell.values().map(|c| c.1).max().unwrap_or(0) + 2;
        }
        for b in &mut self.d.boxes {
            if let Some(&(x, y)) = cell.get(&b.key) {
                b.pos = Some((x as f32 * ARCH_STEP.0, y as f32 * ARCH_STEP.1));
            }
        }
        // Two services on the same cell: move the later one down a row until free.
        let mut taken: BTreeMap<(i32, i32), ()> = BTreeMap::new();
        for b in &mut self.d.boxes {
            if let Some(p) = b.pos {
                let mut c = ((p.0 / ARCH_STEP.0) as i32, (p.1 / ARCH_STEP.1) as i32);
                while taken.contains_key(&c) {
                    c.1 += 1;
                }
                taken.insert(c, ());
                b.pos = Some((c.0 as f32 * ARCH_STEP.0, c.1 as f32 * ARCH_STEP.1));
            }
        }
    }
}
