//! `tls-sslv3-enabled`: a configuration that explicitly enables SSLv3 or SSLv2.

use super::flag_enabled;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::tls::Protocol;

declare_rule! {
    /// ## What it does
    /// Flags a TLS protocol setting that explicitly enables SSLv3 or SSLv2: Tomcat's
    /// `<SSLHostConfig protocols>` and the 9.0 connector aliases `sslEnabledProtocols` and
    /// `SSLProtocol`; Bitbucket's `server.ssl.enabled-protocols`; HAProxy's `ssl-min-ver SSLv3`,
    /// `ssl-max-ver SSLv3` and `force-sslv3` on `bind`/`server` lines or in
    /// `ssl-default-*-options`; Apache `SSLProtocol`/`SSLProxyProtocol` with `+SSLv3` or a bare
    /// `SSLv3`. Only what the file states is judged: an absent setting leaves the library's
    /// defaults, and `sslProtocol` / `server.ssl.protocol` name the `SSLContext` algorithm,
    /// which enables nothing by itself.
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
        summary: "a TLS protocol setting that explicitly enables SSLv3 or SSLv2",
        severity: Error,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsSslv3Enabled {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        flag_enabled(cx, sink, Protocol::is_ssl, "enables SSL", "");
    }
}
