//! `base-url-drift`: a base URL that disagrees with what the app's connector says.

use crate::model::{Connector, Field, Style};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags a base URL (`setup.baseUrl`) that disagrees with the connector settings of the
    /// same application: the scheme with `server.scheme`, the host with
    /// `server.proxy-name`, the port with `server.proxy-port`, the path with
    /// `server.context-path`. Unset settings count with Bitbucket's defaults (scheme `http`,
    /// context path at the root); an unset proxy name or port is not compared, since the
    /// application then takes them from each request. The message lists every part that
    /// disagrees, with both values.
    ///
    /// ## Why is this bad?
    /// Bitbucket uses the base URL in e-mails, webhooks, clone URLs and application links,
    /// and the connector settings for every link it builds while serving a request. When
    /// they disagree, half the links point somewhere else: redirect loops, "XSRF check
    /// failed", clone URLs that do not work.
    ///
    /// ## Example
    /// ```properties
    /// setup.baseUrl=https://git.example.com/bitbucket
    /// server.proxy-name=git.example.com
    /// server.context-path=/git
    /// ```
    ///
    /// Use instead:
    /// ```properties
    /// setup.baseUrl=https://git.example.com/bitbucket
    /// server.proxy-name=git.example.com
    /// server.context-path=/bitbucket
    /// ```
    pub struct BaseUrlDrift {
        id: "base-url-drift",
        severity: Error,
        scope: "base_url",
        formats: [BitbucketProperties],
    }
}

/// One part of the URL that disagrees.
struct Part {
    what: &'static str,
    url: String,
    connector: String,
    span: Option<Span>,
}

fn main_connector<'c, 'a>(connectors: &'c [Connector<'a>], app: usize) -> Option<&'c Connector<'a>> {
    connectors.iter().find(|c| {
        c.app == app
            && match &c.style {
                Style::Tomcat => true,
                Style::Spring(prefix) => prefix == "server.",
            }
    })
}

fn shown_path(path: &str) -> String {
    if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    }
}

fn parts(url: &url::Url, connector: &Connector<'_>, context: Option<(String, Span, String)>) -> Vec<Part> {
    let mut parts = Vec::new();
    if let Some(scheme) = connector.scheme_value() {
        if scheme != url.scheme() {
            let name = connector.name(Field::Scheme);
            let (said, span) = match (connector.ssl_enabled, connector.scheme) {
                (true, _) => ("`https` (Tomcat terminates TLS)".to_string(), Some(connector.at)),
                (false, Some(setting)) => (format!("`{name}={scheme}`"), Some(setting.span)),
                (false, None) => (format!("`{name}` unset (`{scheme}`)"), None),
            };
            parts.push(Part { what: "scheme", url: url.scheme().into(), connector: said, span });
        }
    }
    if let Some(name) = connector.proxy_name {
        let url_host = url.host_str().unwrap_or("");
        if let Some(host) = name.value.known().map(str::trim) {
            if !host.eq_ignore_ascii_case(url_host) {
                parts.push(Part {
                    what: "host",
                    url: url_host.into(),
                    connector: format!("`{}={}`", connector.name(Field::ProxyName), crate::secrets::shown(host)),
                    span: Some(name.span),
                });
            }
        }
    }
    if let Some(port) = connector.proxy_port {
        if let (Some(public), Some(url_port)) = (connector.number(port), url.port_or_known_default()) {
            if public != url_port {
                parts.push(Part {
                    what: "port",
                    url: url_port.to_string(),
                    connector: format!("`{}={public}`", connector.name(Field::ProxyPort)),
                    span: Some(port.span),
                });
            }
        }
    }
    let url_path = url.path().trim_end_matches('/');
    let (path, said, span) = match context {
        Some((path, span, name)) => (path.clone(), format!("`{name}={}`", shown_path(&path)), Some(span)),
        None => (String::new(), "no context path (the root)".to_string(), None),
    };
    if url_path != path {
        parts.push(Part { what: "path", url: shown_path(url_path), connector: said, span });
    }
    parts
}

impl Rule for BaseUrlDrift {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology;
        for base in &topology.base_urls {
            let Some(text) = base.setting.value.known() else {
                continue;
            };
            let Ok(url) = url::Url::parse(text.trim()) else {
                continue;
            };
            if !matches!(url.scheme(), "http" | "https") {
                continue;
            }
            let Some(connector) = main_connector(&topology.connectors, base.app) else {
                continue;
            };
            let context = topology
                .apps
                .get(base.app)
                .and_then(|app| app.context_path)
                .and_then(|c| Some((c.normalized()?, c.setting.span, c.setting.name.to_string())));
            let parts = parts(&url, connector, context);
            if parts.is_empty() {
                continue;
            }
            let listed: Vec<String> =
                parts.iter().map(|p| format!("{} `{}` vs {}", p.what, p.url, p.connector)).collect();
            let diagnostic = sink.emit(
                base.setting.value.span,
                "base URL",
                format!(
                    "base URL `{}` disagrees with the connector: {}",
                    crate::secrets::shown(text),
                    listed.join("; ")
                ),
            );
            for part in &parts {
                if let Some(span) = part.span {
                    diagnostic.related(span, format!("connector {}", part.what));
                }
            }
            diagnostic.help("make the base URL and the connector settings describe the same public URL");
        }
    }
}
