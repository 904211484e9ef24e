//! `--set NODE.FIELD=VALUE`: change any numeric or enum parameter of a node, checked like the file.

use serde_json::Value;

use super::{Node, NodeKind, Scenario, ScenarioError};

/// Applies one override such as `api.replicas=4`, `api.service_time_ms.mean=12`, `lb.policy=PowerOfTwo`
/// or `db.read_time_ms=Exponential(mean: 3)`. The result still needs [`super::validate`].
pub fn apply_override(scenario: &mut Scenario, spec: &str) -> Result<(), ScenarioError> {
    let err = |message: String| ScenarioError::Override {
        spec: spec.to_owned(),
        message,
    };
    let (path, value) = spec
        .split_once('=')
        .ok_or_else(|| err("expected NODE.FIELD=VALUE".into()))?;
    let (node_id, field) = path
        .split_once('.')
        .ok_or_else(|| err("expected NODE.FIELD=VALUE (no '.' between node and field)".into()))?;
    let known: Vec<String> = scenario.nodes.iter().map(|n| n.id.clone()).collect();
    if node_id.trim() == "topology" && scenario.node("topology").is_none() {
        return set_topology(scenario, field.trim(), value.trim()).map_err(err);
    }
    if field.trim() == "zone" {
        let node = scenario
            .node_mut(node_id.trim())
            .ok_or_else(|| err(format!("no node '{node_id}' (nodes: {})", known.join(", "))))?;
        let v = value.trim().trim_matches('"');
        node.zone = (!v.is_empty() && v != "none").then(|| v.to_owned());
        return Ok(());
    }
    let node = scenario
        .node_mut(node_id.trim())
        .ok_or_else(|| err(format!("no node '{node_id}' (nodes: {})", known.join(", "))))?;
    set_field(node, field.trim(), value.trim()).map_err(err)
}

/// `topology.cross_zone_ms=1`: a number of the topology (which must exist).
fn set_topology(s: &mut Scenario, field: &str, value: &str) -> Result<(), String> {
    let t = s
        .topology
        .as_mut()
        .ok_or("the scenario has no topology to change")?;
    let v: f64 = value
        .parse()
        .map_err(|_| format!("field `topology.{field}`: '{value}' is not a number"))?;
    match field {
        "cross_zone_ms" => t.cross_zone_ms = v,
        "cross_region_ms" => t.cross_region_ms = v,
        _ => {
            return Err(format!(
                "the topology has no number '{field}' (numbers: cross_zone_ms, cross_region_ms)"
            ));
        }
    }
    Ok(())
}

fn set_field(node: &mut Node, field: &str, value: &str) -> Result<(), String> {
    let mut json = serde_json::to_value(&node.kind).map_err(|e| e.to_string())?;
    // `{"Service": {...}}`: step inside the variant.
    let params = json
        .as_object_mut()
        .and_then(|o| o.values_mut().next())
        .ok_or("node kind has no parameters")?;
    let parts: Vec<&str> = field.split('.').collect();
    // Fields left out of a saved file when at their default: put the default back so they can be set.
    if let (Value::Object(o), [only]) = (&mut *params, parts.as_slice())
        && !o.contains_key(*only)
        && let Some(default) = omitted_default(only)
    {
        o.insert((*only).to_owned(), default);
    }
    // A field inside an option that is off (`gw.limit.rate_rps=20` on a gateway without a limit): the
    // option starts from its defaults, then takes the value.
    if let (Value::Object(o), [first, _, ..]) = (&mut *params, parts.as_slice())
        && o.get(*first).is_none_or(Value::is_null)
        && let Some(default) = option_default(first)
    {
        o.insert((*first).to_owned(), default);
    }
    // What the error below lists: the fields as they stand, the defaults put back above included.
    let shown = json.clone();
    let mut slot = json
        .as_object_mut()
        .and_then(|o| o.values_mut().next())
        .ok_or("node kind has no parameters")?;
    for (i, part) in parts.iter().enumerate() {
        slot = descend(slot, part).ok_or_else(|| {
            let here = parts[..i].join(".");
            format!(
                "'{}' has no field '{part}' (fields: {})",
                if here.is_empty() {
                    node.id.clone()
                } else {
                    format!("{}.{here}", node.id)
                },
                field_names(slot_clone(&shown, &parts[..i]).as_ref())
            )
        })?;
    }
    // Value problems use the same `node 'x', field `y`: ...` shape as validation.
    let place = |m: String| format!("node '{}', field `{field}`: {m}", node.id);
    *slot = parse_value(value, slot, parts[parts.len() - 1]).map_err(place)?;
    let kind: NodeKind = serde_json::from_value(json)
        .map_err(|e| place(format!("value '{value}' does not fit: {e}")))?;
    node.kind = kind;
    Ok(())
}

