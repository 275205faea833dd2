//! `.atl-lint.toml`: found from the first PATH's directory upward to the repository root,
//! every key checked (an unknown key or rule id is an error naming the nearest valid one).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::suggest::nearest;

/// The file name looked for.
pub const FILE_NAME: &str = ".atl-lint.toml";

/// A read configuration file.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// `fail-on`.
    pub fail_on: Option<String>,
    /// `ignore`.
    pub ignore: Vec<String>,
    /// `select`.
    pub select: Option<Vec<String>>,
    /// `known-directives`: third-party Apache directives.
    pub known_directives: Vec<String>,
    /// `identity-headers`: more request headers that carry the user's identity.
    pub identity_headers: Vec<String>,
    /// `exclude`: gitignore globs the walk leaves out, relative to each PATH.
    pub exclude: Vec<String>,
    /// `cert-expiry-days`: how early an expiring certificate is reported.
    pub cert_expiry_days: Option<u32>,
    /// `min-proxy-timeout`: the shortest proxy inactivity timeout, in seconds, on a route to
    /// Bitbucket.
    pub min_proxy_timeout: Option<u64>,
    /// `min-websocket-idle`: the shortest idle limit, in seconds, on an HAProxy route that
    /// carries Synchrony's WebSockets.
    pub min_websocket_idle: Option<u64>,
    /// `min-request-body`: the smallest request-body limit, in bytes, on a route to any app
    /// (instead of each app's own).
    pub min_request_body: Option<u64>,
    /// `[rules.ID] severity`.
    pub severities: Vec<(String, Severity)>,
    /// `[[app]]` entries.
    pub apps: Vec<App>,
    /// The file's text, for pointing at its values.
    pub text: String,
    /// `[versions]`.
    pub versions: Vec<(String, String)>,
    /// `[[ignore-finding]]`.
    pub ignored_findings: Vec<IgnoredFinding>,
}

/// A release a configuration targets: `2.8` (any patch level) or `2.6.12`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Release {
    /// The major version.
    pub major: u32,
    /// The minor version (`0` when not written).
    pub minor: u32,
    /// The patch level, when written.
    pub patch: Option<u32>,
}

impl Config {
    /// `[versions] program` as `(major, minor)` (`2.8.5` is `(2, 8)`, `9` is `(9, 0)`).
    pub fn version(&self, program: &str) -> Option<(u32, u32)> {
        self.release(program).map(|r| (r.major, r.minor))
    }

    /// `[versions] program` as written: `2.8` targets every 2.8 release, `2.6.12` one.
    pub fn release(&self, program: &str) -> Option<Release> {
        let (_, version) = self.versions.iter().find(|(name, _)| name == program)?;
        let mut parts = version.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        let patch = match parts.next() {
            Some(patch) => Some(patch.parse().ok()?),
            None => None,
        };
        Some(Release { major, minor, patch })
    }
}

/// An `[[app]]` entry: which app, and its base URL with the byte range of its value.
#[derive(Debug, Clone)]
pub struct App {
    /// `name`: a product or a context path.
    pub name: Option<String>,
    /// `base-url`.
    pub base_url: String,
    /// Where the `base-url` string is in the file (quotes included).
    pub span: (usize, usize),
}

/// A finding the configuration accepts (a baseline entry).
#[derive(Debug, Clone)]
pub struct IgnoredFinding {
    /// The rule id.
    pub rule: String,
    /// The file, relative to the configuration file's directory.
    pub path: String,
    /// Only on this line.
    pub line: Option<usize>,
    /// Only this finding.
    pub fingerprint: Option<String>,
    /// Where the entry's `rule` value is in the file (quotes included), for a finding
    /// about a stale entry.
    pub span: (usize, usize),
}

/// An `[[ignore-finding]]` entry as written.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawIgnoredFinding {
    rule: toml::Spanned<String>,
    path: String,
    line: Option<usize>,
    fingerprint: Option<String>,
}

