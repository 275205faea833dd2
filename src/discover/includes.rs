//! Apache `Include` / `IncludeOptional`: the files a main configuration reads, in Apache's
//! order, so that every one of them is linted (once) under the path Apache reads it by.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::{Path, PathBuf};

use super::{problem, Found, Problem, Scope, MAX_FILE_SIZE};
use crate::source::{tidy, FileId, FileKey, FileKind, SourceFile};
use crate::syntax::apache;
use crate::syntax::apache_tree::{self, Host, State};

/// Adds the files Apache main configurations include to `found`, and reports files found
/// by walking under the path their main configuration includes them by (a symlinked
/// `sites-enabled/x.conf` rather than its target).
pub(super) fn follow(found: &mut Vec<Found>, scope: &Scope) {
    let mut by_key: HashMap<FileKey, usize> = HashMap::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for (index, file) in found.iter().enumerate() {
        by_key.entry(file.key.clone().unwrap_or_else(|| scope.key(&file.path))).or_insert(index);
        by_path.entry(tidy(&file.path)).or_insert(index);
    }
    let mains: Vec<(PathBuf, Vec<u8>)> = found
        .iter()
        .filter(|f| f.kind == Some(FileKind::Apache))
        .filter_map(|f| Some((f.path.clone(), f.content.as_ref().ok()?.clone())))
        .filter(|(path, bytes)| is_main(path, bytes))
        .collect();
    let mut included: Vec<(PathBuf, FileKey, PathBuf)> = Vec::new();
    let mut seen: HashSet<FileKey> = HashSet::new();
    let mut main_keys = Vec::new();
    for (path, bytes) in mains {
        let key = scope.key(&path);
        let mut collect =
            Collect { order: Vec::new(), seen: &mut seen, by_key: &by_key, by_path: &by_path, found, scope };
        collect.seen.insert(key.clone());
        let mut state = State::tree(&path, scope);
        collect.read(&mut state, &path, bytes);
        main_keys.push(key);
        included.extend(collect.order.into_iter().map(|(file, key)| (file, key, tidy(&path))));
    }
    for key in main_keys {
        if let Some(main) = by_key.get(&key).and_then(|&i| found.get_mut(i)) {
            main.include_root = Some(main.path.clone());
        }
    }
    for (path, key, root) in included {
        match by_key.get(&key).and_then(|&i| found.get_mut(i)) {
            Some(existing) => {
                existing.path = tidy(&path);
                existing.kind = Some(FileKind::Apache);
                existing.include_root = Some(root);
                if matches!(existing.content, Err(Problem::UnknownKind)) {
                    existing.content = scope.read(&path, MAX_FILE_SIZE).map_err(problem);
                }
            }
            None => {
                by_key.insert(key, found.len());
                let content = scope.read(&path, MAX_FILE_SIZE).map_err(problem);
                let mut file = Found::new(tidy(&path), Some(FileKind::Apache), content);
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

/// Collects the files a tree includes, in Apache's order (with their keys); files the walk
/// already read are not read again.
struct Collect<'s> {
    order: Vec<(PathBuf, FileKey)>,
    seen: &'s mut HashSet<FileKey>,
    by_key: &'s HashMap<FileKey, usize>,
    by_path: &'s HashMap<PathBuf, usize>,
    found: &'s [Found],
    scope: &'s Scope,
}

/// Whether a file can change which files its tree reads: only `Include`, `ServerRoot`,
/// `Define`/`UnDefine` (through `${NAME}` and `<IfDefine>`) and `LoadModule` (through
/// `<IfModule>`) can. The rest need not be parsed to find the tree's files.
fn shapes_the_tree(bytes: &[u8]) -> bool {
    let lower = bytes.to_ascii_lowercase();
    let text = String::from_utf8_lossy(&lower);
    ["include", "serverroot", "define", "loadmodule"].iter().any(|word| text.contains(word))
}

impl Collect<'_> {
    fn read(&mut self, state: &mut State, path: &Path, bytes: Vec<u8>) {
        if !shapes_the_tree(&bytes) {
            return;
        }
        let source = SourceFile::new(FileId(0), path.to_path_buf(), String::new(), Some(FileKind::Apache), bytes);
        let mut config = apache::parse(&source);
        apache_tree::read(state, self, &mut config, &source);
    }
}

impl Host for Collect<'_> {
    fn include(&mut self, state: &mut State, path: &Path) {
        // A file the walk met under this very path already has its identity.
        let walked_key = self.by_path.get(&tidy(path)).and_then(|&i| self.found.get(i)).and_then(|f| f.key.clone());
        let key = walked_key.unwrap_or_else(|| self.scope.key(path));
        if !self.seen.insert(key.clone()) {
            return;
        }
        self.order.push((path.to_path_buf(), key.clone()));
        let walked = self.by_key.get(&key).and_then(|&i| self.found.get(i)).and_then(|f| f.content.as_ref().ok());
        let bytes = match walked {
            Some(bytes) => Some(bytes.clone()),
            None => self.scope.read(path, MAX_FILE_SIZE).ok(),
        };
        if let Some(bytes) = bytes {
            self.read(state, path, bytes);
        }
    }
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
        let mut seen = HashSet::new();
        let (by_key, by_path) = (HashMap::new(), HashMap::new());
        let scope = Scope::new(None, vec![main.clone()], false);
        let mut collect = Collect {
            order: Vec::new(),
            seen: &mut seen,
            by_key: &by_key,
            by_path: &by_path,
            found: &[],
            scope: &scope,
        };
        collect.read(&mut State::tree(&main, &scope), &main, bytes);
        let order: Vec<PathBuf> = collect.order.into_iter().map(|(p, _)| p).collect();
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
