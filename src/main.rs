//! The `atl-lint` binary.

use std::process::ExitCode;

fn main() -> ExitCode {
    atl_lint::cli::run()
}
