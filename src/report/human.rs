//! The human report: miette's graphical rendering of each finding, secrets masked.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{Redactor, Report};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap, Span};

/// How to render.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Line width for wrapping.
    pub width: usize,
}

/// Renders every finding.
pub fn render(report: &Report, style: Style) -> String {
    let redactor = report.redactor();
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        let shown = Shown::new(diagnostic, &report.sources, &redactor);
        if handler.render_report(&mut out, &shown).is_err() {
            out.push_str(&format!("{}: {}\n", diagnostic.rule, redactor.scrub(&diagnostic.message)));
        }
        out.push('\n');
    }
    out
}

/// One finding in miette's terms: the primary file's snippet, with related snippets in
/// other files as nested reports.
#[derive(Debug)]
struct Shown {
    header: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<String>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Shown>,
}

impl Shown {
    fn new(d: &Diagnostic, sources: &SourceMap, redactor: &Redactor) -> Self {
        let file = d.primary.span.file;
        let mut labels = vec![labeled(&d.primary, redactor, true)];
        let mut elsewhere: Vec<(FileId, Vec<&Label>)> = Vec::new();
        for label in &d.related {
            if label.span.file == file {
                labels.push(labeled(label, redactor, false));
            } else if let Some((_, group)) = elsewhere.iter_mut().find(|(f, _)| *f == label.span.file) {
                group.push(label);
            } else {
                elsewhere.push((label.span.file, vec![label]));
            }
        }
        let related = elsewhere
            .into_iter()
            .map(|(other, group)| Shown {
                header: format!("related: {}", group.first().map_or("", |l| l.message.as_str())),
                severity: miette::Severity::Advice,
                help: None,
                source: named(sources, redactor, other),
                labels: group.into_iter().map(|l| labeled(l, redactor, false)).collect(),
                related: Vec::new(),
            })
            .collect();
        Shown {
            header: format!("{}[{}]: {}", d.severity, d.rule, redactor.scrub(&d.message)),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            help: d.help.as_deref().map(|h| redactor.scrub(h)),
            source: named(sources, redactor, file),
            labels,
            related,
        }
    }
}

fn named(sources: &SourceMap, redactor: &Redactor, file: FileId) -> Option<NamedSource<Arc<String>>> {
    let source = sources.get(file)?;
    if !source.linted {
        return None;
    }
    Some(NamedSource::new(&source.display, redactor.text(file)))
}

fn labeled(label: &Label, redactor: &Redactor, primary: bool) -> LabeledSpan {
    let Span { start, end, .. } = label.span;
    let span = SourceSpan::new(start.into(), end.saturating_sub(start));
    let text = Some(redactor.scrub(&label.message));
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Shown {}

impl miette::Diagnostic for Shown {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
