//! `connector-secure-missing`: an HTTPS connector whose `secure` is not `true`.

use crate::model::Field;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector that is reached over HTTPS (its `scheme` is `https`) whose `secure`
    /// is not `true`: `secure="false"`, `secure` absent, or `server.secure=false`. A
    /// connector with `SSLEnabled="true"` (or `server.ssl.enabled=true`) is not flagged:
    /// Tomcat sets both itself.
    ///
    /// ## Why is this bad?
    /// Behind a proxy that terminates TLS, Tomcat only knows the request was secure because
    /// the connector says so. With `secure` false it marks session cookies and requests as
    /// insecure: users see login loops, "XSRF check failed" and mixed-content warnings.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" scheme="https" proxyName="jira.example.com" proxyPort="443"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" scheme="https" secure="true" proxyName="jira.example.com" proxyPort="443"/>
    /// ```
    pub struct ConnectorSecureMissing {
        id: "connector-secure-missing",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for ConnectorSecureMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for connector in cx.topology.connectors.iter().filter(|c| !c.ajp && !c.ssl_enabled) {
            if connector.scheme_value().as_deref() != Some("https") || connector.secure_value() != Some(false) {
                continue;
            }
            let Some(scheme) = connector.scheme else {
                continue;
            };
            let secure_name = connector.name(Field::Secure);
            let scheme_name = connector.name(Field::Scheme);
            let fix = connector.assignment(Field::Secure, "true");
            match connector.secure {
                Some(secure) => sink
                    .emit(
                        secure.value.span,
                        "not `true`",
                        format!("connector has `{scheme_name}` `https` but `{secure_name}` is not `true`"),
                    )
                    .related(scheme.value.span, "reached over HTTPS")
                    .help(format!("set `{fix}`")),
                None => sink
                    .emit(
                        scheme.span,
                        "HTTPS without `secure`",
                        format!("connector has `{scheme_name}` `https` but no `{secure_name}`; it defaults to `false`"),
                    )
                    .help(format!("add `{fix}`")),
            };
        }
    }
}
