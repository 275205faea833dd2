//! `proxypass-reverse-missing`: a `ProxyPass` whose redirects are never rewritten back.

use foldhash::HashSet;

use super::{trimmed, url_path, Target};
use crate::diagnostic::Applicability;
use crate::rules::queries::apache_configs_with_passes;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `ProxyPass` to an `http://`, `https://` or `balancer://` upstream that has no
    /// `ProxyPassReverse` for the same local path in the same context (the server or one
    /// virtual host; a `<Location>` counts). Not flagged: `ws://`/`wss://` upstreams, `!`
    /// exclusions, and Confluence Synchrony (`/synchrony`, port 8091), which never redirects
    /// (Atlassian's own recipe has no `ProxyPassReverse` for it).
    ///
    /// ## Why is this bad?
    /// When the application redirects (after login, to a setup page), its `Location` header
    /// names the upstream (`http://localhost:8080/jira/...`). Without `ProxyPassReverse`
    /// Apache passes it on and the browser leaves the proxy.
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ProxyPass /jira http://localhost:8080/jira
    /// ProxyPassReverse /jira http://localhost:8080/jira
    /// ```
    pub struct ProxypassReverseMissing {
        id: "proxypass-reverse-missing",
        summary: "a `ProxyPass` to an `http://`, `https://` or `balancer://` upstream that has no `ProxyPassReverse` for the same local path in the same context (the server or one virtual host; a `<Location>` counts)",
        severity: Warning,
        scope: "apache",
        formats: [Apache],
    }
}

impl Rule for ProxypassReverseMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (_, passes) in apache_configs_with_passes(cx) {
            let reversed: HashSet<(Option<usize>, &str)> =
                passes.iter().filter(|p| p.reverse).map(|p| (p.vhost, trimmed(p.local.0))).collect();
            for pass in passes.iter().filter(|p| !p.reverse) {
                let Target::Url(url) = pass.target else { continue };
                let scheme = url.text.split("://").next().unwrap_or("").to_ascii_lowercase();
                if !matches!(scheme.as_str(), "http" | "https" | "balancer") {
                    continue;
                }
                let synchrony = trimmed(pass.local.0).ends_with("/synchrony")
                    || url
                        .text
                        .split("://")
                        .nth(1)
                        .and_then(|r| r.split('/').next())
                        .is_some_and(|authority| authority.ends_with(":8091"))
                    || url_path(url.text).is_some_and(|p| p.starts_with("/synchrony"));
                if synchrony || reversed.contains(&(pass.vhost, trimmed(pass.local.0))) {
                    continue;
                }
                let local = pass.local.0;
                // The directive's own arguments as written, on a line of its own below it.
                let name = pass.directive.name().span;
                let edit = fixes::line_after(cx, pass.directive.span, |indent| {
                    let arguments = cx.parsed(name.file)?.source.text().get(name.end()..url.span.end())?;
                    Some(format!("{indent}ProxyPassReverse{arguments}"))
                });
                let description = match pass.in_location {
                    true => format!("add `ProxyPassReverse {}`", url.text),
                    false => format!("add `ProxyPassReverse {local} {}`", url.text),
                };
                let fix = fixes::fix(cx, description, Applicability::Safe, edit);
                sink.emit(
                    pass.directive.span,
                    "no ProxyPassReverse",
                    format!("`ProxyPass {local}` has no `ProxyPassReverse` for `{local}`"),
                )
                .help(if pass.in_location {
                    format!("add `ProxyPassReverse {}` in the same `<Location>`", url.text)
                } else {
                    format!("add `ProxyPassReverse {local} {}`", url.text)
                })
                .fix(fix);
            }
        }
    }
}
