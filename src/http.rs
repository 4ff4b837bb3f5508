//! mcpctl's one HTTP client: the audit webhook, `check --online`'s GitHub
//! question and, later, the bridge to remote servers all go through it, so
//! each gets the same rules without restating them.
//!
//! - **https and http**, over [`ureq`] (blocking, small, no async runtime).
//!   TLS is rustls with ring on Linux and Windows and the platform's own
//!   TLS on macOS (ring's C cannot be built for macOS on the Linux CI that
//!   lints that target). Certificates are checked by the platform verifier
//!   — the OS trust store, as `curl` used before: a company's own CA for an
//!   internal webhook is trusted where the OS trusts it, and a root the OS
//!   distrusts is not, without a bundle in mcpctl to keep up to date.
//! - **Bounded**: a connect timeout and a timeout for the whole exchange
//!   ([`Config`]); a response body read as text stops at a size cap.
//!   [`Response::into_reader`] streams a body instead, unbounded, for
//!   the caller to bound per message (server-sent events).
//! - **No redirects** unless a caller asks for them; a 3xx is then an
//!   answer like any other. Credentials never follow a redirect to another
//!   host (ureq's default).
//! - **Secrets stay put**: a URL with user information (`user:pass@`) is
//!   refused before any lookup — it would be sent as a password or handed
//!   to the name resolver; a request carrying a credential header is
//!   refused over plain http unless the host is loopback; and every error
//!   names the URL with its user information and query redacted
//!   ([`crate::plan::redact_url`]).
//! - Proxies come from `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and
//!   `NO_PROXY`, as with curl.

use std::io::Read;
use std::time::Duration;

use ureq::http::Uri;

use crate::store::Secret;

/// What every request of one [`Client`] is held to.
#[derive(Debug, Clone)]
pub struct Config {
    /// Connecting, TLS handshake included.
    pub connect_timeout: Duration,
    /// The whole exchange, from the lookup to the end of the response
    /// head, and of the body when it is read as text. `None` for a stream
    /// that may stay open ([`Response::into_reader`]).
    pub timeout: Option<Duration>,
    /// The largest body [`Response::text`] reads.
    pub body_limit: u64,
    /// How many redirects to follow; 0 (the default) returns a 3xx.
    pub redirects: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            connect_timeout: Duration::from_secs(5),
            timeout: Some(Duration::from_secs(15)),
            body_limit: 1024 * 1024,
            redirects: 0,
        }
    }
}

/// Why a request failed: no answer, or one the caller refuses. Names the
/// URL redacted.
#[derive(Debug, thiserror::Error)]
#[error("`{url}`: {reason}")]
pub struct HttpError {
    /// The URL, its user information and query redacted.
    pub url: String,
    pub reason: String,
}

impl HttpError {
    /// Why `url` (shown redacted) failed.
    pub fn new(url: &str, reason: impl Into<String>) -> HttpError {
        HttpError {
            url: crate::plan::redact_url(url),
            reason: reason.into(),
        }
    }

    /// From ureq's error, whose words may quote the URL: any quote of it
    /// is redacted too.
    fn from_ureq(url: &str, error: &ureq::Error) -> HttpError {
        let reason = match error {
            ureq::Error::BadUri(_) => "not a valid URL".to_owned(),
            ureq::Error::Timeout(_) => "no answer in time".to_owned(),
            ureq::Error::HostNotFound => "the host name does not resolve".to_owned(),
            ureq::Error::BodyExceedsLimit(limit) => {
                format!("the answer is larger than {limit} bytes")
            }
            other => other.to_string(),
        };
        let redacted = crate::plan::redact_url(url);
        HttpError::new(url, reason.replace(url, &redacted))
    }
}

/// A client: one connection pool, one [`Config`].
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    body_limit: u64,
}

impl Client {
    /// A client that trusts what the platform trusts.
    pub fn new(config: Config) -> Client {
        Client::with_roots(config, ureq::tls::RootCerts::PlatformVerifier)
    }

    /// A client that trusts only the certificate `der` (tests: a loopback
    /// server's self-signed certificate; not on macOS, where no test
    /// server is built).
    #[cfg(all(test, not(target_os = "macos")))]
    fn trusting_only(config: Config, der: &[u8]) -> Client {
        let root = ureq::tls::Certificate::from_der(der).to_owned();
        Client::with_roots(config, ureq::tls::RootCerts::new_with_certs(&[root]))
    }

    fn with_roots(config: Config, roots: ureq::tls::RootCerts) -> Client {
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots);
        #[cfg(target_os = "macos")]
        let tls = tls.provider(ureq::tls::TlsProvider::NativeTls);
        #[cfg(not(target_os = "macos"))]
        let tls = tls
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(std::sync::Arc::new(ring_provider()));
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(config.timeout)
            .max_redirects(config.redirects)
            .http_status_as_error(false)
            .user_agent(format!("mcpctl/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .new_agent();
        Client {
            agent,
            body_limit: config.body_limit,
        }
    }

    pub fn get(&self, url: &str) -> Request<'_> {
        self.request(ureq::http::Method::GET, url)
    }

