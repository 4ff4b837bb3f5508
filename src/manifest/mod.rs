//! The team manifest, `mcpctl.kdl`: finding it, parsing it, validating it.
//!
//! A team checks in one manifest naming its MCP servers, the credentials each
//! needs and which clients get them. It never holds a secret value: secrets
//! live in the OS credential store, and the manifest only says which exist,
//! what they are for, where to create them and how often to rotate them.
//!
//! Parsing and validation are one pass that collects *every* problem with its
//! span, so `mcpctl validate` shows them all at once as miette diagnostics
//! (see [`ManifestError`]). The result is the normalized [`Manifest`] model
//! with every default resolved; nothing downstream sees KDL.
//!
//! # The language
//!
//! The file is [KDL 2.0](https://kdl.dev). Two KDL 2.0 rules matter in
//! practice: a bare value may not start with a digit (so periods are quoted,
//! `"90d"`), and may not contain `/ ( ) [ ] { } ; = # \` (so npm packages are
//! quoted, `"@azure-devops/mcp"`). Quote anything unusual. Type annotations
//! are rejected; `/-` comments out a node, as in any KDL.
//!
//! ```kdl
//! mcpctl version=1                 // required, first
//!
//! defaults {                       // optional, at most once
//!     delivery exec                // exec (default) | env-ref
//!     rotate-every "90d"           // fallback rotation period
//!     warn-before "14d"            // warn this long before a due or expiry date
//! }
//!
//! client claude-code               // scope=user by default
//! client claude-code scope=project // another scope is another target
//! client cursor delivery=env-ref   // this client's servers reference variables
//!
//! shell-profile zsh fish           // mcpctl manages a block running `mcpctl env`
//! client vscode
//! client codex
//!
//! credential GITHUB_TOKEN {        // name = store entry = default env var
//!     kind personal-access-token   // optional, default `other`
//!     provider github              // optional, lower case
//!     scopes repo "read:org" workflow
//!     rotate-every "90d"           // "Nd", "Nw", "Ny" (y = 365 days)
//!     create-at "https://github.com/settings/tokens/new"
//!     description "GitHub PAT for the GitHub MCP server"
//! }
//!
//! server github {
//!     description "GitHub issues and PRs"
//!     command npx -y "@modelcontextprotocol/server-github"  // program, then args
//!     credential GITHUB_TOKEN                       // env GITHUB_TOKEN <- credential GITHUB_TOKEN
//!     env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
//!     env GITHUB_TOOLSETS "repos,issues"            // a literal, non-secret value
//!     clients claude-code codex                     // optional: default every targeted client
//!     delivery exec                                 // optional: overrides defaults
//! }
//!
//! server sentry {
//!     url "https://mcp.sentry.dev/mcp"              // remote: http(s) only
//!     header X-Team "platform"                      // literal header
//!     header Authorization credential=SENTRY_TOKEN scheme=Bearer  // env-ref only
//!     delivery env-ref
//! }
//! ```
//!
//! ## Nodes
//!
//! | node | where | arguments, properties | children |
//! |---|---|---|---|
//! | `mcpctl` | first node | `version=1` (a number) | — |
//! | `defaults` | top, once | — | `delivery`, `rotate-every`, `warn-before` (warning window before a due or expiry date, default `"14d"`), `namespace` |
//! | `client` | top | client (`claude-code`, `claude-desktop`, `vscode`, `cursor`, `windsurf`, `codex`, `gemini-cli`, `zed`, `cline`, `opencode`, `amazon-q`, `lm-studio`, `copilot-cli`, `qwen-code`, `augment`, `amp`, `kiro`, `junie`, `roo-code`, `crush`, `visual-studio`, `goose`, `continue`); `scope=user\|local\|project` (each client has its own, see [`ClientId::scopes`]); `delivery=exec\|env-ref` | — |
//! | `shell-profile` | top, once | shells (`bash`, `zsh`, `fish`, `powershell`) | — |
//! | `credential` | top | name (an environment variable name) | `kind`, `provider`, `scopes`, `rotate-every`, `create-at`, `description`, `source`, `namespace`, `classification` |
//! | `source` | credential | `store` (default), `env` with optional `var=NAME`, or `command PROGRAM ARGS…` with optional `timeout="30s"` | — |
//! | `namespace` | credential, defaults | lower-case letters, digits, `-`, `_`, `.`: store entries become `NAMESPACE/NAME` | — |
//! | `server` | top | name (letters, digits, `-`, `_`) | `description`, `command` or `url`, `credential`, `env`, `header`, `clients`, `delivery`, `classification`, `external #true` |
//! | `role` | top | name | `servers a b …`, `description` (see [`personal`]) |
//! | `variable` | top | name (used as `{NAME}` in server values) | `description` |
//! | `policy` | top, once | — | `max-rotation KIND "90d"`, `require-delivery`, `allowed-clients`, `external-allowed`, `restricted-roles`, `classification-rule "a\|b" CLASS external-lookup=#false`, `pin-packages #true`, `allow-packages` (see `parse/policy.rs`) |
//! | `classification` | server, credential | `public`, `internal`, `confidential`, `restricted` | — |
//! | `audit` | top, once | — | `retain "7y"` (prune older records), `syslog` (forward to syslog/journald), `webhook "http://…" alerts-only=#true`, `alert-reads-per-hour N` |
//! | `kind` | credential | `personal-access-token`, `oauth-token`, `api-key`, `connection-string`, `access-key`, `password`, `file`, `other` | — |
//! | `scopes` | credential | one or more scopes, least privilege first | — |
//! | `create-at` | credential | http(s) URL where a person creates the token | — |
//! | `command` | server | program, then its arguments (all strings) | — |
//! | `url` | server | http(s) URL of a remote (streamable HTTP) server | — |
//! | `credential` | server | one or more credential names; each fills the variable of its own name | — |
//! | `env` | server | `VAR "literal"` or `VAR credential=NAME` | — |
//! | `header` | server with `url` | `Name "literal"` or `Name credential=NAME [scheme=Bearer]` (see Delivery below) | — |
//! | `clients` | server | targeted clients that get this server | — |
//! | `delivery` | defaults, server | `exec` or `env-ref` | — |
//!
//! Every single-valued child (`kind`, `url`, `delivery`, …) may appear once;
//! `credential`, `env` and `header` may repeat, but one variable or header
//! may be set only once per server. All values are strings except the
//! version; write `"8080"`, not `8080`.
//!
//! ## Decisions, and why
//!
//! - **`kind` is optional** and defaults to `other`, which requires nothing
//!   and implies no rotation period. Many tokens do not fit a kind, and a
//!   wrong guess would give a wrong rotation period; naming the kind is how a
//!   team opts into the guide's schedule.
//! - **Rotation period**, first that applies: the credential's
//!   `rotate-every` ([`PeriodSource::Credential`]); the credentials guide's
//!   period for its provider, `github` = 90 days ([`PeriodSource::Provider`]);
//!   the guide's period for its kind, `connection-string` = 60 days ("database
//!   credentials") and `access-key` = 30 days ("cloud provider keys")
//!   ([`PeriodSource::Kind`]); `defaults { rotate-every … }`
//!   ([`PeriodSource::Defaults`]); else none. Provider names are lower case
//!   so that `GitHub` cannot silently miss the schedule.
//! - **Periods** are `"Nd"`, `"Nw"` or `"Ny"` with N > 0. No months (is `m`
//!   months or minutes?), and a bare number is an error rather than days.
//! - **Clients.** `client` nodes say which clients, in which scope, this team
//!   targets. A server without `clients` goes to every targeted client (ids
//!   deduplicated, in manifest order). `clients` may only name targeted
//!   clients; using it while no `client` is declared is an error, since a
//!   server cannot go anywhere. A manifest with no `client` at all is valid
//!   and targets nothing (useful while drafting, or for `mcpctl exec`).
//! - **Delivery.** `exec` (the default): the client entry launches
//!   `mcpctl exec`, which reads the credentials and starts the server.
//!   `env-ref`: the entry references a variable in the client's own syntax,
//!   exported by `mcpctl env`. The server's `delivery` wins, then the
//!   `client` node's `delivery=`, then `defaults`. A remote server's
//!   `header` bound to a credential: under `exec` the entry launches
//!   `mcpctl exec --url`, a stdio bridge that adds the header from the
//!   store to every request ([`crate::bridge`]); under `env-ref` the
//!   client sends it from the exported variable. OAuth (`auth`) is not yet
//!   supported: a server node holding one is an error.
//! - **No `client` node** means the clients detected on this machine, in
//!   user scope (see `mcpctl clients`).
//! - **No secrets, anywhere.** Every string in the file (not only env values:
//!   command arguments, URLs, headers, descriptions, even inside unknown
//!   nodes) goes through [`crate::secret_patterns::detect`]; a match is an
//!   error whose message and label never repeat the value. Placeholders such
//!   as `${VAR}` or `<token>` pass.
//! - **Sources.** A credential's value lives in the OS store unless
//!   `source env` (CI machines: the variable of the process that starts the
//!   server) or `source command` (a secret manager's CLI, run without a
//!   shell at launch) says otherwise; those two are read-only — `apply`
//!   never asks for or stores them, `rotate` and `revoke` refuse them — and
//!   `plan` never runs the command, which might prompt. The credential's
//!   name stays the audit trail's name for it.
//! - **Namespaces** separate data sources' store entries (the guide's
//!   "separate credential stores per data source"): `namespace "team-a"`
//!   makes the entry `team-a/NAME`. Without one, the entry is the bare name,
//!   as the guide's hand-made entries are. `defaults { namespace … }`
//!   applies to every store credential that names none.
//! - **`kind file`** marks a whole file (kubeconfig, service-account JSON):
//!   `apply` asks for its path and stores the content; `exec` hands the
//!   server a private temporary file's path. It implies no rotation period.
//! - **Version.** A missing `mcpctl version=1` is reported and validation
//!   carries on; an unknown version stops validation after that one problem
//!   (and any secrets found), since the rest is in a language this build does
//!   not know.

