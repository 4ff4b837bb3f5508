//! The chain's head, kept outside the log: the sequence number and hash of
//! the last record mcpctl appended, and the hash of every pruning
//! checkpoint it wrote.
//!
//! The chain alone cannot show a change at its end: an edited last record
//! has no successor whose `prev` would disagree, a record appended by hand
//! chains like any other, and a forged checkpoint can stand in for any
//! prefix. With the head beside it, [`super::verify`] names all three.
//!
//! The head lives in its own small file, `audit.head`, next to the log
//! rather than in `state.json`: every append (each `exec` launch) moves it,
//! under the same lock that serializes appends, whereas `state.json` is
//! rewritten by `apply` under the state directory's lock — an `exec`
//! rewriting it would race with an apply's load-and-save (or wait for an
//! apply that is prompting for a secret) and would parse every ownership
//! record on each launch. The file is replaced atomically, so a reader sees
//! the old head or the new one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The head file's name in the state directory.
pub const HEAD_FILE: &str = "audit.head";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The sequence number of the last record mcpctl appended.
    pub seq: u64,
    /// The hash of that record's line.
    pub hash: String,
    /// The hash of each checkpoint line pruning wrote, oldest first.
    #[serde(default)]
    pub checkpoints: Vec<String>,
}

/// The head file beside the log at `log`.
pub fn path_for(log: &Path) -> PathBuf {
    log.with_file_name(HEAD_FILE)
}

/// The head recorded for the log at `log`; `None` when none was.
pub fn read(log: &Path) -> std::io::Result<Option<Head>> {
    let path = path_for(log);
    match fs_err::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|err| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("`{}` is not an audit head: {err}", path.display()),
            )
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// Replaces the head of the log at `log`; the caller holds the append lock.
pub fn write(log: &Path, head: &Head) -> std::io::Result<()> {
    let mut text = serde_json::to_string(head).expect("head serializes");
    text.push('\n');
    crate::fs::write_atomic(&path_for(log), text.as_bytes())
}
