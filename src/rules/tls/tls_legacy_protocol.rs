//! `tls-legacy-protocol`: a configuration that enables TLS 1.0 or 1.1.

use super::flag_enabled;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::tls::Protocol;

declare_rule! {
    /// ## What it does
    /// Flags a TLS protocol setting that enables TLS 1.0 or 1.1: Tomcat's `protocols="all"`
    /// (which includes both) or lists naming `TLSv1` / `TLSv1.1`, the 9.0 connector aliases
    /// `sslEnabledProtocols` and `SSLProtocol`, and Bitbucket's `server.ssl.enabled-protocols`.
    /// `all -TLSv1 -TLSv1.1` is fine. HAProxy: `ssl-min-ver TLSv1.0`/`TLSv1.1` and
    /// `force-tlsv10`/`force-tlsv11` on `bind`/`server` lines or in `ssl-default-*-options`
    /// (HAProxy's own default minimum has been TLSv1.2 since 2.2). Apache: `all` without
    /// `-TLSv1 -TLSv1.1`, `+TLSv1`, `+TLSv1.1`, a bare `TLSv1` in `SSLProtocol` /
    /// `SSLProxyProtocol`. nginx: `TLSv1` or `TLSv1.1` in `ssl_protocols` /
    /// `proxy_ssl_protocols`, where some nginx server of the run terminates TLS (`listen ...
    /// ssl`). `sslProtocol` and `server.ssl.protocol` are not judged: they name
    /// the JSSE `SSLContext` algorithm, which enables no protocol version by itself.
    ///
    /// ## Why is this bad?
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996): they lack modern cipher suites, browsers
    /// refuse them, and compliance scans fail on them.
    ///
    /// ## Example
    /// ```xml
    /// <SSLHostConfig protocols="all">
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <SSLHostConfig protocols="+TLSv1.2,+TLSv1.3">
    /// ```
    ///
    /// ## References
    /// - RFC 8996, Deprecating TLS 1.0 and TLS 1.1
    pub struct TlsLegacyProtocol {
        id: "tls-legacy-protocol",
        summary: "a TLS protocol setting that enables TLS 1.0 or 1.1",
        severity: Warning,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsLegacyProtocol {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        flag_enabled(cx, sink, Protocol::is_legacy_tls, "enables legacy TLS", " (deprecated by RFC 8996)");
    }
}
