//! The changes a plan holds, one type per kind of thing changed.
//!
//! Each kind has its own action enum, so a match says exactly what can
//! happen to it (a shell block is never "adopted", a credential never
//! "skipped"), and each change holds what apply needs to carry it out —
//! an entry change sits in the [`FileChange`] of its client file and
//! table, a credential change carries the declaration apply asks for —
//! so apply and `mcpctl show` read the plan alone. Why a change is what
//! it is comes as [`Reason`]s, never words.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Reason;
use super::rotation::Rotation;
use crate::manifest::{ClientId, Credential, CredentialKind, Scope, Shell, Source};
use crate::state::entry_digest;

/// A credential the manifest declares, and what happens to its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CredentialChange {
    pub name: String,
    /// Where the value lives.
    pub holder: Holder,
    pub action: CredentialAction,
    /// The declaration, as apply asks for the value and the plan shows it.
    pub declared: Declared,
    pub reasons: Vec<Reason>,
    /// For credentials in the store: age, period, due and expiry dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
}

/// Where a credential's value lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Holder {
    /// The OS credential store of this name; mcpctl writes it.
    Store { name: String },
    /// An environment variable, read at launch (`source env`).
    Environment,
    /// A secret manager's command, run at launch (`source command`).
    SecretManager,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialAction {
    /// Present, or read from outside the store.
    NoOp,
    /// Missing: apply asks for the value and stores it.
    Create,
    /// `destroy --include-credentials`: the value leaves the store.
    Delete,
    /// The store cannot be reached, so its presence is unknown.
    Unavailable,
    /// Revoked (`mcpctl revoke`): not asked for until `mcpctl rotate`.
    Blocked,
}

/// What the manifest declares about a credential, as far as asking for
/// its value, storing it and showing it need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Declared {
    #[serde(with = "kind_name")]
    #[schemars(with = "String")]
    pub kind: CredentialKind,
    pub provider: Option<String>,
    pub scopes: Vec<String>,
    /// Where a person creates it (a URL).
    pub create_at: Option<String>,
    /// What it is for: shown when asking, and the store entry's label.
    pub description: Option<String>,
    /// The store-entry namespace.
    pub namespace: Option<String>,
}

impl Declared {
    pub fn of(credential: &Credential) -> Declared {
        Declared {
            kind: credential.kind,
            provider: credential.provider.clone(),
            scopes: credential.scopes.clone(),
            create_at: credential.create_at.clone(),
            description: credential.description.clone(),
            namespace: credential.namespace.clone(),
        }
    }
}

impl CredentialChange {
    /// The credential as the plan declares it, for asking for its value,
    /// naming its store entry and describing its rotation. Only what the
    /// plan records is set (no rotation period: the plan holds its result).
    pub fn credential(&self) -> Credential {
        let declared = &self.declared;
        Credential {
            name: self.name.clone(),
            kind: declared.kind,
            provider: declared.provider.clone(),
            scopes: declared.scopes.clone(),
            rotate_every: None,
            rotate_every_source: None,
            create_at: declared.create_at.clone(),
            description: declared.description.clone(),
            source: Source::Store,
            namespace: declared.namespace.clone(),
            classification: None,
        }
    }

    /// Whether mcpctl keeps the value (in the OS store).
    pub fn in_store(&self) -> bool {
        matches!(self.holder, Holder::Store { .. })
    }
}

/// A credential kind by its manifest name (`api-key`).
mod kind_name {
    use crate::manifest::CredentialKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &CredentialKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CredentialKind, D::Error> {
        let name = String::deserialize(d)?;
        CredentialKind::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown credential kind `{name}`")))
    }
}

/// The server entries of one table of one client file: where they are,
/// as the client's adapter names it, and what happens to each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct FileChange {
    pub client: ClientId,
    pub scope: Scope,
    pub path: PathBuf,
    /// Keys from the root of the file to the table of servers.
    pub table: Vec<String>,
    pub entries: Vec<EntryChange>,
}