/// The file as written: every key is a field here, and any other key is refused (with the
/// nearest known one suggested, see [`unknown_key`]).
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    fail_on: Option<String>,
    #[serde(default)]
    ignore: Vec<String>,
    select: Option<Vec<String>>,
    #[serde(default)]
    known_directives: Vec<String>,
    #[serde(default)]
    identity_headers: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    cert_expiry_days: Option<u32>,
    min_proxy_timeout: Option<u64>,
    min_websocket_idle: Option<u64>,
    min_request_body: Option<u64>,
    #[serde(default)]
    rules: std::collections::BTreeMap<String, RawRule>,
    #[serde(default)]
    app: Vec<RawApp>,
    #[serde(default)]
    versions: RawVersions,
    #[serde(default)]
    ignore_finding: Vec<RawIgnoredFinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    severity: String,
}

/// `[versions]`: the target version of each program, for version-dependent rules.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawVersions {
    haproxy: Option<String>,
    apache: Option<String>,
    tomcat: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawApp {
    name: Option<String>,
    base_url: toml::Spanned<String>,
}

/// The configuration file for a run: `explicit` if given, else the nearest
/// `.atl-lint.toml` from the first path's directory up to the repository root.
pub fn find(explicit: Option<&Path>, paths: &[PathBuf]) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let first = paths.iter().find(|p| p.as_os_str() != "-").cloned().unwrap_or_else(|| PathBuf::from("."));
    let start = if first.is_dir() { first } else { first.parent().map(Path::to_path_buf).unwrap_or_default() };
    let start = std::fs::canonicalize(if start.as_os_str().is_empty() { Path::new(".") } else { &start }).ok()?;
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// A configuration file is a few kilobytes; a larger one is refused.
const MAX_CONFIG_SIZE: u64 = 4 << 20;

/// Reads a configuration file: a regular file (links followed: the user named it or it sits
/// in the repository), at most [`MAX_CONFIG_SIZE`] bytes whatever its size claims.
pub fn read(path: &Path) -> Result<String, String> {
    use crate::confine::{self, Denied};
    let shown = path.display();
    let real = std::fs::canonicalize(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let bytes = confine::open_regular(&real)
        .and_then(|(file, metadata)| confine::read_capped(file, metadata.len(), MAX_CONFIG_SIZE))
        .map_err(|denied| match denied {
            Denied::NotRegular => format!("`{shown}` is not a regular file"),
            Denied::TooLarge(size) => {
                format!("`{shown}` is {size} bytes, over the {} MiB limit", MAX_CONFIG_SIZE >> 20)
            }
            Denied::Io(e) => format!("cannot read `{shown}`: {e}"),
            Denied::Outside(_) => format!("cannot read `{shown}`"),
        })?;
    String::from_utf8(bytes).map_err(|_| format!("`{shown}` is not UTF-8 text"))
}

/// Whether a configuration file found by searching (not named by the user) stays in its
/// directory: a repository's `.atl-lint.toml` linked to a file elsewhere is not read.
pub fn stays_in_its_directory(path: &Path) -> bool {
    let dir = path
        .parent()
        .and_then(|d| std::fs::canonicalize(if d.as_os_str().is_empty() { Path::new(".") } else { d }).ok());
    match (std::fs::canonicalize(path), dir) {
        (Ok(real), Some(dir)) => real.starts_with(dir),
        _ => false,
    }
}

/// Reads and checks a configuration file; `rule_ids` are the rules it may name.
pub fn load(path: &Path, rule_ids: &[&str]) -> Result<Config, String> {
    let text = read(path)?;
    let shown = path.display();
    // Deserialised from the text (not a table) so that values keep their spans.
    let raw: Raw = toml::from_str(&text).map_err(|e: toml::de::Error| {
        unknown_key(&e, &text).unwrap_or_else(|| format!("`{shown}`: {}", e.message()))
    })?;
    for id in raw.rules.keys() {
        check_rule(id, &format!("[rules.{id}]"), rule_ids)?;
    }
    for id in raw.ignore.iter().chain(raw.select.iter().flatten()) {
        check_rule(id, "a rule list", rule_ids)?;
    }
    for finding in &raw.ignore_finding {
        check_rule(finding.rule.get_ref(), "[[ignore-finding]]", rule_ids)?;
    }
    if let Some(fail_on) = &raw.fail_on {
        one_of(fail_on, &["error", "warning", "info", "never"], "fail-on")?;
    }
    let mut severities = Vec::new();
    for (id, rule) in raw.rules {
        let severity = match one_of(&rule.severity, &["error", "warning", "info"], &format!("rules.{id}.severity"))? {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        };
        severities.push((id, severity));
    }
    let apps = raw
        .app
        .into_iter()
        .map(|app| {
            let range = app.base_url.span();
            App { name: app.name, base_url: app.base_url.into_inner(), span: (range.start, range.end) }
        })
        .collect();
    Ok(Config {
        path: path.to_path_buf(),
        fail_on: raw.fail_on,
        ignore: raw.ignore,
        select: raw.select,
        known_directives: raw.known_directives,
        identity_headers: raw.identity_headers,
        exclude: raw.exclude,
        cert_expiry_days: raw.cert_expiry_days,
        min_proxy_timeout: raw.min_proxy_timeout,
        min_websocket_idle: raw.min_websocket_idle,
        min_request_body: raw.min_request_body,
        severities,
        apps,
        text,
        versions: versions(raw.versions)?,
        ignored_findings: raw
            .ignore_finding
            .into_iter()
            .map(|entry| {
                let range = entry.rule.span();
                IgnoredFinding {
                    rule: entry.rule.into_inner(),
                    path: entry.path,
                    line: entry.line,
                    fingerprint: entry.fingerprint,
                    span: (range.start, range.end),
                }
            })
            .collect(),
    })
}

/// toml's "unknown field `x`, expected one of `a`, `b`" as a message that names the key with
/// its table (`rules.tls-legacy-protocol.severty`) and suggests the nearest known one.
fn unknown_key(error: &toml::de::Error, text: &str) -> Option<String> {
    let rest = error.message().strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let prefix = error.span().map(|span| table_of(text, span.start)).unwrap_or_default();
    let near = nearest(key, known.iter().copied(), (key.len() / 3).max(3));
    let hint = near.first().map(|n| format!("; did you mean `{prefix}{n}`?")).unwrap_or_default();
    Some(format!("unknown key `{prefix}{key}` in the config file{hint}"))
}

/// The table a byte of the file stands in, as a key prefix: `rules.x.` under `[rules.x]`,
/// `app.` under `[[app]]`, nothing at the top.
fn table_of(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let header = before.lines().rev().map(str::trim).find(|line| line.starts_with('['));
    match header {
        Some(header) => format!("{}.", header.trim_matches(['[', ']']).trim()),
        None => String::new(),
    }
}

/// `[versions]`, each a version number such as `2.8`, `2.4.58` or `9.0`.
fn versions(raw: RawVersions) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, value) in [("haproxy", raw.haproxy), ("apache", raw.apache), ("tomcat", raw.tomcat)] {
        let Some(value) = value else { continue };
        let parts: Vec<&str> = value.split('.').collect();
        let numeric = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !numeric || parts.len() > 3 {
            return Err(format!(
                "`versions.{name}` is `{value}`; it must be a version number such as `2.8` or `2.4.58`"
            ));
        }
        out.push((name.to_string(), value));
    }
    Ok(out)
}

