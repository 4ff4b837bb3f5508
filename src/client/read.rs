//! The reverse of rendering: a client entry read back as the server it
//! starts, the variables it sets and the headers it sends.
//!
//! Each adapter knows its layout ([`super::Adapter::read`]); what is the
//! same for all of them lives here: undoing the `mcpctl exec` launcher
//! (its `--env VAR=CREDENTIAL` bindings become references) and Windows'
//! `cmd /c`, and telling a reference from a literal. A value that is wholly
//! a reference in any syntax reads as one — it says what the person meant,
//! even where the client would pass it on literally (`mcpctl check` and
//! `mcpctl scan` say so).

use serde_json::{Map, Value};

use super::reference;

/// A client entry, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryServer {
    pub transport: EntryTransport,
    /// The variables the server gets, in the entry's order (those bound by
    /// the launcher last).
    pub env: Vec<(String, EntryValue)>,
    /// The headers a remote server is sent, in the entry's order.
    pub headers: Vec<EntryHeader>,
}

/// What the entry starts or connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryTransport {
    Stdio { command: String, args: Vec<String> },
    Http { url: String },
}

/// One value of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryValue {
    /// Text as written (which may still hold a secret: `mcpctl scan`
    /// judges that).
    Literal(String),
    /// A reference to a credential, or to the variable of its name: in the
    /// client's syntax, forwarded by name, or bound by `mcpctl exec`
    /// (`file`: bound with `--file`).
    Reference { name: String, file: bool },
}

/// One header of a remote server: `Authorization: Bearer ${TOKEN}` is
/// scheme `Bearer` and a reference to `TOKEN`; a literal is kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryHeader {
    pub name: String,
    pub scheme: Option<String>,
    pub value: EntryValue,
}

impl EntryValue {
    /// A string of an entry: a reference if it is wholly one.
    pub fn of(text: &str) -> EntryValue {
        match reference::whole(text) {
            Some(name) => EntryValue::Reference {
                name: name.to_owned(),
                file: false,
            },
            None => EntryValue::Literal(text.to_owned()),
        }
    }

    /// A variable forwarded by name (Codex's `env_vars`).
    pub fn by_name(name: &str) -> EntryValue {
        EntryValue::Reference {
            name: name.to_owned(),
            file: false,
        }
    }
}

impl EntryHeader {
    /// A header value: `[scheme ]reference`, else a literal.
    pub fn of(name: &str, text: &str) -> EntryHeader {
        let (scheme, value) = match text.split_once(' ') {
            Some((scheme, rest)) if reference::whole(rest).is_some() => {
                (Some(scheme.to_owned()), EntryValue::of(rest))
            }
            _ => (None, EntryValue::of(text)),
        };
        EntryHeader {
            name: name.to_owned(),
            scheme,
            value,
        }
    }
}

impl EntryServer {
    /// An entry from its command line (`argv`, maybe wrapped in the
    /// launcher and `cmd /c`) or its URL; `None` when it has neither.
    pub fn new(
        argv: &[String],
        url: Option<&str>,
        mut env: Vec<(String, EntryValue)>,
        mut headers: Vec<EntryHeader>,
    ) -> Option<EntryServer> {
        let transport = match (argv.split_first(), url) {
            (Some((command, args)), _) => {
                match unwrap_launcher(command, args, &mut env, &mut headers) {
                    Launched::Command(command, args) => {
                        let (command, args) = unwrap_cmd(&command, &args);
                        EntryTransport::Stdio { command, args }
                    }
                    Launched::Bridge { url } => EntryTransport::Http { url },
                }
            }
            (None, Some(url)) => EntryTransport::Http {
                url: url.to_owned(),
            },
            (None, None) => return None,
        };
        Some(EntryServer {
            transport,
            env,
            headers,
        })
    }
}

/// The strings of a JSON array (others skipped).
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The string values of a JSON object, read with `read`.
pub fn each_string<T>(value: Option<&Value>, read: impl Fn(&str, &str) -> T) -> Vec<T> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
        .filter_map(|(k, v)| v.as_str().map(|v| read(k, v)))
        .collect()
}

/// The command line of an entry that names its program under `key` and
/// its arguments under `args` (Codex's `command`, Goose's `cmd`); empty
/// without a program.
pub fn command_line(map: &Map<String, Value>, key: &str) -> Vec<String> {
    let Some(program) = map.get(key).and_then(Value::as_str) else {
        return Vec::new();
    };
    let mut argv = vec![program.to_owned()];
    argv.extend(strings(map.get("args")));
    argv
}

/// The variables of an entry: those of the `env` object as written, then
/// those the `forwarded` list passes on by name (Codex's `env_vars`,
/// Goose's `env_keys`), as references.
pub fn env_and_forwarded(
    env: Option<&Value>,
    forwarded: Option<&Value>,
) -> Vec<(String, EntryValue)> {
    let mut vars = each_string(env, |var, text| (var.to_owned(), EntryValue::of(text)));
    for var in strings(forwarded) {
        vars.push((var.clone(), EntryValue::by_name(&var)));
    }
    vars
}

/// What an entry's command line launches.
enum Launched {
    /// A command (the server's own, once the launcher is undone).
    Command(String, Vec<String>),
    /// The bridge to a remote server (`mcpctl exec --url URL`).
    Bridge { url: String },
}

