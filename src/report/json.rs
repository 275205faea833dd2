//! The JSON report, version 1: one object with files, diagnostics and a summary.

use std::io::{self, Write};

use serde::Serialize;

use super::pretty::{into_string, Pretty};
use super::{region, Report};

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct File<'r> {
    path: &'r str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Finding {
    rule: &'static str,
    severity: &'static str,
    message: String,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    label: String,
    help: Option<String>,
    related: Vec<Related>,
    fingerprint: String,
    /// The change that resolves it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix>,
}

#[derive(Serialize)]
struct JsonFix {
    description: String,
    applicability: &'static str,
    edits: Vec<JsonEdit>,
}

/// One edit: the bytes from `start_byte` to `end_byte` (the same place as lines and
/// columns, the end exclusive) replaced by `content`.
#[derive(Serialize)]
struct JsonEdit {
    path: String,
    start_byte: usize,
    end_byte: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: String,
}

#[derive(Serialize)]
struct Related {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: String,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// Renders the report as pretty-printed JSON v1.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, &mut out);
    into_string(out)
}

/// Writes the report as pretty-printed JSON v1 (an object with `version`, `tool`, `files`,
/// `diagnostics` and `summary`), each finding serialised as it is written.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let redactor = report.redactor();
    let files = report.linted_files().filter_map(|f| Some(File { path: f.display(), kind: f.kind()?.name() }));
    let diagnostics = report.diagnostics.iter().map(|d| {
        let at = region(&report.sources, d.primary.span);
        Finding {
            rule: d.rule,
            severity: d.severity.name(),
            message: redactor.scrub(&d.message),
            path: at.path,
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
            label: redactor.scrub(&d.primary.message),
            help: d.help.as_deref().map(|h| redactor.scrub(h)),
            related: d
                .related
                .iter()
                .map(|r| {
                    let at = region(&report.sources, r.span);
                    Related {
                        path: at.path,
                        line: at.line,
                        column: at.column,
                        end_line: at.end_line,
                        end_column: at.end_column,
                        message: redactor.scrub(&r.message),
                    }
                })
                .collect(),
            fingerprint: d.fingerprint.clone(),
            fix: d.fix.as_deref().map(|fix| JsonFix {
                description: redactor.scrub(&fix.description),
                applicability: fix.applicability.name(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| {
                        let at = super::edit_region(&report.sources, e.span);
                        JsonEdit {
                            path: at.path,
                            start_byte: e.span.start(),
                            end_byte: e.span.end(),
                            line: at.line,
                            column: at.column,
                            end_line: at.end_line,
                            end_column: at.end_column,
                            content: redactor.scrub(&e.content),
                        }
                    })
                    .collect(),
            }),
        }
    });
    let counts = report.counts();
    let summary =
        Summary { files: counts.files, errors: counts.errors, warnings: counts.warnings, infos: counts.infos };
    let mut json = Pretty::new(out);
    json.raw("{")?;
    json.field(1, "version", &1, true)?;
    json.field(1, "tool", &Tool { name: "atl-lint", version: env!("CARGO_PKG_VERSION") }, false)?;
    json.key(1, "files", false)?;
    json.array(1, files)?;
    json.key(1, "diagnostics", false)?;
    json.array(1, diagnostics)?;
    json.field(1, "summary", &summary, false)?;
    json.raw("\n}\n")
}
