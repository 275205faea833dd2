//! Confinement: which files a run may read. A pull request can plant any file and any link
//! in a repository, and a server's configuration can name any path, so every path is
//! resolved here (symbolic links followed as a chroot at `--root` would follow them) and
//! read only when its real path lies inside what the user asked for. Pseudo-filesystems are
//! never read, only regular files are opened (the type checked on the opened handle), and
//! no read takes more than its cap whatever the file's size claims.

use std::ffi::OsString;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use foldhash::{HashSet, HashSetExt};

use crate::source::FileKey;

/// Files over this size are not read.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Linux's own limit on symbolic links followed while resolving one path.
const MAX_LINKS: usize = 40;

/// Directories below the root that are never read: their files describe the running
/// system (the environment of every process, memory maps) and may never end.
const PSEUDO: [&str; 4] = ["proc", "sys", "dev", "run"];

/// How deep a directory named by an include or a glob is descended.
const MAX_DEPTH: usize = 64;

/// What a run may read.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The directory that stands for `/`, as a real path.
    root: PathBuf,
    /// The same directory as the user named it: paths built on it are shown as the user
    /// would write them.
    given: PathBuf,
    /// Real paths of the trees files may be read from; `None`: anywhere under the root
    /// (live mode, where the configuration is the administrator's own).
    trees: Option<Vec<PathBuf>>,
    /// The directory paths are shown relative to (`None`: shown whole); see
    /// [`Scope::show`].
    shown_from: Option<PathBuf>,
    /// Files read as holding other bytes than they do.
    overlay: Overlay,
}

/// Contents that stand for files' own, by real path: what a fix would write, linted before
/// it is written.
#[derive(Clone, Debug, Default)]
pub struct Overlay(Option<std::sync::Arc<std::collections::HashMap<PathBuf, Vec<u8>>>>);

impl Overlay {
    /// An overlay of `files` (real paths and the bytes read for them).
    pub fn new(files: std::collections::HashMap<PathBuf, Vec<u8>>) -> Overlay {
        Overlay((!files.is_empty()).then(|| std::sync::Arc::new(files)))
    }

    /// The bytes that stand for the file at real path `real`, when the overlay has it.
    pub fn get(&self, real: &Path) -> Option<Vec<u8>> {
        self.0.as_ref()?.get(real).cloned()
    }
}

/// Why a path was not read.
#[derive(Debug)]
pub enum Denied {
    /// Its real path lies outside what the run may read.
    Outside(PathBuf),
    /// It is not a regular file (a directory, FIFO, socket or device).
    NotRegular,
    /// Over the cap.
    TooLarge(u64),
    /// It does not exist, or an I/O error.
    Io(io::Error),
}

