//! atl-lint: lints reverse-proxy setups in front of Atlassian server applications.
//!
//! The pipeline runs one way: [`discover`] finds files, [`syntax`] parses them into trees
//! with spans, [`model`] joins them into a topology, [`rules`] report diagnostics and
//! [`report`] renders them.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fuzzing;
pub mod model;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod syntax;
pub mod template;
pub mod tls;

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};

use diagnostic::{Diagnostic, Severity};
use discover::{FileProblem, Found, PathError, Problem};
use report::Report;
use rules::Context;
use source::{FileKind, SourceFile, SourceMap};

/// What to lint and which findings to keep.
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
    /// Base URLs declared on the command line or in the config file: `[APP=]URL`.
    pub base_urls: Vec<String>,
    /// Report findings even where an ignore comment suppresses them.
    pub no_ignore_comments: bool,
    /// The config file read for the run (empty when there is none): known directives,
    /// severities, apps, accepted findings, `cert-expiry-days`.
    pub config: config::Config,
    /// `--root`: the directory that stands for `/` (default `/`).
    pub root: Option<PathBuf>,
    /// `--live` / `--no-live`; `None`: on when a PATH is absolute and outside any git work
    /// tree.
    pub live: Option<bool>,
    /// The time certificates are judged at, in seconds since the Unix epoch (default: now);
    /// fixed by tests so that their certificates age predictably.
    pub now: Option<i64>,
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

impl Options {
    /// Live mode, when it is on.
    pub fn live_mode(&self) -> Option<LiveMode> {
        let on = self.live.unwrap_or_else(|| self.root.is_some() || discover::live::default_on(&self.paths));
        let clock = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        on.then(|| LiveMode {
            root: self.root.clone().unwrap_or_else(|| PathBuf::from("/")),
            expiry_days: self.config.cert_expiry_days.unwrap_or(30),
            now: self.now.unwrap_or_else(|| i64::try_from(clock).unwrap_or(i64::MAX)),
        })
    }

    /// What this run may read: the PATHs (under `--root`), or in live mode anywhere under
    /// the root but its pseudo-filesystems.
    pub fn scope(&self) -> discover::Scope {
        let trees = self.paths.iter().filter(|p| p.as_os_str() != "-").map(|p| self.under_root(p)).collect();
        discover::Scope::new(self.root.as_deref(), trees, self.live_mode().is_some())
    }

    /// A PATH as this run reads it: an absolute one under `--root`.
    fn under_root(&self, path: &Path) -> PathBuf {
        match (&self.root, path.strip_prefix("/")) {
            (Some(root), Ok(relative)) => root.join(relative),
            _ => path.to_path_buf(),
        }
    }
}

/// How the command line's `--base-url` values are shown in reports: as a file of their own,
/// one value a line.
pub const BASE_URL_SOURCE: &str = "--base-url";

