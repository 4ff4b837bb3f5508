//! How import edits an entry: its secret variables pointed at their
//! credentials (through `mcpctl exec` or the client's own references), and
//! a secret header replaced by a reference.

use serde_json::{Map, Value, json};

use crate::client::{Launcher, ReferenceSyntax, adapter};
use crate::manifest::{ClientId, Delivery};

/// Points the secret variables of an entry at their credentials.
pub(super) fn rewrite_env(
    client: ClientId,
    entry: &mut Value,
    server: &str,
    bindings: &[(String, String)],
    delivery: Delivery,
    launcher: &Launcher,
) {
    let env_key = if entry.get("environment").is_some() {
        "environment"
    } else {
        "env"
    };
    let syntax = adapter(client).reference_syntax(); // by name: no renaming
    let by_reference = delivery == Delivery::EnvRef
        && syntax.resolves()
        && (syntax != ReferenceSyntax::ByName || bindings.iter().all(|(var, name)| var == name));
    let Some(map) = entry.as_object_mut() else {
        return;
    };
    if by_reference {
        if syntax == ReferenceSyntax::ByName {
            if let Some(Value::Object(env)) = map.get_mut(env_key) {
                for (var, _) in bindings {
                    env.remove(var);
                }
            }
            let forwarded = map.entry("env_vars").or_insert_with(|| json!([]));
            if let Value::Array(list) = forwarded {
                for (var, _) in bindings {
                    list.push(json!(var));
                }
            }
        } else if let Some(Value::Object(env)) = map.get_mut(env_key) {
            for (var, name) in bindings {
                if let Some(reference) = syntax.in_string(name) {
                    env.insert(var.clone(), json!(reference));
                }
            }
        }
    } else {
        if let Some(Value::Object(env)) = map.get_mut(env_key) {
            for (var, _) in bindings {
                env.remove(var);
            }
            if env.is_empty() {
                map.remove(env_key);
            }
        }
        wrap_in_launcher(map, server, bindings, launcher);
    }
}

/// `command`/`args` (or opencode's one `command` array) become
/// `mcpctl exec --server NAME --env VAR=CREDENTIAL … -- <command>`. No
/// `--manifest`: import works without one, and the entry stays the
/// person's own, so its launches follow the settings of the manifest that
/// declares the server, if one does ([`crate::audit::Settings::for_launch`]).
fn wrap_in_launcher(
    map: &mut Map<String, Value>,
    server: &str,
    bindings: &[(String, String)],
    launcher: &Launcher,
) {
    let mut argv: Vec<Value> = match map.get("command") {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(command)) => {
            let mut argv = vec![json!(command)];
            if let Some(Value::Array(args)) = map.get("args") {
                argv.extend(args.iter().cloned());
            }
            argv
        }
        _ => return,
    };
    let already = argv.first().and_then(Value::as_str).is_some_and(|c| {
        std::path::Path::new(c)
            .file_stem()
            .is_some_and(|s| s == "mcpctl")
    }) && argv.get(1).and_then(Value::as_str) == Some("exec");
    let flags: Vec<Value> = bindings
        .iter()
        .flat_map(|(var, name)| [json!("--env"), json!(format!("{var}={name}"))])
        .collect();
    if already {
        let at = argv
            .iter()
            .position(|a| a.as_str() == Some("--"))
            .unwrap_or(argv.len());
        argv.splice(at..at, flags);
    } else {
        let mut wrapped = vec![
            json!(launcher.program()),
            json!("exec"),
            json!("--server"),
            json!(server),
        ];
        wrapped.extend(flags);
        wrapped.push(json!("--"));
        wrapped.extend(argv);
        argv = wrapped;
    }
    if matches!(map.get("command"), Some(Value::Array(_))) {
        map.insert("command".into(), Value::Array(argv));
    } else {
        let mut rest = argv.into_iter();
        map.insert("command".into(), rest.next().unwrap_or_default());
        map.insert("args".into(), Value::Array(rest.collect()));
    }
}

/// Why a secret header of `client` cannot be delivered by reference, if
/// it cannot.
pub(super) fn header_problem(client: ClientId, header: &str, scheme: &str) -> Option<String> {
    let syntax = adapter(client).reference_syntax();
    if syntax == ReferenceSyntax::ByName {
        let bearer =
            header.eq_ignore_ascii_case("authorization") && scheme.eq_ignore_ascii_case("bearer");
        return (!bearer && !scheme.is_empty()).then(|| {
            format!(
                "Codex sends a header from a variable only whole or as `Authorization: Bearer`, not `{header}: {scheme} …`"
            )
        });
    }
    (!syntax.resolves()).then(|| {
        format!("{client} resolves no variables, and a header can only be delivered by reference")
    })
}

/// A secret header becomes a reference to `name` (checked with
/// [`header_problem`] first).
pub(super) fn reference_header(
    client: ClientId,
    entry: &mut Value,
    header: &str,
    scheme: &str,
    name: &str,
) {
    let Some(map) = entry.as_object_mut() else {
        return;
    };
    let syntax = adapter(client).reference_syntax();
    if syntax == ReferenceSyntax::ByName {
        if let Some(Value::Object(headers)) = map.get_mut("http_headers") {
            headers.remove(header);
            if headers.is_empty() {
                map.remove("http_headers");
            }
        }
        if scheme.is_empty() {
            let env_headers = map.entry("env_http_headers").or_insert_with(|| json!({}));
            if let Value::Object(env_headers) = env_headers {
                env_headers.insert(header.to_owned(), json!(name));
            }
        } else {
            map.insert("bearer_token_env_var".into(), json!(name));
        }
        return;
    }
    let Some(reference) = syntax.in_string(name) else {
        return;
    };
    if let Some(Value::Object(headers)) = map.get_mut("headers") {
        let value = if scheme.is_empty() {
            reference
        } else {
            format!("{scheme} {reference}")
        };
        headers.insert(header.to_owned(), json!(value));
    }
}
