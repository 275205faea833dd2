//! Rules about TLS protocol versions.

pub mod tls_legacy_protocol;
pub mod tls_sslv3_enabled;

use crate::model::{Connector, ProtocolSetting, ProtocolSyntax};
use crate::rules::Sink;
use crate::source::Span;
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

/// Reports each token of a TLS protocol setting (of any HTTP connector) that enables one of
/// the protocols `bad` picks, with `label` and a message ending in `why`.
pub(crate) fn flag_enabled(
    connectors: &[Connector<'_>],
    sink: &mut Sink<'_>,
    bad: fn(Protocol) -> bool,
    label: &str,
    why: &str,
) {
    for setting in connectors.iter().filter(|c| !c.ajp).flat_map(|c| c.protocols.iter()) {
        for (span, protocols) in enabled(setting) {
            let flagged: Vec<String> =
                protocols.into_iter().filter(|p| bad(*p)).map(|p| format!("`{}`", p.name())).collect();
            if flagged.is_empty() {
                continue;
            }
            let name = &setting.setting.name;
            sink.emit(span, label, format!("`{name}` enables {}{why}", flagged.join(", ")))
                .help("enable only `TLSv1.2` and `TLSv1.3`");
        }
    }
}
