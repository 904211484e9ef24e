//! Graphviz DOT, by hand: the whole graph grammar (statements, attribute lists, subgraphs as edge ends,
//! default `node [...]` attributes, ports), with `label`, `shape`, `class` and `pos` read from nodes.

use std::collections::BTreeMap;

use super::diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
use super::text::{collapse, plain};

type Result<T> = std::result::Result<T, (String, String)>;

/// Most subgraphs nested inside each other (a bound, so a hostile file cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// An identifier, number, quoted string or HTML string; `true` when it was an HTML string.
    Id(String, bool),
    Punct(char),
    /// `->` or `--`.
    EdgeOp(bool),
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

fn err(line: usize, m: impl Into<String>) -> (String, String) {
    (format!("line {line}"), m.into())
}

impl Lexer<'_> {
    fn tokens(mut self) -> Result<Vec<(Tok, usize)>> {
        let mut out = Vec::new();
        while let Some(t) = self.next()? {
            out.push(t);
        }
        Ok(out)
    }

    fn next(&mut self) -> Result<Option<(Tok, usize)>> {
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Ok(None);
            };
            match c {
                b'\n' => {
                    self.line += 1;
                    self.i += 1;
                }
                c if c.is_ascii_whitespace() => self.i += 1,
                b'#' if self.at_line_start() => self.skip_line(),
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                b'/' if self.s.get(self.i + 1) == Some(&b'*') => {
                    let start = self.line;
                    self.i += 2;
                    loop {
                        match self.s.get(self.i) {
                            None => return Err(err(start, "this `/*` comment is never closed")),
                            Some(b'*') if self.s.get(self.i + 1) == Some(&b'/') => {
                                self.i += 2;
                                break;
                            }
                            Some(b'\n') => {
                                self.line += 1;
                                self.i += 1;
                            }
                            _ => self.i += 1,
                        }
                    }
                }
                _ => break,
            }
        }
        let line = self.line;
        let c = self.s[self.i];
        let tok = match c {
            b'{' | b'}' | b'[' | b']' | b';' | b',' | b'=' | b':' => {
                self.i += 1;
                Tok::Punct(c as char)
            }
            b'-' if matches!(self.s.get(self.i + 1), Some(b'>' | b'-')) => {
                let directed = self.s[self.i + 1] == b'>';
                self.i += 2;
                Tok::EdgeOp(directed)
            }
            b'"' => Tok::Id(self.quoted()?, false),
            b'<' => Tok::Id(self.html()?, true),
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-' || c >= 0x80 => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|&c| {
                    c.is_ascii_alphanumeric()
                        || c == b'_'
                        || c == b'.'
                        || c >= 0x80
                        || (c == b'-' && self.i == start)
                }) {
                    self.i += 1;
                }
                Tok::Id(
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
                    false,
                )
            }
            other => {
                return Err(err(
                    line,
                    format!("unexpected character '{}'", other as char),
                ));
            }
        };
        Ok(Some((tok, line)))
    }

    fn at_line_start(&self) -> bool {
        self.s[..self.i]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(u8::is_ascii_whitespace)
    }

    fn skip_line(&mut self) {
        while self.s.get(self.i).is_some_and(|&b| b != b'\n') {
            self.i += 1;
        }
    }

    /// `"..."` with `\"` escapes, and `"a" + "b"` concatenation.
    fn quoted(&mut self) -> Result<String> {
        let start = self.line;
        let mut out = Vec::new();
        loop {
            self.i += 1; // the opening quote
            loop {
                match self.s.get(self.i) {
                    None => return Err(err(start, "this string is never closed (missing `\"`)")),
                    Some(b'"') => {
                        self.i += 1;
                        break;
                    }
                    Some(b'\\') if self.s.get(self.i + 1) == Some(&b'"') => {
                        out.push(b'"');
                        self.i += 2;
                    }
                    Some(b'\\') if self.s.get(self.i + 1) == Some(&b'\n') => {
                        self.i += 2;
                        self.line += 1;
                    }
                    Some(&b) => {
                        if b == b'\n' {
                            self.line += 1;
                        }
                        out.push(b);
                        self.i += 1;
                    }
                }
            }
            let mut j = self.i;
            while self.s.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if self.s.get(j) == Some(&b'+') {
                let mut k = j + 1;
                while self.s.get(k).is_some_and(u8::is_ascii_whitespace) {
                    k += 1;
                }
                if self.s.get(k) == Some(&b'"') {
                    self.line += self.s[self.i..k].iter().filter(|&&b| b == b'\n').count();
                    self.i = k;
                    continue;
                }
            }
            return Ok(String::from_utf8_lossy(&out).into_owned());
        }
    }

    /// `<...>` with nested angle brackets.
    fn html(&mut self) -> Result<String> {
        let start = self.line;
        let from = self.i;
        let mut depth = 0usize;
        loop {
            match self.s.get(self.i) {
                None => return Err(err(start, "this HTML label is never closed (missing `>`)")),
                Some(b'<') => depth += 1,
                Some(b'>') => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Ok(
                            String::from_utf8_lossy(&self.s[from + 1..self.i - 1]).into_owned()
                        );
                    }
                }
                Some(b'\n') => self.line += 1,
                _ => {}
            }
            self.i += 1;
        }
    }
}

