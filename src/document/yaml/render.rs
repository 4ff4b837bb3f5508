//! YAML text for the values mcpctl writes: block style, a scalar plain only
//! when it is plain in every context and reads back as the same string,
//! every other string double-quoted with escapes. The text is ours, not
//! yaml-edit's builders', so what a hostile value (`yes`, `~`, `# x`,
//! `a: b`, a newline, DEL) becomes is decided here and proven by the
//! strict parser.

use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

/// `value` as a YAML document: a mapping or list laid out in block style
/// with `unit` per level, or a scalar; every line ends with `\n`.
pub(super) fn document(value: &Value, unit: &str) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_block(&mut out, value, "", unit),
        Value::Array(items) if !items.is_empty() => write_block(&mut out, value, "", unit),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

/// A non-empty mapping or list, each line starting with `base`.
fn write_block(out: &mut String, value: &Value, base: &str, unit: &str) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                out.push_str(base);
                out.push_str(&scalar(key));
                out.push(':');
                if is_block(item) {
                    out.push('\n');
                    write_block(out, item, &format!("{base}{unit}"), unit);
                } else {
                    out.push(' ');
                    out.push_str(&inline(item));
                    out.push('\n');
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_block(item) {
                    // The item's own lines, its first behind the dash.
                    let inner = format!("{base}  ");
                    let mut nested = String::new();
                    write_block(&mut nested, item, &inner, unit);
                    out.push_str(base);
                    out.push_str("- ");
                    out.push_str(&nested[inner.len()..]);
                } else {
                    out.push_str(base);
                    out.push_str("- ");
                    out.push_str(&inline(item));
                    out.push('\n');
                }
            }
        }
        scalar => {
            out.push_str(base);
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

/// A scalar or an empty collection on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
    }
}

/// A string as a YAML scalar: plain when that is safe, else double-quoted.
pub(super) fn scalar(text: &str) -> String {
    if is_plain(text) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

/// Plain in block and flow context alike (no space, `:`, `#` or flow
/// indicator anywhere, no other indicator first), and read back as this
/// very string (not `true`, `null`, `0x1F`, `.inf`, `---`).
fn is_plain(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let safe =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | '=' | '@' | '+');
    (first.is_ascii_alphanumeric() || matches!(first, '_' | '/' | '.' | '-'))
        && chars.all(safe)
        && matches!(serde_yaml_ng::from_str::<Yaml>(text), Ok(Yaml::String(read)) if read == text)
}

/// A double-quoted scalar: `"` and `\` escaped, and every character YAML
/// does not allow printed (controls, DEL, C1, line and paragraph
/// separators, the byte order mark, non-characters) as an escape.
fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if u32::from(c) <= 0xFF => out.push_str(&format!("\\x{:02X}", u32::from(c))),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// YAML's printable characters, less line breaks and the byte order mark.
fn printable(c: char) -> bool {
    matches!(u32::from(c),
        0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD | 0x10000..)
}
