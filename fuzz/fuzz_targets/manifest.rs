//! The manifest parser and validator never panic, whatever the bytes, and
//! a manifest that parses once parses the same way again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = mcpctl::manifest::parse("mcpctl.kdl", text);
    let second = mcpctl::manifest::parse("mcpctl.kdl", text);
    assert_eq!(first.is_ok(), second.is_ok());
    if let (Ok(a), Ok(b)) = (first, second) {
        assert_eq!(a, b);
    }
});
