//! `connector-scheme-missing`: a connector reached over HTTPS whose `scheme` is not `https`.

use crate::diagnostic::Applicability;
use crate::model::Field;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector that is reached over HTTPS (a route linked to it comes from a proxy
    /// frontend that terminates TLS, its `proxyPort` is 443, or its `secure` is `true`) whose
    /// `scheme` is not `https` (absent means `http`). Connectors with
    /// `SSLEnabled="true"` are not flagged: Tomcat forces the scheme itself.
    ///
    /// ## Why is this bad?
    /// The application builds absolute links and redirects from the scheme the connector
    /// reports. With `http` behind a TLS proxy, users are redirected to `http://...:443`,
    /// gadgets and the Confluence editor fail to load, and the base URL check warns.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8090" proxyName="wiki.example.com" proxyPort="443" secure="true"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8090" proxyName="wiki.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// ```
    pub struct ConnectorSchemeMissing {
        id: "connector-scheme-missing",
        summary: "a connector that is reached over HTTPS (a route linked to it comes from a proxy frontend that terminates TLS, its `proxyPort` is 443, or its `secure` is `true`) whose `scheme` is not `https` (absent means `http`)",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for ConnectorSchemeMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate().filter(|(_, c)| !c.ajp && !c.ssl_enabled)
        {
            let Some(scheme) = connector.scheme_value() else {
                continue;
            };
            if scheme == "https" {
                continue;
            }
            let Some(evidence) = super::https_evidence(cx, index) else { continue };
            let (evidence_name, evidence_span, why, route) = evidence;
            let scheme_name = connector.name(Field::Scheme);
            let fix = connector.assignment(Field::Scheme, "https");
            let diagnostic = match connector.scheme {
                Some(setting) => sink.emit(
                    setting.value.span,
                    "not `https`",
                    format!("connector is reached over HTTPS ({evidence_name}) but `{scheme_name}` is `{scheme}`"),
                ),
                None => sink.emit(
                    connector.at,
                    format!("no `{scheme_name}`"),
                    format!("connector is reached over HTTPS ({evidence_name}) but has no `{scheme_name}`; it defaults to `http`"),
                ),
            };
            let edits = fixes::set_fields(cx, connector, &[(Field::Scheme, "https")]);
            diagnostic
                .related(evidence_span, why)
                .help(format!("set `{fix}` so the application builds `https://` links"))
                .fix(fixes::fix(cx, format!("set `{fix}`"), Applicability::Unsafe, edits.unwrap_or_default()));
            if let Some(route) = route {
                super::templated_link(route, diagnostic);
            }
        }
    }
}
