//! Mermaid: `flowchart`/`graph` and `architecture-beta`, by hand (the grammar needed is small). A Markdown
//! fence around the block and YAML front matter are allowed; line numbers in errors are the file's.

mod architecture;
mod flowchart;

use super::diagram::Diagram;
use architecture::Arch;
use flowchart::Flow;

type Result<T> = std::result::Result<T, (String, String)>;

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
