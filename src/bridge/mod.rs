//! The stdio bridge to a remote MCP server: what `mcpctl exec --url`
//! runs, so that `delivery exec` means for a remote server what it means
//! for a local one — the credential goes from the OS store straight into
//! the request, in no environment, no file and no argv.
//!
//! The client speaks MCP over stdio to mcpctl (one JSON-RPC message per
//! line); mcpctl speaks Streamable HTTP to the server:
//!
//! - Each message is POSTed as the bytes the client wrote, with `Accept:
//!   application/json, text/event-stream`; the answer is one JSON body or
//!   a stream of server-sent events, each event's data written to stdout
//!   as one line, again as the bytes the server sent (line breaks, which
//!   JSON allows only between tokens, dropped). Nothing is re-serialized,
//!   so fields of newer protocol versions pass untouched
//!   ([`message`]).
//! - The `Mcp-Session-Id` the server gives with its answer to
//!   `initialize` is sent with every later request, with
//!   `MCP-Protocol-Version` as `initialize` agreed it; once the client
//!   says `notifications/initialized`, a GET opens the stream of messages
//!   the server starts (requests to the client, notifications), when the
//!   server offers one (405: it does not); a dropped stream is resumed with
//!   `Last-Event-ID`. When the client closes stdin, answers still on their
//!   way are awaited a little, then the session is ended with DELETE.
//! - Requests are sent on threads of their own, so a long tool call does
//!   not hold back a cancellation; `initialize`, notifications and
//!   responses are sent in order, before the next line is read, so that
//!   the session exists before anything else uses it.
//! - The credential headers are read when the bridge starts and once more
//!   after a 401 (a `mcpctl rotate` needs no restart of the client); the
//!   caller records each read in the audit trail, as `exec` does.
//! - A failure is answered as a JSON-RPC error to every request it
//!   concerns, and said in one line on stderr. No message, error or line
//!   holds a credential's value: the bridge writes none, and a server's own
//!   error text is quoted with any value it echoes redacted.
//!
//! A server that answers the POST of `initialize` with 404 or 405 may
//! speak only the older HTTP+SSE transport (protocol 2024-11-05): the bridge
//! falls back to it, as the specification says, under the same rules
//! ([`legacy`]). Only static credential headers are sent: OAuth is not yet
//! supported.
//!
//! # Why no MCP SDK
//!
//! The bridge relays messages; it does not act on them. An SDK such as
//! `rmcp` would parse each message into its typed model and write it out
//! again — exactly what must not happen to fields it does not know — and
//! would bring an async runtime into a binary that has none. HTTP goes
//! through the crate's one client ([`crate::http`], ureq over rustls, whose
//! streamed bodies carry the event streams); what is left — reading
//! server-sent events ([`sse`]) and a few fields of each message
//! ([`message`]) — is small, and tested against the SDK's own server.

mod legacy;
mod message;
mod sse;
pub mod upstream;

use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde_json::Value;

use crate::store::Secret;
use message::{Inspected, error_response, inspect, one_line};
use upstream::{Answer, Exchange, Method, Upstream};

/// Reads the credential headers again (recording the read); `Err` says
/// why not, naming no value.
pub type ReadHeaders = Box<dyn FnMut() -> Result<Vec<(String, Secret)>, String> + Send>;

/// What one bridge connects.
pub struct Config {
    /// The server's name in the manifest, for messages.
    pub server: String,
    /// Its endpoint.
    pub url: String,
    /// The manifest's literal headers, sent as they are.
    pub literal_headers: Vec<(String, String)>,
    /// The credentials the headers come from, for messages.
    pub credentials: Vec<String>,
}

/// How long answers still on their way are awaited once stdin closed.
const DRAIN: Duration = Duration::from_secs(10);

/// How often a dropped stream of server messages is reopened in a row
/// before the bridge gives up on it.
const RECONNECTS: u32 = 5;

