//! The human report: miette's graphical rendering of each finding, secrets masked and control
//! characters of the input escaped (whatever the colour setting, they would drive the terminal).

use std::cell::OnceCell;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{escape_controls, Redactor, Report};
use crate::diagnostic::{Applicability, Diagnostic, Label, Severity};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// How to render.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Line width for wrapping.
    pub width: usize,
    /// Rule ids as hyperlinks to their pages (OSC 8), for terminals that show them.
    pub links: bool,
}

/// Renders every finding.
pub fn render(report: &Report, style: Style) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, style, &mut out);
    super::pretty::into_string(out)
}

/// Writes every finding, each as soon as it is rendered.
pub fn write(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let redactor = report.redactor();
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        // A path, a directive, a cipher or a URL is never cut in two, not even at a hyphen:
        // lines break at spaces only, and a longer word overflows the line.
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        // Related spans in other files read as part of their finding, not as findings.
        .with_show_related_as_nested(true)
        .with_links(false);
    let line_indexes = LineIndexes::new(&report.sources);
    let files = Files { sources: &report.sources, redactor: &redactor, line_indexes: &line_indexes };
    let mut text = String::new();
    for diagnostic in &report.diagnostics {
        text.clear();
        let shown = Shown::new(diagnostic, &files, style.links);
        if handler.render_report(&mut text, &shown).is_err() {
            text.push_str(&format!("{}: {}\n", diagnostic.rule, printed(&redactor, &diagnostic.message)));
        }
        text.push('\n');
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// Each file's line index, copied once into a shared buffer when a finding first shows the
/// file: a copy per finding would cost findings × lines.
struct LineIndexes {
    shared: Vec<OnceCell<Arc<[u32]>>>,
}

impl LineIndexes {
    fn new(sources: &SourceMap) -> Self {
        LineIndexes { shared: sources.iter().map(|_| OnceCell::new()).collect() }
    }

    fn get(&self, source: &SourceFile) -> Arc<[u32]> {
        match self.shared.get(source.id().0 as usize) {
            Some(cell) => cell.get_or_init(|| Arc::from(source.line_starts())).clone(),
            None => Arc::from(source.line_starts()),
        }
    }
}

/// What rendering a finding reads about the files of the run.
struct Files<'r> {
    sources: &'r SourceMap,
    redactor: &'r Redactor<'r>,
    line_indexes: &'r LineIndexes,
}

/// One finding in miette's terms: the primary file's snippet, with related snippets in
/// other files as nested reports.
#[derive(Debug)]
struct Shown {
    header: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Window>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Shown>,
}

impl Shown {
    fn new(d: &Diagnostic, files: &Files<'_>, links: bool) -> Self {
        let (sources, redactor) = (files.sources, files.redactor);
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
            .map(|(other, group)| {
                let spans: Vec<Span> = group.iter().map(|l| l.span).collect();
                let source = named(files, other, &spans);
                let mut header =
                    format!("related: {}", printed(redactor, group.first().map_or("", |l| l.message.as_str())));
                if source.is_none() {
                    header.push_str(&format!(
                        " ({})",
                        location(sources, spans.first().copied().unwrap_or(d.primary.span))
                    ));
                }
                Shown {
                    header,
                    severity: miette::Severity::Advice,
                    help: None,
                    source,
                    labels: group.into_iter().map(|l| labeled(l, redactor, false)).collect(),
                    related: Vec::new(),
                }
            })
            .collect();
        let mut spans = vec![d.primary.span];
        spans.extend(d.related.iter().filter(|l| l.span.file == file).map(|l| l.span));
        let source = named(files, file, &spans);
        let rule = super::linked_rule(d.rule, links);
        let mut header = format!("{}[{rule}]: {}", d.severity, printed(redactor, &d.message));
        if source.is_none() && sources.get(file).is_some_and(|f| f.linted()) {
            header.push_str(&format!("\n  at {}", location(sources, d.primary.span)));
        }
        Shown {
            header,
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            help: shown_help(redactor, d),
            source,
            labels,
            related,
        }
    }
}

/// Lines longer than this are not shown as snippets: a minified one-line file would make every
/// finding print megabytes (and the renderer cannot pad past 65535 columns).
const MAX_SNIPPET_LINE: usize = 400;

fn named(files: &Files<'_>, file: FileId, spans: &[Span]) -> Option<NamedSource<Window>> {
    let source = files.sources.get(file)?;
    if source.text().is_empty() || !spans.iter().all(|s| snippet_fits(source, *s)) {
        return None;
    }
    // A file that is only shown (a defaults file, the config file) shows the lines a
    // finding points at and no others: the lines around them are nobody's finding and
    // may hold what no parser looked at.
    let window = Window {
        text: files.redactor.text(file),
        line_starts: files.line_indexes.get(source),
        context: source.linted(),
    };
    Some(NamedSource::new(escape_controls(source.display()), window))
}

/// A file's text that hands miette only the lines around a span, found with the line
/// index, so rendering a finding costs its snippet and not the whole file.
#[derive(Debug)]
struct Window {
    text: Arc<String>,
    line_starts: Arc<[u32]>,
    /// Show lines around a span.
    context: bool,
}

impl Window {
    fn line_of(&self, offset: usize) -> usize {
        crate::source::line_of(&self.line_starts, offset)
    }

    fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).map(|&start| start as usize)
    }
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let whole;
        // The column a header shows is the span's own, whatever lines the snippet holds.
        let mut column = None;
        let (span, before, after) = if self.context {
            (span, before, after)
        } else {
            // No lines around, but the span's own lines whole: miette would start the
            // snippet at the span and leave out the key before a value.
            let start = self.line_start(self.line_of(span.offset())).unwrap_or(0);
            let next = self.line_start(self.line_of(span.offset() + span.len()) + 1).unwrap_or(self.text.len());
            let end = self.text.get(..next).map_or(next, |t| t.trim_end_matches(['\n', '\r']).len()).max(start);
            whole = SourceSpan::new(start.into(), end - start);
            column = self.text.get(start..span.offset()).map(|head| head.chars().count());
            (&whole, 0, 0)
        };
        let first_line = self.line_of(span.offset()).saturating_sub(before + 1);
        let last_line = self.line_of(span.offset() + span.len()) + after + 2;
        let start = self.line_start(first_line).unwrap_or(0);
        let end = self.line_start(last_line).unwrap_or(self.text.len()).min(self.text.len());
        let window = self.text.get(start..end).ok_or(miette::MietteError::OutOfBounds)?;
        let local = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let contents = window.read_span(&local, before, after)?;
        let shifted = SourceSpan::new((contents.span().offset() + start).into(), contents.span().len());
        Ok(Box::new(miette::MietteSpanContents::new(
            contents.data(),
            shifted,
            contents.line() + first_line,
            column.unwrap_or(contents.column()),
            contents.line_count() + first_line,
        )))
    }
}