/// `mcpctl exec --server S [--manifest PATH] --env VAR=REF … -- CMD ARGS`
/// → `CMD ARGS`, with each binding put in `env` as a reference; `mcpctl
/// exec … --header NAME[:SCHEME]=REF --literal-header NAME=VALUE --url URL`
/// → the remote server at URL, with each header put in `headers`.
fn unwrap_launcher(
    command: &str,
    args: &[String],
    env: &mut Vec<(String, EntryValue)>,
    headers: &mut Vec<EntryHeader>,
) -> Launched {
    let is_mcpctl = std::path::Path::new(command)
        .file_stem()
        .is_some_and(|s| s == "mcpctl");
    if !is_mcpctl || args.first().map(String::as_str) != Some("exec") {
        return Launched::Command(command.to_owned(), args.to_vec());
    }
    let mut url = None;
    let mut it = args[1..].iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--" => break,
            "--server" | "--manifest" => {
                it.next();
            }
            "--url" => url = it.next().cloned(),
            "--env" | "--file" => {
                let Some(binding) = it.next() else { break };
                if let Some((var, reference)) = binding.split_once('=')
                    && let Ok(reference) = crate::source::Reference::parse(reference)
                {
                    env.retain(|(v, _)| v != var);
                    env.push((
                        var.to_owned(),
                        EntryValue::Reference {
                            name: reference.credential,
                            file: arg == "--file",
                        },
                    ));
                }
            }
            "--header" | "--literal-header" => {
                let Some(binding) = it.next() else { break };
                let Some((head, value)) = binding.split_once('=') else {
                    continue;
                };
                let header = if arg == "--literal-header" {
                    EntryHeader {
                        name: head.to_owned(),
                        scheme: None,
                        value: EntryValue::Literal(value.to_owned()),
                    }
                } else {
                    let Ok(reference) = crate::source::Reference::parse(value) else {
                        continue;
                    };
                    let (name, scheme) = match head.split_once(':') {
                        Some((name, scheme)) => (name, Some(scheme.to_owned())),
                        None => (head, None),
                    };
                    EntryHeader {
                        name: name.to_owned(),
                        scheme,
                        value: EntryValue::Reference {
                            name: reference.credential,
                            file: false,
                        },
                    }
                };
                headers.retain(|h| !h.name.eq_ignore_ascii_case(&header.name));
                headers.push(header);
            }
            _ => {}
        }
    }
    if let Some(url) = url {
        return Launched::Bridge { url };
    }
    let rest: Vec<String> = it.cloned().collect();
    match rest.split_first() {
        Some((command, args)) => Launched::Command(command.clone(), args.to_vec()),
        None => Launched::Command(command.to_owned(), args.to_vec()),
    }
}

/// `cmd /c npx …` → `npx …`: what [`super::spawnable`] adds on Windows.
fn unwrap_cmd(command: &str, args: &[String]) -> (String, Vec<String>) {
    let lower = command.to_ascii_lowercase();
    if (lower == "cmd" || lower == "cmd.exe")
        && args.first().is_some_and(|a| a.eq_ignore_ascii_case("/c"))
        && let Some((inner, rest)) = args[1..].split_first()
    {
        return unwrap_cmd(inner, rest);
    }
    (command.to_owned(), args.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_and_cmd_are_undone() {
        let argv: Vec<String> = [
            "/usr/bin/mcpctl",
            "exec",
            "--server",
            "gh",
            "--manifest",
            "/m.kdl",
            "--env",
            "TOKEN=GITHUB_TOKEN",
            "--file",
            "KEY=work/KEY",
            "--",
            "cmd",
            "/c",
            "npx",
            "-y",
            "gh",
        ]
        .map(str::to_owned)
        .to_vec();
        let env = vec![("TOKEN".to_owned(), EntryValue::of("x"))];
        let read = EntryServer::new(&argv, None, env, Vec::new()).unwrap();
        assert_eq!(
            read.transport,
            EntryTransport::Stdio {
                command: "npx".into(),
                args: vec!["-y".into(), "gh".into()]
            }
        );
        assert_eq!(
            read.env,
            [
                (
                    "TOKEN".to_owned(),
                    EntryValue::Reference {
                        name: "GITHUB_TOKEN".into(),
                        file: false
                    }
                ),
                (
                    "KEY".to_owned(),
                    EntryValue::Reference {
                        name: "KEY".into(),
                        file: true
                    }
                ),
            ]
        );
    }

    #[test]
    fn the_bridge_reads_as_the_remote_server() {
        let argv: Vec<String> = [
            "mcpctl",
            "exec",
            "--server",
            "sentry",
            "--header",
            "Authorization:Bearer=SENTRY_TOKEN",
            "--literal-header",
            "X-Team=platform",
            "--url",
            "https://mcp.example.com/mcp",
        ]
        .map(str::to_owned)
        .to_vec();
        let read = EntryServer::new(&argv, None, Vec::new(), Vec::new()).unwrap();
        assert_eq!(
            read.transport,
            EntryTransport::Http {
                url: "https://mcp.example.com/mcp".into()
            }
        );
        assert_eq!(
            read.headers,
            [
                EntryHeader {
                    name: "Authorization".into(),
                    scheme: Some("Bearer".into()),
                    value: EntryValue::Reference {
                        name: "SENTRY_TOKEN".into(),
                        file: false
                    }
                },
                EntryHeader {
                    name: "X-Team".into(),
                    scheme: None,
                    value: EntryValue::Literal("platform".into())
                },
            ]
        );
    }

    #[test]
    fn headers_split_a_scheme_only_before_a_reference() {
        let bearer = EntryHeader::of("Authorization", "Bearer ${env:T}");
        assert_eq!(bearer.scheme.as_deref(), Some("Bearer"));
        assert_eq!(bearer.value, EntryValue::by_name("T"));
        let literal = EntryHeader::of("X-Team", "platform team");
        assert_eq!(literal.scheme, None);
        assert_eq!(literal.value, EntryValue::Literal("platform team".into()));
    }
}
