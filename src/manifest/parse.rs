//! KDL document → validated [`Manifest`], collecting every problem.
//!
//! The document is walked by hand (the kdl crate's serde support loses spans
//! and shape, see STORES.md). The walk never stops at the first mistake: each
//! check records a [`Problem`] and carries on with what it could read, so one
//! run reports everything. The model is only returned when nothing was found.
//!
//! Order of work:
//! 1. KDL syntax (kdl crate). Nothing else can be checked without a tree.
//! 2. A sweep over every value in the file for secret-shaped literals and
//!    type annotations, wherever they are (even inside unknown nodes): the
//!    manifest must never hold a secret, whatever else is wrong with it.
//! 3. `mcpctl version=…`. An unsupported version stops here, since the rest
//!    is written in a language this build does not know and any further
//!    complaint would be noise.
//! 4. `defaults`, `client` and `credential` nodes, then `server` nodes, so a
//!    server may reference a credential declared below it.
//! 5. Resolution: rotation periods and server client lists.

use std::collections::{BTreeMap, HashMap};

use kdl::{KdlDocument, KdlEntry, KdlError, KdlNode, KdlValue};
use miette::SourceSpan;

use super::error::{ManifestError, Problem, ProblemKind as K, shown_source};
use super::model::*;
use super::rotation::{self, PERIOD_HELP};
use crate::secret_patterns::{self, Placeholders};
use crate::terminal_text;

mod policy;
mod teams;

const TOP_LEVEL: &[&str] = &[
    "mcpctl",
    "defaults",
    "client",
    "credential",
    "server",
    "audit",
    "shell-profile",
    "role",
    "variable",
    "policy",
];
const AUDIT_CHILDREN: &[&str] = &["retain", "syslog", "webhook", "alert-reads-per-hour"];
const DEFAULTS_CHILDREN: &[&str] = &["delivery", "rotate-every", "warn-before", "namespace"];
const CREDENTIAL_CHILDREN: &[&str] = &[
    "kind",
    "provider",
    "scopes",
    "rotate-every",
    "create-at",
    "description",
    "source",
    "namespace",
    "classification",
];
const SOURCES: &[&str] = &["store", "env", "command"];
const SERVER_CHILDREN: &[&str] = &[
    "description",
    "command",
    "url",
    "credential",
    "env",
    "header",
    "clients",
    "delivery",
    "classification",
    "external",
];
const DELIVERIES: &[&str] = &["exec", "env-ref"];
const SECRET_HELP: &str = "the manifest is checked in and must never hold a secret value; store it with `mcpctl apply` instead: declare `credential NAME` and bind it with `env VAR credential=NAME`";

/// Parses and validates `source`; `name` labels the diagnostics.
pub fn parse(name: &str, source: &str) -> Result<Manifest, ManifestError> {
    if let Some(offset) = too_deep(source) {
        let problem = Problem::new(
            K::Syntax,
            format!("children are nested more than {MAX_DEPTH} levels deep"),
            SourceSpan::from(offset..offset + 1),
            "too deep",
        )
        .maybe_help(Some(
            "a manifest needs two levels of `{ }` (a server and its children); \
             check for unbalanced braces"
                .to_owned(),
        ));
        return Err(ManifestError::Invalid {
            src: shown_source(name, source, &[]),
            problems: vec![problem],
        });
    }
    let raw = raw_unsafe_characters(source);
    if !raw.is_empty() {
        return Err(ManifestError::Invalid {
            src: shown_source(name, source, &[]),
            problems: raw,
        });
    }
    // KDL 2.0 only, even if a `v1-fallback` feature gets enabled somewhere:
    // a v1 parse would change what quoting means.
    let doc = match KdlDocument::parse_v2(source) {
        Ok(doc) => doc,
        Err(err) => return Err(syntax_error(name, source, err)),
    };
    let mut checker = Checker {
        problems: Vec::new(),
    };
    let manifest = checker.document(&doc);
    let mut problems = checker.problems;
    if problems.is_empty()
        && let Some(manifest) = manifest
    {
        return Ok(manifest);
    }
    // Source order reads best; the sort is stable, so problems at one place
    // keep the order they were found in.
    problems.sort_by_key(Problem::offset);
    Err(ManifestError::Invalid {
        src: shown_source(name, source, &problems),
        problems,
    })
}

/// How deep `{ }` may nest. The kdl parser recurses per level, so a file
/// of 100,000 `{` overflowed the stack (found by the hostile-input tests).
const MAX_DEPTH: usize = 64;

