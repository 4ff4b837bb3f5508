//! Alert rules, checked as each credential read is recorded: the guide's
//! "unusual access" thresholds.
//!
//! - more than `alert-reads-per-hour` reads of one credential within the
//!   last hour (raised once, when the count first goes over);
//! - a read by a server that the manifest does not declare as using that
//!   credential (the server name comes from `exec --server`; the manifest is
//!   the one the entry names with `exec --manifest`, see
//!   [`super::Settings::of_manifest`]).
//!
//! Each fired rule becomes a warning record in the trail and is forwarded
//! like any record (to a webhook even when it forwards alerts only).

use std::path::Path;

use jiff::Timestamp;

use super::{Event, Outcome, Settings, StoredRecord};

pub const READ_RATE: &str = "alert.read-rate";
pub const UNDECLARED_READ: &str = "alert.undeclared-read";

/// The alerts `event` (just written to `path`) raises under the rules of
/// `settings` (those of the manifest that owns the launch; of every applied
/// manifest when none does): a read is undeclared when none of them gives
/// the server the credential, and the lowest read limit counts. The hour
/// ends at `now`, the command's time.
pub fn evaluate(
    path: &Path,
    settings: &[Settings],
    event: &Event,
    now: Timestamp,
) -> std::io::Result<Vec<Event>> {
    let mut alerts = Vec::new();
    if event.action != "store.read" {
        return Ok(alerts);
    }
    if let Some(server) = &event.server
        && settings.iter().any(|s| !s.declared.is_empty())
    {
        let declares = settings.iter().any(|s| {
            s.declared
                .get(server)
                .is_some_and(|creds| creds.contains(&event.target))
        });
        if !declares {
            alerts.push(Event {
                action: UNDECLARED_READ,
                target: event.target.clone(),
                server: Some(server.clone()),
                detail: Some(format!(
                    "server `{server}` read `{}`, which the manifest does not give it",
                    event.target
                )),
                outcome: Outcome::Warning,
            });
        }
    }
    let limit = settings
        .iter()
        .filter_map(|s| s.policy.alert_reads_per_hour)
        .min();
    if let Some(limit) = limit {
        let hour_ago = now - jiff::SignedDuration::from_hours(1);
        let count = reads_since(path, &event.target, hour_ago)?;
        if count == u64::from(limit) + 1 {
            alerts.push(Event {
                action: READ_RATE,
                target: event.target.clone(),
                server: event.server.clone(),
                detail: Some(format!(
                    "{count} reads of `{}` in the last hour (the limit is {limit})",
                    event.target
                )),
                outcome: Outcome::Warning,
            });
        }
    }
    Ok(alerts)
}

/// Reads of `credential` recorded at or after `since`.
fn reads_since(path: &Path, credential: &str, since: Timestamp) -> std::io::Result<u64> {
    let text = fs_err::read_to_string(path)?;
    let mut count = 0;
    for line in text.lines().rev() {
        let Ok(record) = serde_json::from_str::<StoredRecord>(line) else {
            continue;
        };
        let Ok(time) = record.time.parse::<Timestamp>() else {
            continue;
        };
        if time < since {
            break;
        }
        if record.action == "store.read" && record.target == credential {
            count += 1;
        }
    }
    Ok(count)
}
