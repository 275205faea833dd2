//! `connector-proxy-port-mismatch`: the public port a connector reports is not the proxy's.

use crate::diagnostic::Applicability;
use crate::model::Field;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector whose `proxyPort` (`server.proxy-port`) cannot be the port the public
    /// reaches it on: a `proxyPort` other than the listen port of a linked proxy frontend
    /// (`<VirtualHost *:443>`, `bind :443`); within one file, `scheme="https"` with
    /// `proxyPort` equal to the connector's own `port`, which is the port the proxy forwards
    /// to, not the one users connect to.
    ///
    /// A connector that routes reach both over HTTPS and over plain HTTP, whose `proxyPort`
    /// is the port of one of those frontends, is `connector-shared-by-http-and-https`'s
    /// finding: no port fits both sides. A frontend that listens only on loopback
    /// (`listen 127.0.0.1:8009`, a cache between the public proxy and the application) is a
    /// hop between proxies, not the port users reach, and is not compared.
    ///
    /// ## Why is this bad?
    /// The application writes `proxyPort` into every absolute link and redirect. Users are
    /// sent to `https://host:8080/`, where nothing speaks TLS.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" scheme="https" secure="true" proxyName="jira.example.com" proxyPort="8080"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" scheme="https" secure="true" proxyName="jira.example.com" proxyPort="443"/>
    /// ```
    pub struct ConnectorProxyPortMismatch {
        id: "connector-proxy-port-mismatch",
        summary: "a connector whose `proxyPort` (`server.proxy-port`) cannot be the port the public reaches it on",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for ConnectorProxyPortMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate().filter(|(_, c)| !c.ajp && !c.ssl_enabled)
        {
            if let Some(proxy_port) = connector.proxy_port {
                let public = connector.number(proxy_port);
                let fits_one_side = super::shared_by_http_and_https(cx, index)
                    && cx.topology().routes_of(index).any(|(_, f)| f.port.is_some() && f.port == public);
                if fits_one_side {
                    continue;
                }
                // A proxy that listens on loopback only is a hop, not the public port.
                let frontend = cx
                    .topology()
                    .routes_of(index)
                    .map(|(_, f)| f)
                    .find(|f| f.port.is_some_and(|p| Some(p) != public) && !super::loopback(cx, f));
                if let (Some(frontend), Some(public)) = (frontend, public) {
                    let listen = frontend.port.unwrap_or_default();
                    let name = connector.name(Field::ProxyPort);
                    sink.emit(
                        proxy_port.value.span,
                        "not the public port",
                        format!(
                            "`{name}` is `{public}`, but the proxy frontend `{}` listens on {listen}",
                            frontend.label
                        ),
                    )
                    .related(frontend.port_span, format!("public port {listen}"))
                    .help(format!("set `{}`", connector.assignment(Field::ProxyPort, &listen.to_string())))
                    .fix(fixes::fix(
                        cx,
                        format!("set `{}`", connector.assignment(Field::ProxyPort, &listen.to_string())),
                        Applicability::Unsafe,
                        fixes::set_value(cx, proxy_port, &listen.to_string()),
                    ));
                    continue;
                }
            }
            if connector.scheme_value().as_deref() != Some("https") {
                continue;
            }
            let Some(proxy_port) = connector.proxy_port else {
                continue;
            };
            let (Some(public), Some(own)) = (connector.number(proxy_port), connector.port_number()) else {
                continue;
            };
            if public != own {
                continue;
            }
            let port_name = connector.name(Field::Port);
            let diagnostic = sink.emit(
                proxy_port.value.span,
                "the connector's own port",
                format!(
                    "`{}` is `{public}`, the connector's own `{port_name}`, on an HTTPS connector",
                    connector.name(Field::ProxyPort)
                ),
            );
            match connector.port {
                Some(port) => diagnostic.related(port.value.span, "connector listens here"),
                None => diagnostic,
            }
            .help(format!(
                "set `{}` to the port users reach the proxy on (usually 443)",
                connector.name(Field::ProxyPort)
            ));
        }
    }
}
