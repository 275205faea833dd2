//! The concise report: one line a finding, `path:line:col: severity[rule] message`, as
//! compilers and ruff print them, so that editors and `grep` read them.

use std::io::{self, Write};

use super::{escape_controls, region, Report};

/// Writes one line a finding; `links`: rule ids as hyperlinks to their pages.
pub fn write(report: &Report, out: &mut dyn Write, links: bool) -> io::Result<()> {
    let redactor = report.redactor();
    for d in &report.diagnostics {
        let at = region(&report.sources, d.primary.span);
        // A message is one line; the input's control characters are shown escaped.
        let message = escape_controls(&redactor.scrub(&d.message)).replace(['\n', '\r'], " ");
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {message}",
            escape_controls(&at.path),
            at.line,
            at.column,
            d.severity.name(),
            super::linked_rule(d.rule, links)
        )?;
    }
    Ok(())
}

/// Findings counted by rule, most frequent first (then by rule id): the rule, its
/// severity, and how many.
pub fn statistics(report: &Report) -> Vec<(&'static str, crate::diagnostic::Severity, usize)> {
    let mut counts: foldhash::HashMap<&'static str, (crate::diagnostic::Severity, usize)> =
        foldhash::HashMap::default();
    for d in &report.diagnostics {
        let entry = counts.entry(d.rule).or_insert((d.severity, 0));
        // A rule remapped per finding shows its most severe.
        entry.0 = entry.0.max(d.severity);
        entry.1 += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().map(|(rule, (severity, n))| (rule, severity, n)).collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    rows
}

/// `--statistics`: a line a rule, `COUNT  RULE  SEVERITY`, aligned, and the total;
/// `links`: rule ids as hyperlinks to their pages.
pub fn write_statistics(report: &Report, out: &mut dyn Write, links: bool) -> io::Result<()> {
    let rows = statistics(report);
    let count_width = rows.iter().map(|r| r.2.to_string().len()).max().unwrap_or(1);
    let rule_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (rule, severity, n) in &rows {
        // Padded by the id's own width: a link's escape sequences take no column.
        let pad = " ".repeat(rule_width.saturating_sub(rule.len()));
        writeln!(out, "{n:>count_width$}  {}{pad}  {}", super::linked_rule(rule, links), severity.name())?;
    }
    Ok(())
}

/// `--statistics --format json`: `[{"rule": ..., "severity": ..., "count": ...}]`.
pub fn write_statistics_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<serde_json::Value> = statistics(report)
        .into_iter()
        .map(|(rule, severity, count)| serde_json::json!({ "rule": rule, "severity": severity.name(), "count": count }))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)
}
