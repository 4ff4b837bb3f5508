//! Redaction of observed entries before they enter a plan.
//!
//! Entries mcpctl renders hold no secrets, but entries it *finds* may: a
//! hand-written `"GITHUB_TOKEN": "ghp_…"` is exactly what people have today.
//! Such values must not reach plan output, saved plans or JSON. Every string
//! that looks like a secret is replaced; in entries mcpctl does not own,
//! every environment and header value is replaced too unless it is plainly
//! a reference (`${VAR}`, `${env:VAR}`, `{env:VAR}`).

use serde_json::Value;

use crate::secret_patterns;

/// Keys whose values are environment variables or headers.
const SENSITIVE_MAPS: [&str; 4] = ["env", "headers", "http_headers", "environment"];

pub fn redact(value: &Value, owned: bool) -> Value {
    redact_inner(value, !owned)
}

fn redact_inner(value: &Value, hide_all_strings: bool) -> Value {
    match value {
        Value::String(s) => Value::String(redact_string(s, hide_all_strings)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| redact_inner(v, hide_all_strings))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let hide = hide_all_strings && SENSITIVE_MAPS.contains(&k.as_str());
                    let inner = match v {
                        Value::Object(_) if hide => redact_map_values(v),
                        _ => redact_inner(v, false),
                    };
                    (k.clone(), inner)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn redact_map_values(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_inner(v, true)))
                .collect(),
        ),
        other => redact_inner(other, true),
    }
}

fn redact_string(s: &str, hide: bool) -> String {
    if let Some(found) = secret_patterns::detect(s) {
        return format!("<redacted: {}>", found.rule);
    }
    if hide && !s.is_empty() && !is_reference(s) {
        return "<redacted>".to_owned();
    }
    s.to_owned()
}

fn is_reference(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with("${") || t.starts_with("{env:")) && t.ends_with('}')
}

/// A URL as shown in a plan, a message or a log: its user information
/// (`user:password@`) and its query and fragment — where tokens ride —
/// replaced by `<redacted>`.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (main, tail) = rest.split_at(end);
    let authority_end = main.find('/').unwrap_or(main.len());
    let (authority, path) = main.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("<redacted>@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    let tail = match tail.chars().next() {
        Some(c) => format!("{c}<redacted>"),
        None => String::new(),
    };
    format!("{scheme}{host}{path}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_lose_their_user_information_and_query() {
        assert_eq!(
            redact_url("http://ada:s3cret@hooks.example.com:8080/audit?token=abc#x"),
            "http://<redacted>@hooks.example.com:8080/audit?<redacted>"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:9/hook"),
            "http://127.0.0.1:9/hook"
        );
    }

    #[test]
    fn hides_env_and_headers_of_foreign_entries_but_keeps_references() {
        let entry = json!({
            "command": "npx",
            "args": ["-y", "server"],
            "env": {"TOKEN": "hunter2-plaintext", "REF": "${env:TOKEN}", "EMPTY": ""},
            "headers": {"Authorization": "Bearer abc"}
        });
        let shown = redact(&entry, false);
        assert_eq!(shown["env"]["TOKEN"], "<redacted>");
        assert_eq!(shown["env"]["REF"], "${env:TOKEN}");
        assert_eq!(shown["env"]["EMPTY"], "");
        assert_eq!(shown["headers"]["Authorization"], "<redacted>");
        assert_eq!(shown["args"], json!(["-y", "server"]));
        assert_eq!(redact(&entry, true)["env"]["TOKEN"], "hunter2-plaintext");
    }
}