/// The offset of the first `{` nested deeper than [`MAX_DEPTH`], skipping
/// quoted strings and comments (conservatively: a raw string holding an
/// unbalanced `{` counts, which only matters past 64 of them).
fn too_deep(source: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

const UNSAFE_HELP: &str = "a terminal acts on control characters and bidirectional overrides instead of showing them, so they could hide or rewrite what `mcpctl plan` shows; remove the character, or write the text it should show";

/// Control characters (other than tab and line ends) and bidirectional
/// overrides written as themselves in the file. KDL 2.0 refuses most of
/// them with a bare "expected quoted string"; this names the character and
/// where it is. (Values that reach one through an escape such as `\u{1b}`
/// are caught by the sweep.)
fn raw_unsafe_characters(source: &str) -> Vec<Problem> {
    source
        .char_indices()
        .filter(|&(_, c)| terminal_text::is_unsafe(c) && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(offset, c)| {
            Problem::new(
                K::UnsafeCharacter,
                format!("the file holds {}", terminal_text::describe(c)),
                SourceSpan::from(offset..offset + c.len_utf8()),
                "here",
            )
            .help(UNSAFE_HELP)
        })
        .collect()
}

/// Re-anchors the kdl crate's diagnostics on a named source (its own source
/// has no name, so miette would show no file name) and improves the help
/// for the commonest KDL 2.0 surprise: unquoted values such as `90d` or
/// `@scope/package`.
fn syntax_error(name: &str, source: &str, err: KdlError) -> ManifestError {
    let problems = err
        .diagnostics
        .iter()
        .map(|d| {
            let message = d.message.clone().unwrap_or_else(|| "invalid KDL".into());
            let label = d.label.clone().unwrap_or_else(|| "here".into());
            Problem::new(K::Syntax, message, d.span, label)
                .maybe_help(quoting_hint(source, d.span).or_else(|| d.help.clone()))
        })
        .collect();
    ManifestError::Syntax {
        src: shown_source(name, source, &[]),
        problems,
        kdl: Box::new(err),
    }
}

fn quoting_hint(source: &str, span: SourceSpan) -> Option<String> {
    let text = source.get(span.offset()..span.offset() + span.len())?;
    let bare = !text.is_empty()
        && !text.contains(|c: char| c.is_whitespace() || c == '"')
        && (text.starts_with(|c: char| c.is_ascii_digit())
            || text.contains(['/', '(', ')', '[', ']', ';', '=', '#', '\\']));
    if !bare {
        return None;
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let looks_like_period =
        digits > 0 && text.len() <= 8 && text[digits..].chars().all(|c| c.is_ascii_alphabetic());
    Some(if looks_like_period {
        format!(
            "KDL 2.0 reads a bare value that starts with a digit as a number; put it in quotes: `\"{text}\"`"
        )
    } else {
        "put this value in double quotes: a bare KDL 2.0 value cannot start with a digit or contain `/ ( ) [ ] ; = # \\`".to_owned()
    })
}

struct Checker {
    problems: Vec<Problem>,
}

/// A credential as written, before its period is resolved.
struct CredentialDraft {
    credential: Credential,
    own_period: Option<Period>,
}

/// A server as written, before its client list is resolved.
struct ServerDraft {
    server: Server,
    clients: Option<Vec<ClientId>>,
}

impl Checker {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// A name that is not one of `names`: "unknown {what} `value`", with
    /// the closest name as a suggestion and `known` listing the choices.
    #[allow(clippy::too_many_arguments)]
    fn unknown_name<'n>(
        &mut self,
        kind: K,
        what: &str,
        label: &str,
        value: &str,
        span: SourceSpan,
        names: impl IntoIterator<Item = &'n str>,
        known: &str,
    ) {
        let help = did_you_mean(value, names)
            .map(|s| format!("did you mean `{s}`? {known}"))
            .unwrap_or_else(|| known.to_owned());
        self.push(
            Problem::new(kind, format!("unknown {what} {}", show(value)), span, label).help(help),
        );
    }

    /// For a node that may appear once: true the first time; later copies
    /// are reported as duplicates pointing at the first.
    fn first_of_kind(
        &mut self,
        node: &KdlNode,
        name: &str,
        first: &mut Option<SourceSpan>,
        help: &str,
    ) -> bool {
        let span = head_span(node);
        match first {
            Some(first) => {
                self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("`{name}` is given twice"),
                        span,
                        "given again here",
                    )
                    .also(*first, "first given here")
                    .help(help),
                );
                false
            }
            None => {
                *first = Some(span);
                true
            }
        }
    }

    fn document(&mut self, doc: &KdlDocument) -> Option<Manifest> {
        self.sweep(doc);

        let nodes = doc.nodes();
        let version_ok = self.version(nodes);
        if version_ok == Version::Unsupported {
            return None;
        }

        let mut defaults = Defaults::default();
        let mut defaults_node: Option<SourceSpan> = None;
        let mut audit = AuditPolicy::default();
        let mut audit_node: Option<SourceSpan> = None;
        let mut clients: Vec<ClientTarget> = Vec::new();
        let mut client_spans: HashMap<(ClientId, Scope), SourceSpan> = HashMap::new();
        let mut shell_profiles: Vec<Shell> = Vec::new();
        let mut shell_span: Option<SourceSpan> = None;
        let mut credentials: BTreeMap<String, CredentialDraft> = BTreeMap::new();
        let mut credential_spans: HashMap<String, SourceSpan> = HashMap::new();
        let mut server_nodes = Vec::new();
        let mut role_nodes = Vec::new();
        let mut policy = None;
        let mut policy_node: Option<SourceSpan> = None;
        let mut variable_nodes = Vec::new();
        let mut first_version: Option<SourceSpan> = None;

        for node in nodes {
            let name = node.name().value();
            match name {
                "mcpctl" => {
                    let span = head_span(node);
                    match first_version {
                        None => first_version = Some(span),
                        Some(first) => self.push(
                            Problem::new(
                                K::Duplicate,
                                "`mcpctl` is given twice",
                                span,
                                "given again here",
                            )
                            .also(first, "first given here")
                            .help("keep one `mcpctl version=1` line, at the top"),
                        ),
                    }
                }
                "defaults" => {
                    let span = head_span(node);
                    if let Some(first) = defaults_node {
                        self.push(
                            Problem::new(
                                K::Duplicate,
                                "`defaults` is given twice",
                                span,
                                "given again here",
                            )
                            .also(first, "first given here")
                            .help("merge them into one `defaults { … }` block"),
                        );
                    } else {
                        defaults_node = Some(span);
                        defaults = self.defaults(node);
                    }
                }
                "client" => {
                    if let Some((target, span)) = self.client(node) {
                        if let Some(first) = client_spans.get(&(target.client, target.scope)) {
                            self.push(
                                Problem::new(
                                    K::Duplicate,
                                    format!(
                                        "client `{}` in scope `{}` is targeted twice",
                                        target.client, target.scope
                                    ),
                                    span,
                                    "targeted again here",
                                )
                                .also(*first, "first targeted here")
                                .help("remove one of them"),
                            );
                        } else {
                            client_spans.insert((target.client, target.scope), span);
                            clients.push(target);
                        }
                    }
                }
                "credential" => {
                    if let Some((draft, span)) = self.credential(node) {
                        let key = draft.credential.name.clone();
                        if let Some(first) = credential_spans.get(&key) {
                            self.push(
                                Problem::new(
                                    K::Duplicate,
                                    format!("credential {} is declared twice", show(&key)),
                                    span,
                                    "declared again here",
                                )
                                .also(*first, "first declared here")
                                .help("a credential is declared once and may be used by many servers; remove one declaration"),
                            );
                        } else {
                            credential_spans.insert(key.clone(), span);
                            credentials.insert(key, draft);
                        }
                    }
                }
                "server" => server_nodes.push(node),
                "role" => role_nodes.push(node),
                "variable" => variable_nodes.push(node),
                "policy" => {
                    let help = "merge them into one `policy { … }` block";
                    if self.first_of_kind(node, "policy", &mut policy_node, help) {
                        policy = self.policy(node);
                    }
                }
                "audit" => {
                    let help = "merge them into one `audit { … }` block";
                    if self.first_of_kind(node, "audit", &mut audit_node, help) {
                        audit = self.audit(node);
                    }
                }
                "shell-profile" => {
                    let help = "list every shell on one line: `shell-profile zsh fish`";
                    if self.first_of_kind(node, "shell-profile", &mut shell_span, help) {
                        shell_profiles = self.shell_profile(node);
                    }
                }
                other => {
                    let help = misplaced(other).or_else(|| {
                        did_you_mean(other, TOP_LEVEL.iter().copied()).map(|s| {
                            format!("did you mean `{s}`? The top level holds `mcpctl`, `defaults`, `client`, `credential`, `server`, `role`, `variable`, `policy`, `audit` and `shell-profile`")
                        })
                    });
                    self.push(
                        Problem::new(
                            K::UnknownNode,
                            format!("unknown node {} at the top level", show(other)),
                            node.name().span(),
                            "unknown node",
                        )
                        .help(help.unwrap_or_else(|| {
                            "the top level holds `mcpctl`, `defaults`, `client`, `credential`, `server`, `role`, `variable`, `policy`, `audit` and `shell-profile`".into()
                        })),
                    );
                }
            }
        }

        let context = ServerContext {
            defaults: &defaults,
            clients: &clients,
            credentials: &credentials,
        };
        let mut servers: BTreeMap<String, ServerDraft> = BTreeMap::new();
        let mut server_spans: HashMap<String, SourceSpan> = HashMap::new();
        for node in &server_nodes {
            if let Some((draft, span)) = self.server(node, &context) {
                let key = draft.server.name.clone();
                if let Some(first) = server_spans.get(&key) {
                    self.push(
                        Problem::new(
                            K::Duplicate,
                            format!("server {} is declared twice", show(&key)),
                            span,
                            "declared again here",
                        )
                        .also(*first, "first declared here")
                        .help("server names are keys in every client's file; rename or remove one"),
                    );
                } else {
                    server_spans.insert(key.clone(), span);
                    servers.insert(key, draft);
                }
            }
        }

        let variables = self.variables(&variable_nodes);
        self.variable_uses(&server_nodes, &variables);
        let roles = self.roles(&role_nodes, &server_spans);

        // Resolution.
        let credentials = credentials
            .into_iter()
            .map(|(name, draft)| (name, resolve_credential(draft, &defaults)))
            .collect();
        let mut targeted: Vec<ClientId> = Vec::new();
        for target in &clients {
            if !targeted.contains(&target.client) {
                targeted.push(target.client);
            }
        }
        let servers = servers
            .into_iter()
            .map(|(name, draft)| {
                let mut server = draft.server;
                server.clients = draft.clients.unwrap_or_else(|| targeted.clone());
                (name, server)
            })
            .collect();

        let manifest = Manifest {
            version: MANIFEST_VERSION,
            defaults,
            clients,
            credentials,
            servers,
            audit,
            shell_profiles,
            roles,
            variables,
            policy,
        };
        if let Some(policy) = &manifest.policy {
            self.check_policy(doc, &manifest, policy);
        }
        self.exported_names(&manifest, &credential_spans, &server_spans);
        Some(manifest)
    }

    /// A credential some server could take by env-ref is exported under
    /// its own name at every shell start: refuse the names that change how
    /// a shell, the loader or a runtime behaves
    /// ([`crate::shell::exportable`]). A manifest naming no client is
    /// judged as the detected clients would take it (no `delivery` of
    /// their own).
    fn exported_names(
        &mut self,
        manifest: &Manifest,
        credential_spans: &HashMap<String, SourceSpan>,
        server_spans: &HashMap<String, SourceSpan>,
    ) {
        let any_client = [ClientTarget {
            client: ClientId::ClaudeCode,
            scope: Scope::User,
            delivery: None,
        }];
        let targets: &[ClientTarget] = if manifest.clients.is_empty() {
            &any_client
        } else {
            &manifest.clients
        };
        let mut refused: Vec<&str> = Vec::new();
        for server in manifest.servers.values() {
            let by_env_ref = targets.iter().any(|t| {
                (manifest.clients.is_empty() || server.clients.contains(&t.client))
                    && manifest.delivery(server, t) == Delivery::EnvRef
            });
            if !by_env_ref {
                continue;
            }
            let headers = match &server.transport {
                Transport::Http {
                    credential_headers, ..
                } => credential_headers
                    .values()
                    .map(|h| h.credential.as_str())
                    .collect(),
                Transport::Stdio { .. } => Vec::new(),
            };
            let exported = server.credential_bindings().map(|(_, c)| c).chain(headers);
            for name in exported {
                let Some(reason) = crate::shell::exportable::refusal(name) else {
                    continue;
                };
                let Some(&span) = credential_spans.get(name) else {
                    continue;
                };
                if refused.contains(&name) {
                    continue;
                }
                refused.push(name);
                let mut problem = Problem::new(
                    K::InvalidName,
                    format!(
                        "credential {} cannot be exported into your shell: `{name}` {reason}",
                        show(name)
                    ),
                    span,
                    "exported under this name by env-ref delivery",
                )
                .help(format!(
                    "with env-ref delivery `mcpctl env` exports each credential under its own name at every shell start; \
                     rename the credential (e.g. `credential MCP_{name}`) and bind it under the name the server expects \
                     (`env {name} credential=MCP_{name}`), or give the server `delivery exec`"
                ));
                if let Some(&server_span) = server_spans.get(&server.name) {
                    problem = problem.also(server_span, "takes it by env-ref");
                }
                self.push(problem);
            }
        }
    }

    // ----- whole-document sweep -------------------------------------------

    /// Secret-shaped literals and type annotations, anywhere in the file.
    ///
    /// Every string is judged with what names it: `env NAME "…"` and
    /// `header NAME "…"` by NAME, an argument by the flag before it
    /// (`"--api-key" "…"`, `"--api-key=…"`), a URL by its query parameters
    /// (but the audit `webhook`'s, whose query plan redacts).
    /// A provider's token shape is a secret even when it holds a word such
    /// as `fake` or `example`: the manifest's values are written to client
    /// files as they are ([`Placeholders::ReferencesOnly`]).
    fn sweep(&mut self, doc: &KdlDocument) {
        for node in doc.nodes() {
            if let Some(ty) = node.ty() {
                self.type_annotation(ty.span());
            }
            let node_name = node.name().value();
            self.unsafe_characters(node_name, node_name, node.name().span());
            let binding = matches!(node_name, "env" | "header");
            let mut previous: Option<&str> = None;
            for (index, entry) in node.entries().iter().enumerate() {
                if let Some(ty) = entry.ty() {
                    self.type_annotation(ty.span());
                }
                if let Some(key) = entry.name() {
                    self.unsafe_characters(node_name, key.value(), key.span());
                }
                let Some(value) = entry.value().as_string() else {
                    previous = None;
                    continue;
                };
                self.unsafe_characters(node_name, value, entry.span());
                let found = match (entry.name(), previous) {
                    // The audit webhook's URL is mcpctl's own setting, shown
                    // in plan with its query redacted: judged by shape only.
                    _ if node_name == "webhook" => {
                        secret_patterns::detect_all_with(value, Placeholders::ReferencesOnly)
                    }
                    (Some(_), _) => {
                        secret_patterns::detect_unnamed(value, Placeholders::ReferencesOnly)
                    }
                    (None, Some(name)) if binding && index == 1 => {
                        secret_patterns::detect_named_with(
                            name,
                            value,
                            Placeholders::ReferencesOnly,
                        )
                    }
                    (None, previous) => secret_patterns::detect_argument(
                        previous,
                        value,
                        Placeholders::ReferencesOnly,
                    ),
                };
                if entry.name().is_none() {
                    previous = Some(value);
                }
                if let Some(found) = found.into_iter().next() {
                    self.push(
                        Problem::new(
                            K::Secret,
                            format!(
                                "{} holds a secret value ({})",
                                show(node.name().value()),
                                found.rule
                            ),
                            entry.span(),
                            format!("this looks like {}", found.description),
                        )
                        .help(SECRET_HELP),
                    );
                }
            }
            if let Some(children) = node.children() {
                self.sweep(children);
            }
        }
    }

    /// A control character or bidirectional override in a name or string
    /// of `node` (every string the manifest holds passes here, whatever
    /// field it becomes): refused, since descriptions, URLs, scopes and
    /// names all end up on a terminal.
    fn unsafe_characters(&mut self, node: &str, text: &str, span: SourceSpan) {
        if let Some(c) = terminal_text::first_unsafe(text) {
            let what = terminal_text::describe(c);
            self.push(
                Problem::new(
                    K::UnsafeCharacter,
                    format!("{} holds {what}", show(node)),
                    span,
                    format!("{what} in this value"),
                )
                .help(UNSAFE_HELP),
            );
        }
    }

    fn type_annotation(&mut self, span: SourceSpan) {
        self.push(
            Problem::new(
                K::TypeAnnotation,
                "type annotations have no meaning in mcpctl.kdl",
                span,
                "type annotation",
            )
            .help("remove the `(…)` annotation"),
        );
    }

    // ----- mcpctl version=1 -----------------------------------------------

    fn version(&mut self, nodes: &[KdlNode]) -> Version {
        let Some(index) = nodes.iter().position(|n| n.name().value() == "mcpctl") else {
            let span = nodes
                .first()
                .map_or(SourceSpan::from((0, 0)), |n| n.name().span());
            self.push(
                Problem::new(
                    K::Version,
                    "the manifest does not say which version of the format it uses",
                    span,
                    "expected `mcpctl version=1` before this",
                )
                .help("add `mcpctl version=1` at the top"),
            );
            return Version::Missing;
        };
        let node = &nodes[index];
        if index != 0 {
            self.push(
                Problem::new(
                    K::Version,
                    "`mcpctl version=…` must come first",
                    head_span(node),
                    "move this to the top",
                )
                .also(nodes[0].name().span(), "the manifest starts here")
                .help("the version line tells readers and mcpctl which format the rest is written in; put `mcpctl version=1` at the top"),
            );
        }
        self.no_children(node);
        for entry in positional(node) {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`mcpctl` takes the version as a property",
                    entry.span(),
                    "unexpected argument",
                )
                .help("write `mcpctl version=1`"),
            );
        }
        let props = self.properties(node, &["version", "required-version"]);
        if let Some(required) = props.get("required-version")
            && !self.required_version(required)
        {
            return Version::Unsupported;
        }
        let Some(entry) = props.get("version") else {
            self.push(
                Problem::new(
                    K::Version,
                    "`mcpctl` does not say which version of the format the manifest uses",
                    head_span(node),
                    "no `version`",
                )
                .help("add `mcpctl version=1` at the top"),
            );
            return Version::Missing;
        };
        match entry.value() {
            KdlValue::Integer(v) if *v == i128::from(MANIFEST_VERSION) => Version::Supported,
            KdlValue::Integer(v) => {
                self.push(
                    Problem::new(
                        K::Version,
                        format!("manifest version {v} is not supported"),
                        entry.span(),
                        "unsupported version",
                    )
                    .help(format!(
                        "this mcpctl understands version {MANIFEST_VERSION}; a newer mcpctl may read this manifest"
                    )),
                );
                Version::Unsupported
            }
            other => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!(
                            "the version must be a whole number, not {}",
                            type_name(other)
                        ),
                        entry.span(),
                        "not a number",
                    )
                    .help("write `mcpctl version=1`, without quotes"),
                );
                Version::Missing
            }
        }
    }

    /// `required-version=">=0.2"`: the mcpctl versions this manifest is
    /// written for (a semver requirement, as in Cargo.toml). False when
    /// this build is not one of them: the rest may use what it lacks.
    fn required_version(&mut self, entry: &KdlEntry) -> bool {
        let Some(text) = self.string(entry) else {
            return true;
        };
        let running = semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("own version");
        match semver::VersionReq::parse(text) {
            Ok(required) if required.matches(&running) => true,
            Ok(required) => {
                self.push(
                    Problem::new(
                        K::Version,
                        format!("this manifest needs mcpctl {required}, and this is mcpctl {running}"),
                        entry.span(),
                        "required here",
                    )
                    .help(format!(
                        "upgrade mcpctl to a version matching `{required}` (`cargo install --locked mcpctl`, or your package manager), then run the command again; nothing was done"
                    )),
                );
                false
            }
            Err(err) => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`required-version` is not a version requirement: {err}"),
                        entry.span(),
                        "not a requirement",
                    )
                    .help(
                        "write a requirement as in Cargo.toml, e.g. `required-version=\">=0.2\"`",
                    ),
                );
                true
            }
        }
    }

    // ----- defaults { … } -------------------------------------------------

    fn defaults(&mut self, node: &KdlNode) -> Defaults {
        let mut defaults = Defaults::default();
        self.arguments(node, Shape::NONE);
        self.properties(node, &[]);
        let mut seen = Seen::default();
        for child in children(node) {
            let name = child.name().value();
            if !self.once(&mut seen, child, "defaults") {
                continue;
            }
            match name {
                "delivery" => {
                    if let Some(delivery) = self.delivery(child) {
                        defaults.delivery = delivery;
                    }
                }
                "rotate-every" => defaults.rotate_every = self.period(child),
                "warn-before" => {
                    if let Some(period) = self.period(child) {
                        defaults.warn_before = period;
                    }
                }
                "namespace" => defaults.namespace = self.namespace(child),
                other => self.unknown_child(child, other, "defaults", DEFAULTS_CHILDREN),
            }
        }
        defaults
    }

    // ----- audit { … } ----------------------------------------------------

    fn audit(&mut self, node: &KdlNode) -> AuditPolicy {
        let mut audit = AuditPolicy::default();
        self.arguments(node, Shape::NONE);
        self.properties(node, &[]);
        let mut seen = Seen::default();
        for child in children(node) {
            let name = child.name().value();
            if !self.once(&mut seen, child, "audit") {
                continue;
            }
            match name {
                "retain" => audit.retain = self.period(child),
                "syslog" => {
                    self.arguments(child, Shape::NONE);
                    self.properties(child, &[]);
                    self.no_children(child);
                    audit.syslog = true;
                }
                "webhook" => {
                    let props = self.properties(child, &["alerts-only"]);
                    if let Some(entry) = props.get("alerts-only") {
                        match entry.value() {
                            KdlValue::Bool(b) => audit.webhook_alerts_only = *b,
                            other => self.push(
                                Problem::new(
                                    K::Arguments,
                                    format!(
                                        "`alerts-only` is #true or #false, not {}",
                                        type_name(other)
                                    ),
                                    entry.span(),
                                    "not a boolean",
                                )
                                .help("write `alerts-only=#true`"),
                            ),
                        }
                    }
                    self.no_children(child);
                    audit.webhook = self
                        .single(child, Shape::WEBHOOK)
                        .and_then(|entry| self.url_entry(child, entry));
                    // The POST sends no user information, and connecting
                    // to `token@host` would ask the name resolver for it.
                    if let Some(url) = &audit.webhook
                        && let Some(rest) = url.split_once("://").map(|(_, rest)| rest)
                        && rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].contains('@')
                    {
                        let span = positional(child)
                            .first()
                            .map_or(child.name().span(), |e| e.span());
                        self.push(
                            Problem::new(
                                K::Unsupported,
                                "a webhook URL with user information (`user@`) is not supported",
                                span,
                                "user information",
                            )
                            .help("remove the `…@` part; a key the endpoint needs goes in the query (`?key=…`), which plan shows redacted"),
                        );
                    }
                    if let Some(url) = &audit.webhook
                        && !url.to_ascii_lowercase().starts_with("http://")
                    {
                        let span = positional(child)
                            .first()
                            .map_or(child.name().span(), |e| e.span());
                        self.push(
                            Problem::new(
                                K::Unsupported,
                                "https webhooks are not supported yet",
                                span,
                                "https",
                            )
                            .help("forward to an http:// endpoint on this machine or your network (a local relay such as Vector or Fluent Bit can add TLS), or use `syslog`"),
                        );
                    }
                }
                "alert-reads-per-hour" => {
                    if let Some(entry) = self.single(child, Shape::COUNT) {
                        match entry.value() {
                            KdlValue::Integer(n) if *n > 0 && *n <= i128::from(u32::MAX) => {
                                audit.alert_reads_per_hour = Some(*n as u32);
                            }
                            _ => self.push(
                                Problem::new(
                                    K::Arguments,
                                    "`alert-reads-per-hour` takes a positive whole number",
                                    entry.span(),
                                    "not a positive whole number",
                                )
                                .help("write e.g. `alert-reads-per-hour 20`"),
                            ),
                        }
                    }
                }
                other => self.unknown_child(child, other, "audit", AUDIT_CHILDREN),
            }
        }
        audit
    }

    fn delivery(&mut self, node: &KdlNode) -> Option<Delivery> {
        let entry = self.single(node, Shape::ONE_WORD)?;
        self.delivery_value(entry)
    }

    fn delivery_value(&mut self, entry: &KdlEntry) -> Option<Delivery> {
        let value = self.string(entry)?;
        match value {
            "exec" => Some(Delivery::Exec),
            "env-ref" => Some(Delivery::EnvRef),
            other => {
                let help = did_you_mean(other, DELIVERIES.iter().copied())
                    .map(|s| format!("did you mean `{s}`? Delivery is `exec` or `env-ref`"))
                    .unwrap_or_else(|| "delivery is `exec` or `env-ref`".into());
                self.push(
                    Problem::new(
                        K::UnknownDelivery,
                        format!("unknown delivery {}", show(other)),
                        entry.span(),
                        "unknown delivery",
                    )
                    .help(help),
                );
                None
            }
        }
    }

    fn period(&mut self, node: &KdlNode) -> Option<Period> {
        let entry = self.single(node, Shape::PERIOD)?;
        match entry.value() {
            KdlValue::String(text) => match rotation::parse_period(text) {
                Ok(period) => Some(period),
                Err(err) => {
                    self.push(
                        Problem::new(
                            K::Duration,
                            "invalid rotation period",
                            entry.span(),
                            err.label(),
                        )
                        .help(PERIOD_HELP),
                    );
                    None
                }
            },
            KdlValue::Integer(_) | KdlValue::Float(_) => {
                self.push(
                    Problem::new(
                        K::Duration,
                        "a rotation period needs a unit",
                        entry.span(),
                        "a bare number",
                    )
                    .help(PERIOD_HELP),
                );
                None
            }
            other => {
                self.push(
                    Problem::new(
                        K::Duration,
                        format!(
                            "a rotation period must be a string, not {}",
                            type_name(other)
                        ),
                        entry.span(),
                        "not a period",
                    )
                    .help(PERIOD_HELP),
                );
                None
            }
        }
    }

    // ----- client NAME scope=… --------------------------------------------

    fn client(&mut self, node: &KdlNode) -> Option<(ClientTarget, SourceSpan)> {
        self.no_children(node);
        let props = self.properties(node, &["scope", "delivery"]);
        let delivery = match props.get("delivery") {
            None => Some(None),
            Some(entry) => self.delivery_value(entry).map(Some),
        };
        let scope = match props.get("scope") {
            None => Some(Scope::User),
            Some(entry) => self.string(entry).and_then(|value| {
                let scope = Scope::from_name(value);
                if scope.is_none() {
                    let names = Scope::ALL.map(Scope::as_str);
                    let known = "a scope is `user` (the default), `local` or `project`";
                    self.unknown_name(
                        K::UnknownScope,
                        "scope",
                        "unknown scope",
                        value,
                        entry.span(),
                        names,
                        known,
                    );
                }
                scope
            }),
        };
        let client_entry = self.single(node, Shape::CLIENT);
        let client = client_entry.and_then(|entry| self.client_id(entry));
        if let (Some(client), Some(scope), Some(entry)) = (client, scope, client_entry)
            && !client.scopes().contains(&scope)
        {
            let scopes = client
                .scopes()
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.push(
                Problem::new(
                    K::UnknownScope,
                    format!("client `{client}` has no `{scope}` scope"),
                    props.get("scope").map_or(entry.span(), |e| e.span()),
                    "not a scope of this client",
                )
                .help(format!("`{client}` has {scopes}")),
            );
            return None;
        }
        Some((
            ClientTarget {
                client: client?,
                scope: scope?,
                delivery: delivery?,
            },
            head_span(node),
        ))
    }

    // ----- shell-profile SHELL… -------------------------------------------

    fn shell_profile(&mut self, node: &KdlNode) -> Vec<Shell> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        let usage = "write the shells whose profile gets mcpctl's block, e.g. `shell-profile zsh` (bash, zsh, fish, powershell)";
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`shell-profile` names no shell",
                    node.name().span(),
                    "no shell",
                )
                .help(usage),
            );
        }
        let mut shells = Vec::new();
        for entry in entries {
            let Some(name) = self.string(entry) else {
                continue;
            };
            match Shell::from_name(name) {
                Some(shell) if !shells.contains(&shell) => shells.push(shell),
                Some(_) => self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("shell `{name}` is listed twice"),
                        entry.span(),
                        "listed again here",
                    )
                    .help("remove one of them"),
                ),
                None => {
                    let known = "mcpctl manages profiles of `bash`, `zsh`, `fish` and `powershell`";
                    self.unknown_name(
                        K::Arguments,
                        "shell",
                        "unknown shell",
                        name,
                        entry.span(),
                        Shell::ALL.map(Shell::as_str),
                        known,
                    );
                }
            }
        }
        shells
    }

    fn client_id(&mut self, entry: &KdlEntry) -> Option<ClientId> {
        let value = self.string(entry)?;
        let client = ClientId::from_name(value);
        if client.is_none() {
            let names = ClientId::ALL.map(ClientId::as_str);
            let known = format!(
                "mcpctl knows {}",
                ClientId::ALL.map(|c| format!("`{c}`")).join(", ")
            );
            self.unknown_name(
                K::UnknownClient,
                "client",
                "unknown client",
                value,
                entry.span(),
                names,
                &known,
            );
        }
        client
    }

    // ----- credential NAME { … } ------------------------------------------

    fn credential(&mut self, node: &KdlNode) -> Option<(CredentialDraft, SourceSpan)> {
        self.properties(node, &[]);
        let name_entry = self.single(node, Shape::CREDENTIAL);
        let name = name_entry.and_then(|e| self.string(e)).map(str::to_owned);
        let span = name_entry.map_or(node.name().span(), KdlEntry::span);
        let mut valid = name.is_some();
        if let Some(name) = name.as_deref().filter(|n| !is_env_name(n)) {
            valid = false;
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid credential name", show(name)),
                    span,
                    "not an environment variable name",
                )
                .help("a credential's name is also the environment variable it fills by default: letters, digits and `_`, not starting with a digit (e.g. `GITHUB_TOKEN`)"),
            );
        }
        let mut credential = Credential {
            name: name.unwrap_or_default(),
            kind: CredentialKind::Other,
            provider: None,
            scopes: Vec::new(),
            rotate_every: None,
            rotate_every_source: None,
            create_at: None,
            description: None,
            source: Source::Store,
            namespace: None,
            classification: None,
        };
        let mut own_period = None;
        let mut namespace_span = None;
        let mut seen = Seen::default();
        for child in children(node) {
            let child_name = child.name().value();
            if !self.once(&mut seen, child, "credential") {
                continue;
            }
            match child_name {
                "kind" => {
                    if let Some(kind) = self.kind(child) {
                        credential.kind = kind;
                    }
                }
                "provider" => credential.provider = self.provider(child),
                "scopes" => credential.scopes = self.scopes(child),
                "rotate-every" => own_period = self.period(child),
                "create-at" => credential.create_at = self.url(child),
                "description" => credential.description = self.text(child),
                "source" => {
                    if let Some(source) = self.source(child) {
                        credential.source = source;
                    }
                }
                "namespace" => {
                    credential.namespace = self.namespace(child);
                    namespace_span = Some(child.name().span());
                }
                "classification" => credential.classification = self.classification(child),
                other => self.unknown_child(child, other, "credential", CREDENTIAL_CHILDREN),
            }
        }
        if let (Some(span), false) = (namespace_span, credential.source.is_store()) {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!(
                        "credential {} reads from {}, so a store namespace does not apply",
                        show(&credential.name),
                        credential.source.describe()
                    ),
                    span,
                    "not in the OS store",
                )
                .help("a namespace names OS store entries; remove `namespace`, or remove `source` to keep the value in the store"),
            );
        }
        valid.then_some((
            CredentialDraft {
                credential,
                own_period,
            },
            span,
        ))
    }

    /// `source store` | `source env [var=NAME]` | `source command PROGRAM
    /// ARGS… [timeout="30s"]`.
    fn source(&mut self, node: &KdlNode) -> Option<Source> {
        self.no_children(node);
        let entries = positional(node);
        let Some(first) = entries.first() else {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`source` names no source",
                    node.name().span(),
                    "a source expected",
                )
                .help(SOURCE_HELP),
            );
            return None;
        };
        let kind = self.string(first)?;
        match kind {
            "store" | "env" => {
                let props = self.properties(node, if kind == "env" { &["var"] } else { &[] });
                for extra in entries.iter().skip(1) {
                    self.push(
                        Problem::new(
                            K::Arguments,
                            format!("`source {kind}` takes no further arguments"),
                            extra.span(),
                            "unexpected argument",
                        )
                        .help(SOURCE_HELP),
                    );
                }
                if kind == "store" {
                    return Some(Source::Store);
                }
                let var = match props.get("var") {
                    None => String::new(), // filled with the credential's name
                    Some(entry) => {
                        let var = self.string(entry)?;
                        if !is_env_name(var) {
                            self.push(
                                Problem::new(
                                    K::InvalidName,
                                    format!("{} is not an environment variable name", show(var)),
                                    entry.span(),
                                    "not a variable name",
                                )
                                .help("letters, digits and `_`, not starting with a digit, e.g. `var=CI_GITHUB_TOKEN`"),
                            );
                            return None;
                        }
                        var.to_owned()
                    }
                };
                Some(Source::Env { var })
            }
            "command" => {
                let props = self.properties(node, &["timeout"]);
                let mut argv = Vec::new();
                for entry in entries.iter().skip(1) {
                    argv.push(self.string(entry)?.to_owned());
                }
                if argv.first().is_none_or(|p| p.trim().is_empty()) {
                    self.push(
                        Problem::new(
                            K::Arguments,
                            "`source command` names no program",
                            first.span(),
                            "a program expected after `command`",
                        )
                        .help(SOURCE_HELP),
                    );
                    return None;
                }
                let timeout_secs = match props.get("timeout") {
                    None => DEFAULT_COMMAND_TIMEOUT_SECS,
                    Some(entry) => {
                        let text = self.string(entry)?;
                        match parse_timeout(text) {
                            Some(secs) => secs,
                            None => {
                                self.push(
                                    Problem::new(
                                        K::Duration,
                                        format!("{} is not a timeout", show(text)),
                                        entry.span(),
                                        "not a timeout",
                                    )
                                    .help("write seconds or minutes, e.g. `timeout=\"10s\"` or `timeout=\"2m\"` (at most 10m)"),
                                );
                                return None;
                            }
                        }
                    }
                };
                Some(Source::Command { argv, timeout_secs })
            }
            other => {
                self.unknown_name(
                    K::Arguments,
                    "source",
                    "unknown source",
                    other,
                    first.span(),
                    SOURCES.iter().copied(),
                    SOURCE_HELP,
                );
                None
            }
        }
    }

    /// `namespace "team-a"`: lower-case letters, digits, `-`, `_`, `.`.
    fn namespace(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::NAMESPACE)?;
        let value = self.string(entry)?;
        let ok = !value.is_empty()
            && value.len() <= 64
            && value.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            });
        if !ok {
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid namespace", show(value)),
                    entry.span(),
                    "lower-case letters, digits, `-`, `_` and `.` only",
                )
                .help("a namespace prefixes store entries (`team-a/GITHUB_TOKEN`): write e.g. `namespace \"team-a\"`"),
            );
            return None;
        }
        Some(value.to_owned())
    }

    fn kind(&mut self, node: &KdlNode) -> Option<CredentialKind> {
        let entry = self.single(node, Shape::KIND)?;
        let value = self.string(entry)?;
        let kind = CredentialKind::from_name(value);
        if kind.is_none() {
            let names = CredentialKind::ALL.map(CredentialKind::as_str);
            let list = "a kind is one of `personal-access-token`, `oauth-token`, `api-key`, `connection-string`, `access-key`, `password`, `file`, `other`";
            self.unknown_name(
                K::UnknownKind,
                "credential kind",
                "unknown kind",
                value,
                entry.span(),
                names,
                list,
            );
        }
        kind
    }

    fn provider(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::PROVIDER)?;
        let value = self.string(entry)?;
        let ok = value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid provider name", show(value)),
                    entry.span(),
                    "lower-case letters, digits and `-` only",
                )
                .help("write the provider in lower case, e.g. `github`, `slack`, `azure-devops`, so the rotation schedule recognizes it"),
            );
            return None;
        }
        Some(value.to_owned())
    }

    fn scopes(&mut self, node: &KdlNode) -> Vec<String> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`scopes` lists no scopes",
                    node.name().span(),
                    "no scopes",
                )
                .help("list them, e.g. `scopes repo \"read:org\"`, or remove the line if the token needs none"),
            );
        }
        let mut scopes = Vec::new();
        let mut spans: HashMap<String, SourceSpan> = HashMap::new();
        for entry in entries {
            let Some(scope) = self.string(entry) else {
                continue;
            };
            if let Some(first) = spans.get(scope) {
                self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("scope {} is listed twice", show(scope)),
                        entry.span(),
                        "listed again here",
                    )
                    .also(*first, "first listed here")
                    .help("remove one of them"),
                );
                continue;
            }
            spans.insert(scope.to_owned(), entry.span());
            scopes.push(scope.to_owned());
        }
        scopes
    }

    // ----- server NAME { … } ----------------------------------------------

    fn server(
        &mut self,
        node: &KdlNode,
        cx: &ServerContext<'_>,
    ) -> Option<(ServerDraft, SourceSpan)> {
        self.properties(node, &[]);
        let name_entry = self.single(node, Shape::SERVER);
        let name = name_entry.and_then(|e| self.string(e)).map(str::to_owned);
        let name_span = name_entry.map_or(node.name().span(), KdlEntry::span);
        let who = match &name {
            Some(name) => format!("server {}", show(name)),
            None => "this server".to_owned(),
        };
        let mut valid = name.is_some();
        if let Some(name) = name.as_deref().filter(|n| !is_server_name(n)) {
            valid = false;
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid server name", show(name)),
                    name_span,
                    "invalid server name",
                )
                .help("a server name becomes a key in every client's file and a command-line argument: letters, digits, `-` and `_`, starting with a letter or digit"),
            );
        }

        let mut description = None;
        let mut command: Option<(Vec<String>, SourceSpan)> = None;
        let mut url: Option<(String, SourceSpan)> = None;
        let mut env: BTreeMap<String, EnvValue> = BTreeMap::new();
        let mut env_spans: HashMap<String, SourceSpan> = HashMap::new();
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        let mut header_spans: HashMap<String, SourceSpan> = HashMap::new();
        let mut credential_headers: BTreeMap<String, CredentialHeader> = BTreeMap::new();
        let mut credential_header_spans: Vec<SourceSpan> = Vec::new();
        let mut header_nodes: Vec<SourceSpan> = Vec::new();
        let mut clients = None;
        let mut delivery = None;
        let mut classification = None;
        let mut external = false;
        let mut seen = Seen::default();

        for child in children(node) {
            let child_name = child.name().value();
            if !matches!(child_name, "credential" | "env" | "header")
                && !self.once(&mut seen, child, "server")
            {
                continue;
            }
            match child_name {
                "description" => description = self.text(child),
                "command" => {
                    if let Some(argv) = self.command(child) {
                        command = Some((argv, head_span(child)));
                    } else {
                        // Still a local server, for the transport check.
                        command = Some((Vec::new(), head_span(child)));
                    }
                }
                "url" => url = Some((self.url(child).unwrap_or_default(), head_span(child))),
                "credential" => {
                    self.no_children(child);
                    self.properties(child, &[]);
                    let entries = positional(child);
                    if entries.is_empty() {
                        self.push(
                            Problem::new(
                                K::Arguments,
                                "`credential` names no credential",
                                child.name().span(),
                                "no credential",
                            )
                            .help("write `credential GITHUB_TOKEN`: the server gets environment variable GITHUB_TOKEN from credential GITHUB_TOKEN"),
                        );
                    }
                    for entry in entries {
                        let Some(cred) = self.string(entry) else {
                            continue;
                        };
                        if self.credential_ref(entry, cred, cx) {
                            self.bind_env(
                                &mut env,
                                &mut env_spans,
                                cred,
                                entry.span(),
                                EnvValue::Credential {
                                    credential: cred.to_owned(),
                                },
                                &who,
                            );
                        }
                    }
                }
                "env" => {
                    if let Some((var, var_span, value)) = self.binding(child, cx, Binding::Env) {
                        let value = match value {
                            Bound::Literal(value) => EnvValue::Literal { value },
                            Bound::Credential(credential) => EnvValue::Credential { credential },
                        };
                        self.bind_env(&mut env, &mut env_spans, &var, var_span, value, &who);
                    }
                }
                "header" => {
                    header_nodes.push(head_span(child));
                    if let Some((header, span, value)) = self.binding(child, cx, Binding::Header) {
                        let key = header.to_ascii_lowercase();
                        if let Some(first) = header_spans.get(&key) {
                            self.push(
                                Problem::new(
                                    K::Duplicate,
                                    format!("header {} is set twice", show(&header)),
                                    span,
                                    "set again here",
                                )
                                .also(*first, "first set here")
                                .help("header names are case-insensitive; keep one"),
                            );
                            continue;
                        }
                        header_spans.insert(key, span);
                        match value {
                            Bound::Literal(value) => {
                                if let Some(scheme) = child.entry("scheme") {
                                    self.push(
                                        Problem::new(
                                            K::Arguments,
                                            "`scheme` applies only to a header from a credential",
                                            scheme.span(),
                                            "scheme on a literal header",
                                        )
                                        .help("write the whole value, e.g. `header Authorization \"Basic …\"`, or use `credential=NAME scheme=Bearer`"),
                                    );
                                }
                                headers.insert(header, value);
                            }
                            Bound::Credential(credential) => {
                                credential_header_spans.push(head_span(child));
                                let scheme = self.header_scheme(child);
                                credential_headers
                                    .insert(header, CredentialHeader { credential, scheme });
                            }
                        }
                    }
                }
                "clients" => clients = self.server_clients(child, cx),
                "delivery" => delivery = self.delivery(child),
                "classification" => classification = self.classification(child),
                "external" => external = self.flag(child).unwrap_or(false),
                other => self.unknown_child(child, other, "server", SERVER_CHILDREN),
            }
        }

        // A secret header reaches a remote server only through the
        // client's own reference syntax: some client must use env-ref.
        let env_ref_somewhere = match delivery {
            Some(delivery) => delivery == Delivery::EnvRef,
            None => {
                cx.defaults.delivery == Delivery::EnvRef
                    || cx
                        .clients
                        .iter()
                        .any(|t| t.delivery == Some(Delivery::EnvRef))
            }
        };
        if !env_ref_somewhere {
            for span in credential_header_spans {
                self.push(
                    Problem::new(
                        K::Transport,
                        "a remote server's credential header needs delivery env-ref",
                        span,
                        "header from a credential",
                    )
                    .help("with `exec` delivery mcpctl starts local servers only, so it cannot hand a secret to a remote one; add `delivery env-ref` to this server (clients then send the header from an exported variable, see `mcpctl env`)"),
                );
            }
        }

        let transport = match (command, url) {
            (Some((argv, span)), None) => {
                for header in header_nodes {
                    self.push(
                        Problem::new(
                            K::Transport,
                            "`header` applies only to a remote server (`url`)",
                            header,
                            "header on a local server",
                        )
                        .also(span, "this server runs a local command"),
                    );
                }
                let mut argv = argv.into_iter();
                Some(Transport::Stdio {
                    command: argv.next().unwrap_or_default(),
                    args: argv.collect(),
                })
            }
            (None, Some((url, _))) => Some(Transport::Http {
                url,
                headers,
                credential_headers,
            }),
            (None, None) => {
                // A misspelt `credential=` was reported already.
                let misspelt = node
                    .entries()
                    .iter()
                    .any(|e| e.name().is_some_and(|n| n.value() != "credential"));
                if misspelt {
                    return None;
                }
                self.push(
                    Problem::new(
                        K::Transport,
                        format!("{who} has neither `command` nor `url`"),
                        name_span,
                        "no way to reach this server",
                    )
                    .help("a local server needs `command PROGRAM ARGS…` (e.g. `command npx -y \"@scope/package\"`); a remote one needs `url \"https://…\"`"),
                );
                None
            }
            (Some((_, command)), Some((_, url))) => {
                self.push(
                    Problem::new(
                        K::Transport,
                        format!("{who} has both `command` and `url`"),
                        url,
                        "remote",
                    )
                    .also(command, "local")
                    .help("a server is either local (`command`) or remote (`url`); keep one, or declare two servers"),
                );
                None
            }
        };

        let server = Server {
            name: name.unwrap_or_default(),
            description,
            transport: transport?,
            env,
            clients: Vec::new(),
            delivery,
            classification,
            external,
        };
        valid.then_some((ServerDraft { server, clients }, name_span))
    }

    /// `scheme=Bearer` on a credential header: one word, written before
    /// the secret with a space.
    fn header_scheme(&mut self, node: &KdlNode) -> Option<String> {
        let entry = node.entry("scheme")?;
        let scheme = self.string(entry)?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("{} is not an authentication scheme", show(scheme)),
                    entry.span(),
                    "not a scheme",
                )
                .help("a scheme is one word such as `Bearer` or `Token`; the header is sent as `<scheme> <secret>`"),
            );
            return None;
        }
        Some(scheme.to_owned())
    }

    fn command(&mut self, node: &KdlNode) -> Option<Vec<String>> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`command` names no program",
                    node.name().span(),
                    "no program",
                )
                .help("write the program, then its arguments: `command npx -y \"@modelcontextprotocol/server-github\"`"),
            );
            return None;
        }
        let mut argv = Vec::new();
        let mut ok = true;
        for entry in &entries {
            match self.string(entry) {
                Some(arg) => argv.push(arg.to_owned()),
                None => ok = false,
            }
        }
        if argv.first().is_some_and(|p| p.trim().is_empty()) {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`command` names an empty program",
                    entries[0].span(),
                    "empty",
                )
                .help("write the program to run, e.g. `npx`"),
            );
            ok = false;
        }
        ok.then_some(argv)
    }

    /// `env VAR "value"` / `env VAR credential=NAME`, and the same for
    /// `header`.
    fn binding(
        &mut self,
        node: &KdlNode,
        cx: &ServerContext<'_>,
        what: Binding,
    ) -> Option<(String, SourceSpan, Bound)> {
        let keyword = what.keyword();
        self.no_children(node);
        let allowed: &[&str] = match what {
            Binding::Env => &["credential"],
            Binding::Header => &["credential", "scheme"],
        };
        let props = self.properties(node, allowed);
        let entries = positional(node);
        let usage = what.usage();
        let Some(name_entry) = entries.first() else {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("`{keyword}` names no {}", what.noun()),
                    node.name().span(),
                    format!("no {}", what.noun()),
                )
                .help(usage),
            );
            return None;
        };
        for extra in entries.iter().skip(2) {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("too many arguments to `{keyword}`"),
                    extra.span(),
                    "unexpected argument",
                )
                .help(usage),
            );
        }
        let name = self.string(name_entry)?.to_owned();
        let name_ok = match what {
            Binding::Env => is_env_name(&name),
            Binding::Header => is_header_name(&name),
        };
        if !name_ok {
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid {}", show(&name), what.noun()),
                    name_entry.span(),
                    format!("invalid {}", what.noun()),
                )
                .help(match what {
                    Binding::Env => "an environment variable name is letters, digits and `_`, not starting with a digit",
                    Binding::Header => "a header name is letters, digits and `-` (e.g. `X-Team`)",
                }),
            );
        }
        let literal = entries.get(1);
        let credential = props.get("credential");
        let value = match (literal, credential) {
            (Some(literal), None) => Bound::Literal(self.string(literal)?.to_owned()),
            (None, Some(entry)) => {
                let cred = self.string(entry)?;
                if !self.credential_ref(entry, cred, cx) {
                    return None;
                }
                Bound::Credential(cred.to_owned())
            }
            (Some(literal), Some(entry)) => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`{keyword}` has both a value and a credential"),
                        literal.span(),
                        "a value",
                    )
                    .also(entry.span(), "a credential")
                    .help(usage),
                );
                return None;
            }
            (None, None) => {
                // A misspelt `credential=` was reported already.
                let misspelt = node
                    .entries()
                    .iter()
                    .any(|e| e.name().is_some_and(|n| !allowed.contains(&n.value())));
                if misspelt {
                    return None;
                }
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`{keyword}` gives no value"),
                        head_span(node),
                        "no value",
                    )
                    .help(usage),
                );
                return None;
            }
        };
        name_ok.then_some((name, name_entry.span(), value))
    }

    fn bind_env(
        &mut self,
        env: &mut BTreeMap<String, EnvValue>,
        spans: &mut HashMap<String, SourceSpan>,
        var: &str,
        span: SourceSpan,
        value: EnvValue,
        server: &str,
    ) {
        if let Some(first) = spans.get(var) {
            self.push(
                Problem::new(
                    K::Duplicate,
                    format!(
                        "environment variable {} is set twice in {server}",
                        show(var)
                    ),
                    span,
                    "set again here",
                )
                .also(*first, "first defined here")
                .help("`credential NAME` sets the variable NAME; bind a credential to another variable with `env VAR credential=NAME`"),
            );
            return;
        }
        spans.insert(var.to_owned(), span);
        env.insert(var.to_owned(), value);
    }

    /// Whether `name` is a declared credential; reports it if not.
    fn credential_ref(&mut self, entry: &KdlEntry, name: &str, cx: &ServerContext<'_>) -> bool {
        if cx.credentials.contains_key(name) {
            return true;
        }
        let declare = format!(
            "declare it at the top level: `credential {} {{ kind … }}`",
            if is_env_name(name) && secret_patterns::detect(name).is_none() {
                name
            } else {
                "NAME"
            }
        );
        let help = did_you_mean(name, cx.credentials.keys().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? Or {declare}"))
            .unwrap_or_else(|| capitalize(&declare));
        self.push(
            Problem::new(
                K::UnknownCredential,
                format!("unknown credential {}", show(name)),
                entry.span(),
                "not declared",
            )
            .help(help),
        );
        false
    }

    fn server_clients(&mut self, node: &KdlNode, cx: &ServerContext<'_>) -> Option<Vec<ClientId>> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`clients` lists no clients",
                    node.name().span(),
                    "no clients",
                )
                .help("list them, e.g. `clients claude-code codex`, or remove the line to give the server to every client the manifest targets"),
            );
            return None;
        }
        if cx.clients.is_empty() {
            self.push(
                Problem::new(
                    K::NoClients,
                    "the manifest targets no clients",
                    head_span(node),
                    "no `client` is declared",
                )
                .help("add `client claude-code` (or `vscode`, `codex`) at the top level; `clients` then narrows which of them get this server"),
            );
            return None;
        }
        let mut ok = true;
        let mut list: Vec<ClientId> = Vec::new();
        let mut spans: HashMap<ClientId, SourceSpan> = HashMap::new();
        for entry in entries {
            let Some(client) = self.client_id(entry) else {
                ok = false;
                continue;
            };
            if let Some(first) = spans.get(&client) {
                self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("client `{client}` is listed twice"),
                        entry.span(),
                        "listed again here",
                    )
                    .also(*first, "first listed here")
                    .help("remove one of them"),
                );
                continue;
            }
            if !cx.clients.iter().any(|t| t.client == client) {
                ok = false;
                self.push(
                    Problem::new(
                        K::UnknownClient,
                        format!("client `{client}` is not targeted by this manifest"),
                        entry.span(),
                        "not targeted",
                    )
                    .help(format!(
                        "add `client {client}` at the top level, or remove it here"
                    )),
                );
            }
            spans.insert(client, entry.span());
            list.push(client);
        }
        ok.then_some(list)
    }

    // ----- shared shape checks --------------------------------------------

    /// Reports a repeated single-valued child; returns whether this is the
    /// first occurrence.
    fn once(&mut self, seen: &mut Seen, child: &KdlNode, parent: &str) -> bool {
        let name = child.name().value();
        let span = head_span(child);
        if let Some(first) = seen.0.get(name) {
            self.push(
                Problem::new(
                    K::Duplicate,
                    format!("`{name}` is given twice in `{parent}`"),
                    span,
                    "given again here",
                )
                .also(*first, "first given here")
                .help(format!("keep one `{name}`")),
            );
            return false;
        }
        seen.0.insert(name.to_owned(), span);
        true
    }

    fn unknown_child(&mut self, child: &KdlNode, name: &str, parent: &str, known: &[&str]) {
        let list = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let hint = match (parent, name) {
            ("server", "args") => Some(
                "arguments follow the program in `command`: `command npx -y \"@scope/package\"`"
                    .to_owned(),
            ),
            _ => did_you_mean(name, known.iter().copied())
                .map(|s| format!("did you mean `{s}`? `{parent}` holds {list}")),
        };
        self.push(
            Problem::new(
                K::UnknownNode,
                format!("unknown node {} in `{parent}`", show(name)),
                child.name().span(),
                "unknown node",
            )
            .help(hint.unwrap_or_else(|| format!("`{parent}` holds {list}"))),
        );
    }

    /// Checks the properties of `node` against `allowed`, reporting unknown
    /// and repeated ones. Returns the known ones by name.
    fn properties<'n>(
        &mut self,
        node: &'n KdlNode,
        allowed: &[&str],
    ) -> HashMap<&'n str, &'n KdlEntry> {
        let mut found: HashMap<&str, &KdlEntry> = HashMap::new();
        let node_name = node.name().value();
        for entry in node.entries() {
            let Some(key) = entry.name() else { continue };
            let name = key.value();
            if !allowed.contains(&name) {
                let help = if allowed.is_empty() {
                    format!("`{node_name}` takes no properties")
                } else {
                    let list = allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    did_you_mean(name, allowed.iter().copied())
                        .map(|s| format!("did you mean `{s}`? `{node_name}` takes {list}"))
                        .unwrap_or_else(|| format!("`{node_name}` takes {list}"))
                };
                self.push(
                    Problem::new(
                        K::UnknownProperty,
                        format!("unknown property {} on `{node_name}`", show(name)),
                        key.span(),
                        "unknown property",
                    )
                    .help(help),
                );
                continue;
            }
            if let Some(first) = found.get(name) {
                self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("property `{name}` is given twice"),
                        entry.span(),
                        "given again here",
                    )
                    .also(first.span(), "first given here")
                    .help(format!("keep one `{name}=…`")),
                );
                continue;
            }
            found.insert(name, entry);
        }
        found
    }

    /// Checks the number of positional arguments.
    fn arguments<'n>(&mut self, node: &'n KdlNode, shape: Shape) -> Vec<&'n KdlEntry> {
        let entries = positional(node);
        let name = node.name().value();
        if entries.len() < shape.min {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("`{name}` needs {}", shape.what),
                    node.name().span(),
                    format!("{} expected", shape.what),
                )
                .help(format!("write `{}`", shape.usage)),
            );
        }
        for extra in entries.iter().skip(shape.max) {
            let message = if shape.max == 0 {
                format!("`{name}` takes no arguments")
            } else {
                format!("`{name}` takes only {}", shape.what)
            };
            self.push(
                Problem::new(K::Arguments, message, extra.span(), "unexpected argument")
                    .help(format!("write `{}`", shape.usage)),
            );
        }
        entries
    }

    /// A node that takes exactly one argument and no children: the
    /// argument, if present.
    fn single<'n>(&mut self, node: &'n KdlNode, shape: Shape) -> Option<&'n KdlEntry> {
        if shape.leaf {
            self.no_children(node);
            self.properties(node, &[]);
        }
        self.arguments(node, shape).into_iter().next()
    }

    fn no_children(&mut self, node: &KdlNode) {
        let Some(children) = node.children() else {
            return;
        };
        let name = node.name().value();
        // `env X ${VAR}` reads as the string `$` followed by a block.
        let dollar = node
            .entries()
            .last()
            .is_some_and(|e| matches!(e.value(), KdlValue::String(s) if s.ends_with('$')));
        let help = if dollar {
            "KDL reads `{` as the start of a block: put `${…}` in double quotes".to_owned()
        } else {
            format!("`{name}` takes no `{{ … }}` block; remove it")
        };
        self.push(
            Problem::new(
                K::Arguments,
                format!("`{name}` takes no block"),
                children.span(),
                "unexpected block",
            )
            .help(help),
        );
    }

    /// The string in `entry`, or a diagnostic.
    fn string<'n>(&mut self, entry: &'n KdlEntry) -> Option<&'n str> {
        match entry.value() {
            KdlValue::String(s) => Some(s),
            other => {
                let help = match other {
                    KdlValue::Integer(_) | KdlValue::Float(_) => {
                        "KDL reads unquoted digits as a number; put the value in double quotes"
                    }
                    _ => "write a string, in double quotes if it has spaces or special characters",
                };
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("expected a string, found {}", type_name(other)),
                        entry.span(),
                        format!("{} here", type_name(other)),
                    )
                    .help(help),
                );
                None
            }
        }
    }

    /// A one-string leaf such as `description "…"`.
    fn text(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::TEXT)?;
        self.string(entry).map(str::to_owned)
    }

    /// A one-URL leaf (`url`, `create-at`): the URL if it is http(s).
    fn url(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::URL)?;
        self.url_entry(node, entry)
    }

    /// The URL in `entry` of `node`, if it is http(s).
    fn url_entry(&mut self, node: &KdlNode, entry: &KdlEntry) -> Option<String> {
        let url = self.string(entry)?;
        let Some(problem) = url_problem(url) else {
            return Some(url.to_owned());
        };
        self.push(
            Problem::new(
                K::Url,
                format!(
                    "`{}` must be an http:// or https:// URL",
                    node.name().value()
                ),
                entry.span(),
                problem,
            )
            .help("write a full URL such as `\"https://mcp.example.com/mcp\"`"),
        );
        None
    }
}

