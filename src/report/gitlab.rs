//! GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
//! `severity`, `location.path` and `location.lines.begin`), which GitLab shows in the merge
//! request widget and the pipeline's Code Quality tab when a job names it as its
//! `artifacts:reports:codequality`.

use std::io::{self, Write};

use serde::Serialize;

use super::{region, Report};
use crate::diagnostic::Severity;

#[derive(Serialize)]
struct Issue<'d> {
    description: String,
    check_name: &'static str,
    fingerprint: &'d str,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's severities: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// Writes the report as one Code Quality document.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let redactor = report.redactor();
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .map(|d| {
            let at = region(&report.sources, d.primary.span);
            let mut description = redactor.scrub(&d.message);
            if let Some(help) = &d.help {
                description.push_str("; help: ");
                description.push_str(&redactor.scrub(help));
            }
            Issue {
                description,
                check_name: d.rule,
                fingerprint: &d.fingerprint,
                severity: severity(d.severity),
                location: Location { path: at.path, lines: Lines { begin: at.line, end: at.end_line } },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