/// One server entry and what will happen to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct EntryChange {
    pub server: String,
    pub action: EntryAction,
    /// The entry as observed (redacted), when there is one.
    pub before: Option<Value>,
    /// The entry as it will be, when it will exist.
    pub after: Option<Value>,
    /// Digest of the observed entry, so apply can tell whether it changed
    /// since the plan. `None` when it was absent.
    pub before_digest: Option<String>,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EntryAction {
    /// Already as desired.
    NoOp,
    /// A missing entry.
    Create,
    /// An entry mcpctl owns that differs from the manifest.
    Update,
    /// An entry mcpctl owns that the manifest no longer asks for.
    Delete,
    /// An entry written by someone else that mcpctl takes over (`--adopt`,
    /// or because it already matches exactly); written only if it differs.
    Adopt,
    /// An entry of the same name written by someone else: left alone
    /// unless `apply --adopt`.
    Conflict,
    /// An ownership record whose entry is gone and no longer wanted: only
    /// mcpctl's state changes.
    Forget,
    /// The entry of a server that needs a revoked credential: not created
    /// until `mcpctl rotate` supplies a new value.
    Blocked,
    /// A server this client cannot have (its reasons say why); nothing is
    /// written.
    Skip,
}

impl EntryChange {
    /// Whether applying this change writes the file.
    pub fn writes(&self) -> bool {
        match self.action {
            EntryAction::Create | EntryAction::Update | EntryAction::Delete => true,
            EntryAction::Adopt => self.before_digest != self.after.as_ref().map(entry_digest),
            EntryAction::NoOp
            | EntryAction::Conflict
            | EntryAction::Forget
            | EntryAction::Blocked
            | EntryAction::Skip => false,
        }
    }

    /// Whether apply has anything to do for it: a write, or a change of
    /// mcpctl's ownership records.
    pub fn applies(&self) -> bool {
        !matches!(
            self.action,
            EntryAction::NoOp | EntryAction::Conflict | EntryAction::Blocked | EntryAction::Skip
        )
    }
}

/// mcpctl's block in a shell profile (`shell-profile`): it runs `mcpctl
/// env`, so env-ref clients started from that shell find their variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ProfileChange {
    pub shell: Shell,
    pub file: PathBuf,
    pub action: ProfileAction,
    /// The block as observed (redacted: it may have been edited by hand).
    pub before: Option<String>,
    /// The block as it will be.
    pub after: Option<String>,
    /// Digest of the observed block, so apply can tell whether it changed.
    pub before_digest: Option<String>,
    pub reasons: Vec<Reason>,
}

impl ProfileChange {
    /// Whether applying this change writes the profile.
    pub fn writes(&self) -> bool {
        self.action != ProfileAction::NoOp
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileAction {
    NoOp,
    Create,
    Update,
    Delete,
}

/// A variable `mcpctl env` exports for this manifest (env-ref delivery).
/// `mcpctl env` serves only what an apply recorded, so a new variable or a
/// changed `source command` reaches a shell only through this change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ExportChange {
    pub variable: String,
    pub action: ExportAction,
    /// Where its value is read as last applied, the text form of
    /// [`crate::source::Reference`].
    pub before: Option<String>,
    /// Where its value is read as the manifest asks now.
    pub after: Option<String>,
    pub reasons: Vec<Reason>,
}

impl ExportChange {
    /// Whether applying this change changes what `mcpctl env` serves.
    pub fn writes(&self) -> bool {
        self.action != ExportAction::NoOp
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExportAction {
    NoOp,
    Create,
    Update,
    Delete,
}

/// The audit settings (`audit { … }`) this manifest installs on the
/// machine: retention, forwarding and alert rules, which `exec` follows
/// for this manifest's servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct AuditChange {
    pub action: AuditAction,
    /// The settings applied now (`None`: the defaults).
    pub before: Option<AuditShown>,
    /// The settings wanted (`None`: the defaults).
    pub after: Option<AuditShown>,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
}

/// Audit settings as a plan shows them: the manifest's words, the webhook
/// redacted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct AuditShown {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub syslog: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub alerts_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_reads_per_hour: Option<u32>,
}

/// What a change is about, to name it (in a refusal of an edited plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Credential {
        name: String,
    },
    Entry {
        client: ClientId,
        scope: Scope,
        file: PathBuf,
        table: Vec<String>,
        server: String,
    },
    ShellProfile {
        shell: Shell,
        file: PathBuf,
    },
    EnvExport {
        variable: String,
    },
    AuditSettings {
        manifest: PathBuf,
    },
}
