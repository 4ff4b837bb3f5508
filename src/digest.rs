//! The one way mcpctl names content by its hash: sha256 in lower-case hex.
//! Stored digests (plans, state, the audit chain) carry a `sha256:` prefix,
//! so a record says which algorithm made it and another could sit beside
//! it later.

use sha2::{Digest, Sha256};

/// `sha256:` followed by the lower-case hex sha256 of `bytes`: the form
/// every stored digest takes.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// The lower-case hex sha256 of `bytes`, without a prefix (for names
/// derived from a hash).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn digests_are_prefixed_lower_case_hex() {
        assert_eq!(
            super::sha256(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::sha256_hex(b"")[..8], *"e3b0c442");
    }
}