fn check_rule(id: &str, place: &str, rule_ids: &[&str]) -> Result<(), String> {
    if rule_ids.contains(&id) {
        return Ok(());
    }
    let near = nearest(id, rule_ids.iter().copied(), (id.len() / 3).max(3));
    let hint = near.first().map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
    Err(format!("unknown rule `{id}` in {place} of the config file{hint}"))
}

fn one_of<'v>(value: &str, allowed: &[&'v str], key: &str) -> Result<&'v str, String> {
    allowed.iter().copied().find(|a| *a == value).ok_or_else(|| {
        format!(
            "`{key}` is `{value}`; it must be one of {}",
            allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Marks around the entries `--write-baseline` writes, so that writing again replaces them.
pub const BASELINE_BEGIN: &str = "# atl-lint baseline: begin (written by --write-baseline)";
/// See [`BASELINE_BEGIN`].
pub const BASELINE_END: &str = "# atl-lint baseline: end";

/// `existing` with its baseline block replaced by `block` (or `block` appended).
pub fn with_baseline(existing: &str, block: &str) -> String {
    let kept = match (existing.find(BASELINE_BEGIN), existing.find(BASELINE_END)) {
        (Some(begin), Some(end)) if end > begin => {
            let after = existing.get(end + BASELINE_END.len()..).unwrap_or("").trim_start_matches('\n');
            format!("{}{after}", existing.get(..begin).unwrap_or(""))
        }
        _ => existing.to_string(),
    };
    let mut out = kept.trim_end().to_string();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(block);
    out
}
