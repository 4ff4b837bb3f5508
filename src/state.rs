//! What mcpctl wrote where: the ownership records behind every plan.
//!
//! mcpctl changes only entries it owns. An entry is owned when the state
//! names its file, table and server; the record keeps a digest of what was
//! written (never a value — entries hold no secrets, and the digest is
//! enough to tell a hand edit from our own write) and which manifest wrote
//! it. Credentials get the time mcpctl set them, for rotation. The file is
//! `state.json` in the state directory, replaced atomically.
//!
//! It also holds what `mcpctl env` exports for each manifest
//! ([`State::exports`]): the set the person last reviewed in a plan and
//! applied, not what the manifest in the working tree says now — a branch
//! checked out since must not choose what every new shell runs.
//!
//! The file carries its format version. A file written by an older mcpctl
//! is migrated in memory when read ([`migrate`], one step per version) and
//! written back in the current format by the next command that saves;
//! one written by a newer mcpctl is refused rather than misread.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::manifest::{ClientId, Scope};

/// The state format this build writes. Version 2 added [`State::applies`];
/// version 3 keys [`State::audit`] by manifest; version 4 added
/// [`State::exports`].
pub const STATE_VERSION: u32 = 4;
const STATE_FILE: &str = "state.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// Client entries mcpctl wrote, in the order written.
    pub entries: Vec<OwnedEntry>,
    /// Credentials mcpctl set or first saw, by name.
    pub credentials: BTreeMap<String, CredentialRecord>,
    /// The audit settings each manifest's `apply` installed, by manifest
    /// path: `exec` uses those of the manifest its client entry names
    /// ([`crate::audit::Settings::of_manifest`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub audit: BTreeMap<PathBuf, crate::audit::Settings>,
    /// The last `apply` of each manifest on this machine, by manifest path
    /// (for `mcpctl status` and `mcpctl rollback`).
    #[serde(default)]
    pub applies: BTreeMap<PathBuf, ApplyRecord>,
    /// What `mcpctl env` exports for each manifest (by manifest path, as
    /// ownership is keyed), as applied: variable name → where its value is
    /// read, in the text form of [`crate::source::Reference`]
    /// (`GITHUB_TOKEN`, `NPM_TOKEN:command:30s:["pass","show","npm"]`).
    #[serde(default)]
    pub exports: BTreeMap<PathBuf, BTreeMap<String, String>>,
}

/// One manifest's last apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyRecord {
    /// When it finished (RFC 3339).
    pub at: String,
    /// sha256 of the manifest's bytes as applied.
    pub manifest_digest: String,
    /// The git commit of the manifest's repository, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    /// Where the files it replaced were backed up, if it replaced any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedEntry {
    pub client: ClientId,
    pub scope: Scope,
    pub file: PathBuf,
    pub table: Vec<String>,
    pub server: String,
    /// The manifest that asked for this entry.
    pub manifest: PathBuf,
    /// [`entry_digest`] of the entry as written.
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRecord {
    /// When mcpctl stored a value (RFC 3339), if it ever did.
    pub set_at: Option<String>,
    /// When mcpctl first saw the entry in the store.
    pub first_seen: String,
    /// The day the provider expires the token (`YYYY-MM-DD`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// When `mcpctl revoke` deleted it (RFC 3339); cleared by `rotate`.
    /// While set, servers that need it are blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl CredentialRecord {
    /// A record for a value mcpctl stores now.
    pub fn set_now(now: &str, expires: Option<String>) -> CredentialRecord {
        CredentialRecord {
            set_at: Some(now.to_owned()),
            first_seen: now.to_owned(),
            expires,
            revoked_at: None,
        }
    }
}

impl State {
    /// Reads the state of `dir`; an absent file is an empty state.
    pub fn load(dir: &Path) -> Result<State, StateError> {
        let path = dir.join(STATE_FILE);
        let Some(text) = read_state(&path)? else {
            return Ok(State {
                version: STATE_VERSION,
                ..State::default()
            });
        };
        let corrupt = |err| corrupt(&path, err);
        let value: Value = serde_json::from_str(&text).map_err(corrupt)?;
        let value = migrate(value).map_err(|version| StateError::TooNew {
            path: path.clone(),
            version,
        })?;
        serde_json::from_value(value).map_err(corrupt)
    }

