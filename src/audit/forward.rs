//! Forwarding records as they are written, so a copy lives where the local
//! user cannot rewrite it: syslog/journald through the local socket, and an
//! HTTP endpoint (the guide's alert webhook).
//!
//! Forwarding never blocks a server from starting: each failure comes back
//! as a sentence for the caller to show, and the record stays in the file.
//! The webhook is an HTTP POST of the record's JSON line through
//! [`crate::http`] with short timeouts; the manifest's validation still
//! refuses https webhooks (see `docs/lifecycle.md`).

use std::path::Path;
use std::time::Duration;

use super::Actor;
use crate::manifest::AuditPolicy;

/// Where syslog and journald listen on Linux and most Unixes.
pub const DEFAULT_SYSLOG_SOCKET: &str = "/dev/log";
/// Connecting, and then the whole exchange: a webhook that cannot answer
/// in this time does not hold up a server's start any longer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const TIMEOUT: Duration = Duration::from_secs(5);
/// syslog facility `authpriv` (10): security messages.
#[cfg(unix)]
const FACILITY: u8 = 10;

/// Sends `line` where the policies say — to syslog once if any asks, to
/// each webhook once — and returns what failed. The line is the record
/// itself: its `seq` and `prev` are the head it extends, so a forwarded
/// copy shows where the local chain must go on.
pub fn forward(
    line: &str,
    is_alert: bool,
    policies: &[&AuditPolicy],
    syslog_socket: &Path,
    actor: &Actor,
    now: jiff::Timestamp,
) -> Vec<String> {
    let mut errors = Vec::new();
    if policies.iter().any(|p| p.syslog)
        && let Err(err) = syslog(line, is_alert, syslog_socket, actor, now)
    {
        errors.push(format!(
            "cannot forward to syslog at `{}`: {err}",
            syslog_socket.display()
        ));
    }
    let mut webhooks: Vec<&str> = policies
        .iter()
        .filter(|p| is_alert || !p.webhook_alerts_only)
        .filter_map(|p| p.webhook.as_deref())
        .collect();
    webhooks.sort_unstable();
    webhooks.dedup();
    if !webhooks.is_empty() {
        let client = crate::http::Client::new(crate::http::Config {
            connect_timeout: CONNECT_TIMEOUT,
            timeout: Some(TIMEOUT),
            ..crate::http::Config::default()
        });
        for url in webhooks {
            if let Err(err) = post(&client, url, line) {
                errors.push(format!("cannot forward to the webhook {err}"));
            }
        }
    }
    errors
}

/// One RFC 5424 message on the local syslog socket: severity warning for
/// alerts, info otherwise.
#[cfg(unix)]
fn syslog(
    line: &str,
    is_alert: bool,
    socket: &Path,
    actor: &Actor,
    now: jiff::Timestamp,
) -> std::io::Result<()> {
    let severity = if is_alert { 4 } else { 6 };
    let message = format!(
        "<{}>1 {} {} mcpctl {} audit - {line}",
        FACILITY * 8 + severity,
        now,
        actor.host,
        actor.pid
    );
    let sock = std::os::unix::net::UnixDatagram::unbound()?;
    sock.send_to(message.as_bytes(), socket)?;
    Ok(())
}

#[cfg(not(unix))]
fn syslog(
    _line: &str,
    _is_alert: bool,
    _socket: &Path,
    _actor: &Actor,
    _now: jiff::Timestamp,
) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "syslog forwarding is not available on this platform yet; use a webhook",
    ))
}

/// POSTs `body` as JSON to `url`; any 2xx is success. The error names
/// the URL, redacted.
fn post(client: &crate::http::Client, url: &str, body: &str) -> Result<(), crate::http::HttpError> {
    let response = client.post(url).send("application/json", body.as_bytes())?;
    if (200..300).contains(&response.status()) {
        Ok(())
    } else {
        Err(crate::http::HttpError::new(
            url,
            format!("the endpoint answered `{}`", response.status_line()),
        ))
    }
}