/// What went wrong with a URL, if anything.
fn url_problem(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("https://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("http://") {
        rest
    } else {
        return Some("not http(s)");
    };
    if url.contains(char::is_whitespace) {
        return Some("contains whitespace");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Some("no host");
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Supported,
    Missing,
    Unsupported,
}

struct ServerContext<'a> {
    defaults: &'a Defaults,
    clients: &'a [ClientTarget],
    credentials: &'a BTreeMap<String, CredentialDraft>,
}

#[derive(Default)]
struct Seen(HashMap<String, SourceSpan>);

#[derive(Debug, Clone, Copy)]
enum Binding {
    Env,
    Header,
}

impl Binding {
    fn keyword(self) -> &'static str {
        match self {
            Binding::Env => "env",
            Binding::Header => "header",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Binding::Env => "environment variable name",
            Binding::Header => "header name",
        }
    }
    fn usage(self) -> &'static str {
        match self {
            Binding::Env => {
                "write `env VAR \"value\"` for a non-secret value or `env VAR credential=NAME` for a secret"
            }
            Binding::Header => {
                "write `header NAME \"value\"` for a non-secret value or `header NAME credential=NAME` (optionally `scheme=Bearer`) for a secret"
            }
        }
    }
}

enum Bound {
    Literal(String),
    Credential(String),
}

