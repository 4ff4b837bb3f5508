//! Conversions between `serde_json::Value` (the one value type the rest of
//! mcpctl sees) and the file formats: JSON text in the file's own layout,
//! the jsonc-parser AST, and toml_edit items.

use serde_json::{Map, Value};
use toml_edit::{Array, InlineTable, Item, Table};

/// How a JSON value is laid out when written.
#[derive(Debug, Clone, Copy)]
pub(super) enum Layout<'a> {
    /// One member per line, like `JSON.stringify(v, null, indent)`. Inner
    /// lines start with `base` plus one `unit` per level; the closing bracket
    /// is at `base`.
    Multiline {
        base: &'a str,
        unit: &'a str,
        newline: &'a str,
    },
    /// On one line: `{"a": 1, "b": [2, 3]}`.
    Compact,
}

/// JSON text for `value` in `layout`. Never emits comments or trailing
/// commas, so the result is valid strict JSON.
pub(super) fn render_json(value: &Value, layout: Layout<'_>) -> String {
    let mut out = String::new();
    match layout {
        Layout::Multiline {
            base,
            unit,
            newline,
        } => write_multiline(&mut out, value, &mut base.to_string(), unit, newline),
        Layout::Compact => write_compact(&mut out, value),
    }
    out
}

fn write_multiline(out: &mut String, value: &Value, indent: &mut String, unit: &str, nl: &str) {
    let outer_len = indent.len();
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            indent.push_str(unit);
            for (n, (key, item)) in map.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(nl);
                out.push_str(indent);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_multiline(out, item, indent, unit, nl);
            }
            indent.truncate(outer_len);
            out.push_str(nl);
            out.push_str(indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            indent.push_str(unit);
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(nl);
                out.push_str(indent);
                write_multiline(out, item, indent, unit, nl);
            }
            indent.truncate(outer_len);
            out.push_str(nl);
            out.push_str(indent);
            out.push(']');
        }
        _ => write_compact(out, value),
    }
}

fn write_compact(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (n, (key, item)) in map.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_compact(out, item);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        // Display of a scalar Value is its compact JSON text.
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Converts a jsonc-parser AST value. Numbers are kept exactly when they fit
/// serde_json's `Number`, otherwise (never for validated input) as text.
pub(super) fn from_jsonc_ast(value: &jsonc_parser::ast::Value<'_>) -> Value {
    use jsonc_parser::ast::Value as Ast;
    match value {
        Ast::StringLit(s) => Value::String(s.value.to_string()),
        Ast::NumberLit(n) => n
            .value
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::String(n.value.to_string()), Value::Number),
        Ast::BooleanLit(b) => Value::Bool(b.value),
        Ast::NullKeyword(_) => Value::Null,
        Ast::Array(a) => Value::Array(a.elements.iter().map(from_jsonc_ast).collect()),
        Ast::Object(o) => Value::Object(
            o.properties
                .iter()
                .map(|p| (p.name.as_str().to_string(), from_jsonc_ast(&p.value)))
                .collect(),
        ),
    }
}

/// Converts a TOML item. Datetimes become their TOML text; floats that JSON
/// cannot hold (`nan`, `inf`) become strings.
pub(super) fn from_toml_item(item: &Item) -> Value {
    match item {
        Item::None => Value::Null,
        Item::Value(value) => from_toml_value(value),
        Item::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| (k.to_string(), from_toml_item(v)))
                .collect(),
        ),
        Item::ArrayOfTables(tables) => Value::Array(
            tables
                .iter()
                .map(|t| {
                    Value::Object(
                        t.iter()
                            .map(|(k, v)| (k.to_string(), from_toml_item(v)))
                            .collect(),
                    )
                })
                .collect(),
        ),
    }
}

fn from_toml_value(value: &toml_edit::Value) -> Value {
    use toml_edit::Value as T;
    match value {
        T::String(s) => Value::String(s.value().clone()),
        T::Integer(i) => Value::from(*i.value()),
        T::Float(f) => serde_json::Number::from_f64(*f.value())
            .map_or_else(|| Value::String(f.value().to_string()), Value::Number),
        T::Boolean(b) => Value::Bool(*b.value()),
        T::Datetime(d) => Value::String(d.value().to_string()),
        T::Array(a) => Value::Array(a.iter().map(from_toml_value).collect()),
        T::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), from_toml_value(v)))
                .collect(),
        ),
    }
}

