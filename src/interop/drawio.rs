//! draw.io / diagrams.net files (`.drawio`, `.xml`): an `mxfile` whose `diagram` pages hold an
//! `mxGraphModel` either as XML or compressed (base64 of raw DEFLATE of the URL-encoded XML), or a bare
//! `mxGraphModel`. XML through quick-xml; cells are read from `mxCell` (wrapped or not in `object` /
//! `UserObject`) and their `mxGeometry`.

use std::collections::BTreeMap;

use base64::Engine as _;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
use super::text::{decode_entities, line_col, plain};

type Result<T> = std::result::Result<T, (String, String)>;

/// Largest inflated page accepted, bytes (a bound on a compressed page, so a deflate bomb stops early).
const MAX_INFLATED_BYTES: usize = 16 * 1024 * 1024;
/// Deepest element nesting read.
const MAX_DEPTH: usize = 256;

#[derive(Default, Debug)]
struct Cell {
    id: String,
    value: String,
    style: String,
    vertex: bool,
    edge: bool,
    parent: String,
    source: String,
    target: String,
    geo: Option<(f32, f32, f32, f32)>,
    line: usize,
}

/// Parses a draw.io file.
pub fn parse(text: &str) -> Result<Diagram> {
    let mut pages: Vec<(String, Option<String>)> = Vec::new();
    let cells = read_xml(text, "", &mut pages)?;
    let mut d = Diagram::default();
    let cells = if !cells.is_empty() {
        cells
    } else if let Some((name, payload)) = pages.first() {
        match payload {
            Some(p) => {
                let xml = decompress(p).map_err(|m| (format!("diagram '{name}'"), m))?;
                let mut inner = Vec::new();
                read_xml(
                    &xml,
                    &format!("diagram '{name}' (compressed), "),
                    &mut inner,
                )?
            }
            None => Vec::new(),
        }
    } else {
        return Err((
            "line 1".into(),
            "has no <diagram> page and no <mxGraphModel>; is this a draw.io file?".into(),
        ));
    };
    for (name, _) in pages.iter().skip(1) {
        d.skipped.push(Skipped::new(
            format!("diagram '{name}'"),
            format!("page '{name}'"),
            "only the first page of a draw.io file is imported",
            "move the page first in draw.io, or export it alone",
        ));
    }
    cells_to_diagram(cells, &mut d);
    Ok(d)
}

