//! `tls-weak-cipher`: a cipher setting that leaves weak ciphers enabled.

use crate::rules::queries::{apache_configs, haproxy_configs};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::haproxy::keywords::options;
use crate::tls::weak_ciphers;

/// How many weak ciphers a message names before summing up the rest.
const NAMED: usize = 4;

declare_rule! {
    /// ## What it does
    /// Flags a cipher setting that, evaluated as OpenSSL evaluates cipher strings (`:`, `,`
    /// and space separators, `+`, `-`, `!`, `@STRENGTH`, aliases such as `ALL`, `HIGH`,
    /// `MEDIUM`, `RC4`, `aNULL`, `eNULL`, `EXPORT`, `3DES`), leaves enabled a cipher with NULL
    /// encryption, anonymous key exchange, EXPORT grade, RC4, DES or 3DES, or an MD5 MAC. The
    /// message names the weak ciphers that survive. Read: HAProxy `ciphers` on `bind`/`server`
    /// lines, `ssl-default-bind-ciphers`, `ssl-default-server-ciphers`; Apache `SSLCipherSuite`
    /// and `SSLProxyCipherSuite`; Tomcat
    /// `<SSLHostConfig ciphers>` and the 9.0 connector `ciphers`/`SSLCipherSuite`; Bitbucket's
    /// `server.ssl.ciphers` (lists of IANA/JSSE names are judged by name); nginx `ssl_ciphers`
    /// and `proxy_ssl_ciphers`. The suites include
    /// the legacy ones newer OpenSSL versions no longer build, because the same configuration
    /// enables them on an older library.
    ///
    /// ## Why is this bad?
    /// These ciphers are broken or offer no protection (RFC 7465 prohibits RC4; 3DES falls to
    /// Sweet32; EXPORT and NULL suites are trivially read). A client that offers them gets
    /// them.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bind *:443 ssl crt /etc/haproxy/certAndKey.pem ciphers ALL:!aNULL
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bind *:443 ssl crt /etc/haproxy/certAndKey.pem ciphers HIGH:!aNULL:!MD5
    /// ```
    ///
    /// ## References
    /// - RFC 7465, Prohibiting RC4 Cipher Suites
    pub struct TlsWeakCipher {
        id: "tls-weak-cipher",
        summary: "a cipher setting that, evaluated as OpenSSL evaluates cipher strings (`:`, `,` and space separators, `+`, `-`, `!`, `@STRENGTH`, aliases such as `ALL`, `HIGH`, `MEDIUM`, `RC4`, `aNULL`, `eNULL`, `EXPORT`, `3DES`), leaves enabled a cipher with NULL encryption, anonymous key exchange, EXPORT grade, RC4, DES or 3DES, or an MD5 MAC",
        severity: Warning,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsWeakCipher {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let mut judge = Judge::default();
        for connector in cx.topology().connectors.iter().filter(|c| !c.ajp) {
            for setting in &connector.ciphers {
                if let Some(text) = setting.value.known() {
                    judge.run(sink, setting.value.span, &setting.name, text);
                }
            }
        }
        for config in apache_configs(cx.files) {
            for directive in config.directives.iter().filter(|d| d.is("SSLCipherSuite") || d.is("SSLProxyCipherSuite"))
            {
                // `SSLCipherSuite [SSL|TLSv1.3] spec`: TLS 1.3 suites are not judged here.
                let args = directive.args();
                let spec = match (args.first(), args.get(1)) {
                    (Some(protocol), Some(spec)) if protocol.text.eq_ignore_ascii_case("SSL") => spec,
                    (Some(protocol), _) if protocol.text.eq_ignore_ascii_case("TLSv1.3") => continue,
                    (Some(spec), _) => spec,
                    (None, _) => continue,
                };
                if let Some(text) = spec.known() {
                    judge.run(sink, spec.span, directive.name().text, text);
                }
            }
        }
        for file in cx.files {
            let crate::syntax::Tree::Nginx(config) = &file.tree else { continue };
            for directive in config.directives.iter().filter(|d| d.is("ssl_ciphers") || d.is("proxy_ssl_ciphers")) {
                if let Some(value) = directive.args().first() {
                    if let Some(text) = value.known() {
                        judge.run(sink, value.span, directive.name().text, text);
                    }
                }
            }
        }
        for config in haproxy_configs(cx.files) {
            for statement in config.sections.iter().flat_map(|s| s.statements.iter()) {
                if statement.is(&["ssl-default-bind-ciphers"]) || statement.is(&["ssl-default-server-ciphers"]) {
                    let (Some(keyword), Some(value)) = (statement.keyword(), statement.args().first()) else {
                        continue;
                    };
                    if let Some(text) = value.known() {
                        judge.run(sink, value.span, keyword.text, text);
                    }
                    continue;
                }
                for (option, args) in options(statement) {
                    let Some(value) = args.first().filter(|_| option.text == "ciphers") else { continue };
                    if let Some(text) = value.known() {
                        judge.run(sink, value.span, "ciphers", text);
                    }
                }
            }
        }
    }
}

/// The weak ciphers of each cipher string, evaluated once however many lines repeat it (a
/// file of a thousand servers has a thousand `ssl_ciphers` lines and one string).
#[derive(Default)]
struct Judge {
    evaluated: foldhash::HashMap<String, Option<Vec<(String, &'static str)>>>,
}

impl Judge {
    fn run(&mut self, sink: &mut Sink<'_>, span: Span, setting: &str, value: &str) {
        let weak = self.evaluated.entry(value.to_string()).or_insert_with(|| weak_ciphers(value));
        if let Some(weak) = weak {
            judge(sink, span, setting, weak);
        }
    }
}

fn judge(sink: &mut Sink<'_>, span: Span, setting: &str, weak: &[(String, &'static str)]) {
    if weak.is_empty() {
        return;
    }
    let mut named: Vec<String> = weak.iter().take(NAMED).map(|(name, why)| format!("`{name}` ({why})")).collect();
    if weak.len() > NAMED {
        named.push(format!("and {} more", weak.len() - NAMED));
    }
    let mut reasons: Vec<&str> = weak.iter().map(|(_, why)| *why).collect();
    reasons.sort_unstable();
    reasons.dedup();
    let exclusions: Vec<&str> = reasons
        .iter()
        .map(|why| match *why {
            "no encryption" => "!eNULL",
            "anonymous" => "!aNULL",
            "export grade" => "!EXPORT",
            "RC4" => "!RC4",
            "3DES" => "!3DES",
            "DES" => "!DES",
            _ => "!MD5",
        })
        .collect();
    sink.emit(span, "weak ciphers enabled", format!("`{setting}` leaves weak ciphers enabled: {}", named.join(", ")))
        .help(format!("exclude them (`{}`), or start from `HIGH:!aNULL:!MD5`", exclusions.join(":")));
}
