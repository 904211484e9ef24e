//! Mermaid: `flowchart`/`graph` and `architecture-beta`, by hand (the grammar needed is small). A Markdown
//! fence around the block and YAML front matter are allowed; line numbers in errors are the file's.

use std::collections::BTreeMap;

use super::diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
use super::text::{collapse, plain};

type Result<T> = std::result::Result<T, (String, String)>;

/// Grid step for laying out architecture diagrams from their edge sides, world units.
const ARCH_STEP: (f32, f32) = (200.0, 120.0);

/// The first line that says something (not blank, not a comment, not front matter or a fence).
pub fn first_statement(text: &str) -> &str {
    lines(text).next().map_or("", |(_, _, l)| l)
}

/// Does this statement start a diagram this module reads?
pub fn is_header(s: &str) -> bool {
    let w = s.split_whitespace().next().unwrap_or("");
    ((w == "flowchart" || w == "graph") && !s.contains('{')) || w == "architecture-beta"
}

/// The statements of the first Mermaid block, trimmed, with their 1-based line numbers and how many
/// characters the trimming took off the front (for columns in errors).
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let fenced = text.contains("```mermaid");
    let mut inside = !fenced;
    let mut front = false;
    let mut done = false;
    let mut first = true;
    text.lines().enumerate().filter_map(move |(i, raw)| {
        let l = raw.trim();
        if done {
            return None;
        }
        if fenced && !inside {
            if l.starts_with("```mermaid") {
                inside = true;
            }
            return None;
        }
        if fenced && l.starts_with("```") {
            done = true;
            return None;
        }
        if first && l == "---" {
            front = true;
            first = false;
            return None;
        }
        if front {
            if l == "---" {
                front = false;
            }
            return None;
        }
        if l.is_empty() || l.starts_with("%%") {
            return None;
        }
        first = false;
        let indent = raw.chars().take_while(|c| c.is_whitespace()).count();
        Some((i + 1, indent, l))
    })
}

/// Parses a Mermaid block.
pub fn parse(text: &str) -> Result<Diagram> {
    let mut it = lines(text).peekable();
    let Some(&(n, _, head)) = it.peek() else {
        return Err((
            "line 1".into(),
            "is empty; expected `flowchart LR` or `architecture-beta`".into(),
        ));
    };
    let word = head.split_whitespace().next().unwrap_or("");
    match word {
        "flowchart" | "graph" => {
            it.next();
            let mut p = Flow::default();
            // The header may carry a first statement after `;`.
            if let Some((h, rest)) = head.split_once(';') {
                p.line(n, h.chars().count() + 1, rest)?;
            }
            for (n, indent, l) in it {
                p.line(n, indent, l)?;
            }
            Ok(p.finish())
        }
        "architecture-beta" => {
            it.next();
            let mut p = Arch::default();
            for (n, _, l) in it {
                p.line(n, l)?;
            }
            Ok(p.finish())
        }
        _ => Err((
            format!("line {n}"),
            format!(
                "starts with `{}`; this importer reads Mermaid `flowchart` (or `graph`) and `architecture-beta` diagrams",
                cut(word)
            ),
        )),
    }
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The flowchart parser's state.
#[derive(Default)]
struct Flow {
    d: Diagram,
    index: BTreeMap<String, usize>,
    depth: usize,
}

impl Flow {
    fn line(&mut self, n: usize, indent: usize, line: &str) -> Result<()> {
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

    fn finish(self) -> Diagram {
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
        let mut j = self.i;
        for ch in p.chars() {
            if self.s.get(j) != Some(&ch) {
                return false;
            }
            j += 1;
        }
        true
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

/// The architecture-beta parser's state.
#[derive(Default)]
struct Arch {
    d: Diagram,
    index: BTreeMap<String, usize>,
    junctions: BTreeMap<String, usize>,
    /// Raw edges with their sides: (from, from side, to, to side, line).
    edges: Vec<(String, char, String, char, usize)>,
}

impl Arch {
    fn line(&mut self, n: usize, l: &str) -> Result<()> {
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

    fn finish(mut self) -> Diagram {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowchart_shapes_links_and_classes() {
        let d = parse(
            "flowchart LR\n  u([Users]) -->|GET| lb[nginx]\n  lb --> a & b\n  a -- reads --> db[(Orders)]:::x\n  b -.-> db\n  class a service\n",
        )
        .unwrap();
        let keys: Vec<&str> = d.boxes.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["u", "lb", "a", "b", "db"]);
        assert_eq!(d.boxes[4].shape.as_deref(), Some("cylinder"));
        assert_eq!(d.boxes[4].label, "Orders");
        assert_eq!(d.boxes[2].classes, ["service"]);
        let links: Vec<(&str, &str)> = d
            .links
            .iter()
            .map(|l| (l.from.as_str(), l.to.as_str()))
            .collect();
        assert_eq!(
            links,
            [
                ("u", "lb"),
                ("lb", "a"),
                ("lb", "b"),
                ("a", "db"),
                ("b", "db")
            ]
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("flowchart TD\n  a[open --> b\n").unwrap_err();
        assert_eq!(e.0, "line 2, column 4");
        let e = parse("flowchart TD\n  a --> \n").unwrap_err();
        assert!(e.0.starts_with("line 2"), "{e:?}");
        let e = parse("pie\n").unwrap_err();
        assert_eq!(e.0, "line 1");
    }

    #[test]
    fn architecture_sides_give_positions() {
        let d = parse(
            "architecture-beta\n group api(cloud)[API]\n service web(internet)[Web] in api\n service db(database)[DB] in api\n web:R --> L:db\n",
        )
        .unwrap();
        assert_eq!(d.boxes[0].pos, Some((0.0, 0.0)));
        assert_eq!(d.boxes[1].pos, Some((200.0, 0.0)));
        assert_eq!(d.links.len(), 1);
        assert_eq!(d.skipped.len(), 1);
    }
}
