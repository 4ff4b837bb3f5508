//! The `mcpctl` binary: run the CLI, turn its outcome into an exit code.

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    mcpctl::cli::main()
}

/// Rust ignores SIGPIPE, so `mcpctl plan | head` would see `EPIPE` on its
/// next write and `println!` would panic. Like ripgrep and fd, let the
/// kernel end the process quietly instead, as it does for `cat`. `exec`
/// is unaffected: the server it becomes starts with the default
/// disposition either way.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: resetting one signal's disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
