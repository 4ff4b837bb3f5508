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
//! record still checks.
//!
//! The end of the chain is checked against the head mcpctl keeps outside
//! the log ([`super::head`]): a last record whose hash differs was edited,
//! records past the head were appended by something else, a log that stops
//! before the head lost its last records, and a checkpoint whose hash the
//! head does not list was forged to stand in for records removed from the
//! start. A process running as the user can still rewrite the log *and*
//! its head consistently; only the forwarded copy shows that.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::head::{self, HEAD_FILE, Head};
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
    /// A checkpoint mcpctl did not write: records removed from the start.
    ForgedCheckpoint,
    /// Records after the last one mcpctl appended.
    Appended,
    /// No head is recorded, so the end of the chain cannot be checked.
    NoHead,
}

/// Checks the audit trail at `path` and its head; an absent file is an
/// empty, valid one when no head says otherwise. Holds the append lock
/// while reading, so a launch appending meanwhile is not taken for a
/// forgery.
pub fn verify(path: &Path) -> std::io::Result<Verification> {
    let exists = |p: &Path| p.try_exists();
    if !exists(path)? && !exists(&head::path_for(path))? {
        return Ok(verify_text("", None));
    }
    let _lock = super::lock(path)?;
    let text = match fs_err::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err),
    };
    let head = head::read(path)?;
    Ok(verify_text(&text, head.as_ref()))
}

fn verify_text(text: &str, head: Option<&Head>) -> Verification {
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
    check_head(&records, &hashes, head, &mut problems);
    Verification {
        records: lines.len(),
        pruned_before,
        problems,
    }
}

