//! Finding the files to lint: walking directories safely and telling each file's kind.

use foldhash::{HashSet, HashSetExt};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::source::{tidy, FileKey, FileKind};

mod includes;

/// Files over this size are not read.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Directories never walked into.
const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// Extensions of templates whose rendered name is the rest of the file name.
const TEMPLATE_EXTENSIONS: [&str; 7] = ["j2", "jinja", "jinja2", "erb", "epp", "tpl", "template"];

/// A file discovery found, with its content or why it has none.
#[derive(Debug)]
pub struct Found {
    /// The path as found.
    pub path: PathBuf,
    /// The format, when known.
    pub kind: Option<FileKind>,
    /// The bytes, or why they were not read.
    pub content: Result<Vec<u8>, Problem>,
    /// For an Apache file read through a main configuration's includes (or the main
    /// configuration itself): that main configuration.
    pub include_root: Option<PathBuf>,
    /// The file's identity on disk, when discovery looked it up.
    pub key: Option<FileKey>,
}

impl Found {
    /// A file found on its own (not through an include).
    pub fn new(path: PathBuf, kind: Option<FileKind>, content: Result<Vec<u8>, Problem>) -> Self {
        Found { path, kind, content, include_root: None, key: None }
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

/// Finds every file under `paths`, each once, in a stable order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Found>, PathError> {
    discover_in(paths, &[], None)
}

/// Finds every file under `paths` and the files of live-mode places (`extras`, read like
/// walked files), each once; absolute paths in Apache configurations are looked up under
/// `root` first.
pub fn discover_in(paths: &[PathBuf], extras: &[PathBuf], root: Option<&Path>) -> Result<Vec<Found>, PathError> {
    let mut found = Vec::new();
    let mut seen: HashSet<FileKey> = HashSet::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| PathError { path: path.clone(), error })?;
        if metadata.is_dir() {
            walk(path, &mut seen, &mut found);
        } else if first_visit(&mut seen, path) {
            found.push(explicit(path, &metadata)?);
        }
    }
    for path in extras {
        if let Some(metadata) = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file) {
            add_walked(path, &metadata, &mut seen, &mut found);
        }
    }
    includes::follow(&mut found, root);
    Ok(found)
}

fn first_visit(seen: &mut HashSet<FileKey>, path: &Path) -> bool {
    seen.insert(FileKey::of(path))
}

/// A file named on the command line: always read, its kind sniffed when the name says nothing.
/// One that cannot be read is a usage error (exit 2), not a finding.
fn explicit(path: &Path, metadata: &std::fs::Metadata) -> Result<Found, PathError> {
    let path = tidy(path);
    if !metadata.is_file() {
        return Ok(Found::new(path, None, Err(Problem::NotRegular)));
    }
    let named = kind_by_name(&path);
    let content = read(&path, metadata.len());
    if let Err(Problem::Unreadable(reason)) = &content {
        return Err(PathError { error: io::Error::other(reason.clone()), path });
    }
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
    Ok(Found::new(path, kind, content))
}

fn walk(root: &Path, seen: &mut HashSet<FileKey>, found: &mut Vec<Found>) {
    let walker = WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_type().is_dir() || !SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d)
    });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                // A symlink loop is walked once and then left; other errors are reported.
                if err.loop_ancestor().is_none() {
                    if let Some(path) = err.path() {
                        // A dangling symlink is no file: only one named as a configuration
                        // (a `sites-enabled` entry whose site was removed) is worth a word.
                        let dangling = err.io_error().is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
                            && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
                        if dangling && !matches!(kind_by_name(path), Some(Name::Definite(_))) {
                            continue;
                        }
                        let message = if dangling {
                            let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
                            format!("it is a symbolic link to `{target}`, which does not exist")
                        } else {
                            err.io_error().map_or_else(|| err.to_string(), ToString::to_string)
                        };
                        found.push(Found::new(tidy(path), None, Err(Problem::Unreadable(message))));
                    }
                }
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(metadata) = entry.metadata() else { continue };
        add_walked(entry.path(), &metadata, seen, found);
    }
}

/// A regular file met while walking (or in a live-mode place): kept when its name or
/// content makes it a kind atl-lint reads.
fn add_walked(path: &Path, metadata: &std::fs::Metadata, seen: &mut HashSet<FileKey>, found: &mut Vec<Found>) {
    use std::os::unix::fs::MetadataExt;
    let Some(name) = kind_by_name(path) else {
        return;
    };
    let key = FileKey::Inode(metadata.dev(), metadata.ino());
    if !seen.insert(key.clone()) {
        return;
    }
    let content = read(path, metadata.len());
    let kind = match (&content, name) {
        (_, Name::Definite(kind)) => Some(kind),
        (Ok(bytes), Name::Ambiguous) => sniff(bytes, path),
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
        Err(Problem::TooLarge(_)) if kind.is_none() => return,
        other => other,
    };
    let mut file = Found::new(tidy(path), kind, content);
    file.key = Some(key);
    found.push(file);
}

/// The kind of content that did not come from a walk (standard input): name first, then
/// content.
pub fn kind_of(path: &Path, bytes: &[u8]) -> Option<FileKind> {
    match kind_by_name(path) {
        Some(Name::Definite(kind)) => Some(kind),
        _ => sniff(bytes, path),
    }
}

/// Reads a regular file, refusing files over the size limit.
fn read(path: &Path, size: u64) -> Result<Vec<u8>, Problem> {
    if size > MAX_FILE_SIZE {
        return Err(Problem::TooLarge(size));
    }
    let file = File::open(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
    // Room for the whole file (and the read that finds its end) up front: one read call
    // where growing a buffer would take several.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes).map_err(|e| Problem::Unreadable(e.to_string()))?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > MAX_FILE_SIZE {
        return Err(Problem::TooLarge(len));
    }
    Ok(bytes)
}

/// Text files have no NUL bytes.
fn is_binary(bytes: &[u8]) -> bool {
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
    let ambiguous = [".conf", ".cfg", ".xml", ".properties"].iter().any(|ext| lower.ends_with(ext));
    if template || in_sites_dir || ambiguous {
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
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(256 * 1024)).unwrap_or(bytes));
    if text.contains("<Server") && (text.contains("<Service") || text.contains("<Connector")) {
        return Some(FileKind::TomcatServerXml);
    }
    let mut apache = 0;
    let mut haproxy = 0;
    let (mut bitbucket_keys, mut server_keys, mut jdbc_keys) = (0, 0, 0);
    for line in text.lines() {
        let trimmed = line.trim_start();
        let word = trimmed.split_whitespace().next().unwrap_or("");
        // nginx has `listen 80;` and `server {`: HAProxy lines end neither with `;` nor `{`.
        let nginx_like = trimmed.trim_end().ends_with([';', '{']);
        if ["frontend", "backend", "listen", "defaults", "global"].contains(&word) && !nginx_like {
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
fn normalize(path: &Path) -> PathBuf {
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
        assert_eq!(kind_by_name(Path::new("etc/nginx/sites-enabled/default")), Some(Name::Ambiguous));
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
            sniff(b"server {\n  listen 80;\n  location / { proxy_pass http://x; }\n}\n", Path::new("nginx.conf")),
            None
        );
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
