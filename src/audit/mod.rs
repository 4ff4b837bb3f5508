//! The audit trail: an append-only, hash-chained JSON Lines file of every
//! store access and every file change mcpctl makes.
//!
//! Each record carries a sequence number and the hash of the record before
//! it, so an edited, deleted or reordered record breaks the chain and
//! [`verify`] can say which. Records name credentials, servers and files —
//! never a value. Several `mcpctl exec` launches may append at once, so each
//! append holds an exclusive lock (on `audit.lock`, not on the log itself,
//! because pruning replaces the log file) while it reads the previous hash
//! and writes its line.
//!
//! The chain's head — the last record's sequence number and hash, and every
//! checkpoint's hash — is kept outside the log ([`head`]), moved by each
//! append under the same lock, so the end of the chain can be checked too.
//!
//! A local file can be rewritten by its owner, so records can also be
//! forwarded as they are written ([`forward`]), and alert rules ([`alert`])
//! add warning records. Retention ([`prune`]) removes old records and leaves
//! a checkpoint that stands in for the last removed one, so what is left
//! still verifies.
//!
//! mcpctl reads the clock once per command (the CLI does): every record of
//! a command carries that time ([`AuditLog::new`]), and the alert rules
//! count the last hour back from it.
//!
//! Each manifest applied on the machine brings its own settings (where to
//! forward, which alerts); a record goes where the settings of the manifest
//! it concerns say: for a launch, the manifest its client entry names
//! ([`Settings::of_manifest`]; a project entry names the file, found from
//! the working directory upwards); for an entry naming none (written by
//! `import` or an older mcpctl) or a project file name found nowhere above,
//! the manifest guessed from the server and credential names
//! ([`Settings::for_launch`]).

mod alert;
mod forward;
mod head;
mod prune;
mod query;
mod verify;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::manifest::AuditPolicy;

pub use head::HEAD_FILE;
pub use prune::{prune, retention};
pub use query::{Filter, read_records};
pub use verify::{Problem, ProblemKind, Verification, verify};

const AUDIT_FILE: &str = "audit.jsonl";
const LOCK_FILE: &str = "audit.lock";
/// The `prev` of the first record.
const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
/// The action of the record that stands in for pruned ones.
pub const CHECKPOINT: &str = "audit.checkpoint";
/// The action of the record an append writes when the head was missing.
pub const HEAD_MISSING: &str = "audit.head-missing";

/// Who is acting: the same for every record of one command.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user: String,
    pub host: String,
    pub pid: u32,
    /// The mcpctl subcommand (`apply`, `exec`, …).
    pub command: String,
    pub manifest: Option<PathBuf>,
    /// The commit checked out in the manifest's repository, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
}

/// Every action a record may hold. `audit --action` takes one of them or
/// a family (the part before the dot), and refuses anything else rather
/// than silently matching nothing; a record with an action missing here
/// fails the tests that write it.
pub const ACTIONS: [&str; 11] = [
    "store.read",
    "store.write",
    "store.delete",
    "file.write",
    "file.rollback",
    "audit.settings",
    "audit.prune",
    CHECKPOINT,
    HEAD_MISSING,
    alert::READ_RATE,
    alert::UNDECLARED_READ,
];

/// One thing that happened.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// `store.read`, `store.write`, `store.delete`, `file.write`,
    /// `alert.read-rate`, …
    pub action: &'static str,
    /// A credential name or a file path.
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    Failed,
    /// An alert rule fired.
    Warning,
}

#[derive(Serialize)]
struct Record<'a> {
    time: String,
    seq: u64,
    #[serde(flatten)]
    actor: &'a Actor,
    #[serde(flatten)]
    event: &'a Event,
    prev: String,
}

/// A record as read back from the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredRecord {
    pub time: String,
    /// Absent in records written before sequence numbers existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub manifest: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    pub action: String,
    #[serde(default)]
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub outcome: Outcome,
    pub prev: String,
}

/// The audit settings `apply` installs on this machine from one manifest:
/// `exec` has no manifest, so it reads them from mcpctl's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub policy: AuditPolicy,
    /// The credentials each server declares, for the undeclared-read alert.
    #[serde(default)]
    pub declared: BTreeMap<String, Vec<String>>,
}

impl Settings {
    /// The settings that govern a launch whose entry names `manifest` as
    /// its owner: exactly that manifest's as applied (`all`, by manifest
    /// path, as `apply` keys them), or none when it has none applied.
    pub fn of_manifest(all: &BTreeMap<PathBuf, Settings>, manifest: &Path) -> Vec<Settings> {
        all.get(manifest).cloned().into_iter().collect()
    }

