//! The Mermaid `flowchart` (or `graph`) reader: nodes with shapes, links with labels, `&` chains, subgraphs and classes.

use std::collections::BTreeMap;

use super::{Result, is_id_char};
use crate::interop::diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
use crate::interop::text::{collapse, plain};

/// The flowchart parser's state.
#[derive(Default)]
pub(super) struct Flow {
    d: Diagram,
    index: BTreeMap<String, usize>,
    depth: usize,
}

impl Flow {
    pub(super) fn line(&mut self, n: usize, indent: usize, line: &str) -> Result<()> {
        for (at, stmt) in split_statements(line) {
            let lead = stmt.chars().take_while(|c| c.is_whitespace()).count();
            let stmt = stmt.trim();
            if !stmt.is_empty() {
                self.statement(n, indent + at + lead, stmt)?;
            }
        }
        Ok(())
    }

    fn statement(&mut self, n: usize, base: usize, s: &str) -> Result<()> {
        let word = s.split_whitespace().next().unwrap_or("");
        match word {
            "subgraph" => {
                self.depth += 1;
                let title = collapse(s["subgraph".len()..].trim());
                self.d.skipped.push(Skipped::new(
                    format!("line {n}"),
                    format!("subgraph '{}'", plain(&title)),
                    "archsim has no zones or groups yet; its boxes are imported without it",
                    "nothing to do",
                ));
                return Ok(());
            }
            "end" if s == "end" => {
                if self.depth == 0 {
                    return Err((format!("line {n}"), "`end` without a `subgraph`".into()));
                }
                self.depth -= 1;
                return Ok(());
            }
            "class" => {
                let rest: Vec<&str> = s.split_whitespace().skip(1).collect();
                if let [ids, class, ..] = rest.as_slice() {
                    for id in ids.split(',') {
                        if let Some(&i) = self.index.get(id.trim()) {
                            self.d.boxes[i].classes.push((*class).to_owned());
                        }
                    }
                }
                return Ok(());
            }
            "classDef" | "style" | "linkStyle" | "click" | "direction" | "accTitle"
            | "accDescr" | "title" => return Ok(()),
            _ => {}
        }
        let chars: Vec<char> = s.chars().collect();
        let mut c = Cursor {
            s: &chars,
            i: 0,
            line: n,
            base,
        };
        let mut left = self.node_group(&mut c)?;
        loop {
            c.skip_ws();
            if c.done() {
                break;
            }
            let link = c.link()?;
            c.skip_ws();
            let right = self.node_group(&mut c)?;
            if let Some(dir) = link {
                if dir == Dir::Undirected || dir == Dir::Both {
                    self.d.guesses.push(format!(
                        "line {n}: a line {} read as an arrow from left to right",
                        if dir == Dir::Both {
                            "with two heads"
                        } else {
                            "without a head"
                        }
                    ));
                }
                for a in &left {
                    for b in &right {
                        let (from, to) = if dir == Dir::Back { (b, a) } else { (a, b) };
                        self.d.links.push(DiagramLink {
                            from: from.clone(),
                            to: to.clone(),
                            place: format!("line {n}"),
                        });
                    }
                }
            }
            left = right;
        }
        Ok(())
    }

    /// `a & b[Label] & c`: the keys of the nodes.
    fn node_group(&mut self, c: &mut Cursor) -> Result<Vec<String>> {
        let mut keys = vec![self.node(c)?];
        loop {
            let save = c.i;
            c.skip_ws();
            if c.peek() == Some('&') {
                c.i += 1;
                c.skip_ws();
                keys.push(self.node(c)?);
            } else {
                c.i = save;
                return Ok(keys);
            }
        }
    }

    fn node(&mut self, c: &mut Cursor) -> Result<String> {
        let start = c.i;
        while c.peek().is_some_and(is_id_char) {
            c.i += 1;
        }
        if c.i == start {
            return Err(c.error(&format!(
                "expected a node id, found {}",
                c.peek()
                    .map_or("the end of the line".into(), |ch| format!("'{ch}'"))
            )));
        }
        let key: String = c.s[start..c.i].iter().collect();
        let (shape, label) = c.shape()?;
        let mut classes = Vec::new();
        if c.starts_with(":::") {
            c.i += 3;
            let cs = c.i;
            while c.peek().is_some_and(|ch| is_id_char(ch) || ch == '-') {
                c.i += 1;
            }
            classes.push(c.s[cs..c.i].iter().collect());
        }
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.clone(), self.d.boxes.len());
                self.d.boxes.push(DiagramBox {
                    key: key.clone(),
                    label: key.clone(),
                    place: format!("line {}", c.line),
                    ..DiagramBox::default()
                });
                self.d.boxes.len() - 1
            }
        };
        let b = &mut self.d.boxes[i];
        if let Some(l) = label {
            b.label = l;
        }
        if shape.is_some() {
            b.shape = shape;
        }
        b.classes.extend(classes);
        Ok(key)
    }

    pub(super) fn finish(self) -> Diagram {
        self.d
    }
}

/// Splits a line at `;` outside quotes and brackets; each piece with its offset in characters.
fn split_statements(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start, mut start_char) = (0i32, false, 0, 0);
    for (k, (i, ch)) in line.char_indices().enumerate() {
        match ch {
            '"' => quoted = !quoted,
            '[' | '(' | '{' if !quoted => depth += 1,
            ']' | ')' | '}' if !quoted => depth -= 1,
            ';' if !quoted && depth <= 0 => {
                out.push((start_char, &line[start..i]));
                start = i + 1;
                start_char = k + 1;
            }
            _ => {}
        }
    }
    out.push((start_char, &line[start..]));
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    Forward,
    Back,
    Both,
    Undirected,
}

