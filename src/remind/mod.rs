//! Reminders for people who never run mcpctl: a daily job, registered with
//! the platform's scheduler, that raises a desktop notification when a
//! credential is due for rotation, expiring, or revoked and not replaced.
//!
//! The job (`mcpctl remind run`) works from the manifest and mcpctl's state
//! alone: it reads no value and does not even ask the store whether an
//! entry is present, so it never prompts, never unlocks a keyring and
//! never leaves a read in the audit trail. What it tells is built from
//! credential names and dates only.
//!
//! Three pure parts, each testable on any OS: [`due`] (what needs
//! attention), [`notify`] (the notifier command lines) and [`schedule`]
//! (the scheduler's files and commands). Running them is the CLI's job.

pub mod notify;
pub mod schedule;

use jiff::Timestamp;
use serde::Serialize;

use crate::manifest::Manifest;
use crate::plan::rotation;
use crate::state::State;

/// One credential that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Due {
    pub credential: String,
    /// A few words: "overdue by 3 days", "expires 2026-06-10 (in 9 days)",
    /// "revoked on 2026-05-02, no new value yet".
    pub what: String,
    /// Overdue, expired or revoked (not just coming up).
    pub urgent: bool,
}

/// The credentials of `manifest` that need attention at `now`: overdue,
/// expired and revoked first, then those coming up, each by name. Only credentials mcpctl keeps in the store have an age; a
/// credential mcpctl has no record of yet is not reported (`apply` records
/// it).
pub fn due(manifest: &Manifest, state: &State, now: Timestamp) -> Vec<Due> {
    let mut due = Vec::new();
    for credential in manifest.credentials.values() {
        if !credential.source.is_store() {
            continue;
        }
        let record = state.credentials.get(&credential.name);
        if let Some(revoked) = record.and_then(|r| r.revoked_at.as_deref()) {
            due.push(Due {
                credential: credential.name.clone(),
                what: format!(
                    "revoked on {}, no new value yet",
                    revoked.get(..10).unwrap_or(revoked)
                ),
                urgent: true,
            });
            continue;
        }
        let rotation = rotation(credential, record, manifest.defaults.warn_before, now);
        if let Some(what) = rotation.attention() {
            due.push(Due {
                credential: credential.name.clone(),
                what,
                urgent: rotation.status.is_failure(),
            });
        }
    }
    due.sort_by_key(|d| !d.urgent); // stable: by name within each group
    due
}

/// What a desktop notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
    pub urgent: bool,
}

/// The notification for `due` (none when nothing is due); `project` names
/// the manifest, so reminders of two projects can be told apart.
pub fn notification(due: &[Due], project: &str) -> Option<Notification> {
    let first = due.first()?;
    let title = match due {
        [_] => format!("mcpctl: rotate {}", first.credential),
        _ => format!("mcpctl: {} credentials to rotate", due.len()),
    };
    let mut lines: Vec<String> = due
        .iter()
        .map(|d| format!("{}: {}", d.credential, d.what))
        .collect();
    let command = match due {
        [_] => format!("mcpctl rotate {}", first.credential),
        _ => "mcpctl rotate NAME".to_owned(),
    };
    lines.push(format!("Run `{command}` ({project})."));
    Some(Notification {
        title,
        body: lines.join("\n"),
        urgent: due.iter().any(|d| d.urgent),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::CredentialRecord;

    const MANIFEST: &str = r#"mcpctl version=1
defaults { warn-before "14d"; }
credential GITHUB_TOKEN { provider github; }
credential DB_PASSWORD { kind password; }
credential SLACK_TOKEN { rotate-every "30d"; }
credential OLD_TOKEN { rotate-every "30d"; }
credential CI_TOKEN { source env var=CI_TOKEN; rotate-every "1d"; }
credential NEW_TOKEN { rotate-every "30d"; }
"#;

    fn record(set_at: &str, expires: Option<&str>, revoked: Option<&str>) -> CredentialRecord {
        CredentialRecord {
            set_at: Some(set_at.to_owned()),
            first_seen: set_at.to_owned(),
            expires: expires.map(str::to_owned),
            revoked_at: revoked.map(str::to_owned),
        }
    }

    #[test]
    fn names_what_is_due_and_nothing_else() {
        let manifest = crate::manifest::parse("mcpctl.kdl", MANIFEST).unwrap();
        let mut state = State::default();
        let now: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        for (name, record) in [
            // 100 days old, rotated every 90: overdue.
            ("GITHUB_TOKEN", record("2026-02-21T12:00:00Z", None, None)),
            // Fresh, but expires in 5 days.
            (
                "DB_PASSWORD",
                record("2026-05-30T12:00:00Z", Some("2026-06-06"), None),
            ),
            // Fresh: nothing to say.
            ("SLACK_TOKEN", record("2026-05-30T12:00:00Z", None, None)),
            (
                "OLD_TOKEN",
                record("2026-05-30T12:00:00Z", None, Some("2026-05-31T08:00:00Z")),
            ),
            // Not kept by mcpctl: no age, even with a stale record.
            ("CI_TOKEN", record("2020-01-01T00:00:00Z", None, None)),
        ] {
            state.credentials.insert(name.to_owned(), record);
        }
        let due = due(&manifest, &state, now);
        let shown: Vec<(&str, &str, bool)> = due
            .iter()
            .map(|d| (d.credential.as_str(), d.what.as_str(), d.urgent))
            .collect();
        assert_eq!(
            shown,
            [
                ("GITHUB_TOKEN", "overdue by 10 days", true),
                ("OLD_TOKEN", "revoked on 2026-05-31, no new value yet", true),
                ("DB_PASSWORD", "expires 2026-06-06 (in 5 days)", false),
            ]
        );

        let note = notification(&due, "~/src/team/mcpctl.kdl").unwrap();
        assert_eq!(note.title, "mcpctl: 3 credentials to rotate");
        assert_eq!(
            note.body,
            "GITHUB_TOKEN: overdue by 10 days\n\
             OLD_TOKEN: revoked on 2026-05-31, no new value yet\n\
             DB_PASSWORD: expires 2026-06-06 (in 5 days)\n\
             Run `mcpctl rotate NAME` (~/src/team/mcpctl.kdl)."
        );
        assert!(note.urgent);

        let one = notification(&due[2..], "p").unwrap();
        assert_eq!(one.title, "mcpctl: rotate DB_PASSWORD");
        assert!(one.body.ends_with("Run `mcpctl rotate DB_PASSWORD` (p)."));
        assert!(!one.urgent);
        assert_eq!(notification(&[], "p"), None);
    }
}
