//! The JSON family of entries: `command`/`args`/`env` for a stdio server
//! (and for a remote one launched through the bridge under exec, see
//! `bridge.rs`), a URL and `headers` for a remote one, with per-client differences in
//! the `type` values, the URL's key, the layout of the command and the
//! name of the env map. An [`EntryShape`] names those differences; one
//! renderer and one reader serve every client that has one.

use serde_json::{Map, Value, json};

use super::read::{EntryHeader, EntryServer, EntryValue, each_string, strings};
use super::{
    Adapter, RenderContext, Rendered, bridge_command, effective_delivery, entry_env, entry_headers,
    stdio_command,
};
use crate::manifest::{Delivery, Server, Transport};

/// How a client lays out an entry of the JSON family.
#[derive(Debug, Clone, Copy)]
pub struct EntryShape {
    /// `type` of a stdio entry (`"stdio"`, opencode's `"local"`), or none
    /// written.
    pub stdio_type: Option<&'static str>,
    /// `type` of a remote entry (`"http"`, `"streamableHttp"`), or none.
    pub remote_type: Option<&'static str>,
    /// Key of a remote server's URL (`url`, `serverUrl`, `httpUrl`).
    pub url_key: &'static str,
    /// Fields a stdio entry starts with (Zed's `"source": "custom"`).
    pub stdio_extra: &'static [(&'static str, &'static str)],
    /// How the command line is laid out.
    pub command: CommandLayout,
    /// Key of the env map (`env`, opencode's `environment`).
    pub env_key: &'static str,
    /// Keys leading to a remote server's headers (`headers`, Continue's
    /// `requestOptions.headers`).
    pub headers_at: &'static [&'static str],
}

/// Where the program and its arguments go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandLayout {
    /// `command` the program, `args` the arguments.
    CommandAndArgs,
    /// One `command` array, program first (opencode).
    OneArray,
}

impl EntryShape {
    /// The plain `mcpServers` shape Cursor introduced and most follow: no
    /// `type`, `url`, `command`/`args`/`env`.
    pub const PLAIN: EntryShape = EntryShape {
        stdio_type: None,
        remote_type: None,
        url_key: "url",
        stdio_extra: &[],
        command: CommandLayout::CommandAndArgs,
        env_key: "env",
        headers_at: &["headers"],
    };

    /// The typed shape of Claude Code and VS Code: `"type": "stdio"` and
    /// `"type": "http"`.
    pub const TYPED: EntryShape = EntryShape {
        stdio_type: Some("stdio"),
        remote_type: Some("http"),
        ..EntryShape::PLAIN
    };
}

/// Renders `server` in `shape`: `command`/`args`/`env` or URL/`headers`.
pub fn render_json(
    adapter: &dyn Adapter,
    shape: &EntryShape,
    server: &Server,
    cx: &RenderContext<'_>,
) -> Rendered {
    let mut notes = Vec::new();
    let delivery = effective_delivery(adapter, server, cx, &mut notes);
    let syntax = adapter.reference_syntax();
    let reference = |var: &str| syntax.in_string(var).unwrap_or_default();
    let reference: Option<&dyn Fn(&str) -> String> =
        (delivery == Delivery::EnvRef).then_some(&reference);
    let mut entry = Map::new();
    // A local server, or a remote one reached through the bridge.
    let stdio = match &server.transport {
        Transport::Stdio { command, args } => {
            Some(stdio_command(server, command, args, delivery, cx))
        }
        Transport::Http { .. } => bridge_command(server, delivery, cx),
    };
    if let Some((command, args)) = stdio {
        for (key, value) in shape.stdio_extra {
            entry.insert((*key).into(), json!(value));
        }
        if let Some(kind) = shape.stdio_type {
            entry.insert("type".into(), json!(kind));
        }
        match shape.command {
            CommandLayout::CommandAndArgs => {
                entry.insert("command".into(), json!(command));
                entry.insert("args".into(), json!(args));
            }
            CommandLayout::OneArray => {
                let mut argv = vec![command];
                argv.extend(args);
                entry.insert("command".into(), json!(argv));
            }
        }
        let env = entry_env(server, reference);
        if !env.is_empty() {
            entry.insert(shape.env_key.into(), Value::Object(env));
        }
    } else if let Transport::Http { url, .. } = &server.transport {
        // A credential header has its reference here: under exec the
        // server went through the bridge above, so this is env-ref.
        let headers = entry_headers(server, reference)
            .expect("a credential header under exec delivery goes through the bridge");
        if let Some(kind) = shape.remote_type {
            entry.insert("type".into(), json!(kind));
        }
        entry.insert(shape.url_key.into(), json!(url));
        if !headers.is_empty() {
            let (last, outer) = shape.headers_at.split_last().expect("a non-empty key path");
            let nested = outer.iter().rev().fold(
                Value::Object(Map::from_iter([(
                    (*last).to_owned(),
                    Value::Object(headers),
                )])),
                |inner, key| Value::Object(Map::from_iter([((*key).to_owned(), inner)])),
            );
            if let Value::Object(nested) = nested {
                entry.extend(nested);
            }
        }
    }
    Rendered {
        entry: Some(Value::Object(entry)),
        notes,
    }
}

/// Reads an entry of the JSON family. Lenient where people's files vary:
/// either env key, any of the URL keys, and Zed's older
/// `command: {path, args, env}`.
pub fn read_json(shape: &EntryShape, entry: &Value) -> Option<EntryServer> {
    let map = entry.as_object()?;
    let env_map = map
        .get(shape.env_key)
        .or_else(|| map.get("env"))
        .or_else(|| map.get("environment"));
    let mut env = each_string(env_map, |var, text| (var.to_owned(), EntryValue::of(text)));
    let argv: Vec<String> = match map.get("command") {
        Some(Value::String(c)) => {
            let mut v = vec![c.clone()];
            v.extend(strings(map.get("args")));
            v
        }
        Some(Value::Array(_)) => strings(map.get("command")),
        Some(Value::Object(zed)) => {
            for (var, value) in each_string(zed.get("env"), |var, text| {
                (var.to_owned(), EntryValue::of(text))
            }) {
                match env.iter_mut().find(|(v, _)| *v == var) {
                    Some(slot) => slot.1 = value,
                    None => env.push((var, value)),
                }
            }
            let mut v: Vec<String> = zed
                .get("path")
                .and_then(Value::as_str)
                .map(|p| vec![p.to_owned()])
                .unwrap_or_default();
            v.extend(strings(zed.get("args")));
            v
        }
        _ => Vec::new(),
    };
    let url = [shape.url_key, "url", "serverUrl", "httpUrl"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str));
    let nested = shape
        .headers_at
        .iter()
        .try_fold(entry, |at, key| at.get(*key));
    let headers = each_string(nested.or_else(|| map.get("headers")), EntryHeader::of);
    EntryServer::new(&argv, url, env, headers)
}
