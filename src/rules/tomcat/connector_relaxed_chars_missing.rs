//! `connector-relaxed-chars-missing`: a Jira connector that refuses the `[]|{}` characters
//! Jira's own URLs carry.

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a live HTTP connector of Jira (its main `<Context>` names the `atlassian-jira`
    /// web application) without `relaxedPathChars` or `relaxedQueryChars`, or with one that
    /// leaves out `[`, `]` or `|`. Jira's shipped `server.xml` sets
    /// `relaxedPathChars="[]|"` and `relaxedQueryChars="[]|{}^&#x5c;&#x60;&quot;&lt;&gt;"`.
    /// AJP connectors, other applications and template values are not judged, nor a
    /// Tomcat that `[versions] tomcat` or the repository's defaults show to be older than
    /// the stricter parsing (before 7.0.73, 8.0.39 and 8.5.7), or a 7.0 or 8.0 whose patch
    /// level is not known.
    ///
    /// ## Why is this bad?
    /// Tomcat 8.5.7 and later answer 400 "Invalid character found in the request target" to
    /// a URL with an unencoded `[`, `]`, `|` or `{}`. Jira's JQL links, some gadget URLs and
    /// REST and OAuth calls carry them: searches and dashboards break after an upgrade or a
    /// hand-written `server.xml`.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" protocol="HTTP/1.1" maxThreads="150"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" protocol="HTTP/1.1" maxThreads="150"
    ///            relaxedPathChars="[]|" relaxedQueryChars="[]|{}^&#x5c;&#x60;&quot;&lt;&gt;"/>
    /// ```
    pub struct ConnectorRelaxedCharsMissing {
        id: "connector-relaxed-chars-missing",
        summary: "a Jira HTTP connector without `relaxedPathChars` or `relaxedQueryChars`, or with one that leaves out `[`, `]` or `|`",
        severity: Warning,
        scope: "tomcat",
        formats: [TomcatServerXml],
    }
}

/// What Jira ships, by attribute.
const SHIPPED: [(&str, &str); 2] =
    [("relaxedPathChars", "[]|"), ("relaxedQueryChars", "[]|{}^&#x5c;&#x60;&quot;&lt;&gt;")];

impl Rule for ConnectorRelaxedCharsMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for connector in cx.topology().connectors.iter().filter(|c| c.jira_webapp && !c.ajp) {
            if !strict_parsing(cx, connector.file) {
                continue;
            }
            let mut missing = Vec::new();
            for ((name, shipped), setting) in SHIPPED.iter().zip(connector.relaxed_chars) {
                let Some(setting) = setting else {
                    missing.push((*name, *shipped));
                    continue;
                };
                let Some(value) = setting.value.known() else { continue };
                let lacking: Vec<String> =
                    ['[', ']', '|'].iter().filter(|c| !value.contains(**c)).map(|c| format!("`{c}`")).collect();
                if lacking.is_empty() {
                    continue;
                }
                sink.emit(
                    setting.value.span,
                    "characters left out",
                    format!(
                        "`{name}` leaves out {}: Tomcat answers 400 to Jira URLs that carry them unencoded",
                        lacking.join(", ")
                    ),
                )
                .help(format!("set `{name}=\"{shipped}\"`, as Jira ships it"));
            }
            if missing.is_empty() {
                continue;
            }
            let names: Vec<String> = missing.iter().map(|(n, _)| format!("`{n}`")).collect();
            let assignments: Vec<String> = missing.iter().map(|(n, v)| format!("{n}=\"{v}\"")).collect();
            sink.emit(
                connector.at,
                "no relaxed characters",
                format!(
                    "Jira's connector has no {}: Tomcat answers 400 \"Invalid character found in the request target\" to JQL links and REST URLs with unencoded `[]|{{}}`",
                    names.join(" or ")
                ),
            )
            .help(format!("add {}, as Jira ships it", assignments.join(" ")));
        }
    }
}

/// Whether the Tomcat a file runs on may refuse `[]|{}` in a request target: not one known
/// to be older than 7.0.73, 8.0.39 and 8.5.7 (an unknown Tomcat may).
fn strict_parsing(cx: &Context<'_>, file: crate::source::FileId) -> bool {
    let Some(release) = super::tomcat_release(cx, file) else { return true };
    let older = match (release.major, release.minor) {
        (0..=6, _) => Some(true),
        (7, 0) => release.before(7, 0, 73),
        (8, 0) => release.before(8, 0, 39),
        // All but the first seven 8.5 releases parse strictly.
        (8, 5) => Some(release.before(8, 5, 7).unwrap_or(false)),
        _ => Some(false),
    };
    older == Some(false)
}
