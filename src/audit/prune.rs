//! Retention: dropping records older than the manifest's `retain` period
//! without breaking verification.
//!
//! The pruned prefix is replaced by one checkpoint record that carries the
//! sequence number and hash of the last pruned record, so the first kept
//! record still chains to it. The file is replaced atomically under the
//! append lock, the checkpoint's hash joins the head ([`super::head`]) so a
//! checkpoint mcpctl did not write is told apart, then the pruning itself
//! is recorded (its detail names the checkpoint's hash, so the forwarded
//! copy carries it too).
//!
//! One log serves every manifest applied on the machine, and each may set
//! its own `retain`: the longest wins, and a manifest that sets none keeps
//! records forever, so while one is applied nothing is pruned
//! ([`retention`]). A record is removed only once every applied manifest
//! allows it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{AuditLog, CHECKPOINT, Event, Outcome, Settings, StoredRecord, head, line_hash};
use crate::manifest::Period;

/// How long the log keeps records under the applied settings of every
/// manifest (`all`): the longest `retain`; `None` (forever) when any of
/// them sets none, or none is applied. A manifest in `applied` without
/// settings in `all` (applied by an mcpctl that kept one set for the
/// machine) sets none until its next apply.
pub fn retention<'a>(
    all: &BTreeMap<PathBuf, Settings>,
    mut applied: impl Iterator<Item = &'a Path>,
) -> Option<Period> {
    if applied.any(|manifest| !all.contains_key(manifest)) {
        return None;
    }
    all.values()
        .map(|s| s.policy.retain)
        .collect::<Option<Vec<Period>>>()?
        .into_iter()
        .max()
}

/// Prunes records older than `retain` at `now`; returns how many went.
pub fn prune(log: &AuditLog, retain: Period, now: Timestamp) -> std::io::Result<usize> {
    let cutoff = now - jiff::SignedDuration::from_hours(24 * i64::from(retain.days));
    let (removed, checkpoint_hash) = {
        let _lock = super::lock(&log.path)?;
        let text = match fs_err::read_to_string(&log.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(err) => return Err(err),
        };
        let lines: Vec<&str> = text.lines().collect();
        let parsed: Vec<Option<StoredRecord>> =
            lines.iter().map(|l| serde_json::from_str(l).ok()).collect();
        let previous_checkpoint = parsed
            .first()
            .and_then(Option::as_ref)
            .filter(|r| r.action == CHECKPOINT);
        let already = previous_checkpoint
            .and_then(|r| r.detail.as_deref())
            .and_then(|d| d.split_whitespace().nth(1))
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        let start = usize::from(previous_checkpoint.is_some());
        // Only a prefix of readable, old records goes; the last record stays
        // so that new appends keep chaining.
        let mut end = start;
        while end + 1 < lines.len() {
            match &parsed[end] {
                Some(r) if r.action != CHECKPOINT && is_before(&r.time, cutoff) => end += 1,
                _ => break,
            }
        }
        if end == start {
            return Ok(0);
        }
        let last = parsed[end - 1].as_ref().expect("checked above");
        let total = already + (end - start) as u64;
        let checkpoint = StoredRecord {
            time: now.to_string(),
            seq: last.seq,
            user: String::new(),
            host: String::new(),
            command: "prune".to_owned(),
            manifest: None,
            git_commit: None,
            action: CHECKPOINT.to_owned(),
            target: log.path.display().to_string(),
            server: None,
            detail: Some(format!(
                "pruned {total} records older than {}",
                cutoff.strftime("%Y-%m-%d")
            )),
            outcome: Outcome::Ok,
            prev: line_hash(lines[end - 1]),
        };
        let checkpoint_line = serde_json::to_string(&checkpoint).expect("record serializes");
        let mut out = format!("{checkpoint_line}\n");
        for line in &lines[end..] {
            out.push_str(line);
            out.push('\n');
        }
        let last = lines.last().expect("a record is kept");
        let mut head = head::read(&log.path)?.unwrap_or_else(|| head::Head {
            seq: super::last_seq(last),
            hash: line_hash(last),
            checkpoints: Vec::new(),
        });
        let checkpoint_hash = line_hash(&checkpoint_line);
        head.checkpoints.push(checkpoint_hash.clone());
        crate::fs::write_atomic(&log.path, out.as_bytes())?;
        head::write(&log.path, &head)?;
        (end - start, checkpoint_hash)
    };
    log.append(&Event {
        action: "audit.prune",
        target: log.path.display().to_string(),
        server: None,
        detail: Some(format!(
            "removed {removed} records older than {} days; checkpoint {checkpoint_hash}",
            retain.days
        )),
        outcome: Outcome::Ok,
    })?;
    Ok(removed)
}

