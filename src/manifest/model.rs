//! The normalized manifest model: what a team wants on every machine.
//!
//! This is the shape every later stage (plan, apply, schema) works with. It is
//! deliberately independent of KDL: the parser in [`super::parse`] walks the
//! KDL document and produces these values, with defaults already resolved, so
//! nothing downstream has to know how a value was spelled. The JSON Schema in
//! `schemas/manifest.schema.json` is generated from these types.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::server::Server;

/// The manifest format version this build understands.
pub const MANIFEST_VERSION: u32 = 1;

/// A parsed and validated team manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Manifest {
    /// Format version (`mcpctl version=1`).
    pub version: u32,
    /// Team-wide defaults.
    pub defaults: Defaults,
    /// The clients (and their scopes) this team targets, in manifest order.
    pub clients: Vec<ClientTarget>,
    /// Credentials by name. The name is also the environment variable a
    /// credential fills unless a server binds it to another one.
    pub credentials: BTreeMap<String, Credential>,
    /// Servers by name.
    pub servers: BTreeMap<String, Server>,
    /// How this machine keeps and forwards its audit trail (`audit { … }`).
    pub audit: AuditPolicy,
    /// Shells whose profile gets a block mcpctl manages (`shell-profile zsh`):
    /// the block runs `mcpctl env`, so env-ref clients started from that
    /// shell find their variables. Never holds a value.
    pub shell_profiles: Vec<Shell>,
    /// Roles by name (`role developer { servers … }`): when there are any,
    /// each person's profile picks some, and a machine gets only the
    /// servers they grant (see [`super::personal`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, Role>,
    /// Non-secret values each person supplies in their profile
    /// (`variable ORG { … }`), written `{ORG}` in server arguments, env and
    /// header literals and URLs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Variable>,
    /// The organisation's rules (`policy { … }`), checked when the manifest
    /// is read: a violation is a validation error, so nothing is planned or
    /// applied against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
}

/// How sensitive a server's data or a credential is (the guide's
/// confidentiality classes), least sensitive first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Classification {
    pub const ALL: [Classification; 4] = [
        Classification::Public,
        Classification::Internal,
        Classification::Confidential,
        Classification::Restricted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
            Classification::Restricted => "restricted",
        }
    }

    pub fn from_name(name: &str) -> Option<Classification> {
        Classification::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// The organisation's rules (`policy { … }`). Every field is optional: a
/// rule not written is not enforced. Under a policy, a server or credential
/// without a `classification` counts as `internal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Policy {
    /// The longest rotation period allowed per credential kind
    /// (`max-rotation personal-access-token "90d"`); a credential of that
    /// kind without a period violates it too.
    pub max_rotation: Vec<(CredentialKind, Period)>,
    /// The delivery every server must use (`require-delivery exec`).
    pub require_delivery: Option<Delivery>,
    /// The only clients the manifest may target (`allowed-clients …`).
    pub allowed_clients: Option<Vec<ClientId>>,
    /// The classifications that may use servers marked `external #true`
    /// (`external-allowed public internal`): the server's own and those of
    /// the credentials it uses.
    pub external_allowed: Option<Vec<Classification>>,
    /// The roles that may hold `restricted` credentials or servers
    /// (`restricted-roles admin`).
    pub restricted_roles: Option<Vec<String>>,
    /// `classification-rule "customer_data|financial" confidential
    /// external-lookup=#false`, in order.
    pub classification_rules: Vec<ClassificationRule>,
    /// Every `npx`/`uvx`/`bunx` package must carry a version
    /// (`pin-packages #true`).
    pub pin_packages: bool,
    /// The only packages servers may run (`allow-packages "…" …`), without
    /// version.
    pub allow_packages: Option<Vec<String>>,
}

/// The guide's `classification_rules`: servers and credentials whose name
/// or description contains one of `patterns` (case-insensitive) must be
/// classified at least `classification`; with `external_lookup` false they
/// may not reach or be used by an external server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ClassificationRule {
    pub patterns: Vec<String>,
    pub classification: Classification,
    pub external_lookup: bool,
}

/// A set of servers granted together (`role NAME { servers a b; description "…" }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Role {
    pub name: String,
    pub description: Option<String>,
    /// The servers this role grants, in manifest order.
    pub servers: Vec<String>,
}

/// A per-person, non-secret value (`variable ORG { description "…" }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Variable {
    pub name: String,
    pub description: Option<String>,
}

impl Manifest {
    /// How `server` reaches its secrets in `target`'s client: the server's
    /// own `delivery`, else the client node's, else the defaults'.
    pub fn delivery(&self, server: &Server, target: &ClientTarget) -> Delivery {
        server
            .delivery
            .or(target.delivery)
            .unwrap_or(self.defaults.delivery)
    }
}