/// A running bridge.
pub struct Bridge {
    config: Config,
    upstream: Box<dyn Upstream>,
    read_headers: Mutex<ReadHeaders>,
    credentials: Mutex<Credentials>,
    session: Mutex<Option<String>>,
    protocol_version: Mutex<Option<String>>,
    out: Mutex<Box<dyn Write + Send>>,
    warn: Box<dyn Fn(&str) + Send + Sync>,
    in_flight: (Mutex<usize>, Condvar),
    listening: AtomicBool,
    /// Set when the session ends: the stream is not reopened then.
    closing: AtomicBool,
    /// Set when the server speaks only the older HTTP+SSE transport.
    legacy: OnceLock<Arc<legacy::Endpoint>>,
}

/// The credential headers as last read, and how often they were read.
struct Credentials {
    headers: Arc<Vec<(String, Secret)>>,
    generation: u64,
}

impl Bridge {
    /// The bridge, with the credential headers as first read;
    /// `read_again` reads them after a 401. `out` is the client's stdout,
    /// `warn` takes the one-line reports for stderr.
    pub fn start(
        config: Config,
        upstream: Box<dyn Upstream>,
        headers: Vec<(String, Secret)>,
        read_again: ReadHeaders,
        out: Box<dyn Write + Send>,
        warn: Box<dyn Fn(&str) + Send + Sync>,
    ) -> Arc<Bridge> {
        Arc::new(Bridge {
            config,
            upstream,
            read_headers: Mutex::new(read_again),
            credentials: Mutex::new(Credentials {
                headers: Arc::new(headers),
                generation: 0,
            }),
            session: Mutex::new(None),
            protocol_version: Mutex::new(None),
            out: Mutex::new(out),
            warn,
            in_flight: (Mutex::new(0), Condvar::new()),
            listening: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            legacy: OnceLock::new(),
        })
    }

