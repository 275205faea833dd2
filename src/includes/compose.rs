//! What a compose file reads besides itself: the `.env` file of its directory, whose
//! variables Compose substitutes into the file (`${ATL_PROXY_NAME}`), and each service's
//! `env_file:` files, whose variables join the service's environment. Both are read into
//! the run as environment files, so a finding can point at the line that sets a value.

use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt};

use super::Reader;
use crate::source::{FileId, FileKind};
use crate::syntax::compose::{self, Compose, Variable};
use crate::syntax::{Parsed, Setting, Tree, Value};

/// Substitutes the variables of every compose file of the run and adds its services'
/// environment files.
pub(super) fn read(reader: &mut Reader<'_>, walked: &[FileId]) {
    for &id in walked {
        let Some(parsed) = reader.parsed(id) else { continue };
        let Tree::Compose(_) = &parsed.tree else { continue };
        let Some(dir) = parsed.source.path().parent().map(Path::to_path_buf) else { continue };
        let variables = reader.env_file(&dir.join(".env"), false).map(|env| variables(reader, env)).unwrap_or_default();
        let lookup = |name: &str| variables.get(name);
        let Some(Some(Parsed { tree: Tree::Compose(compose), .. })) = reader.slots.get_mut(id.0 as usize) else {
            continue;
        };
        substitute(compose, &lookup);
        // The services' `env_file:` files, now that their paths are known.
        let wanted: Vec<(usize, Vec<PathBuf>)> = compose
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.env_files.iter().filter_map(|f| f.known()).map(|f| dir.join(f)).collect()))
            .collect();
        let mut added: Vec<(usize, Vec<Setting<'_>>)> = Vec::new();
        for (service, paths) in wanted {
            let mut settings = Vec::new();
            for path in paths {
                let Some(env) = reader.env_file(&path, true) else { continue };
                if let Some(Some(Parsed { tree: Tree::DotEnv(file), .. })) = reader.slots.get(env.0 as usize) {
                    settings.extend(file.entries.iter().cloned());
                }
            }
            added.push((service, settings));
        }
        let Some(Some(Parsed { tree: Tree::Compose(compose), .. })) = reader.slots.get_mut(id.0 as usize) else {
            continue;
        };
        for (index, settings) in added {
            let Some(service) = compose.services.get_mut(index) else { continue };
            // What `environment:` sets wins over the files; of two files, the later one.
            let own: foldhash::HashSet<String> = service.environment.iter().map(|s| s.name.to_string()).collect();
            let from_files = settings.into_iter().filter(|s| !own.contains(s.name.as_ref()));
            let mut environment: Vec<Setting<'_>> = from_files.collect();
            environment.append(&mut service.environment);
            service.environment = environment;
        }
    }
}

/// The variables an environment file sets, by name.
fn variables(reader: &Reader<'_>, env: FileId) -> HashMap<String, Variable> {
    let mut out = HashMap::new();
    if let Some(Some(Parsed { tree: Tree::DotEnv(file), .. })) = reader.slots.get(env.0 as usize) {
        for entry in file.entries.iter().filter(|e| !e.value.unknown) {
            out.insert(entry.name.to_string(), Variable { text: entry.value.text.to_string(), span: entry.value.span });
        }
    }
    out
}

/// Substitutes variables in every value of a compose file that holds a `$`.
fn substitute<'v>(compose: &mut Compose<'_>, lookup: &dyn Fn(&str) -> Option<&'v Variable>) {
    for service in &mut compose.services {
        let values = service.image.iter_mut().chain(&mut service.env_files).chain(&mut service.ports);
        let settings = service.environment.iter_mut().chain(&mut service.labels).map(|s| &mut s.value);
        for value in values.chain(&mut service.volumes).chain(&mut service.command).chain(settings) {
            interpolate(value, lookup);
        }
    }
}

/// A value with its variables substituted: when it is one variable the environment file
/// sets, it points at that file's value.
fn interpolate<'v>(value: &mut Value<'_>, lookup: &dyn Fn(&str) -> Option<&'v Variable>) {
    if !value.text.contains('$') || (value.unknown && value.text.is_empty()) {
        return;
    }
    match compose::interpolate(&value.text, lookup) {
        Some((text, only)) => {
            if let Some(variable) = only {
                value.span = variable.span;
            }
            value.unknown = crate::syntax::is_unknown(&text);
            value.text = std::borrow::Cow::Owned(text);
        }
        None => value.unknown = true,
    }
}

impl Reader<'_> {
    /// Reads an environment file into the run (once), when it exists and may be read.
    /// `named`: the compose file names it, so a missing one is a problem of the run.
    fn env_file(&mut self, path: &Path, named: bool) -> Option<FileId> {
        if !named && !self.scope.locate(path).is_ok_and(|real| real.is_file()) {
            return None;
        }
        let id = match self.known(path) {
            Ok(id) if self.parsed(id).is_some_and(|p| matches!(p.tree, Tree::DotEnv(_))) => return Some(id),
            Ok(id) => {
                self.problems.retain(|p| p.file != id);
                id
            }
            Err(key) => {
                let id = FileId(u32::try_from(self.slots.len()).unwrap_or(u32::MAX));
                self.by_path.insert(crate::source::tidy(path), id);
                self.added_keys.insert(key, id);
                id
            }
        };
        self.add(id, path, FileKind::DotEnv);
        Some(id)
    }
}
