//! The older HTTP+SSE transport (protocol version 2024-11-05), for servers
//! that only speak it — the fallback the MCP specification's
//! backwards-compatibility section describes: when the POST of
//! `initialize` is answered 404 or 405, the bridge GETs the same URL as an
//! event stream. The server's first `endpoint` event names the URL every
//! message is POSTed to (answered 202 Accepted); the answers, and the
//! server's own messages, come as `message` events on that one stream,
//! which stays open for the whole session.
//!
//! The rules of Streamable HTTP hold here too: messages pass as the bytes
//! the client and the server wrote, the credential headers go with every
//! request (the GET and each POST; read again after a 401), and no redirect
//! is followed. The POST URL must be of the endpoint's origin (scheme, host
//! and port): a server naming another is refused before anything is sent
//! there, so the credential goes nowhere else. The transport has no
//! resumption: when the stream ends, each request still waiting for its
//! answer gets an error, and the client must restart the server.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use ureq::http::Uri;

use super::message::{Inspected, inspect};
use super::upstream::{Answer, Method};
use super::{Bridge, lock, sse};

/// Where the server of the older transport takes messages.
pub(super) struct Endpoint {
    /// The POST URL its `endpoint` event named, resolved.
    url: String,
    /// Requests posted whose answer has not yet come on the stream.
    pending: Mutex<Vec<Value>>,
}

impl Bridge {
    /// After the POST of `initialize` was answered `status` (404 or 405):
    /// opens the event stream, learns the POST URL, posts `initialize`
    /// there and keeps reading the stream.
    pub(super) fn fall_back(self: &Arc<Self>, message: &[u8], inspected: &Inspected, status: u16) {
        let mut read_again = false;
        let answer = loop {
            let (generation, answer) = self.send(Method::Get, None, None, None);
            match answer {
                Ok(answer) if answer.status == 401 && !read_again => {
                    if !self.read_again(generation) {
                        return self.fail(&inspected.requests, &self.refused());
                    }
                    read_again = true;
                }
                Ok(answer) => break answer,
                Err(reason) => {
                    let what = format!("cannot reach `{}`: {reason}", self.config.url);
                    return self.fail(&inspected.requests, &what);
                }
            }
        };
        if answer.status == 401 {
            return self.fail(&inspected.requests, &self.refused());
        }
        if answer.status != 200 || answer.content_type.as_deref() != Some("text/event-stream") {
            let what = format!(
                "`{}` answered HTTP {status} to a Streamable HTTP POST, and HTTP {} to the GET of the older HTTP+SSE transport{}",
                self.config.url,
                answer.status,
                self.quoted_error(answer.body)
            );
            return self.fail(&inspected.requests, &what);
        }
        let mut events = sse::Events::new(answer.body);
        let named = loop {
            match events.next_event() {
                Ok(Some((kind, data))) if kind == "endpoint" => break data,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    let what = format!(
                        "the HTTP+SSE stream of `{}` ended before naming its endpoint",
                        self.config.url
                    );
                    return self.fail(&inspected.requests, &what);
                }
            }
        };
        let url = match same_origin(&self.config.url, &String::from_utf8_lossy(&named)) {
            Ok(url) => url,
            Err(why) => {
                let what = format!("`{}` named as its HTTP+SSE endpoint {why}", self.config.url);
                return self.fail(&inspected.requests, &what);
            }
        };
        let endpoint = Arc::new(Endpoint {
            url,
            pending: Mutex::new(Vec::new()),
        });
        let _ = self.legacy.set(Arc::clone(&endpoint));
        // Awaited before the stream is read on: the answer may be on it.
        self.await_answers(&endpoint, &inspected.requests);
        let bridge = Arc::clone(self);
        let reader = Arc::clone(&endpoint);
        std::thread::spawn(move || bridge.read_legacy_stream(&reader, events));
        self.send_legacy(&endpoint, message, inspected);
    }

    /// POSTs one message to the endpoint's POST URL; its answer comes on
    /// the stream.
    pub(super) fn post_legacy(&self, message: &[u8], inspected: &Inspected) {
        if let Some(endpoint) = self.legacy.get() {
            self.await_answers(endpoint, &inspected.requests);
            self.send_legacy(endpoint, message, inspected);
        }
    }

    /// POSTs a message whose requests are awaited already.
    fn send_legacy(&self, endpoint: &Endpoint, message: &[u8], inspected: &Inspected) {
        let mut read_again = false;
        loop {
            let (generation, answer) =
                self.send(Method::Post, Some(message), None, Some(&endpoint.url));
            let failure = match answer {
                Ok(answer) if answer.status == 401 && !read_again => {
                    if self.read_again(generation) {
                        read_again = true;
                        continue;
                    }
                    self.refused()
                }
                Ok(answer) if answer.status == 401 => self.refused(),
                Ok(Answer { status, .. }) if (200..=299).contains(&status) => return,
                Ok(answer) => format!(
                    "`{}` answered HTTP {}{}",
                    endpoint.url,
                    answer.status,
                    self.quoted_error(answer.body)
                ),
                Err(reason) => format!("cannot reach `{}`: {reason}", endpoint.url),
            };
            let ids = self.answered_legacy(endpoint, &inspected.requests);
            return self.fail(&ids, &failure);
        }
    }

    /// Forwards the stream's messages until it ends; then answers every
    /// request still waiting with an error.
    fn read_legacy_stream(
        &self,
        endpoint: &Endpoint,
        mut events: sse::Events<Box<dyn Read + Send>>,
    ) {
        let ended = loop {
            match events.next_event() {
                Ok(Some((kind, data))) if kind == "message" => {
                    // Written before it counts as answered: a closed stdin
                    // stops waiting once nothing is in flight, and must
                    // not stop before the answer is out.
                    self.write(&data);
                    if let Some(inspected) = inspect(&data) {
                        self.answered_legacy(endpoint, &inspected.responses);
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break "ended".to_owned(),
                Err(err) => break format!("broke off: {err}"),
            }
        };
        if self.closing.load(Ordering::SeqCst) {
            return;
        }
        let pending = std::mem::take(&mut *lock(&endpoint.pending));
        let what = format!(
            "the HTTP+SSE stream of `{}` {ended}: restart server `{}` in the client",
            self.config.url, self.config.server
        );
        self.fail(&pending, &what);
        self.settle(pending.len());
    }

    /// Notes `ids` as awaiting their answers (counted as in flight, so
    /// that a closing stdin waits for them).
    fn await_answers(&self, endpoint: &Endpoint, ids: &[Value]) {
        lock(&endpoint.pending).extend(ids.iter().cloned());
        *lock(&self.in_flight.0) += ids.len();
    }

    /// Of `ids`, those that were awaited, no longer so.
    fn answered_legacy(&self, endpoint: &Endpoint, ids: &[Value]) -> Vec<Value> {
        let mut pending = lock(&endpoint.pending);
        let (done, waiting): (Vec<Value>, Vec<Value>) =
            pending.drain(..).partition(|id| ids.contains(id));
        *pending = waiting;
        drop(pending);
        self.settle(done.len());
        done
    }

    /// `n` requests are no longer in flight.
    fn settle(&self, n: usize) {
        if n > 0 {
            *lock(&self.in_flight.0) -= n;
            self.in_flight.1.notify_all();
        }
    }
}

/// The URL `named` (absolute, or relative to `base`), if it is of `base`'s
/// origin; else why not, naming it.
pub(super) fn same_origin(base: &str, named: &str) -> Result<String, String> {
    let refused = |why: &str| format!("`{}`, {why}: refused", named.escape_debug());
    if named.is_empty() || named.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refused("which is not a URL"));
    }
    let base_uri: Uri = base
        .parse()
        .map_err(|_| refused("and its own URL is not valid"))?;
    let scheme = base_uri.scheme_str().unwrap_or("http");
    let authority = base_uri.authority().map_or("", |a| a.as_str());
    let has_scheme = named.split_once(':').is_some_and(|(s, _)| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let url = if has_scheme {
        named.to_owned()
    } else if named.starts_with("//") {
        format!("{scheme}:{named}")
    } else if named.starts_with('/') {
        format!("{scheme}://{authority}{named}")
    } else {
        let path = base_uri.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{scheme}://{authority}{dir}{named}")
    };
    let uri: Uri = url.parse().map_err(|_| refused("which is not a URL"))?;
    if origin(&uri) != origin(&base_uri) {
        return Err(refused("another origin than the server's"));
    }
    Ok(url)
}