mod error;
pub mod model;
mod parse;
pub mod personal;
mod rotation;
mod server;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_teams;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use error::{ManifestError, Problem, ProblemKind};
pub use model::*;
pub(crate) use parse::did_you_mean;
pub use parse::parse;
pub use server::*;

/// The file name looked for when no `--manifest` is given.
pub const MANIFEST_FILE: &str = "mcpctl.kdl";

/// A manifest read from disk.
#[derive(Debug, Clone)]
pub struct LoadedManifest {
    /// The manifest file, absolute.
    pub path: PathBuf,
    /// The directory holding the manifest: project-scope files go here.
    pub root: PathBuf,
    pub manifest: Manifest,
    /// sha256 of the file's bytes, lower-case hex: identifies the manifest a
    /// plan was computed from.
    pub digest: String,
}

/// Walks up from `start` (a directory, or a file whose directory is used)
/// looking for `mcpctl.kdl`, as git looks for `.git`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let first = if start.is_file() {
        start.parent()?
    } else {
        &start
    };
    first
        .ancestors()
        .map(|dir| dir.join(MANIFEST_FILE))
        .find(|candidate| candidate.is_file())
}

/// Reads, parses and validates the manifest at `path`. Diagnostics name the
/// file as `path` was given.
pub fn load(path: &Path) -> Result<LoadedManifest, ManifestError> {
    let io_error = |source: std::io::Error| {
        let help = match source.kind() {
            // Only a path given with `-f` (or a saved plan's) can be missing:
            // without one, mcpctl reads the manifest it found.
            std::io::ErrorKind::NotFound => format!(
                "check the path; to start a manifest there, run `mcpctl init --from-clients -f {0}` \
                 (from this machine's clients) or `mcpctl add SERVER -f {0}` (from the catalog)",
                path.display()
            ),
            std::io::ErrorKind::PermissionDenied => {
                "check the file's permissions: mcpctl only needs to read it".to_owned()
            }
            std::io::ErrorKind::InvalidData => "save the manifest as UTF-8 text".to_owned(),
            std::io::ErrorKind::FileTooLarge => format!(
                "a manifest is a few kilobytes of KDL: check that the path names your {MANIFEST_FILE}"
            ),
            _ => "check that the path names a readable file".to_owned(),
        };
        ManifestError::Io {
            path: path.to_path_buf(),
            source,
            help,
        }
    };
    let absolute = std::path::absolute(path).map_err(io_error)?;
    let root = absolute
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let text = read_project_kdl(&absolute, &root).map_err(|source| {
        if source.kind() == std::io::ErrorKind::PermissionDenied && is_link(path) {
            return ManifestError::Io {
                path: path.to_path_buf(),
                source,
                help: OUTSIDE_HELP.to_owned(),
            };
        }
        io_error(source)
    })?;
    let digest = format!("{:x}", Sha256::digest(text.as_bytes()));
    let manifest = parse(&path.display().to_string(), &text)?;
    Ok(LoadedManifest {
        path: absolute,
        root,
        manifest,
        digest,
    })
}