/// How many positional arguments a node takes, for messages.
#[derive(Debug, Clone, Copy)]
struct Shape {
    min: usize,
    max: usize,
    /// What the arguments are: "a rotation period".
    what: &'static str,
    usage: &'static str,
    /// No properties and no children either.
    leaf: bool,
}

impl Shape {
    const NONE: Shape = Shape {
        min: 0,
        max: 0,
        what: "nothing",
        usage: "defaults { … }",
        leaf: false,
    };
    const ONE_WORD: Shape = Shape {
        min: 1,
        max: 1,
        what: "one value",
        usage: "delivery exec",
        leaf: true,
    };
    const PERIOD: Shape = Shape {
        min: 1,
        max: 1,
        what: "a rotation period",
        usage: "rotate-every \"90d\"",
        leaf: true,
    };
    const WEBHOOK: Shape = Shape {
        min: 1,
        max: 1,
        what: "a URL",
        usage: "webhook \"http://…\" alerts-only=#true",
        leaf: false,
    };
    const COUNT: Shape = Shape {
        min: 1,
        max: 1,
        what: "a number",
        usage: "alert-reads-per-hour 20",
        leaf: true,
    };
    const CLIENT: Shape = Shape {
        min: 1,
        max: 1,
        what: "a client name",
        usage: "client claude-code",
        leaf: false,
    };
    const CREDENTIAL: Shape = Shape {
        min: 1,
        max: 1,
        what: "a credential name",
        usage: "credential GITHUB_TOKEN { kind personal-access-token }",
        leaf: false,
    };
    const SERVER: Shape = Shape {
        min: 1,
        max: 1,
        what: "a server name",
        usage: "server github { command … }",
        leaf: false,
    };
    const NAMESPACE: Shape = Shape {
        min: 1,
        max: 1,
        what: "a namespace",
        usage: "namespace \"team-a\"",
        leaf: true,
    };
    const KIND: Shape = Shape {
        min: 1,
        max: 1,
        what: "a credential kind",
        usage: "kind personal-access-token",
        leaf: true,
    };
    const PROVIDER: Shape = Shape {
        min: 1,
        max: 1,
        what: "a provider name",
        usage: "provider github",
        leaf: true,
    };
    const URL: Shape = Shape {
        min: 1,
        max: 1,
        what: "a URL",
        usage: "url \"https://…\"",
        leaf: true,
    };
    const FLAG: Shape = Shape {
        min: 1,
        max: 1,
        what: "#true or #false",
        usage: "external #true",
        leaf: true,
    };
    const MAX_ROTATION: Shape = Shape {
        min: 2,
        max: 2,
        what: "a credential kind and a period",
        usage: "max-rotation personal-access-token \"90d\"",
        leaf: false,
    };
    const RULE: Shape = Shape {
        min: 2,
        max: 2,
        what: "a pattern and a classification",
        usage: "classification-rule \"customer_data|financial_records\" confidential external-lookup=#false",
        leaf: false,
    };
    const ROLE: Shape = Shape {
        min: 1,
        max: 1,
        what: "a role name",
        usage: "role developer { servers github }",
        leaf: false,
    };
    const VARIABLE: Shape = Shape {
        min: 1,
        max: 1,
        what: "a variable name",
        usage: "variable ORG { description \"…\" }",
        leaf: false,
    };
    const TEXT: Shape = Shape {
        min: 1,
        max: 1,
        what: "one string",
        usage: "description \"…\"",
        leaf: true,
    };
}

