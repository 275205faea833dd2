//! Finishing a run: severities from the config file, the minimum severity, one finding
//! once, fingerprints, order, and the findings a baseline accepts (and its entries that
//! accept nothing).

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};

use super::baseline::relative_to;
use super::{Redactor, Report};
use crate::config::{Config, IgnoredFinding};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::discover;
use crate::settings::Settings;
use crate::source::{self, FileId, SourceMap, Span};

/// The rule that reports a suppression, or a baseline entry, that suppressed nothing.
const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// A run's report finished: the rules' findings (suppressions applied) as the settings
/// want them, each once, fingerprinted and in order. `config` is the config file as a
/// source, when the run shows it.
pub fn finish(mut report: Report, settings: &Settings, config: Option<FileId>) -> Report {
    order(&mut report);
    if !settings.config.ignored_findings.is_empty() {
        // Before the minimum severity: an entry whose finding is only hidden is not stale.
        let mut accepted = Accepted::new(&settings.config);
        let sources = &report.sources;
        report.diagnostics.retain(|d| !accepted.contains(d, sources));
        let stale = config.map(|config| accepted.stale(&report.sources, settings, config)).unwrap_or_default();
        if !stale.is_empty() {
            report.diagnostics.extend(stale);
            order(&mut report);
        }
    }
    let diagnostics = &mut report.diagnostics;
    for d in diagnostics.iter_mut() {
        if let Some(severity) = settings.severity(d.rule) {
            d.severity = severity;
        }
    }
    if let Some(min) = settings.min_severity {
        diagnostics.retain(|d| d.severity >= min);
    }
    report
}

/// How far around the primary span the fingerprint reads the directive.
const FINGERPRINT_WINDOW: usize = 160;

/// Drops repeated findings, gives each its fingerprint, and sorts them.
fn order(report: &mut Report) {
    // One finding once: a route read through several listeners of one proxy repeats it.
    let first = first_of_each(&report.diagnostics);
    let mut kept = first.into_iter();
    report.diagnostics.retain(|_| kept.next().unwrap_or(true));
    let redactor = Redactor::new(&report.sources, &report.secrets);
    let sources = &report.sources;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in &mut report.diagnostics {
        let Some(file) = sources.get(d.primary.span.file) else {
            continue;
        };
        let text = redactor.text(file.id());
        let span_text = text.get(d.primary.span.start()..d.primary.span.end()).unwrap_or("");
        // The directive around the span: its lines, cut to a bounded window so that a
        // one-line file with thousands of findings stays linear.
        let (line_start, _) = file.line_range(file.line_index(d.primary.span.start()));
        let (_, line_end) = file.line_range(file.line_index(d.primary.span.end()));
        let from = file.clamp(line_start.max(d.primary.span.start().saturating_sub(FINGERPRINT_WINDOW)));
        let to = file.clamp(line_end.min(d.primary.span.end().saturating_add(FINGERPRINT_WINDOW)));
        let directive = text.get(from..to.max(from)).unwrap_or("");
        let key = format!("{}\0{}\0{}\0{}", d.rule, file.display(), normalize(span_text), normalize(directive));
        let occurrence = seen.entry(key.clone()).or_insert(0);
        *occurrence += 1;
        d.fingerprint = format!("{:016x}", fnv1a(&format!("{key}\0{occurrence}")));
    }
    fn key<'d>(sources: &'d SourceMap, d: &'d Diagnostic) -> (&'d str, usize, usize, &'static str, &'d str) {
        let file = sources.get(d.primary.span.file);
        let line = file.map_or(0, |f| f.line_index(d.primary.span.start()));
        // Within a line, byte offsets order like columns.
        (file.map_or("", |f| f.display()), line, d.primary.span.start(), d.rule, d.message.as_str())
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

/// The `[[ignore-finding]]` entries of the configuration, looked up by what they name: a
/// baseline lists every finding of a run, and comparing each finding with each entry would
/// cost their product.
pub(crate) struct Accepted<'c> {
    config: &'c Config,
    /// Rule, path, line (`None`: any), fingerprint (`None`: any): the entries saying so.
    entries: HashMap<EntryKey<'c>, Vec<usize>>,
    /// Whether each entry accepted a finding.
    used: Vec<bool>,
    /// Each file's path relative to the configuration, found once.
    paths: HashMap<source::FileId, String>,
}

