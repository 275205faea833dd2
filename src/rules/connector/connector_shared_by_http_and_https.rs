//! `connector-shared-by-http-and-https`: one connector behind both a TLS and a plain-HTTP
//! frontend.

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector linked from both a proxy frontend that terminates TLS and one that
    /// serves plain HTTP. A frontend that only redirects to HTTPS (an HAProxy `redirect
    /// scheme https`, a virtual host without `ProxyPass`) is not a route and does not count.
    ///
    /// ## Why is this bad?
    /// A connector has one `scheme`, `proxyName` and `proxyPort`: the application builds
    /// links for one of the two sides, so users of the other get wrong links, redirect loops
    /// or insecure cookies.
    ///
    /// ## Example
    /// ```text
    /// frontend www
    ///     bind :80
    ///     bind :443 ssl crt /etc/haproxy/site.pem
    ///     default_backend jira
    /// ```
    ///
    /// Use instead: redirect HTTP to HTTPS in the proxy
    /// (`http-request redirect scheme https unless { ssl_fc }`), or give each side its own
    /// connector.
    pub struct ConnectorSharedByHttpAndHttps {
        id: "connector-shared-by-http-and-https",
        summary: "a connector linked from both a proxy frontend that terminates TLS and one that serves plain HTTP",
        severity: Warning,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for ConnectorSharedByHttpAndHttps {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate() {
            let secure = cx.topology().routes_of(index).find(|(_, f)| f.tls.is_some());
            let plain = cx.topology().routes_of(index).find(|(_, f)| f.tls.is_none());
            let (Some((tls_route, tls_frontend)), Some((plain_route, plain_frontend))) = (secure, plain) else {
                continue;
            };
            let port = connector.port.map_or(connector.at, |p| p.span);
            sink.emit(port, "one connector for both", "this connector is reached both over HTTPS and over plain HTTP")
                .related(tls_route.at, format!("HTTPS ({})", tls_frontend.label))
                .related(plain_route.at, format!("plain HTTP ({})", plain_frontend.label))
                .help("redirect HTTP to HTTPS in the proxy, or add a second connector for the plain-HTTP side");
        }
    }
}
