//! Forwarding records as they are written, so a copy lives where the local
//! user cannot rewrite it: syslog/journald through the local socket, and an
//! HTTP endpoint (the guide's alert webhook).
//!
//! Forwarding never blocks a server from starting: each failure comes back
//! as a sentence for the caller to show, and the record stays in the file.
//! The webhook is a plain HTTP/1.1 POST of the record's JSON line with short
//! timeouts; https is refused when the manifest is validated.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use super::Actor;
use crate::manifest::AuditPolicy;

/// Where syslog and journald listen on Linux and most Unixes.
pub const DEFAULT_SYSLOG_SOCKET: &str = "/dev/log";
const TIMEOUT: Duration = Duration::from_secs(2);
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
) -> Vec<String> {
    let mut errors = Vec::new();
    if policies.iter().any(|p| p.syslog)
        && let Err(err) = syslog(line, is_alert, syslog_socket, actor)
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
    for url in webhooks {
        if let Err(err) = post(url, line) {
            errors.push(format!(
                "cannot forward to the webhook `{}`: {err}",
                crate::plan::redact_url(url)
            ));
        }
    }
    errors
}

/// One RFC 5424 message on the local syslog socket: severity warning for
/// alerts, info otherwise.
#[cfg(unix)]
fn syslog(line: &str, is_alert: bool, socket: &Path, actor: &Actor) -> std::io::Result<()> {
    let severity = if is_alert { 4 } else { 6 };
    let message = format!(
        "<{}>1 {} {} mcpctl {} audit - {line}",
        FACILITY * 8 + severity,
        jiff::Timestamp::now(),
        actor.host,
        actor.pid
    );
    let sock = std::os::unix::net::UnixDatagram::unbound()?;
    sock.send_to(message.as_bytes(), socket)?;
    Ok(())
}

#[cfg(not(unix))]
fn syslog(_line: &str, _is_alert: bool, _socket: &Path, _actor: &Actor) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "syslog forwarding is not available on this platform yet; use a webhook",
    ))
}

/// POSTs `body` as JSON to an `http://host[:port]/path` URL; any 2xx is
/// success.
pub fn post(url: &str, body: &str) -> std::io::Result<()> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what.to_owned());
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    // Never looked up: the name resolver would be asked for `user@host`.
    if authority.contains('@') {
        return Err(invalid("a URL with user information is not supported"));
    }
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let target = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| invalid("the host does not resolve"))?;
    let mut stream = TcpStream::connect_timeout(&target, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: mcpctl/{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut response = [0u8; 64];
    let n = stream.read(&mut response)?;
    let status_line = String::from_utf8_lossy(&response[..n]);
    let status = status_line.split_whitespace().nth(1).unwrap_or("");
    if status.starts_with('2') {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the endpoint answered `{}`",
            status_line.lines().next().unwrap_or("").trim()
        )))
    }
}
