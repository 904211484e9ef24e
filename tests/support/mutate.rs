//! Shared by `tests/import_fuzz.rs` (a quick slice in `cargo test`) and `examples/fuzz_import.rs` (the long
//! run): deterministic mutations of real diagram files, and the properties every import must keep.

use archsim::interop::{self, Format};

/// The seed corpus: every hand-written file, with its format.
pub const CORPUS: &[(&str, Format)] = &[
    ("tests/import/checkout.mmd", Format::Mermaid),
    ("tests/import/design-doc.md", Format::Mermaid),
    ("tests/import/shop.drawio", Format::Drawio),
    ("tests/import/shop-page.xml", Format::Drawio),
    ("tests/import/whiteboard.excalidraw", Format::Excalidraw),
    ("tests/import/pipeline.dot", Format::Dot),
];

/// Pieces of each syntax, spliced in to reach deeper paths than random bytes do.
const TOKENS: &[&str] = &[
    "-->",
    "---",
    "-.->",
    "==>",
    "<-->",
    "|x|",
    "[(",
    ")]",
    "((",
    "{{",
    "@{ shape: cyl }",
    ":::db",
    "&",
    ";",
    "subgraph s",
    "end",
    "junction j",
    "service s(server)[S]",
    "group g(cloud)[G]",
    ":R -- L:",
    "%%",
    "```",
    "<mxCell id=\"z\" vertex=\"1\" parent=\"1\">",
    "</mxCell>",
    "<object label=\"x\">",
    "&#",
    "&amp;",
    "<![CDATA[",
    "]]>",
    "<diagram>",
    "\"elementId\":",
    "{\"id\":",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "null",
    "1e309",
    "-1",
    "->",
    "--",
    "subgraph {",
    "node [shape=cylinder]",
    "<<b>x</b>>",
    "/*",
    "#",
    "\\\"",
    "\n",
    "\u{0}",
    "é",
    "\u{feff}",
];

/// SplitMix64: a tiny deterministic generator (no dependency, same sequence everywhere).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One to four random edits of `input`: byte changes, deletions, duplications, truncation, token splices.
pub fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let n = b.len().max(1);
        match rng.below(6) {
            0 => {
                let i = rng.below(n);
                if i < b.len() {
                    b[i] = rng.next() as u8;
                }
            }
            1 => {
                let i = rng.below(n);
                let j = (i + 1 + rng.below(64)).min(b.len());
                if i < j {
                    b.drain(i..j);
                }
            }
            2 => {
                let i = rng.below(n);
                let j = (i + 1 + rng.below(128)).min(b.len());
                if i < j {
                    let piece = b[i..j].to_vec();
                    let at = rng.below(b.len() + 1);
                    b.splice(at..at, piece);
                }
            }
            3 => b.truncate(rng.below(n)),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = rng.below(b.len() + 1);
                b.splice(at..at, t.iter().copied());
            }
        }
    }
    b
}

/// Imports `bytes` (as text) and checks what must always hold: no panic; an error names a place inside
/// the file and says something; a result's scenario survives a RON round trip and its account prints.
pub fn check(format: Option<Format>, file: &str, bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    match interop::import(format, &text, file) {
        Err(e) => {
            if e.place.is_empty() || e.message.is_empty() {
                return Err(format!("error without place or message: {e:?}"));
            }
            if let Some(rest) = e
                .place
                .strip_prefix("line ")
                .or_else(|| e.place.split(", line ").nth(1))
            {
                let n: usize = rest
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap_or("")
                    .parse()
                    .map_err(|_| format!("bad line in {e}"))?;
                let lines = text.lines().count().max(1) + 1;
                if n == 0 || (!e.place.contains("compressed") && n > lines) {
                    return Err(format!("line {n} is outside the file ({lines} lines): {e}"));
                }
            }
            Ok(())
        }
        Ok(i) => {
            let ron = archsim::model::to_string(&i.scenario);
            let back = archsim::model::parse(&ron, "round trip")
                .map_err(|e| format!("RON round trip: {e}"))?;
            if back != i.scenario {
                return Err("RON round trip changed the scenario".into());
            }
            let _ = i.summary();
            Ok(())
        }
    }
}
