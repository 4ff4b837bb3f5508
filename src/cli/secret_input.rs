//! Where a new secret value comes from on the command line: a hidden
//! prompt that says what the credential is for, an environment variable,
//! or standard input. Shared by `apply` (missing credentials) and `rotate`.
//! For a file credential (`kind file`) the prompt and the variable give the
//! file's *path*, and the value is the file's content.

#[cfg(not(unix))]
use std::io::{BufRead, Write};
use std::io::{IsTerminal, Read};

use crate::manifest::Credential;
use crate::store::Secret;

/// The command that asks for a value: where else it can take one from
/// differs, and so does the hint when there is no terminal to ask on.
#[derive(Debug, Clone, Copy)]
pub enum Asker {
    /// `apply`: `--secrets-from-env` only.
    Apply,
    /// `rotate`: `--from-env` or `--from-stdin`.
    Rotate,
}

/// Asks on the terminal with hidden input, after saying why and what the
/// credential is. `Err` carries a hint for the user.
pub fn prompt_hidden(credential: &Credential, why: &str, asker: Asker) -> Result<Secret, String> {
    if !std::io::stdin().is_terminal() {
        let name = &credential.name;
        let what = if credential.is_file() {
            "the file's path"
        } else {
            "the value"
        };
        return Err(match asker {
            Asker::Apply => format!(
                "there is no terminal to ask on; export `{name}` ({what}) and pass \
                 `--secrets-from-env`, or run `mcpctl apply` in a terminal"
            ),
            Asker::Rotate => format!(
                "there is no terminal to ask on; set `{name}` ({what}) in the environment and \
                 pass `--from-env`, or pipe the value with `--from-stdin`"
            ),
        });
    }
    eprintln!();
    eprintln!("{why}");
    if let Some(description) = &credential.description {
        eprintln!("  what: {description}");
    }
    eprintln!("  kind: {}", credential.kind.as_str());
    if !credential.scopes.is_empty() {
        eprintln!("  scopes: {}", credential.scopes.join(", "));
    }
    if let Some(url) = &credential.create_at {
        eprintln!("  create it at {url}");
    }
    if credential.is_file() {
        return prompt_path(credential);
    }
    for _ in 0..3 {
        let value = read_hidden(&format!("{} (input hidden): ", credential.name))
            .map_err(|err| format!("reading the terminal failed: {err}"))?;
        let value = value.trim().to_owned();
        if !value.is_empty() {
            return Ok(Secret::new(value));
        }
        eprintln!("the value is empty; paste the token, or press Ctrl-C to stop");
    }
    Err("run the command again when you have the value".to_owned())
}

/// The value of the environment variable `var`.
pub fn from_env(var: &str) -> Result<Secret, String> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim().to_owned())),
        _ => Err(format!("set the environment variable `{var}` for this run")),
    }
}

/// Asks for the path of a file credential (visible input: a path is not
/// secret) and reads the file.
fn prompt_path(credential: &Credential) -> Result<Secret, String> {
    for _ in 0..3 {
        let answer = ask(&format!("Path of the file for `{}`: ", credential.name))?;
        match read_file(&answer) {
            Ok(secret) => return Ok(secret),
            Err(err) => eprintln!("{err}"),
        }
    }
    Err("run the command again with the path of the file".to_owned())
}

/// The content of the file whose path is in the environment variable `var`.
pub fn file_from_env(var: &str) -> Result<Secret, String> {
    match std::env::var(var) {
        Ok(path) if !path.trim().is_empty() => read_file(path.trim()),
        _ => Err(format!(
            "set the environment variable `{var}` to the file's path for this run"
        )),
    }
}

/// A file credential's content. Errors name the path, never the content.
pub fn read_file(path: &str) -> Result<Secret, String> {
    if path.is_empty() {
        return Err("no path given".to_owned());
    }
    let bytes = std::fs::read(path).map_err(|err| format!("cannot read `{path}`: {err}"))?;
    if bytes.is_empty() {
        return Err(format!("`{path}` is empty"));
    }
    String::from_utf8(bytes)
        .map(Secret::new)
        .map_err(|_| format!("`{path}` is not UTF-8 text; mcpctl stores text files only"))
}

