//! Absolute paths without links, written the way people and programs
//! expect them.
//!
//! On Windows `std::fs::canonicalize` answers with a verbatim path
//! (`\\?\C:\Users\ada\mcpctl.exe`): correct, but many programs that spawn
//! a command from a client file — and everyone who reads one — expect
//! `C:\Users\ada\mcpctl.exe`. The prefix is dropped wherever the plain
//! form names the same file: a drive or UNC path short enough for the
//! classic limit, with no component Windows would read differently
//! without it (a device name such as `NUL` or `COM1`, a trailing dot or
//! space).

use std::path::{Path, PathBuf};

/// `path` absolute, every link resolved, in its plain form on Windows.
pub fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    path.canonicalize().map(|real| plain(&real))
}

/// The plain form of a verbatim Windows path, when it names the same
/// file; any other path as it is. Pure text, so it is tested everywhere.
pub fn plain(path: &Path) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path.to_path_buf();
    };
    let (plain, rest) = if let Some(unc) = text.strip_prefix(r"\\?\UNC\") {
        (format!(r"\\{unc}"), unc)
    } else if let Some(local) = text.strip_prefix(r"\\?\") {
        let bytes = local.as_bytes();
        let drive = bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && bytes[2] == b'\\';
        if !drive {
            return path.to_path_buf();
        }
        (local.to_owned(), &local[3..])
    } else {
        return path.to_path_buf();
    };
    // MAX_PATH, the terminating NUL included.
    const MAX_PATH: usize = 260;
    let plain_names_it = plain.len() < MAX_PATH
        && rest
            .split('\\')
            .filter(|c| !c.is_empty())
            .all(|component| !needs_verbatim(component));
    if plain_names_it {
        PathBuf::from(plain)
    } else {
        path.to_path_buf()
    }
}

/// Whether Windows reads `component` differently outside a verbatim path:
/// a device name (with any extension), a trailing dot or space, `.` and
/// `..` themselves, or a character the plain form does not allow.
fn needs_verbatim(component: &str) -> bool {
    const DEVICES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
    let stem = component
        .split('.')
        .next()
        .unwrap_or(component)
        .trim_end_matches(' ')
        .to_ascii_uppercase();
    let numbered = (stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.len() == 4
        && stem.as_bytes()[3].is_ascii_digit();
    DEVICES.contains(&stem.as_str())
        || numbered
        || component.ends_with(['.', ' '])
        || component.contains(['<', '>', '"', '/', '|', '?', '*', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        plain(Path::new(text)).to_str().unwrap().to_owned()
    }

    #[test]
    fn a_verbatim_drive_path_loses_its_prefix() {
        assert_eq!(
            shown(r"\\?\C:\Users\ada\.cargo\bin\mcpctl.exe"),
            r"C:\Users\ada\.cargo\bin\mcpctl.exe"
        );
        assert_eq!(
            shown(r"\\?\Z:\work\main\mcpctl.exe"),
            r"Z:\work\main\mcpctl.exe"
        );
    }

    #[test]
    fn a_verbatim_unc_path_becomes_a_plain_unc_path() {
        assert_eq!(
            shown(r"\\?\UNC\server\share\tools\mcpctl.exe"),
            r"\\server\share\tools\mcpctl.exe"
        );
    }

    #[test]
    fn paths_the_plain_form_would_name_differently_stay_verbatim() {
        for kept in [
            r"\\?\C:\tools\NUL\mcpctl.exe",
            r"\\?\C:\tools\com1.txt\mcpctl.exe",
            r"\\?\C:\tools\trailing.\mcpctl.exe",
            r"\\?\C:\tools\trailing \mcpctl.exe",
            r"\\?\C:\tools\a:b\mcpctl.exe",
            r"\\?\GLOBALROOT\Device\HarddiskVolume1\mcpctl.exe",
            r"\\?\Volume{0b7a5f3c-0000-0000-0000-100000000000}\mcpctl.exe",
        ] {
            assert_eq!(shown(kept), kept);
        }
        let long = format!(r"\\?\C:\{}\mcpctl.exe", "d".repeat(260));
        assert_eq!(shown(&long), long);
        // Names that only start like a device are plain names.
        assert_eq!(
            shown(r"\\?\C:\CONFIG\COM10\mcpctl.exe"),
            r"C:\CONFIG\COM10\mcpctl.exe"
        );
    }

    #[test]
    fn other_paths_are_kept_as_they_are() {
        for kept in [
            "/usr/local/bin/mcpctl",
            r"C:\tools\mcpctl.exe",
            r"\\server\share\x",
        ] {
            assert_eq!(shown(kept), kept);
        }
    }

    #[cfg(windows)]
    #[test]
    fn canonical_paths_are_plain_on_windows() {
        let dir = tempfile::tempdir().unwrap();
        let real = canonical(dir.path()).unwrap();
        assert!(
            !real.to_str().unwrap().starts_with(r"\\?\"),
            "{}",
            real.display()
        );
        assert!(real.is_absolute());
    }
}