    pub fn post(&self, url: &str) -> Request<'_> {
        self.request(ureq::http::Method::POST, url)
    }

    pub fn delete(&self, url: &str) -> Request<'_> {
        self.request(ureq::http::Method::DELETE, url)
    }

    fn request(&self, method: ureq::http::Method, url: &str) -> Request<'_> {
        Request {
            client: self,
            method,
            url: url.to_owned(),
            headers: Vec::new(),
            carries_secret: false,
        }
    }
}

/// One request being built; [`Request::send`] sends it.
pub struct Request<'c> {
    client: &'c Client,
    method: ureq::http::Method,
    url: String,
    headers: Vec<(String, String)>,
    carries_secret: bool,
}

impl Request<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Header `name` holding a credential's value (the whole value, scheme
    /// included); the request is then refused over plain http to anything
    /// but loopback.
    pub fn secret_header(mut self, name: &str, value: &Secret) -> Self {
        self.headers
            .push((name.to_owned(), value.expose().to_owned()));
        self.carries_secret = true;
        self
    }

    /// `Authorization: Bearer <token>`; the request is then refused over
    /// plain http to anything but loopback.
    pub fn bearer(mut self, token: &Secret) -> Self {
        self.headers.push((
            "Authorization".to_owned(),
            format!("Bearer {}", token.expose()),
        ));
        self.carries_secret = true;
        self
    }

    /// Sends the request without a body.
    pub fn call(self) -> Result<Response, HttpError> {
        self.send_with(())
    }

    /// Sends `body` as `content_type`.
    pub fn send(self, content_type: &'static str, body: &[u8]) -> Result<Response, HttpError> {
        self.header("Content-Type", content_type).send_with(body)
    }

    /// Sends the request and returns the answer, whatever its status.
    fn send_with(self, body: impl ureq::AsSendBody) -> Result<Response, HttpError> {
        let url = self.url;
        let uri = check_url(&url, self.carries_secret)?;
        let mut request = ureq::http::Request::builder().method(self.method).uri(uri);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let request = request
            .body(body)
            .map_err(|_| HttpError::new(&url, "a header is not valid"))?;
        let response = self
            .client
            .agent
            .run(request)
            .map_err(|err| HttpError::from_ureq(&url, &err))?;
        Ok(Response {
            url,
            limit: self.client.body_limit,
            inner: response,
        })
    }
}

/// An answer: its status and headers are read; its body is read as text
/// (capped) or streamed.
pub struct Response {
    url: String,
    limit: u64,
    inner: ureq::http::Response<ureq::Body>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    /// The status with its reason, as a status line shows it (`404 Not
    /// Found`).
    pub fn status_line(&self) -> String {
        let status = self.inner.status();
        match status.canonical_reason() {
            Some(reason) => format!("{} {reason}", status.as_u16()),
            None => status.as_u16().to_string(),
        }
    }

    /// The first value of header `name` (any case), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name)?.to_str().ok()
    }

    /// The body as text, refused past the client's size cap.
    pub fn text(mut self) -> Result<String, HttpError> {
        self.inner
            .body_mut()
            .with_config()
            .limit(self.limit)
            .read_to_string()
            .map_err(|err| HttpError::from_ureq(&self.url, &err))
    }

    /// The body as a stream, read as it arrives and not capped: the
    /// caller bounds what it keeps (one event of a server-sent stream).
    pub fn into_reader(self) -> impl Read + Send + 'static {
        self.inner.into_body().into_reader()
    }
}

/// rustls's ring provider. rustls deprecates it for lacking post-quantum
/// key exchange; aws-lc-rs, which has it, is a C build several times
/// larger (minutes against seconds here) that cannot be built for the
/// macOS target either (docs/development.md, HTTP).
#[cfg(not(target_os = "macos"))]
#[expect(
    deprecated,
    reason = "ring lacks only post-quantum key exchange; see above"
)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// Whether a credential may be sent to `url` at all (what every request
/// carrying one checks): refused for plain http off this machine, and for
/// what is no http(s) URL; named redacted.
pub fn check_secret_url(url: &str) -> Result<(), HttpError> {
    check_url(url, true).map(|_| ())
}

/// The parsed URL; refuses, before any lookup, one that is not http(s),
/// one with user information, and plain http carrying a secret off this
/// machine.
fn check_url(url: &str, carries_secret: bool) -> Result<Uri, HttpError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| HttpError::new(url, "not a valid URL"))?;
    let scheme = uri.scheme_str().unwrap_or("");
    if scheme != "http" && scheme != "https" {
        return Err(HttpError::new(
            url,
            "only http:// and https:// URLs are supported",
        ));
    }
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
    if authority.contains('@') {
        return Err(HttpError::new(
            url,
            "a URL with user information is not supported",
        ));
    }
    if scheme == "http" && carries_secret && !is_loopback(uri.host().unwrap_or("")) {
        return Err(HttpError::new(
            url,
            "a credential is sent over https only (plain http only to this machine)",
        ));
    }
    Ok(uri)
}

/// `localhost`, 127.0.0.0/8 or `::1`: a host whose traffic never leaves
/// the machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
