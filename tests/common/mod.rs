//! Helpers shared by the oracle tests.

use std::path::{Path, PathBuf};

/// The shared material beside the repository (`ATL_LINT_SHARED` overrides).
pub fn shared() -> PathBuf {
    std::env::var_os("ATL_LINT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// Skips (with a printed reason) outside CI; in CI a missing prerequisite is a failure.
pub fn require(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must provide {what}");
        eprintln!("SKIPPED: {what} is not available");
    }
    ok
}
