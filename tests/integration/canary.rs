//! Secrets never leak: after plan, apply and exec with a canary value, the
//! value is in no file under the sandbox and in no output — only in the
//! store and in the server's own environment.

use crate::apply_loop::MANIFEST;
use crate::support::{Sandbox, canary, secret_service, text};

#[test]
fn canary_appears_in_no_file_and_no_output() {
    if !secret_service("canary_appears_in_no_file_and_no_output") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let secret = canary("leak");
    let mut outputs = vec![
        sandbox
            .mcpctl()
            .args(["plan", "-f"])
            .arg(&manifest)
            .output()
            .unwrap(),
        sandbox
            .mcpctl()
            .args(["plan", "--json", "-f"])
            .arg(&manifest)
            .output()
            .unwrap(),
        sandbox
            .mcpctl()
            .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
            .arg(&manifest)
            .env("GITHUB_TOKEN", &secret)
            .output()
            .unwrap(),
        sandbox
            .mcpctl()
            .args(["plan", "-f"])
            .arg(&manifest)
            .output()
            .unwrap(),
    ];
    // exec hands the value to the server, which proves receipt by its
    // length only, so the value itself appears nowhere.
    let exec = sandbox
        .mcpctl()
        .args([
            "exec",
            "--server",
            "github",
            "--env",
            "GH=GITHUB_TOKEN",
            "--",
        ])
        .args(["sh", "-c", "printf '%s' \"${#GH}\""])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        secret.len().to_string()
    );
    outputs.push(exec);
    // A failing exec must not echo it either.
    outputs.push(
        sandbox
            .mcpctl()
            .args([
                "exec",
                "--server",
                "x",
                "--env",
                "A=GITHUB_TOKEN",
                "--",
                "/nonexistent/server",
            ])
            .output()
            .unwrap(),
    );

    for output in &outputs {
        let (stdout, stderr) = text(output);
        assert!(
            !stdout.contains(&secret),
            "stdout leaked the secret:\n{stdout}"
        );
        assert!(
            !stderr.contains(&secret),
            "stderr leaked the secret:\n{stderr}"
        );
    }
    let files = sandbox.all_files();
    assert!(
        files.iter().any(|f| f.ends_with("audit.jsonl")),
        "the audit trail should exist: {files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with("state.json")));
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "`{}` contains the secret", file.display());
    }
}