/// The checks against the head kept outside the log: the first line's
/// checkpoint, and the end of the chain.
fn check_head(
    records: &[Option<StoredRecord>],
    hashes: &[String],
    head: Option<&Head>,
    problems: &mut Vec<Problem>,
) {
    let Some(head) = head else {
        if !records.is_empty() {
            let line = records.len();
            problems.push(Problem {
                line,
                kind: ProblemKind::NoHead,
                message: format!(
                    "no head is recorded for this log (`{HEAD_FILE}` is missing), so edits, \
                     deletions and additions at its end cannot be detected; it was deleted, or \
                     no record was written since this log was last checked by an older mcpctl"
                ),
            });
        }
        return;
    };
    if let Some(Some(first)) = records.first()
        && first.action == CHECKPOINT
        && !head.checkpoints.contains(&hashes[0])
    {
        problems.push(Problem {
            line: 1,
            kind: ProblemKind::ForgedCheckpoint,
            message: format!(
                "line 1 is a pruning checkpoint mcpctl did not write: records 1 to {} were replaced by it (removed)",
                first.seq.map_or_else(|| "?".to_owned(), |s| s.to_string())
            ),
        });
    }
    // Where the head's record is in the log: by sequence number.
    let at_head = records
        .iter()
        .rposition(|r| r.as_ref().and_then(|r| r.seq) == Some(head.seq));
    match at_head {
        Some(i) => {
            if hashes[i] != head.hash
                && !problems
                    .iter()
                    .any(|p| p.line == i + 1 && p.kind == ProblemKind::Edited)
            {
                problems.push(Problem {
                    line: i + 1,
                    kind: ProblemKind::Edited,
                    message: format!(
                        "line {} was edited: it is record {}, the last one mcpctl wrote, and its hash no longer matches the one in `{HEAD_FILE}`",
                        i + 1,
                        head.seq
                    ),
                });
            }
            let extra = records.len() - (i + 1);
            if extra > 0 {
                problems.push(Problem {
                    line: i + 2,
                    kind: ProblemKind::Appended,
                    message: format!(
                        "{} after line {} {} not written by mcpctl: its last record is {} (`{HEAD_FILE}`); {} forged, or mcpctl was stopped between writing a record and its head",
                        if extra == 1 { "the line".to_owned() } else { format!("the {extra} lines") },
                        i + 1,
                        if extra == 1 { "was" } else { "were" },
                        head.seq,
                        if extra == 1 { "it was" } else { "they were" },
                    ),
                });
            }
        }
        None => {
            let last_seq = records.iter().rev().find_map(|r| r.as_ref()?.seq);
            match last_seq {
                Some(last) if last > head.seq => problems.push(Problem {
                    line: records.len(),
                    kind: ProblemKind::Appended,
                    message: format!(
                        "the log goes on to record {last}, but mcpctl's last record is {} (`{HEAD_FILE}`), which is not in it: records were forged",
                        head.seq
                    ),
                }),
                _ if head.seq > 0 => {
                    let from = last_seq.map_or(1, |s| s + 1);
                    problems.push(Problem {
                        line: records.len() + 1,
                        kind: ProblemKind::Deleted,
                        message: if from == head.seq {
                            format!("record {from}, the last one mcpctl wrote, is missing at the end (deleted)")
                        } else {
                            format!(
                                "records {from} to {} are missing at the end (deleted): mcpctl's last record is {} (`{HEAD_FILE}`)",
                                head.seq, head.seq
                            )
                        },
                    });
                }
                _ => {}
            }
        }
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

    /// The lines of a log of `n` records, and its head.
    fn written(n: usize) -> (Vec<String>, Head) {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), &targets(n));
        let lines = fs_err::read_to_string(log.path())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        (lines, head::read(log.path()).unwrap().unwrap())
    }

    fn report(lines: &[String], head: &Head) -> Verification {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        verify_text(&text, Some(head))
    }

    fn check_against(lines: &[String], head: &Head) -> Vec<(usize, ProblemKind)> {
        report(lines, head)
            .problems
            .iter()
            .map(|p| (p.line, p.kind))
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (all, head) = written(4);
        assert_eq!(check_against(&all, &head), vec![]);
        assert_eq!(verify_text("", None).records, 0);
        assert!(verify_text("", None).ok());
    }

    #[test]
    fn an_edited_record_is_named() {
        let (mut all, head) = written(4);
        all[1] = all[1].replace("\"T1\"", "\"T9\"");
        assert_eq!(check_against(&all, &head), vec![(2, ProblemKind::Edited)]);
        assert!(
            report(&all, &head).problems[0]
                .message
                .starts_with("line 2 was edited")
        );
    }

    #[test]
    fn a_deleted_record_is_named() {
        let (mut all, head) = written(4);
        all.remove(1);
        assert_eq!(check_against(&all, &head), vec![(2, ProblemKind::Deleted)]);
        let (mut first, head) = written(3);
        first.remove(0);
        assert_eq!(
            check_against(&first, &head),
            vec![(1, ProblemKind::Deleted)]
        );
    }

    #[test]
    fn records_deleted_from_the_end_are_named() {
        let (mut all, head) = written(4);
        all.truncate(2);
        let found = report(&all, &head).problems;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].kind), (3, ProblemKind::Deleted));
        assert_eq!(
            found[0].message,
            "records 3 to 4 are missing at the end (deleted): mcpctl's last record is 4 (`audit.head`)"
        );
    }

    #[test]
    fn an_edited_last_record_is_named() {
        let (mut all, head) = written(3);
        all[2] = all[2].replace("\"T2\"", "\"T9\"");
        let found = report(&all, &head).problems;
        assert_eq!(
            found.iter().map(|p| (p.line, p.kind)).collect::<Vec<_>>(),
            [(3, ProblemKind::Edited)]
        );
        assert!(
            found[0]
                .message
                .starts_with("line 3 was edited: it is record 3, the last one mcpctl wrote")
        );
    }

    #[test]
    fn a_forged_appended_record_is_named() {
        let (mut all, head) = written(3);
        let mut forged: serde_json::Value = serde_json::from_str(&all[2]).unwrap();
        forged["seq"] = 4.into();
        forged["target"] = "T-forged".into();
        forged["prev"] = line_hash(&all[2]).into();
        all.push(serde_json::to_string(&forged).unwrap());
        assert_eq!(check_against(&all, &head), [(4, ProblemKind::Appended)]);
    }

    #[test]
    fn a_forged_checkpoint_is_named() {
        let (all, head) = written(4);
        // Records 1 and 2 replaced by a checkpoint that chains to record 3.
        let second: StoredRecord = serde_json::from_str(&all[1]).unwrap();
        let checkpoint = StoredRecord {
            action: CHECKPOINT.to_owned(),
            prev: line_hash(&all[1]),
            ..second
        };
        let mut forged = vec![serde_json::to_string(&checkpoint).unwrap()];
        forged.extend_from_slice(&all[2..]);
        let found = report(&forged, &head);
        assert_eq!(
            found
                .problems
                .iter()
                .map(|p| (p.line, p.kind))
                .collect::<Vec<_>>(),
            [(1, ProblemKind::ForgedCheckpoint)]
        );
        assert_eq!(found.pruned_before, Some(2));
    }

    #[test]
    fn a_log_without_a_head_is_named() {
        let (all, _) = written(2);
        let text: String = all.iter().map(|l| format!("{l}\n")).collect();
        let found = verify_text(&text, None).problems;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, ProblemKind::NoHead);
    }

    #[test]
    fn reordered_records_are_named() {
        let (mut all, head) = written(4);
        all.swap(1, 2);
        let found = check_against(&all, &head);
        assert!(!found.is_empty());
        assert!(
            found.iter().all(|(_, k)| *k == ProblemKind::Reordered),
            "{found:?}"
        );
        assert_eq!(found[0].0, 2);
    }

    #[test]
    fn garbage_is_unreadable() {
        let (mut all, head) = written(3);
        all[1] = "{not json".into();
        assert_eq!(check_against(&all, &head)[0], (2, ProblemKind::Unreadable));
    }
}
