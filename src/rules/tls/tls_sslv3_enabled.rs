//! `tls-sslv3-enabled`: a configuration that explicitly enables SSLv3 or SSLv2.

use super::{enabled, names, settings};
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a TLS protocol setting that explicitly enables SSLv3 or SSLv2: Tomcat's
    /// `<SSLHostConfig protocols>` and the 9.0 connector attributes `sslEnabledProtocols` and
    /// `sslProtocol`; Bitbucket's `server.ssl.enabled-protocols` and `server.ssl.protocol`.
    /// Only what the file states is judged: an absent setting leaves the JVM's defaults.
    ///
    /// ## Why is this bad?
    /// SSLv3 is broken (POODLE, RFC 7568) and SSLv2 worse; current JVMs disable them, and a
    /// configuration that asks for them either fails on upgrade or, on an old JVM, exposes
    /// every session.
    ///
    /// ## Example
    /// ```xml
    /// <SSLHostConfig protocols="SSLv3,TLSv1.2">
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <SSLHostConfig protocols="TLSv1.2,TLSv1.3">
    /// ```
    ///
    /// ## References
    /// - RFC 7568, Deprecating Secure Sockets Layer Version 3.0
    pub struct TlsSslv3Enabled {
        id: "tls-sslv3-enabled",
        severity: Error,
        scope: "tls",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for TlsSslv3Enabled {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for setting in settings(&cx.topology.connectors) {
            for (span, protocols) in enabled(setting) {
                let broken: Vec<_> = protocols.into_iter().filter(|p| p.is_ssl()).collect();
                if broken.is_empty() {
                    continue;
                }
                let name = &setting.setting.name;
                sink.emit(span, "enables SSL", format!("`{name}` enables {}", names(&broken)))
                    .help("enable only `TLSv1.2` and `TLSv1.3`");
            }
        }
    }
}