/// Whether the lines a snippet shows for `span` (one line of context each side) are short.
fn snippet_fits(source: &SourceFile, span: Span) -> bool {
    let first = source.line_index(span.start()).saturating_sub(1);
    let last = source.line_index(span.end()).saturating_add(1);
    (first..=last).all(|line| {
        let (start, end) = source.line_range(line);
        end.saturating_sub(start) <= MAX_SNIPPET_LINE
    })
}

/// `path:line:col`, for findings shown without a snippet.
fn location(sources: &SourceMap, span: Span) -> String {
    let Some(source) = sources.get(span.file) else { return String::new() };
    let (line, column) = source.line_col(span.start());
    format!("{}:{line}:{column}", escape_controls(source.display()))
}

fn labeled(label: &Label, redactor: &Redactor, primary: bool) -> LabeledSpan {
    let span = SourceSpan::new(label.span.start().into(), label.span.len());
    let text = Some(printed(redactor, &label.message));
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// The help line, then the fix when there is one and how to apply it.
fn shown_help(redactor: &Redactor<'_>, d: &Diagnostic) -> Option<String> {
    let fix = d.fix.as_deref().map(|fix| {
        let how = match fix.applicability {
            Applicability::Safe => "`--fix`",
            Applicability::Unsafe => "`--unsafe-fixes`",
        };
        format!("fix ({}, with {how}): {}", fix.applicability.name(), printed(redactor, &fix.description))
    });
    match (d.help.as_deref().map(|h| printed(redactor, h)), fix) {
        (Some(help), Some(fix)) => Some(format!("{help}\n{fix}")),
        (help, fix) => help.or(fix),
    }
}

/// A message, label or help as printed: secrets masked, control characters escaped.
fn printed(redactor: &Redactor, text: &str) -> String {
    escape_controls(&redactor.scrub(text)).into_owned()
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
