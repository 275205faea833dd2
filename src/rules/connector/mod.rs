//! Rules about connectors (Tomcat `<Connector>`, `server.*` keys) and the routes linked to them.

pub mod ajp_connector_exposed;
pub mod compression_double;
pub mod connector_port_duplicate;
pub mod connector_proxy_name_malformed;
pub mod connector_proxy_name_mismatch;
pub mod connector_proxy_name_missing;
pub mod connector_proxy_port_invalid;
pub mod connector_proxy_port_mismatch;
pub mod connector_scheme_mismatch;
pub mod connector_scheme_missing;
pub mod connector_secure_missing;
pub mod connector_shared_by_http_and_https;
pub mod forwarded_proto_mismatch;
pub mod proxy_timeout_too_short;
pub mod request_body_limit_too_small;
pub mod request_header_limit_mismatch;
pub mod upstream_port_unmatched;

use crate::model::{Frontend, Route};
use crate::rules::Context;
use crate::source::Span;

/// The first route linked to a connector whose frontend terminates TLS, with the span that
/// switches TLS on.
pub(crate) fn tls_route<'t>(cx: &'t Context<'_>, connector: usize) -> Option<(&'t Route, &'t Frontend<'t>, Span)> {
    cx.topology().routes_of(connector).find_map(|(route, frontend)| Some((route, frontend, frontend.tls?)))
}

/// Shows the route that reaches a connector when the two are joined through a template
/// value (`http://localhost:{{ jira_port }}/` and `port="{{ jira_port }}"`): the reader sees
/// why these files belong together, and where a default that joins them is defined.
pub(crate) fn templated_link(route: &Route, diagnostic: &mut crate::diagnostic::Diagnostic) {
    if route.upstream.port_variable.is_some() {
        diagnostic.related(route.upstream.span, "the route that reaches this connector");
    }
}

/// Why a connector (by index) is reached over HTTPS, when it is: a linked route whose
/// frontend terminates TLS, `proxyPort` 443, or `secure` true. What it is said as, where
/// it is written, and the related label. `connector-scheme-missing` reports a connector
/// that has this evidence and a scheme other than `https`.
pub(crate) fn https_evidence<'t>(
    cx: &'t Context<'_>,
    index: usize,
) -> Option<(String, Span, String, Option<&'t Route>)> {
    const HTTPS_PORT: u16 = 443;
    let connector = cx.topology().connectors.get(index)?;
    let https_port = connector.proxy_port.filter(|p| connector.number(p) == Some(HTTPS_PORT));
    let secure = connector.secure.filter(|_| connector.secure_value() == Some(true));
    match (tls_route(cx, index), https_port, secure) {
        (Some((route, frontend, span)), _, _) => Some((
            format!("TLS ends at `{}`", frontend.label),
            span,
            frontend_label("TLS ends here", frontend),
            Some(route),
        )),
        (None, Some(p), _) => Some((format!("`{}`", p.name), p.span, "public port 443".to_string(), None)),
        (None, None, Some(s)) => Some((format!("`{}`", s.name), s.span, "marked secure".to_string(), None)),
        (None, None, None) => None,
    }
}

/// Whether a frontend listens only on this machine's loopback address (`listen
/// 127.0.0.1:8009`, `bind localhost:80`): a hop between proxies, not the port users reach.
pub(crate) fn loopback(cx: &Context<'_>, frontend: &crate::model::Frontend<'_>) -> bool {
    let span = frontend.port_span;
    let address = cx.parsed(span.file).and_then(|p| p.source.text().get(span.start()..span.end()));
    address.is_some_and(|a| {
        let a = a.trim_start_matches(['"', '\'']).to_ascii_lowercase();
        a.starts_with("127.") || a.starts_with("localhost") || a.starts_with("[::1]")
    })
}

/// Whether `connector-scheme-missing` reports the connector (by index): it runs, and the
/// connector is reached over HTTPS with a scheme other than `https`.
pub(crate) fn scheme_missing(cx: &Context<'_>, index: usize) -> bool {
    let Some(connector) = cx.topology().connectors.get(index) else { return false };
    cx.settings.selected("connector-scheme-missing")
        && !connector.ajp
        && !connector.ssl_enabled
        && connector.scheme_value().is_some_and(|s| s != "https")
        && https_evidence(cx, index).is_some()
}

/// Whether `connector-shared-by-http-and-https` reports the connector (by index): it runs,
/// and routes through a TLS frontend and through a plain one both reach it. A public port
/// that fits one side only is then that finding's cause, not a finding of its own.
pub(crate) fn shared_by_http_and_https(cx: &Context<'_>, index: usize) -> bool {
    cx.settings.selected("connector-shared-by-http-and-https")
        && cx.topology().routes_of(index).any(|(_, f)| f.tls.is_some())
        && cx.topology().routes_of(index).any(|(_, f)| f.tls.is_none())
}

/// How a related label names a route's frontend: `TLS ends here (<VirtualHost *:443>)`.
pub(crate) fn frontend_label(what: &str, frontend: &Frontend<'_>) -> String {
    format!("{what} ({})", frontend.label)
}
