//! The one thing the bridge asks of HTTP: send a request to the server's
//! endpoint, get its status, two headers and a streamed body.
//!
//! A trait of its own, so the message loop is tested with a scripted
//! server ([`super::tests`]) and the HTTP stack stays in one module of the
//! crate ([`crate::http`]).

use std::io::Read;

use crate::store::Secret;

/// The three methods Streamable HTTP uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A message from the client.
    Post,
    /// The stream of messages the server starts.
    Get,
    /// The end of the session.
    Delete,
}

/// One request to the endpoint.
pub struct Exchange<'a> {
    pub method: Method,
    /// Protocol headers and the manifest's literal headers.
    pub headers: &'a [(String, String)],
    /// The credential headers, as read from the store.
    pub secret_headers: &'a [(String, Secret)],
    /// The message (POST only).
    pub body: Option<&'a [u8]>,
}

/// The server's answer.
pub struct Answer {
    pub status: u16,
    /// `Content-Type`, without parameters, lower case.
    pub content_type: Option<String>,
    /// `Mcp-Session-Id`.
    pub session: Option<String>,
    /// The body, streamed.
    pub body: Box<dyn Read + Send>,
}

/// The server's endpoint. `Err` says why no answer came, naming no value.
pub trait Upstream: Send + Sync {
    fn exchange(&self, exchange: Exchange<'_>) -> Result<Answer, String>;
}
