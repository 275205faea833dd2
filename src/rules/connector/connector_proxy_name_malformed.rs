//! `connector-proxy-name-malformed`: a `proxyName` that is not a bare host name.

use crate::model::Field;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags `proxyName` / `server.proxy-name` values that are not a bare host name: a scheme
    /// (`https://jira.example.com`), a path (`example.com/jira`), a port
    /// (`jira.example.com:443`), whitespace, or a list (`a.example.com,b.example.com`).
    ///
    /// ## Why is this bad?
    /// The application returns `proxyName` from `getServerName()` and pastes it between the
    /// scheme and the port of every absolute URL it builds. Anything but a host name produces
    /// links such as `https://https://jira.example.com:443/` or
    /// `https://example.com/jira:443/jira/`.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" proxyName="https://jira.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" proxyName="jira.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// ```
    pub struct ConnectorProxyNameMalformed {
        id: "connector-proxy-name-malformed",
        summary: "`proxyName` / `server.proxy-name` values that are not a bare host name",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

/// What is wrong with a proxy name, and the host name it probably meant.
fn defect(name: &str) -> Option<(&'static str, Option<String>)> {
    if name.contains("://") {
        let host = name.split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("");
        return Some(("contains a scheme", Some(host.to_string())));
    }
    if name.contains(',') || name.trim().contains(char::is_whitespace) {
        return Some(("is a list; it must name one host", None));
    }
    if name.chars().any(char::is_whitespace) {
        return Some(("contains whitespace", Some(name.trim().to_string())));
    }
    if let Some((host, _)) = name.split_once('/') {
        return Some(("contains a path; the path belongs in the context path", Some(host.to_string())));
    }
    let bracketed_ipv6 = name.starts_with('[') && name.ends_with(']');
    if !bracketed_ipv6 && name.contains(':') {
        let host = name.rsplit_once(':').map_or(name, |(h, _)| h);
        return Some(("contains a port; the port belongs in `proxyPort`", Some(host.to_string())));
    }
    None
}

impl Rule for ConnectorProxyNameMalformed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for connector in &cx.topology().connectors {
            let Some(setting) = connector.proxy_name else {
                continue;
            };
            let Some(value) = setting.value.known() else {
                continue;
            };
            let Some((defect, host)) = defect(value) else {
                continue;
            };
            let name = connector.name(Field::ProxyName);
            let diagnostic = sink.emit(
                setting.value.span,
                "not a bare host name",
                format!("`{name}` `{}` {defect}", crate::secrets::shown(value)),
            );
            match host.filter(|h| !h.is_empty()) {
                Some(host) => diagnostic.help(format!("set `{}`", connector.assignment(Field::ProxyName, &host))),
                None => diagnostic.help("name the one public host; serve other names with a second connector"),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::defect;

    #[test]
    fn bare_hosts_pass_and_urls_are_caught() {
        for ok in ["jira.example.com", "localhost", "[::1]", "10.0.0.1"] {
            assert!(defect(ok).is_none(), "{ok}");
        }
        assert_eq!(defect("https://jira.example.com/x").and_then(|d| d.1), Some("jira.example.com".into()));
        assert_eq!(defect("example.com/jira").and_then(|d| d.1), Some("example.com".into()));
        assert_eq!(defect("example.com:443").and_then(|d| d.1), Some("example.com".into()));
        assert!(defect("a.com,b.com").is_some());
        assert!(defect("a.com ").is_some());
    }
}
