//! How old each credential is, and whether it is due for rotation or about
//! to expire.
//!
//! The age comes from mcpctl's state: `set_at` when mcpctl stored the value
//! (apply or `rotate`), else `first_seen` when it found an entry someone
//! made by hand — then the age is only known to be *at least* that, and
//! the plan says "age unknown since …". Due dates count from whichever of
//! the two is known, so a hand-made entry seen long ago still comes due.
//! Expiry dates are the provider's (`rotate --expires 2027-03-01`), counted
//! in calendar days (UTC): a token expiring on a day is expired the day after. The
//! same warning window (`defaults { warn-before "14d" }`) applies to both.
//! Pure: the time is an input, so every case is unit-tested.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::manifest::{Credential, Period, PeriodSource};
use crate::state::CredentialRecord;

const DAY_SECONDS: i64 = 86_400;

/// A credential's age and rotation status, as the plan reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Rotation {
    pub status: RotationStatus,
    /// The rotation period in days, when there is one.
    pub period_days: Option<u32>,
    /// Where the period came from.
    pub period_source: Option<PeriodSource>,
    /// When mcpctl stored the value (RFC 3339).
    pub set_at: Option<String>,
    /// When mcpctl first saw the entry (RFC 3339).
    pub first_seen: Option<String>,
    /// Whole days since `set_at`, or at least since `first_seen` when
    /// `age_known` is false.
    pub age_days: Option<i64>,
    pub age_known: bool,
    /// Days until rotation is due; negative when overdue.
    pub due_in_days: Option<i64>,
    /// The provider's expiry date (`YYYY-MM-DD`).
    pub expires: Option<String>,
    /// Days until expiry; negative when expired.
    pub expires_in_days: Option<i64>,
}

/// The verdict, worst first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RotationStatus {
    /// Past its expiry date: the provider no longer accepts it.
    Expired,
    /// Past its rotation date.
    Overdue,
    /// Expires within the warning window.
    Expiring,
    /// Rotation is due within the warning window.
    DueSoon,
    /// Within its period.
    Ok,
    /// Neither a period nor an expiry date applies.
    NoPeriod,
    /// mcpctl has no record of it yet (the next apply records it).
    Unknown,
}

impl RotationStatus {
    /// Whether `plan --fail-on-overdue` and `check` count it as a failure.
    pub fn is_failure(self) -> bool {
        matches!(self, RotationStatus::Expired | RotationStatus::Overdue)
    }

    /// Whether it deserves a warning.
    pub fn is_warning(self) -> bool {
        matches!(self, RotationStatus::Expiring | RotationStatus::DueSoon)
    }
}

/// The rotation status of `credential` at `now`.
pub fn rotation(
    credential: &Credential,
    record: Option<&CredentialRecord>,
    warn_before: Period,
    now: Timestamp,
) -> Rotation {
    let mut rotation = Rotation {
        status: RotationStatus::Unknown,
        period_days: credential.rotate_every.map(|p| p.days),
        period_source: credential.rotate_every_source,
        set_at: None,
        first_seen: None,
        age_days: None,
        age_known: false,
        due_in_days: None,
        expires: None,
        expires_in_days: None,
    };
    let Some(record) = record else {
        return rotation;
    };
    rotation.set_at = record.set_at.clone();
    rotation.first_seen = Some(record.first_seen.clone());
    rotation.expires = record.expires.clone();
    let set_at = record.set_at.as_deref().and_then(parse_time);
    let since = set_at.or_else(|| parse_time(&record.first_seen));
    rotation.age_known = set_at.is_some();
    rotation.age_days = since.map(|t| days_between(t, now));
    rotation.due_in_days = match (rotation.age_days, rotation.period_days) {
        (Some(age), Some(period)) => Some(i64::from(period) - age),
        _ => None,
    };
    rotation.expires_in_days = record
        .expires
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .and_then(|d| now.to_zoned(TimeZone::UTC).date().until(d).ok())
        .map(|span| i64::from(span.get_days()));
    let warn = i64::from(warn_before.days);
    let mut status = if rotation.due_in_days.is_some() || rotation.expires_in_days.is_some() {
        RotationStatus::Ok
    } else {
        RotationStatus::NoPeriod
    };
    if let Some(due) = rotation.due_in_days {
        status = status.min(if due < 0 {
            RotationStatus::Overdue
        } else if due <= warn {
            RotationStatus::DueSoon
        } else {
            RotationStatus::Ok
        });
    }
    if let Some(left) = rotation.expires_in_days {
        status = status.min(if left < 0 {
            RotationStatus::Expired
        } else if left <= warn {
            RotationStatus::Expiring
        } else {
            RotationStatus::Ok
        });
    }
    rotation.status = status;
    rotation
}

fn parse_time(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs().div_euclid(DAY_SECONDS)
}

impl Rotation {
    /// One line for people: age, period and its source, what is due.
    pub fn describe(&self, credential: &Credential) -> String {
        let mut parts = Vec::new();
        match (self.age_days, self.age_known, &self.first_seen) {
            (Some(age), true, _) => parts.push(format!("set {}", ago(age))),
            (_, false, Some(seen)) => {
                parts.push(format!("age unknown since {}", day_of(seen)));
            }
            _ => parts.push("age unknown (recorded at the next apply)".to_owned()),
        }
        if let (Some(days), Some(source)) = (self.period_days, self.period_source) {
            parts.push(format!(
                "rotate every {days}d ({})",
                source.describe(credential)
            ));
        }
        parts.extend(self.due_text());
        parts.extend(self.expiry_text());
        parts.join("; ")
    }