type Attrs = BTreeMap<String, (String, bool)>;

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    d: Diagram,
    index: BTreeMap<String, usize>,
    directed: bool,
    last_line: usize,
}

/// Parses a DOT graph.
pub fn parse(text: &str) -> Result<Diagram> {
    let toks = Lexer {
        s: text.as_bytes(),
        i: 0,
        line: 1,
    }
    .tokens()?;
    let last_line = toks.last().map_or(1, |t| t.1);
    let mut p = Parser {
        toks,
        i: 0,
        d: Diagram::default(),
        index: BTreeMap::new(),
        directed: true,
        last_line,
    };
    p.graph()?;
    Ok(p.d)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.0)
    }

    fn line(&self) -> usize {
        self.toks.get(self.i).map_or(self.last_line, |t| t.1)
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the file".into(),
            Some(Tok::Id(s, _)) => format!("'{}'", s.chars().take(30).collect::<String>()),
            Some(Tok::Punct(c)) => format!("'{c}'"),
            Some(Tok::EdgeOp(d)) => {
                if *d {
                    "'->'".into()
                } else {
                    "'--'".into()
                }
            }
        }
    }

    fn expect(&mut self, c: char) -> Result<()> {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.i += 1;
            Ok(())
        } else {
            Err(err(
                self.line(),
                format!("expected '{c}', found {}", self.found()),
            ))
        }
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Id(s, false)) if s.eq_ignore_ascii_case(k))
    }

    fn graph(&mut self) -> Result<()> {
        if self.keyword("strict") {
            self.i += 1;
        }
        if self.keyword("digraph") {
            self.directed = true;
        } else if self.keyword("graph") {
            self.directed = false;
            self.d.guesses.push(
                "the graph is undirected: each `a -- b` is read as an arrow from a to b".into(),
            );
        } else {
            return Err(err(
                self.line(),
                format!("expected `digraph` or `graph`, found {}", self.found()),
            ));
        }
        self.i += 1;
        if matches!(self.peek(), Some(Tok::Id(..))) {
            self.i += 1;
        }
        self.expect('{')?;
        let mut defaults = Attrs::new();
        self.stmt_list(&mut defaults, 0)?;
        self.expect('}')?;
        if self.peek().is_some() {
            return Err(err(
                self.line(),
                format!(
                    "expected the end of the file after the graph's `}}`, found {}",
                    self.found()
                ),
            ));
        }
        Ok(())
    }

    /// Statements up to (not including) the closing `}`; returns the node keys they mention.
    fn stmt_list(&mut self, defaults: &mut Attrs, depth: usize) -> Result<Vec<String>> {
        let mut members = Vec::new();
        while !matches!(self.peek(), Some(Tok::Punct('}')) | None) {
            self.stmt(defaults, depth, &mut members)?;
            if self.peek() == Some(&Tok::Punct(';')) {
                self.i += 1;
            }
        }
        Ok(members)
    }

    fn stmt(
        &mut self,
        defaults: &mut Attrs,
        depth: usize,
        members: &mut Vec<String>,
    ) -> Result<()> {
        let line = self.line();
        if self.keyword("node")
            || self.keyword("edge")
            || (self.keyword("graph")
                && self
                    .toks
                    .get(self.i + 1)
                    .is_some_and(|t| t.0 == Tok::Punct('[')))
        {
            let is_node = self.keyword("node");
            self.i += 1;
            let attrs = self.attr_lists()?;
            if is_node {
                defaults.extend(attrs);
            }
            return Ok(());
        }
        // ID '=' ID (a graph attribute).
        if matches!(self.peek(), Some(Tok::Id(..)))
            && self
                .toks
                .get(self.i + 1)
                .is_some_and(|t| t.0 == Tok::Punct('='))
        {
            self.i += 2;
            return match self.peek() {
                Some(Tok::Id(..)) => {
                    self.i += 1;
                    Ok(())
                }
                _ => Err(err(
                    self.line(),
                    format!("expected a value after '=', found {}", self.found()),
                )),
            };
        }
        let mut ends = vec![self.operand(defaults, depth, line)?];
        let mut directed = Vec::new();
        while let Some(Tok::EdgeOp(d)) = self.peek().cloned() {
            self.i += 1;
            directed.push(d);
            ends.push(self.operand(defaults, depth, line)?);
        }
        let attrs = if self.peek() == Some(&Tok::Punct('[')) {
            self.attr_lists()?
        } else {
            Attrs::new()
        };
        if ends.len() == 1 {
            if let Operand::Node(key) = &ends[0] {
                self.node(key, &attrs, defaults, line);
            }
        } else {
            if self.directed && directed.iter().any(|d| !d) {
                return Err(err(line, "`--` in a digraph; use `->`"));
            }
            if !self.directed && directed.iter().any(|d| *d) {
                return Err(err(
                    line,
                    "`->` in an undirected graph; use `--` (or make it a `digraph`)",
                ));
            }
            for w in ends.windows(2) {
                for a in w[0].keys() {
                    for b in w[1].keys() {
                        self.d.links.push(DiagramLink {
                            from: a.clone(),
                            to: b.clone(),
                            place: format!("line {line}"),
                        });
                    }
                }
            }
        }
        for e in &ends {
            members.extend(e.keys().iter().cloned());
        }
        Ok(())
    }

    fn operand(&mut self, defaults: &Attrs, depth: usize, line: usize) -> Result<Operand> {
        if self.keyword("subgraph") || self.peek() == Some(&Tok::Punct('{')) {
            if depth >= MAX_DEPTH {
                return Err(err(
                    line,
                    format!("subgraphs nested more than {MAX_DEPTH} deep"),
                ));
            }
            let mut name = None;
            if self.keyword("subgraph") {
                self.i += 1;
                if let Some(Tok::Id(s, _)) = self.peek() {
                    name = Some(s.clone());
                    self.i += 1;
                }
            }
            self.expect('{')?;
            let mut inner = defaults.clone();
            let keys = self.stmt_list(&mut inner, depth + 1)?;
            self.expect('}')?;
            if let Some(n) = name {
                self.d.skipped.push(Skipped::new(
                    format!("line {line}"),
                    format!("subgraph '{n}'"),
                    "archsim has no zones or groups yet; its nodes are imported without it",
                    "nothing to do",
                ));
            }
            return Ok(Operand::Group(keys));
        }
        let Some(Tok::Id(key, _)) = self.peek().cloned() else {
            return Err(err(
                self.line(),
                format!("expected a node name, found {}", self.found()),
            ));
        };
        self.i += 1;
        // Ports: `a:p` or `a:p:n`.
        for _ in 0..2 {
            if self.peek() == Some(&Tok::Punct(':')) {
                self.i += 1;
                match self.peek() {
                    Some(Tok::Id(..)) => self.i += 1,
                    _ => {
                        return Err(err(
                            self.line(),
                            format!("expected a port name after ':', found {}", self.found()),
                        ));
                    }
                }
            }
        }
        self.node(&key, &Attrs::new(), defaults, line);
        Ok(Operand::Node(key))
    }

    fn attr_lists(&mut self) -> Result<Attrs> {
        let mut attrs = Attrs::new();
        while self.peek() == Some(&Tok::Punct('[')) {
            self.i += 1;
            while self.peek() != Some(&Tok::Punct(']')) {
                let Some(Tok::Id(k, _)) = self.peek().cloned() else {
                    return Err(err(
                        self.line(),
                        format!("expected an attribute name or ']', found {}", self.found()),
                    ));
                };
                self.i += 1;
                self.expect('=')?;
                let Some(Tok::Id(v, html)) = self.peek().cloned() else {
                    return Err(err(
                        self.line(),
                        format!("expected a value for `{k}`, found {}", self.found()),
                    ));
                };
                self.i += 1;
                attrs.insert(k.to_ascii_lowercase(), (v, html));
                if matches!(self.peek(), Some(Tok::Punct(',' | ';'))) {
                    self.i += 1;
                }
            }
            self.i += 1;
        }
        Ok(attrs)
    }

    /// Declares (or updates) node `key`: explicit attributes win over the defaults in scope.
    fn node(&mut self, key: &str, attrs: &Attrs, defaults: &Attrs, line: usize) {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.to_owned(), self.d.boxes.len());
                let mut b = DiagramBox {
                    key: key.to_owned(),
                    label: key.to_owned(),
                    place: format!("line {line}"),
                    ..DiagramBox::default()
                };
                apply(&mut b, defaults);
                self.d.boxes.push(b);
                self.d.boxes.len() - 1
            }
        };
        apply(&mut self.d.boxes[i], attrs);
    }
}

