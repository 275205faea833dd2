//! SARIF 2.1.0 for GitHub code scanning: the rule catalogue in `tool.driver.rules`, one
//! result a finding with its location, the other files as related locations, and the
//! stable fingerprint.

use serde_json::{json, Value};

use super::{region, Region, Report};
use crate::diagnostic::Severity;
use crate::rules::ALL;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// An artifact URI: the relative path as shown, or a `file://` URI for an absolute one,
/// every byte but unreserved characters and `/` percent-encoded (a file name may hold a
/// newline, `#`, `?` or bytes that were not UTF-8).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn location(at: &Region, empty: bool, message: Option<String>) -> Value {
    // SARIF's endColumn is the column after the region.
    let end_column = if empty { at.column } else { at.end_column + 1 };
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&at.path) },
            "region": {
                "startLine": at.line,
                "startColumn": at.column,
                "endLine": at.end_line,
                "endColumn": end_column.max(1)
            }
        }
    });
    if let (Some(text), Some(object)) = (message, location.as_object_mut()) {
        object.insert("message".into(), json!({ "text": text }));
    }
    location
}

/// Renders the report as one SARIF run.
pub fn render(report: &Report) -> String {
    let redactor = report.redactor();
    let rules: Vec<Value> = ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            let markdown = meta.markdown();
            json!({
                "id": meta.id,
                "name": meta.id,
                "shortDescription": { "text": meta.summary() },
                "fullDescription": { "text": meta.summary() },
                "help": { "text": markdown, "markdown": markdown },
                "defaultConfiguration": { "level": level(meta.severity) },
                "helpUri": format!("{INFORMATION_URI}#{}", meta.id)
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = ALL.iter().position(|r| r.meta().id == d.rule).unwrap_or(0);
            let mut message = redactor.scrub(&d.message);
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(&redactor.scrub(help));
            }
            let primary = region(&report.sources, d.primary.span);
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let at = region(&report.sources, r.span);
                    let mut location = location(&at, r.span.start() == r.span.end(), Some(redactor.scrub(&r.message)));
                    if let Some(object) = location.as_object_mut() {
                        object.insert("id".into(), json!(i));
                    }
                    location
                })
                .collect();
            let mut result = json!({
                "ruleId": d.rule,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [location(&primary, d.primary.span.start() == d.primary.span.end(), None)],
                "partialFingerprints": { "atlLintFingerprint/v1": d.fingerprint }
            });
            if let (false, Some(object)) = (related.is_empty(), result.as_object_mut()) {
                object.insert("relatedLocations".into(), Value::Array(related));
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "atl-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    // Printed to terminals too: DEL and C1 controls of the input escaped as C0 ones are.
    let mut out = super::escape_json_controls(serde_json::to_string_pretty(&sarif).unwrap_or_default());
    out.push('\n');
    out
}
