//! The client against servers on loopback: plain http, and https with a
//! certificate made here and trusted through a test-only root.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use super::*;

/// Serves one connection on a fresh loopback port: reads the request head
/// (and a body of its `Content-Length`), sends it down the channel, then
/// lets `answer` write the response. Returns the port.
fn serve_once(
    answer: impl FnOnce(&mut dyn Write) + Send + 'static,
) -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let request = read_request(&mut stream);
        let _ = tx.send(request);
        answer(&mut stream);
    });
    (port, rx)
}

fn read_request(stream: &mut dyn Read) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    head + "\r\n" + &String::from_utf8(body).unwrap()
}

fn client() -> Client {
    Client::new(Config {
        timeout: Some(Duration::from_secs(10)),
        ..Config::default()
    })
}

#[test]
fn a_post_over_http_reaches_the_server_and_reads_its_answer() {
    let (port, requests) = serve_once(|out| {
        out.write_all(b"HTTP/1.1 201 Created\r\nX-Answer: yes\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .unwrap();
    });
    let response = client()
        .post(&format!("http://127.0.0.1:{port}/hook"))
        .send("application/json", b"{\"a\":1}")
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.status_line(), "201 Created");
    assert_eq!(response.header("x-answer"), Some("yes"));
    assert_eq!(response.text().unwrap(), "ok");
    let request = requests.recv().unwrap();
    assert!(request.starts_with("POST /hook HTTP/1.1\r\n"), "{request}");
    let lower = request.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: application/json"),
        "{request}"
    );
    assert!(lower.contains("user-agent: mcpctl/"), "{request}");
    assert!(request.ends_with("\r\n\r\n{\"a\":1}"), "{request}");
}

#[test]
fn a_redirect_is_an_answer_not_followed() {
    let (port, _requests) = serve_once(|out| {
        out.write_all(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
    });
    let response = client()
        .get(&format!("http://127.0.0.1:{port}/"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.header("location"),
        Some("http://127.0.0.1:9/elsewhere")
    );
}

#[test]
fn a_body_past_the_cap_is_refused_but_a_stream_is_not_capped() {
    let big = "x".repeat(4096);
    let answer = move |out: &mut dyn Write| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            big.len()
        );
        out.write_all(head.as_bytes()).unwrap();
        out.write_all(big.as_bytes()).unwrap();
    };
    let small = Client::new(Config {
        body_limit: 1024,
        ..Config::default()
    });
    let (port, _requests) = serve_once(answer.clone());
    let err = small
        .get(&format!("http://127.0.0.1:{port}/"))
        .call()
        .unwrap()
        .text()
        .unwrap_err();
    assert!(err.to_string().contains("larger than 1024 bytes"), "{err}");

    let (port, _requests) = serve_once(answer);
    let mut streamed = String::new();
    small
        .get(&format!("http://127.0.0.1:{port}/"))
        .call()
        .unwrap()
        .into_reader()
        .read_to_string(&mut streamed)
        .unwrap();
    assert_eq!(streamed.len(), 4096);
}

/// A stream is read as it arrives: the first event is in hand while the
/// server still holds the rest back.
#[test]
fn a_streamed_body_is_read_as_it_arrives() {
    let (go_on, wait) = mpsc::channel::<()>();
    let (port, _requests) = serve_once(move |out| {
        out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            .unwrap();
        out.write_all(b"f\r\ndata: first\r\n\r\n\r\n").unwrap();
        out.flush().unwrap();
        wait.recv().unwrap();
        out.write_all(b"10\r\ndata: second\r\n\r\n\r\n0\r\n\r\n")
            .unwrap();
    });
    let streaming = Client::new(Config {
        timeout: None,
        ..Config::default()
    });
    let response = streaming
        .get(&format!("http://127.0.0.1:{port}/events"))
        .call()
        .unwrap();
    let mut events = BufReader::new(response.into_reader());
    let mut line = String::new();
    events.read_line(&mut line).unwrap();
    assert_eq!(line, "data: first\r\n");
    go_on.send(()).unwrap();
    let mut rest = String::new();
    events.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "\r\ndata: second\r\n\r\n");
}