const SOURCE_HELP: &str = "write `source store` (the default), `source env` (optionally `var=NAME`) or `source command PROGRAM ARGS…` (e.g. `source command pass show \"mcp/github\"`)";

/// `"30s"` or `"2m"`, at most ten minutes: whole seconds.
fn parse_timeout(text: &str) -> Option<u32> {
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: u32 = digits.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        _ => return None,
    };
    (1..=600).contains(&secs).then_some(secs)
}

/// The credential with its defaults resolved: rotation period, namespace
/// (store credentials only) and an `env` source's variable.
fn resolve_credential(draft: CredentialDraft, defaults: &Defaults) -> Credential {
    let mut credential = draft.credential;
    if credential.source.is_store() && credential.namespace.is_none() {
        credential.namespace.clone_from(&defaults.namespace);
    }
    if let Source::Env { var } = &mut credential.source
        && var.is_empty()
    {
        var.clone_from(&credential.name);
    }
    let resolved = draft
        .own_period
        .map(|p| (p, PeriodSource::Credential))
        .or_else(|| {
            credential
                .provider
                .as_deref()
                .and_then(rotation::provider_default)
                .map(|p| (p, PeriodSource::Provider))
        })
        .or_else(|| rotation::kind_default(credential.kind).map(|p| (p, PeriodSource::Kind)))
        .or_else(|| defaults.rotate_every.map(|p| (p, PeriodSource::Defaults)));
    credential.rotate_every = resolved.map(|(p, _)| p);
    credential.rotate_every_source = resolved.map(|(_, s)| s);
    credential
}

