//! What is not a secret although it is shaped like one: references,
//! filler and the words documentation writes in examples.

/// Words that mark a value as an example rather than a credential.
pub(super) const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "example",
    "placeholder",
    "changeme",
    "redacted",
    "dummy",
    "fake",
    "replace",
    "insert",
    "here",
];

/// Whether a would-be secret is a placeholder as documentation writes them:
/// a reference or filler ([`is_reference_or_filler`]), a word naming what
/// belongs there (`password`, `token`), or a value holding a word such as
/// `your`, `example` or `fake`.
pub fn is_placeholder(body: &str) -> bool {
    if is_reference_or_filler(body) {
        return true;
    }
    let lower = body.trim().to_ascii_lowercase();
    // Whole values that only name what belongs there.
    if matches!(
        lower.as_str(),
        "password"
            | "passwd"
            | "pass"
            | "pw"
            | "pwd"
            | "secret"
            | "token"
            | "key"
            | "apikey"
            | "api_key"
            | "changeit"
    ) {
        return true;
    }
    PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether a would-be secret is plainly no value at all: empty, a
/// reference to a value kept elsewhere, or one character repeated.
pub fn is_reference_or_filler(body: &str) -> bool {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return true;
    }
    // References to a value kept elsewhere: ${VAR}, $VAR, {{var}}, <token>,
    // %(var)s.
    if trimmed.starts_with('$')
        || trimmed.contains("${")
        || trimmed.contains("{{")
        || (trimmed.starts_with('<') && trimmed.ends_with('>'))
        || (trimmed.starts_with('{') && trimmed.ends_with('}'))
        || trimmed.contains('…')
        || trimmed.starts_with("%(")
    {
        return true;
    }
    // Filler: xxxx, XXXX, ****, ....
    let mut chars = trimmed.chars();
    let first = chars.next().unwrap_or('x');
    matches!(first, 'x' | 'X' | '*' | '.' | '•') && chars.all(|c| c == first)
}