#[test]
fn a_silent_server_times_out() {
    let (port, _requests) = serve_once(|_| std::thread::sleep(Duration::from_secs(3)));
    let impatient = Client::new(Config {
        timeout: Some(Duration::from_millis(300)),
        ..Config::default()
    });
    let err = impatient
        .get(&format!("http://127.0.0.1:{port}/"))
        .call()
        .err()
        .expect("no answer");
    assert!(err.to_string().contains("no answer in time"), "{err}");
}

#[test]
fn errors_name_the_url_without_its_secrets() {
    // Nothing listens on port 1 of loopback.
    let err = client()
        .post("http://127.0.0.1:1/hook?key=s3cret-key")
        .send("application/json", b"{}")
        .err()
        .expect("refused");
    let shown = err.to_string();
    assert!(
        shown.starts_with("`http://127.0.0.1:1/hook?<redacted>`: "),
        "{shown}"
    );
    assert!(!shown.contains("s3cret"), "{shown}");

    // Refused before any lookup: user information, another scheme, and a
    // credential over plain http off this machine.
    let token = Secret::new("tok3n-value".to_owned());
    for (url, why) in [
        ("http://ada:pw@127.0.0.1:1/", "user information"),
        ("ftp://127.0.0.1/x", "only http:// and https://"),
        ("http://api.example.invalid/user?t=x", "over https only"),
    ] {
        let err = client().get(url).bearer(&token).call().err().expect(url);
        let shown = err.to_string();
        assert!(shown.contains(why), "{url}: {shown}");
        assert!(!shown.contains("pw@") && !shown.contains("t=x"), "{shown}");
        assert!(!shown.contains("tok3n"), "{shown}");
    }
}

#[test]
fn loopback_hosts_are_named_or_numbered() {
    for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.1", "[::1]"] {
        assert!(is_loopback(host), "{host}");
    }
    for host in ["example.com", "10.0.0.1", "localhost.example.com", "[::2]"] {
        assert!(!is_loopback(host), "{host}");
    }
}

/// https against a loopback server whose certificate this test made:
/// trusted through a test-only root, and refused by the platform's
/// verifier, which has never heard of it. (Not on macOS: the server side
/// uses rustls with ring, which is not built there; see Cargo.toml.)
#[cfg(not(target_os = "macos"))]
#[test]
fn https_is_verified_against_the_trusted_roots() {
    use std::sync::Arc;

    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
    let cert_der = certified.cert.der().clone();
    let key_der =
        rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let server_config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(super::ring_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert_der.clone()], key_der)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, requests) = mpsc::channel();
    std::thread::spawn(move || {
        // Two connections: the trusting client's, then the platform's.
        for stream in listener.incoming().take(2) {
            let connection = rustls::ServerConnection::new(server_config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, stream.unwrap());
            let mut head = [0u8; 1024];
            let Ok(n) = tls.read(&mut head) else {
                continue; // the handshake the platform verifier refused
            };
            let _ = tx.send(String::from_utf8_lossy(&head[..n]).into_owned());
            let _ = tls.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    let url = format!("https://localhost:{port}/user?token=abc");
    let token = Secret::new("tok3n-value".to_owned());

    let trusting = Client::trusting_only(Config::default(), cert_der.as_ref());
    let response = trusting.get(&url).bearer(&token).call().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "hello");
    let request = requests.recv().unwrap();
    assert!(
        request.starts_with("GET /user?token=abc HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(request.contains("Bearer tok3n-value"), "{request}");

    let err = client().get(&url).call().err().expect("an unknown issuer");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("`https://localhost:{port}/user?<redacted>`: ")),
        "{shown}"
    );
    assert!(
        shown.to_ascii_lowercase().contains("certificate"),
        "{shown}"
    );
}