/// Scheme, host and port (the scheme's default when none is given).
fn origin(uri: &Uri) -> Option<(String, String, u16)> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let host = uri.host()?.to_ascii_lowercase();
    Some((scheme, host, uri.port_u16().unwrap_or(default)))
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn the_post_url_is_resolved_against_the_endpoint_and_kept_to_its_origin() {
        let base = "https://mcp.example.com/v1/sse";
        let same = [
            (
                "/messages?sessionId=a1",
                "https://mcp.example.com/messages?sessionId=a1",
            ),
            ("messages?s=1", "https://mcp.example.com/v1/messages?s=1"),
            (
                "https://MCP.example.com:443/m",
                "https://MCP.example.com:443/m",
            ),
            ("//mcp.example.com/m", "https://mcp.example.com/m"),
        ];
        for (named, resolved) in same {
            assert_eq!(same_origin(base, named).as_deref(), Ok(resolved), "{named}");
        }
        for other in [
            "https://evil.example.com/messages",
            "http://mcp.example.com/messages",
            "https://mcp.example.com:8443/messages",
            "//evil.example.com/m",
            "mailto:x@example.com",
            "/m\nHost: evil",
            "",
        ] {
            let err = same_origin(base, other).unwrap_err();
            assert!(err.ends_with("refused"), "{other}: {err}");
        }
        assert_eq!(
            same_origin("http://127.0.0.1:8080/sse", "/messages").as_deref(),
            Ok("http://127.0.0.1:8080/messages")
        );
    }
}