/// A JSON value with no TOML counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unrepresentable {
    /// Where in the written value, keys joined with `.`.
    pub key_path: String,
    pub reason: &'static str,
}

/// A string with line breaks as a one-line basic string (`"a\\nb"`).
/// toml_edit would write a multi-line `"""` string, whose raw line breaks
/// become CRLF when the edit is spliced into a CRLF file — changing the
/// value.
fn single_line_string(s: &str) -> toml_edit::Value {
    let mut text = String::with_capacity(s.len() + 2);
    text.push('"');
    for c in s.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            '\t' => text.push_str("\\t"),
            c if c.is_control() => text.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => text.push(c),
        }
    }
    text.push('"');
    text.parse()
        .expect("an escaped basic string is a TOML value")
}

/// Converts a JSON value to a TOML value (objects become inline tables).
/// `path` names the value for errors.
pub(super) fn to_toml_value(
    value: &Value,
    path: &mut Vec<String>,
) -> Result<toml_edit::Value, Unrepresentable> {
    let unrepresentable = |path: &Vec<String>, reason| Unrepresentable {
        key_path: path.join("."),
        reason,
    };
    Ok(match value {
        Value::Null => return Err(unrepresentable(path, "TOML has no null")),
        Value::Bool(b) => (*b).into(),
        Value::String(s) if s.contains(['\n', '\r']) => single_line_string(s),
        Value::String(s) => s.as_str().into(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.into(),
            (None, _) if n.is_u64() => {
                return Err(unrepresentable(
                    path,
                    "the integer is larger than TOML's 64-bit signed range",
                ));
            }
            (None, Some(f)) => f.into(),
            (None, None) => return Err(unrepresentable(path, "the number has no TOML form")),
        },
        Value::Array(items) => {
            let mut array = Array::new();
            for (n, item) in items.iter().enumerate() {
                path.push(n.to_string());
                let converted = to_toml_value(item, path);
                path.pop();
                array.push(converted?);
            }
            array.into()
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (key, item) in map {
                path.push(key.clone());
                let converted = to_toml_value(item, path);
                path.pop();
                table.insert(key, converted?);
            }
            table.into()
        }
    })
}

/// Converts a JSON object to a standard TOML table: non-object values first,
/// then objects as inline tables (`env = { A = "x" }`), each group in the
/// object's own key order.
pub(super) fn to_toml_table(
    map: &Map<String, Value>,
    path: &mut Vec<String>,
) -> Result<Table, Unrepresentable> {
    let mut table = Table::new();
    let scalars = map.iter().filter(|(_, v)| !v.is_object());
    let objects = map.iter().filter(|(_, v)| v.is_object());
    for (key, item) in scalars.chain(objects) {
        path.push(key.clone());
        let converted = to_toml_value(item, path);
        path.pop();
        table.insert(key, Item::Value(converted?));
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_like_json_stringify() {
        let value = json!({"command": "npx", "args": ["-y", "x"], "env": {}, "n": 1.5});
        let text = render_json(
            &value,
            Layout::Multiline {
                base: "  ",
                unit: "  ",
                newline: "\n",
            },
        );
        assert_eq!(
            text,
            "{\n    \"command\": \"npx\",\n    \"args\": [\n      \"-y\",\n      \"x\"\n    ],\n    \"env\": {},\n    \"n\": 1.5\n  }"
        );
        assert_eq!(
            render_json(&value, Layout::Compact),
            r#"{"command": "npx", "args": ["-y", "x"], "env": {}, "n": 1.5}"#
        );
    }

    #[test]
    fn toml_round_trip_and_refusals() {
        let value = json!({"b": 1, "env": {"A": "x"}, "a": [true, "s"], "f": 0.5});
        let table = to_toml_table(value.as_object().unwrap(), &mut vec![]).unwrap();
        let keys: Vec<_> = table.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(keys, ["b", "a", "f", "env"]);
        let back = from_toml_item(&Item::Table(table));
        assert_eq!(
            back,
            json!({"b": 1, "a": [true, "s"], "f": 0.5, "env": {"A": "x"}})
        );

        let err = to_toml_value(&json!({"env": {"A": null}}), &mut vec!["x".into()]).unwrap_err();
        assert_eq!(err.key_path, "x.env.A");
        let err = to_toml_value(&json!(u64::MAX), &mut vec![]).unwrap_err();
        assert!(err.reason.contains("64-bit"));
    }
}
