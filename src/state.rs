//! What mcpctl wrote where: the ownership records behind every plan.
//!
//! mcpctl changes only entries it owns. An entry is owned when the state
//! names its file, table and server; the record keeps a digest of what was
//! written (never a value — entries hold no secrets, and the digest is
//! enough to tell a hand edit from our own write) and which manifest wrote
//! it. Credentials get the time mcpctl set them, for rotation. The file is
//! `state.json` in the state directory, replaced atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::manifest::{ClientId, Scope};

/// The state format this build writes.
pub const STATE_VERSION: u32 = 1;
const STATE_FILE: &str = "state.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// Client entries mcpctl wrote, in the order written.
    pub entries: Vec<OwnedEntry>,
    /// Credentials mcpctl set or first saw, by name.
    pub credentials: BTreeMap<String, CredentialRecord>,
    /// The audit settings the last `apply` installed (`exec` has no
    /// manifest to read them from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<crate::audit::Settings>,
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
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(State {
                    version: STATE_VERSION,
                    ..State::default()
                });
            }
            Err(source) => return Err(StateError::Io { path, source }),
        };
        let state: State = serde_json::from_str(&text).map_err(|err| StateError::Corrupt {
            path: path.clone(),
            line: err.line(),
            column: err.column(),
            message: err.to_string(),
        })?;
        if state.version > STATE_VERSION {
            return Err(StateError::TooNew {
                path,
                version: state.version,
            });
        }
        Ok(state)
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

/// A digest of an entry's content that ignores key order and formatting.
pub fn entry_digest(value: &Value) -> String {
    let canonical = canonical(value);
    let bytes = serde_json::to_vec(&canonical).expect("json serializes");
    let hash = Sha256::digest(&bytes);
    format!("sha256:{}", hex(&hash))
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

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn digest_ignores_key_order() {
        let a = json!({"command": "x", "args": ["1", "2"], "env": {"A": "1", "B": "2"}});
        let b = json!({"env": {"B": "2", "A": "1"}, "args": ["1", "2"], "command": "x"});
        assert_eq!(entry_digest(&a), entry_digest(&b));
        let c = json!({"command": "x", "args": ["2", "1"]});
        assert_ne!(entry_digest(&a), entry_digest(&c));
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
