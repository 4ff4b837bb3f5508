//! One person's view of a team manifest: their profile picks roles,
//! narrows the clients and gives values to the manifest's variables.
//!
//! A team checks in one manifest for everyone; what differs per person —
//! which servers their job needs, which clients they use, their
//! organisation or database name — lives in a profile that is never
//! checked in: `mcpctl.local.kdl` beside the manifest (git-ignored), else
//! `mcpctl/profile.kdl` in the user's config directory. [`personalize`]
//! turns the manifest into the one this machine should have, before
//! anything is planned, so plan, apply, env and status need not know about
//! roles at all.
//!
//! ```kdl
//! roles developer               // the roles this person holds
//! clients claude-code           // only these of the manifest's clients
//! variable ORG "contoso"        // a value for `variable ORG` in the manifest
//! ```
//!
//! Decisions, and why:
//! - **Roles defined, none picked** is an error naming the roles, not "every
//!   server" (that would hand admin servers to everyone) and not "no server"
//!   (that would silently plan the removal of everything).
//! - **A server is granted only by roles**: when a manifest has roles, the
//!   parser requires every server to be in one.
//! - **Credentials follow servers**: a credential only dropped servers use
//!   is not asked for.
//! - **Variables are not secrets**: a value that looks like one is refused,
//!   since it would be written into client files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kdl::{KdlDocument, KdlEntry, KdlValue};
use miette::SourceSpan;

use super::error::{ManifestError, Problem, ProblemKind as K, shown_source};
use super::{ClientId, EnvValue, Manifest, Transport};
use crate::secret_patterns::{self, Placeholders};

/// The profile beside the manifest; git-ignored, never checked in.
pub const LOCAL_PROFILE: &str = "mcpctl.local.kdl";

/// Where a profile is looked for, first found wins: beside the manifest,
/// then `mcpctl/profile.kdl` in the user's config directory.
pub fn profile_candidates(manifest_root: &Path, config_dir: &Path) -> [PathBuf; 2] {
    [
        manifest_root.join(LOCAL_PROFILE),
        config_dir.join("mcpctl").join("profile.kdl"),
    ]
}

/// A person's profile, checked against the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub path: PathBuf,
    /// `roles …`; `None` when the profile has no `roles` line.
    pub roles: Option<Vec<String>>,
    /// `clients …`; `None`: every client the manifest targets.
    pub clients: Option<Vec<ClientId>>,
    /// `variable NAME "value"`, by name.
    pub values: BTreeMap<String, String>,
}

/// Whose manifest to compute.
#[derive(Debug, Clone, Copy)]
pub enum Person<'a> {
    /// The person with this profile.
    Profile(&'a Profile),
    /// A person without a profile; `expected` is where they would create it.
    NoProfile { expected: &'a Path },
}

/// The variable names written `{NAME}` in `text` (not `${NAME}`, which is
/// a shell or client reference).
pub fn variable_refs(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    text.match_indices('{').filter_map(move |(start, _)| {
        if start > 0 && bytes[start - 1] == b'$' {
            return None;
        }
        let rest = &text[start + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        valid.then_some(name)
    })
}

fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for name in variable_refs(text).collect::<BTreeSet<_>>() {
        if let Some(value) = values.get(name) {
            out = out.replace(&format!("{{{name}}}"), value);
        }
    }
    out
}

/// Errors that belong to no single place in a file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PersonalError {
    #[error("this manifest gives servers by role, and no profile picks one")]
    #[diagnostic(
        code(mcpctl::profile::no_role),
        help("create `{}` (it is personal: never check it in) with a line such as `roles {first}`; the roles are: {roles}", expected.display())
    )]
    NoProfile {
        expected: PathBuf,
        first: String,
        roles: String,
    },

    #[error("`{path}` picks no role, and this manifest gives servers by role")]
    #[diagnostic(
        code(mcpctl::profile::no_role),
        help("add a line such as `roles {first}` to `{}`; the roles are: {roles}", path.display())
    )]
    NoRole {
        path: PathBuf,
        first: String,
        roles: String,
    },

    #[error("the manifest needs a value for variable `{variable}`{about}")]
    #[diagnostic(
        code(mcpctl::profile::missing_value),
        help("add `variable {variable} \"…\"` to `{}` (your personal profile; never check it in)", path.display())
    )]
    MissingValue {
        variable: String,
        about: String,
        path: PathBuf,
    },

    #[error("a variable's value from `{}` puts a secret into {place} of server `{server}`", path.display())]
    #[diagnostic(
        code(mcpctl::profile::secret_value),
        help(
            "variables are written into client files as they are; give the secret to the server through a `credential` of the manifest (`env NAME credential=…`)"
        )
    )]
    SecretValue {
        server: String,
        place: &'static str,
        path: PathBuf,
    },
}