fn positional(node: &KdlNode) -> Vec<&KdlEntry> {
    node.entries()
        .iter()
        .filter(|e| e.name().is_none())
        .collect()
}

fn children(node: &KdlNode) -> &[KdlNode] {
    node.children().map_or(&[], KdlDocument::nodes)
}

/// The node's line: its name and entries, without the children block.
fn head_span(node: &KdlNode) -> SourceSpan {
    let start = node.name().span().offset();
    let end = node
        .entries()
        .iter()
        .map(|e| e.span().offset() + e.span().len())
        .chain(std::iter::once(start + node.name().span().len()))
        .max()
        .unwrap_or(start);
    SourceSpan::from((start, end - start))
}

fn type_name(value: &KdlValue) -> &'static str {
    match value {
        KdlValue::String(_) => "a string",
        KdlValue::Integer(_) => "a number",
        KdlValue::Float(_) => "a decimal number",
        KdlValue::Bool(_) => "a boolean",
        KdlValue::Null => "#null",
    }
}

/// A user-written value, quoted for a message, unless it looks like a secret:
/// diagnostics never repeat a secret.
fn show(value: &str) -> String {
    if !secret_patterns::detect_all_with(value, Placeholders::ReferencesOnly).is_empty() {
        "(a secret-looking value)".to_owned()
    } else if value.chars().count() > 60 {
        let cut: String = value.chars().take(57).collect();
        format!("`{cut}…`")
    } else {
        format!("`{value}`")
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The closest candidate to a misspelt name: same letters in another case,
/// a small edit distance (a third of the length), or a prefix of at least
/// three letters (`cred` → `credential`).
pub(crate) fn did_you_mean<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if secret_patterns::detect(input).is_some() {
        return None;
    }
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let lower = input.to_ascii_lowercase();
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(input)) {
        return Some(same);
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in &candidates {
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase());
        let limit = (input.len().max(candidate.len()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c).or_else(|| {
        (lower.len() >= 3)
            .then(|| candidates.iter().find(|c| c.starts_with(&lower)).copied())
            .flatten()
    })
}

/// Help for a node written at the top level that belongs inside a block.
fn misplaced(name: &str) -> Option<String> {
    let parent = if SERVER_CHILDREN.contains(&name) && name != "credential" {
        "server NAME"
    } else if CREDENTIAL_CHILDREN.contains(&name) {
        "credential NAME"
    } else {
        return None;
    };
    Some(format!("`{name}` goes inside a `{parent} {{ … }}` block"))
}

fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_server_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An HTTP header field name (RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}