    /// Forwards every line of `input` until it ends, then ends the
    /// session. Threads still reading the server's stream may outlive
    /// it; the caller exits.
    pub fn run(self: &Arc<Bridge>, input: impl BufRead) {
        for line in input.split(b'\n') {
            let Ok(mut line) = line else { break };
            while line.last().is_some_and(|b| b.is_ascii_whitespace()) {
                line.pop();
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let Some(inspected) = inspect(&line) else {
                self.fail(&[Value::Null], "the client sent a line that is not JSON");
                continue;
            };
            let starts_listening =
                inspected.initialized && !self.listening.swap(true, Ordering::SeqCst);
            if inspected.initialize.is_some() || inspected.requests.is_empty() {
                self.post(&line, &inspected);
            } else {
                *lock(&self.in_flight.0) += 1;
                let bridge = Arc::clone(self);
                std::thread::spawn(move || {
                    bridge.post(&line, &inspected);
                    *lock(&bridge.in_flight.0) -= 1;
                    bridge.in_flight.1.notify_all();
                });
            }
            if starts_listening {
                let bridge = Arc::clone(self);
                std::thread::spawn(move || bridge.listen());
            }
        }
        let pending = lock(&self.in_flight.0);
        drop(
            self.in_flight
                .1
                .wait_timeout_while(pending, DRAIN, |n| *n > 0)
                .unwrap_or_else(|e| e.into_inner()),
        );
        self.close();
    }

    /// POSTs one message and forwards the answer.
    fn post(self: &Arc<Self>, message: &[u8], inspected: &Inspected) {
        if self.legacy.get().is_some() {
            return self.post_legacy(message, inspected);
        }
        let mut read_again = false;
        loop {
            let (generation, answer) = self.send(Method::Post, Some(message), None, None);
            let answer = match answer {
                Ok(answer) => answer,
                Err(reason) => {
                    let what = format!("cannot reach `{}`: {reason}", self.config.url);
                    return self.fail(&inspected.requests, &what);
                }
            };
            if answer.status == 401 && !read_again {
                if self.read_again(generation) {
                    read_again = true;
                    continue;
                }
                return self.fail(&inspected.requests, &self.refused());
            }
            if inspected.initialize.is_some() && matches!(answer.status, 404 | 405) {
                return self.fall_back(message, inspected, answer.status);
            }
            return self.answered(answer, inspected);
        }
    }

    /// Forwards the server's answer to a POST.
    fn answered(&self, answer: Answer, inspected: &Inspected) {
        if inspected.initialize.is_some()
            && let Some(session) = &answer.session
        {
            *lock(&self.session) = Some(session.clone());
        }
        let mut unanswered = inspected.requests.clone();
        match (answer.status, answer.content_type.as_deref()) {
            (200..=299, Some("application/json")) => {
                let mut body = Vec::new();
                let read = answer
                    .body
                    .take(sse::EVENT_LIMIT as u64 + 1)
                    .read_to_end(&mut body);
                if let Err(err) = read {
                    let what = format!("the answer of `{}` broke off: {err}", self.config.url);
                    return self.fail(&unanswered, &what);
                }
                // Cut off, it would reach the client as a broken message.
                if body.len() > sse::EVENT_LIMIT {
                    let what = format!(
                        "the answer of `{}` is larger than {} MiB",
                        self.config.url,
                        sse::EVENT_LIMIT / 1024 / 1024
                    );
                    return self.fail(&unanswered, &what);
                }
                self.forward(&body, &mut unanswered);
            }
            (200..=299, Some("text/event-stream")) => {
                let mut events = sse::Events::new(answer.body);
                loop {
                    match events.next_message() {
                        Ok(Some(data)) => self.forward(&data, &mut unanswered),
                        Ok(None) => break,
                        Err(err) => {
                            let what =
                                format!("the stream of `{}` broke off: {err}", self.config.url);
                            return self.fail(&unanswered, &what);
                        }
                    }
                }
            }
            (200..=299, _) if unanswered.is_empty() => {}
            (404, _) if lock(&self.session).is_some() => {
                let what = format!(
                    "`{}` no longer knows this session (HTTP 404): restart server `{}` in the client",
                    self.config.url, self.config.server
                );
                return self.fail(&unanswered, &what);
            }
            (status, _) => {
                let what = format!(
                    "`{}` answered HTTP {status}{}",
                    self.config.url,
                    self.quoted_error(answer.body)
                );
                return self.fail(&unanswered, &what);
            }
        }
        if !unanswered.is_empty() {
            let what = format!("`{}` ended its answer without one", self.config.url);
            self.fail(&unanswered, &what);
        }
    }

    /// Writes one message from the server to the client, noting what it
    /// answers.
    fn forward(&self, message: &[u8], unanswered: &mut Vec<Value>) {
        if let Some(inspected) = inspect(message) {
            unanswered.retain(|id| !inspected.responses.contains(id));
            if let Some(version) = inspected.protocol_version {
                *lock(&self.protocol_version) = Some(version);
            }
        }
        self.write(message);
    }

    /// Keeps the stream of the server's own messages open while it offers
    /// one, resuming after a drop.
    fn listen(&self) {
        let mut last_id: Option<String> = None;
        let mut drops = 0;
        let mut read_again = false;
        while drops < RECONNECTS {
            // The older transport's one stream is read already.
            if self.closing.load(Ordering::SeqCst) || self.legacy.get().is_some() {
                return;
            }
            let (generation, answer) = self.send(Method::Get, None, last_id.as_deref(), None);
            let answer = match answer {
                Ok(answer) => answer,
                Err(_) => {
                    drops += 1;
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            };
            match (answer.status, answer.content_type.as_deref()) {
                (401, _) if !read_again && self.read_again(generation) => {
                    read_again = true;
                    continue;
                }
                (200, Some("text/event-stream")) => {}
                // 405: no such stream; anything else: none for us.
                _ => return,
            }
            let mut events = sse::Events::new(answer.body);
            while let Ok(Some(data)) = events.next_message() {
                drops = 0;
                self.write(&data);
            }
            last_id = events.last_id().map(str::to_owned).or(last_id);
            drops += 1;
            std::thread::sleep(Duration::from_millis(500));
        }
        (self.warn)(&format!(
            "the stream of messages from `{}` dropped {RECONNECTS} times in a row; requests still work, but the server's own notifications no longer arrive",
            self.config.url
        ));
    }

    /// Ends the session (a server without sessions, or that refuses
    /// DELETE, is left as it is).
    fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        if lock(&self.session).is_some() {
            let _ = self.send(Method::Delete, None, None, None);
        }
    }

    /// Sends one request with the headers as they are now, to the
    /// endpoint or to `url`; returns the generation of the credential
    /// headers it carried.
    fn send(
        &self,
        method: Method,
        body: Option<&[u8]>,
        last_event_id: Option<&str>,
        url: Option<&str>,
    ) -> (u64, Result<Answer, String>) {
        let (generation, secret_headers) = {
            let credentials = lock(&self.credentials);
            (credentials.generation, Arc::clone(&credentials.headers))
        };
        let mut headers = self.config.literal_headers.clone();
        let accept = match method {
            Method::Post => "application/json, text/event-stream",
            Method::Get => "text/event-stream",
            Method::Delete => "*/*",
        };
        headers.push(("Accept".to_owned(), accept.to_owned()));
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        if let Some(session) = lock(&self.session).clone() {
            headers.push(("Mcp-Session-Id".to_owned(), session));
        }
        if let Some(version) = lock(&self.protocol_version).clone() {
            headers.push(("MCP-Protocol-Version".to_owned(), version));
        }
        if let Some(id) = last_event_id {
            headers.push(("Last-Event-ID".to_owned(), id.to_owned()));
        }
        let answer = self.upstream.exchange(Exchange {
            method,
            url,
            headers: &headers,
            secret_headers: &secret_headers,
            body,
        });
        (generation, answer)
    }

    /// After a 401 to a request that carried generation `generation`:
    /// reads the credential headers again, unless another request did
    /// meanwhile. Whether a retry may succeed (the values changed).
    fn read_again(&self, generation: u64) -> bool {
        let mut read_headers = lock(&self.read_headers);
        if lock(&self.credentials).generation != generation {
            return true;
        }
        let headers = match read_headers() {
            Ok(headers) => headers,
            Err(reason) => {
                (self.warn)(&reason);
                return false;
            }
        };
        let mut credentials = lock(&self.credentials);
        let same = headers.len() == credentials.headers.len()
            && headers
                .iter()
                .zip(credentials.headers.iter())
                .all(|((a, x), (b, y))| a == b && x.expose() == y.expose());
        if same {
            return false;
        }
        credentials.headers = Arc::new(headers);
        credentials.generation += 1;
        true
    }

    /// Why a 401 stands.
    fn refused(&self) -> String {
        let names = self.config.credentials.join("`, `");
        let rotate = match self.config.credentials.as_slice() {
            [one] => format!("`mcpctl rotate {one}`"),
            _ => "`mcpctl rotate`".to_owned(),
        };
        format!(
            "`{}` refused credential `{names}` (HTTP 401), also as read again from the store; store a valid value with {rotate}",
            self.config.url
        )
    }

    /// A JSON-RPC error's message from an error body, as `: <message>`,
    /// with any credential value in it redacted; else nothing.
    fn quoted_error(&self, body: Box<dyn Read + Send>) -> String {
        let mut text = Vec::new();
        if body.take(64 * 1024).read_to_end(&mut text).is_err() {
            return String::new();
        }
        let message = serde_json::from_slice::<Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned));
        let Some(mut message) = message else {
            return String::new();
        };
        for (_, value) in lock(&self.credentials).headers.iter() {
            // The value after its scheme (`Bearer <token>`), whole or alone.
            let token = value.expose().split_once(' ').map_or("", |(_, t)| t);
            for secret in [token, value.expose()] {
                if !secret.is_empty() {
                    message = message.replace(secret, "<redacted>");
                }
            }
        }
        format!(": {}", message.chars().take(300).collect::<String>())
    }

    /// Answers each request of `ids` with an error and says so once on
    /// stderr.
    fn fail(&self, ids: &[Value], what: &str) {
        (self.warn)(what);
        for id in ids {
            self.write(&error_response(id, what));
        }
    }

    /// One line to the client.
    fn write(&self, message: &[u8]) {
        let mut out = lock(&self.out);
        let _ = out
            .write_all(&one_line(message))
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
    }
}

/// A lock, whether or not a thread panicked while holding it (the data
/// stay consistent: each is replaced whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests;
