//! How `mcpctl exec` finds and starts a server's program on Windows.
//!
//! Unix has `execvp`: mcpctl becomes the server. Windows has neither exec
//! nor a shell-free way to run `npx` (really `npx.cmd`), so there mcpctl:
//!
//! 1. resolves the program through `PATH` and `PATHEXT`, as `cmd.exe` would
//!    ([`resolve`]), so `npx` finds `npx.cmd`;
//! 2. refuses, for a `.cmd`/`.bat` program, any argument holding a
//!    character `cmd.exe` interprets ([`check_batch_args`]): batch files
//!    are run through `cmd.exe`, whose quoting cannot be made safe for
//!    every string (the "BatBadBut" class of injection bugs), so a clear
//!    error beats a risk;
//! 3. puts itself in a job object that kills every member when mcpctl's
//!    handle closes ([`kill_children_on_exit`]), then runs the server as a
//!    child with the same stdio and leaves with its exit code: the server
//!    (and whatever it starts) dies with mcpctl when the client ends it.
//!
//! The first two are pure and tested on every OS.

use std::path::PathBuf;

/// `PATHEXT` when the variable is unset or empty.
const DEFAULT_PATHEXT: &str = ".COM;.EXE;.BAT;.CMD";

/// The file `program` names, Windows-style: a program with a directory is
/// tried as given; a bare name in each `PATH` directory (`;`-separated,
/// quotes allowed). A name without one of the `PATHEXT` extensions is tried
/// with each of them, in order. `is_file` says whether a candidate exists.
pub fn resolve(
    program: &str,
    path: &str,
    pathext: &str,
    is_file: impl Fn(&str) -> bool,
) -> Option<PathBuf> {
    let pathext = if pathext.trim().is_empty() {
        DEFAULT_PATHEXT
    } else {
        pathext
    };
    let extensions: Vec<&str> = pathext
        .split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let has_known_extension = {
        let lower = program.to_ascii_lowercase();
        extensions
            .iter()
            .any(|e| lower.ends_with(&e.to_ascii_lowercase()))
    };
    let with_extensions = |base: String| -> Vec<String> {
        if has_known_extension {
            vec![base]
        } else {
            extensions.iter().map(|e| format!("{base}{e}")).collect()
        }
    };
    let bases: Vec<String> = if program.contains(['\\', '/', ':']) {
        vec![program.to_owned()]
    } else {
        path.split(';')
            .map(|dir| dir.trim().trim_matches('"'))
            .filter(|dir| !dir.is_empty())
            .map(|dir| format!("{}\\{program}", dir.trim_end_matches(['\\', '/'])))
            .collect()
    };
    bases
        .into_iter()
        .flat_map(with_extensions)
        .find(|candidate| is_file(candidate))
        .map(PathBuf::from)
}

/// Whether Windows runs `program` through `cmd.exe`.
pub fn is_batch(program: &std::path::Path) -> bool {
    program
        .extension()
        .map(|e| e.to_ascii_lowercase())
        .is_some_and(|e| e == "cmd" || e == "bat")
}

/// Whether `program` can be started with `path` as `PATH`: a name with a
/// directory is checked as given, a bare name looked up in each `PATH`
/// directory (with `pathext`, the `PATHEXT` of the host's environment,
/// on Windows). `check --servers` asks before starting a server, to say
/// "not installed" rather than an OS error.
pub fn on_path(program: &str, path: Option<&std::ffi::OsStr>, pathext: &str) -> bool {
    let path = path.unwrap_or_default();
    if cfg!(windows) {
        return resolve(program, &path.to_string_lossy(), pathext, |c| {
            std::path::Path::new(c).is_file()
        })
        .is_some();
    }
    let runnable = |file: &std::path::Path| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        #[cfg(not(unix))]
        file.is_file()
    };
    if program.contains('/') {
        return runnable(std::path::Path::new(program));
    }
    std::env::split_paths(path).any(|dir| runnable(&dir.join(program)))
}

/// Why `program` could not be found, in words: a path that does not
/// exist, or a name no `PATH` directory holds.
pub fn missing(program: &str) -> String {
    if program.contains(['/', '\\']) {
        format!("`{program}` does not exist")
    } else {
        format!("`{program}` is not installed here (not found on PATH)")
    }
}

/// What to install for a server's `program` that is missing: the tool
/// that provides the usual launchers (`uvx` comes with uv, `npx` with
/// Node.js), else the program itself.
pub fn install_hint(program: &str) -> String {
    let name = std::path::Path::new(program)
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let what = match name.as_str() {
        "uvx" | "uv" => "uv, which provides `uvx` (https://docs.astral.sh/uv/)",
        "npx" | "npm" | "node" => "Node.js, which provides `npx` (https://nodejs.org/en/download)",
        "bunx" | "bun" => "Bun, which provides `bunx` (https://bun.sh)",
        "docker" => "Docker (https://docs.docker.com/desktop/)",
        "deno" => "Deno (https://deno.com)",
        "pipx" => "pipx (https://pipx.pypa.io)",
        _ => "",
    };
    if program.contains(['/', '\\']) {
        "check the path in the server's `command` in the manifest".to_owned()
    } else if what.is_empty() {
        format!("install `{program}`, or add the directory that holds it to PATH")
    } else {
        format!("install {what}, or add the directory that holds `{program}` to PATH")
    }
}

/// Characters `cmd.exe` gives a meaning to even inside quotes, or that end
/// or break a quoted argument.
const CMD_SPECIAL: &[char] = &['"', '%', '!', '^', '&', '|', '<', '>', '(', ')', '\r', '\n'];