/// Why a run could not happen.
#[derive(Debug)]
pub enum Error {
    /// A command-line path that does not exist or cannot be read.
    Path(PathError),
    /// Standard input could not be read.
    Stdin(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Path(e) => write!(f, "cannot lint `{}`: {}", e.path.display(), e.error),
            Error::Stdin(e) => write!(f, "cannot read standard input: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Lints `options.paths` and returns the sorted findings with the files they are in.
pub fn lint(options: &Options) -> Result<Report, Error> {
    let (found, homes) = find(options, &options.scope())?;
    let mut report = lint_found(found, options);
    report.homes = homes;
    Ok(report)
}

/// The files of a run, `lint` and `graph` alike: standard input, the PATHs (under `--root`),
/// and in live mode the places applications keep their configuration; with the homes live
/// mode found, as shown.
fn find(options: &Options, scope: &discover::Scope) -> Result<(Vec<Found>, Vec<String>), Error> {
    let mut found = Vec::new();
    let mut files: Vec<PathBuf> =
        options.paths.iter().filter(|p| p.as_os_str() != "-").map(|p| options.under_root(p)).collect();
    if options.paths.iter().any(|p| p.as_os_str() == "-") {
        found.push(read_stdin(options)?);
    }
    let live = options.live_mode();
    let mut places = discover::live::Found::default();
    if let Some(live) = &live {
        // `/` is not walked whole: its `/etc` and the places applications use are.
        let whole = |p: &PathBuf| p.as_path() == live.root || p.as_os_str() == "/";
        if files.iter().any(whole) {
            files.retain(|p| !whole(p));
            files.push(live.root.join("etc"));
        }
        places = discover::live::locate(scope);
    }
    found.extend(discover::discover_in(&files, &places.files, scope).map_err(Error::Path)?);
    let cwd = std::env::current_dir().ok();
    let homes = places.homes.iter().map(|h| discover::display_path(h, cwd.as_deref())).collect();
    Ok((found, homes))
}

/// Standard input, read up to the size limit like any file, and refused when binary.
fn read_stdin(options: &Options) -> Result<Found, Error> {
    let name = options.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
    let path = PathBuf::from(&name);
    let bytes = match discover::confine::read_capped(std::io::stdin().lock(), 0, discover::MAX_FILE_SIZE) {
        Ok(bytes) => bytes,
        Err(discover::Denied::Io(err)) => return Err(Error::Stdin(err)),
        Err(denied) => return Ok(Found::new(path, options.stdin_kind, Err(discover::problem(denied)))),
    };
    let kind = options.stdin_kind.or_else(|| discover::kind_of(&path, &bytes));
    let content = match kind {
        _ if discover::is_binary(&bytes) => Err(Problem::Binary),
        Some(_) => Ok(bytes),
        None => Err(Problem::UnknownKind),
    };
    Ok(Found::new(path, kind, content))
}

/// Apache's configuration dump (what `apache2 -t -D DUMP_CONFIG` prints) of the include
/// tree the main configuration `main` heads, as atl-lint reads it.
pub fn apache_dump(main: &Path) -> Result<Vec<syntax::apache_tree::DumpLine>, Error> {
    let scope = discover::Scope::new(None, vec![main.to_path_buf()], false);
    let found = discover::discover_in(&[main.to_path_buf()], &[], &scope).map_err(Error::Path)?;
    let (sources, _) = source_map(found);
    let mut parsed: Vec<syntax::Parsed<'_>> = sources.iter().filter(|f| f.linted).filter_map(syntax::parse).collect();
    let root = parsed.iter().position(|p| p.source.include_root.as_deref() == Some(p.source.display.as_str()));
    Ok(root.map(|root| syntax::apache_tree::dump(&mut parsed, root, &scope)).unwrap_or_default())
}

/// The resolved topology of `options.paths` as `atl-lint graph` prints it.
pub fn graph(options: &Options, format: report::graph::GraphFormat) -> Result<String, Error> {
    let scope = options.scope();
    let (found, _) = find(options, &scope)?;
    let (mut sources, _) = source_map(found);
    add_base_urls(&mut sources, options);
    let mut parsed: Vec<syntax::Parsed<'_>> = sources.iter().filter(|f| f.linted).filter_map(syntax::parse).collect();
    let apache_trees = syntax::apache_tree::read_all(&mut parsed, &scope);
    let declared = declared(&sources, options);
    // Every secret of every file, those of the `--base-url` values included, is masked in
    // the graph as in any report.
    let secrets = with_shown_only(&sources, parsed.iter().map(|p| (p.source.id, p.secrets())).collect());
    let redactor = report::Redactor::with_values(&sources, secrets.into_iter().flat_map(|(_, found)| found.values));
    let topology = model::build(&parsed, apache_trees, &declared);
    Ok(report::graph::render(&topology, &sources, &redactor, format))
}

/// Adds the `--base-url` values as a source of their own, and the config file when it
/// declares apps, so findings can point at either.
fn add_base_urls(sources: &mut SourceMap, options: &Options) {
    if !options.base_urls.is_empty() {
        let text = options.base_urls.join("\n");
        sources.add(|id| {
            let mut source =
                SourceFile::new(id, PathBuf::from(BASE_URL_SOURCE), BASE_URL_SOURCE.into(), None, text.into_bytes());
            source.linted = false;
            source
        });
    }
    let config = &options.config;
    if !config.apps.is_empty() {
        let display = discover::display_path(&config.path, std::env::current_dir().ok().as_deref());
        sources.add(|id| {
            let mut source = SourceFile::new(id, config.path.clone(), display, None, config.text.clone().into_bytes());
            source.linted = false;
            source
        });
    }
}

/// Every declared base URL: `--base-url` values and the config file's `[[app]]` entries.
fn declared<'s>(sources: &'s SourceMap, options: &'s Options) -> Vec<model::DeclaredBaseUrl<'s>> {
    let mut out: Vec<model::DeclaredBaseUrl<'s>> =
        sources.iter().find(|s| s.display == BASE_URL_SOURCE && !s.linted).map(declared_base_urls).unwrap_or_default();
    let config = &options.config;
    let Some(source) = sources.iter().find(|s| !s.linted && s.path == config.path) else { return out };
    for app in &config.apps {
        let (start, end) = app.span;
        let value_span = source::Span::new(source.id, (start + 1).min(end), end.saturating_sub(1).max(start));
        let setting = syntax::Setting {
            name: std::borrow::Cow::Borrowed("base-url"),
            name_span: source::Span::new(source.id, start, end),
            value: syntax::Value::new(std::borrow::Cow::Borrowed(app.base_url.as_str()), value_span),
            span: source::Span::new(source.id, start, end),
        };
        out.push(model::DeclaredBaseUrl { app: app.name.as_deref(), setting });
    }
    out
}

/// Lints files already found.
pub fn lint_found(found: Vec<Found>, options: &Options) -> Report {
    let (mut sources, problems) = source_map(found);
    add_base_urls(&mut sources, options);
    let (mut diagnostics, secrets, linked_routes) = check(&sources, &problems, options);
    for d in &mut diagnostics {
        if let Some((_, severity)) = options.config.severities.iter().find(|(id, _)| id == d.rule) {
            d.severity = *severity;
        }
    }
    for (file, found) in with_shown_only(&sources, secrets) {
        if let Some(source) = sources.get_mut(file) {
            source.secrets = found.spans.iter().chain(&found.user_names).map(|s| (s.start(), s.end())).collect();
            source.secret_values = found.values;
        }
    }
    if let Some(min) = options.min_severity {
        diagnostics.retain(|d| d.severity >= min);
    }
    let mut report = Report { sources, diagnostics, linked_routes, homes: Vec::new() };
    finish(&mut report);
    if !options.config.ignored_findings.is_empty() {
        let mut accepted = Accepted::new(&options.config);
        let sources = &report.sources;
        report.diagnostics.retain(|d| !accepted.contains(d, sources));
    }
    report
}

/// Whether an `[[ignore-finding]]` entry of the config file accepts a finding (paths are
/// relative to the config file's directory).
/// The `[[ignore-finding]]` entries of the configuration, looked up by what they name: a
/// baseline lists every finding of a run, and comparing each finding with each entry would
/// cost their product.
struct Accepted<'c> {
    config: &'c config::Config,
    /// Rule, path, line (`None`: any), fingerprint (`None`: any).
    entries: foldhash::HashSet<(&'c str, &'c str, Option<usize>, Option<&'c str>)>,
    /// Each file's path relative to the configuration, found once.
    paths: HashMap<source::FileId, String>,
}

impl<'c> Accepted<'c> {
    fn new(config: &'c config::Config) -> Self {
        let entries = config
            .ignored_findings
            .iter()
            .map(|e| (e.rule.as_str(), e.path.as_str(), e.line, e.fingerprint.as_deref()))
            .collect();
        Accepted { config, entries, paths: HashMap::new() }
    }

    /// Whether an entry accepts the finding: same rule, the file by its relative or shown
    /// path, the line and fingerprint when the entry gives them.
    fn contains(&mut self, d: &Diagnostic, sources: &SourceMap) -> bool {
        let Some(source) = sources.get(d.primary.span.file) else { return false };
        let config = self.config;
        let path = self.paths.entry(source.id).or_insert_with(|| {
            let dir = config.path.parent().unwrap_or(Path::new(""));
            config::relative_to(&source.path, dir)
        });
        let line = source.line_col(d.primary.span.start()).0;
        let paths = [path.as_str(), source.display.as_str()];
        paths.iter().any(|path| {
            [None, Some(line)].iter().any(|line| {
                [None, Some(d.fingerprint.as_str())]
                    .iter()
                    .any(|fingerprint| self.entries.contains(&(d.rule, *path, *line, *fingerprint)))
            })
        })
    }
}

/// The found files as sources, and the problems of those that could not be read.
fn source_map(found: Vec<Found>) -> (SourceMap, Vec<FileProblem>) {
    let cwd = std::env::current_dir().ok();
    let mut sources = SourceMap::default();
    let mut problems = Vec::new();
    for file in found {
        let display = discover::display_path(&file.path, cwd.as_deref());
        let (path, kind) = (file.path, file.kind);
        let include_root = file.include_root.map(|root| discover::display_path(&root, cwd.as_deref()));
        match file.content {
            Ok(bytes) => {
                sources.add(|id| {
                    let mut source = SourceFile::new(id, path, display, kind, bytes);
                    source.template = template::mask(&source.text, kind == Some(FileKind::TomcatServerXml));
                    source.include_root = include_root;
                    source
                });
            }
            Err(problem) => {
                let shown = display.clone();
                let id = sources.add(|id| SourceFile::unread(id, path, display, kind));
                problems.push(FileProblem { file: id, path: shown, problem });
            }
        }
    }
    (sources, problems)
}

type Secrets = Vec<(source::FileId, syntax::Secrets)>;

/// The secrets of the parsed files, and those of the files that are only shown (the
/// `--base-url` values, the config file), found in their text.
fn with_shown_only(sources: &SourceMap, mut parsed: Secrets) -> Secrets {
    let ids: foldhash::HashSet<source::FileId> = parsed.iter().map(|(file, _)| *file).collect();
    parsed.extend(sources.iter().filter(|s| !ids.contains(&s.id)).map(|s| (s.id, syntax::text_secrets(s))));
    parsed
}

/// The `--base-url` values, one a line of their source: `[APP=]URL`.
fn declared_base_urls(source: &SourceFile) -> Vec<model::DeclaredBaseUrl<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in source.text.split('\n') {
        let end = start + line.len();
        // `APP=` stands before the URL's `://`.
        let head = line.split("://").next().unwrap_or(line);
        let (app, url_start) = match head.split_once('=').filter(|_| line.contains("://")) {
            Some((app, _)) => (Some(app), app.len() + 1),
            None => (None, 0),
        };
        let url = line.get(url_start..).unwrap_or("");
        let name_span = source::Span::new(source.id, start, start + url_start.saturating_sub(1));
        let value =
            syntax::Value::new(std::borrow::Cow::Borrowed(url), source::Span::new(source.id, start + url_start, end));
        let setting = syntax::Setting {
            name: std::borrow::Cow::Borrowed(BASE_URL_SOURCE),
            name_span,
            value,
            span: source::Span::new(source.id, start, end),
        };
        out.push(model::DeclaredBaseUrl { app, setting });
        start = end + 1;
    }
    out
}

/// Parses, models and runs the selected rules; returns the findings, the secrets to mask
/// and how many routes were linked to a connector.
fn check(sources: &SourceMap, problems: &[FileProblem], options: &Options) -> (Vec<Diagnostic>, Secrets, usize) {
    let mut parsed: Vec<syntax::Parsed<'_>> = sources.iter().filter(|f| f.linted).filter_map(syntax::parse).collect();
    let live = options.live_mode();
    let apache_trees = syntax::apache_tree::read_all(&mut parsed, &options.scope());
    let declared = declared(sources, options);
    let cx = Context::new(
        &parsed,
        rules::ModelInputs { apache_trees, declared: &declared },
        problems,
        &options.config.known_directives,
        live.as_ref(),
    );
    let chosen: Vec<&'static dyn rules::Rule> =
        rules::ALL.iter().copied().filter(|rule| selected(rule.meta().id, options)).collect();
    // The secrets to mask are found alongside the rules (`run` runs the side job once).
    let all_secrets = || -> Secrets { parsed.iter().map(|p| (p.source.id, p.secrets())).collect() };
    let secrets = std::sync::OnceLock::new();
    let mut diagnostics = rules::run(&cx, &chosen, &|| {
        secrets.get_or_init(all_secrets);
    });
    // Never report without masking: should the side job not have run, find them here.
    let secrets = secrets.into_inner().unwrap_or_else(all_secrets);
    if !options.no_ignore_comments {
        rules::suppress::apply(&parsed, &mut diagnostics, &|id| selected(id, options));
    }
    let linked = cx.topology().route_links.iter().filter(|l| l.is_some()).count();
    (diagnostics, secrets, linked)
}

fn selected(id: &str, options: &Options) -> bool {
    if options.ignore.iter().any(|i| i == id) {
        return false;
    }
    options.select.as_ref().is_none_or(|s| s.iter().any(|i| i == id))
}

/// How far around the primary span the fingerprint reads the directive.
const FINGERPRINT_WINDOW: usize = 160;

/// Sorts findings and gives each its fingerprint.
fn finish(report: &mut Report) {
    // One finding once: a route read through several listeners of one proxy repeats it.
    let first = first_of_each(&report.diagnostics);
    let mut kept = first.into_iter();
    report.diagnostics.retain(|_| kept.next().unwrap_or(true));
    let redactor = report::Redactor::new(&report.sources);
    let sources = &report.sources;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in &mut report.diagnostics {
        let Some(file) = sources.get(d.primary.span.file) else {
            continue;
        };
        let text = redactor.text(file.id);
        let span_text = text.get(d.primary.span.start()..d.primary.span.end()).unwrap_or("");
        // The directive around the span: its lines, cut to a bounded window so that a
        // one-line file with thousands of findings stays linear.
        let (line_start, _) = file.line_range(file.line_index(d.primary.span.start()));
        let (_, line_end) = file.line_range(file.line_index(d.primary.span.end()));
        let from = file.clamp(line_start.max(d.primary.span.start().saturating_sub(FINGERPRINT_WINDOW)));
        let to = file.clamp(line_end.min(d.primary.span.end().saturating_add(FINGERPRINT_WINDOW)));
        let directive = text.get(from..to.max(from)).unwrap_or("");
        let key = format!("{}\0{}\0{}\0{}", d.rule, file.display, normalize(span_text), normalize(directive));
        let occurrence = seen.entry(key.clone()).or_insert(0);
        *occurrence += 1;
        d.fingerprint = format!("{:016x}", fnv1a(&format!("{key}\0{occurrence}")));
    }
    fn key<'d>(sources: &'d SourceMap, d: &'d Diagnostic) -> (&'d str, usize, usize, &'static str, &'d str) {
        let file = sources.get(d.primary.span.file);
        let line = file.map_or(0, |f| f.line_index(d.primary.span.start()));
        // Within a line, byte offsets order like columns.
        (file.map_or("", |f| f.display.as_str()), line, d.primary.span.start(), d.rule, d.message.as_str())
    }
    // Indices are sorted, not the findings or copies of their keys: either would cost a
    // finding's size again for each of them.
    let diagnostics = &report.diagnostics;
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by(|&a, &b| {
        diagnostics.get(a).map(|d| key(sources, d)).cmp(&diagnostics.get(b).map(|d| key(sources, d)))
    });
    apply_order(&mut report.diagnostics, order);
}

/// For each finding, whether it is the first with its rule, primary span and message.
fn first_of_each(diagnostics: &[Diagnostic]) -> Vec<bool> {
    let key = |i: usize| {
        diagnostics
            .get(i)
            .map(|d| (d.rule, d.primary.span.file, d.primary.span.start(), d.primary.span.end(), d.message.as_str()))
    };
    // Sorting indices keeps equal findings together, the earliest first, without a set of
    // copied messages.
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    let mut first = vec![true; diagnostics.len()];
    for pair in order.windows(2) {
        if let [a, b] = *pair {
            if key(a) == key(b) {
                if let Some(slot) = first.get_mut(b) {
                    *slot = false;
                }
            }
        }
    }
    first
}

/// Puts `items` in the order `order` lists their indices (each index once), in place:
/// `items[k]` becomes what `items[order[k]]` was.
fn apply_order<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        // Each cycle of the permutation is walked once; a place already filled points at
        // itself.
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = std::mem::replace(slot, at);
            if from == start || from == at || from >= items.len() {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// FNV-1a, 64 bits: a stable hash (Rust's own hasher is randomised per process).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Whether `path` is one of the files of a report (to refuse overwriting it).
pub fn is_linted_path(report: &Report, path: &Path) -> bool {
    let target = std::fs::canonicalize(path).ok();
    report.sources.iter().any(|f| target.is_some() && std::fs::canonicalize(&f.path).ok() == target)
}

#[cfg(test)]
mod tests {
    use super::apply_order;

    #[test]
    fn findings_are_put_in_order_in_place() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        apply_order(&mut items, vec![3, 0, 4, 1, 2, 5]);
        assert_eq!(items, vec!['d', 'a', 'e', 'b', 'c', 'f']);
        let mut reversed: Vec<usize> = (0..100).collect();
        apply_order(&mut reversed, (0..100).rev().collect());
        assert_eq!(reversed, (0..100).rev().collect::<Vec<_>>());
    }
}
