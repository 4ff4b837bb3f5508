//! The README and the pages in `docs/` say what the code does: every
//! relative link resolves, the recorded plan is what `mcpctl plan` prints
//! today, the tour's manifest and client entry are the real ones, every
//! complete manifest example validates, and the team lead's CI gate is the
//! one `examples/ci` ships.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::{Sandbox, text};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every `.md` under `docs/`.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut stack = vec![repo().join("docs")];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `text` without fenced code blocks and inline code spans, which hold
/// examples rather than links. Lines are kept, so line numbers still count.
fn prose(text: &str) -> Vec<String> {
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                out.push(String::new());
                continue;
            }
            (Some(open), Some(m)) if open == m => {
                fence = None;
                out.push(String::new());
                continue;
            }
            (Some(_), _) => {
                out.push(String::new());
                continue;
            }
            (None, None) => {}
        }
        // Drop code spans: a run of n backticks up to the next run of n.
        let chars: Vec<char> = line.chars().collect();
        let mut kept = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '`' {
                let n = chars[i..].iter().take_while(|&&c| c == '`').count();
                let mut j = i + n;
                let mut closed = None;
                while j < chars.len() {
                    if chars[j] == '`' {
                        let m = chars[j..].iter().take_while(|&&c| c == '`').count();
                        if m == n {
                            closed = Some(j + m);
                            break;
                        }
                        j += m;
                    } else {
                        j += 1;
                    }
                }
                match closed {
                    Some(end) => {
                        kept.push_str("code");
                        i = end;
                    }
                    None => {
                        kept.extend(&chars[i..i + n]);
                        i += n;
                    }
                }
            } else {
                kept.push(chars[i]);
                i += 1;
            }
        }
        out.push(kept);
    }
    out
}

/// The targets of inline links and images (`[text](target "title")`) and of
/// reference definitions (`[name]: target`), with their line numbers.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut targets = Vec::new();
    for (number, line) in prose(text).iter().enumerate() {
        let number = number + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with('[')
            && let Some(close) = trimmed.find("]:")
        {
            let target = trimmed[close + 2..].split_whitespace().next().unwrap_or("");
            let target = target.trim_start_matches('<').trim_end_matches('>');
            targets.push((number, target.to_owned()));
            continue;
        }
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let mut depth = 0;
            let end = rest
                .char_indices()
                .find(|&(_, c)| match c {
                    '(' => {
                        depth += 1;
                        false
                    }
                    ')' if depth == 0 => true,
                    ')' => {
                        depth -= 1;
                        false
                    }
                    _ => false,
                })
                .map_or(rest.len(), |(i, _)| i);
            let target = rest[..end].trim();
            let target = target.split_whitespace().next().unwrap_or("");
            let target = target.trim_start_matches('<').trim_end_matches('>');
            targets.push((number, target.to_owned()));
            rest = &rest[end..];
        }
    }
    targets
}

/// The anchors GitHub gives the headings of a Markdown file: lower case,
/// punctuation dropped, spaces as hyphens, `-1`, `-2` … for repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let count = seen.entry(slug.clone()).or_insert(0);
        out.push(if *count == 0 {
            slug.clone()
        } else {
            format!("{slug}-{count}")
        });
        *count += 1;
    }
    out
}

#[test]
fn the_anchor_rules_are_githubs() {
    let text = "# Title\n## 2. See what would change: `mcpctl plan`\n```\n# not a heading\n```\n## exec or env-ref: the trade-off\n## Title\n";
    assert_eq!(
        anchors(text),
        [
            "title",
            "2-see-what-would-change-mcpctl-plan",
            "exec-or-env-ref-the-trade-off",
            "title-1"
        ]
    );
    let links = link_targets(
        "See [a](docs/a.md#x) and `[not](a link)`, ![img](p.svg \"t\").\n```\n[no](link.md)\n```\n[ref]: <b.md>\n",
    );
    let links: Vec<&str> = links.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(links, ["docs/a.md#x", "p.svg", "b.md"]);
}