impl Denied {
    /// Whether the path does not exist.
    pub fn is_missing(&self) -> bool {
        matches!(self, Denied::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// The files a path pattern names, and the places it named that the run may not read.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Regular files, in order.
    pub files: Vec<PathBuf>,
    /// Paths (as named) whose real paths lie outside the scope.
    pub outside: Vec<PathBuf>,
    /// Directories the last component matched, when they are not read.
    pub directories: Vec<PathBuf>,
}

impl Scope {
    /// The scope of a run: with `live`, anywhere under `root`; otherwise inside the `trees`
    /// (the real paths of the directories the user named, and of the directories holding the
    /// files the user named).
    pub fn new(root: Option<&Path>, trees: Vec<PathBuf>, live: bool) -> Scope {
        let given = root.map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let root = std::fs::canonicalize(&given).unwrap_or_else(|_| absolute(&given));
        let shown_from = std::env::current_dir().ok();
        let mut scope = Scope { root, given, trees: None, shown_from, overlay: Overlay::default() };
        if !live {
            let mut real = Vec::new();
            for tree in trees {
                // A named file's tree is the directory it is named in (not where a link
                // leads): the files it includes sit beside it.
                let dir = if std::fs::metadata(&tree).is_ok_and(|m| m.is_dir()) {
                    scope.resolve(&tree).ok()
                } else {
                    let parent = tree.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                    scope.resolve(parent).ok()
                };
                real.extend(dir);
            }
            scope.trees = Some(real);
        }
        scope
    }

    /// A scope that allows nothing (a file read on its own includes nothing).
    pub fn nothing() -> Scope {
        Scope {
            root: PathBuf::from("/"),
            given: PathBuf::from("/"),
            trees: Some(Vec::new()),
            shown_from: None,
            overlay: Overlay::default(),
        }
    }

    /// The same scope, its paths shown relative to `dir` (`None`: whole).
    pub fn showing_from(self, dir: Option<PathBuf>) -> Scope {
        Scope { shown_from: dir, ..self }
    }

    /// The same scope, reading `overlay`'s contents for the files it has.
    pub fn with_overlay(self, overlay: Overlay) -> Scope {
        Scope { overlay, ..self }
    }

    /// The bytes that stand for the file at real path `real`, when the run reads other
    /// bytes than its own (a fix being checked).
    pub fn overlaid(&self, real: &Path) -> Option<Vec<u8>> {
        self.overlay.get(real)
    }

    /// How a path is shown in every output: relative to the directory the run shows paths
    /// from when under it, else whole; `.` and `..` resolved, `/` separators. A relative
    /// path is taken from the working directory first, so that what is shown does not
    /// depend on it.
    pub fn show(&self, path: &Path) -> String {
        let whole = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir().map(|cwd| cwd.join(path)).unwrap_or_else(|_| path.to_path_buf())
        };
        crate::discover::display_path(&whole, self.shown_from.as_deref())
    }

    /// The directory paths are shown relative to, if any.
    pub fn shown_from(&self) -> Option<&Path> {
        self.shown_from.as_deref()
    }

    /// Whether this is live mode's scope: anywhere under the root.
    pub fn is_live(&self) -> bool {
        self.trees.is_none()
    }

    /// The directory that stands for `/`, as the user named it.
    pub fn shown_root(&self) -> &Path {
        &self.given
    }

    /// Where a path written in a configuration (`/etc/apache2/x`) is on this machine.
    pub fn under_root(&self, written: &Path) -> PathBuf {
        match written.strip_prefix("/") {
            Ok(relative) => self.given.join(relative),
            Err(_) => written.to_path_buf(),
        }
    }

    /// The real path of `path` (a path on this machine, under the root when there is one):
    /// every symbolic link followed as a chroot at the root follows it, `..` never climbing
    /// above the root.
    pub fn resolve(&self, path: &Path) -> io::Result<PathBuf> {
        let path = absolute(path);
        let under = path.strip_prefix(&self.root).or_else(|_| path.strip_prefix(absolute(&self.given)));
        let (base, rest) = match under {
            Ok(rest) => (self.root.clone(), rest.to_path_buf()),
            Err(_) => (PathBuf::from("/"), path.strip_prefix("/").map(Path::to_path_buf).unwrap_or(path.clone())),
        };
        let mut pending: Vec<OsString> = Vec::new();
        push_components(&mut pending, &rest);
        let mut real = base.clone();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                if real != base {
                    real.pop();
                }
                continue;
            }
            let next = real.join(&part);
            let metadata = std::fs::symlink_metadata(&next)?;
            if !metadata.file_type().is_symlink() {
                real = next;
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(io::Error::other("too many levels of symbolic links"));
            }
            let target = std::fs::read_link(&next)?;
            if target.is_absolute() {
                real = base.clone();
            }
            push_components(&mut pending, &target);
        }
        Ok(real)
    }

    /// Whether a real path may be read: under the root, not in a pseudo-filesystem, and
    /// inside a tree the user named (outside live mode).
    pub fn allows(&self, real: &Path) -> bool {
        let Ok(below) = real.strip_prefix(&self.root) else { return false };
        if below.components().next().is_some_and(|c| PSEUDO.iter().any(|p| c.as_os_str() == *p)) {
            return false;
        }
        self.trees.as_ref().is_none_or(|trees| trees.iter().any(|t| real.starts_with(t)))
    }

    /// The real path of `path`, if the run may read it.
    pub fn locate(&self, path: &Path) -> Result<PathBuf, Denied> {
        let real = self.resolve(path).map_err(Denied::Io)?;
        if self.allows(&real) {
            Ok(real)
        } else {
            Err(Denied::Outside(real))
        }
    }

    /// What identifies the file at `path`, resolved in this scope.
    pub fn key(&self, path: &Path) -> FileKey {
        match self.resolve(path).and_then(std::fs::metadata) {
            Ok(m) => FileKey::of(&m),
            Err(_) => FileKey::Path(path.to_path_buf()),
        }
    }

    /// Opens a regular file the run may read, without following a link swapped in after
    /// the path was resolved and without blocking on a FIFO.
    pub fn open(&self, path: &Path) -> Result<(File, Metadata), Denied> {
        let real = self.locate(path)?;
        open_regular(&real)
    }

    /// Reads at most `cap` bytes of a regular file the run may read (whatever size its
    /// metadata claims: sparse and generated files lie).
    pub fn read(&self, path: &Path, cap: u64) -> Result<Vec<u8>, Denied> {
        if let Some(bytes) = self.overlay.get(&self.locate(path)?) {
            return Ok(bytes);
        }
        let (file, metadata) = self.open(path)?;
        read_capped(file, metadata.len(), cap)
    }

    /// Where a path written in a configuration is: a relative one under `base`; an
    /// absolute one under the root in live mode, else in the scanned checkout when it holds
    /// it (`/etc/apache2/x` as `repo/etc/apache2/x`, looked for from `main_dir`, the main
    /// configuration's real directory, upwards), else as it is (and then not read).
    pub fn locate_written(&self, path: &Path, base: &Path, main_dir: &Path) -> PathBuf {
        let Ok(relative) = path.strip_prefix("/") else { return base.join(path) };
        if self.is_live() {
            return self.under_root(path);
        }
        if main_dir.as_os_str().is_empty() {
            return path.to_path_buf();
        }
        main_dir
            .ancestors()
            .map(|dir| dir.join(relative))
            .find(|candidate| self.locate(&literal_prefix(candidate)).is_ok())
            .unwrap_or_else(|| path.to_path_buf())
    }

    /// The files a path names, as Apache's `Include` reads them: wildcards in any component
    /// (matches sorted by name), a directory read whole (recursively, each directory once),
    /// only what the run may read. With `recurse` off, a directory matched by the last
    /// component is not read.
    pub fn expand(&self, pattern: &Path, recurse: bool) -> Expansion {
        let mut out = Expansion::default();
        let mut candidates = vec![PathBuf::new()];
        for component in pattern.components() {
            let Component::Normal(part) = component else {
                candidates.iter_mut().for_each(|c| c.push(component.as_os_str()));
                continue;
            };
            let text = part.to_string_lossy();
            if !text.contains(['*', '?', '[']) {
                candidates.iter_mut().for_each(|c| c.push(part));
                continue;
            }
            let Ok(pattern) = glob::Pattern::new(&text) else { return out };
            let mut next = Vec::new();
            for dir in &candidates {
                // A directory is listed only where the run may read it.
                match self.locate(dir) {
                    Ok(real) => next.extend(matching(dir, &real, &pattern)),
                    Err(Denied::Outside(_)) => out.outside.push(dir.clone()),
                    Err(_) => {}
                }
            }
            candidates = next;
        }
        let mut visited = HashSet::new();
        for candidate in candidates {
            self.files_of(&candidate, recurse, 0, &mut visited, &mut out);
        }
        out
    }

    /// A file, or every file under a directory (hidden ones too, sorted), that the run may
    /// read; each directory once.
    fn files_of(&self, path: &Path, recurse: bool, depth: usize, visited: &mut HashSet<FileKey>, out: &mut Expansion) {
        let real = match self.locate(path) {
            Ok(real) => real,
            Err(Denied::Outside(_)) => return out.outside.push(path.to_path_buf()),
            Err(_) => return,
        };
        let Ok(metadata) = std::fs::metadata(&real) else { return };
        if metadata.is_file() {
            return out.files.push(path.to_path_buf());
        }
        if metadata.is_dir() && !recurse {
            return out.directories.push(path.to_path_buf());
        }
        if !metadata.is_dir() || depth >= MAX_DEPTH || !recurse {
            return;
        }
        if !visited.insert(FileKey::of(&metadata)) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&real) else { return };
        let mut names: Vec<OsString> = entries.flatten().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            self.files_of(&path.join(name), recurse, depth + 1, visited, out);
        }
    }
}

