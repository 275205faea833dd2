//! Reports: the finished run, its summary, and the renderers for each output format.

pub mod baseline;
pub mod bitbucket;
pub mod concise;
pub mod finish;
pub mod github;
pub mod gitlab;
pub mod graph;
pub mod human;
pub mod json;
mod pretty;
mod redact;
pub mod sarif;
pub mod secrets;

use std::sync::Arc;

pub use redact::{escape_controls, Redactor};
pub use secrets::Secrets;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};

/// The outcome of one run: every file seen and every finding, sorted.
#[derive(Debug)]
pub struct Report {
    /// Every file discovery found.
    pub sources: SourceMap,
    /// The secrets every output masks.
    pub secrets: Secrets,
    /// Findings, sorted by path, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Routes joined to connectors.
    pub linked_routes: usize,
    /// Application homes live mode found.
    pub homes: Vec<String>,
    /// The directory relative paths are shown from (the repository's top level, as a
    /// rule); `None` when every path is shown whole.
    pub shown_from: Option<std::path::PathBuf>,
    /// Whether live mode ran (this machine's homes and certificates were looked at).
    pub live: bool,
}

/// Finding counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Files linted.
    pub files: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Report {
    /// The files that were linted (read and of a known kind).
    pub fn linted_files(&self) -> impl Iterator<Item = &SourceFile> {
        self.sources.iter().filter(|f| f.linted() && f.kind().is_some())
    }

    /// Counts for the summary.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts { files: self.linted_files().count(), ..Counts::default() };
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }

    /// The one-line summary: `3 errors, 1 warning, 0 info in 12 files (5 linked routes)`.
    pub fn summary_line(&self) -> String {
        let c = self.counts();
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let mut line = format!(
            "{}, {}, {} info in {}",
            plural(c.errors, "error"),
            plural(c.warnings, "warning"),
            c.infos,
            plural(c.files, "file")
        );
        let mut notes = Vec::new();
        if self.linked_routes > 0 {
            notes.push(plural(self.linked_routes, "linked route"));
        }
        match (self.live, self.homes.is_empty()) {
            (true, false) => notes.push(format!("live mode, homes: {}", self.homes.join(", "))),
            (true, true) => notes.push("live mode, no application home found".to_string()),
            _ => {}
        }
        if !notes.is_empty() {
            line.push_str(&format!(" ({})", notes.join("; ")));
        }
        match crate::fix::fixable(self) {
            (0, 0) => {}
            (0, more) => line.push_str(&format!("; {more} fixable with `--unsafe-fixes`")),
            (safe, 0) => line.push_str(&format!("; {safe} fixable with `--fix`")),
            (safe, more) => line.push_str(&format!("; {safe} fixable with `--fix`, {more} more with `--unsafe-fixes`")),
        }
        // Home paths come from the file system: their control characters must not reach
        // the terminal.
        escape_controls(&line).into_owned()
    }

    /// Whether `path` is one of the files of the report (to refuse overwriting it).
    pub fn reads(&self, path: &std::path::Path) -> bool {
        let Ok(target) = std::fs::canonicalize(path) else { return false };
        self.sources.iter().any(|f| std::fs::canonicalize(f.path()).ok().as_ref() == Some(&target))
    }

    /// Masked copies of the file texts and secret values, for rendering.
    pub fn redactor(&self) -> Redactor<'_> {
        Redactor::new(&self.sources, &self.secrets)
    }
}

/// A file's text with secrets masked, shared between the findings that show it.
pub type SharedText = Arc<String>;

/// A span as reported: path and 1-based lines and columns, the end inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// The file's display path.
    pub path: String,
    /// First line.
    pub line: usize,
    /// First column, in characters.
    pub column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column of the last character.
    pub end_column: usize,
}

/// Where a span is, for the machine-readable formats.
pub fn region(sources: &SourceMap, span: crate::source::Span) -> Region {
    let Some(file) = sources.get(span.file) else {
        return Region { path: String::new(), line: 1, column: 1, end_line: 1, end_column: 1 };
    };
    let (line, column) = file.line_col(span.start());
    let (end_line, end_column) = if span.end() > span.start() {
        let last =
            file.text().get(..span.end()).and_then(|t| t.char_indices().next_back()).map_or(span.start(), |(i, _)| i);
        file.line_col(last.max(span.start()))
    } else {
        (line, column)
    };
    Region { path: file.display().to_string(), line, column, end_line, end_column }
}

/// Where an edit is: path, and the 1-based line and column of its first byte and of the
/// byte after it (an insertion starts and ends at one place).
pub fn edit_region(sources: &SourceMap, span: crate::source::Span) -> Region {
    let Some(file) = sources.get(span.file) else {
        return Region { path: String::new(), line: 1, column: 1, end_line: 1, end_column: 1 };
    };
    let (line, column) = file.line_col(span.start());
    let (end_line, end_column) = file.line_col(span.end());
    Region { path: file.display().to_string(), line, column, end_line, end_column }
}

/// Where a rule's documentation page is published (`docs/rules/<id>.md` of the repository).
pub fn rule_url(id: &str) -> String {
    format!("{}/blob/main/docs/rules/{id}.md", env!("CARGO_PKG_REPOSITORY"))
}

/// A rule id as a terminal hyperlink (OSC 8) to its documentation page when `links`, else
/// the bare id. A terminal that knows OSC 8 shows the id and opens the page on a click.
pub fn linked_rule(id: &str, links: bool) -> String {
    if links {
        format!("\u{1b}]8;;{}\u{1b}\\{id}\u{1b}]8;;\u{1b}\\", rule_url(id))
    } else {
        id.to_string()
    }
}
