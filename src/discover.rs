//! Finding the files to lint: walking directories safely and telling each file's kind.

use foldhash::{HashSet, HashSetExt};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::source::{tidy, FileKey, FileKind};

pub use crate::confine;
mod ignore;
pub mod inputs;
pub mod live;

pub use confine::{Denied, Scope};
pub use ignore::Filter;

/// How deep a walk descends.
const MAX_WALK_DEPTH: usize = 256;

pub use crate::confine::MAX_FILE_SIZE;

/// Directories never walked into.
const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// Extensions of templates whose rendered name is the rest of the file name.
const TEMPLATE_EXTENSIONS: [&str; 10] =
    ["j2", "jinja", "jinja2", "erb", "epp", "tpl", "template", "tmpl", "ctmpl", "gotmpl"];

/// Extensions of formats atl-lint does not read, whatever their content looks like: data
/// formats, and source code whose lines end with `;` and `{` as nginx's do.
const OTHER_FORMATS: [&str; 15] =
    ["toml", "yaml", "yml", "json", "md", "js", "ts", "css", "scss", "c", "h", "java", "php", "go", "rs"];

/// A file discovery found, with its content or why it has none.
#[derive(Debug)]
pub struct Found {
    /// The path as found.
    pub path: PathBuf,
    /// The format, when known.
    pub kind: Option<FileKind>,
    /// The bytes, or why they were not read.
    pub content: Result<Vec<u8>, Problem>,
    /// The file's identity on disk, when discovery looked it up.
    pub key: Option<FileKey>,
}

impl Found {
    /// A file found on its own (not through an include).
    pub fn new(path: PathBuf, kind: Option<FileKind>, content: Result<Vec<u8>, Problem>) -> Self {
        Found { path, kind, content, key: None }
    }
}

/// Why a file found was not linted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Reading failed (permission denied, I/O error).
    Unreadable(String),
    /// Over [`MAX_FILE_SIZE`].
    TooLarge(u64),
    /// Binary content where a configuration file was expected.
    Binary,
    /// A file named on the command line that is no format atl-lint knows.
    UnknownKind,
    /// A path named on the command line that is not a regular file (FIFO, socket, device).
    NotRegular,
    /// A link or path that leads outside what the run may read (what it says, as written).
    Outside(String),
}

/// A problem with one file, after it got its id.
#[derive(Clone, Debug)]
pub struct FileProblem {
    /// The file.
    pub file: crate::source::FileId,
    /// Its display path.
    pub path: String,
    /// What went wrong.
    pub problem: Problem,
}

/// A command-line path that cannot be linted at all (exit 2).
#[derive(Debug)]
pub struct PathError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub error: io::Error,
}

/// Finds every file under `paths`, each once, in a stable order, reading only inside them.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Found>, PathError> {
    let scope = Scope::new(None, paths.to_vec(), false);
    discover_in(paths, &[], &scope, &Filter::new(Vec::new(), false))
}

/// Finds every file under `paths` and the files of live-mode places (`extras`, read like
/// walked files), each once, reading only what `scope` allows and leaving out what `filter`
/// excludes under a directory PATH.
pub fn discover_in(
    paths: &[PathBuf],
    extras: &[PathBuf],
    scope: &Scope,
    filter: &Filter,
) -> Result<Vec<Found>, PathError> {
    let mut walk =
        Walk { scope, filter, matchers: Vec::new(), seen: HashSet::new(), dirs: HashSet::new(), found: Vec::new() };
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| PathError { path: path.clone(), error })?;
        if metadata.is_dir() {
            walk.top(path)?;
        } else {
            walk.explicit(path)?;
        }
    }
    for path in extras {
        walk.place(&tidy(path));
    }
    Ok(walk.found)
}

/// A walk in progress: the files found so far, and the files and directories met.
struct Walk<'s> {
    scope: &'s Scope,
    filter: &'s Filter,
    /// The excludes of the PATH being walked, then the ignore files of each directory down
    /// to the current one.
    matchers: Vec<::ignore::gitignore::Gitignore>,
    seen: HashSet<FileKey>,
    dirs: HashSet<FileKey>,
    found: Vec<Found>,
}