/// Reads cells (and, at the top level, the `diagram` pages with their compressed payloads) from XML.
fn read_xml(
    text: &str,
    prefix: &str,
    pages: &mut Vec<(String, Option<String>)>,
) -> Result<Vec<Cell>> {
    let mut r = Reader::from_str(text);
    let mut cells: Vec<Cell> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    // Label and id from an enclosing <object>/<UserObject>.
    let mut wrapper: Option<(String, String, usize)> = None;
    let mut page_text: Option<String> = None;
    let place = |offset: u64| {
        let (l, c) = line_col(text, offset as usize);
        format!("{prefix}line {l}, column {c}")
    };
    loop {
        let offset = r.buffer_position();
        let ev = r.read_event().map_err(|e| {
            (
                place(r.error_position()),
                format!("this is not well-formed XML: {e}"),
            )
        })?;
        let line = line_col(text, offset as usize).0;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.len() > MAX_DEPTH {
                    return Err((
                        place(offset),
                        format!("elements nested more than {MAX_DEPTH} deep"),
                    ));
                }
                let a = attrs(e);
                match name.as_str() {
                    "diagram" if prefix.is_empty() => {
                        let n = a
                            .get("name")
                            .or(a.get("id"))
                            .cloned()
                            .unwrap_or_else(|| format!("page {}", pages.len() + 1));
                        pages.push((n, None));
                        page_text = (!empty).then(String::new);
                    }
                    "object" | "UserObject" => {
                        let id = a.get("id").cloned().unwrap_or_default();
                        let label = a.get("label").cloned().unwrap_or_default();
                        wrapper = Some((id, label, stack.len()));
                    }
                    "mxCell" => {
                        let mut c = Cell {
                            id: a.get("id").cloned().unwrap_or_default(),
                            value: a.get("value").cloned().unwrap_or_default(),
                            style: a.get("style").cloned().unwrap_or_default(),
                            vertex: a.get("vertex").is_some_and(|v| v == "1"),
                            edge: a.get("edge").is_some_and(|v| v == "1"),
                            parent: a.get("parent").cloned().unwrap_or_default(),
                            source: a.get("source").cloned().unwrap_or_default(),
                            target: a.get("target").cloned().unwrap_or_default(),
                            geo: None,
                            line,
                        };
                        if let Some((id, label, _)) = &wrapper {
                            if c.id.is_empty() {
                                c.id = id.clone();
                            }
                            if c.value.is_empty() {
                                c.value = label.clone();
                            }
                        }
                        cells.push(c);
                    }
                    "mxGeometry" if stack.last().is_some_and(|p| p == "mxCell") => {
                        let num = |k: &str| {
                            a.get(k)
                                .and_then(|v| v.parse::<f32>().ok())
                                .filter(|v| v.is_finite())
                                .unwrap_or(0.0)
                        };
                        if let Some(c) = cells.last_mut() {
                            c.geo = Some((num("x"), num("y"), num("width"), num("height")));
                        }
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(name);
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                if name == "diagram"
                    && let Some(t) = page_text.take()
                    && let Some(p) = pages.last_mut()
                    && !t.trim().is_empty()
                {
                    p.1 = Some(t);
                }
                if matches!(name.as_str(), "object" | "UserObject") {
                    wrapper = None;
                } else if wrapper.as_ref().is_some_and(|w| stack.len() < w.2) {
                    wrapper = None;
                }
            }
            Event::Text(t) => {
                if let Some(pt) = &mut page_text {
                    pt.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Event::CData(t) => {
                if let Some(pt) = &mut page_text {
                    pt.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err((
            place(text.len() as u64),
            format!("the file ends inside <{open}> (it is cut off?)"),
        ));
    }
    Ok(cells)
}

fn attrs(e: &BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            (
                String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                decode_entities(&String::from_utf8_lossy(&a.value)),
            )
        })
        .collect()
}

/// draw.io's compressed page: base64, then raw DEFLATE, then URL (percent) encoding.
pub fn decompress(payload: &str) -> std::result::Result<String, String> {
    let clean: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .map_err(|e| format!("the compressed page is not valid base64 ({e})"))?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&raw, MAX_INFLATED_BYTES)
        .map_err(|e| {
            format!("the compressed page does not inflate (raw DEFLATE expected): {e:?}")
        })?;
    let text = String::from_utf8_lossy(&inflated);
    percent_decode(&text)
        .ok_or_else(|| "the inflated page is not valid URL-encoded UTF-8".to_owned())
}

/// The inverse of draw.io's compression, for tests and examples.
pub fn compress(xml: &str) -> String {
    let encoded = percent_encode(xml);
    let deflated = miniz_oxide::deflate::compress_to_vec(encoded.as_bytes(), 9);
    base64::engine::general_purpose::STANDARD.encode(deflated)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else if b[i] == b'%' {
            return None;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX` of its UTF-8 bytes.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value of `key` in a draw.io style (`rounded=1;shape=cylinder3;`), or the bare first token for
/// `key` "" (`ellipse;whiteSpace=wrap`).
fn style_get<'a>(style: &'a str, key: &str) -> Option<&'a str> {
    for part in style.split(';') {
        match part.split_once('=') {
            Some((k, v)) if k.trim() == key => return Some(v.trim()),
            None if key.is_empty() && !part.trim().is_empty() => return Some(part.trim()),
            _ => {}
        }
    }
    None
}

fn cells_to_diagram(cells: Vec<Cell>, d: &mut Diagram) {
    let by_id: BTreeMap<&str, &Cell> = cells.iter().map(|c| (c.id.as_str(), c)).collect();
    // Absolute top-left of a vertex: its geometry plus its containers' (cells inside groups are relative).
    let origin = |c: &Cell| {
        let (mut x, mut y) = (0.0, 0.0);
        let mut p = by_id.get(c.parent.as_str());
        for _ in 0..MAX_DEPTH {
            let Some(parent) = p else { break };
            if !parent.vertex {
                break;
            }
            if let Some(g) = parent.geo {
                x += g.0;
                y += g.1;
            }
            p = by_id.get(parent.parent.as_str());
        }
        (x, y)
    };
    for c in &cells {
        let place = format!("element '{}' (line {})", c.id, c.line);
        if c.vertex {
            if by_id.get(c.parent.as_str()).is_some_and(|p| p.edge) {
                continue; // a label on an arrow
            }
            let label = plain(&c.value);
            let first = style_get(&c.style, "").unwrap_or("");
            let container = first == "group"
                || first.starts_with("swimlane")
                || style_get(&c.style, "container") == Some("1")
                || cells
                    .iter()
                    .any(|o| o.parent == c.id && o.vertex && !o.id.is_empty());
            if container {
                d.skipped.push(Skipped::new(
                    place,
                    format!(
                        "container '{}'",
                        if label.is_empty() { &c.id } else { &label }
                    ),
                    "archsim has no zones or groups yet; the boxes inside are imported without it",
                    "nothing to do",
                ));
                continue;
            }
            if first == "text" || first.starts_with("edgeLabel") {
                d.skipped.push(Skipped::new(
                    place,
                    format!("text '{label}'"),
                    "free-standing text, not a box",
                    "to import it, draw it as a box",
                ));
                continue;
            }
            let shape = style_get(&c.style, "shape")
                .map(str::to_owned)
                .or_else(|| (!first.is_empty() && !first.contains('=')).then(|| first.to_owned()));
            let icon = style_get(&c.style, "resIcon").map(str::to_owned);
            let (ox, oy) = origin(c);
            let pos = c.geo.map(|g| (ox + g.0 + g.2 / 2.0, oy + g.1 + g.3 / 2.0));
            d.boxes.push(DiagramBox {
                key: c.id.clone(),
                label,
                shape,
                icon,
                classes: Vec::new(),
                pos,
                place,
            });
        } else if c.edge {
            if c.source.is_empty() || c.target.is_empty() {
                d.skipped.push(Skipped::new(
                    place,
                    format!("arrow '{}'", c.id),
                    format!(
                        "is not connected at its {}",
                        if c.source.is_empty() { "start" } else { "end" }
                    ),
                    "drag the arrow's end onto a box in draw.io so it snaps to it",
                ));
                continue;
            }
            d.links.push(DiagramLink {
                from: c.source.clone(),
                to: c.target.clone(),
                place,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_round_trips() {
        let xml = "<mxGraphModel><root><mxCell id=\"0\"/></root></mxGraphModel> é%";
        assert_eq!(decompress(&compress(xml)).unwrap(), xml);
        assert!(decompress("!!!").is_err());
        assert!(decompress("AAAA").is_err());
    }

    #[test]
    fn cells_in_groups_are_absolute() {
        let d = parse(
            r#"<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>
<mxCell id="g" value="VPC" style="group" vertex="1" parent="1"><mxGeometry x="100" y="100" width="300" height="200" as="geometry"/></mxCell>
<mxCell id="a" value="&lt;b&gt;Redis&lt;/b&gt;" style="rounded=1;html=1" vertex="1" parent="g"><mxGeometry x="10" y="20" width="120" height="60" as="geometry"/></mxCell>
<mxCell id="e" edge="1" source="a" parent="1"/>
</root></mxGraphModel>"#,
        )
        .unwrap();
        assert_eq!(d.boxes.len(), 1);
        assert_eq!(d.boxes[0].label, "Redis");
        assert_eq!(d.boxes[0].pos, Some((170.0, 150.0)));
        assert_eq!(d.skipped.len(), 2);
    }

    #[test]
    fn bad_xml_names_line() {
        let e = parse("<mxfile>\n<diagram>\n</mxfile>").unwrap_err();
        assert!(e.0.starts_with("line 3"), "{e:?}");
    }
}