/// Reads a KDL file mcpctl never writes (the manifest, a personal
/// profile): a regular file of at most [`crate::fs::MANIFEST_LIMIT`] bytes
/// of UTF-8 text.
/// The help of a manifest or profile refused for leading out of the
/// project.
pub(crate) const OUTSIDE_HELP: &str = "a link of your own (a dotfile manager's) works when mcpctl is given the file's real path with `-f`";

pub(crate) fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Reads a KDL file of the project `root` (the manifest, the profile
/// beside it) like [`read_kdl`], refused unread when it, or a directory on
/// the way to it, is a link that leads out of the project
/// ([`crate::fs::resolve_inside`]). A branch can commit `mcpctl.kdl` as a
/// link to `~/.ssh/id_ed25519`; the pull request's check (`mcpctl
/// validate`) would then quote the key's lines into a public CI log as
/// syntax errors.
pub(crate) fn read_project_kdl(path: &Path, root: &Path) -> std::io::Result<String> {
    crate::fs::resolve_inside(path, root)?;
    read_kdl(path)
}

pub(crate) fn read_kdl(path: &Path) -> std::io::Result<String> {
    let bytes = crate::fs::read_input(path, crate::fs::MANIFEST_LIMIT)?;
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is not UTF-8 (at byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The JSON Schema of the normalized [`Manifest`] model, pretty-printed
/// (`schemas/manifest.schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Manifest);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    text.push('\n');
    text
}
