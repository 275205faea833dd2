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
pub mod upstream_port_unmatched;

use crate::model::{Frontend, Route};
use crate::rules::Context;
use crate::source::Span;

/// The first route linked to a connector whose frontend terminates TLS, with the span that
/// switches TLS on.
pub(crate) fn tls_route<'t>(cx: &'t Context<'_>, connector: usize) -> Option<(&'t Route, &'t Frontend<'t>, Span)> {
    cx.topology().routes_of(connector).find_map(|(route, frontend)| Some((route, frontend, frontend.tls?)))
}

/// Why a connector (by index) is reached over HTTPS, when it is: a linked route whose
/// frontend terminates TLS, `proxyPort` 443, or `secure` true. What it is said as, where
/// it is written, and the related label. `connector-scheme-missing` reports a connector
/// that has this evidence and a scheme other than `https`.
pub(crate) fn https_evidence(cx: &Context<'_>, index: usize) -> Option<(String, Span, String)> {
    const HTTPS_PORT: u16 = 443;
    let connector = cx.topology().connectors.get(index)?;
    let https_port = connector.proxy_port.filter(|p| connector.number(p) == Some(HTTPS_PORT));
    let secure = connector.secure.filter(|_| connector.secure_value() == Some(true));
    match (tls_route(cx, index), https_port, secure) {
        (Some((_, frontend, span)), _, _) => {
            Some((format!("TLS ends at `{}`", frontend.label), span, frontend_label("TLS ends here", frontend)))
        }
        (None, Some(p), _) => Some((format!("`{}`", p.name), p.span, "public port 443".to_string())),
        (None, None, Some(s)) => Some((format!("`{}`", s.name), s.span, "marked secure".to_string())),
        (None, None, None) => None,
    }
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

/// How a related label names a route's frontend: `TLS ends here (<VirtualHost *:443>)`.
pub(crate) fn frontend_label(what: &str, frontend: &Frontend<'_>) -> String {
    format!("{what} ({})", frontend.label)
}