impl Walk<'_> {
    /// A file named on the command line: always read, its kind sniffed when the name says
    /// nothing. One that cannot be read is a usage error (exit 2), not a finding.
    fn explicit(&mut self, path: &Path) -> Result<(), PathError> {
        let path = tidy(path);
        let real = match self.scope.locate(&path) {
            Ok(real) => real,
            Err(Denied::Outside(real)) => {
                let shown = link_text(&path).unwrap_or_else(|| real.display().to_string());
                self.found.push(Found::new(path, None, Err(Problem::Outside(shown))));
                return Ok(());
            }
            Err(denied) => return Err(PathError { error: denied_error(denied), path }),
        };
        if !self.seen.insert(self.scope.key(&real)) {
            return Ok(());
        }
        let named = kind_by_name(&path);
        let content = match self.scope.overlaid(&real).map_or_else(|| read_real(&real), Ok) {
            Err(Problem::Unreadable(reason)) => return Err(PathError { error: io::Error::other(reason), path }),
            other => other,
        };
        let kind = match (&content, named) {
            (_, Some(Name::Definite(kind))) => Some(kind),
            (Ok(bytes), _) => sniff(bytes, &path),
            (Err(_), _) => None,
        };
        let content = match content {
            Ok(bytes) if is_binary(&bytes) => Err(Problem::Binary),
            Ok(_) if kind.is_none() => Err(Problem::UnknownKind),
            other => other,
        };
        self.found.push(Found::new(path, kind, content));
        Ok(())
    }

    /// A directory named on the command line; one that cannot be listed is a usage error,
    /// as an unreadable file named there is.
    fn top(&mut self, path: &Path) -> Result<(), PathError> {
        let shown = tidy(path);
        let real = self
            .scope
            .locate(&shown)
            .map_err(|denied| PathError { path: shown.clone(), error: denied_error(denied) })?;
        let entries = std::fs::read_dir(&real).map_err(|error| PathError { path: shown.clone(), error })?;
        if let Ok(metadata) = std::fs::metadata(&real) {
            self.dirs.insert(FileKey::of(&metadata));
        }
        self.matchers = self.filter.excludes_at(&shown).into_iter().collect();
        self.entries(&shown, &real, entries, 0);
        self.matchers.clear();
        Ok(())
    }

    /// A directory met while walking, by the path it was reached by and its real path.
    fn dir(&mut self, shown: &Path, real: &Path, metadata: &std::fs::Metadata, depth: usize) {
        if depth >= MAX_WALK_DEPTH || !self.dirs.insert(FileKey::of(metadata)) {
            return;
        }
        match std::fs::read_dir(real) {
            Ok(entries) => self.entries(shown, real, entries, depth),
            Err(err) => {
                self.found.push(Found::new(shown.to_path_buf(), None, Err(Problem::Unreadable(err.to_string()))))
            }
        }
    }

    /// The entries of a directory, sorted by name.
    fn entries(&mut self, shown: &Path, real: &Path, entries: std::fs::ReadDir, depth: usize) {
        let mut entries: Vec<(std::ffi::OsString, Option<std::fs::FileType>)> =
            entries.flatten().map(|e| (e.file_name(), e.file_type().ok())).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // Only a directory that lists an ignore file is asked for one: a lookup costs a path
        // resolution, and most directories have none.
        let listed = entries.iter().any(|(name, _)| ignore::IGNORE_FILES.iter().any(|f| name == *f));
        let own = if listed { self.filter.files_of(shown, real, self.scope) } else { None };
        let pushed = own.is_some();
        self.matchers.extend(own);
        for (name, file_type) in entries {
            let (shown, real) = (shown.join(&name), real.join(&name));
            let Some(file_type) = file_type else { continue };
            if ignore::ignored(&self.matchers, &shown, file_type.is_dir()) {
                continue;
            }
            if file_type.is_symlink() {
                self.link(&shown, &real, depth);
            } else if file_type.is_dir() {
                if SKIPPED_DIRS.iter().any(|d| name == *d) {
                    continue;
                }
                if let Ok(metadata) = std::fs::symlink_metadata(&real) {
                    self.dir(&shown, &real, &metadata, depth + 1);
                }
            } else if file_type.is_file() {
                if let Ok(metadata) = std::fs::symlink_metadata(&real) {
                    self.add(&shown, &real, &metadata);
                }
            }
        }
        if pushed {
            self.matchers.pop();
        }
    }

    /// A symbolic link met while walking: followed where it stays inside the scope.
    fn link(&mut self, shown: &Path, real: &Path, depth: usize) {
        let named = kind_by_name(shown);
        let target = match self.scope.resolve(real) {
            Ok(target) => target,
            Err(err) => {
                // A dangling link is no file: only one named as a configuration (a
                // `sites-enabled` entry whose site was removed) is worth a word.
                if !matches!(named, Some(Name::Definite(_))) {
                    return;
                }
                let message = if err.kind() == io::ErrorKind::NotFound {
                    format!("it is a symbolic link to `{}`, which does not exist", link_text(real).unwrap_or_default())
                } else {
                    err.to_string()
                };
                return self.found.push(Found::new(shown.to_path_buf(), None, Err(Problem::Unreadable(message))));
            }
        };
        let Ok(metadata) = std::fs::metadata(&target) else { return };
        let skipped = shown.file_name().is_some_and(|n| SKIPPED_DIRS.iter().any(|d| n == *d));
        if metadata.is_dir() && skipped {
            return;
        }
        if !self.scope.allows(&target) {
            // On a server, `/etc` links into `/run` and `/proc` by design (`/etc/mtab`,
            // `/etc/network/run`): only a link named like a configuration is worth a word.
            if named.is_some() || (metadata.is_dir() && !self.scope.is_live()) {
                let written = link_text(real).unwrap_or_else(|| target.display().to_string());
                self.found.push(Found::new(shown.to_path_buf(), None, Err(Problem::Outside(written))));
            }
            return;
        }
        if metadata.is_dir() {
            self.dir(shown, &target, &metadata, depth + 1);
        } else if metadata.is_file() {
            self.add(shown, &target, &metadata);
        }
    }

    /// A live-mode place: a file or a link to one, read when the scope allows it.
    fn place(&mut self, path: &Path) {
        let Ok(real) = self.scope.locate(path) else { return };
        let Some(metadata) = std::fs::metadata(&real).ok().filter(std::fs::Metadata::is_file) else { return };
        self.add(path, &real, &metadata);
    }

    /// A regular file met while walking (or in a live-mode place), by the path it was
    /// reached by and its real path: kept when its name or content makes it a kind
    /// atl-lint reads.
    fn add(&mut self, shown: &Path, real: &Path, metadata: &std::fs::Metadata) {
        let Some(name) = kind_by_name(shown) else {
            return;
        };
        let key = FileKey::of(metadata);
        if !self.seen.insert(key.clone()) {
            return;
        }
        let content = self.scope.overlaid(real).map_or_else(|| read_real(real), Ok);
        let kind = match (&content, name) {
            (_, Name::Definite(kind)) => Some(kind),
            (Ok(bytes), Name::Ambiguous) => sniff(bytes, shown),
            (Err(_), Name::Ambiguous) => None,
        };
        let content = match content {
            Ok(bytes) if is_binary(&bytes) => {
                if kind.is_none() {
                    return;
                }
                Err(Problem::Binary)
            }
            Ok(_) if kind.is_none() => return,
            Err(Problem::TooLarge(_) | Problem::NotRegular) if kind.is_none() => return,
            other => other,
        };
        let mut file = Found::new(tidy(shown), kind, content);
        file.key = Some(key);
        self.found.push(file);
    }
}

