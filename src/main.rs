//! The `coop` binary: everything is in the `coop-cli` crate.

fn main() -> std::process::ExitCode {
    coop_cli::main()
}
