//! The JSON report, version 1: one object with files, diagnostics and a summary.

use serde::Serialize;

use super::{region, Report};

#[derive(Serialize)]
struct Json<'r> {
    version: u32,
    tool: Tool,
    files: Vec<File<'r>>,
    diagnostics: Vec<Finding>,
    summary: Summary,
}

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
    let redactor = report.redactor();
    let files = report.linted_files().filter_map(|f| Some(File { path: &f.display, kind: f.kind?.name() })).collect();
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| {
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
            }
        })
        .collect();
    let counts = report.counts();
    let json = Json {
        version: 1,
        tool: Tool { name: "atl-lint", version: env!("CARGO_PKG_VERSION") },
        files,
        diagnostics,
        summary: Summary { files: counts.files, errors: counts.errors, warnings: counts.warnings, infos: counts.infos },
    };
    // Printed to terminals too: DEL and C1 controls of the input escaped as C0 ones are.
    let mut out = super::escape_json_controls(serde_json::to_string_pretty(&json).unwrap_or_default());
    out.push('\n');
    out
}
