//! Redaction of observed entries before they enter a plan.
//!
//! Entries mcpctl renders hold no secrets, but entries it *finds* may: a
//! hand-written `"GITHUB_TOKEN": "ghp_…"`, `"args": ["--api-key", "…"]` or
//! `"url": "https://…?token=…"` is exactly what people have today. Such
//! values must not reach plan output, saved plans or JSON. Every string is
//! judged as `mcpctl scan` judges it, knowing its name where the entry's
//! shape gives one (the variable, the header, the flag before an argument,
//! the query parameter of a URL), and each secret found in it is replaced
//! by its redacted form (`--api-key=… (24 chars)`). In entries mcpctl does
//! not own, every environment and header value is replaced too unless it is
//! plainly a reference (`${VAR}`, `${env:VAR}`, `{env:VAR}`).

use serde_json::Value;

use crate::secret_patterns::{self, Placeholders};

/// Keys whose values are environment variables or headers.
const SENSITIVE_MAPS: [&str; 4] = ["env", "headers", "http_headers", "environment"];

/// Keys whose values are command lines (opencode's `command` is an array).
const COMMAND_LINES: [&str; 2] = ["args", "command"];

fn redact(value: &Value, owned: bool) -> Value {
    redact_inner(value, !owned)
}

/// [`redact`], for an entry shown beside the one mcpctl would write in its
/// place (`after`, which holds references and the manifest's literals, and
/// is shown as it is): an environment or header value that is exactly the
/// one beside it is shown too — it tells nothing `after` does not, and a
/// `<redacted>` next to the same literal reads as a change.
pub fn redact_beside(value: &Value, owned: bool, after: Option<&Value>) -> Value {
    let mut shown = redact(value, owned);
    let (Value::Object(raw), Some(Value::Object(beside)), Value::Object(shown_map)) =
        (value, after, &mut shown)
    else {
        return shown;
    };
    for key in SENSITIVE_MAPS {
        let (Some(Value::Object(raw)), Some(Value::Object(beside)), Some(Value::Object(shown))) =
            (raw.get(key), beside.get(key), shown_map.get_mut(key))
        else {
            continue;
        };
        for (name, value) in raw {
            if beside.get(name) == Some(value)
                && let Some(slot) = shown.get_mut(name)
            {
                *slot = value.clone();
            }
        }
    }
    shown
}

fn redact_inner(value: &Value, hide_all_strings: bool) -> Value {
    match value {
        Value::String(s) => Value::String(redact_string(
            s,
            secret_patterns::detect_unnamed(s, DISPLAY),
            hide_all_strings,
        )),
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
                        Value::Object(_) if SENSITIVE_MAPS.contains(&k.as_str()) => {
                            redact_named_values(v, hide)
                        }
                        Value::Array(items) if COMMAND_LINES.contains(&k.as_str()) => {
                            redact_command_line(items)
                        }
                        Value::String(s) => Value::String(redact_string(s, keyed(k, s), false)),
                        _ => redact_inner(v, false),
                    };
                    (k.clone(), inner)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Detection for display forgives no placeholder word: hiding a
/// `ghp_FAKE…` costs nothing.
const DISPLAY: Placeholders = Placeholders::ReferencesOnly;

/// Any other string: named by its key (`"api_key": "…"`), a URL by its
/// query parameters.
fn keyed(key: &str, s: &str) -> Vec<secret_patterns::SecretMatch> {
    let found = secret_patterns::detect_named_with(key, s, DISPLAY);
    if found.is_empty() {
        secret_patterns::detect_unnamed(s, DISPLAY)
    } else {
        found
    }
}

/// Environment variables and headers: each value judged by its name.
fn redact_named_values(value: &Value, hide: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(name, v)| {
                    let shown = match v {
                        Value::String(s) => Value::String(redact_string(
                            s,
                            secret_patterns::detect_named_with(name, s, DISPLAY),
                            hide,
                        )),
                        other => redact_inner(other, hide),
                    };
                    (name.clone(), shown)
                })
                .collect(),
        ),
        other => redact_inner(other, hide),
    }
}