/// Everything on standard input, without the trailing newline.
pub fn from_stdin() -> Result<Secret, String> {
    let mut value = String::new();
    std::io::stdin()
        .lock()
        .read_to_string(&mut value)
        .map_err(|err| format!("reading standard input failed: {err}"))?;
    let value = value.trim_end_matches(['\r', '\n']).to_owned();
    if value.is_empty() {
        return Err("standard input was empty; pipe the value in".to_owned());
    }
    Ok(Secret::new(value))
}

/// Asks for an optional expiry date on the terminal (Enter for none).
pub fn prompt_expiry(credential: &Credential) -> Result<Option<jiff::civil::Date>, String> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    for _ in 0..3 {
        let answer = ask(&format!(
            "When does the provider expire `{}`? YYYY-MM-DD, or Enter for never: ",
            credential.name
        ))?;
        let answer = answer.as_str();
        if answer.is_empty() {
            return Ok(None);
        }
        match parse_expiry(answer) {
            Ok(date) => return Ok(Some(date)),
            Err(err) => eprintln!("{err}"),
        }
    }
    Err("run the command again with a date like 2027-03-01".to_owned())
}

/// Shows `prompt` on stderr and reads one line (visible input), trimmed.
/// Ctrl-C ends mcpctl with "cancelled; nothing was changed".
fn ask(prompt: &str) -> Result<String, String> {
    #[cfg(unix)]
    {
        let answer = tty::read_line(prompt, false)
            .map_err(|err| format!("reading the terminal failed: {err}"))?;
        Ok(answer.trim().to_owned())
    }
    #[cfg(not(unix))]
    {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|err| format!("reading the terminal failed: {err}"))?;
        Ok(answer.trim().to_owned())
    }
}

/// Reads one line of an answer whose question the caller has printed;
/// Ctrl-C ends mcpctl with "cancelled; nothing was changed" (on Unix).
pub fn read_answer() -> Result<String, String> {
    ask("")
}

/// Shows `prompt` on stderr and reads one line with echo off. On Unix,
/// Ctrl-C restores the terminal and ends mcpctl with "cancelled; nothing
/// was changed" (the default signal action would leave echo off).
fn read_hidden(prompt: &str) -> std::io::Result<zeroize::Zeroizing<String>> {
    #[cfg(unix)]
    {
        tty::read_line(prompt, true)
    }
    #[cfg(not(unix))]
    {
        rpassword::prompt_password(prompt).map(zeroize::Zeroizing::new)
    }
}

/// A calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01"))
}

/// The day a provider expires a value: a date, not before today. A past
/// date would only make every plan warn at once. "Today" is the earlier of
/// the local and the UTC day (the plan counts in UTC), so a date that is
/// today for the user is never refused.
pub fn parse_expiry(text: &str) -> Result<jiff::civil::Date, String> {
    let date = parse_date(text)?;
    let now = jiff::Zoned::now();
    let utc = now.with_time_zone(jiff::tz::TimeZone::UTC).date();
    not_past(date, now.date().min(utc))
}

/// `date`, unless it is before `today`.
fn not_past(
    date: jiff::civil::Date,
    today: jiff::civil::Date,
) -> Result<jiff::civil::Date, String> {
    if date < today {
        Err(format!(
            "`{date}` is in the past (today is {today}); give the day the provider will expire \
             the new value, or leave the date out if it never expires"
        ))
    } else {
        Ok(date)
    }
}

/// Line input on a Unix terminal that survives Ctrl-C: the terminal's
/// settings are restored and mcpctl says it stopped before anything
/// changed.
#[cfg(unix)]
mod tty {
    use std::io::Write;
    use std::sync::atomic::{AtomicI32, Ordering};

    use zeroize::Zeroizing;

