//! `mcpctl audit`: read the audit trail (filtered by time, credential,
//! server and action) and `mcpctl audit verify`: check its hash chain.
//! Neither needs a manifest: the trail belongs to the machine.

use super::ui::note;
use jiff::Timestamp;
use miette::IntoDiagnostic;

use super::Outcome;
use crate::audit::{AuditLog, Filter, StoredRecord, read_records, verify};
use crate::host::Host;
use crate::terminal_text::escape;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,

    #[command(flatten)]
    list: ListArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Check the hash chain: name every edited, deleted or reordered record
    Verify {
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Records at or after: `30m`, `12h`, `7d`, `2w` ago, a date (2026-11-01) or an RFC 3339 time
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    since: Option<Timestamp>,

    /// Records at or before: same forms as `--since` (a date includes that whole day)
    #[arg(long, value_name = "WHEN", value_parser = parse_until)]
    until: Option<Timestamp>,

    /// Only records about this credential
    #[arg(long, value_name = "NAME", add = clap_complete::engine::ArgValueCandidates::new(super::complete::credentials))]
    credential: Option<String>,

    /// Only records of this server (`exec` reads, alerts)
    #[arg(long, value_name = "NAME", add = clap_complete::engine::ArgValueCandidates::new(super::complete::servers))]
    server: Option<String>,

    /// Only this action (`store.read`) or family (`store`, `file`, `alert`)
    #[arg(long, value_name = "ACTION", value_parser = parse_action)]
    action: Option<String>,

    /// Print the records as a JSON array
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let path = host.state_dir().join(AuditLog::FILE);
    match args.command {
        Some(Sub::Verify { json }) => {
            let report = verify(&path).into_diagnostic()?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("report serializes")
                );
            } else if report.ok() {
                let pruned = report
                    .pruned_before
                    .map(|n| format!(" (after a pruning checkpoint for records 1 to {n})"))
                    .unwrap_or_default();
                println!(
                    "`{}`: {}, chain intact{pruned}.",
                    path.display(),
                    crate::words::count(report.records, "record")
                );
            } else {
                println!(
                    "`{}`: {}, {}:",
                    path.display(),
                    crate::words::count(report.records, "record"),
                    crate::words::count(report.problems.len(), "problem")
                );
                for problem in &report.problems {
                    println!("  line {}: {}", problem.line, escape(&problem.message));
                }
                println!(
                    "hint: compare with the forwarded copy (syslog or webhook) to see what was there"
                );
            }
            Ok(if report.ok() {
                Outcome::Success
            } else {
                Outcome::Problems
            })
        }
        None => {
            let list = args.list;
            let filter = Filter {
                since: list.since,
                until: list.until,
                credential: list.credential,
                server: list.server,
                action: list.action,
            };
            let records = read_records(&path, &filter).into_diagnostic()?;
            if list.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&records).expect("records serialize")
                );
            } else if records.is_empty() {
                note!("no audit records match (trail: `{}`)", path.display());
            } else {
                for record in &records {
                    // Every field is text someone else wrote (`exec --server`
                    // takes any label): one record, one line, nothing the
                    // terminal acts on.
                    println!("{}", escape(&line(record)));
                }
            }
            Ok(Outcome::Success)
        }
    }
}

fn line(record: &StoredRecord) -> String {
    let outcome = match record.outcome {
        crate::audit::Outcome::Ok => "ok",
        crate::audit::Outcome::Failed => "FAILED",
        crate::audit::Outcome::Warning => "WARNING",
    };
    let mut text = format!(
        "{:<23} {:<7} {:<20} {}",
        super::render::when(&record.time),
        record.command,
        record.action,
        record.target
    );
    if let Some(server) = &record.server {
        text.push_str(&format!(" server={server}"));
    }
    text.push_str(&format!(" {outcome} {}@{}", record.user, record.host));
    if let Some(detail) = &record.detail {
        text.push_str(&format!(" ({detail})"));
    }
    text
}

fn parse_since(text: &str) -> Result<Timestamp, String> {
    parse_when(text, false)
}

fn parse_until(text: &str) -> Result<Timestamp, String> {
    parse_when(text, true)
}

/// An action records hold, or a family of them.
fn parse_action(text: &str) -> Result<String, String> {
    let mut known: Vec<&str> = crate::audit::ACTIONS.to_vec();
    for action in crate::audit::ACTIONS {
        if let Some((family, _)) = action.split_once('.')
            && !known.contains(&family)
        {
            known.push(family);
        }
    }
    if known.contains(&text) {
        return Ok(text.to_owned());
    }
    let suggestion = crate::manifest::did_you_mean(text, known.iter().copied())
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    let families: Vec<&str> = known.iter().copied().filter(|k| !k.contains('.')).collect();
    Err(format!(
        "no record has the action `{text}`; {suggestion}use a family ({}) or an action (`store.read`, `alert.undeclared-read`, …: `mcpctl audit --json` shows each record's)",
        families.join(", ")
    ))
}

/// `30m`/`12h`/`7d`/`2w` ago, a date, or an RFC 3339 time. A date as an upper
/// bound means the end of that day.
fn parse_when(text: &str, end_of_day: bool) -> Result<Timestamp, String> {
    let hint = || {
        format!(
            "`{text}` is not a time: write `30m`, `12h`, `7d`, `2w` (ago), a date like 2026-11-01, or an RFC 3339 time"
        )
    };
    if let Ok(time) = text.parse::<Timestamp>() {
        return Ok(time);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let date = if end_of_day {
            date.tomorrow().map_err(|_| hint())?
        } else {
            date
        };
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|_| hint());
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let n: i64 = number.parse().map_err(|_| hint())?;
    let per = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 60 * 24,
        "w" => 60 * 24 * 7,
        _ => return Err(hint()),
    };
    // `99999999999w` is before time began: refused, not a panic.
    n.checked_mul(per)
        .and_then(|minutes| minutes.checked_mul(60))
        .and_then(|secs| {
            Timestamp::now()
                .checked_sub(jiff::SignedDuration::from_secs(secs))
                .ok()
        })
        .ok_or_else(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_is_one_records_hold_or_a_family() {
        assert_eq!(parse_action("store.read").unwrap(), "store.read");
        assert_eq!(parse_action("alert").unwrap(), "alert");
        let refused = parse_action("stor").unwrap_err();
        assert!(refused.contains("did you mean `store`?"), "{refused}");
        assert!(refused.contains("store, file, audit, alert"), "{refused}");
        assert!(parse_action("store.reed").is_err());
    }

    #[test]
    fn since_takes_minutes_hours_days_and_weeks_ago() {
        let ago = |text: &str| {
            let then = parse_since(text).unwrap();
            Timestamp::now().duration_since(then).as_secs()
        };
        // Seconds may pass between the two clocks read.
        assert!((600..610).contains(&ago("10m")), "{}", ago("10m"));
        assert!((7200..7210).contains(&ago("2h")));
        assert!((86400 * 3..86400 * 3 + 10).contains(&ago("3d")));
        assert!((86400 * 14..86400 * 14 + 10).contains(&ago("2w")));
        assert!(parse_since("99999999999999w").is_err());
        let refused = parse_since("10y").unwrap_err();
        assert!(refused.contains("`10y` is not a time"), "{refused}");
        assert!(refused.contains("`30m`, `12h`, `7d`, `2w`"), "{refused}");
        assert_eq!(
            parse_until("2026-11-01").unwrap().to_string(),
            "2026-11-02T00:00:00Z"
        );
    }
}