/// A page moved or a heading renamed would leave links pointing nowhere:
/// every relative link of README.md and `docs/**/*.md` must name a file of
/// this repository, and its `#anchor` a heading of that file.
#[test]
fn every_relative_link_in_the_docs_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = fs_err::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(repo()).unwrap().display().to_string();
        for (line, target) in link_targets(&text) {
            if target.is_empty() {
                broken.push(format!("{shown}:{line}: an empty link"));
                continue;
            }
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            if !resolved.exists() {
                broken.push(format!("{shown}:{line}: `{target}`: no such file"));
                continue;
            }
            if let Some(anchor) = anchor
                && resolved.extension().is_some_and(|ext| ext == "md")
            {
                let target_text = fs_err::read_to_string(&resolved).unwrap();
                if !anchors(&target_text).iter().any(|a| a == anchor) {
                    broken.push(format!(
                        "{shown}:{line}: `{target}`: no heading with the anchor `#{anchor}`"
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 50,
        "expected the docs to link each other; found {checked} relative links"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The README's KDL block, and the JSON block of its tour.
fn readme_block(lang: &str) -> String {
    let readme = fs_err::read_to_string(repo().join("README.md")).unwrap();
    let open = format!("```{lang}\n");
    let start = readme
        .find(&open)
        .unwrap_or_else(|| panic!("README.md has no ```{lang} block"))
        + open.len();
    let end = readme[start..].find("```").unwrap() + start;
    readme[start..end].to_owned()
}

/// The tour's manifest is an excerpt of the bundled example, line for line.
#[test]
fn the_tour_manifest_is_from_the_team_example() {
    let example = fs_err::read_to_string(repo().join("examples/team/mcpctl.kdl")).unwrap();
    let lines: Vec<&str> = example.lines().map(str::trim).collect();
    let excerpt = readme_block("kdl");
    let missing: Vec<&str> = excerpt
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !lines.contains(line))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's tour shows lines that `examples/team/mcpctl.kdl` does not have: {missing:?}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// The tour's `~/.claude.json` entry is what `mcpctl apply` writes for the
/// bundled example, with mcpctl at `~/.cargo/bin`, home `/home/me` and this
/// checkout at `/home/me/mcpctl` (as `scripts/record-plan` shows them), and
/// it holds no value.
#[test]
fn the_tour_entry_is_what_apply_writes() {
    if !crate::support::secret_service("readme::the_tour_entry_is_what_apply_writes") {
        return;
    }
    let sandbox = Sandbox::new();
    let canary = crate::support::canary("tour");
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(repo().join("examples/team/mcpctl.kdl"))
        .env("GITHUB_TOKEN", &canary)
        .env("AZURE_DEVOPS_PAT", &canary)
        .env("SLACK_TOKEN", &canary)
        .env("DATABASE_URL", &canary)
        .env("SENTRY_AUTH_TOKEN", &canary)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    let written = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(!written.contains(&canary), "{written}");
    let written: serde_json::Value = serde_json::from_str(&written).unwrap();
    let mut entry = written["mcpServers"]["github"].clone();
    let launcher = entry["command"].as_str().unwrap().to_owned();
    assert_eq!(
        Path::new(&launcher).canonicalize().unwrap(),
        crate::support::mcpctl_bin().canonicalize().unwrap()
    );
    entry["command"] = "/home/me/.cargo/bin/mcpctl".into();
    let example = repo().join("examples/team/mcpctl.kdl");
    assert_eq!(entry["args"][4], example.display().to_string(), "{entry}");
    entry["args"][4] = "/home/me/mcpctl/examples/team/mcpctl.kdl".into();

    let shown: serde_json::Value =
        serde_json::from_str(&format!("{{{}}}", readme_block("json"))).unwrap();
    assert_eq!(
        shown["github"], entry,
        "README.md's tour shows another `~/.claude.json` entry than `mcpctl apply` writes"
    );
}

/// `docs/plan.svg` and `docs/plan.cast` are a real run of today's mcpctl:
/// generated again here, they must match what is committed (the cast
/// modulo its times).
#[cfg(target_os = "linux")]
#[test]
fn the_plan_recording_is_fresh() {
    // The recording starts its own private Secret Service; the packages it
    // needs are the ones the store tests need.
    let test = "readme::the_plan_recording_is_fresh";
    if !crate::support::secret_service(test) {
        return;
    }
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !python.is_ok_and(|output| output.status.success()) {
        crate::support::skip(
            test,
            "python3 is not installed (scripts/install-test-deps installs it)",
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let output = std::process::Command::new("python3")
        .arg(repo().join("scripts/record-plan"))
        .arg("--bin")
        .arg(crate::support::mcpctl_bin())
        .arg("--out")
        .arg(out.path())
        .current_dir(repo())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "scripts/record-plan failed:\n{stdout}{stderr}"
    );

    let fresh = fs_err::read_to_string(out.path().join("plan.svg")).unwrap();
    let committed = fs_err::read_to_string(repo().join("docs/plan.svg")).unwrap_or_default();
    if fresh != committed {
        panic!(
            "docs/plan.svg is stale: run scripts/record-plan and commit the result\n{}",
            first_difference(&committed, &fresh)
        );
    }
    let fresh = fs_err::read_to_string(out.path().join("plan.cast")).unwrap();
    let committed = fs_err::read_to_string(repo().join("docs/plan.cast")).unwrap_or_default();
    let (fresh, committed) = (timeless(&fresh), timeless(&committed));
    if fresh != committed {
        panic!(
            "docs/plan.cast is stale: run scripts/record-plan and commit the result\n{}",
            first_difference(&committed.join("\n"), &fresh.join("\n"))
        );
    }
}

/// An asciicast without its times: the header without `timestamp`, each
/// event without its offset.
#[cfg(target_os = "linux")]
fn timeless(cast: &str) -> Vec<String> {
    cast.lines()
        .enumerate()
        .map(|(i, line)| {
            let mut value: serde_json::Value = match serde_json::from_str(line) {
                Ok(value) => value,
                Err(_) => return line.to_owned(),
            };
            if i == 0 {
                if let Some(header) = value.as_object_mut() {
                    header.remove("timestamp");
                }
            } else if let Some(event) = value.as_array_mut()
                && !event.is_empty()
            {
                event.remove(0);
            }
            value.to_string()
        })
        .collect()
}

#[cfg(target_os = "linux")]
fn first_difference(committed: &str, fresh: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (committed.lines().collect(), fresh.lines().collect());
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            return format!(
                "first difference at line {}:\n  committed: {}\n  now:       {}",
                i + 1,
                x.unwrap_or(&"(none)"),
                y.unwrap_or(&"(none)")
            );
        }
    }
    String::new()
}

/// The team lead's guide shows the CI gate that `examples/ci` ships, line
/// for line (the file's opening comment aside): the two cannot drift.
#[test]
fn the_guides_ci_gate_is_the_shipped_example() {
    let example =
        fs_err::read_to_string(repo().join("examples/ci/.github/workflows/mcpctl.yml")).unwrap();
    let example: Vec<&str> = example
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .collect();
    let guide = fs_err::read_to_string(repo().join("docs/getting-started-team-lead.md")).unwrap();
    let start = guide.find("```yaml\n").expect("the guide has a yaml block") + "```yaml\n".len();
    let end = guide[start..].find("```").unwrap() + start;
    let shown: Vec<&str> = guide[start..end].lines().collect();
    assert_eq!(
        shown.join("\n").trim(),
        example.join("\n").trim(),
        "docs/getting-started-team-lead.md's CI gate differs from examples/ci/.github/workflows/mcpctl.yml"
    );
}

/// Every complete manifest the docs show (a ```kdl block that starts with
/// `mcpctl version=`) is valid as written: a reader copies it whole.
#[test]
fn every_complete_manifest_in_the_docs_validates() {
    let mut checked = 0;
    for file in markdown_files() {
        let shown = file.strip_prefix(repo()).unwrap().display().to_string();
        let markdown = fs_err::read_to_string(&file).unwrap();
        let mut rest = markdown.as_str();
        while let Some(open) = rest.find("```kdl\n") {
            let start = open + "```kdl\n".len();
            let end = rest[start..].find("```").unwrap() + start;
            let block = &rest[start..end];
            let line = markdown.len() - rest.len();
            let line = markdown[..line + open].lines().count() + 1;
            rest = &rest[end + 3..];
            if !block.trim_start().starts_with("mcpctl version=") {
                continue;
            }
            let sandbox = Sandbox::new();
            let manifest = sandbox.manifest(block);
            let output = sandbox
                .mcpctl()
                .args(["validate", "-f"])
                .arg(&manifest)
                .output()
                .unwrap();
            let (stdout, stderr) = text(&output);
            assert!(
                output.status.success(),
                "{shown}:{line}: the manifest example does not validate:\n{stdout}{stderr}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "found only {checked} complete manifests in the docs"
    );
}
