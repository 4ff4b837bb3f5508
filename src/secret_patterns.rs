//! Placeholder until the detector lands: matches nothing yet.
pub struct SecretMatch {
    pub rule: &'static str,
    pub description: &'static str,
}
pub fn detect(_value: &str) -> Option<SecretMatch> {
    None
}