    /// The settings that govern a launch of `server` reading `credentials`
    /// when its entry names no manifest (see [`Settings::of_manifest`]),
    /// chosen from every applied manifest's (`all`, by manifest path): the
    /// manifest that declares the server; when several declare one of that
    /// name, those that give it exactly these credentials (a launch carries
    /// no more to tell them apart: each of them then gets the records). A
    /// server no applied manifest declares is judged by all of them, so the
    /// undeclared-read alert fires and reaches every destination.
    pub fn for_launch(
        all: &BTreeMap<PathBuf, Settings>,
        server: &str,
        credentials: &[&str],
    ) -> Vec<Settings> {
        let declaring: Vec<&Settings> = all
            .values()
            .filter(|s| s.declared.contains_key(server))
            .collect();
        if declaring.is_empty() {
            return all.values().cloned().collect();
        }
        let mut wanted: Vec<&str> = credentials.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let exact: Vec<&Settings> = declaring
            .iter()
            .copied()
            .filter(|s| {
                let mut given: Vec<&str> = s.declared[server].iter().map(String::as_str).collect();
                given.sort_unstable();
                given.dedup();
                given == wanted
            })
            .collect();
        let chosen = if exact.is_empty() { declaring } else { exact };
        chosen.into_iter().cloned().collect()
    }
}

/// What an append did besides writing its record.
#[derive(Debug, Default)]
pub struct Appended {
    /// Alert records the append raised.
    pub alerts: Vec<Event>,
    /// Forwards that failed, in words (the record is in the file).
    pub forward_errors: Vec<String>,
}

/// The audit log of one state directory.
pub struct AuditLog {
    path: PathBuf,
    actor: Actor,
    /// Usually one manifest's; see [`Settings::of_manifest`].
    settings: Vec<Settings>,
    syslog_socket: PathBuf,
    /// The command's time, read once from the clock by the CLI: every
    /// record of one command carries it, as it carries the one [`Actor`].
    now: jiff::Timestamp,
}

impl AuditLog {
    /// The trail's file name in the state directory.
    pub const FILE: &str = AUDIT_FILE;

    /// The trail in `state_dir`, written as `actor` at `now` (the
    /// command's time: mcpctl reads the clock once per command).
    pub fn new(state_dir: &Path, actor: Actor, now: jiff::Timestamp) -> AuditLog {
        AuditLog {
            path: state_dir.join(AUDIT_FILE),
            actor,
            settings: Vec::new(),
            syslog_socket: PathBuf::from(forward::DEFAULT_SYSLOG_SOCKET),
            now,
        }
    }