struct Cursor<'a> {
    s: &'a [char],
    i: usize,
    line: usize,
    /// Characters before the statement on its line.
    base: usize,
}

/// Flowchart shapes: opener, closer, name.
const SHAPES: &[(&str, &str, &str)] = &[
    ("(((", ")))", "double circle"),
    ("((", "))", "circle"),
    ("([", "])", "stadium"),
    ("(", ")", "rounded"),
    ("[[", "]]", "subroutine"),
    ("[(", ")]", "cylinder"),
    ("[/", "/]", "parallelogram"),
    ("[\\", "\\]", "parallelogram"),
    ("[", "]", "rectangle"),
    ("{{", "}}", "hexagon"),
    ("{", "}", "diamond"),
    (">", "]", "flag"),
];

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn starts_with(&self, p: &str) -> bool {
        (self.i..)
            .zip(p.chars())
            .all(|(j, ch)| self.s.get(j) == Some(&ch))
    }

    fn error(&self, message: &str) -> (String, String) {
        (
            format!("line {}, column {}", self.line, self.base + self.i + 1),
            message.to_owned(),
        )
    }

    /// An optional shape with its text after a node id: `[text]`, `[(text)]`, `@{ shape: cyl, label: "x" }`.
    fn shape(&mut self) -> Result<(Option<String>, Option<String>)> {
        if self.starts_with("@{") {
            let open = self.i;
            self.i += 2;
            let body = self.until("}", open)?;
            let mut shape = None;
            let mut label = None;
            for part in body.split(',') {
                if let Some((k, v)) = part.split_once(':') {
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim() {
                        "shape" => shape = Some(v),
                        "label" => label = Some(plain(&v)),
                        _ => {}
                    }
                }
            }
            return Ok((shape, label));
        }
        let Some(&(open, close, name)) = SHAPES.iter().find(|(o, _, _)| self.starts_with(o)) else {
            return Ok((None, None));
        };
        let at = self.i;
        self.i += open.chars().count();
        let text = if self.peek() == Some('"') {
            self.i += 1;
            let t = self.until("\"", at)?;
            self.skip_ws();
            if !self.starts_with(close) {
                return Err(self.error(&format!(
                    "expected `{close}` to close the `{open}` opened at column {}",
                    self.base + at + 1
                )));
            }
            self.i += close.chars().count();
            t
        } else {
            self.until(close, at)?
        };
        let text = text.trim().trim_matches('`').to_owned();
        Ok((Some(name.to_owned()), Some(plain(&text))))
    }

    /// The text up to `close` (consumed), or an error naming where it was opened.
    fn until(&mut self, close: &str, opened: usize) -> Result<String> {
        let start = self.i;
        while !self.done() {
            if self.starts_with(close) {
                let t: String = self.s[start..self.i].iter().collect();
                self.i += close.chars().count();
                return Ok(t);
            }
            self.i += 1;
        }
        Err((
            format!("line {}, column {}", self.line, self.base + opened + 1),
            format!("this bracket is never closed (expected `{close}`)"),
        ))
    }

    /// A link: `-->`, `---`, `-.->`, `==>`, `<-->`, `--o`, `-- text -->`, `-->|text|`. `None` for the
    /// invisible `~~~`.
    fn link(&mut self) -> Result<Option<Dir>> {
        let start = self.i;
        let run = self.link_run();
        if run.is_empty() {
            return Err(self.error(&format!(
                "expected an arrow such as `-->`, found '{}'",
                self.peek().unwrap_or(' ')
            )));
        }
        let mut full = run.clone();
        // `-- text -->`: an open run, then text, then the closing run.
        if !run.contains('>')
            && matches!(run.as_str(), "--" | "==" | "-." | "<--" | "<==" | "<-.")
            && self.peek().is_some_and(char::is_whitespace)
        {
            let text_start = self.i;
            let mut found = None;
            while !self.done() {
                if (self.starts_with("--") || self.starts_with("==") || self.starts_with(".-"))
                    && self.i > text_start
                {
                    let save = self.i;
                    let close = self.link_run();
                    if close.ends_with('>') || close.ends_with('-') || close.ends_with('=') {
                        found = Some(close);
                        break;
                    }
                    self.i = save + 1;
                    continue;
                }
                self.i += 1;
            }
            match found {
                Some(close) => full.push_str(&close),
                None => {
                    return Err((
                        format!("line {}, column {}", self.line, self.base + start + 1),
                        "this link's text is never closed (expected e.g. `-- text -->`)".into(),
                    ));
                }
            }
        }
        self.skip_ws();
        if self.peek() == Some('|') {
            let at = self.i;
            self.i += 1;
            self.until("|", at)?;
        }
        if full.contains('~') {
            return Ok(None);
        }
        let back = full.starts_with('<');
        let fwd = full.ends_with('>') || full.ends_with('o') || full.ends_with('x');
        Ok(Some(match (back, fwd) {
            (true, true) => Dir::Both,
            (true, false) => Dir::Back,
            (false, true) => Dir::Forward,
            (false, false) => Dir::Undirected,
        }))
    }

    fn link_run(&mut self) -> String {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| matches!(c, '-' | '=' | '.' | '<' | '>' | '~'))
        {
            self.i += 1;
        }
        // `--o` and `--x` heads, when not the start of a node id.
        if self.i > start
            && matches!(self.peek(), Some('o' | 'x'))
            && self
                .s
                .get(self.i + 1)
                .is_none_or(|c| c.is_whitespace() || *c == '|')
        {
            self.i += 1;
        }
        self.s[start..self.i].iter().collect()
    }
}