    /// Only the audit settings, for `exec`, which sits in front of every
    /// server launch: the other fields are skipped, not built (loading the
    /// ownership records of 1,000 servers whole takes about 20 ms). A file
    /// of an older version is loaded whole and migrated, once: the next
    /// command that saves writes the current version.
    pub fn audit_settings(dir: &Path) -> Result<AuditSettings, StateError> {
        #[derive(Deserialize)]
        struct AuditOnly {
            version: Option<u32>,
            #[serde(default)]
            audit: Value,
        }
        let path = dir.join(STATE_FILE);
        let Some(text) = read_state(&path)? else {
            return Ok(AuditSettings::new());
        };
        let head: AuditOnly = serde_json::from_str(&text).map_err(|err| corrupt(&path, err))?;
        match head.version {
            Some(version) if version > STATE_VERSION => Err(StateError::TooNew { path, version }),
            Some(STATE_VERSION) if head.audit.is_null() => Ok(AuditSettings::new()),
            Some(STATE_VERSION) => {
                serde_json::from_value(head.audit).map_err(|err| corrupt(&path, err))
            }
            _ => Ok(State::load(dir)?.audit),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), StateError> {
        let path = dir.join(STATE_FILE);
        let mut text = serde_json::to_string_pretty(self).expect("state serializes");
        text.push('\n');
        crate::fs::write_atomic(&path, text.as_bytes())
            .map_err(|source| StateError::Io { path, source })
    }

    /// The ownership record of `server` in the table `table` of `file`.
    pub fn owned(&self, file: &Path, table: &[String], server: &str) -> Option<&OwnedEntry> {
        self.entries
            .iter()
            .find(|e| e.file == file && e.table == table && e.server == server)
    }

    /// Records (or refreshes) ownership of an entry.
    pub fn record_entry(&mut self, entry: OwnedEntry) {
        self.forget_entry(&entry.file, &entry.table, &entry.server);
        self.entries.push(entry);
    }

    pub fn forget_entry(&mut self, file: &Path, table: &[String], server: &str) {
        self.entries
            .retain(|e| !(e.file == file && e.table == table && e.server == server));
    }
}

/// The applied audit settings of every manifest, by manifest path.
pub type AuditSettings = BTreeMap<PathBuf, crate::audit::Settings>;

/// The state file's text; `None` when there is none yet.
fn read_state(path: &Path) -> Result<Option<String>, StateError> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn corrupt(path: &Path, err: serde_json::Error) -> StateError {
    StateError::Corrupt {
        path: path.to_path_buf(),
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    }
}

/// Brings a state file of any earlier version to [`STATE_VERSION`], one
/// version at a time; `Err(version)` for a version newer than this build.
pub fn migrate(mut value: Value) -> Result<Value, u32> {
    loop {
        let version = value
            .get("version")
            .and_then(Value::as_u64)
            .map_or(1, |v| u32::try_from(v).unwrap_or(u32::MAX));
        match version {
            v if v > STATE_VERSION => return Err(v),
            STATE_VERSION => return Ok(value),
            // 3 → 4: what `mcpctl env` exports. Version 3 kept none, and
            // the working-tree manifest cannot stand in for it (it may have
            // changed since it was applied): env exports nothing until the
            // next apply records the reviewed set.
            3 => {
                if let Value::Object(map) = &mut value {
                    map.insert("exports".to_owned(), Value::Object(Default::default()));
                    map.insert("version".to_owned(), Value::from(4));
                } else {
                    return Ok(value);
                }
            }
            // 2 → 3: the audit settings, one set for the machine, become
            // one set per manifest. The set was installed by the last
            // apply, so it belongs to the manifest applied last; without a
            // record of applies, to the one manifest that owns entries; else
            // it is dropped and the next apply of each manifest plans its
            // settings again.
            2 => {
                let Value::Object(map) = &mut value else {
                    return Ok(value);
                };
                let settings = map.remove("audit").filter(|v| !v.is_null());
                let mut by_manifest = serde_json::Map::new();
                if let Some(settings) = settings
                    && let Some(owner) = last_applied_manifest(map)
                {
                    by_manifest.insert(owner, settings);
                }
                map.insert("audit".to_owned(), Value::Object(by_manifest));
                map.insert("version".to_owned(), Value::from(3));
            }
            // 1 → 2: the record of each manifest's last apply. Version 1
            // kept none; the next apply writes it.
            _ => {
                if let Value::Object(map) = &mut value {
                    map.insert("applies".to_owned(), Value::Object(Default::default()));
                    map.insert("version".to_owned(), Value::from(2));
                } else {
                    return Ok(value);
                }
            }
        }
    }
}

/// In a version-2 state: the manifest applied last, else the only manifest
/// that owns entries.
fn last_applied_manifest(state: &serde_json::Map<String, Value>) -> Option<String> {
    let applies = state.get("applies").and_then(Value::as_object);
    let latest = applies.and_then(|applies| {
        applies
            .iter()
            .filter_map(|(path, record)| {
                let at = record
                    .get("at")?
                    .as_str()?
                    .parse::<jiff::Timestamp>()
                    .ok()?;
                Some((at, path))
            })
            .max()
            .map(|(_, path)| path.clone())
    });
    if latest.is_some() {
        return latest;
    }
    let owners: std::collections::BTreeSet<&str> = state
        .get("entries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("manifest")?.as_str())
        .collect();
    match owners.len() {
        1 => owners.into_iter().next().map(str::to_owned),
        _ => None,
    }
}

/// A digest of an entry's content that ignores key order and formatting.
pub fn entry_digest(value: &Value) -> String {
    let canonical = canonical(value);
    let bytes = serde_json::to_vec(&canonical).expect("json serializes");
    crate::digest::sha256(&bytes)
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    #[error("cannot read or write mcpctl's state at `{path}`")]
    #[diagnostic(help("check the permissions of the state directory"))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("mcpctl's state at `{path}` is damaged (line {line}, column {column}): {message}")]
    #[diagnostic(help(
        "restore it from a backup, or move it aside to start over: mcpctl will then treat \
         existing entries as not its own and ask before adopting them"
    ))]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("mcpctl's state at `{path}` has version {version}, newer than this mcpctl understands")]
    #[diagnostic(help("upgrade mcpctl to the version that wrote it"))]
    TooNew { path: PathBuf, version: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn audit_settings_alone_match_the_whole_state() {
        let dir = tempfile::tempdir().unwrap();
        assert!(State::audit_settings(dir.path()).unwrap().is_empty());
        let mut state = State {
            version: STATE_VERSION,
            ..State::default()
        };
        state.audit.insert(
            "/repo/mcpctl.kdl".into(),
            crate::audit::Settings {
                declared: [("github".to_owned(), vec!["GITHUB_TOKEN".to_owned()])].into(),
                ..Default::default()
            },
        );
        state.save(dir.path()).unwrap();
        let alone = State::audit_settings(dir.path()).unwrap();
        assert_eq!(alone, State::load(dir.path()).unwrap().audit);
        assert_eq!(alone.len(), 1);
        let newer = json!({"version": STATE_VERSION + 1, "audit": null}).to_string();
        fs_err::write(dir.path().join(STATE_FILE), newer).unwrap();
        assert!(matches!(
            State::audit_settings(dir.path()),
            Err(StateError::TooNew { .. })
        ));
    }

    #[test]
    fn the_machine_wide_audit_settings_of_version_2_go_to_the_manifest_applied_last() {
        let dir = tempfile::tempdir().unwrap();
        let v2 = json!({
            "version": 2,
            "entries": [],
            "credentials": {},
            "audit": {"policy": {"retain": null, "syslog": false, "webhook": "http://127.0.0.1:9/b",
                      "webhook-alerts-only": false, "alert-reads-per-hour": null},
                      "declared": {"slack": ["SLACK_TOKEN"]}},
            "applies": {
                "/a/mcpctl.kdl": {"at": "2026-01-01T00:00:00Z", "manifest_digest": "sha256:a"},
                "/b/mcpctl.kdl": {"at": "2026-02-01T00:00:00Z", "manifest_digest": "sha256:b"}
            }
        });
        fs_err::write(dir.path().join(STATE_FILE), v2.to_string()).unwrap();
        let audit = State::audit_settings(dir.path()).unwrap();
        assert_eq!(
            audit.keys().collect::<Vec<_>>(),
            [Path::new("/b/mcpctl.kdl")]
        );
        let b = &audit[Path::new("/b/mcpctl.kdl")];
        assert_eq!(b.policy.webhook.as_deref(), Some("http://127.0.0.1:9/b"));
        let state = State::load(dir.path()).unwrap();
        assert_eq!(state.audit, audit);
        assert!(state.exports.is_empty());
    }

    #[test]
    fn digest_ignores_key_order() {
        let a = json!({"command": "x", "args": ["1", "2"], "env": {"A": "1", "B": "2"}});
        let b = json!({"env": {"B": "2", "A": "1"}, "args": ["1", "2"], "command": "x"});
        assert_eq!(entry_digest(&a), entry_digest(&b));
        let c = json!({"command": "x", "args": ["2", "1"]});
        assert_ne!(entry_digest(&a), entry_digest(&c));
    }

    /// A version-2 state (before exports were recorded) keeps its applies
    /// and gains an empty export record: `mcpctl env` exports nothing for a
    /// manifest until it is applied again, never the working tree's set.
    #[test]
    fn a_version_2_file_gains_an_empty_export_record() {
        let dir = tempfile::tempdir().unwrap();
        let v2 = r#"{"version": 2, "entries": [], "credentials": {},
  "applies": {"/repo/mcpctl.kdl": {"at": "2026-01-01T00:00:00Z", "manifest_digest": "00"}}}"#;
        fs_err::write(dir.path().join(STATE_FILE), v2).unwrap();
        let state = State::load(dir.path()).unwrap();
        assert_eq!(state.version, STATE_VERSION);
        assert!(state.applies.contains_key(Path::new("/repo/mcpctl.kdl")));
        assert!(state.exports.is_empty());
    }

    /// A version-3 state (audit settings per manifest, as an mcpctl built
    /// before exports were recorded wrote it) keeps each manifest's audit
    /// settings and gains an empty export record.
    #[test]
    fn a_version_3_file_keeps_its_audit_settings_and_gains_an_empty_export_record() {
        let dir = tempfile::tempdir().unwrap();
        let v3 = json!({
            "version": 3,
            "entries": [],
            "credentials": {},
            "audit": {"/repo/mcpctl.kdl": {
                "policy": {"retain": null, "syslog": false, "webhook": "http://127.0.0.1:9/r",
                           "webhook-alerts-only": false, "alert-reads-per-hour": null},
                "declared": {"github": ["GITHUB_TOKEN"]}}},
            "applies": {"/repo/mcpctl.kdl": {"at": "2026-01-01T00:00:00Z", "manifest_digest": "00"}}
        });
        fs_err::write(dir.path().join(STATE_FILE), v3.to_string()).unwrap();
        let state = State::load(dir.path()).unwrap();
        assert_eq!(state.version, STATE_VERSION);
        assert!(state.applies.contains_key(Path::new("/repo/mcpctl.kdl")));
        let audit = &state.audit[Path::new("/repo/mcpctl.kdl")];
        assert_eq!(
            audit.policy.webhook.as_deref(),
            Some("http://127.0.0.1:9/r")
        );
        assert_eq!(State::audit_settings(dir.path()).unwrap(), state.audit);
        assert!(state.exports.is_empty());
        state.save(dir.path()).unwrap();
        let saved: Value =
            serde_json::from_str(&fs_err::read_to_string(dir.path().join(STATE_FILE)).unwrap())
                .unwrap();
        assert_eq!(saved["version"], STATE_VERSION);
        assert_eq!(saved["exports"], json!({}));
    }

    #[test]
    fn a_version_1_file_is_migrated_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = r#"{
  "version": 1,
  "entries": [
    {"client": "claude-code", "scope": "user", "file": "/h/.claude.json",
     "table": ["mcpServers"], "server": "github", "manifest": "/repo/mcpctl.kdl",
     "digest": "sha256:00"}
  ],
  "credentials": {"GITHUB_TOKEN": {"set_at": "2026-01-01T00:00:00Z", "first_seen": "2026-01-01T00:00:00Z"}}
}"#;
        fs_err::write(dir.path().join(STATE_FILE), v1).unwrap();
        let state = State::load(dir.path()).unwrap();
        assert_eq!(state.version, STATE_VERSION);
        assert_eq!(state.entries[0].server, "github");
        assert!(state.credentials["GITHUB_TOKEN"].set_at.is_some());
        assert!(state.applies.is_empty());
        assert!(state.exports.is_empty());
        // Saved, it is a file of the current version.
        state.save(dir.path()).unwrap();
        let saved: Value =
            serde_json::from_str(&fs_err::read_to_string(dir.path().join(STATE_FILE)).unwrap())
                .unwrap();
        assert_eq!(saved["version"], STATE_VERSION);

        fs_err::write(dir.path().join(STATE_FILE), r#"{"version": 9}"#).unwrap();
        let err = State::load(dir.path()).unwrap_err();
        assert!(
            matches!(err, StateError::TooNew { version: 9, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn round_trips_and_reports_damage() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::load(dir.path()).unwrap();
        assert_eq!(state.version, STATE_VERSION);
        state.record_entry(OwnedEntry {
            client: ClientId::Codex,
            scope: Scope::User,
            file: "/h/.codex/config.toml".into(),
            table: vec!["mcp_servers".into()],
            server: "github".into(),
            manifest: "/repo/mcpctl.kdl".into(),
            digest: "sha256:00".into(),
        });
        state.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), state);
        fs_err::write(dir.path().join(STATE_FILE), "{ nope").unwrap();
        let err = State::load(dir.path()).unwrap_err();
        assert!(
            matches!(err, StateError::Corrupt { line: 1, .. }),
            "{err:?}"
        );
    }
}