/// An argument that cannot be passed to a batch file safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeBatchArg {
    /// Its position among the server's arguments (1-based).
    pub position: usize,
    pub character: char,
}

/// Checks every argument for [`CMD_SPECIAL`] characters; the first one
/// found is the error. Arguments are never echoed (they could be long or
/// sensitive); the position and character are enough to find it.
pub fn check_batch_args<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Result<(), UnsafeBatchArg> {
    for (index, arg) in args.iter().enumerate() {
        let text = arg.as_ref().to_string_lossy();
        if let Some(character) = text.chars().find(|c| CMD_SPECIAL.contains(c)) {
            return Err(UnsafeBatchArg {
                position: index + 1,
                character,
            });
        }
    }
    Ok(())
}

/// Puts this process in a new job object that kills all its processes
/// when the last handle to it closes. The handle is kept open for the
/// life of mcpctl on purpose: when mcpctl exits (or is killed), Windows
/// closes it and ends the server and everything the server started,
/// which inherit the job.
#[cfg(windows)]
pub fn kill_children_on_exit() -> std::io::Result<()> {
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
        SetInformationJobObject,
    };
    use windows_sys::Win32::System::Threading::GetCurrentProcess;

    // SAFETY: plain Win32 calls with valid arguments; the job handle is
    // checked before use and intentionally never closed (see above).
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        let mut info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        let set = SetInformationJobObject(
            job,
            JobObjectExtendedLimitInformation,
            std::ptr::from_ref(&info).cast(),
            u32::try_from(std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>())
                .expect("the struct is small"),
        );
        if set == 0 {
            return Err(std::io::Error::last_os_error());
        }
        if AssignProcessToJobObject(job, GetCurrentProcess()) == 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_launcher_names_what_provides_it() {
        assert_eq!(
            missing("uvx"),
            "`uvx` is not installed here (not found on PATH)"
        );
        assert_eq!(missing("/opt/srv/run"), "`/opt/srv/run` does not exist");
        assert!(install_hint("uvx").contains("install uv, which provides `uvx`"));
        assert!(install_hint("npx").contains("install Node.js, which provides `npx`"));
        assert!(install_hint("bunx").contains("install Bun"));
        assert!(install_hint("docker").contains("install Docker"));
        assert!(install_hint("my-server").starts_with("install `my-server`"));
        assert!(install_hint("/opt/srv/run").starts_with("check the path"));
    }

    #[cfg(unix)]
    #[test]
    fn on_path_finds_only_runnable_files() {
        assert!(on_path("sh", Some("/usr/bin:/bin".as_ref()), ""));
        assert!(!on_path("sh", Some("/nonexistent".as_ref()), ""));
        assert!(!on_path("sh", None, ""));
        assert!(on_path("/bin/sh", None, ""));
        assert!(!on_path("/nonexistent/uvx", Some("/bin".as_ref()), ""));
    }

    fn files(list: &'static [&'static str]) -> impl Fn(&str) -> bool {
        move |candidate| list.iter().any(|f| f.eq_ignore_ascii_case(candidate))
    }

    #[test]
    fn pathext_finds_the_cmd_shim() {
        let path = r#"C:\Windows\system32;"C:\Program Files\nodejs\";C:\Users\a\bin"#;
        let exists = files(&[
            r"C:\Program Files\nodejs\npx.cmd",
            r"C:\Program Files\nodejs\node.exe",
            r"C:\Users\a\bin\npx.exe",
        ]);
        assert_eq!(
            resolve("npx", path, ".COM;.EXE;.BAT;.CMD", &exists),
            // PATH order wins over PATHEXT order; names match without case,
            // as on NTFS, and keep PATHEXT's spelling.
            Some(PathBuf::from(r"C:\Program Files\nodejs\npx.CMD"))
        );
        assert_eq!(
            resolve("node", path, "", &exists),
            Some(PathBuf::from(r"C:\Program Files\nodejs\node.EXE"))
        );
        assert_eq!(
            resolve("NPX.CMD", path, ".EXE;.CMD", &exists),
            Some(PathBuf::from(r"C:\Program Files\nodejs\NPX.CMD"))
        );
        assert_eq!(resolve("missing", path, ".EXE", &exists), None);
        assert_eq!(
            resolve(r"C:\Users\a\bin\npx", path, ".EXE", &exists),
            Some(PathBuf::from(r"C:\Users\a\bin\npx.EXE"))
        );
    }

    #[test]
    fn batch_files_are_recognized() {
        assert!(is_batch(std::path::Path::new("npx.CMD")));
        assert!(is_batch(std::path::Path::new("run.bat")));
        assert!(!is_batch(std::path::Path::new("node.exe")));
    }

    #[test]
    fn batch_arguments_with_cmd_metacharacters_are_refused() {
        assert_eq!(
            check_batch_args(&["-y", "@modelcontextprotocol/server-github", "a b,c=d"]),
            Ok(())
        );
        for (arg, character) in [
            ("a&calc", '&'),
            ("%PATH%", '%'),
            ("\"quoted\"", '"'),
            ("x|y", '|'),
            ("!x!", '!'),
            ("a\nb", '\n'),
            ("^", '^'),
        ] {
            assert_eq!(
                check_batch_args(&["ok", arg]),
                Err(UnsafeBatchArg {
                    position: 2,
                    character
                }),
                "{arg:?}"
            );
        }
    }
}