/// The entries of `dir` (whose real path is `real`) whose names match, sorted by name.
fn matching(dir: &Path, real: &Path, pattern: &glob::Pattern) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(real) else { return Vec::new() };
    let mut names: Vec<OsString> =
        entries.flatten().map(|e| e.file_name()).filter(|n| pattern.matches(&n.to_string_lossy())).collect();
    names.sort();
    names.into_iter().map(|name| dir.join(name)).collect()
}

/// `path` made absolute against the current directory (without touching links).
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir().map(|cwd| cwd.join(path)).unwrap_or_else(|_| path.to_path_buf())
}

/// Pushes a path's components so that the first is popped first (`.` dropped, `/` left to
/// the caller).
fn push_components(pending: &mut Vec<OsString>, path: &Path) {
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect();
    pending.extend(parts.into_iter().rev());
}

/// Opens a real path as a regular file: no link followed in its last component, no
/// blocking on a FIFO, no controlling terminal, and the type checked on the handle.
pub fn open_regular(real: &Path) -> Result<(File, Metadata), Denied> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(real)
        .map_err(Denied::Io)?;
    let metadata = file.metadata().map_err(Denied::Io)?;
    if !metadata.is_file() {
        return Err(Denied::NotRegular);
    }
    Ok((file, metadata))
}

