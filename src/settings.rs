//! Settings: the command line's options and the config file resolved once into the one
//! value every stage reads.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::confine::Scope;
use crate::diagnostic::Severity;
use crate::discover::Filter;
use crate::source::FileKind;

/// What the command line (or a test) asks for, before it is resolved: the low-level
/// arguments, as given.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Files and directories; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Run only these rules.
    pub select: Option<Vec<String>>,
    /// Skip these rules.
    pub ignore: Vec<String>,
    /// Report only findings at or above this.
    pub min_severity: Option<Severity>,
    /// The kind of standard input.
    pub stdin_kind: Option<FileKind>,
    /// The name standard input is reported under.
    pub stdin_filename: Option<String>,
    /// Base URLs declared on the command line: `[APP=]URL`.
    pub base_urls: Vec<String>,
    /// Report findings even where an ignore comment suppresses them.
    pub no_ignore_comments: bool,
    /// The config file read for the run (empty when there is none): known directives,
    /// severities, apps, accepted findings, `cert-expiry-days`.
    pub config: Config,
    /// `--root`: the directory that stands for `/` (default `/`).
    pub root: Option<PathBuf>,
    /// `--live` / `--no-live`; `None`: on when a PATH is absolute and outside any git work
    /// tree.
    pub live: Option<bool>,
    /// The time certificates are judged at, in seconds since the Unix epoch (default: now);
    /// fixed by tests so that their certificates age predictably.
    pub now: Option<i64>,
    /// `--exclude`: gitignore globs the walk leaves out (the config file's `exclude` adds
    /// to them).
    pub exclude: Vec<String>,
    /// `--no-ignore`: walk what `.gitignore` and `.ignore` files leave out too.
    pub no_ignore: bool,
    /// Files read as if they held other bytes (by real path): a fix is checked by linting
    /// the files it would write before they are written.
    pub overlay: crate::confine::Overlay,
}

/// Live mode's settings for a run.
#[derive(Clone, Debug)]
pub struct LiveMode {
    /// The directory that stands for `/`.
    pub root: PathBuf,
    /// Days before expiry at which a certificate is reported.
    pub expiry_days: u32,
    /// Now, in seconds since the Unix epoch.
    pub now: i64,
}

/// Standard input as a file of the run.
#[derive(Clone, Debug)]
pub struct Stdin {
    /// The name it is reported under.
    pub name: String,
    /// Its kind, when given.
    pub kind: Option<FileKind>,
}

/// One run's settings, resolved once from [`Options`]: what every stage reads.
#[derive(Debug)]
pub struct Settings {
    /// The PATHs as this run reads them (absolute ones under `--root`); standard input is
    /// [`Settings::stdin`].
    pub paths: Vec<PathBuf>,
    /// Standard input, when `-` is a PATH.
    pub stdin: Option<Stdin>,
    /// Live mode, when it is on.
    pub live: Option<LiveMode>,
    /// What the run may read.
    pub scope: Scope,
    /// What the walk leaves out.
    pub filter: Filter,
    /// Base URLs declared on the command line: `[APP=]URL`.
    pub base_urls: Vec<String>,
    /// Report only findings at or above this.
    pub min_severity: Option<Severity>,
    /// Whether `atl-lint: ignore[...]` comments suppress findings.
    pub ignore_comments: bool,
    /// The config file (empty when there is none).
    pub config: Config,
    select: Option<Vec<String>>,
    ignore: Vec<String>,
}