/// The audit trail's retention, forwarding and alert rules (`audit { … }`),
/// installed on a machine by `apply`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct AuditPolicy {
    /// Records older than this are pruned (`retain "7y"`); kept forever
    /// when absent.
    pub retain: Option<Period>,
    /// Forward every record to syslog/journald (`syslog`).
    pub syslog: bool,
    /// Forward records to this HTTP endpoint (`webhook "http://…"`).
    pub webhook: Option<String>,
    /// Forward only alerts to the webhook (`alerts-only=#true`).
    pub webhook_alerts_only: bool,
    /// Alert when one credential is read more often than this in an hour
    /// (`alert-reads-per-hour 20`).
    pub alert_reads_per_hour: Option<u32>,
}

/// Team-wide defaults (`defaults { … }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Defaults {
    /// How secrets reach servers unless a server says otherwise.
    pub delivery: Delivery,
    /// Rotation period for credentials whose provider and kind give none.
    pub rotate_every: Option<Period>,
    /// How long before a rotation or expiry date the plan starts warning
    /// (`warn-before "14d"`).
    pub warn_before: Period,
    /// Store-entry namespace for credentials that name none
    /// (`namespace "team-a"`): see [`Credential::store_entry`].
    pub namespace: Option<String>,
}

/// The warning window when the manifest sets none.
pub const DEFAULT_WARN_BEFORE: Period = Period { days: 14 };

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            delivery: Delivery::Exec,
            rotate_every: None,
            warn_before: DEFAULT_WARN_BEFORE,
            namespace: None,
        }
    }
}

/// How a secret is handed to a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// The client entry launches `mcpctl exec`, which reads the credentials
    /// from the store and replaces itself with the server.
    Exec,
    /// The client entry references an environment variable in the client's
    /// own syntax.
    EnvRef,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Exec => "exec",
            Delivery::EnvRef => "env-ref",
        }
    }
}

/// A client program that reads MCP server entries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ClientId {
    /// Claude Code (`~/.claude.json`, `.mcp.json`).
    ClaudeCode,
    /// Claude Desktop (`claude_desktop_config.json`).
    ClaudeDesktop,
    /// Visual Studio Code (`mcp.json`, `.vscode/mcp.json`).
    Vscode,
    /// Cursor (`~/.cursor/mcp.json`, `.cursor/mcp.json`).
    Cursor,
    /// Windsurf (`~/.codeium/windsurf/mcp_config.json`).
    Windsurf,
    /// OpenAI Codex CLI (`~/.codex/config.toml`).
    Codex,
    /// Gemini CLI (`~/.gemini/settings.json`, `.gemini/settings.json`).
    GeminiCli,
    /// Zed (`settings.json` under `context_servers`).
    Zed,
    /// Cline, the VS Code extension (`cline_mcp_settings.json`).
    Cline,
    /// opencode (`opencode.json` under `mcp`).
    Opencode,
    /// Amazon Q Developer CLI (`~/.aws/amazonq/mcp.json`).
    AmazonQ,
    /// LM Studio (`~/.lmstudio/mcp.json`).
    LmStudio,
    /// GitHub Copilot CLI (`~/.copilot/mcp-config.json`, `.github/mcp.json`).
    CopilotCli,
    /// Qwen Code (`~/.qwen/settings.json`, `.qwen/settings.json`).
    QwenCode,
    /// Augment's Auggie CLI (`~/.augment/settings.json`).
    Augment,
    /// Amp (`~/.config/amp/settings.json` under `amp.mcpServers`).
    Amp,
    /// Kiro, IDE and CLI (`~/.kiro/settings/mcp.json`).
    Kiro,
    /// JetBrains Junie (`~/.junie/mcp/mcp.json`).
    Junie,
    /// Roo Code, the VS Code extension (`mcp_settings.json`, `.roo/mcp.json`).
    RooCode,
    /// Crush (`~/.config/crush/crush.json` under `mcp`).
    Crush,
    /// Visual Studio, Windows only (`%USERPROFILE%\.mcp.json`, `.vs\mcp.json`).
    VisualStudio,
    /// Goose (`~/.config/goose/config.yaml` under `extensions`).
    Goose,
    /// Continue (`~/.continue/config.yaml`, `.continue/mcpServers/`).
    Continue,
}

