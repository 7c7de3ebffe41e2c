//! Reading PicGo's loosely typed JSON: a value at a path, a non-empty string (numbers accepted
//! as text), a switch written as a boolean or as "true"/"false".

use serde_json::{Map, Value};

pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

pub(crate) fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    at(v, path).and_then(text)
}

pub(crate) fn str_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(text)
}

/// A non-empty trimmed string; numbers are accepted as text (an id written as a number).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// PicGo's forms store switches as booleans; hand-edited files sometimes say "true".
pub(crate) fn bool_field(obj: &Map<String, Value>, key: &str) -> Option<bool> {
    match obj.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}
