//! `connector-scheme-mismatch`: an `https` connector that only plain-HTTP frontends reach.

use crate::model::Field;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector with `scheme="https"` (or `server.scheme=https`) whose linked routes
    /// all come from plain-HTTP proxy frontends: nothing in front of it terminates TLS.
    /// Connectors that terminate TLS themselves (`SSLEnabled`) are not flagged.
    ///
    /// ## Why is this bad?
    /// The application builds `https://` links and redirects while users arrive over
    /// `http://`: every redirect sends them to a port where nothing answers, or the browser
    /// blocks the page's requests as mixed content.
    ///
    /// ## Example
    /// ```apache
    /// <VirtualHost *:80>
    ///     ProxyPass /jira http://localhost:8080/jira
    /// </VirtualHost>
    /// ```
    /// with `<Connector port="8080" scheme="https" secure="true" proxyPort="443"/>`.
    ///
    /// Use instead: terminate TLS in the virtual host (`<VirtualHost *:443>` with
    /// `SSLEngine on`), or set the connector to `scheme="http"` for a plain-HTTP site.
    pub struct ConnectorSchemeMismatch {
        id: "connector-scheme-mismatch",
        summary: "a connector with `scheme=\"https\"` (or `server.scheme=https`) whose linked routes all come from plain-HTTP proxy frontends",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for ConnectorSchemeMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate() {
            if connector.ajp || connector.ssl_enabled || connector.scheme_value().as_deref() != Some("https") {
                continue;
            }
            let Some(scheme) = connector.scheme else { continue };
            let mut routes = cx.topology().routes_of(index).peekable();
            if routes.peek().is_none() {
                continue;
            }
            let plain: Vec<_> = routes.collect();
            if plain.iter().any(|(_, frontend)| frontend.tls.is_some()) {
                continue;
            }
            let scheme_name = connector.name(Field::Scheme);
            let diagnostic = sink.emit(
                scheme.value.span,
                "no TLS in front",
                format!(
                    "`{scheme_name}` is `https`, but every route to this connector comes from a plain-HTTP frontend"
                ),
            );
            for (route, frontend) in plain {
                diagnostic.related(route.at, format!("plain HTTP ({})", frontend.label));
            }
            diagnostic.help("terminate TLS in the proxy frontend, or set the connector's scheme to `http`");
        }
    }
}
