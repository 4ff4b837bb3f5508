//! The packaging recipes kept in the repository (`Cargo.toml`'s
//! `[package.metadata.deb]`, `packaging/homebrew`, `packaging/winget`)
//! name the files and the version they package: they must not drift from
//! the crate. (CI also builds and installs the Debian package.)

use std::path::Path;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn debian_assets_exist() {
    let cargo_toml = fs_err::read_to_string(repo().join("Cargo.toml")).unwrap();
    let doc: toml_edit::DocumentMut = cargo_toml.parse().unwrap();
    let assets = doc["package"]["metadata"]["deb"]["assets"]
        .as_array()
        .expect("[package.metadata.deb] assets");
    for asset in assets {
        let source = asset.as_array().unwrap().get(0).unwrap().as_str().unwrap();
        if source.starts_with("target/") {
            continue; // built by `cargo deb`
        }
        let matches = match source.split_once('*') {
            Some((dir, suffix)) => fs_err::read_dir(repo().join(dir))
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .ends_with(suffix)
                })
                .count(),
            None => usize::from(repo().join(source).is_file()),
        };
        assert!(matches > 0, "the Debian asset `{source}` matches no file");
    }
}

#[test]
fn homebrew_and_winget_name_this_version() {
    let formula = fs_err::read_to_string(repo().join("packaging/homebrew/mcpctl.rb")).unwrap();
    assert!(
        formula.contains(&format!("/v{VERSION}.tar.gz")),
        "packaging/homebrew/mcpctl.rb does not build v{VERSION}"
    );
    let dir = repo().join(format!(
        "packaging/winget/manifests/m/Mcpctl/Mcpctl/{VERSION}"
    ));
    let mut types = Vec::new();
    for entry in fs_err::read_dir(&dir).unwrap() {
        let text = fs_err::read_to_string(entry.unwrap().path()).unwrap();
        assert!(
            text.contains(&format!("PackageVersion: {VERSION}\n")),
            "{text}"
        );
        assert!(
            text.contains("PackageIdentifier: Mcpctl.Mcpctl\n"),
            "{text}"
        );
        let manifest_type = text
            .lines()
            .find_map(|l| l.strip_prefix("ManifestType: "))
            .expect("ManifestType")
            .to_owned();
        types.push(manifest_type);
    }
    types.sort();
    assert_eq!(types, ["defaultLocale", "installer", "version"]);
}