    /// Forwards and alerts as `settings` say (each forwards to its own
    /// destinations; see [`alert::evaluate`] for how alert rules combine);
    /// syslog goes to `socket` (`/dev/log` unless overridden).
    pub fn with_settings(
        mut self,
        settings: Vec<Settings>,
        syslog_socket: Option<PathBuf>,
    ) -> AuditLog {
        self.settings = settings;
        if let Some(socket) = syslog_socket {
            self.syslog_socket = socket;
        }
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who the records are written as (the command, its manifest and
    /// commit).
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The command's time, which its records carry.
    pub fn now(&self) -> jiff::Timestamp {
        self.now
    }

    /// Moves the time records carry to `now`: for a command that goes on
    /// acting long after it started (the bridge reads its credentials
    /// again after a 401, hours into a session).
    pub fn set_now(&mut self, now: jiff::Timestamp) {
        self.now = now;
    }

    /// Appends one record, chained to the last one in the file, then any
    /// alert records it raises, moves the head past them, then forwards
    /// them all.
    pub fn append(&self, event: &Event) -> std::io::Result<Appended> {
        let mut appended = Appended::default();
        let mut lines = Vec::new();
        let head_was_missing;
        {
            let _lock = lock(&self.path)?;
            // Read first: a head that cannot be read stops the append
            // before the log and the head disagree. A log written before
            // heads existed gets one now, trusting what is there (the one
            // time the head is taken from the log).
            let head = head::read(&self.path)?;
            let mut file = self.open()?;
            // A missing head cannot be told from a log no mcpctl with heads
            // appended to, so it is taken from the log — and that is
            // recorded first, so a deleted head stays visible afterwards.
            head_was_missing = head.is_none() && last_line(&mut file)?.is_some();
            if head_was_missing {
                lines.push(self.write_record(&mut file, &head_missing(&self.path))?);
            }
            let mut head = head.unwrap_or_default();
            lines.push(self.write_record(&mut file, event)?);
            appended.alerts = alert::evaluate(&self.path, &self.settings, event, self.now)?;
            for alert in &appended.alerts {
                lines.push(self.write_record(&mut file, alert)?);
            }
            let last = lines.last().expect("one record was written");
            head.seq = last_seq(last);
            head.hash = line_hash(last);
            head::write(&self.path, &head)?;
        }
        let policies: Vec<&AuditPolicy> = self.settings.iter().map(|s| &s.policy).collect();
        let alerts_from = lines.len() - appended.alerts.len();
        for (i, line) in lines.iter().enumerate() {
            // The missing head is forwarded as an alert, like the rules'.
            let is_alert = i >= alerts_from || (head_was_missing && i == 0);
            appended.forward_errors.extend(forward::forward(
                line,
                is_alert,
                &policies,
                &self.syslog_socket,
                &self.actor,
                self.now,
            ));
        }
        Ok(appended)
    }

    fn open(&self) -> std::io::Result<std::fs::File> {
        crate::fs::open_private(
            &self.path,
            fs_err::OpenOptions::new()
                .create(true)
                .read(true)
                .append(true),
        )
    }

    fn write_record(&self, file: &mut std::fs::File, event: &Event) -> std::io::Result<String> {
        debug_assert!(
            ACTIONS.contains(&event.action),
            "audit action `{}` is missing from audit::ACTIONS",
            event.action
        );
        let (prev, seq) = match last_line(file)? {
            Some(line) => (line_hash(&line), last_seq(&line) + 1),
            None => (GENESIS.to_owned(), 1),
        };
        let record = Record {
            time: self.now.to_string(),
            seq,
            actor: &self.actor,
            event,
            prev,
        };
        let line = serde_json::to_string(&record).expect("record serializes");
        file.write_all(format!("{line}\n").as_bytes())?;
        file.sync_data()?;
        Ok(line)
    }
}

/// The record an append writes when it finds a non-empty log without a
/// head: what `verify` could have checked at the end of the chain before
/// this append, it no longer can.
fn head_missing(log: &Path) -> Event {
    Event {
        action: HEAD_MISSING,
        target: head::path_for(log).display().to_string(),
        server: None,
        detail: Some(
            "no head beside the log (deleted, or never written by an older mcpctl); the head is taken from the log's last record, so records cut from or added to its end before now cannot be detected".to_owned(),
        ),
        outcome: Outcome::Warning,
    }
}

/// Holds the append lock of the log at `log` until dropped: appends,
/// pruning and verification take it, so each sees the log and its head
/// agree.
fn lock(log: &Path) -> std::io::Result<std::fs::File> {
    let dir = log.parent().unwrap_or(Path::new("."));
    crate::fs::create_private_dir(dir)?;
    let lock = crate::fs::open_private(
        &dir.join(LOCK_FILE),
        fs_err::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true),
    )?;
    lock.lock()?;
    Ok(lock)
}

/// The sequence number of a line (0 when it has none or does not parse).
fn last_seq(line: &str) -> u64 {
    serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v.get("seq").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

/// The commit checked out in the repository holding `dir`, if it is one
/// and git is installed.
pub fn git_commit(dir: &Path) -> Option<String> {
    let output =
        crate::process::run_to_exit(std::process::Command::new("git").arg("-C").arg(dir).args([
            "rev-parse",
            "--verify",
            "--quiet",
            "HEAD",
        ]))
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

/// The hash a following record stores as its `prev`.
pub fn line_hash(line: &str) -> String {
    crate::digest::sha256(line.as_bytes())
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn actor() -> Actor {
        Actor {
            user: "ada".into(),
            host: "box".into(),
            pid: 1,
            command: "apply".into(),
            manifest: None,
            git_commit: None,
        }
    }

    pub fn read(target: &str, server: &str) -> Event {
        Event {
            action: "store.read",
            target: target.into(),
            server: Some(server.into()),
            detail: None,
            outcome: Outcome::Ok,
        }
    }

    pub fn targets(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("T{i}")).collect()
    }

    /// A log in `dir` with one `store.write` per target.
    pub fn log_with(dir: &Path, targets: &[String]) -> AuditLog {
        let log = AuditLog::new(dir, actor(), jiff::Timestamp::now());
        for target in targets {
            log.append(&Event {
                action: "store.write",
                target: target.clone(),
                server: None,
                detail: None,
                outcome: Outcome::Ok,
            })
            .unwrap();
        }
        log
    }

    #[test]
    fn records_chain_by_hash_and_count() {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), &targets(3));
        let text = fs_err::read_to_string(log.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let field = |line: &str, key: &str| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()[key].clone()
        };
        assert_eq!(field(lines[0], "prev"), GENESIS);
        assert_eq!(field(lines[1], "prev"), line_hash(lines[0]).as_str());
        assert_eq!(field(lines[2], "prev"), line_hash(lines[1]).as_str());
        assert_eq!(field(lines[2], "seq"), 3);
    }