    /// What needs attention, in a few words ("overdue by 3 days", "expires
    /// 2026-06-10 (in 9 days)"), when the status is a warning or a failure:
    /// the text of a reminder.
    pub fn attention(&self) -> Option<String> {
        match self.status {
            RotationStatus::Expired | RotationStatus::Expiring => self.expiry_text(),
            RotationStatus::Overdue | RotationStatus::DueSoon => self.due_text(),
            _ => None,
        }
    }

    fn due_text(&self) -> Option<String> {
        self.due_in_days.map(|due| match due {
            d if d < 0 => format!("overdue by {}", days(-d)),
            0 => "due today".to_owned(),
            d => format!("due in {}", days(d)),
        })
    }

    fn expiry_text(&self) -> Option<String> {
        let (date, left) = (self.expires.as_ref()?, self.expires_in_days?);
        Some(match left {
            l if l < 0 => format!("expired on {date}"),
            l => format!("expires {date} (in {})", days(l)),
        })
    }
}

fn ago(age: i64) -> String {
    match age {
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n => format!("{n} days ago"),
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

/// The date part of an RFC 3339 time.
fn day_of(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::CredentialKind;

    fn credential(period: Option<u32>) -> Credential {
        Credential {
            name: "GITHUB_TOKEN".into(),
            kind: CredentialKind::PersonalAccessToken,
            provider: Some("github".into()),
            scopes: vec![],
            rotate_every: period.map(|days| Period { days }),
            rotate_every_source: period.map(|_| PeriodSource::Provider),
            create_at: None,
            description: None,
            source: crate::manifest::Source::Store,
            namespace: None,
            classification: None,
        }
    }

    fn record(set_at: Option<&str>, first_seen: &str, expires: Option<&str>) -> CredentialRecord {
        CredentialRecord {
            set_at: set_at.map(str::to_owned),
            first_seen: first_seen.to_owned(),
            expires: expires.map(str::to_owned),
            revoked_at: None,
        }
    }

    const NOW: &str = "2026-06-01T12:00:00Z";
    const WARN: Period = Period { days: 14 };

    fn at(credential: &Credential, record: Option<&CredentialRecord>) -> Rotation {
        rotation(credential, record, WARN, NOW.parse().unwrap())
    }

    #[test]
    fn status_by_age() {
        let c = credential(Some(90));
        let cases = [
            ("2026-05-31T12:00:00Z", 1, RotationStatus::Ok),
            ("2026-03-18T12:00:00Z", 75, RotationStatus::Ok),
            ("2026-03-17T12:00:00Z", 76, RotationStatus::DueSoon),
            ("2026-03-03T12:00:00Z", 90, RotationStatus::DueSoon),
            ("2026-03-02T12:00:00Z", 91, RotationStatus::Overdue),
        ];
        for (set_at, age, status) in cases {
            let r = at(&c, Some(&record(Some(set_at), set_at, None)));
            assert_eq!((r.age_days, r.status), (Some(age), status), "{set_at}");
            assert!(r.age_known);
        }
        let overdue = at(&c, Some(&record(Some("2026-03-02T12:00:00Z"), "x", None)));
        assert_eq!(overdue.due_in_days, Some(-1));
        assert_eq!(overdue.attention().as_deref(), Some("overdue by 1 day"));
        assert!(
            overdue.describe(&c).contains("overdue by 1 day"),
            "{}",
            overdue.describe(&c)
        );
        assert!(
            overdue
                .describe(&c)
                .contains("the credentials guide's schedule for github")
        );
    }

    #[test]
    fn hand_made_entries_age_from_first_sight() {
        let c = credential(Some(90));
        let r = at(&c, Some(&record(None, "2026-01-01T00:00:00Z", None)));
        assert!(!r.age_known);
        assert_eq!(r.status, RotationStatus::Overdue);
        assert!(
            r.describe(&c).starts_with("age unknown since 2026-01-01"),
            "{}",
            r.describe(&c)
        );
    }

    #[test]
    fn expiry_warns_ahead_and_wins_over_period() {
        let c = credential(None);
        let fresh = Some("2026-05-31T12:00:00Z");
        let soon = at(&c, Some(&record(fresh, "x", Some("2026-06-10"))));
        assert_eq!(soon.status, RotationStatus::Expiring);
        assert_eq!(soon.expires_in_days, Some(9));
        let later = at(&c, Some(&record(fresh, "x", Some("2027-03-01"))));
        assert_eq!(later.status, RotationStatus::Ok);
        let gone = at(
            &credential(Some(90)),
            Some(&record(fresh, "x", Some("2026-05-01"))),
        );
        assert_eq!(gone.status, RotationStatus::Expired);
        assert!(gone.status.is_failure());
        assert_eq!(gone.attention().as_deref(), Some("expired on 2026-05-01"));
        assert_eq!(
            soon.attention().as_deref(),
            Some("expires 2026-06-10 (in 9 days)")
        );
        assert_eq!(later.attention(), None);
    }

    #[test]
    fn without_period_or_record() {
        let c = credential(None);
        assert_eq!(at(&c, None).status, RotationStatus::Unknown);
        let r = at(&c, Some(&record(Some(NOW), NOW, None)));
        assert_eq!(r.status, RotationStatus::NoPeriod);
        assert_eq!(r.describe(&c), "set today");
    }
}
