//! `haproxy-ssl-without-crt`: a TLS listener with no certificate.

use crate::rules::queries::haproxy_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::haproxy::keywords::options;

declare_rule! {
    /// ## What it does
    /// Flags a `bind` line with `ssl` but neither `crt` nor `crt-list`.
    ///
    /// ## Why is this bad?
    /// HAProxy refuses to start ("no SSL certificate specified for bind"). `crt-base` only
    /// sets the directory relative `crt` paths are read from; it names no certificate.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bind *:443 ssl
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bind *:443 ssl crt /etc/haproxy/certAndKey.pem
    /// ```
    pub struct HaproxySslWithoutCrt {
        id: "haproxy-ssl-without-crt",
        summary: "a `bind` line with `ssl` but neither `crt` nor `crt-list`",
        severity: Error,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxySslWithoutCrt {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in haproxy_configs(cx.files) {
            for statement in config.sections.iter().flat_map(|s| s.find(&["bind"])) {
                let options = options(statement);
                let Some((ssl, _)) = options.iter().find(|(name, _)| name.text == "ssl") else { continue };
                if options.iter().any(|(name, _)| matches!(name.text, "crt" | "crt-list")) {
                    continue;
                }
                let address = statement.args().first().map_or("", |a| a.text);
                sink.emit(
                    ssl.span,
                    "TLS without a certificate",
                    format!("`bind {address}` has `ssl` but no `crt` or `crt-list`"),
                )
                .help("add `crt /path/to/cert-and-key.pem` (or `crt-list`)");
            }
        }
    }
}
