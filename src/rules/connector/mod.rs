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

/// How a related label names a route's frontend: `TLS ends here (<VirtualHost *:443>)`.
pub(crate) fn frontend_label(what: &str, frontend: &Frontend<'_>) -> String {
    format!("{what} ({})", frontend.label)
}