/// Reads at most `cap` bytes (one more to tell a file over the cap), reserving no more than
/// the cap whatever `claimed` says.
pub fn read_capped(file: impl Read, claimed: u64, cap: u64) -> Result<Vec<u8>, Denied> {
    if claimed > cap {
        return Err(Denied::TooLarge(claimed));
    }
    let reserve = usize::try_from(claimed.min(cap)).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(reserve);
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(Denied::Io)?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > cap {
        return Err(Denied::TooLarge(len));
    }
    Ok(bytes)
}

/// The part of a path before its first wildcard component, or its directory when it has
/// none.
pub fn literal_prefix(path: &Path) -> PathBuf {
    let mut prefix = PathBuf::new();
    for component in path.components() {
        if component.as_os_str().to_string_lossy().contains(['*', '?', '[']) {
            return prefix;
        }
        prefix.push(component);
    }
    prefix.parent().map(Path::to_path_buf).unwrap_or(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("atl-lint-confine-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok();
        std::fs::canonicalize(&dir).unwrap()
    }

    #[test]
    fn links_resolve_inside_the_root_as_a_chroot_would() {
        let image = temp("chroot");
        std::fs::create_dir_all(image.join("etc/apache2/sites-available")).unwrap();
        std::fs::write(image.join("etc/apache2/sites-available/x.conf"), "x").unwrap();
        std::fs::create_dir_all(image.join("etc/apache2/sites-enabled")).unwrap();
        symlink("/etc/apache2/sites-available/x.conf", image.join("etc/apache2/sites-enabled/x.conf")).unwrap();
        symlink("../../../../../../etc/passwd", image.join("etc/up")).unwrap();
        let scope = Scope::new(Some(&image), Vec::new(), true);
        let real = scope.resolve(&image.join("etc/apache2/sites-enabled/x.conf")).unwrap();
        assert_eq!(real, image.join("etc/apache2/sites-available/x.conf"));
        // `..` stops at the root: the image's own /etc/passwd, which does not exist.
        assert!(scope.resolve(&image.join("etc/up")).is_err());
        assert!(scope.allows(&image.join("etc/x")));
        assert!(!scope.allows(&image.join("proc/self/environ")));
        assert!(!scope.allows(Path::new("/etc/passwd")));
        std::fs::remove_dir_all(&image).ok();
    }

    #[test]
    fn a_repository_scope_allows_only_its_trees() {
        let repo = temp("repo");
        std::fs::write(repo.join("a.cfg"), "x").unwrap();
        symlink("/etc/passwd", repo.join("b.cfg")).unwrap();
        let scope = Scope::new(None, vec![repo.clone()], false);
        assert!(scope.locate(&repo.join("a.cfg")).is_ok());
        assert!(matches!(scope.locate(&repo.join("b.cfg")), Err(Denied::Outside(_))));
        assert!(matches!(scope.locate(&repo.join("../x")), Err(Denied::Io(_)) | Err(Denied::Outside(_))));
        std::fs::remove_dir_all(&repo).ok();
    }

    #[test]
    fn reads_stop_at_the_cap_whatever_the_size_claims() {
        let zeros = std::io::repeat(0).take(1000);
        assert!(matches!(read_capped(zeros, 0, 100), Err(Denied::TooLarge(101))));
        assert_eq!(read_capped(&b"abc"[..], 3, 100).ok(), Some(b"abc".to_vec()));
        assert!(matches!(read_capped(&b""[..], u64::MAX, 100), Err(Denied::TooLarge(_))));
        assert!(matches!(open_regular(Path::new("/dev/zero")), Err(Denied::NotRegular)));
    }
}
