//! Edits of JSON documents round-trip: the result parses, holds exactly
//! the edited entry, and keeps every other byte (see edit_oracle.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/integration/edit_oracle.rs"]
#[allow(dead_code)]
mod edit_oracle;

fuzz_target!(|data: &[u8]| {
    if let Some(case) = edit_oracle::decode(data, edit_oracle::Target::Json) {
        edit_oracle::run_case(&case);
    }
});
