//! `connector-scheme-missing`: a connector reached over HTTPS whose `scheme` is not `https`.

use crate::model::Field;
use crate::rules::{declare_rule, Context, Rule, Sink};

/// The HTTPS port: a `proxyPort` of 443 means the public side is HTTPS.
const HTTPS_PORT: u16 = 443;

declare_rule! {
    /// ## What it does
    /// Flags a connector that is reached over HTTPS (its `proxyPort` is 443, or its `secure`
    /// is `true`) whose `scheme` is not `https` (absent means `http`). Connectors with
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
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for ConnectorSchemeMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for connector in cx.topology.connectors.iter().filter(|c| !c.ajp && !c.ssl_enabled) {
            let Some(scheme) = connector.scheme_value() else {
                continue;
            };
            if scheme == "https" {
                continue;
            }
            let https_port = connector.proxy_port.filter(|p| connector.number(p) == Some(HTTPS_PORT));
            let secure = connector.secure.filter(|_| connector.secure_value() == Some(true));
            let Some((evidence, why)) =
                https_port.map(|p| (p, "public port 443")).or(secure.map(|s| (s, "marked secure")))
            else {
                continue;
            };
            let scheme_name = connector.name(Field::Scheme);
            let fix = connector.assignment(Field::Scheme, "https");
            let evidence_name = evidence.name.clone();
            match connector.scheme {
                Some(setting) => sink.emit(
                    setting.value.span,
                    "not `https`",
                    format!("connector is reached over HTTPS (`{evidence_name}`) but `{scheme_name}` is `{scheme}`"),
                ),
                None => sink.emit(
                    connector.at,
                    "no `scheme`",
                    format!("connector is reached over HTTPS (`{evidence_name}`) but has no `{scheme_name}`; it defaults to `http`"),
                ),
            }
            .related(evidence.span, why)
            .help(format!("set `{fix}` so the application builds `https://` links"));
        }
    }
}
