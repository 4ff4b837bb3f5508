//! A secret value in memory.
//!
//! [`Secret`] is the only type that ever holds a credential's value. It has
//! no `Display`, no `Serialize`, and its `Debug` prints a placeholder, so a
//! value cannot reach output, state, the audit trail or a log by accident: a
//! caller has to write `.expose()` at the one place the value is really
//! needed (handing it to the store or to a server's environment). The
//! buffer is zeroized when the secret is dropped.

use std::fmt;

use zeroize::Zeroizing;

pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    /// The value itself. Call only where the value must leave mcpctl's hands.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes, for size checks and redacted descriptions.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("canary-value-123".to_owned());
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("canary"), "{shown}");
        assert_eq!(secret.expose(), "canary-value-123");
    }
}