/// What an `[[ignore-finding]]` entry names: rule, path, line, fingerprint.
type EntryKey<'c> = (&'c str, &'c str, Option<usize>, Option<&'c str>);

impl<'c> Accepted<'c> {
    pub(crate) fn new(config: &'c Config) -> Self {
        let mut entries: HashMap<EntryKey<'c>, Vec<usize>> = HashMap::new();
        for (index, e) in config.ignored_findings.iter().enumerate() {
            entries
                .entry((e.rule.as_str(), e.path.as_str(), e.line, e.fingerprint.as_deref()))
                .or_default()
                .push(index);
        }
        Accepted { config, entries, used: vec![false; config.ignored_findings.len()], paths: HashMap::new() }
    }

    /// Whether an entry accepts the finding: same rule, the file by its relative or shown
    /// path, the line and fingerprint when the entry gives them. Every entry that does is
    /// marked used.
    pub(crate) fn contains(&mut self, d: &Diagnostic, sources: &SourceMap) -> bool {
        let Some(source) = sources.get(d.primary.span.file) else { return false };
        let config = self.config;
        let path = self.paths.entry(source.id()).or_insert_with(|| {
            let dir = config.path.parent().unwrap_or(Path::new(""));
            relative_to(source.path(), dir)
        });
        let line = source.line_col(d.primary.span.start()).0;
        let mut accepted = false;
        for path in [path.as_str(), source.display()] {
            for line in [None, Some(line)] {
                for fingerprint in [None, Some(d.fingerprint.as_str())] {
                    for &index in self.entries.get(&(d.rule, path, line, fingerprint)).into_iter().flatten() {
                        if let Some(used) = self.used.get_mut(index) {
                            *used = true;
                        }
                        accepted = true;
                    }
                }
            }
        }
        accepted
    }

    /// A finding for each entry that accepted nothing although this run judged what it
    /// names: its rule ran and its file was linted (or no longer exists under a directory
    /// the run walked). Entries about files the run did not look at are left alone.
    fn stale(&mut self, sources: &SourceMap, settings: &Settings, config: FileId) -> Vec<Diagnostic> {
        if !settings.selected(UNUSED_SUPPRESSION) {
            return Vec::new();
        }
        let dir = self.config.path.parent().unwrap_or(Path::new(""));
        for source in sources.iter().filter(|s| s.linted()) {
            self.paths.entry(source.id()).or_insert_with(|| relative_to(source.path(), dir));
        }
        // Each read file by its path from the config file and as shown.
        let shown = sources.iter().filter(|s| self.paths.contains_key(&s.id())).map(|s| s.display());
        let read: foldhash::HashSet<&str> = self.paths.values().map(String::as_str).chain(shown).collect();
        let walked: Vec<PathBuf> = settings
            .paths
            .iter()
            .filter(|p| p.is_dir())
            .map(|p| discover::normalize(&std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
            .collect();
        let home = discover::normalize(&std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()));
        let mut out = Vec::new();
        for (entry, used) in self.config.ignored_findings.iter().zip(&self.used) {
            if *used || !settings.selected(&entry.rule) {
                continue;
            }
            let why = if read.contains(entry.path.as_str()) {
                match entry.line {
                    Some(line) => format!("`{}` reports nothing on line {line} of `{}`", entry.rule, entry.path),
                    None => format!("`{}` reports nothing in `{}`", entry.rule, entry.path),
                }
            } else {
                let named = discover::normalize(&home.join(&entry.path));
                let gone = walked.iter().any(|w| named.starts_with(w))
                    && std::fs::symlink_metadata(&named).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
                if !gone {
                    continue;
                }
                format!("`{}` no longer exists", entry.path)
            };
            out.push(stale_entry(entry, config, why));
        }
        out
    }
}

/// The `unused-suppression` finding for a baseline entry that accepted nothing.
fn stale_entry(entry: &IgnoredFinding, config: FileId, why: String) -> Diagnostic {
    let (start, end) = entry.span;
    Diagnostic {
        rule: UNUSED_SUPPRESSION,
        severity: Severity::Warning,
        message: "baseline entry accepts nothing".into(),
        primary: Label { span: Span::new(config, start, end), message: format!("{why}: the entry is stale") },
        related: Vec::new(),
        help: Some("remove the `[[ignore-finding]]` entry, or write the baseline again with `--write-baseline`".into()),
        fingerprint: String::new(),
        fix: None,
    }
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