fn apply(b: &mut DiagramBox, attrs: &Attrs) {
    if let Some((l, html)) = attrs.get("label") {
        let l = l
            .replace("\\N", &b.key)
            .replace("\\n", " ")
            .replace("\\l", " ")
            .replace("\\r", " ");
        let l = if *html { plain(&l) } else { collapse(&l) };
        if !l.is_empty() {
            b.label = l;
        }
    }
    if let Some((s, _)) = attrs.get("shape") {
        b.shape = Some(s.clone());
    }
    if let Some((c, _)) = attrs.get("class") {
        b.classes = c.split_whitespace().map(str::to_owned).collect();
    }
    if let Some((p, _)) = attrs.get("pos") {
        let p = p.trim_end_matches('!');
        if let Some((x, y)) = p.split_once(',')
            && let (Ok(x), Ok(y)) = (x.trim().parse::<f32>(), y.trim().parse::<f32>())
            && x.is_finite()
            && y.is_finite()
        {
            // DOT's y grows upwards; the canvas's downwards. Points are a little small for the canvas.
            b.pos = Some((x * 1.5, -y * 1.5));
        }
    }
}

enum Operand {
    Node(String),
    Group(Vec<String>),
}

impl Operand {
    fn keys(&self) -> Vec<String> {
        match self {
            Operand::Node(k) => vec![k.clone()],
            Operand::Group(ks) => ks.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nodes_edges_and_defaults() {
        let d = parse(
            "digraph G {\n  rankdir=LR; node [shape=box]\n  db [label=\"Orders\" shape=cylinder pos=\"10,20!\"]\n  a -> {b c} -> db\n  // comment\n  b:p1 -> db [color=red]\n}\n",
        )
        .unwrap();
        let keys: Vec<&str> = d.boxes.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["db", "a", "b", "c"]);
        assert_eq!(d.boxes[0].shape.as_deref(), Some("cylinder"));
        assert_eq!(d.boxes[1].shape.as_deref(), Some("box"));
        assert_eq!(d.boxes[0].pos, Some((15.0, -30.0)));
        assert_eq!(d.links.len(), 5);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("digraph {\n a -> \n}\n").unwrap_err().0, "line 3");
        assert_eq!(
            parse("digraph {\n a [label=\"x]\n}").unwrap_err().0,
            "line 2"
        );
        assert_eq!(parse("digraph {\n a -- b\n}").unwrap_err().0, "line 2");
        assert!(parse("digraph { a").is_err());
    }
}
