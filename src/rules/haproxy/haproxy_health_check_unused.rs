//! `haproxy-health-check-unused`: `option httpchk` in a backend whose servers never run a
//! check.

use foldhash::{HashSet, HashSetExt};

use super::describe;
use crate::model::backends::checks;
use crate::rules::queries::haproxy_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::haproxy::{Section, Statement};

declare_rule! {
    /// ## What it does
    /// Flags a `backend` or `listen` section where `option httpchk` is in effect (its own,
    /// or its `defaults` section's, not undone by `no option httpchk`) while none of its
    /// `server` and `server-template` lines has `check`, neither written on the line nor
    /// inherited from a `default-server` (the last one before it in the section, else its
    /// defaults section's); `no-check` on a line wins over an inherited `check`. A section with a server line atl-lint cannot
    /// read (a template value) is not judged, nor one with a single server, which has no
    /// other node to send requests to.
    ///
    /// ## Why is this bad?
    /// HAProxy sends health checks only to servers with `check`. Without it the request
    /// `option httpchk` describes is never sent: a node of the pool that stops answering, or
    /// answers `/status` with an error while it starts, stays in rotation and users get
    /// 502/503.
    ///
    /// ## Example
    /// ```haproxy
    /// backend jira
    ///     option httpchk GET /status
    ///     server node1 10.0.0.1:8080
    ///     server node2 10.0.0.2:8080
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// backend jira
    ///     option httpchk GET /status
    ///     server node1 10.0.0.1:8080 check
    ///     server node2 10.0.0.2:8080 check
    /// ```
    pub struct HaproxyHealthCheckUnused {
        id: "haproxy-health-check-unused",
        summary: "`option httpchk` in a backend of several servers none of which has `check`, so the check never runs",
        severity: Warning,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxyHealthCheckUnused {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in haproxy_configs(cx.files) {
            // A `defaults` line that many backends inherit is reported once, at the first.
            let mut reported: HashSet<Span> = HashSet::new();
            for (index, section) in config.sections.iter().enumerate() {
                if !matches!(section.kind(), "backend" | "listen") {
                    continue;
                }
                let defaults = config.defaults_of(index);
                let own = last(section, &["option", "httpchk"]);
                let Some(httpchk) = own.or_else(|| defaults.and_then(|d| last(d, &["option", "httpchk"]))) else {
                    continue;
                };
                if httpchk.modifier().is_some() {
                    continue;
                }
                let servers: Vec<&Statement<'_>> =
                    section.statements.iter().filter(|s| s.is(&["server"]) || s.is(&["server-template"])).collect();
                // One server has nowhere else to send requests: the check would change nothing
                // users see (Atlassian's Bitbucket guide has a bare `option httpchk` so).
                let several = servers.len() >= 2 || servers.iter().any(|s| s.is(&["server-template"]));
                let Some(first) = servers.first().filter(|_| several) else { continue };
                if servers.iter().any(|s| s.words().iter().any(|w| w.unknown)) {
                    continue;
                }
                // A server takes the `default-server` line last before it in the section,
                // else its defaults section's.
                let mut inherited =
                    defaults.and_then(|d| last(d, &["default-server"])).is_some_and(|d| checks(d, false));
                let mut checked = false;
                for line in &section.statements {
                    if line.is(&["default-server"]) {
                        inherited = checks(line, false);
                    } else if (line.is(&["server"]) || line.is(&["server-template"])) && checks(line, inherited) {
                        checked = true;
                        break;
                    }
                }
                if checked || !reported.insert(httpchk.span) {
                    continue;
                }
                let name = describe(section);
                let (at, label) = match own {
                    Some(line) => (line.span, "never sent"),
                    None => (section.header, "no server checks"),
                };
                let finding = sink.emit(
                    at,
                    label,
                    format!(
                        "`option httpchk` is in effect for {name}, but none of its servers has `check`: HAProxy never sends the health check, and a failed node stays in rotation"
                    ),
                );
                if own.is_none() {
                    finding.related(httpchk.span, "inherited from defaults");
                }
                finding
                    .related(first.span, "no `check`")
                    .help("add `check` to each `server` line (or `default-server check` in the section)");
            }
        }
    }
}

/// The last line of a section that reads `words`.
fn last<'s, 'a>(section: &'s Section<'a>, words: &'s [&'s str]) -> Option<&'s Statement<'a>> {
    section.find(words).last()
}
