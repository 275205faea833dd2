//! `connector-secure-missing`: an HTTPS connector whose `secure` is not `true`.

use crate::diagnostic::Applicability;
use crate::model::Field;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a connector that is reached over HTTPS (its `scheme` is `https`, or a route
    /// linked to it comes from a proxy frontend that terminates TLS) whose `secure` is not
    /// `true`: `secure="false"`, `secure` absent, or `server.secure=false`. A
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
        summary: "a connector that is reached over HTTPS (its `scheme` is `https`, or a route linked to it comes from a proxy frontend that terminates TLS) whose `secure` is not `true`",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

impl Rule for ConnectorSecureMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (index, connector) in cx.topology().connectors.iter().enumerate().filter(|(_, c)| !c.ajp && !c.ssl_enabled)
        {
            if connector.secure_value() != Some(false) {
                continue;
            }
            if connector.scheme_value().as_deref() != Some("https") {
                // Reached over HTTPS through a linked route: the cross-file form.
                if let Some((route, frontend, tls)) = super::tls_route(cx, index) {
                    let secure_name = connector.name(Field::Secure);
                    let fix = connector.assignment(Field::Secure, "true");
                    let message = format!(
                        "connector is reached over HTTPS through the proxy (`{}`) but `{secure_name}` is not `true`",
                        frontend.label
                    );
                    let span = connector.secure.map_or(connector.at, |s| s.value.span);
                    let edits = fixes::set_fields(cx, connector, &[(Field::Secure, "true")]);
                    let diagnostic = sink
                        .emit(span, "not secure", message)
                        .related(tls, super::frontend_label("TLS ends here", frontend))
                        .help(format!("set `{fix}` (and `{}`)", connector.assignment(Field::Scheme, "https")))
                        .fix(fixes::fix(cx, format!("set `{fix}`"), Applicability::Unsafe, edits.unwrap_or_default()));
                    super::templated_link(route, diagnostic);
                }
                continue;
            }
            let Some(scheme) = connector.scheme else {
                continue;
            };
            let secure_name = connector.name(Field::Secure);
            let scheme_name = connector.name(Field::Scheme);
            let fix = connector.assignment(Field::Secure, "true");
            let diagnostic = match connector.secure {
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
            // `scheme="https"` says the connector is reached over HTTPS: `secure` follows.
            let edits = fixes::set_fields(cx, connector, &[(Field::Secure, "true")]);
            diagnostic.fix(fixes::fix(cx, format!("set `{fix}`"), Applicability::Safe, edits.unwrap_or_default()));
            if let Some((_, frontend, tls)) = super::tls_route(cx, index) {
                diagnostic.related(tls, super::frontend_label("TLS ends here", frontend));
            }
        }
    }
}
