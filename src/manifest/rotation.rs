//! Rotation periods: how they are written and the credentials guide's
//! schedule.
//!
//! A period is written as a quoted string, a whole number followed by a unit:
//! `"90d"` (days), `"12w"` (weeks) or `"1y"` (365 days). It is quoted because
//! KDL 2.0 reads a bare value that starts with a digit as a number, and
//! `90d` is not one. There is no month unit: `m` reads as minutes to some
//! people and months to others, and months differ in length. A bare number is
//! rejected rather than taken as days, so that nobody writes `90` meaning
//! weeks.
//!
//! When a credential does not set its own period, the schedule of the
//! credentials guide (`seed/000_3aa40919e2338ab9.txt`, "Token Rotation
//! Schedule") applies: GitHub tokens every 90 days, database credentials every
//! 60, cloud provider keys every 30. "API keys: based on provider
//! recommendations" gives no number, so API keys get none from the guide.

use super::{CredentialKind, Period};

/// Why a period does not parse. Never carries the text itself: the caller
/// decides whether it is safe to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeriodError {
    /// Digits without a unit (`90`).
    NoUnit,
    /// `0d`: a period must be positive.
    Zero,
    /// `3m`: months and minutes are ambiguous.
    Month,
    /// A unit other than d, w, y.
    UnknownUnit,
    /// Longer than mcpctl can count.
    TooLong,
    /// Anything else (`abc`, `d90`, `9 d`).
    NotAPeriod,
}

impl PeriodError {
    /// A short label for the diagnostic.
    pub(crate) fn label(self) -> &'static str {
        match self {
            PeriodError::NoUnit => "no unit",
            PeriodError::Zero => "a period of zero never comes round",
            PeriodError::Month => "`m` could mean months or minutes",
            PeriodError::UnknownUnit => "unknown unit",
            PeriodError::TooLong => "too long",
            PeriodError::NotAPeriod => "not a period",
        }
    }
}

/// The help every period diagnostic carries.
pub(crate) const PERIOD_HELP: &str = "write a number of days, weeks or years: `\"90d\"`, `\"12w\"`, `\"1y\"` (in quotes: KDL 2.0 reads a bare value that starts with a digit as a number)";

/// Parses `Nd`, `Nw` or `Ny` with N > 0.
pub(crate) fn parse_period(text: &str) -> Result<Period, PeriodError> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(PeriodError::NotAPeriod);
    }
    let (number, unit) = text.split_at(digits);
    let per_unit: u32 = match unit {
        "" => return Err(PeriodError::NoUnit),
        "d" => 1,
        "w" => 7,
        "y" => 365,
        "m" | "mo" => return Err(PeriodError::Month),
        u if u.chars().all(|c| c.is_ascii_alphabetic()) => {
            return Err(PeriodError::UnknownUnit);
        }
        _ => return Err(PeriodError::NotAPeriod),
    };
    let n: u32 = number.parse().map_err(|_| PeriodError::TooLong)?;
    if n == 0 {
        return Err(PeriodError::Zero);
    }
    let days = n.checked_mul(per_unit).ok_or(PeriodError::TooLong)?;
    Ok(Period { days })
}

/// The guide's period for a provider.
pub(crate) fn provider_default(provider: &str) -> Option<Period> {
    match provider {
        // "GitHub tokens: Every 90 days"
        "github" => Some(Period { days: 90 }),
        _ => None,
    }
}

/// The guide's period for a kind of credential.
pub(crate) fn kind_default(kind: CredentialKind) -> Option<Period> {
    match kind {
        // "Database credentials: Every 60 days"
        CredentialKind::ConnectionString => Some(Period { days: 60 }),
        // "Cloud provider keys: Every 30 days"
        CredentialKind::AccessKey => Some(Period { days: 30 }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("90d"), Ok(Period { days: 90 }));
        assert_eq!(parse_period("12w"), Ok(Period { days: 84 }));
        assert_eq!(parse_period("1y"), Ok(Period { days: 365 }));
        assert_eq!(parse_period("007d"), Ok(Period { days: 7 }));
        assert_eq!(parse_period("90"), Err(PeriodError::NoUnit));
        assert_eq!(parse_period("0d"), Err(PeriodError::Zero));
        assert_eq!(parse_period("3m"), Err(PeriodError::Month));
        assert_eq!(parse_period("3h"), Err(PeriodError::UnknownUnit));
        assert_eq!(parse_period("abc"), Err(PeriodError::NotAPeriod));
        assert_eq!(parse_period("d90"), Err(PeriodError::NotAPeriod));
        assert_eq!(parse_period("9 d"), Err(PeriodError::NotAPeriod));
        assert_eq!(parse_period(""), Err(PeriodError::NotAPeriod));
        assert_eq!(parse_period("99999999999d"), Err(PeriodError::TooLong));
        assert_eq!(parse_period("4294967295y"), Err(PeriodError::TooLong));
    }

    #[test]
    fn schedule() {
        assert_eq!(provider_default("github"), Some(Period { days: 90 }));
        assert_eq!(provider_default("slack"), None);
        assert_eq!(
            kind_default(CredentialKind::ConnectionString),
            Some(Period { days: 60 })
        );
        assert_eq!(
            kind_default(CredentialKind::AccessKey),
            Some(Period { days: 30 })
        );
        assert_eq!(kind_default(CredentialKind::ApiKey), None);
    }
}
