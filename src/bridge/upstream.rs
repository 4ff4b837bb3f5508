//! The one thing the bridge asks of HTTP: send a request to the server's
//! endpoint, get its status, two headers and a streamed body.
//!
//! A trait of its own, so the message loop is tested with a scripted
//! server ([`super::tests`]) and the HTTP stack stays in one module of the
//! crate ([`crate::http`]).

use std::io::Read;

use crate::store::Secret;

/// The three methods Streamable HTTP uses (HTTP+SSE: GET and POST).
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
    /// Another URL than the endpoint's (the POST URL of the older HTTP+SSE
    /// transport, checked to be of the same origin).
    pub url: Option<&'a str>,
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

/// The endpoint over [`crate::http`]: a connect timeout, but none for the
/// exchange, whose answer may be a stream that stays open.
pub struct Http {
    client: crate::http::Client,
    url: String,
}

impl Http {
    pub fn new(url: &str) -> Http {
        let config = crate::http::Config {
            timeout: None,
            ..crate::http::Config::default()
        };
        Http {
            client: crate::http::Client::new(config),
            url: url.to_owned(),
        }
    }
}

impl Upstream for Http {
    fn exchange(&self, exchange: Exchange<'_>) -> Result<Answer, String> {
        let url = exchange.url.unwrap_or(&self.url);
        let mut request = match exchange.method {
            Method::Post => self.client.post(url),
            Method::Get => self.client.get(url),
            Method::Delete => self.client.delete(url),
        };
        for (name, value) in exchange.headers {
            // `send` names the body's type itself.
            if !name.eq_ignore_ascii_case("content-type") {
                request = request.header(name, value);
            }
        }
        for (name, value) in exchange.secret_headers {
            request = request.secret_header(name, value);
        }
        let response = match exchange.body {
            Some(body) => request.send("application/json", body),
            None => request.call(),
        }
        .map_err(|err| err.reason)?;
        let content_type = response.header("content-type").map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        Ok(Answer {
            status: response.status(),
            content_type,
            session: response.header("mcp-session-id").map(str::to_owned),
            body: Box::new(response.into_reader()),
        })
    }
}