/// Arguments: each judged knowing the one before (`--api-key VALUE`).
fn redact_command_line(items: &[Value]) -> Value {
    let mut previous: Option<&str> = None;
    Value::Array(
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => {
                    let found = secret_patterns::detect_argument(previous, s, DISPLAY);
                    previous = Some(s);
                    Value::String(redact_string(s, found, false))
                }
                other => {
                    previous = None;
                    redact_inner(other, false)
                }
            })
            .collect(),
    )
}

fn redact_string(s: &str, found: Vec<secret_patterns::SecretMatch>, hide: bool) -> String {
    if !found.is_empty() {
        return secret_patterns::redact_found(s, &found);
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
            "env": {"TOKEN": "plaintext", "REF": "${env:TOKEN}", "EMPTY": ""},
            "headers": {"Authorization": "Bearer abc"}
        });
        let shown = redact(&entry, false);
        assert_eq!(shown["env"]["TOKEN"], "<redacted>");
        assert_eq!(shown["env"]["REF"], "${env:TOKEN}");
        assert_eq!(shown["env"]["EMPTY"], "");
        assert_eq!(shown["headers"]["Authorization"], "<redacted>");
        assert_eq!(shown["args"], json!(["-y", "server"]));
        assert_eq!(redact(&entry, true)["env"]["TOKEN"], "plaintext");
    }

    #[test]
    fn a_foreign_value_equal_to_the_one_beside_it_is_shown() {
        let before = json!({
            "command": "npx",
            "env": {"TEAM": "T01234", "TOKEN": "plaintext", "OTHER": "x"},
            "headers": {"X-Org": "acme"}
        });
        let after = json!({
            "command": "mcpctl",
            "env": {"TEAM": "T01234", "TOKEN": "${TOKEN}"},
            "headers": {"X-Org": "acme"}
        });
        let shown = redact_beside(&before, false, Some(&after));
        assert_eq!(shown["env"]["TEAM"], "T01234");
        assert_eq!(shown["headers"]["X-Org"], "acme");
        // Different from what is beside it, or nothing beside it: hidden.
        assert_eq!(shown["env"]["TOKEN"], "<redacted>");
        assert_eq!(shown["env"]["OTHER"], "<redacted>");
        assert_eq!(redact_beside(&before, false, None), redact(&before, false));
        // A value beside itself in another map is not the same value.
        let crossed = json!({"env": {}, "headers": {"TEAM": "T01234"}});
        let shown = redact_beside(&before, false, Some(&crossed));
        assert_eq!(shown["env"]["TEAM"], "<redacted>");
    }

    #[test]
    fn secrets_named_by_a_flag_or_a_query_parameter_are_hidden() {
        let canary = crate::secret_patterns::test_random(11, 26);
        let token = format!("ghp_{}", canary.get(..36).unwrap_or(&canary).repeat(2));
        let entry = json!({
            "command": "npx",
            "args": ["-y", "server", "--api-key", canary, format!("--token={canary}"), "--verbose"],
            "url": format!("https://x.example/mcp?mode=a&token={canary}"),
            "env": {"API_KEY": canary, "GITHUB_TOKEN": token, "LOG": "debug"},
            "headers": {"Authorization": format!("Bearer {canary}")}
        });
        for owned in [true, false] {
            let shown = redact(&entry, owned);
            let text = shown.to_string();
            assert!(!text.contains(&canary), "{text}");
            assert!(!text.contains(&token[4..]), "{text}");
            assert_eq!(shown["args"][3], "… (26 chars)");
            assert_eq!(shown["args"][4], "--token=… (26 chars)");
            assert_eq!(shown["args"][5], "--verbose");
            assert_eq!(
                shown["url"],
                "https://x.example/mcp?mode=a&token=… (26 chars)"
            );
            assert_eq!(shown["headers"]["Authorization"], "Bearer … (26 chars)");
            assert_eq!(shown["env"]["API_KEY"], "… (26 chars)");
        }
        assert_eq!(redact(&entry, true)["env"]["LOG"], "debug");
    }
}
