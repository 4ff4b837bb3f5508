//! The security model backs each claim with a named test
//! (`` (test: `hostile::…`) ``); a claim whose test was renamed or removed
//! would silently stop being backed. This test reads every backticked
//! `module::name` path in `docs/security-model.md` and fails when it names
//! no test function (or test module) of this repository.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The backticked `a::b::c` paths of `text`: lower-case Rust paths only, so
/// type names (`store::Secret`) and calls (`plan::desired()`) are not taken
/// for test names.
fn test_paths(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            span.contains("::")
                && span
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
        })
        .collect()
}

#[test]
fn every_test_the_security_model_names_exists() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = fs_err::read_to_string(repo.join("docs/security-model.md")).unwrap();
    let mut files = Vec::new();
    rust_files(&repo.join("src"), &mut files);
    rust_files(&repo.join("tests"), &mut files);
    let sources: Vec<String> = files
        .iter()
        .map(|file| fs_err::read_to_string(file).unwrap())
        .collect();

    let named = test_paths(&model);
    assert!(
        named.len() >= 20,
        "expected the security model to name its tests; found {named:?}"
    );
    let missing: Vec<&str> = named
        .iter()
        .copied()
        .filter(|path| {
            let last = path.rsplit("::").next().unwrap();
            let as_fn = format!("fn {last}(");
            let as_mod = format!("mod {last}");
            !sources
                .iter()
                .any(|source| source.contains(&as_fn) || source.contains(&as_mod))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/security-model.md names tests that do not exist (renamed or removed?): {missing:?}"
    );
}
