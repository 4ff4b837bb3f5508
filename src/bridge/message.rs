//! Looking at a JSON-RPC message without changing it.
//!
//! The bridge forwards every message as the bytes it got: re-serializing
//! could reorder or drop fields of a protocol version mcpctl does not know.
//! It only needs to *read* a few things — which requests await an answer
//! (so a failure can be answered in their name), whether a message answers
//! one, and the protocol version `initialize` agreed on — and it parses a
//! copy for that. The one change made to the bytes is dropping line
//! breaks, which in JSON can only be whitespace between tokens (a string
//! holds them escaped), because stdio frames messages by line.

use serde_json::Value;

/// What the bridge needs to know about one message (or batch).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Inspected {
    /// The ids of the requests in it: each expects an answer.
    pub requests: Vec<Value>,
    /// The ids of the responses in it.
    pub responses: Vec<Value>,
    /// The id of an `initialize` request in it.
    pub initialize: Option<Value>,
    /// `result.protocolVersion` of a response in it (the answer to
    /// `initialize`).
    pub protocol_version: Option<String>,
    /// Whether it holds the `notifications/initialized` notification.
    pub initialized: bool,
}

/// Reads `bytes` as a message or a batch; `None` when it is not JSON.
pub fn inspect(bytes: &[u8]) -> Option<Inspected> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let mut inspected = Inspected::default();
    match &value {
        Value::Array(batch) => batch.iter().for_each(|m| inspected.add(m)),
        single => inspected.add(single),
    }
    Some(inspected)
}

impl Inspected {
    fn add(&mut self, message: &Value) {
        let Some(message) = message.as_object() else {
            return;
        };
        let id = message.get("id").filter(|id| !id.is_null());
        match (message.get("method").and_then(Value::as_str), id) {
            (Some(method), Some(id)) => {
                if method == "initialize" {
                    self.initialize = Some(id.clone());
                }
                self.requests.push(id.clone());
            }
            (Some(method), None) => {
                self.initialized |= method == "notifications/initialized";
            }
            (None, Some(id)) => {
                self.responses.push(id.clone());
                if let Some(version) = message
                    .get("result")
                    .and_then(|r| r.get("protocolVersion"))
                    .and_then(Value::as_str)
                {
                    self.protocol_version = Some(version.to_owned());
                }
            }
            (None, None) => {}
        }
    }
}

/// `bytes` without line breaks, so that they are one stdio line.
pub fn one_line(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|b| *b != b'\n' && *b != b'\r')
        .collect()
}

/// A JSON-RPC error answering request `id` (`null` when unknown).
pub fn error_response(id: &Value, message: &str) -> Vec<u8> {
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": BRIDGE_ERROR, "message": message},
    });
    serde_json::to_vec(&error).expect("JSON serializes")
}

/// The JSON-RPC error code of the bridge's own errors (the range JSON-RPC
/// leaves to implementations).
pub const BRIDGE_ERROR: i64 = -32000;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_responses_and_the_agreed_version() {
        let init =
            inspect(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).unwrap();
        assert_eq!(init.requests, [json!(1)]);
        assert_eq!(init.initialize, Some(json!(1)));
        let answer = inspect(
            br#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#,
        )
        .unwrap();
        assert_eq!(answer.responses, [json!(1)]);
        assert_eq!(answer.protocol_version.as_deref(), Some("2025-06-18"));
        let batch = inspect(
            br#"[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"a","method":"tools/list"}]"#,
        )
        .unwrap();
        assert!(batch.initialized);
        assert_eq!(batch.requests, [json!("a")]);
        assert!(inspect(b"not json").is_none());
    }

    #[test]
    fn one_line_drops_only_line_breaks() {
        assert_eq!(
            one_line(b"{\r\n  \"a\": \"x\\ny\"\n}"),
            b"{  \"a\": \"x\\ny\"}".to_vec()
        );
    }

    #[test]
    fn errors_answer_the_request() {
        let error: Value = serde_json::from_slice(&error_response(&json!(7), "down")).unwrap();
        assert_eq!(
            error,
            json!({"jsonrpc": "2.0", "id": 7, "error": {"code": -32000, "message": "down"}})
        );
    }
}
