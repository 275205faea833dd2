//! Findings: one `Diagnostic` type for every rule, with a primary label and related labels.

use std::fmt;

use crate::source::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails a build by default.
    Info,
    /// Likely wrong or risky.
    Warning,
    /// The setup is broken or unsafe.
    Error,
}

impl Severity {
    /// The name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A span with what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What the span is.
    pub message: String,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The rule id.
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The span that must change.
    pub primary: Label,
    /// Spans that disagree with it, possibly in other files.
    pub related: Vec<Label>,
    /// What to change.
    pub help: Option<String>,
    /// Stable identity for baselines and SARIF, set when the report is assembled.
    pub fingerprint: String,
    /// The change that resolves it, when a rule can write it.
    pub fix: Option<Box<Fix>>,
}

/// Whether a fix may be applied without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// The result is what the documentation says, and changes nothing beyond the finding.
    Safe,
    /// It changes what users see (a host name, a scheme, a path): applied with
    /// `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    /// The name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One text edit: the bytes of `span` replaced by `content` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    /// What is replaced.
    pub span: Span,
    /// What replaces it.
    pub content: String,
}

/// A finding's fix: edits, possibly in several files, applied together or not at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, in one line (`set scheme="https"`).
    pub description: String,
    /// Whether it is applied by `--fix` or only with `--unsafe-fixes`.
    pub applicability: Applicability,
    /// The edits, in no particular order; none overlaps another.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix of `edits`; `None` when there is none.
    pub fn new(description: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Option<Fix> {
        (!edits.is_empty()).then(|| Fix { description: exact(description.into()), applicability, edits })
    }
}

impl Diagnostic {
    /// Adds a related span.
    pub fn related(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.related.push(Label { span, message: message.into() });
        self
    }

    /// Overrides the rule's default severity for this finding (a rule whose findings differ
    /// in weight, such as a keyword refused versus one only ignored).
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    /// Attaches a fix (nothing when `fix` is `None`).
    pub fn fix(&mut self, fix: Option<Fix>) -> &mut Self {
        if let Some(fix) = fix {
            self.fix = Some(Box::new(fix));
        }
        self
    }

    /// Sets the help text.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(exact(help.into()));
        self
    }
}

/// A finding's text without the spare room `format!` leaves: a run can hold hundreds of
/// thousands of findings until they are sorted.
pub(crate) fn exact(mut text: String) -> String {
    text.shrink_to_fit();
    text
}