impl Settings {
    /// Resolves `options`: the PATHs under the root, live mode and the scope, once.
    pub fn resolve(options: &Options) -> Settings {
        let stdin = options.paths.iter().any(|p| p.as_os_str() == "-").then(|| Stdin {
            name: options.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into()),
            kind: options.stdin_kind,
        });
        let paths: Vec<PathBuf> = options
            .paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .map(|p| under_root(options.root.as_deref(), p))
            .collect();
        let live = live_mode(options);
        let shown_from = shown_from(&paths, &options.config.path, live.is_some());
        let scope = Scope::new(options.root.as_deref(), paths.clone(), live.is_some())
            .showing_from(shown_from)
            .with_overlay(options.overlay.clone());
        let excludes = options.exclude.iter().chain(&options.config.exclude).cloned().collect();
        let filter = Filter::new(excludes, options.no_ignore);
        Settings {
            paths,
            stdin,
            live,
            scope,
            filter,
            base_urls: options.base_urls.clone(),
            min_severity: options.min_severity,
            ignore_comments: !options.no_ignore_comments,
            config: options.config.clone(),
            select: options.select.clone(),
            ignore: options.ignore.clone(),
        }
    }

    /// The releases the config file pins, as the parsers take them.
    pub fn targets(&self) -> crate::syntax::Targets {
        crate::syntax::Targets { haproxy: self.config.release("haproxy") }
    }

    /// Whether the rule `id` runs.
    pub fn selected(&self, id: &str) -> bool {
        if self.ignore.iter().any(|i| i == id) {
            return false;
        }
        self.select.as_ref().is_none_or(|s| s.iter().any(|i| i == id))
    }

    /// The severity the config file gives the rule `id`, if any.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.config.severities.iter().find(|(rule, _)| rule == id).map(|(_, severity)| *severity)
    }

    /// The shortest proxy inactivity timeout on a route to Bitbucket, in seconds
    /// (`min-proxy-timeout`, 30 by default).
    pub fn min_proxy_timeout(&self) -> u64 {
        self.config.min_proxy_timeout.unwrap_or(30)
    }

    /// The shortest idle limit of an HAProxy route that carries Synchrony's WebSockets, in
    /// seconds (`min-websocket-idle`, 60 by default).
    pub fn min_websocket_idle(&self) -> u64 {
        self.config.min_websocket_idle.unwrap_or(60)
    }

    /// The smallest request-body limit on a route to an app, in bytes, when the config file
    /// sets one for all apps (`min-request-body`).
    pub fn min_request_body(&self) -> Option<u64> {
        self.config.min_request_body
    }

    /// Third-party Apache directives the user lists as known.
    pub fn known_directives(&self) -> &[String] {
        &self.config.known_directives
    }
}

/// Live mode, when it is on: asked for, or by default when a PATH is absolute and outside
/// any git work tree (or `--root` is given).
fn live_mode(options: &Options) -> Option<LiveMode> {
    let on = options.live.unwrap_or_else(|| options.root.is_some() || in_no_work_tree(&options.paths));
    let clock = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    on.then(|| LiveMode {
        root: options.root.clone().unwrap_or_else(|| PathBuf::from("/")),
        expiry_days: options.config.cert_expiry_days.unwrap_or(30),
        now: options.now.unwrap_or_else(|| i64::try_from(clock).unwrap_or(i64::MAX)),
    })
}

/// The directory every path in the output is shown relative to, so that a report, its
/// fingerprints and a baseline read the same whatever the working directory: the git work
/// tree of the first PATH, else the config file's directory, else the deepest directory that
/// holds every PATH (one PATH: itself, or a file's directory), else (standard input alone)
/// the working directory. `None` in live mode outside a repository: a server's paths are
/// shown whole.
fn shown_from(paths: &[PathBuf], config: &Path, live: bool) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let first = paths.first().map(|p| crate::discover::normalize(&cwd.join(p)));
    let top = first.as_deref().and_then(|p| p.ancestors().find(|a| a.join(".git").exists()));
    // An etckeeper `/etc` is a server's, not a repository.
    if let Some(top) = top.filter(|top| !(live && *top == Path::new("/etc"))) {
        return Some(top.to_path_buf());
    }
    if live {
        return None;
    }
    if !config.as_os_str().is_empty() {
        if let Some(dir) = crate::discover::normalize(&cwd.join(config)).parent() {
            return Some(dir.to_path_buf());
        }
    }
    // The PATHs' directories (a file's own directory), and the deepest one holding them all.
    let dir = |path: PathBuf| if path.is_dir() { Some(path) } else { path.parent().map(Path::to_path_buf) };
    let mut dirs = paths.iter().map(|p| crate::discover::normalize(&cwd.join(p))).filter_map(dir);
    let Some(mut common) = dirs.next() else { return Some(cwd) };
    for other in dirs {
        while !other.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    Some(common)
}

/// A PATH as a run reads it: an absolute one under `--root`.
fn under_root(root: Option<&Path>, path: &Path) -> PathBuf {
    match (root, path.strip_prefix("/")) {
        (Some(root), Ok(relative)) => root.join(relative),
        _ => path.to_path_buf(),
    }
}

/// Whether live mode is on by default: some PATH is absolute and outside any git work tree.
/// etckeeper keeps a server's `/etc` in git: that work tree is the server's, not a
/// repository's.
fn in_no_work_tree(paths: &[PathBuf]) -> bool {
    let repository = |dir: &Path| dir.join(".git").exists() && dir != Path::new("/etc");
    paths.iter().any(|p| p.is_absolute() && !p.ancestors().any(repository))
}
