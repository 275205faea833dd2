//! `base-url-drift`: a base URL that disagrees with what the app's connector says.

use crate::model::{Connector, Field, Frontend, Route, Style};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags a base URL (`setup.baseUrl`) that disagrees with the connector settings of the
    /// same application: the scheme with `server.scheme`, the host with
    /// `server.proxy-name`, the port with `server.proxy-port`, the path with
    /// `server.context-path`. Unset settings count with Bitbucket's defaults (scheme `http`,
    /// context path at the root); an unset proxy name or port is not compared, since the
    /// application then takes them from each request. It is compared, too, with the public
    /// URL of a proxy route linked to the app's connector: `https` when the frontend
    /// terminates TLS, its host names, its listen port, the route's public path. The message
    /// lists every part that disagrees, with both values.
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
        summary: "a base URL (`setup.baseUrl`) that disagrees with the connector settings of the same application",
        severity: Error,
        scope: "base_url",
        formats: [BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

/// One part of the URL that disagrees.
struct Part {
    /// `connector` or `proxy`.
    source: &'static str,
    what: &'static str,
    url: String,
    connector: String,
    span: Option<Span>,
}

/// Each app's main connector (the first `<Connector>`, or the `server.*` one), by app.
fn main_connectors(connectors: &[Connector<'_>]) -> foldhash::HashMap<usize, usize> {
    let mut main = foldhash::HashMap::default();
    for (index, c) in connectors.iter().enumerate() {
        let primary = match &c.style {
            Style::Tomcat | Style::Env(_) => true,
            Style::Spring(prefix) => prefix == "server.",
        };
        if primary {
            main.entry(c.app).or_insert(index);
        }
    }
    main
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
            parts.push(Part { source: "connector", what: "scheme", url: url.scheme().into(), connector: said, span });
        }
    }
    if let Some(name) = connector.proxy_name {
        let url_host = url.host_str().unwrap_or("");
        if let Some(host) = name.value.known().map(str::trim) {
            if !host.eq_ignore_ascii_case(url_host) {
                parts.push(Part {
                    source: "connector",
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
                    source: "connector",
                    what: "port",
                    url: url_port.to_string(),
                    connector: format!("`{}={public}`", connector.name(Field::ProxyPort)),
                    span: Some(port.span),
                });
            }
        }
    }
    let url_path = crate::model::url::normalized_path(url.path());
    let (path, said, span) = match context {
        Some((path, span, name)) => (path.clone(), format!("`{name}={}`", shown_path(&path)), Some(span)),
        None => (String::new(), "no context path (the root)".to_string(), None),
    };
    if url_path != path {
        parts.push(Part { source: "connector", what: "path", url: shown_path(&url_path), connector: said, span });
    }
    parts
}

/// The parts of the base URL that the public URL of a linked route contradicts: scheme (TLS
/// on the frontend), host (its host names), port (its listen port), path (the route's
/// public prefix).
fn route_parts(url: &url::Url, route: &Route, frontend: &Frontend<'_>) -> Vec<Part> {
    let mut parts = Vec::new();
    let label = &frontend.label;
    let scheme = if frontend.tls.is_some() { "https" } else { "http" };
    if scheme != url.scheme() {
        let said = format!("`{scheme}` at the proxy ({label})");
        parts.push(Part {
            source: "proxy",
            what: "scheme",
            url: url.scheme().into(),
            connector: said,
            span: Some(frontend.tls.unwrap_or(frontend.at)),
        });
    }
    let url_host = url.host_str().unwrap_or("").to_ascii_lowercase();
    if let Some((host, span)) = route.hosts.first().filter(|_| !route.hosts.iter().any(|(h, _)| *h == url_host)) {
        let said = format!("`{host}` at the proxy ({label})");
        parts.push(Part { source: "proxy", what: "host", url: url_host.clone(), connector: said, span: Some(*span) });
    }
    if let (Some(port), Some(url_port)) = (frontend.port, url.port_or_known_default()) {
        if port != url_port {
            let said = format!("`{port}` at the proxy ({label})");
            parts.push(Part {
                source: "proxy",
                what: "port",
                url: url_port.to_string(),
                connector: said,
                span: Some(frontend.port_span),
            });
        }
    }
    let url_path = crate::model::url::normalized_path(url.path());
    if let Some(public) = route.public.as_deref().filter(|p| *p != url_path) {
        let said = format!("`{}` at the proxy ({label})", shown_path(public));
        parts.push(Part {
            source: "proxy",
            what: "path",
            url: shown_path(&url_path),
            connector: said,
            span: Some(route.public_span),
        });
    }
    parts
}

impl Rule for BaseUrlDrift {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let mains = main_connectors(&topology.connectors);
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
            let Some((index, connector)) = mains.get(&base.app).and_then(|&i| Some((i, topology.connectors.get(i)?)))
            else {
                continue;
            };
            let context = topology
                .apps
                .get(base.app)
                .and_then(|app| app.context_path)
                .and_then(|c| Some((c.normalized()?, c.setting.span, c.setting.name.to_string())));
            let mut parts = parts(&url, connector, context);
            // A connector without `scheme="https"` behind TLS is `connector-scheme-missing`'s
            // finding, at the connector: said once.
            if url.scheme() == "https" && crate::rules::connector::scheme_missing(cx, index) {
                parts.retain(|p| p.what != "scheme");
            }
            let from_connector = !parts.is_empty();
            let proxy = topology
                .routes_of(index)
                .map(|(route, frontend)| route_parts(&url, route, frontend))
                .find(|p| !p.is_empty());
            let from_proxy = proxy.is_some();
            parts.extend(proxy.unwrap_or_default());
            if parts.is_empty() {
                continue;
            }
            let with = match (from_connector, from_proxy) {
                (true, true) => "the connector and the proxy",
                (false, true) => "the proxy",
                _ => "the connector settings",
            };
            let listed: Vec<String> =
                parts.iter().map(|p| format!("{} `{}` vs {}", p.what, p.url, p.connector)).collect();
            let diagnostic = sink.emit(
                base.setting.value.span,
                "base URL",
                format!(
                    "base URL `{}` disagrees with {}: {}",
                    crate::secrets::shown(text),
                    with.trim_end_matches(" settings"),
                    listed.join("; ")
                ),
            );
            for part in &parts {
                if let Some(span) = part.span {
                    diagnostic.related(span, format!("{} {}", part.source, part.what));
                }
            }
            diagnostic.help(format!("make the base URL agree with {with}: they describe one public URL"));
        }
    }
}