impl ClientId {
    /// Every client this build knows, in display order.
    pub const ALL: [ClientId; 23] = [
        ClientId::ClaudeCode,
        ClientId::ClaudeDesktop,
        ClientId::Vscode,
        ClientId::Cursor,
        ClientId::Windsurf,
        ClientId::Codex,
        ClientId::GeminiCli,
        ClientId::Zed,
        ClientId::Cline,
        ClientId::Opencode,
        ClientId::AmazonQ,
        ClientId::LmStudio,
        ClientId::CopilotCli,
        ClientId::QwenCode,
        ClientId::Augment,
        ClientId::Amp,
        ClientId::Kiro,
        ClientId::Junie,
        ClientId::RooCode,
        ClientId::Crush,
        ClientId::VisualStudio,
        ClientId::Goose,
        ClientId::Continue,
    ];

    /// The name used in manifests and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientId::ClaudeCode => "claude-code",
            ClientId::ClaudeDesktop => "claude-desktop",
            ClientId::Vscode => "vscode",
            ClientId::Cursor => "cursor",
            ClientId::Windsurf => "windsurf",
            ClientId::Codex => "codex",
            ClientId::GeminiCli => "gemini-cli",
            ClientId::Zed => "zed",
            ClientId::Cline => "cline",
            ClientId::Opencode => "opencode",
            ClientId::AmazonQ => "amazon-q",
            ClientId::LmStudio => "lm-studio",
            ClientId::CopilotCli => "copilot-cli",
            ClientId::QwenCode => "qwen-code",
            ClientId::Augment => "augment",
            ClientId::Amp => "amp",
            ClientId::Kiro => "kiro",
            ClientId::Junie => "junie",
            ClientId::RooCode => "roo-code",
            ClientId::Crush => "crush",
            ClientId::VisualStudio => "visual-studio",
            ClientId::Goose => "goose",
            ClientId::Continue => "continue",
        }
    }

    pub fn from_name(name: &str) -> Option<ClientId> {
        ClientId::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The scopes this client has a file for: every client has a user
    /// file; some read a checked-in project file; Claude Code also keeps
    /// per-project entries in its user file (`local`).
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            ClientId::ClaudeCode => &[Scope::User, Scope::Local, Scope::Project],
            ClientId::Vscode
            | ClientId::Cursor
            | ClientId::Codex
            | ClientId::GeminiCli
            | ClientId::Zed
            | ClientId::Opencode
            | ClientId::AmazonQ
            | ClientId::CopilotCli
            | ClientId::QwenCode
            | ClientId::Augment
            | ClientId::Amp
            | ClientId::Kiro
            | ClientId::Junie
            | ClientId::RooCode
            | ClientId::Crush
            | ClientId::VisualStudio
            | ClientId::Continue => &[Scope::User, Scope::Project],
            ClientId::ClaudeDesktop
            | ClientId::Windsurf
            | ClientId::Cline
            | ClientId::LmStudio
            | ClientId::Goose => &[Scope::User],
        }
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which of a client's configuration files an entry goes into.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The user's own file (e.g. `~/.claude.json`), for every project.
    User,
    /// The user's own file, for this project only (Claude Code's
    /// `projects["<manifest directory>"].mcpServers` in `~/.claude.json`):
    /// private to this machine, not checked in.
    Local,
    /// A file in the repository beside the manifest (e.g. `.mcp.json`),
    /// checked in and shared with the team.
    Project,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::User, Scope::Local, Scope::Project];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Local => "local",
            Scope::Project => "project",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `client` node: a client and the scope its entries go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ClientTarget {
    pub client: ClientId,
    pub scope: Scope,
    /// `delivery=…` on the client node: how this client's servers get
    /// their secrets unless a server says otherwise.
    pub delivery: Option<Delivery>,
}

/// A shell whose profile mcpctl can manage a block in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// Windows PowerShell 5.1 and PowerShell 7 (both profiles).
    Powershell,
}

impl Shell {
    pub const ALL: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell];

    pub fn as_str(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
        }
    }

    pub fn from_name(name: &str) -> Option<Shell> {
        Shell::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret a server needs. The manifest names it; its value lives only in
/// the credential store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Credential {
    /// Store entry name; also the default environment variable.
    pub name: String,
    pub kind: CredentialKind,
    /// The service that issues it (`github`, `slack`, `aws`, …), if known.
    pub provider: Option<String>,
    /// The scopes or permissions the token must have, least privilege first.
    pub scopes: Vec<String>,
    /// How often it must be rotated, resolved from the credential, its
    /// provider, its kind or the defaults.
    pub rotate_every: Option<Period>,
    /// Where `rotate_every` came from.
    pub rotate_every_source: Option<PeriodSource>,
    /// Where a person creates this token (a URL).
    pub create_at: Option<String>,
    /// What it is for, shown in prompts and used as the store label.
    pub description: Option<String>,
    /// Where the value comes from at launch (`source …`; default the OS
    /// store).
    pub source: Source,
    /// The store-entry namespace (`namespace "team-a"`, else the
    /// defaults'), keeping each data source's entries apart. Only for
    /// credentials in the OS store.
    pub namespace: Option<String>,
    /// How sensitive it is (`classification confidential`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
}