    #[test]
    fn alert_rules_fire_once_and_name_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            policy: AuditPolicy {
                alert_reads_per_hour: Some(2),
                ..AuditPolicy::default()
            },
            declared: BTreeMap::from([("github".to_owned(), vec!["GITHUB_TOKEN".to_owned()])]),
        };
        let log = AuditLog::new(dir.path(), actor(), jiff::Timestamp::now())
            .with_settings(vec![settings], None);
        let fired: Vec<Vec<&str>> = (0..4)
            .map(|_| {
                log.append(&read("GITHUB_TOKEN", "github"))
                    .unwrap()
                    .alerts
                    .iter()
                    .map(|a| a.action)
                    .collect()
            })
            .collect();
        assert_eq!(fired, vec![vec![], vec![], vec![alert::READ_RATE], vec![]]);
        let stranger = log.append(&read("GITHUB_TOKEN", "slack")).unwrap();
        assert_eq!(stranger.alerts[0].action, alert::UNDECLARED_READ);
        assert!(verify(log.path()).unwrap().ok());
        let warnings = read_records(
            log.path(),
            &Filter {
                action: Some("alert".into()),
                ..Filter::default()
            },
        )
        .unwrap();
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().all(|w| w.outcome == Outcome::Warning));
    }

    #[test]
    fn a_launch_follows_the_manifest_that_declares_its_server() {
        let declaring = |server: &str, credentials: &[&str], hook: &str| Settings {
            policy: AuditPolicy {
                webhook: Some(hook.to_owned()),
                ..AuditPolicy::default()
            },
            declared: BTreeMap::from([(
                server.to_owned(),
                credentials.iter().map(|c| (*c).to_owned()).collect(),
            )]),
        };
        let all = BTreeMap::from([
            (
                PathBuf::from("/a"),
                declaring("github", &["GH"], "http://a"),
            ),
            (
                PathBuf::from("/b"),
                declaring("slack", &["SLACK"], "http://b"),
            ),
            (
                PathBuf::from("/c"),
                declaring("github", &["GH", "X"], "http://c"),
            ),
        ]);
        let hooks = |chosen: Vec<Settings>| -> Vec<String> {
            chosen
                .into_iter()
                .filter_map(|s| s.policy.webhook)
                .collect()
        };
        assert_eq!(
            hooks(Settings::for_launch(&all, "slack", &["SLACK"])),
            ["http://b"]
        );
        // Two declare `github`: the one giving exactly these credentials.
        assert_eq!(
            hooks(Settings::for_launch(&all, "github", &["GH"])),
            ["http://a"]
        );
        assert_eq!(
            hooks(Settings::for_launch(&all, "github", &["X", "GH"])),
            ["http://c"]
        );
        // Neither matches exactly: both get it.
        assert_eq!(
            hooks(Settings::for_launch(&all, "github", &["Y"])),
            ["http://a", "http://c"]
        );
        // Nobody declares it: every manifest judges it.
        assert_eq!(Settings::for_launch(&all, "stranger", &["GH"]).len(), 3);
    }

    #[test]
    fn an_entry_naming_its_manifest_gets_exactly_that_ones_settings() {
        let declaring = |server: &str, webhook: &str| Settings {
            policy: AuditPolicy {
                webhook: Some(webhook.to_owned()),
                ..AuditPolicy::default()
            },
            declared: BTreeMap::from([(server.to_owned(), vec!["GH".to_owned()])]),
        };
        // Both declare `github` with `GH`: the names cannot tell them apart.
        let all = BTreeMap::from([
            (
                PathBuf::from("/a/mcpctl.kdl"),
                declaring("github", "http://a"),
            ),
            (
                PathBuf::from("/b/mcpctl.kdl"),
                declaring("github", "http://b"),
            ),
        ]);
        assert_eq!(Settings::for_launch(&all, "github", &["GH"]).len(), 2);
        assert_eq!(
            Settings::of_manifest(&all, Path::new("/a/mcpctl.kdl")),
            [all[Path::new("/a/mcpctl.kdl")].clone()]
        );
        // A manifest with no settings applied: no forwarding, no alerts.
        assert!(Settings::of_manifest(&all, Path::new("/c/mcpctl.kdl")).is_empty());
    }
}
