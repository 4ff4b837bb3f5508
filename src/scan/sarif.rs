//! SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure
//! DevOps) read, so `mcpctl scan --format sarif` can annotate a pull
//! request. Only the few properties those services use are written.

use std::path::Path;

use serde_json::{Value, json};

use super::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as a SARIF log; file URIs relative to `base` when under it.
pub fn to_sarif(report: &Report, base: &Path) -> Value {
    let mut rules: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.description.as_str()))
        .collect();
    rules.sort();
    rules.dedup_by_key(|(id, _)| *id);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let uri = f
                .file
                .strip_prefix(base)
                .unwrap_or(&f.file)
                .to_string_lossy()
                .replace('\\', "/");
            let mut message = format!("{}: {}", f.description, f.redacted);
            if let Some(entry) = &f.entry {
                message.push_str(&format!(" (server `{}`, {})", entry.server, entry.field));
            }
            json!({
                "ruleId": f.rule,
                "level": if f.is_reference() { "warning" } else { "error" },
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": f.line, "startColumn": f.column}
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mcpctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|(id, description)| json!({
                    "id": id,
                    "shortDescription": {"text": description},
                })).collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    })
}
