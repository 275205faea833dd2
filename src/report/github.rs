//! GitHub Actions workflow commands: one `::error file=..,line=..::message` a finding, shown
//! as annotations on the pull request (and printed in the log, so control characters of the
//! input are escaped).

use std::io::{self, Write};

use super::{escape_controls, region, Report};
use crate::diagnostic::Severity;

/// Renders one workflow command a finding.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, &mut out);
    super::pretty::into_string(out)
}

/// Writes one workflow command a finding, each as soon as it is made.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let redactor = report.redactor();
    for d in &report.diagnostics {
        let at = region(&report.sources, d.primary.span);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = redactor.scrub(&d.message);
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&redactor.scrub(help));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&escape_controls(&at.path)),
            at.line,
            at.column,
            at.end_line,
            at.end_column.max(at.column),
            property(d.rule),
            data(&escape_controls(&message))
        )?;
    }
    Ok(())
}

/// GitHub's escaping of a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// GitHub's escaping of a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{data, property};

    #[test]
    fn workflow_command_values_are_escaped_as_github_reads_them() {
        assert_eq!(data("50% of a\r\nb"), "50%25 of a%0D%0Ab");
        assert_eq!(property("C:\\a,b.conf"), "C%3A\\a%2Cb.conf");
    }
}