fn is_before(time: &str, cutoff: Timestamp) -> bool {
    time.parse::<Timestamp>().is_ok_and(|t| t < cutoff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{log_with, targets};
    use crate::audit::verify;

    /// Rewrites the times of the first `n` records to `days` ago, keeping
    /// the chain valid (as if they had been written then).
    fn age_first(log: &AuditLog, n: usize, days: i64) {
        let text = fs_err::read_to_string(log.path()).unwrap();
        let old = (Timestamp::now() - jiff::SignedDuration::from_hours(24 * days)).to_string();
        let mut prev = super::super::GENESIS.to_owned();
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            if i < n {
                v["time"] = old.clone().into();
            }
            v["prev"] = prev.into();
            let line = serde_json::to_string(&v).unwrap();
            prev = line_hash(&line);
            out.push_str(&line);
            out.push('\n');
        }
        fs_err::write(log.path(), out).unwrap();
        let head = head::Head {
            seq: u64::try_from(text.lines().count()).unwrap(),
            hash: prev,
            checkpoints: Vec::new(),
        };
        head::write(log.path(), &head).unwrap();
    }

    #[test]
    fn pruning_keeps_the_rest_verifiable() {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), &targets(5));
        age_first(&log, 3, 400);
        assert!(verify(log.path()).unwrap().ok());
        let removed = prune(&log, Period { days: 365 }, Timestamp::now()).unwrap();
        assert_eq!(removed, 3);
        let report = verify(log.path()).unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        assert_eq!(report.pruned_before, Some(3));
        // checkpoint + 2 kept + the prune record
        assert_eq!(report.records, 4);
        // Nothing more to prune; appends still chain; tampering still shows.
        assert_eq!(
            prune(&log, Period { days: 365 }, Timestamp::now()).unwrap(),
            0
        );
        let text = fs_err::read_to_string(log.path()).unwrap();
        let edited = text.replacen("\"T3\"", "\"T8\"", 1);
        fs_err::write(log.path(), edited).unwrap();
        assert!(!verify(log.path()).unwrap().ok());
    }

    #[test]
    fn the_longest_retention_wins_and_a_manifest_without_one_keeps_everything() {
        let with = |retain: Option<u32>| Settings {
            policy: crate::manifest::AuditPolicy {
                retain: retain.map(|days| Period { days }),
                ..Default::default()
            },
            declared: BTreeMap::new(),
        };
        let none = std::iter::empty();
        let mut all = BTreeMap::new();
        assert_eq!(retention(&all, none.clone()), None);
        all.insert(PathBuf::from("/a"), with(Some(1)));
        all.insert(PathBuf::from("/b"), with(Some(30)));
        assert_eq!(retention(&all, none.clone()), Some(Period { days: 30 }));
        // A manifest applied without settings recorded keeps everything.
        let applied = [Path::new("/a"), Path::new("/b"), Path::new("/old")];
        assert_eq!(retention(&all, applied.into_iter()), None);
        all.insert(PathBuf::from("/c"), with(None));
        assert_eq!(retention(&all, none), None);
    }
}
