//! Excalidraw scenes (`.excalidraw` JSON, serde_json): rectangles, ellipses and diamonds are boxes; their
//! text is the text element bound to them (`containerId`) or, failing that, a free text lying inside
//! them; arrows connect the boxes they are bound to (`startBinding`/`endBinding`), or the boxes their
//! ends lie in.

use serde::Deserialize;

use super::diagram::{Diagram, DiagramBox, DiagramLink, Skipped};
use super::text::collapse;

type Result<T> = std::result::Result<T, (String, String)>;

/// How far outside a box an unbound arrow's end may stop and still count as touching it, px.
const SNAP_PX: f64 = 12.0;

#[derive(Deserialize)]
struct Scene {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    elements: Vec<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Element {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    is_deleted: bool,
    text: Option<String>,
    original_text: Option<String>,
    container_id: Option<String>,
    start_binding: Option<Binding>,
    end_binding: Option<Binding>,
    points: Vec<(f64, f64)>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Binding {
    element_id: String,
}

/// Parses an Excalidraw scene.
pub fn parse(text: &str) -> Result<Diagram> {
    let scene: Scene = serde_json::from_str(text).map_err(|e| {
        (
            format!("line {}, column {}", e.line(), e.column()),
            format!("this is not valid Excalidraw JSON: {e}"),
        )
    })?;
    if !scene.kind.is_empty() && scene.kind != "excalidraw" {
        return Err((
            "line 1".into(),
            format!(
                "has \"type\": \"{}\"; an Excalidraw scene has \"type\": \"excalidraw\"",
                scene.kind.chars().take(40).collect::<String>()
            ),
        ));
    }
    let mut els = Vec::new();
    for (i, v) in scene.elements.into_iter().enumerate() {
        let e: Element = serde_json::from_value(v).map_err(|e| {
            (
                format!("element #{}", i + 1),
                format!("is not an Excalidraw element: {e}"),
            )
        })?;
        if !e.is_deleted {
            els.push(e);
        }
    }
    let mut d = Diagram::default();
    let is_box = |e: &Element| matches!(e.kind.as_str(), "rectangle" | "ellipse" | "diamond");
    let inside = |b: &Element, x: f64, y: f64, margin: f64| {
        let (x0, x1) = (b.x.min(b.x + b.width), b.x.max(b.x + b.width));
        let (y0, y1) = (b.y.min(b.y + b.height), b.y.max(b.y + b.height));
        x >= x0 - margin && x <= x1 + margin && y >= y0 - margin && y <= y1 + margin
    };
    let text_of = |e: &Element| {
        collapse(
            e.text
                .as_deref()
                .or(e.original_text.as_deref())
                .unwrap_or(""),
        )
    };
    let mut used_text = vec![false; els.len()];
    for e in els.iter().filter(|e| is_box(e)) {
        let bound = els
            .iter()
            .position(|t| t.kind == "text" && t.container_id.as_deref() == Some(e.id.as_str()));
        // A free text whose centre lies in the box (drawn on top rather than bound).
        let free = || {
            els.iter().position(|t| {
                t.kind == "text"
                    && t.container_id.is_none()
                    && inside(e, t.x + t.width / 2.0, t.y + t.height / 2.0, 0.0)
            })
        };
        let label = match bound.or_else(free) {
            Some(i) => {
                used_text[i] = true;
                text_of(&els[i])
            }
            None => String::new(),
        };
        d.boxes.push(DiagramBox {
            key: e.id.clone(),
            label,
            shape: Some(e.kind.clone()),
            icon: None,
            classes: Vec::new(),
            pos: Some(((e.x + e.width / 2.0) as f32, (e.y + e.height / 2.0) as f32)),
            place: format!("element '{}'", e.id),
        });
    }
    let boxes: Vec<&Element> = els.iter().filter(|e| is_box(e)).collect();
    for (i, e) in els.iter().enumerate() {
        let place = format!("element '{}'", e.id);
        match e.kind.as_str() {
            "arrow" | "line" => {
                let end_at = |k: usize| e.points.get(k).map(|p| (e.x + p.0, e.y + p.1));
                let find = |b: &Option<Binding>, k: usize| -> Option<String> {
                    if let Some(b) = b
                        && boxes.iter().any(|x| x.id == b.element_id)
                    {
                        return Some(b.element_id.clone());
                    }
                    let (x, y) = end_at(k)?;
                    boxes
                        .iter()
                        .find(|bx| inside(bx, x, y, SNAP_PX))
                        .map(|bx| bx.id.clone())
                };
                let last = e.points.len().saturating_sub(1);
                match (find(&e.start_binding, 0), find(&e.end_binding, last)) {
                    (Some(from), Some(to)) => d.links.push(DiagramLink {
                        from,
                        to,
                        place: place.clone(),
                    }),
                    (from, _) => d.skipped.push(Skipped::new(
                        &place,
                        format!("{} '{}'", e.kind, e.id),
                        format!(
                            "its {} is not bound to a box and does not touch one",
                            if from.is_none() { "start" } else { "end" }
                        ),
                        "in Excalidraw, drag the arrow's end onto a box until the box highlights",
                    )),
                }
                if e.kind == "line" {
                    d.guesses.push(format!("{place}: a line (no arrowhead) read as an arrow from its first point to its last"));
                }
            }
            "text" if !used_text[i] && e.container_id.is_none() => d.skipped.push(Skipped::new(
                place,
                format!("text '{}'", text_of(e)),
                "free text outside every box",
                "to import it, put it inside a box (double-click the box and type)",
            )),
            "text" => {}
            k if is_box(e) => {
                let _ = k;
            }
            other => d.skipped.push(Skipped::new(
                place,
                format!("{other} '{}'", e.id),
                format!("a {other} is not a box"),
                "draw components as rectangles, ellipses or diamonds",
            )),
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_and_unbound() {
        let d = parse(
            r#"{"type":"excalidraw","elements":[
 {"id":"a","type":"rectangle","x":0,"y":0,"width":100,"height":50},
 {"id":"t","type":"text","x":10,"y":10,"width":50,"height":20,"text":"Redis","containerId":"a"},
 {"id":"b","type":"rectangle","x":300,"y":0,"width":100,"height":50},
 {"id":"t2","type":"text","x":310,"y":10,"width":50,"height":20,"text":"API"},
 {"id":"r","type":"arrow","x":100,"y":25,"points":[[0,0],[200,0]],"startBinding":{"elementId":"a"}},
 {"id":"z","type":"arrow","x":900,"y":25,"points":[[0,0],[200,0]]},
 {"id":"gone","type":"rectangle","isDeleted":true}
]}"#,
        )
        .unwrap();
        assert_eq!(d.boxes.len(), 2);
        assert_eq!(
            (d.boxes[0].label.as_str(), d.boxes[1].label.as_str()),
            ("Redis", "API")
        );
        assert_eq!(d.links.len(), 1);
        assert_eq!(
            (d.links[0].from.as_str(), d.links[0].to.as_str()),
            ("a", "b")
        );
        assert_eq!(d.skipped.len(), 1);
    }

    #[test]
    fn bad_json_names_line() {
        let e = parse("{\n \"elements\": [\n  {\"id\": 3}\n]}").unwrap_err();
        assert_eq!(e.0, "element #1");
        let e = parse("{\n \"elements\": [,]}").unwrap_err();
        assert!(e.0.starts_with("line 2"), "{e:?}");
    }
}