impl Credential {
    /// The label a new store entry gets: the description, else the name.
    pub fn label(&self) -> &str {
        self.description.as_deref().unwrap_or(&self.name)
    }

    /// The store entry (service / Windows target) holding the value: the
    /// name itself — as the credentials guide names entries made by hand —
    /// or `namespace/NAME` when a namespace applies.
    pub fn store_entry(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether the value is a file's content, handed to servers as a path.
    pub fn is_file(&self) -> bool {
        self.kind == CredentialKind::File
    }
}

/// Where a credential's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Source {
    /// The OS credential store (written by `apply` and `rotate`).
    Store,
    /// An environment variable of the process that starts the server
    /// (`source env var=NAME`), for CI machines. Read-only.
    Env { var: String },
    /// The standard output of a secret manager's command, run without a
    /// shell at launch (`source command pass show mcp/github`). Read-only.
    Command {
        /// The program, then its arguments; never the value.
        argv: Vec<String>,
        /// Seconds to wait before the command is killed.
        timeout_secs: u32,
    },
}

/// How long a `source command` may run when the manifest sets no
/// `timeout`: long enough for a secret manager's unlock prompt.
pub const DEFAULT_COMMAND_TIMEOUT_SECS: u32 = 30;

impl Source {
    /// Whether mcpctl keeps the value itself (in the OS store).
    pub fn is_store(&self) -> bool {
        matches!(self, Source::Store)
    }

    /// Where the value is read, in words, for plans and messages.
    pub fn describe(&self) -> String {
        match self {
            Source::Store => "the OS credential store".to_owned(),
            Source::Env { var } => format!("environment variable `{var}`"),
            Source::Command { argv, .. } => format!("`{}`", argv.join(" ")),
        }
    }
}

/// What sort of secret a credential is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    PersonalAccessToken,
    OauthToken,
    ApiKey,
    ConnectionString,
    AccessKey,
    Password,
    /// A whole file (a kubeconfig, a service-account JSON): `exec` hands
    /// the server a private temporary file's path.
    File,
    Other,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 8] = [
        CredentialKind::PersonalAccessToken,
        CredentialKind::OauthToken,
        CredentialKind::ApiKey,
        CredentialKind::ConnectionString,
        CredentialKind::AccessKey,
        CredentialKind::Password,
        CredentialKind::File,
        CredentialKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::PersonalAccessToken => "personal-access-token",
            CredentialKind::OauthToken => "oauth-token",
            CredentialKind::ApiKey => "api-key",
            CredentialKind::ConnectionString => "connection-string",
            CredentialKind::AccessKey => "access-key",
            CredentialKind::Password => "password",
            CredentialKind::File => "file",
            CredentialKind::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<CredentialKind> {
        CredentialKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A rotation period, in whole days. Written `90d`, `12w` or `1y` in the
/// manifest and serialized as `"<days>d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[schemars(transparent)]
pub struct Period {
    /// Length in days.
    #[schemars(with = "String", regex(pattern = r"^[0-9]+d$"))]
    pub days: u32,
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read back from mcpctl's own state (`"90d"`), so the same syntax as the
/// manifest.
impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::rotation::parse_period(&text)
            .map_err(|err| serde::de::Error::custom(format!("`{text}`: {}", err.label())))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}d", self.days)
    }
}

/// Where a credential's rotation period came from, for the plan to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodSource {
    /// `rotate-every` on the credential itself.
    Credential,
    /// The credentials guide's schedule for its provider.
    Provider,
    /// The credentials guide's schedule for its kind.
    Kind,
    /// `defaults { rotate-every … }`.
    Defaults,
}

impl PeriodSource {
    /// Where the period came from, in words, for the plan.
    pub fn describe(self, credential: &Credential) -> String {
        match self {
            PeriodSource::Credential => "set on the credential".to_owned(),
            PeriodSource::Provider => format!(
                "the credentials guide's schedule for {}",
                credential.provider.as_deref().unwrap_or("its provider")
            ),
            PeriodSource::Kind => format!(
                "the credentials guide's schedule for {}",
                credential.kind.as_str()
            ),
            PeriodSource::Defaults => "from `defaults`".to_owned(),
        }
    }
}
