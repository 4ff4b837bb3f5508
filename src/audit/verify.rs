//! `mcpctl audit verify`: walk the chain and say exactly what breaks it.
//!
//! Every record stores the hash of the line before it (`prev`) and a
//! sequence number one higher than that line's. So at each line whose
//! `prev` does not match, the sequence numbers and the other lines' hashes
//! tell what happened:
//!
//! - its `prev` is the hash of some *other* line → records were reordered;
//! - its sequence number jumps → records were deleted before it;
//! - otherwise the line before it was edited (its hash changed).
//!
//! A checkpoint left by pruning may only be the first line: it carries the
//! sequence number and hash of the last pruned record, so the first kept
//! record still checks. Deleting records from the *end* of the file leaves a
//! valid shorter chain; forwarding records as they are written is the
//! defence against that, and the report says how many records it checked.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::{CHECKPOINT, GENESIS, StoredRecord, line_hash};

/// The result of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Lines read.
    pub records: usize,
    /// Records pruned before the checkpoint, if there is one.
    pub pruned_before: Option<u64>,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One break in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line number in `audit.jsonl`.
    pub line: usize,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// Not a record at all (cut short or rewritten by hand).
    Unreadable,
    /// A record's content was changed.
    Edited,
    /// Records are missing.
    Deleted,
    /// Records are out of order.
    Reordered,
    /// A checkpoint anywhere but the first line.
    MisplacedCheckpoint,
}

/// Checks the audit trail at `path`; an absent file is an empty, valid one.
pub fn verify(path: &Path) -> std::io::Result<Verification> {
    let text = match fs_err::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err),
    };
    Ok(verify_text(&text))
}

fn verify_text(text: &str) -> Verification {
    let lines: Vec<&str> = text.lines().collect();
    let hashes: Vec<String> = lines.iter().map(|l| line_hash(l)).collect();
    let line_of_hash: HashMap<&str, usize> = hashes
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i + 1))
        .collect();
    let records: Vec<Option<StoredRecord>> =
        lines.iter().map(|l| serde_json::from_str(l).ok()).collect();

    let mut problems = Vec::new();
    let mut pruned_before = None;
    // What the next line must carry.
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq: Option<u64> = None;
    for (i, record) in records.iter().enumerate() {
        let line = i + 1;
        let Some(record) = record else {
            problems.push(Problem {
                line,
                kind: ProblemKind::Unreadable,
                message: format!("line {line} is not an audit record (edited or cut short)"),
            });
            expected_prev = hashes[i].clone();
            expected_seq = None;
            continue;
        };
        if record.action == CHECKPOINT {
            if line == 1 {
                pruned_before = record.seq;
                expected_prev = record.prev.clone();
                expected_seq = record.seq.map(|s| s + 1);
                continue;
            }
            problems.push(Problem {
                line,
                kind: ProblemKind::MisplacedCheckpoint,
                message: format!(
                    "line {line} is a pruning checkpoint, which only the first line may be"
                ),
            });
        }
        let seq_ok = match (expected_seq, record.seq) {
            (Some(want), Some(have)) => want == have,
            _ => true,
        };
        if record.prev != expected_prev || !seq_ok {
            problems.push(diagnose(line, record, expected_seq, &line_of_hash));
        }
        expected_prev = hashes[i].clone();
        expected_seq = record.seq.map(|s| s + 1);
    }
    Verification {
        records: lines.len(),
        pruned_before,
        problems,
    }
}

fn diagnose(
    line: usize,
    record: &StoredRecord,
    expected_seq: Option<u64>,
    line_of_hash: &HashMap<&str, usize>,
) -> Problem {
    if let Some(&follows) = line_of_hash.get(record.prev.as_str())
        && follows + 1 != line
    {
        return Problem {
            line,
            kind: ProblemKind::Reordered,
            message: format!(
                "line {line} is out of order: it was written right after the record now at line {follows}"
            ),
        };
    }
    match (expected_seq, record.seq) {
        (Some(want), Some(have)) if have > want => {
            let missing = have - want;
            Problem {
                line,
                kind: ProblemKind::Deleted,
                message: if missing == 1 {
                    format!("record {want} is missing before line {line} (deleted)")
                } else {
                    format!(
                        "{missing} records ({want} to {}) are missing before line {line} (deleted)",
                        have - 1
                    )
                },
            }
        }
        (Some(want), Some(have)) if have < want => Problem {
            line,
            kind: ProblemKind::Reordered,
            message: format!(
                "line {line} is out of order: record {have} comes after record {}",
                want - 1
            ),
        },
        _ if line > 1 => Problem {
            line: line - 1,
            kind: ProblemKind::Edited,
            message: format!(
                "line {} was edited: its hash no longer matches the one line {line} recorded",
                line - 1
            ),
        },
        _ => Problem {
            line,
            kind: ProblemKind::Deleted,
            message: format!(
                "line {line} does not start the chain: records before it were deleted"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{log_with, targets};

    fn lines(n: usize) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), &targets(n));
        fs_err::read_to_string(log.path())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn check(lines: &[String]) -> Vec<(usize, ProblemKind)> {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        verify_text(&text)
            .problems
            .iter()
            .map(|p| (p.line, p.kind))
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let all = lines(4);
        assert_eq!(check(&all), vec![]);
        assert_eq!(verify_text("").records, 0);
    }

    #[test]
    fn an_edited_record_is_named() {
        let mut all = lines(4);
        all[1] = all[1].replace("\"T1\"", "\"T9\"");
        assert_eq!(check(&all), vec![(2, ProblemKind::Edited)]);
        let text: String = all.iter().map(|l| format!("{l}\n")).collect();
        let report = verify_text(&text);
        assert!(report.problems[0].message.starts_with("line 2 was edited"));
    }

    #[test]
    fn a_deleted_record_is_named() {
        let mut all = lines(4);
        all.remove(1);
        assert_eq!(check(&all), vec![(2, ProblemKind::Deleted)]);
        let mut first = lines(3);
        first.remove(0);
        assert_eq!(check(&first), vec![(1, ProblemKind::Deleted)]);
    }

    #[test]
    fn reordered_records_are_named() {
        let mut all = lines(4);
        all.swap(1, 2);
        let found = check(&all);
        assert!(!found.is_empty());
        assert!(
            found.iter().all(|(_, k)| *k == ProblemKind::Reordered),
            "{found:?}"
        );
        assert_eq!(found[0].0, 2);
    }

    #[test]
    fn garbage_is_unreadable() {
        let mut all = lines(3);
        all[1] = "{not json".into();
        assert_eq!(check(&all)[0], (2, ProblemKind::Unreadable));
    }
}
