//! What a walk leaves out: `--exclude` globs and the tree's own `.gitignore` and `.ignore`
//! files, in gitignore syntax. A path named on the command line is always linted.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::confine::Scope;

/// An ignore file larger than this is not what a person wrote: it is not read.
const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The ignore files read in each directory.
pub(super) const IGNORE_FILES: [&str; 2] = [".gitignore", ".ignore"];

/// What the walk leaves out.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `--exclude` and the config file's `exclude`, as written.
    excludes: Vec<String>,
    /// Whether `.gitignore` and `.ignore` files are read (`--no-ignore` turns it off).
    ignore_files: bool,
}

impl Filter {
    /// A filter of `excludes` (gitignore globs, relative to each PATH), and of the tree's
    /// ignore files unless `no_ignore`.
    pub fn new(excludes: Vec<String>, no_ignore: bool) -> Filter {
        Filter { excludes, ignore_files: !no_ignore }
    }

    /// Why an exclude glob cannot be used, for the command line to refuse it.
    pub fn check(glob: &str) -> Result<(), String> {
        let mut builder = GitignoreBuilder::new("");
        let invalid = |e: ignore::Error| format!("invalid exclude glob `{glob}`: {e}");
        builder.add_line(None, glob).map_err(invalid)?;
        builder.build().map(|_| ()).map_err(invalid)
    }

    /// The excludes as a matcher for a walk from `top`.
    pub(super) fn excludes_at(&self, top: &Path) -> Option<Gitignore> {
        if self.excludes.is_empty() {
            return None;
        }
        let mut builder = GitignoreBuilder::new(top);
        for glob in &self.excludes {
            // Checked on the command line; a bad one from elsewhere excludes nothing.
            let _ = builder.add_line(None, glob);
        }
        builder.build().ok()
    }

    /// The ignore files of a directory (by the path it is walked by and its real path),
    /// read through the scope.
    pub(super) fn files_of(&self, shown: &Path, real: &Path, scope: &Scope) -> Option<Gitignore> {
        if !self.ignore_files {
            return None;
        }
        let mut builder = GitignoreBuilder::new(shown);
        let mut any = false;
        for name in IGNORE_FILES {
            let Ok(bytes) = scope.read(&real.join(name), MAX_IGNORE_FILE) else { continue };
            for line in String::from_utf8_lossy(&bytes).lines() {
                // A line that is no glob is ignored, as git ignores it.
                any |= builder.add_line(Some(PathBuf::from(name)), line).is_ok();
            }
        }
        any.then(|| builder.build().ok()).flatten().filter(|g| !g.is_empty())
    }
}

/// Whether the walk leaves `path` out: the matcher nearest to it that has a say decides,
/// so a deeper ignore file's `!name` takes back what a shallower one left out.
pub(super) fn ignored(matchers: &[Gitignore], path: &Path, is_dir: bool) -> bool {
    for matcher in matchers.iter().rev() {
        match matcher.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}
