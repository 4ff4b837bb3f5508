//! The message loop against a scripted server (the real one, over HTTP, is
//! in the integration tests: `tests/integration/bridge.rs`).

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::upstream::{Answer, Exchange, Method, Upstream};
use super::{Bridge, Config, ReadHeaders};
use crate::store::Secret;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    /// Another URL than the endpoint's.
    url: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Script = dyn Fn(&Seen) -> Result<Answer, String> + Send + Sync;

struct Scripted {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Box<Script>,
}

impl Upstream for Scripted {
    fn exchange(&self, exchange: Exchange<'_>) -> Result<Answer, String> {
        let mut headers = exchange.headers.to_vec();
        headers.extend(
            exchange
                .secret_headers
                .iter()
                .map(|(n, v)| (n.clone(), v.expose().to_owned())),
        );
        let seen = Seen {
            method: exchange.method,
            url: exchange.url.map(str::to_owned),
            headers,
            body: exchange
                .body
                .map(|b| String::from_utf8(b.to_vec()).unwrap()),
        };
        self.seen.lock().unwrap().push(seen.clone());
        (self.script)(&seen)
    }
}

fn answer(status: u16, content_type: Option<&str>, session: Option<&str>, body: &str) -> Answer {
    Answer {
        status,
        content_type: content_type.map(str::to_owned),
        session: session.map(str::to_owned),
        body: Box::new(Cursor::new(body.as_bytes().to_vec())),
    }
}

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a run left: stdout's lines, stderr's lines, the requests.
struct Run {
    out: Vec<String>,
    warnings: Vec<String>,
    seen: Vec<Seen>,
}

fn bridged(input: &str, mut read_headers: ReadHeaders, script: Box<Script>) -> Run {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let out = Sink::default();
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let warned = Arc::clone(&warnings);
    let bridge = Bridge::start(
        Config {
            server: "docs".into(),
            url: "https://mcp.example.com/mcp".into(),
            literal_headers: vec![("X-Team".into(), "platform".into())],
            credentials: vec!["DOCS_TOKEN".into()],
        },
        Box::new(Scripted {
            seen: Arc::clone(&seen),
            script,
        }),
        read_headers().unwrap(),
        read_headers,
        Box::new(out.clone()),
        Box::new(move |line: &str| warned.lock().unwrap().push(line.to_owned())),
    );
    bridge.run(Cursor::new(input.as_bytes().to_vec()));
    let out = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let warnings = warnings.lock().unwrap().clone();
    let seen = seen.lock().unwrap().clone();
    Run {
        out: out.lines().map(str::to_owned).collect(),
        warnings,
        seen,
    }
}

/// Header reads returning each of `values` in turn (the last one again
/// when they run out), counting the reads.
fn tokens(values: &[&str]) -> (ReadHeaders, Arc<Mutex<usize>>) {
    let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    let reads = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&reads);
    let read = move || {
        let mut reads = counted.lock().unwrap();
        let value = values[(*reads).min(values.len() - 1)].clone();
        *reads += 1;
        Ok(vec![(
            "Authorization".to_owned(),
            Secret::new(format!("Bearer {value}")),
        )])
    };
    (Box::new(read), reads)
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"},"x-future":[1,2]}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
const LIST: &str = r#"{"jsonrpc":"2.0","id":"two","method":"tools/list"}"#;

