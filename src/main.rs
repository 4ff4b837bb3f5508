//! The `mcpctl` binary: run the CLI, turn its outcome into an exit code.

fn main() -> std::process::ExitCode {
    mcpctl::cli::main()
}
