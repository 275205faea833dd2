//! Bitbucket Code Insights: one report and its annotations, as Bitbucket Cloud's reports API
//! takes them (`PUT .../commit/{commit}/reports/atl-lint` with `report`, then `POST
//! .../reports/atl-lint/annotations` with `annotations`, at most 100 a request and 1,000 a
//! report). The pull request then shows each finding on its line.

use std::io::{self, Write};

use serde::Serialize;

use super::{region, Report};
use crate::diagnostic::Severity;

/// The report's id, for the API path and every annotation's `external_id`.
const REPORT_ID: &str = "atl-lint";
/// Bitbucket keeps this many annotations of a report; the rest are left out, and the
/// report's details say how many.
const MAX_ANNOTATIONS: usize = 1000;
/// Bitbucket's limits on an annotation's `summary` and a report's or annotation's `details`.
const MAX_SUMMARY: usize = 450;
const MAX_DETAILS: usize = 2000;

#[derive(Serialize)]
struct Document {
    report: InsightReport,
    annotations: Vec<Annotation>,
}

#[derive(Serialize)]
struct InsightReport {
    title: &'static str,
    details: String,
    external_id: &'static str,
    reporter: &'static str,
    link: &'static str,
    report_type: &'static str,
    result: &'static str,
    data: Vec<Datum>,
}

#[derive(Serialize)]
struct Datum {
    title: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: usize,
}

#[derive(Serialize)]
struct Annotation {
    external_id: String,
    annotation_type: &'static str,
    path: String,
    line: usize,
    summary: String,
    details: String,
    severity: &'static str,
    result: &'static str,
    link: String,
}

/// At most `max` characters of `text`, cut at a character and marked when cut.
fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((at, _)) if text.chars().count() > max => format!("{}…", text.get(..at).unwrap_or("")),
        _ => text.to_string(),
    }
}

/// Whether a rule's findings weaken the proxy's security rather than break the application.
fn is_security(rule: &str) -> bool {
    rule.starts_with("tls-")
        || matches!(
            rule,
            "admin-endpoint-exposed" | "identity-header-spoofable" | "proxy-open-forward" | "ajp-connector-exposed"
        )
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "HIGH",
        Severity::Warning => "MEDIUM",
        Severity::Info => "LOW",
    }
}

/// Writes the report and its annotations as one JSON document.
pub fn write(report: &Report, out: &mut dyn Write, fail_at: Option<Severity>) -> io::Result<()> {
    let redactor = report.redactor();
    let counts = report.counts();
    let failed = fail_at.is_some_and(|at| report.worst().is_some_and(|worst| worst >= at));
    let left_out = report.diagnostics.len().saturating_sub(MAX_ANNOTATIONS);
    let mut details = format!("Proxy and application configuration checked together: {}.", report.summary_line());
    if left_out > 0 {
        details
            .push_str(&format!(" {left_out} findings beyond Bitbucket's {MAX_ANNOTATIONS} annotations are not shown."));
    }
    let insight = InsightReport {
        title: "atl-lint",
        details: bounded(&details, MAX_DETAILS),
        external_id: REPORT_ID,
        reporter: "atl-lint",
        link: env!("CARGO_PKG_REPOSITORY"),
        report_type: "BUG",
        result: if failed { "FAILED" } else { "PASSED" },
        data: vec![
            Datum { title: "Errors", kind: "NUMBER", value: counts.errors },
            Datum { title: "Warnings", kind: "NUMBER", value: counts.warnings },
            Datum { title: "Info", kind: "NUMBER", value: counts.infos },
            Datum { title: "Files", kind: "NUMBER", value: counts.files },
        ],
    };
    let annotations = report
        .diagnostics
        .iter()
        .take(MAX_ANNOTATIONS)
        .map(|d| {
            let at = region(&report.sources, d.primary.span);
            let help = d.help.as_deref().map(|h| redactor.scrub(h)).unwrap_or_default();
            Annotation {
                external_id: format!("{REPORT_ID}-{}", d.fingerprint),
                annotation_type: if is_security(d.rule) { "VULNERABILITY" } else { "BUG" },
                path: at.path,
                line: at.line.max(1),
                summary: bounded(&format!("{}: {}", d.rule, redactor.scrub(&d.message)), MAX_SUMMARY),
                details: bounded(&help, MAX_DETAILS),
                severity: severity(d.severity),
                result: "FAILED",
                link: super::rule_url(d.rule),
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &Document { report: insight, annotations })?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::bounded;

    #[test]
    fn long_texts_are_cut_at_a_character() {
        assert_eq!(bounded("abc", 3), "abc");
        assert_eq!(bounded("abcd", 3), "ab…");
        assert_eq!(bounded("ééé", 2), "é…");
    }
}