#[test]
fn messages_pass_byte_for_byte_within_one_session() {
    let input = format!("{INITIALIZE}\r\n\n{INITIALIZED}\n{LIST}\n");
    let (read, reads) = tokens(&["canary-1"]);
    let run = bridged(
        &input,
        read,
        Box::new(|seen| {
            Ok(match (seen.method, seen.body.as_deref()) {
                (Method::Post, Some(body)) if body.contains("\"initialize\"") => answer(
                    200,
                    Some("application/json"),
                    Some("s-1"),
                    "{\"jsonrpc\": \"2.0\", \"id\": 1,\n \"result\": {\"protocolVersion\": \"2025-03-26\", \"new\": {}}}",
                ),
                (Method::Post, Some(body)) if body.contains("initialized") => {
                    answer(202, None, None, "")
                }
                (Method::Post, Some(_)) => answer(
                    200,
                    Some("text/event-stream"),
                    None,
                    "id: p\ndata: \n\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"two\",\"result\":{\"tools\":[]}}\n\n",
                ),
                (Method::Get, _) => answer(405, None, None, ""),
                (Method::Delete, _) => answer(200, None, None, ""),
                other => panic!("{other:?}"),
            })
        }),
    );
    assert_eq!(
        run.out,
        [
            "{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": {\"protocolVersion\": \"2025-03-26\", \"new\": {}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"result\":{\"tools\":[]}}",
        ]
    );
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
    assert_eq!(*reads.lock().unwrap(), 1);
    // The client's bytes went out untouched, with the credential, the
    // literal header, and after `initialize` the session and version.
    assert_eq!(run.seen[0].body.as_deref(), Some(INITIALIZE));
    assert_eq!(run.seen[0].header("Mcp-Session-Id"), None);
    for seen in &run.seen {
        assert_eq!(seen.header("Authorization"), Some("Bearer canary-1"));
        assert_eq!(seen.header("X-Team"), Some("platform"));
    }
    for seen in &run.seen[1..] {
        assert_eq!(seen.header("Mcp-Session-Id"), Some("s-1"), "{seen:?}");
        assert_eq!(seen.header("MCP-Protocol-Version"), Some("2025-03-26"));
    }
    let posted = run.seen.iter().filter(|s| s.method == Method::Post);
    assert_eq!(
        posted
            .map(|s| s.header("Accept").unwrap())
            .collect::<Vec<_>>(),
        ["application/json, text/event-stream"; 3]
    );
    assert!(run.seen.iter().any(|s| s.method == Method::Get));
    assert_eq!(run.seen.last().unwrap().method, Method::Delete);
}

/// A server that takes only `Bearer new`.
fn takes_only_new(seen: &Seen) -> Result<Answer, String> {
    if seen.header("Authorization") != Some("Bearer new") {
        return Ok(answer(
            401,
            Some("application/json"),
            None,
            r#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"bad token"},"id":null}"#,
        ));
    }
    Ok(answer(
        200,
        Some("application/json"),
        None,
        r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
    ))
}

#[test]
fn a_401_reads_the_credential_again_once() {
    let (read, reads) = tokens(&["old", "new"]);
    let run = bridged(&format!("{INITIALIZE}\n"), read, Box::new(takes_only_new));
    assert_eq!(run.out, [r#"{"jsonrpc":"2.0","id":1,"result":{}}"#]);
    assert_eq!(*reads.lock().unwrap(), 2);

    // Still refused after the second read: the request gets an error, and
    // nothing anywhere holds the value.
    let (read, reads) = tokens(&["old"]);
    let run = bridged(&format!("{INITIALIZE}\n"), read, Box::new(takes_only_new));
    assert_eq!(*reads.lock().unwrap(), 2);
    assert_eq!(run.out.len(), 1);
    let error: Value = serde_json::from_str(&run.out[0]).unwrap();
    assert_eq!(error["id"], json!(1));
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("refused credential `DOCS_TOKEN` (HTTP 401)"),
        "{message}"
    );
    assert!(message.contains("mcpctl rotate DOCS_TOKEN"), "{message}");
    assert_eq!(run.warnings, [message]);
    assert!(!run.out[0].contains("old") && !run.warnings[0].contains("old"));
}

#[test]
fn an_unreachable_server_answers_each_request_and_says_why() {
    let (read, _) = tokens(&["t"]);
    let run = bridged(
        &format!("{INITIALIZE}\nnot json\n{INITIALIZED}\n"),
        read,
        Box::new(|_| Err("connection refused".to_owned())),
    );
    let errors: Vec<Value> = run
        .out
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(errors[0]["id"], json!(1));
    assert_eq!(
        errors[0]["error"]["message"],
        "cannot reach `https://mcp.example.com/mcp`: connection refused"
    );
    assert_eq!(errors[1]["id"], Value::Null);
    // The notification has no one to answer: stderr only.
    assert_eq!(errors.len(), 2);
    assert_eq!(run.warnings.len(), 3, "{:?}", run.warnings);
}

#[test]
fn a_server_error_is_quoted_without_the_value() {
    let (read, _) = tokens(&["canary-9"]);
    let run = bridged(
        &format!("{INITIALIZE}\n"),
        read,
        Box::new(|_| {
            Ok(answer(
                400,
                Some("application/json"),
                None,
                r#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"bad header Bearer canary-9"},"id":null}"#,
            ))
        }),
    );
    assert_eq!(
        run.warnings,
        ["`https://mcp.example.com/mcp` answered HTTP 400: bad header Bearer <redacted>"]
    );
}

#[test]
fn an_endless_answer_is_an_error_not_a_growing_buffer() {
    for content_type in ["application/json", "text/event-stream"] {
        let (read, _) = tokens(&["t"]);
        let run = bridged(
            &format!("{INITIALIZE}\n"),
            read,
            Box::new(move |_| {
                Ok(Answer {
                    status: 200,
                    content_type: Some(content_type.to_owned()),
                    session: None,
                    body: Box::new(std::io::repeat(b' ')),
                })
            }),
        );
        assert_eq!(run.out.len(), 1, "{content_type}");
        let error: Value = serde_json::from_str(&run.out[0]).unwrap();
        assert_eq!(error["id"], json!(1));
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains("larger than 64 MiB"), "{message}");
    }
}

/// The older HTTP+SSE transport, after a 405 to the POST of `initialize`:
/// the stream's `endpoint` event names where messages go, answers come on
/// the stream — and a POST URL of another origin is refused, never asked.
#[test]
fn a_server_of_the_older_transport_is_spoken_to_on_its_own_origin_only() {
    let stream = |endpoint: &str| {
        format!(
            "event: endpoint\ndata: {endpoint}\n\nevent: message\ndata: {{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{{}}}}\n\n"
        )
    };
    let script = |endpoint: &'static str| -> Box<Script> {
        Box::new(move |seen: &Seen| {
            Ok(match (seen.method, seen.url.as_deref()) {
                (Method::Post, None) => answer(405, None, None, ""),
                (Method::Get, None) => {
                    answer(200, Some("text/event-stream"), None, &stream(endpoint))
                }
                (Method::Post, Some(_)) => answer(202, None, None, ""),
                other => panic!("{other:?}"),
            })
        })
    };

    let (read, _) = tokens(&["canary-legacy"]);
    let run = bridged(INITIALIZE, read, script("/messages?sessionId=s1"));
    assert_eq!(run.out, ["{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"]);
    let posted = &run.seen[2];
    assert_eq!(
        posted.url.as_deref(),
        Some("https://mcp.example.com/messages?sessionId=s1")
    );
    assert_eq!(posted.body.as_deref(), Some(INITIALIZE));
    for seen in &run.seen {
        assert_eq!(seen.header("Authorization"), Some("Bearer canary-legacy"));
    }

    let (read, _) = tokens(&["canary-legacy"]);
    let run = bridged(
        INITIALIZE,
        read,
        script("https://evil.example.com/messages"),
    );
    assert_eq!(run.seen.len(), 2, "{:?}", run.seen);
    assert!(run.seen.iter().all(|s| s.url.is_none()));
    let error: Value = serde_json::from_str(&run.out[0]).unwrap();
    assert_eq!(
        error["error"]["message"],
        "`https://mcp.example.com/mcp` named as its HTTP+SSE endpoint `https://evil.example.com/messages`, another origin than the server's: refused"
    );
    assert!(!run.out[0].contains("canary"));
}
