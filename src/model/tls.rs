//! TLS facts of every format: which protocol versions each setting enables.

use super::{Connector, ProtocolSetting, ProtocolSyntax};
use crate::source::Span;
use crate::syntax::haproxy::keywords::options;
use crate::syntax::haproxy::WordRef;
use crate::syntax::{Parsed, Tree};
use crate::tls::{self, Protocol};

/// The protocols a setting enables, grouped by the span of the token that enables them.
fn enabled(setting: &ProtocolSetting<'_>) -> Vec<(Span, Vec<Protocol>)> {
    let value = &setting.setting.value;
    let Some(text) = value.known() else {
        return Vec::new();
    };
    let list = match setting.syntax {
        ProtocolSyntax::TomcatList => tls::tomcat_protocols(text),
        ProtocolSyntax::CommaList => tls::listed_protocols(text),
    };
    let mut groups: Vec<(Span, Vec<Protocol>)> = Vec::new();
    for e in list {
        let span = value.sub_span(e.start, e.end);
        match groups.iter_mut().find(|(s, _)| *s == span) {
            Some((_, protocols)) => protocols.push(e.protocol),
            None => groups.push((span, vec![e.protocol])),
        }
    }
    groups
}

/// Where a protocol version is enabled: the span of the enabling token, the setting's
/// name, and the versions.
#[derive(Debug)]
pub struct ProtocolEnabling {
    /// The enabling token (`TLSv1`, `+TLSv1.1`, `ssl-min-ver TLSv1.0`).
    pub span: Span,
    /// The setting's name as written (`sslEnabledProtocols`, `SSLProtocol`).
    pub setting: String,
    /// The versions it enables.
    pub protocols: Vec<Protocol>,
}

/// Every explicit protocol-version setting of the scan: Tomcat and Bitbucket connectors,
/// HAProxy `bind`/`server` options and `ssl-default-*-options`, Apache `SSLProtocol` and
/// `SSLProxyProtocol`, nginx `ssl_protocols` and `proxy_ssl_protocols`.
pub(super) fn protocols(files: &[Parsed<'_>], connectors: &[Connector<'_>]) -> Vec<ProtocolEnabling> {
    let mut out = Vec::new();
    for setting in connectors.iter().filter(|c| !c.ajp).flat_map(|c| c.protocols.iter()) {
        for (span, protocols) in enabled(setting) {
            out.push(ProtocolEnabling { span, setting: setting.setting.name.to_string(), protocols });
        }
    }
    for config in files.iter().filter_map(|f| if let Tree::Haproxy(c) = &f.tree { Some(c) } else { None }) {
        for statement in config.sections.iter().flat_map(|s| s.statements.iter()) {
            let words: Vec<WordRef<'_>> =
                if statement.is(&["ssl-default-bind-options"]) || statement.is(&["ssl-default-server-options"]) {
                    statement.args().iter().collect()
                } else {
                    options(statement)
                        .into_iter()
                        .flat_map(|(name, args)| std::iter::once(name).chain(args.iter()))
                        .collect()
                };
            for pair in words.windows(2).chain(words.last().map(std::slice::from_ref)) {
                let Some(word) = pair.first() else { continue };
                let value = pair.get(1).map_or("", |w| w.text);
                let protocols = haproxy_versions(word.text, value);
                if protocols.is_empty() {
                    continue;
                }
                let span = pair
                    .get(1)
                    .filter(|_| word.text.starts_with("ssl-m"))
                    .map_or(word.span, |v| word.span.cover(v.span));
                out.push(ProtocolEnabling { span, setting: word.text.to_string(), protocols });
            }
        }
    }
    for config in files.iter().filter_map(|f| if let Tree::Apache(c) = &f.tree { Some(c) } else { None }) {
        for directive in config.directives.iter().filter(|d| d.is("SSLProtocol") || d.is("SSLProxyProtocol")) {
            let mut enabled: Vec<(Protocol, Span)> = Vec::new();
            for token in directive.args().iter().filter(|t| !t.unknown) {
                let (sign, name) = match token.text.as_bytes().first() {
                    Some(b'+') => ('+', token.text.get(1..).unwrap_or("")),
                    Some(b'-') => ('-', token.text.get(1..).unwrap_or("")),
                    _ => (' ', token.text),
                };
                // Apache's `all`: every TLS version; SSLv3 only where the library still has it.
                let named: Vec<Protocol> = if name.eq_ignore_ascii_case("all") {
                    vec![Protocol::TlsV1, Protocol::TlsV1_1, Protocol::TlsV1_2, Protocol::TlsV1_3]
                } else {
                    Protocol::from_jsse(name).into_iter().collect()
                };
                if sign == ' ' {
                    // A bare name replaces what came before.
                    enabled.clear();
                }
                enabled.retain(|(p, _)| !named.contains(p));
                if sign != '-' {
                    enabled.extend(named.into_iter().map(|p| (p, token.span)));
                }
            }
            let mut grouped: Vec<ProtocolEnabling> = Vec::new();
            for (protocol, span) in enabled {
                match grouped.iter_mut().find(|g| g.span == span) {
                    Some(group) => group.protocols.push(protocol),
                    None => grouped.push(ProtocolEnabling {
                        span,
                        setting: directive.name().text.to_string(),
                        protocols: vec![protocol],
                    }),
                }
            }
            out.extend(grouped);
        }
    }
    // nginx's `ssl_protocols` names each version it enables: one list, one place to change.
    // It matters only where nginx terminates TLS: Debian's stock `nginx.conf` lists TLSv1 in
    // `http` for servers that nobody has declared.
    let nginx = || files.iter().filter_map(|f| if let Tree::Nginx(c) = &f.tree { Some(c) } else { None });
    let terminates = nginx().any(|config| {
        config.directives.iter().any(|d| {
            (d.is("listen") && d.args().iter().skip(1).any(|a| a.text == "ssl"))
                || (d.is("ssl") && d.args().first().is_some_and(|a| a.text == "on"))
        })
    });
    for config in nginx().filter(|_| terminates) {
        for directive in config.directives.iter().filter(|d| d.is("ssl_protocols") || d.is("proxy_ssl_protocols")) {
            let args = directive.args();
            let protocols: Vec<Protocol> =
                args.iter().filter(|t| !t.unknown).filter_map(|t| Protocol::from_jsse(t.text)).collect();
            let (Some(first), Some(last)) = (args.first(), args.last()) else { continue };
            if !protocols.is_empty() {
                let setting = directive.name().text.to_string();
                out.push(ProtocolEnabling { span: first.span.cover(last.span), setting, protocols });
            }
        }
    }
    out
}

/// What an HAProxy TLS-version option enables.
fn haproxy_versions(option: &str, value: &str) -> Vec<Protocol> {
    const ORDER: [Protocol; 5] =
        [Protocol::SslV3, Protocol::TlsV1, Protocol::TlsV1_1, Protocol::TlsV1_2, Protocol::TlsV1_3];
    match option {
        "ssl-min-ver" => match Protocol::from_jsse(value) {
            Some(min) => ORDER.iter().copied().filter(|p| *p >= min).collect(),
            None => Vec::new(),
        },
        // A maximum below TLS 1.2 pulls HAProxy's minimum down with it.
        "ssl-max-ver" => Protocol::from_jsse(value).filter(|p| *p <= Protocol::TlsV1_1).into_iter().collect(),
        "force-sslv3" => vec![Protocol::SslV3],
        "force-tlsv10" => vec![Protocol::TlsV1],
        "force-tlsv11" => vec![Protocol::TlsV1_1],
        _ => Vec::new(),
    }
}
