//! Rules about TLS protocol versions.

pub mod tls_legacy_protocol;
pub mod tls_sslv3_enabled;

use crate::model::{Connector, ProtocolSetting, ProtocolSyntax};
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
        ProtocolSyntax::Algorithm => {
            let lead = text.len() - text.trim_start().len();
            let name = text.trim();
            Protocol::from_jsse(name)
                .map(|protocol| vec![tls::Enabled { protocol, start: lead, end: lead + name.len() }])
                .unwrap_or_default()
        }
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

/// Every TLS protocol setting of the HTTP connectors.
pub(crate) fn settings<'c, 'a>(connectors: &'c [Connector<'a>]) -> impl Iterator<Item = &'c ProtocolSetting<'a>> {
    connectors.iter().filter(|c| !c.ajp).flat_map(|c| c.protocols.iter())
}

/// `TLSv1, TLSv1.1` for a message.
pub(crate) fn names(protocols: &[Protocol]) -> String {
    protocols.iter().map(|p| format!("`{}`", p.name())).collect::<Vec<_>>().join(", ")
}