/// What a symbolic link says, as written.
fn link_text(path: &Path) -> Option<String> {
    std::fs::read_link(path).ok().map(|t| t.display().to_string())
}

/// A refusal as the error of a command-line path.
fn denied_error(denied: Denied) -> io::Error {
    match denied {
        Denied::Io(error) => error,
        Denied::Outside(real) => {
            io::Error::other(format!("it leads to `{}`, outside what may be read", real.display()))
        }
        Denied::NotRegular => io::Error::other("not a regular file"),
        Denied::TooLarge(size) => io::Error::other(format!("{size} bytes, over the limit")),
    }
}

/// The kind of content that did not come from a walk (standard input): name first, then
/// content.
pub fn kind_of(path: &Path, bytes: &[u8]) -> Option<FileKind> {
    match kind_by_name(path) {
        Some(Name::Definite(kind)) => Some(kind),
        _ => sniff(bytes, path),
    }
}

/// Reads a regular file at its real path (resolved and allowed by the scope), refusing
/// files over the size limit.
pub(crate) fn read_real(real: &Path) -> Result<Vec<u8>, Problem> {
    let (file, metadata) = confine::open_regular(real).map_err(problem)?;
    confine::read_capped(file, metadata.len(), MAX_FILE_SIZE).map_err(problem)
}