    /// The signal that interrupted the read, or 0.
    static CAUGHT: AtomicI32 = AtomicI32::new(0);

    extern "C" fn on_signal(signal: libc::c_int) {
        CAUGHT.store(signal, Ordering::SeqCst);
    }

    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// Prints `prompt` on stderr and reads a line from standard input,
    /// with echo off when `hidden`. A signal while waiting restores the
    /// terminal and the signal handlers, says "cancelled; nothing was
    /// changed" on a line of its own and exits (130 for Ctrl-C): the
    /// callers read values before anything is written.
    #[expect(
        clippy::exit,
        reason = "a signal ends mcpctl where it waits, once the terminal is restored"
    )]
    pub fn read_line(prompt: &str, hidden: bool) -> std::io::Result<Zeroizing<String>> {
        let fd = libc::STDIN_FILENO;
        // SAFETY: termios is plain data; tcgetattr fills it or fails.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        let is_tty = unsafe { libc::tcgetattr(fd, &mut saved) } == 0;
        if hidden && is_tty {
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            quiet.c_lflag |= libc::ECHONL;
            // SAFETY: a valid fd and a termios from tcgetattr.
            if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        CAUGHT.store(0, Ordering::SeqCst);
        let previous = SIGNALS.map(|signal| {
            // SAFETY: the handler only stores to an atomic; no SA_RESTART,
            // so a blocked read returns EINTR.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = 0;
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, &action, &mut old);
                old
            }
        });
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();

        let mut line = Zeroizing::new(Vec::new());
        let result = loop {
            if CAUGHT.load(Ordering::SeqCst) != 0 {
                break Ok(());
            }
            let mut byte = 0u8;
            // SAFETY: reads at most one byte into `byte`.
            let read = unsafe { libc::read(fd, (&raw mut byte).cast(), 1) };
            match read {
                1 if byte == b'\n' => break Ok(()),
                1 => line.push(byte),
                0 => {
                    // Ctrl-D: the terminal moved to no new line; what is
                    // said next gets one of its own.
                    if is_tty {
                        eprintln!();
                    }
                    break Ok(());
                }
                _ => {
                    let err = std::io::Error::last_os_error();
                    if err.kind() != std::io::ErrorKind::Interrupted {
                        break Err(err);
                    }
                }
            }
        };

        if hidden && is_tty {
            // SAFETY: restores the settings read above.
            unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
        }
        for (signal, old) in SIGNALS.iter().zip(previous.iter()) {
            // SAFETY: puts back the action sigaction returned.
            unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        }
        let caught = CAUGHT.swap(0, Ordering::SeqCst);
        if caught != 0 {
            eprintln!();
            eprintln!("cancelled; nothing was changed");
            std::process::exit(128 + caught);
        }
        result?;
        let text = String::from_utf8(std::mem::take(&mut *line)).map_err(|err| {
            let mut bytes = err.into_bytes();
            zeroize::Zeroize::zeroize(&mut bytes);
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the input is not UTF-8 text",
            )
        })?;
        Ok(Zeroizing::new(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_before_today_is_refused_with_the_date_named() {
        let today = jiff::civil::date(2026, 12, 4);
        let err = not_past(jiff::civil::date(2025, 1, 1), today).unwrap_err();
        assert!(err.contains("`2025-01-01` is in the past"), "{err}");
        assert!(err.contains("today is 2026-12-04"), "{err}");
        assert_eq!(not_past(today, today), Ok(today));
        let later = jiff::civil::date(2027, 3, 1);
        assert_eq!(not_past(later, today), Ok(later));
    }

    #[test]
    fn parse_expiry_refuses_a_clearly_past_date() {
        let err = parse_expiry("2001-01-01").unwrap_err();
        assert!(err.contains("`2001-01-01` is in the past"), "{err}");
        assert!(
            parse_expiry("2001-13-01")
                .unwrap_err()
                .contains("is not a date")
        );
        assert!(parse_expiry("9999-12-31").is_ok());
    }
}
