//! Apache `Include` / `IncludeOptional`: the files a main configuration reads, in Apache's
//! order, so that every one of them is linted (once) under the path Apache reads it by.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::{read, tidy, Found, Problem};
use crate::source::{FileId, FileKind, SourceFile};
use crate::syntax::apache;

/// Apache's own limit on nested includes.
const MAX_DEPTH: usize = 128;

/// Adds the files Apache main configurations include to `found`, and reports files found
/// by walking under the path their main configuration includes them by (a symlinked
/// `sites-enabled/x.conf` rather than its target).
pub(super) fn follow(found: &mut Vec<Found>) {
    let mut by_canonical: HashMap<PathBuf, usize> = HashMap::new();
    for (index, file) in found.iter().enumerate() {
        by_canonical.entry(canonical(&file.path)).or_insert(index);
    }
    let mains: Vec<(PathBuf, Vec<u8>)> = found
        .iter()
        .filter(|f| f.kind == Some(FileKind::Apache))
        .filter_map(|f| Some((f.path.clone(), f.content.as_ref().ok()?.clone())))
        .filter(|(path, bytes)| is_main(path, bytes))
        .collect();
    let mut included: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for (path, bytes) in &mains {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut order = Vec::new();
        let mut reader = Reader { server_root: root, order: &mut order, seen: &mut seen };
        reader.seen.insert(canonical(path));
        reader.read(bytes, 0);
        if let Some(main) = by_canonical.get(&canonical(path)).and_then(|&i| found.get_mut(i)) {
            main.include_root = Some(main.path.clone());
        }
        included.extend(order.into_iter().map(|file| (file, tidy(path))));
    }
    for (path, root) in included {
        let key = canonical(&path);
        match by_canonical.get(&key).and_then(|&i| found.get_mut(i)) {
            Some(existing) => {
                existing.path = tidy(&path);
                existing.kind = Some(FileKind::Apache);
                existing.include_root = Some(root);
                if matches!(existing.content, Err(Problem::UnknownKind)) {
                    existing.content = read(&path, 0);
                }
            }
            None => {
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                by_canonical.insert(key, found.len());
                let mut file = Found::new(tidy(&path), Some(FileKind::Apache), read(&path, size));
                file.include_root = Some(root);
                found.push(file);
            }
        }
    }
}

/// A main configuration: Apache's own names, or a file that sets `ServerRoot` or includes.
fn is_main(path: &Path, bytes: &[u8]) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name == "httpd.conf" || name == "apache2.conf" {
        return true;
    }
    String::from_utf8_lossy(bytes).lines().any(|line| {
        let word = line.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        matches!(word.as_str(), "serverroot" | "include" | "includeoptional")
    })
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

struct Reader<'o> {
    server_root: PathBuf,
    order: &'o mut Vec<PathBuf>,
    seen: &'o mut HashSet<PathBuf>,
}

impl Reader<'_> {
    /// Follows the includes of one file's text, depth first, as Apache reads them.
    fn read(&mut self, bytes: &[u8], depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let source = SourceFile::new(FileId(0), PathBuf::new(), String::new(), Some(FileKind::Apache), bytes.to_vec());
        let config = apache::parse(&source);
        for directive in &config.directives {
            let Some(argument) = directive.args.first().and_then(|a| a.known()) else { continue };
            if directive.is("ServerRoot") {
                self.server_root = PathBuf::from(argument);
                continue;
            }
            if !directive.is("Include") && !directive.is("IncludeOptional") {
                continue;
            }
            for file in expand(&self.server_root, argument) {
                if !self.seen.insert(canonical(&file)) {
                    continue;
                }
                self.order.push(file.clone());
                if let Ok(content) = std::fs::read(&file) {
                    self.read(&content, depth + 1);
                }
            }
        }
    }
}

/// The files an include argument names, in Apache's order: wildcards in any component
/// (sorted by name), directories read recursively.
fn expand(server_root: &Path, argument: &str) -> Vec<PathBuf> {
    let path = Path::new(argument);
    let full = if path.is_absolute() { path.to_path_buf() } else { server_root.join(path) };
    let mut candidates = vec![PathBuf::new()];
    for component in full.components() {
        let Component::Normal(part) = component else {
            for candidate in &mut candidates {
                candidate.push(component.as_os_str());
            }
            continue;
        };
        let part = part.to_string_lossy();
        let Ok(pattern) = glob::Pattern::new(&part).map(|p| p.as_str().contains(['*', '?', '[']).then_some(p)) else {
            return Vec::new();
        };
        candidates = match pattern {
            None => candidates.into_iter().map(|c| c.join(part.as_ref())).collect(),
            Some(pattern) => candidates.iter().flat_map(|dir| matching(dir, &pattern)).collect(),
        };
    }
    candidates.into_iter().flat_map(|c| files_of(&c)).collect()
}

/// The entries of `dir` whose names match, sorted by name.
fn matching(dir: &Path, pattern: &glob::Pattern) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| pattern.matches(n))
        .collect();
    names.sort();
    names.into_iter().map(|n| dir.join(n)).collect()
}

/// A file, or every file under a directory (hidden ones too), sorted.
fn files_of(path: &Path) -> Vec<PathBuf> {
    let Ok(metadata) = std::fs::metadata(path) else { return Vec::new() };
    if metadata.is_file() {
        return vec![path.to_path_buf()];
    }
    if !metadata.is_dir() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(path) else { return Vec::new() };
    let mut names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names.into_iter().flat_map(|n| files_of(&path.join(n))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_tree_is_followed_in_apache_order() {
        let main = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/debian12/etc/apache2/apache2.conf");
        let Ok(bytes) = std::fs::read(&main) else {
            assert!(std::env::var_os("CI").is_none(), "CI must provide shared/corpus/debian12");
            eprintln!("SKIPPED: shared/corpus/debian12 is not available");
            return;
        };
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        let mut reader = Reader {
            server_root: main.parent().map(Path::to_path_buf).unwrap_or_default(),
            order: &mut order,
            seen: &mut seen,
        };
        reader.read(&bytes, 0);
        let names: Vec<String> = order
            .iter()
            .map(|p| p.strip_prefix(main.parent().unwrap_or(Path::new(""))).unwrap_or(p).to_string_lossy().into_owned())
            .collect();
        assert!(names.first().is_some_and(|n| n.starts_with("mods-enabled/")), "{names:?}");
        assert!(names.contains(&"ports.conf".to_string()), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("sites-enabled/")), "{names:?}");
        let ports = names.iter().position(|n| n == "ports.conf");
        let first_conf = names.iter().position(|n| n.starts_with("conf-enabled/"));
        assert!(ports < first_conf, "ports.conf is read before conf-enabled: {names:?}");
    }
}
