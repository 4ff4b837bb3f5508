//! The parts every adapter builds its entries from: the delivery it can
//! really use, the command line that starts a stdio server (through
//! `mcpctl exec`, and through `cmd /c` on Windows), and the env and header
//! maps with literals and references.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::{Adapter, RenderContext, RenderNote};
use crate::host::Os;
use crate::manifest::{Delivery, EnvValue, Server, Transport};

/// Whether a server needs any secret (an env binding or a header).
pub fn needs_secret(server: &Server) -> bool {
    server.credential_bindings().next().is_some()
        || matches!(&server.transport, Transport::Http { credential_headers, .. } if !credential_headers.is_empty())
}

/// The delivery an adapter actually uses: env-ref only where the client
/// resolves references; else exec, with the reason as a note.
pub fn effective_delivery(
    adapter: &dyn Adapter,
    server: &Server,
    cx: &RenderContext<'_>,
    notes: &mut Vec<RenderNote>,
) -> Delivery {
    if cx.delivery == Delivery::EnvRef && !adapter.reference_syntax().resolves() {
        if needs_secret(server) {
            notes.push(RenderNote::KeepsExec {
                client: adapter.id(),
            });
        }
        return Delivery::Exec;
    }
    cx.delivery
}

/// The command and arguments that start a stdio server under `delivery`:
/// `mcpctl exec --server NAME [--manifest PATH] … -- <command>` when the launcher must fetch secrets,
/// else the server's own command, made spawnable on Windows.
pub fn stdio_command(
    server: &Server,
    command: &str,
    args: &[String],
    delivery: Delivery,
    cx: &RenderContext<'_>,
) -> (String, Vec<String>) {
    let bindings: Vec<(&str, &str)> = server.credential_bindings().collect();
    if bindings.is_empty() || delivery == Delivery::EnvRef {
        return spawnable(cx.os, command, args);
    }
    let mut exec_args = vec![
        "exec".to_owned(),
        "--server".to_owned(),
        server.name.clone(),
    ];
    exec_args.extend(cx.launcher.manifest_args());
    for (var, credential) in bindings {
        exec_args.extend(cx.launcher.binding(var, credential));
    }
    exec_args.push("--".to_owned());
    exec_args.push(command.to_owned());
    exec_args.extend(args.iter().cloned());
    (cx.launcher.program().to_owned(), exec_args)
}

/// On Windows a client spawns programs without a shell, which finds only
/// `.exe`/`.com` files: `npx` (really `npx.cmd`) becomes `cmd /c npx …`.
pub fn spawnable(os: Os, command: &str, args: &[String]) -> (String, Vec<String>) {
    let extension = Path::new(command)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let stem = Path::new(command)
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase());
    let direct =
        matches!(extension.as_deref(), Some("exe" | "com")) || stem.as_deref() == Some("cmd");
    if os != Os::Windows || direct {
        return (command.to_owned(), args.to_vec());
    }
    let mut wrapped = vec!["/c".to_owned(), command.to_owned()];
    wrapped.extend(args.iter().cloned());
    ("cmd".to_owned(), wrapped)
}

/// The server's environment as a JSON object in manifest order: literals,
/// and under env-ref each credential as `reference(credential name)`.
pub fn entry_env(
    server: &Server,
    reference: Option<&dyn Fn(&str) -> String>,
) -> Map<String, Value> {
    server
        .env
        .iter()
        .filter_map(|(var, value)| match value {
            EnvValue::Literal { value } => Some((var.clone(), Value::String(value.clone()))),
            EnvValue::Credential { credential } => {
                reference.map(|r| (var.clone(), Value::String(r(credential))))
            }
        })
        .collect()
}

/// The header map of a remote server: literals, and under env-ref each
/// credential header as `[scheme ]reference(credential)`. `None` when a
/// credential header cannot be delivered (no reference).
pub fn entry_headers(
    server: &Server,
    reference: Option<&dyn Fn(&str) -> String>,
) -> Option<Map<String, Value>> {
    let Transport::Http {
        headers,
        credential_headers,
        ..
    } = &server.transport
    else {
        return Some(Map::new());
    };
    let mut out: Map<String, Value> = headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    for (name, header) in credential_headers {
        let value = reference?(&header.credential);
        let value = match &header.scheme {
            Some(scheme) => format!("{scheme} {value}"),
            None => value,
        };
        out.insert(name.clone(), json!(value));
    }
    Some(out)
}
