//! Helpers shared by the integration tests (each test binary uses some of them).
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

/// The shared material beside the repository (`ATL_LINT_SHARED` overrides).
pub fn shared() -> PathBuf {
    std::env::var_os("ATL_LINT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// How many generated inputs an oracle test runs: `default`, or `ATL_LINT_ORACLE_INPUTS`
/// for the long runs (`ATL_LINT_ORACLE_INPUTS=10000 cargo test --release --test oracles`).
pub fn scale(default: usize) -> usize {
    std::env::var("ATL_LINT_ORACLE_INPUTS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A small deterministic generator (xorshift) for generated test inputs.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Skips (with a printed reason) outside CI; in CI a missing prerequisite is a failure.
pub fn require(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must provide {what}");
        let how = if what.starts_with("shared/") {
            "it is part of the shared material, looked up in ../shared or ATL_LINT_SHARED"
        } else {
            "`bash .ci/run` installs what the full suite needs"
        };
        skip(&format!("{what} is not available; {how}"));
    }
    ok
}

/// Prints why a test (or part of one) did not run. Written to the process's standard error
/// itself, not through `eprintln!`, which the test harness captures and shows only for a
/// failing test: a skip must be seen in a passing run.
pub fn skip(why: &str) {
    use std::io::Write;
    let name = std::thread::current().name().unwrap_or("test").to_string();
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {name}: {why}");
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("atl-lint-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// Copies a directory, making the `*-enabled` entries the symlinks Debian has (the corpus
/// stores each as a file holding its target).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read corpus").flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_tree(&source, &target);
            continue;
        }
        let enabled = from.file_name().is_some_and(|n| n.to_string_lossy().ends_with("-enabled"));
        let content = std::fs::read_to_string(&source).unwrap_or_default();
        let link = content.trim();
        // Relative (`../sites-available/x`) or absolute (nginx's `/etc/nginx/...`).
        let is_link = enabled && !link.contains('\n') && (link.starts_with("../") || link.starts_with('/'));
        if is_link {
            std::os::unix::fs::symlink(link, &target).expect("symlink");
        } else {
            std::fs::copy(&source, &target).expect("copy");
        }
    }
}
