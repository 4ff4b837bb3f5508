//! env-ref delivery end to end: the entry references a variable, the shell
//! profile block mcpctl manages exports it from the store at shell start,
//! no file ever holds the value, and the block goes away with the manifest
//! line.

use crate::support::{Sandbox, canary, secret_service, text};

fn manifest(shells: &str) -> String {
    format!(
        r#"mcpctl version=1
client claude-code delivery=env-ref
{shells}
credential GITHUB_TOKEN {{ kind personal-access-token; provider github; }}
server github {{
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}}
"#
    )
}

#[test]
fn the_profile_block_exports_the_credential_and_no_file_holds_it() {
    let test = "the_profile_block_exports_the_credential_and_no_file_holds_it";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let zshrc = sandbox.home().join(".zshrc");
    let bashrc = sandbox.home().join(".bashrc");
    let original = "# my zshrc\nexport EDITOR=vim\nalias gs='git status'\n";
    fs_err::write(&zshrc, original).unwrap();
    let path = sandbox.manifest(&manifest("shell-profile zsh bash fish powershell"));
    let token = format!("{}-'quoted' $(not run) \"x\"", canary("envref"));

    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&path)
        .env("GITHUB_TOKEN", &token)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("zsh profile: ~/.zshrc"), "{stdout}");
    assert!(stdout.contains("mcpctl block will be created"), "{stdout}");

    let claude: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    assert_eq!(
        claude["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "${GITHUB_TOKEN}"
    );
    let zsh_text = fs_err::read_to_string(&zshrc).unwrap();
    assert!(zsh_text.starts_with(original), "{zsh_text}");
    assert!(zsh_text.contains("env --shell zsh -f"), "{zsh_text}");
    for file in [
        sandbox.root().join("config/fish/conf.d/mcpctl.fish"),
        sandbox
            .root()
            .join("config/powershell/Microsoft.PowerShell_profile.ps1"),
        bashrc.clone(),
    ] {
        assert!(file.exists(), "{}", file.display());
    }
    for file in sandbox.all_files() {
        let bytes = fs_err::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&canary("envref")),
            "{} holds the secret",
            file.display()
        );
    }

    // A shell started with the profile has the value, exactly.
    let shown = sandbox
        .program("bash")
        .args(["-c", "source ~/.bashrc; printf %s \"$GITHUB_TOKEN\""])
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let (out, err) = text(&shown);
    assert_eq!(out, token, "{err}");
    let exports = sandbox
        .mcpctl()
        .args(["env", "--shell", "fish", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&exports);
    assert!(exports.status.success(), "{err}");
    assert_eq!(
        out,
        format!("set -gx GITHUB_TOKEN '{}'\n", token.replace('\'', "\\'"))
    );

    let again = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}{err}");

    // Dropping the line removes the blocks and keeps the rest.
    fs_err::write(&path, manifest("")).unwrap();
    let removed = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&removed);
    assert!(removed.status.success(), "{out}{err}");
    assert!(out.contains("mcpctl block will be deleted"), "{out}");
    assert_eq!(fs_err::read_to_string(&zshrc).unwrap(), original);
    assert!(!fs_err::read_to_string(&bashrc).unwrap().contains("mcpctl"));
}