/// A refusal as the problem of a file found.
pub(crate) fn problem(denied: Denied) -> Problem {
    match denied {
        Denied::Outside(real) => Problem::Outside(real.display().to_string()),
        Denied::NotRegular => Problem::NotRegular,
        Denied::TooLarge(size) => Problem::TooLarge(size),
        Denied::Io(err) => Problem::Unreadable(err.to_string()),
    }
}

/// Text files have no NUL bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

/// What a file's name says about its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Name {
    /// The name alone decides.
    Definite(FileKind),
    /// The content decides.
    Ambiguous,
}

/// The name without a template extension (`server.xml.j2` is `server.xml`).
fn rendered_name(path: &Path) -> (String, bool) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.rsplit_once('.') {
        Some((stem, ext)) if TEMPLATE_EXTENSIONS.contains(&ext) && stem.contains('.') => (stem.to_string(), true),
        _ => (name, false),
    }
}

fn kind_by_name(path: &Path) -> Option<Name> {
    let (name, template) = rendered_name(path);
    let lower = name.to_ascii_lowercase();
    if named(&lower, "server.xml") {
        return Some(Name::Definite(FileKind::TomcatServerXml));
    }
    if named(&lower, "bitbucket.properties") {
        return Some(Name::Definite(FileKind::BitbucketProperties));
    }
    if lower == "httpd.conf" || lower == "apache2.conf" {
        return Some(Name::Definite(FileKind::Apache));
    }
    if lower.starts_with("haproxy") && lower.ends_with(".cfg") {
        return Some(Name::Definite(FileKind::Haproxy));
    }
    if named(&lower, "nginx.conf") {
        return Some(Name::Definite(FileKind::Nginx));
    }
    // `docker-compose.yml`, `compose.yaml`, `jira-compose.yml`, `docker-compose_nginx.yml`.
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if yaml && lower.contains("compose") {
        return Some(Name::Definite(FileKind::Compose));
    }
    // `traefik.toml` is Traefik's own configuration; YAML (`traefik.yml` included, which may
    // be manifests that deploy Traefik) and other TOML are told by their content: Traefik's,
    // Kubernetes manifests or values for one of Atlassian's Helm charts.
    let toml = lower.ends_with(".toml");
    if toml && lower.starts_with("traefik.") {
        return Some(Name::Definite(FileKind::Traefik));
    }
    if yaml || toml {
        return Some(Name::Ambiguous);
    }
    let in_sites_dir =
        path.parent().and_then(Path::file_name).is_some_and(|d| d.to_string_lossy().starts_with("sites-"));
    // Under an `apache2`/`httpd` directory, `*.conf` and `sites-*/*` are Apache's (elsewhere
    // nginx uses the same names).
    let under_apache = path.ancestors().skip(1).filter_map(Path::file_name).any(|d| {
        let d = d.to_string_lossy().to_ascii_lowercase();
        d == "apache2" || d == "httpd" || d == "apache"
    });
    if under_apache && !template && (lower.ends_with(".conf") || in_sites_dir) {
        return Some(Name::Definite(FileKind::Apache));
    }
    // Under an `nginx` directory: its `.conf` files, `sites-*/*`, `conf.d/*`, `snippets/*`,
    // and the files Debian's package installs there (`mime.types`, `proxy_params`, ...).
    let under_nginx = path.ancestors().skip(1).filter_map(Path::file_name).any(|d| d.eq_ignore_ascii_case("nginx"));
    let parent = path.parent().and_then(Path::file_name).map(|d| d.to_string_lossy().to_ascii_lowercase());
    let nginx_dir = matches!(parent.as_deref(), Some("conf.d" | "snippets"));
    let stock = lower == "mime.types"
        || lower.ends_with("_params")
        || ["koi-utf", "koi-win", "win-utf"].contains(&lower.as_str());
    if under_nginx && !template && (lower.ends_with(".conf") || in_sites_dir || nginx_dir || stock) {
        return Some(Name::Definite(FileKind::Nginx));
    }
    let ambiguous = [".conf", ".cfg", ".xml", ".properties"].iter().any(|ext| lower.ends_with(ext));
    // A role's, cookbook's or module's `files/` are deployed as they are, under any name
    // (`files/wiki.example.org` is a vhost).
    let deployed = path.ancestors().skip(1).take(4).filter_map(Path::file_name).any(|d| d == "files");
    if template || in_sites_dir || ambiguous || deployed {
        return Some(Name::Ambiguous);
    }
    None
}

