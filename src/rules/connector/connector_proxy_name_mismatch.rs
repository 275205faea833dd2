//! `connector-proxy-name-mismatch`: `proxyName` is not a host the linked frontend serves.

use crate::diagnostic::Applicability;
use crate::model::Field;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector whose `proxyName` (`server.proxy-name`) is none of the host names of
    /// a linked route: the Apache virtual host's `ServerName`/`ServerAlias`, or the HAProxy
    /// `hdr(host)` test that selects the route. Routes whose host names are unknown are not
    /// judged.
    ///
    /// ## Why is this bad?
    /// The application builds every absolute link and redirect with `proxyName`: users are
    /// sent to a host the proxy does not serve (or to the old name after a rename), and the
    /// base URL check warns.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" proxyName="jira.old.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// ```
    /// behind `ServerName jira.example.com`.
    ///
    /// Use instead: `proxyName="jira.example.com"`.
    pub struct ConnectorProxyNameMismatch {
        id: "connector-proxy-name-mismatch",
        summary: "a connector whose `proxyName` (`server.proxy-name`) is none of the host names of a linked route",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for ConnectorProxyNameMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate() {
            let Some(setting) = connector.proxy_name else { continue };
            let Some(name) = setting.value.known().map(|n| n.trim().to_ascii_lowercase()) else { continue };
            if name.is_empty() {
                continue;
            }
            let disagreeing = cx.topology().routes_of(index).find(|(route, _)| {
                !route.hosts.is_empty() && !route.hosts.iter().any(|(host, _)| host_matches(host, &name))
            });
            let Some((route, frontend)) = disagreeing else { continue };
            let served: Vec<&str> = route.hosts.iter().map(|(h, _)| h.as_str()).collect();
            let diagnostic = sink.emit(
                setting.value.span,
                "not served by the proxy",
                format!(
                    "`{}` is `{name}`, but the proxy serves this app as {}",
                    connector.name(Field::ProxyName),
                    served.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            for (_, span) in route.hosts.iter() {
                diagnostic.related(*span, format!("host name ({})", frontend.label));
            }
            let first = served.first().copied().unwrap_or_default();
            let edits = fixes::set_value(cx, setting, first);
            let fix = connector.assignment(Field::ProxyName, first);
            diagnostic.help(format!("set `{fix}`")).fix(fixes::fix(
                cx,
                format!("set `{fix}`"),
                Applicability::Unsafe,
                edits,
            ));
        }
    }
}

/// `ServerAlias` wildcards (`*.example.com`) match as Apache matches them.
fn host_matches(pattern: &str, name: &str) -> bool {
    if pattern.contains(['*', '?']) {
        return glob::Pattern::new(pattern).is_ok_and(|p| p.matches(name));
    }
    pattern == name
}
