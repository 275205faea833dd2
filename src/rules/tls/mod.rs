//! Rules about TLS: protocol versions, ciphers, and (in live mode) certificates.

pub(crate) mod certs;
pub mod tls_cert_expired;
pub mod tls_cert_expiring;
pub mod tls_cert_missing;
pub mod tls_legacy_protocol;
pub mod tls_sslv3_enabled;
pub mod tls_weak_cipher;

use crate::model::{ProtocolSetting, ProtocolSyntax};
use crate::rules::queries::{apache_configs, haproxy_configs};
use crate::rules::{Context, Sink};
use crate::source::Span;
use crate::syntax::haproxy::keywords::options;
use crate::syntax::haproxy::WordRef;
use crate::tls::{self, Protocol};

/// The protocols a setting enables, grouped by the span of the token that enables them.
pub(crate) fn enabled(setting: &ProtocolSetting<'_>) -> Vec<(Span, Vec<Protocol>)> {
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
pub(crate) struct Enabling {
    span: Span,
    setting: String,
    protocols: Vec<Protocol>,
}

/// Every explicit protocol-version setting of the scan: Tomcat and Bitbucket connectors,
/// and HAProxy `bind`/`server` options and `ssl-default-*-options`.
pub(crate) fn enablings(cx: &Context<'_>) -> Vec<Enabling> {
    let mut out = Vec::new();
    for setting in cx.topology().connectors.iter().filter(|c| !c.ajp).flat_map(|c| c.protocols.iter()) {
        for (span, protocols) in enabled(setting) {
            out.push(Enabling { span, setting: setting.setting.name.to_string(), protocols });
        }
    }
    for config in haproxy_configs(cx.files) {
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
                out.push(Enabling { span, setting: word.text.to_string(), protocols });
            }
        }
    }
    for config in apache_configs(cx.files) {
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
            let mut grouped: Vec<Enabling> = Vec::new();
            for (protocol, span) in enabled {
                match grouped.iter_mut().find(|g| g.span == span) {
                    Some(group) => group.protocols.push(protocol),
                    None => grouped.push(Enabling {
                        span,
                        setting: directive.name().text.to_string(),
                        protocols: vec![protocol],
                    }),
                }
            }
            out.extend(grouped);
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

/// Reports each enabling of a protocol `bad` picks, with `label` and a message ending in `why`.
pub(crate) fn flag_enabled(cx: &Context<'_>, sink: &mut Sink<'_>, bad: fn(Protocol) -> bool, label: &str, why: &str) {
    for enabling in cx.tls_enablings.get_or_init(|| enablings(cx)) {
        let flagged: Vec<String> =
            enabling.protocols.iter().filter(|p| bad(**p)).map(|p| format!("`{}`", p.name())).collect();
        if flagged.is_empty() {
            continue;
        }
        sink.emit(enabling.span, label, format!("`{}` enables {}{why}", enabling.setting, flagged.join(", ")))
            .help("enable only `TLSv1.2` and `TLSv1.3`");
    }
}