/// `server.xml`, or a name ending in it after a separator (`confluence.server.xml`,
/// `jira_server.xml`), not `jmxserver.xml`.
fn named(name: &str, wanted: &str) -> bool {
    name.strip_suffix(wanted).is_some_and(|rest| rest.is_empty() || rest.ends_with(['.', '-', '_']))
}

/// Tells a file's kind from its content.
fn sniff(bytes: &[u8], path: &Path) -> Option<FileKind> {
    if is_binary(bytes) {
        return None;
    }
    let (name, _) = rendered_name(path);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(256 * 1024)).unwrap_or(bytes));
    if extension == "toml" {
        return crate::syntax::traefik::looks_like_traefik(&text).then_some(FileKind::Traefik);
    }
    if extension == "yml" || extension == "yaml" {
        // Manifests that deploy Traefik are often named `traefik.yaml`: they are manifests.
        if crate::syntax::kube::looks_like_manifests(&text) {
            return Some(FileKind::Kube);
        }
        if crate::syntax::traefik::looks_like_traefik(&text) || name.to_ascii_lowercase().starts_with("traefik.") {
            return Some(FileKind::Traefik);
        }
        return crate::syntax::helm::looks_like_values(&text, path).then_some(FileKind::HelmValues);
    }
    if OTHER_FORMATS.contains(&extension.as_str()) {
        return None;
    }
    if text.contains("<Server") && (text.contains("<Service") || text.contains("<Connector")) {
        return Some(FileKind::TomcatServerXml);
    }
    if nginx_like(&text) {
        return Some(FileKind::Nginx);
    }
    // XML and HTML (`<?xml`, `<!DOCTYPE`, `<node>`): never HAProxy, whose lines never start
    // with `<`; an Apache file may (`<VirtualHost>`).
    let markup = text.trim_start().starts_with('<');
    let mut apache = 0;
    let mut haproxy = 0;
    let (mut bitbucket_keys, mut server_keys, mut jdbc_keys) = (0, 0, 0);
    for line in text.lines() {
        let trimmed = line.trim_start();
        let word = trimmed.split_whitespace().next().unwrap_or("");
        // nginx has `listen 80;` and `server {`: HAProxy lines end neither with `;` nor `{`.
        let nginx_like = trimmed.trim_end().ends_with([';', '{']);
        // A section header names the section: `backend jira`, not `backend = "jira"`
        // (Traefik's TOML) or `backend: jira` (YAML).
        let rest = trimmed.get(word.len()..).unwrap_or("").trim_start();
        let assignment = rest.starts_with(['=', ':']);
        if ["frontend", "backend", "listen", "defaults", "global"].contains(&word)
            && !nginx_like
            && !assignment
            && !markup
        {
            haproxy += 1;
        }
        let lower = word.to_ascii_lowercase();
        // Whole directive names: `Include` alone is weak evidence (ld.so.conf has it), and
        // `include_dir` is PostgreSQL's.
        let strong = [
            "<virtualhost",
            "<directory",
            "<location",
            "<ifmodule",
            "proxypass",
            "proxypassreverse",
            "servername",
            "loadmodule",
            "documentroot",
            "serverroot",
            "sslengine",
            "rewriterule",
        ];
        let tag = lower.split('>').next().unwrap_or("");
        if strong.contains(&tag) {
            apache += 2;
        } else if lower == "include" || lower == "includeoptional" {
            apache += 1;
        }
        let key = trimmed.split(['=', ':']).next().unwrap_or("").trim();
        if !key.contains(' ') && trimmed.contains(['=', ':']) {
            if key.starts_with("setup.") || key.starts_with("plugin.") {
                bitbucket_keys += 1;
            } else if key.starts_with("server.") {
                server_keys += 1;
            } else if key.starts_with("jdbc.") {
                jdbc_keys += 1;
            }
        }
    }
    // Many Java programs have `server.*` keys; Bitbucket's file also has its own
    // (`setup.*`, `plugin.*`) or the database (`jdbc.*`) beside them.
    let named = rendered_name(path).0.to_ascii_lowercase().contains("bitbucket");
    let bitbucket = bitbucket_keys > 0 || (server_keys > 0 && (jdbc_keys > 0 || named));
    if bitbucket && apache == 0 && haproxy == 0 {
        return Some(FileKind::BitbucketProperties);
    }
    match (apache, haproxy) {
        (a, h) if h > 0 && h * 2 >= a => Some(FileKind::Haproxy),
        (a, _) if a >= 2 => Some(FileKind::Apache),
        _ => None,
    }
}

