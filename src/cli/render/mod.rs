//! Views of results for people (text) and programs (JSON).

pub mod plan;
pub mod reason;

use std::path::Path;

/// A path as a person reads it: under the home directory as `~/…`, any
/// control character in it escaped (a project directory is named by whoever
/// made it).
pub fn display_path(path: &Path, home: &Path) -> String {
    let shown = match path.strip_prefix(home) {
        // `~\.codex\config.toml` on Windows: one separator throughout.
        Ok(rest) if !rest.as_os_str().is_empty() => {
            format!("~{}{}", std::path::MAIN_SEPARATOR, rest.display())
        }
        _ => path.display().to_string(),
    };
    crate::terminal_text::escape(&shown).into_owned()
}

/// A recorded time (RFC 3339, as the state and the audit trail keep it,
/// to the nanosecond) as a person reads it: to the second, in UTC. Text
/// that is not a timestamp is shown as it is, escaped.
pub fn when(recorded: &str) -> String {
    match recorded.parse::<jiff::Timestamp>() {
        Ok(time) => time
            .round(jiff::Unit::Second)
            .map_or(time, |rounded| rounded)
            .strftime("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => crate::terminal_text::escape(recorded).into_owned(),
    }
}

/// Minimal ANSI styling that disappears when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }
    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_to_the_second() {
        assert_eq!(
            super::when("2026-12-04T15:41:30.123456789Z"),
            "2026-12-04 15:41:30 UTC"
        );
        assert_eq!(
            super::when("2026-12-04T15:41:30.6Z"),
            "2026-12-04 15:41:31 UTC"
        );
        assert_eq!(super::when("yesterday"), "yesterday");
    }
}