/// Reads and checks the profile at `path` against `manifest`.
/// `project` is the manifest's directory when `path` is the profile beside
/// the manifest (a project file, read only inside the project), `None` for
/// the one in the user's config directory.
pub fn load_profile(
    path: &Path,
    project: Option<&Path>,
    manifest: &Manifest,
) -> Result<Profile, ManifestError> {
    // Capped and FIFO-safe, like the manifest.
    let text = match project {
        Some(root) => super::read_project_kdl(path, root),
        None => super::read_kdl(path),
    }
    .map_err(|source| ManifestError::Io {
        path: path.to_path_buf(),
        help: if source.kind() == std::io::ErrorKind::PermissionDenied
            && project.is_some()
            && super::is_link(path)
        {
            super::OUTSIDE_HELP.to_owned()
        } else {
            "check that the profile is a readable UTF-8 file, or remove it".to_owned()
        },
        source,
    })?;
    parse_profile(path, &text, manifest)
}

fn parse_profile(path: &Path, text: &str, manifest: &Manifest) -> Result<Profile, ManifestError> {
    let name = path.display().to_string();
    let doc = KdlDocument::parse_v2(text).map_err(|err| ManifestError::Invalid {
        src: shown_source(&name, text, &[]),
        problems: err
            .diagnostics
            .iter()
            .map(|d| {
                Problem::new(
                    K::Syntax,
                    d.message.clone().unwrap_or_else(|| "invalid KDL".into()),
                    d.span,
                    d.label.clone().unwrap_or_else(|| "here".into()),
                )
            })
            .collect(),
    })?;
    let mut problems = Vec::new();
    let mut profile = Profile {
        path: path.to_path_buf(),
        roles: None,
        clients: None,
        values: BTreeMap::new(),
    };
    let strings =
        |entries: &[KdlEntry], problems: &mut Vec<Problem>| -> Vec<(String, SourceSpan)> {
            entries
                .iter()
                .filter_map(|e| match e.value() {
                    KdlValue::String(s) if e.name().is_none() => Some((s.clone(), e.span())),
                    _ => {
                        problems.push(
                        Problem::new(K::Arguments, "expected a name", e.span(), "not a name").help(
                            "write names without `=` and without quotes, e.g. `roles developer`",
                        ),
                    );
                        None
                    }
                })
                .collect()
        };
    for node in doc.nodes() {
        let node_span = node.name().span();
        let entries = strings(node.entries(), &mut problems);
        match node.name().value() {
            "roles" => {
                let mut roles = Vec::new();
                for (role, span) in entries {
                    if manifest.roles.contains_key(&role) {
                        roles.push(role);
                    } else {
                        let help = if manifest.roles.is_empty() {
                            "this manifest defines no roles; remove the `roles` line".to_owned()
                        } else {
                            format!("the manifest's roles are: {}", role_list(manifest))
                        };
                        problems.push(
                            Problem::new(
                                K::UnknownRole,
                                format!("the manifest has no role `{role}`"),
                                span,
                                "no such role",
                            )
                            .help(help),
                        );
                    }
                }
                profile.roles = Some(roles);
            }
            "clients" => {
                let mut clients = Vec::new();
                for (client, span) in entries {
                    let targeted = ClientId::from_name(&client)
                        .filter(|id| manifest.clients.iter().any(|t| t.client == *id));
                    match targeted {
                        Some(id) => clients.push(id),
                        None => problems.push(
                            Problem::new(
                                K::UnknownClient,
                                format!("the manifest does not target client `{client}`"),
                                span,
                                "not targeted",
                            )
                            .help(format!(
                                "a profile can only narrow the manifest's clients: {}",
                                client_list(manifest)
                            )),
                        ),
                    }
                }
                profile.clients = Some(clients);
            }
            "variable" => match entries.as_slice() {
                [(variable, span), (value, value_span)] => {
                    if !manifest.variables.contains_key(variable) {
                        problems.push(
                            Problem::new(
                                K::UnknownVariable,
                                format!("the manifest declares no variable `{variable}`"),
                                *span,
                                "undeclared",
                            )
                            .help("remove this line, or ask for `variable NAME { … }` in the manifest"),
                        );
                    } else if !secret_patterns::detect_all_with(value, Placeholders::ReferencesOnly)
                        .is_empty()
                    {
                        problems.push(
                            Problem::new(
                                K::Secret,
                                format!("the value of `{variable}` looks like a secret"),
                                *value_span,
                                "secret-looking value",
                            )
                            .help("variables are written into client files as they are; a secret belongs in a `credential` of the manifest"),
                        );
                    } else {
                        profile.values.insert(variable.clone(), value.clone());
                    }
                }
                _ => problems.push(
                    Problem::new(
                        K::Arguments,
                        "`variable` takes a name and a value",
                        node_span,
                        "name and value expected",
                    )
                    .help("write `variable ORG \"contoso\"`"),
                ),
            },
            other => problems.push(
                Problem::new(
                    K::UnknownNode,
                    format!("unknown node `{other}` in a profile"),
                    node_span,
                    "unknown node",
                )
                .help("a profile holds `roles …`, `clients …` and `variable NAME \"value\"` lines"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(profile)
    } else {
        Err(ManifestError::Invalid {
            src: shown_source(&name, text, &problems),
            problems,
        })
    }
}

fn role_list(manifest: &Manifest) -> String {
    manifest
        .roles
        .values()
        .map(|r| match &r.description {
            Some(d) => format!("`{}` ({d})", r.name),
            None => format!("`{}`", r.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn client_list(manifest: &Manifest) -> String {
    let mut ids: Vec<&str> = manifest.clients.iter().map(|t| t.client.as_str()).collect();
    ids.dedup();
    if ids.is_empty() {
        "it targets none (no `client` node)".to_owned()
    } else {
        ids.iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The manifest as `person`'s machine should have it: the servers their
/// roles grant, their clients, their variable values.
pub fn personalize(manifest: &Manifest, person: Person<'_>) -> Result<Manifest, PersonalError> {
    let mut out = manifest.clone();
    let first = || manifest.roles.keys().next().cloned().unwrap_or_default();
    let (roles, clients, values, path) = match person {
        Person::NoProfile { expected } => {
            if !manifest.roles.is_empty() {
                return Err(PersonalError::NoProfile {
                    expected: expected.to_path_buf(),
                    first: first(),
                    roles: role_list(manifest),
                });
            }
            (None, None, BTreeMap::new(), expected)
        }
        Person::Profile(profile) => (
            profile.roles.clone(),
            profile.clients.clone(),
            profile.values.clone(),
            profile.path.as_path(),
        ),
    };
    if !manifest.roles.is_empty() {
        let picked = roles.unwrap_or_default();
        if picked.is_empty() {
            return Err(PersonalError::NoRole {
                path: path.to_path_buf(),
                first: first(),
                roles: role_list(manifest),
            });
        }
        let granted: BTreeSet<&String> = picked
            .iter()
            .filter_map(|r| manifest.roles.get(r))
            .flat_map(|r| &r.servers)
            .collect();
        out.servers.retain(|name, _| granted.contains(name));
    }
    if let Some(clients) = &clients {
        out.clients.retain(|t| clients.contains(&t.client));
        for server in out.servers.values_mut() {
            server.clients.retain(|c| clients.contains(c));
        }
    }
    // Credentials only dropped servers use are not this person's.
    let used = |m: &Manifest| -> BTreeSet<String> {
        m.servers
            .values()
            .flat_map(|s| s.credentials_read().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    };
    let (all, kept) = (used(manifest), used(&out));
    out.credentials
        .retain(|name, _| kept.contains(name) || !all.contains(name));

    for (name, server) in out.servers.iter_mut() {
        let mut needed = BTreeSet::new();
        // Where a filled-in value is a secret, judged where it is used as
        // `validate` judges the manifest's own values (which hold none).
        let mut secret_in: Option<&'static str> = None;
        let mut fill = |text: &mut String, judge: &dyn Fn(&str) -> bool, place: &'static str| {
            let refs: Vec<String> = variable_refs(text).map(str::to_owned).collect();
            *text = substitute(text, &values);
            if !refs.is_empty() && secret_in.is_none() && judge(text) {
                secret_in = Some(place);
            }
            needed.extend(refs);
        };
        const SHOWN: Placeholders = Placeholders::ReferencesOnly;
        let unnamed = |t: &str| !secret_patterns::detect_unnamed(t, SHOWN).is_empty();
        match &mut server.transport {
            Transport::Stdio { command, args } => {
                fill(command, &unnamed, "its command");
                let mut previous: Option<String> = None;
                for arg in args.iter_mut() {
                    let before = previous.take();
                    let judge = |t: &str| {
                        !secret_patterns::detect_argument(before.as_deref(), t, SHOWN).is_empty()
                    };
                    fill(arg, &judge, "an argument");
                    previous = Some(arg.clone());
                }
            }
            Transport::Http { url, headers, .. } => {
                fill(url, &unnamed, "its URL");
                for (header, value) in headers.iter_mut() {
                    let judge =
                        |t: &str| !secret_patterns::detect_named_with(header, t, SHOWN).is_empty();
                    fill(value, &judge, "a header");
                }
            }
        }
        for (var, value) in server.env.iter_mut() {
            if let EnvValue::Literal { value } = value {
                let judge = |t: &str| !secret_patterns::detect_named_with(var, t, SHOWN).is_empty();
                fill(value, &judge, "an environment variable");
            }
        }
        if let Some(place) = secret_in {
            return Err(PersonalError::SecretValue {
                server: name.clone(),
                place,
                path: path.to_path_buf(),
            });
        }
        if let Some(missing) = needed.into_iter().find(|n| !values.contains_key(n)) {
            let about = manifest.variables[&missing]
                .description
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            return Err(PersonalError::MissingValue {
                variable: missing,
                about,
                path: path.to_path_buf(),
            });
        }
    }
    Ok(out)
}
