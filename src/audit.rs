//! The audit trail: an append-only, hash-chained JSON Lines file of every
//! store access and every file change mcpctl makes.
//!
//! Each record carries the hash of the record before it, so an edited,
//! deleted or reordered record breaks the chain. Records name credentials,
//! servers and files — never a value. Several `mcpctl exec` launches may
//! append at once, so each append holds an exclusive lock on the file while
//! it reads the previous hash and writes its line.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::state::hex;

const AUDIT_FILE: &str = "audit.jsonl";
/// The `prev` of the first record.
const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Who is acting: the same for every record of one command.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user: String,
    pub host: String,
    pub pid: u32,
    /// The mcpctl subcommand (`apply`, `exec`, …).
    pub command: String,
    pub manifest: Option<PathBuf>,
}

/// One thing that happened.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// `store.read`, `store.write`, `store.delete`, `file.write`, …
    pub action: &'static str,
    /// A credential name or a file path.
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    Failed,
}

#[derive(Serialize)]
struct Record<'a> {
    time: String,
    #[serde(flatten)]
    actor: &'a Actor,
    #[serde(flatten)]
    event: &'a Event,
    prev: String,
}

/// The audit log of one state directory.
pub struct AuditLog {
    path: PathBuf,
    actor: Actor,
}

impl AuditLog {
    pub fn new(state_dir: &Path, actor: Actor) -> AuditLog {
        AuditLog {
            path: state_dir.join(AUDIT_FILE),
            actor,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record, chained to the last one in the file.
    pub fn append(&self, event: &Event) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            crate::fs::create_private_dir(dir)?;
        }
        let mut file = fs_err::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&self.path)?
            .into_parts()
            .0;
        file.lock()?;
        let prev = match last_line(&mut file)? {
            Some(line) => line_hash(&line),
            None => GENESIS.to_owned(),
        };
        let record = Record {
            time: jiff::Timestamp::now().to_string(),
            actor: &self.actor,
            event,
            prev,
        };
        let mut line = serde_json::to_string(&record).expect("record serializes");
        line.push('\n');
        file.write_all(line.as_bytes())?;
        file.sync_data()?;
        Ok(())
    }
}

/// The hash a following record stores as its `prev`.
pub fn line_hash(line: &str) -> String {
    format!("sha256:{}", hex(&Sha256::digest(line.as_bytes())))
}

/// The last complete line of the file, without its newline.
fn last_line(file: &mut std::fs::File) -> std::io::Result<Option<String>> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(None);
    }
    let mut window: u64 = 4096;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.take(len - start).read_to_end(&mut tail)?;
        let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
        if let Some(pos) = body.iter().rposition(|&b| b == b'\n') {
            return Ok(Some(String::from_utf8_lossy(&body[pos + 1..]).into_owned()));
        }
        if start == 0 {
            return Ok(Some(String::from_utf8_lossy(body).into_owned()));
        }
        window *= 4;
    }
}

/// The host name for audit records.
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(dir: &Path) -> AuditLog {
        AuditLog::new(
            dir,
            Actor {
                user: "ada".into(),
                host: "box".into(),
                pid: 1,
                command: "apply".into(),
                manifest: None,
            },
        )
    }

    #[test]
    fn records_chain_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let log = log(dir.path());
        for target in ["A", "B", "C"] {
            log.append(&Event {
                action: "store.write",
                target: target.into(),
                server: None,
                detail: None,
                outcome: Outcome::Ok,
            })
            .unwrap();
        }
        let text = fs_err::read_to_string(log.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let prev = |line: &str| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["prev"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(prev(lines[0]), GENESIS);
        assert_eq!(prev(lines[1]), line_hash(lines[0]));
        assert_eq!(prev(lines[2]), line_hash(lines[1]));
    }
}