/// The default of a field a saved file leaves out when at its default (`--set` may still set it).
fn omitted_default(field: &str) -> Option<Value> {
    match field {
        "idempotency"
        | "visibility_timeout_ms"
        | "writes"
        | "topic"
        | "limit"
        | "auth_cache_ttl_s" => Some(Value::Null),
        "side_effects" => Some(Value::Bool(false)),
        "max_deliveries" => Some(Value::from(super::DEFAULT_MAX_DELIVERIES)),
        _ => None,
    }
}

/// The defaults of an optional setting whose fields `--set` may set one by one while it is off.
fn option_default(field: &str) -> Option<Value> {
    match field {
        // A gateway's per-key limit.
        "limit" => serde_json::to_value(super::RateLimiterParams::default()).ok(),
        _ => None,
    }
}

fn slot_clone(root: &Value, parts: &[&str]) -> Option<Value> {
    let mut v = root.as_object()?.values().next()?.clone();
    for p in parts {
        v = descend(&mut v, p)?.clone();
    }
    Some(v)
}

fn field_names(v: Option<&Value>) -> String {
    match v.map(unwrap_variant) {
        Some(Value::Object(o)) => o.keys().cloned().collect::<Vec<_>>().join(", "),
        _ => "none".into(),
    }
}

fn unwrap_variant(v: &Value) -> &Value {
    match v {
        Value::Object(o) if o.len() == 1 && o.keys().all(|k| k.starts_with(char::is_uppercase)) => {
            o.values().next().unwrap_or(v)
        }
        _ => v,
    }
}

/// One step down: into an object field, through an enum variant wrapper (`{"Exponential": {"mean": ..}}`).
fn descend<'a>(v: &'a mut Value, part: &str) -> Option<&'a mut Value> {
    let Value::Object(o) = v else { return None };
    if o.contains_key(part) {
        return o.get_mut(part);
    }
    if o.len() == 1 && o.keys().all(|k| k.starts_with(char::is_uppercase)) {
        return descend(o.values_mut().next()?, part);
    }
    None
}

/// A number, `true`/`false`, `none`, a unit variant name, or a RON value such as `Exponential(mean: 3)`.
/// `old` is the value being replaced: it tells a count (unsigned integer) from a float.
fn parse_value(text: &str, old: &Value, field: &str) -> Result<Value, String> {
    if let Ok(x) = text.parse::<f64>() {
        if !x.is_finite() {
            return Err(format!("value '{text}' is not a finite number"));
        }
        // Counts (replicas, workers...) are unsigned integers, and serde_json will not read 4.0 as one: hand
        // over an integer, and say plainly why -1 or 2.5 cannot be a count.
        if old.is_u64() {
            if x < 0.0 || x.fract() != 0.0 {
                return Err(format!("is {text}; a count must be a whole number >= 0"));
            }
            if x > f64::from(u32::MAX) {
                return Err(format!("is {text}; a count must be at most {}", u32::MAX));
            }
            return Ok(Value::from(x as u64));
        }
        return Ok(serde_json::Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    match text {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        // `None` is also a variant name (`jitter: None`): over a variant it is that variant.
        "None" if old.is_string() => return Ok(Value::String(text.to_owned())),
        "none" | "None" => return Ok(Value::Null),
        _ => {}
    }
    if text.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Ok(Value::String(text.to_owned()));
    }
    // Structured values: parse as RON into a Dist, an Arrival, a retry policy or a retry budget.
    let opts = ron::Options::default();
    if let Ok(d) = opts.from_str::<super::Dist>(text) {
        return serde_json::to_value(d).map_err(|e| e.to_string());
    }
    if let Ok(a) = opts.from_str::<super::Arrival>(text) {
        return serde_json::to_value(a).map_err(|e| e.to_string());
    }
    let opts = super::io::ron_options();
    if field == "idempotency" {
        if let Ok(k) = opts.from_str::<super::Idempotency>(text) {
            return serde_json::to_value(k).map_err(|e| e.to_string());
        }
    } else if field == "policy"
        && let Ok(w) = opts.from_str::<super::WritePolicy>(text)
    {
        return serde_json::to_value(w).map_err(|e| e.to_string());
    } else if field == "writes"
        && let Ok(w) = opts.from_str::<super::CacheWrites>(text)
    {
        return serde_json::to_value(w).map_err(|e| e.to_string());
    } else if field == "topic"
        && let Ok(t) = opts.from_str::<super::Topic>(text)
    {
        return serde_json::to_value(t).map_err(|e| e.to_string());
    } else if field == "limit"
        && let Ok(l) = opts.from_str::<super::RateLimiterParams>(text)
    {
        return serde_json::to_value(l).map_err(|e| e.to_string());
    } else if field == "budget" {
        if let Ok(b) = opts.from_str::<super::RetryBudget>(text) {
            return serde_json::to_value(b).map_err(|e| e.to_string());
        }
    } else if let Ok(r) = opts.from_str::<super::RetryPolicy>(text) {
        return serde_json::to_value(r).map_err(|e| e.to_string());
    }
    Err(format!(
        "cannot read value '{text}': expected a number, a name, or e.g. Exponential(mean: 5.0)"
    ))
}
