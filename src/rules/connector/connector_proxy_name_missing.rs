//! `connector-proxy-name-missing`: no `proxyName` behind an Apache or nginx route that
//! rewrites the Host header.

use crate::diagnostic::Applicability;
use crate::model::{Field, ProxyKind};
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector without `proxyName` (`server.proxy-name`) that is linked from an
    /// Apache route that does not pass the client's Host header on: no `ProxyPreserveHost On`
    /// in the virtual host or the server context (off is Apache's default); or from an nginx
    /// route whose `proxy_set_header Host` in effect is not `$host` or `$http_host` (nginx
    /// sends the upstream's name by default). HAProxy passes the Host header unchanged and
    /// is not flagged.
    ///
    /// ## Why is this bad?
    /// The application then sees the upstream's host (`localhost:8080`) as the request's
    /// host and builds links and redirects to it: users land on `http://localhost:8080/...`.
    ///
    /// ## Example
    /// ```apache
    /// <VirtualHost *:443>
    ///     ServerName jira.example.com
    ///     ProxyPass /jira http://localhost:8080/jira
    /// </VirtualHost>
    /// ```
    /// with `<Connector port="8080" scheme="https" secure="true" proxyPort="443"/>`.
    ///
    /// Use instead: `ProxyPreserveHost On`, or `proxyName="jira.example.com"` on the connector.
    pub struct ConnectorProxyNameMissing {
        id: "connector-proxy-name-missing",
        summary: "a connector without `proxyName` (`server.proxy-name`) that is linked from an Apache or nginx route that does not pass the client's Host header on",
        severity: Warning,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Nginx],
    }
}

impl Rule for ConnectorProxyNameMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate() {
            if connector.proxy_name.is_some() {
                continue;
            }
            let rewriting = cx
                .topology()
                .routes_of(index)
                .find(|(r, f)| matches!(f.kind, ProxyKind::Apache | ProxyKind::Nginx) && !r.preserve_host);
            let Some((route, frontend)) = rewriting else { continue };
            let host = route.hosts.first().map_or("the public host name", |(h, _)| h.as_str());
            // The public name, and the public port when the connector has none.
            let public = !super::loopback(cx, frontend);
            let port = frontend.port.filter(|_| connector.proxy_port.is_none() && public).map(|p| p.to_string());
            let mut fields = vec![(Field::ProxyName, host)];
            fields.extend(port.as_deref().map(|p| (Field::ProxyPort, p)));
            let edits = route.hosts.first().and_then(|_| fixes::set_fields(cx, connector, &fields));
            let written: Vec<String> = fields.iter().map(|(f, v)| connector.assignment(*f, v)).collect();
            let description = format!("set `{}`", written.join(" "));
            let fix = fixes::fix(cx, description, Applicability::Unsafe, edits.unwrap_or_default());
            sink.emit(
                connector.at,
                "no proxyName",
                format!(
                    "connector has no `{}` and the proxy does not preserve the Host header: the app sees `{}:{}` as its host",
                    connector.name(Field::ProxyName),
                    route.upstream.host,
                    route.upstream.port.map_or_else(|| "?".to_string(), |p| p.to_string()),
                ),
            )
            .related(route.at, format!("Host header not preserved ({})", frontend.label))
            .help(format!(
                "{}, or set `{}`",
                match frontend.kind {
                    ProxyKind::Nginx => "add `proxy_set_header Host $host;` to the `location`",
                    _ => "add `ProxyPreserveHost On` to the virtual host",
                },
                connector.assignment(Field::ProxyName, host)
            ))
            .fix(fix);
        }
    }
}
