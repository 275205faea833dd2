//! `compression-double`: the proxy and the connector both compress the same responses.

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector that compresses (`compression="on"`, `"force"` or a minimum size;
    /// `server.compression.enabled=true`) when a route linked to it compresses too: Apache
    /// `SetOutputFilter DEFLATE` / `AddOutputFilter(ByType) DEFLATE` in the route's virtual
    /// host, `<Location>` or the server context (with `mod_deflate` loaded where the tree
    /// loads modules), or HAProxy `compression algo` on the frontend, the backend or their
    /// defaults.
    ///
    /// ## Why is this bad?
    /// Compressing twice wastes CPU on both sides and, with some clients, corrupts downloads
    /// (a gzip body inside gzip); Atlassian recommends compressing in one place only.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" compression="on" .../>
    /// ```
    /// behind `AddOutputFilterByType DEFLATE text/html` in the virtual host.
    ///
    /// Use instead: `compression="off"` on the connector, or no DEFLATE in the proxy.
    pub struct CompressionDouble {
        id: "compression-double",
        summary: "a connector that compresses (`compression=\"on\"`, `\"force\"` or a minimum size; `server.compression.enabled=true`) when a route linked to it compresses too",
        severity: Warning,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for CompressionDouble {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate() {
            let Some(setting) = connector.compression.filter(|_| connector.compresses()) else { continue };
            let Some((route, compression)) =
                cx.topology().routes_of(index).find_map(|(route, _)| Some((route, route.compression?)))
            else {
                continue;
            };
            sink.emit(setting.span, "compresses here", "responses are compressed twice: by the app and by the proxy")
                .related(compression, "and again here")
                .related(route.at, "on this route")
                .help("compress in one place: turn the connector's compression off, or remove it from the proxy");
        }
    }
}
