//! Server-sent events, as a Streamable HTTP server sends messages: each
//! `message` event's `data` is one JSON-RPC message. (A server of the older
//! HTTP+SSE transport sends an `endpoint` event first, read with
//! [`Events::next_event`]; see [`super::legacy`].)
//!
//! Read line by line from a streamed body, so a message is forwarded as
//! soon as its event ends, while the stream stays open for the next. Events
//! without data (a server's priming event, which only carries an `id` to
//! resume from) and events of another type are skipped; the last `id` seen
//! is kept for resuming (`Last-Event-ID`). One event, and one line, may
//! hold at most [`EVENT_LIMIT`] bytes, so a stream without blank lines or
//! line breaks cannot grow mcpctl's memory without end: it is an error.

use std::io::{BufRead, BufReader, Read};

/// The largest event read.
pub const EVENT_LIMIT: usize = 64 * 1024 * 1024;

/// The events of one stream.
pub struct Events<R> {
    reader: BufReader<R>,
    last_id: Option<String>,
}

impl<R: Read> Events<R> {
    pub fn new(body: R) -> Events<R> {
        Events {
            reader: BufReader::new(body),
            last_id: None,
        }
    }

    /// The id of the last event that had one.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The data of the next message event; `None` at the end of the
    /// stream (an event cut off by it is dropped, as the standard says).
    pub fn next_message(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        while let Some((kind, data)) = self.next_event()? {
            if kind == "message" {
                return Ok(Some(data));
            }
        }
        Ok(None)
    }

    /// The type (`message` unless the event names one) and data of the
    /// next event with data; `None` at the end of the stream.
    pub fn next_event(&mut self) -> std::io::Result<Option<(String, Vec<u8>)>> {
        let mut data: Vec<u8> = Vec::new();
        let mut has_data = false;
        let mut kind = String::from("message");
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = (&mut self.reader)
                .take((EVENT_LIMIT + 1) as u64)
                .read_until(b'\n', &mut line)?;
            if read == 0 {
                return Ok(None);
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            } else if read > EVENT_LIMIT {
                return Err(too_large());
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.is_empty() {
                if !data.is_empty() {
                    return Ok(Some((kind, data)));
                }
                data.clear();
                has_data = false;
                kind = String::from("message");
                continue;
            }
            let (field, value) = match line.iter().position(|b| *b == b':') {
                Some(0) => continue, // a comment
                Some(at) => {
                    let value = &line[at + 1..];
                    (&line[..at], value.strip_prefix(b" ").unwrap_or(value))
                }
                None => (&line[..], &b""[..]),
            };
            match field {
                b"data" => {
                    if has_data {
                        data.push(b'\n');
                    }
                    data.extend_from_slice(value);
                    has_data = true;
                    if data.len() > EVENT_LIMIT {
                        return Err(too_large());
                    }
                }
                b"event" => kind = String::from_utf8_lossy(value).into_owned(),
                b"id" if !value.contains(&0) => {
                    self.last_id = Some(String::from_utf8_lossy(value).into_owned());
                }
                _ => {}
            }
        }
    }
}

fn too_large() -> std::io::Error {
    std::io::Error::other(format!(
        "an event is larger than {} MiB",
        EVENT_LIMIT / 1024 / 1024
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(stream: &str) -> (Vec<String>, Option<String>) {
        let mut events = Events::new(stream.as_bytes());
        let mut out = Vec::new();
        while let Some(data) = events.next_message().unwrap() {
            out.push(String::from_utf8(data).unwrap());
        }
        (out, events.last_id().map(str::to_owned))
    }

    #[test]
    fn messages_in_order_skipping_priming_comments_and_other_events() {
        let stream = "id: 0\ndata: \n\n: keep-alive\n\nevent: message\nid: 1\ndata: {\"a\":1}\n\r\nevent: ping\ndata: x\n\ndata:{\"b\":\ndata: 2}\n\ndata: {\"cut\"";
        let (messages, last) = all(stream);
        assert_eq!(messages, ["{\"a\":1}", "{\"b\":\n2}"]);
        assert_eq!(last.as_deref(), Some("1"));
    }

    /// `pattern` again and again, without end.
    struct Endless(&'static [u8], usize);

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            for byte in buf.iter_mut() {
                *byte = self.0[self.1 % self.0.len()];
                self.1 += 1;
            }
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_line_or_event_is_an_error_not_a_growing_buffer() {
        for endless in [
            Endless(b"x", 0),
            Endless(
                b"data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
                0,
            ),
        ] {
            let err = Events::new(endless).next_message().unwrap_err();
            assert!(err.to_string().contains("larger than 64 MiB"), "{err}");
        }
    }
}
