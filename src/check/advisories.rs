//! Known-vulnerable clients and MCP server packages, from the data in
//! `advisories.toml` (compiled in, so a release carries the list it was
//! built with; updating it is editing data, not code).
//!
//! Matching is pure: the caller reads a client's `--version` output and the
//! commands in client entries and the manifest, and passes them in.

use toml_edit::{DocumentMut, Item};

const DATA: &str = include_str!("advisories.toml");

/// One advisory about a client program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAdvisory {
    pub id: String,
    pub severity: String,
    /// The manifest's client id (`claude-code`).
    pub client: String,
    /// The program whose `--version` tells the installed version.
    pub program: String,
    pub fixed: Version,
    pub summary: String,
    pub fix: String,
    pub url: String,
}

/// One advisory about an MCP server package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageAdvisory {
    pub id: String,
    pub severity: String,
    pub package: String,
    /// `None`: no fixed release, every version is affected.
    pub fixed: Option<Version>,
    pub summary: String,
    pub fix: String,
    pub url: String,
}

/// A dotted numeric version (`1.0.24`); missing parts count as zero.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub Vec<u64>);

impl Version {
    /// The first dotted number in `text`: `1.0.23 (Claude Code)` → 1.0.23.
    pub fn find(text: &str) -> Option<Version> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let rest = &text[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let parts: Vec<u64> = rest[..end]
            .split('.')
            .filter(|p| !p.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        (!parts.is_empty()).then(|| Version(parts).normalized())
    }

    fn normalized(mut self) -> Version {
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// The advisories compiled into this build.
pub fn load() -> (Vec<ClientAdvisory>, Vec<PackageAdvisory>) {
    parse(DATA).expect("advisories.toml is checked by a unit test")
}

fn parse(text: &str) -> Result<(Vec<ClientAdvisory>, Vec<PackageAdvisory>), String> {
    let doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let tables = |key: &str| -> Vec<toml_edit::Table> {
        match doc.get(key) {
            Some(Item::ArrayOfTables(array)) => array.iter().cloned().collect(),
            _ => Vec::new(),
        }
    };
    let field = |table: &toml_edit::Table, key: &str| -> Result<String, String> {
        table
            .get(key)
            .and_then(Item::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("an advisory lacks `{key}`"))
    };
    let mut clients = Vec::new();
    for t in tables("client") {
        clients.push(ClientAdvisory {
            id: field(&t, "id")?,
            severity: field(&t, "severity")?,
            client: field(&t, "client")?,
            program: field(&t, "program")?,
            fixed: Version::find(&field(&t, "fixed")?).ok_or("`fixed` is not a version")?,
            summary: field(&t, "summary")?,
            fix: field(&t, "fix")?,
            url: field(&t, "url")?,
        });
    }
    let mut packages = Vec::new();
    for t in tables("package") {
        let fixed = field(&t, "fixed")?;
        packages.push(PackageAdvisory {
            id: field(&t, "id")?,
            severity: field(&t, "severity")?,
            package: field(&t, "package")?,
            fixed: if fixed.is_empty() {
                None
            } else {
                Some(Version::find(&fixed).ok_or("`fixed` is not a version")?)
            },
            summary: field(&t, "summary")?,
            fix: field(&t, "fix")?,
            url: field(&t, "url")?,
        });
    }
    Ok((clients, packages))
}

/// Whether `installed` is affected by `advisory`.
pub fn client_affected(advisory: &ClientAdvisory, installed: &Version) -> bool {
    installed < &advisory.fixed
}

/// Whether a command line runs `advisory`'s package (`npx -y
/// @modelcontextprotocol/server-postgres@0.6.2 …`), at an affected version.
pub fn package_affected(advisory: &PackageAdvisory, argv: &[&str]) -> bool {
    argv.iter().any(|arg| {
        let Some(rest) = arg.strip_prefix(advisory.package.as_str()) else {
            return false;
        };
        match (rest.strip_prefix('@'), &advisory.fixed) {
            _ if rest.is_empty() => true,
            (Some(version), Some(fixed)) => Version::find(version).is_none_or(|v| &v < fixed),
            (Some(_), None) => true,
            (None, _) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_and_holds_the_guides_advisories() {
        let (clients, packages) = load();
        let claude = clients.iter().find(|a| a.id == "CVE-2025-52882").unwrap();
        assert_eq!(claude.program, "claude");
        assert!(client_affected(
            claude,
            &Version::find("1.0.23 (Claude Code)").unwrap()
        ));
        assert!(!client_affected(
            claude,
            &Version::find("1.0.24 (Claude Code)").unwrap()
        ));
        assert!(!client_affected(
            claude,
            &Version::find("2.1.197 (Claude Code)").unwrap()
        ));
        let postgres = packages
            .iter()
            .find(|a| a.package == "@modelcontextprotocol/server-postgres")
            .unwrap();
        assert!(package_affected(
            postgres,
            &[
                "-y",
                "@modelcontextprotocol/server-postgres",
                "postgresql://localhost/db"
            ]
        ));
        assert!(package_affected(
            postgres,
            &["@modelcontextprotocol/server-postgres@0.6.2"]
        ));
        assert!(!package_affected(
            postgres,
            &["@modelcontextprotocol/server-postgresql-x"]
        ));
        assert!(!package_affected(
            postgres,
            &["@modelcontextprotocol/server-github"]
        ));
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(Version::find("1.0.9").unwrap() < Version::find("1.0.10").unwrap());
        assert_eq!(Version::find("v1.0"), Version::find("1.0.0"));
        assert_eq!(Version::find("no digits"), None);
    }
}
