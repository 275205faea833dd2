//! SARIF 2.1.0 for GitHub code scanning: the rule catalogue in `tool.driver.rules`, one
//! result a finding with its location, the other files as related locations, and the
//! stable fingerprint.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{json, Value};

use super::pretty::{into_string, Pretty};
use super::{region, Redactor, Region, Report};
use crate::diagnostic::{Diagnostic, Severity};
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

/// The `file://` URI of a directory, ending in `/` as SARIF requires of a base.
fn directory_uri(dir: &std::path::Path) -> String {
    let mut uri = uri(&dir.to_string_lossy());
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// A SARIF location. Every struct here lists its fields in `serde_json`'s map order (sorted),
/// the order the report has always had; a finding is serialised without building a map.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
    /// `None` for a value given on the command line (`--base-url`), which is in no file.
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
}

/// Where a command-line value is: the option and the value's place among its kind.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: SarifRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    /// `%SRCROOT%` for a path relative to the directory paths are shown from.
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// The base of every relative artifact URI: the directory paths are shown from.
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Fingerprints<'d> {
    #[serde(rename = "atlLintFingerprint/v1")]
    v1: &'d str,
}

/// A fix: its edits by file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    artifact_changes: Vec<ArtifactChange>,
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

/// The region deleted (empty for an insertion, its end column exclusive) and the text put
/// in its place.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: SarifRegion,
    inserted_content: Text,
}

/// One finding as a SARIF result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'d> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    level: &'static str,
    locations: [Location; 1],
    message: Text,
    partial_fingerprints: Fingerprints<'d>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    rule_id: &'static str,
    rule_index: usize,
}

fn location(at: &Region, empty: bool, message: Option<String>) -> Location {
    if at.path == crate::discover::inputs::BASE_URL_SOURCE {
        return Location {
            id: None,
            logical_locations: vec![LogicalLocation {
                fully_qualified_name: format!("{}[{}]", at.path, at.line),
                kind: "parameter",
            }],
            message: Some(Text {
                text: message.unwrap_or_else(|| {
                    format!("the {} value `--base-url` given on the command line", ordinal(at.line))
                }),
            }),
            physical_location: None,
        };
    }
    // SARIF's endColumn is the column after the region.
    let end_column = if empty { at.column } else { at.end_column + 1 };
    let relative = !at.path.starts_with('/');
    Location {
        id: None,
        logical_locations: Vec::new(),
        message: message.map(|text| Text { text }),
        physical_location: Some(PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(&at.path), uri_base_id: relative.then_some(SRCROOT) },
            region: SarifRegion {
                end_column: end_column.max(1),
                end_line: at.end_line,
                start_column: at.column,
                start_line: at.line,
            },
        }),
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Renders the report as one SARIF run.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, &mut out);
    into_string(out)
}

/// The rule catalogue, `tool.driver.rules`.
fn rules() -> Vec<Value> {
    ALL.iter()
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
                "helpUri": super::rule_url(meta.id)
            })
        })
        .collect()
}

/// One finding as a SARIF result.
fn result<'d>(report: &Report, redactor: &Redactor<'_>, d: &'d Diagnostic) -> SarifResult<'d> {
    let index = ALL.iter().position(|r| r.meta().id == d.rule).unwrap_or(0);
    let mut message = redactor.scrub(&d.message);
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(&redactor.scrub(help));
    }
    let primary = region(&report.sources, d.primary.span);
    let related_locations = d
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let at = region(&report.sources, r.span);
            let location = location(&at, r.span.start() == r.span.end(), Some(redactor.scrub(&r.message)));
            Location { id: Some(i), ..location }
        })
        .collect();
    SarifResult {
        fixes: d.fix.as_deref().map(|fix| vec![sarif_fix(report, redactor, fix)]).unwrap_or_default(),
        level: level(d.severity),
        locations: [location(&primary, d.primary.span.start() == d.primary.span.end(), None)],
        message: Text { text: message },
        partial_fingerprints: Fingerprints { v1: &d.fingerprint },
        related_locations,
        rule_id: d.rule,
        rule_index: index,
    }
}

/// A fix as SARIF: one artifact change a file, in the order the edits name them.
fn sarif_fix(report: &Report, redactor: &Redactor<'_>, fix: &crate::diagnostic::Fix) -> SarifFix {
    let mut changes: Vec<ArtifactChange> = Vec::new();
    let mut edits: Vec<&crate::diagnostic::Edit> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.span.file, e.span.start()));
    for edit in edits {
        let at = super::edit_region(&report.sources, edit.span);
        let replacement = Replacement {
            deleted_region: SarifRegion {
                end_column: at.end_column,
                end_line: at.end_line,
                start_column: at.column,
                start_line: at.line,
            },
            inserted_content: Text { text: redactor.scrub(&edit.content) },
        };
        let relative = !at.path.starts_with('/');
        let location = ArtifactLocation { uri: uri(&at.path), uri_base_id: relative.then_some(SRCROOT) };
        match changes.last_mut() {
            Some(change) if change.artifact_location.uri == location.uri => change.replacements.push(replacement),
            _ => changes.push(ArtifactChange { artifact_location: location, replacements: vec![replacement] }),
        }
    }
    SarifFix { artifact_changes: changes, description: Text { text: redactor.scrub(&fix.description) } }
}

/// Writes the report as one SARIF run, each result serialised as it is written. The members
/// of every object come in `serde_json`'s order (sorted by key), as when the whole document
/// was one value.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let redactor = report.redactor();
    let tool = json!({
        "driver": {
            "name": "atl-lint",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": INFORMATION_URI,
            "rules": rules()
        }
    });
    let mut sarif = Pretty::new(out);
    sarif.raw("{")?;
    sarif.field(1, "$schema", SCHEMA, true)?;
    sarif.key(1, "runs", false)?;
    sarif.raw("[")?;
    sarif.newline(2)?;
    sarif.raw("{")?;
    sarif.field(3, "columnKind", "unicodeCodePoints", true)?;
    if let Some(dir) = &report.shown_from {
        let base = json!({ SRCROOT: { "uri": directory_uri(dir) } });
        sarif.field(3, "originalUriBaseIds", &base, false)?;
    }
    sarif.key(3, "results", false)?;
    sarif.array(3, report.diagnostics.iter().map(|d| result(report, &redactor, d)))?;
    sarif.field(3, "tool", &tool, false)?;
    sarif.newline(2)?;
    sarif.raw("}")?;
    sarif.newline(1)?;
    sarif.raw("]")?;
    sarif.field(1, "version", "2.1.0", false)?;
    sarif.raw("\n}\n")
}