/// nginx's statements end with `;`, its blocks open with `{` and close with `}`: when most
/// lines of a file do, and one ends with `;`, it is nginx's (Apache and HAProxy lines end
/// with neither).
fn nginx_like(text: &str) -> bool {
    let (mut lines, mut nginx, mut statements) = (0usize, 0usize, 0usize);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        lines += 1;
        if line.ends_with(';') {
            statements += 1;
            nginx += 1;
        } else if line.ends_with(['{', '}']) {
            nginx += 1;
        }
    }
    statements >= 1 && nginx >= 2 && nginx * 3 >= lines * 2
}

/// How a path is shown: relative to the current directory when under it, else absolute;
/// `.` and `..` resolved, `/` separators.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let absolute = match cwd {
        Some(cwd) if !path.is_absolute() => normalize(&cwd.join(path)),
        _ => normalize(path),
    };
    let shown = match cwd.map(normalize) {
        Some(cwd) => absolute.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(absolute),
        None => absolute,
    };
    let text = shown.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

/// Resolves `.` and `..` without touching the file system (symlinked names stay as given).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decide_first_and_templates_render_their_name() {
        assert_eq!(kind_by_name(Path::new("conf/server.xml")), Some(Name::Definite(FileKind::TomcatServerXml)));
        assert_eq!(kind_by_name(Path::new("t/server.xml.j2")), Some(Name::Definite(FileKind::TomcatServerXml)));
        assert_eq!(
            kind_by_name(Path::new("shared/bitbucket.properties")),
            Some(Name::Definite(FileKind::BitbucketProperties))
        );
        assert_eq!(kind_by_name(Path::new("etc/haproxy/haproxy.cfg")), Some(Name::Definite(FileKind::Haproxy)));
        assert_eq!(kind_by_name(Path::new("apache2/sites-enabled/jira")), Some(Name::Definite(FileKind::Apache)));
        assert_eq!(kind_by_name(Path::new("etc/httpd/conf.d/ssl.conf")), Some(Name::Definite(FileKind::Apache)));
        assert_eq!(kind_by_name(Path::new("etc/nginx/sites-enabled/default")), Some(Name::Definite(FileKind::Nginx)));
        assert_eq!(kind_by_name(Path::new("log4j.properties")), Some(Name::Ambiguous));
        assert_eq!(kind_by_name(Path::new("conf/jmxserver.xml")), Some(Name::Ambiguous));
        assert_eq!(kind_by_name(Path::new("t/confluence.server.xml")), Some(Name::Definite(FileKind::TomcatServerXml)));
        assert_eq!(kind_by_name(Path::new("README.md")), None);
        let spring = b"server.port=8080\nlogging.level.root=INFO\n";
        assert_eq!(sniff(spring, Path::new("application.properties")), None);
    }

    #[test]
    fn content_tells_ambiguous_files_apart() {
        let xml = b"<?xml version='1.0'?>\n<Server port=\"8005\">\n<Service name=\"Catalina\"/></Server>";
        assert_eq!(sniff(xml, Path::new("a.xml")), Some(FileKind::TomcatServerXml));
        assert_eq!(
            sniff(b"global\n  daemon\nfrontend www\n  bind :80\n", Path::new("lb.cfg")),
            Some(FileKind::Haproxy)
        );
        assert_eq!(
            sniff(b"<VirtualHost *:443>\n ProxyPass /jira http://h:8080/jira\n</VirtualHost>\n", Path::new("x.conf")),
            Some(FileKind::Apache)
        );
        assert_eq!(
            sniff(b"server.port=7990\nsetup.baseUrl=https://a\n", Path::new("x.txt")),
            Some(FileKind::BitbucketProperties)
        );
        assert_eq!(
            sniff(b"server {\n  listen 80;\n  location / { proxy_pass http://x; }\n}\n", Path::new("x.conf")),
            Some(FileKind::Nginx)
        );
        // Debian's nginx.conf: `include` lines, but every statement ends with `;`.
        let nginx = b"user www-data;\ninclude /etc/nginx/modules-enabled/*.conf;\nevents {\n\tworker_connections 768;\n}\nhttp {\n\tinclude /etc/nginx/mime.types;\n\tinclude /etc/nginx/sites-enabled/*;\n}\n";
        assert_eq!(sniff(nginx, Path::new("x.conf")), Some(FileKind::Nginx));
        assert_eq!(kind_by_name(Path::new("etc/nginx/nginx.conf")), Some(Name::Definite(FileKind::Nginx)));
        assert_eq!(kind_by_name(Path::new("etc/nginx/mime.types")), Some(Name::Definite(FileKind::Nginx)));
        assert_eq!(kind_by_name(Path::new("etc/nginx/conf.d/jira.conf")), Some(Name::Definite(FileKind::Nginx)));
        assert_eq!(kind_by_name(Path::new("stack/docker-compose.yml")), Some(Name::Definite(FileKind::Compose)));
        assert_eq!(kind_by_name(Path::new("jira-compose.yaml.j2")), Some(Name::Definite(FileKind::Compose)));
        assert_eq!(kind_by_name(Path::new("roles/x/defaults/main.yml")), Some(Name::Ambiguous));
        assert_eq!(sniff(b"jira_port: 8080\n", Path::new("roles/x/defaults/main.yml")), None);
        // Source code ends its lines as nginx does.
        assert_eq!(sniff(b"function f() {\n  a();\n  b();\n}\n", Path::new("app.js")), None);
        // XML with a line that starts like an HAProxy section (D-Bus policy files).
        let xml = b"<busconfig>\n<policy context=\"default\">\nglobal settings\nbackend x\n</policy>\n</busconfig>\n";
        assert_eq!(sniff(xml, Path::new("x.conf")), None);
        // Traefik's TOML and a compose file: keys named like HAProxy sections.
        let toml = b"[frontends.jira]\nbackend = \"jira\"\n[backends.jira.servers.s1]\nurl = \"http://jira:8080\"\n";
        assert_eq!(sniff(toml, Path::new("traefik.cfg")), None);
        assert_eq!(sniff(b"global\n  daemon\nbackend x\n  server a b\n", Path::new("traefik.toml")), None);
        assert_eq!(kind_by_name(Path::new("modules/wiki/files/wiki.example.org")), Some(Name::Ambiguous));
        assert_eq!(kind_by_name(Path::new("docs/wiki.example.org")), None);
        // Go and consul templates are found by content.
        assert_eq!(kind_by_name(Path::new("templates/jira.conf.tmpl")), Some(Name::Ambiguous));
        assert_eq!(sniff(b"a\0b", Path::new("x.conf")), None);
        // What else a server's /etc holds under `*.conf`: ld.so.conf, PostgreSQL.
        assert_eq!(sniff(b"include /etc/ld.so.conf.d/*.conf\n", Path::new("ld.so.conf")), None);
        assert_eq!(
            sniff(b"listen_addresses = '*'\ninclude_dir = 'conf.d'\nssl = on\n", Path::new("postgresql.conf")),
            None
        );
    }

    #[test]
    fn display_paths_are_relative_under_the_current_directory() {
        assert_eq!(display_path(Path::new("/work/x/etc/a.cfg"), Some(Path::new("/work/x"))), "etc/a.cfg");
        assert_eq!(display_path(Path::new("/elsewhere/a.cfg"), Some(Path::new("/work/x"))), "/elsewhere/a.cfg");
        assert_eq!(display_path(Path::new("../shared/a.cfg"), Some(Path::new("/work/x"))), "/work/shared/a.cfg");
        assert_eq!(display_path(Path::new("./rv/../rv/a.cfg"), Some(Path::new("/work/x"))), "rv/a.cfg");
        assert_eq!(tidy(Path::new("./fixtures/./a")), PathBuf::from("fixtures/a"));
    }
}
