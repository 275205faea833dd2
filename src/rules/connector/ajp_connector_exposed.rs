//! `ajp-connector-exposed`: an AJP connector without the protection Ghostcat needs.

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a live AJP connector with `secretRequired="false"`, or one listening on all
    /// addresses (`address="0.0.0.0"` or `"::"`) without a `secret`.
    ///
    /// ## Why is this bad?
    /// AJP trusts whoever connects. An AJP port reachable without a secret lets anyone read
    /// files from the web application and, where uploads are possible, run code
    /// (Ghostcat, CVE-2020-1938). Since Tomcat 9.0.31 AJP listens on the loopback address and
    /// requires a secret by default; these settings undo that.
    ///
    /// ## Example
    /// ```xml
    /// <Connector protocol="AJP/1.3" address="0.0.0.0" port="8009" secretRequired="false"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector protocol="AJP/1.3" address="127.0.0.1" port="8009" secret="${ajp.secret}"/>
    /// ```
    ///
    /// ## References
    /// - CVE-2020-1938 ("Ghostcat")
    pub struct AjpConnectorExposed {
        id: "ajp-connector-exposed",
        summary: "a live AJP connector with `secretRequired=\"false\"`, or one listening on all addresses (`address=\"0.0.0.0\"` or `\"::\"`) without a `secret`",
        severity: Warning,
        scope: "connector",
        formats: [TomcatServerXml],
    }
}

impl Rule for AjpConnectorExposed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for connector in cx.topology().connectors.iter().filter(|c| c.ajp) {
            let not_required = connector
                .secret_required
                .filter(|s| s.value.known().is_some_and(|v| v.trim().eq_ignore_ascii_case("false")));
            if let Some(setting) = not_required {
                sink.emit(setting.value.span, "secret not required", "AJP connector accepts requests without a secret (Ghostcat, CVE-2020-1938)")
                    .help("remove `secretRequired=\"false\"` and set `secret`, or remove the AJP connector if nothing uses it");
                continue;
            }
            let Some(address) = connector.address else {
                continue;
            };
            let everywhere = address.value.known().is_some_and(|a| matches!(a.trim(), "0.0.0.0" | "::" | "[::]" | "*"));
            if everywhere && connector.secret.is_none() {
                sink.emit(
                    address.value.span,
                    "all addresses",
                    "AJP connector listens on all addresses without a `secret` (Ghostcat, CVE-2020-1938)",
                )
                .help("set `address=\"127.0.0.1\"` and a `secret` shared with the proxy");
            }
        }
    }
}
