//! `ajp-connector-exposed`: an AJP connector without the protection Ghostcat needs.

use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags a live AJP connector with `secretRequired="false"`; one without a `secret` (or
    /// `requiredSecret`) on a Tomcat that starts it so, listening on all addresses by default
    /// (before 9.0.31, 8.5.51 and 7.0.100, and every 8.0 and 6.0: the version from
    /// `[versions] tomcat`, else from what the repository installs, when it tells the patch
    /// level or the line has no fixed release); or one listening on all addresses
    /// (`address="0.0.0.0"` or `"::"`) without a `secret`.
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
        summary: "a live AJP connector with `secretRequired=\"false\"`, one without a `secret` on a Tomcat that starts it so (before 9.0.31 / 8.5.51), or one listening on all addresses (`address=\"0.0.0.0\"` or `\"::\"`) without a `secret`",
        severity: Warning,
        scope: "connector",
        formats: [TomcatServerXml],
    }
}

impl Rule for AjpConnectorExposed {
    fn version_dependent(&self) -> bool {
        true
    }

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
            if connector.secret.is_none() {
                if let Some((tomcat, pinned)) = unprotected_tomcat(cx, connector.file) {
                    let finding = sink.emit(
                        connector.at,
                        "no secret",
                        format!(
                            "AJP connector without a `secret` on Tomcat {tomcat}, which starts it without one and listens on all addresses unless `address` says otherwise (Ghostcat, CVE-2020-1938)"
                        ),
                    );
                    if let Some((span, label)) = pinned {
                        finding.related(span, label);
                    }
                    finding.help("set a `secret` shared with the proxy and `address=\"127.0.0.1\"`, upgrade Tomcat, or remove the AJP connector if nothing uses it");
                    continue;
                }
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

/// The Tomcat a server.xml runs on, when it is one that starts an AJP connector without a
/// secret (before 9.0.31, 8.5.51, 7.0.100; every 8.0 and earlier line): the version as
/// shown, and where the repository pins it. A line whose patch level is not known is not
/// judged.
fn unprotected_tomcat(cx: &Context<'_>, file: crate::source::FileId) -> Option<(String, Option<(Span, String)>)> {
    let release = crate::rules::tomcat::tomcat_release(cx, file)?;
    let unprotected = match (release.major, release.minor) {
        (0..=6, _) | (8, 0) => true,
        (7, 0) => release.before(7, 0, 100)?,
        (8, 5) => release.before(8, 5, 51)?,
        (9, 0) => release.before(9, 0, 31)?,
        _ => false,
    };
    unprotected.then(|| (release.shown(), release.pinned))
}
