//! The `aimsc` binary: all logic is in the library; this only maps the
//! outcome to an exit code.

fn main() -> std::process::ExitCode {
    aimsc::cli::main()
}
