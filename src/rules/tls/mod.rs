//! Rules about TLS: protocol versions, ciphers, and (in live mode) certificates.

pub(crate) mod certs;
pub mod tls_cert_chain_incomplete;
pub mod tls_cert_expired;
pub mod tls_cert_expiring;
pub mod tls_cert_missing;
pub mod tls_legacy_protocol;
pub mod tls_sslv3_enabled;
pub mod tls_weak_cipher;

use crate::diagnostic::Applicability;
use crate::rules::{fixes, Context, Sink};
use crate::tls::Protocol;

/// Reports each enabling of a protocol `bad` picks, with `label` and a message ending in `why`.
pub(crate) fn flag_enabled(cx: &Context<'_>, sink: &mut Sink<'_>, bad: fn(Protocol) -> bool, label: &str, why: &str) {
    for enabling in &cx.topology().tls_protocols {
        let flagged: Vec<String> =
            enabling.protocols.iter().filter(|p| bad(**p)).map(|p| format!("`{}`", p.name())).collect();
        if flagged.is_empty() {
            continue;
        }
        // A token that enables only what is flagged leaves its list; HAProxy's minimum rises.
        let fix = if enabling.setting == "ssl-min-ver" {
            // Not above a maximum set on the same line.
            let line = cx.parsed(enabling.span.file).map(|p| {
                let source = p.source;
                source.line_text(source.line_index(enabling.span.start())).to_string()
            });
            let capped = line.is_some_and(|l| {
                l.contains("ssl-max-ver") && !l.contains("ssl-max-ver TLSv1.2") && !l.contains("ssl-max-ver TLSv1.3")
            });
            let edit = (!capped).then(|| fixes::replace_last_word(cx, enabling.span, "TLSv1.2")).flatten();
            edit.map(|e| (e, "write `ssl-min-ver TLSv1.2`".to_string()))
        } else if enabling.protocols.iter().all(|p| bad(*p)) {
            fixes::remove_list_item(cx, enabling.span, &enabling.setting)
        } else {
            None
        };
        sink.emit(enabling.span, label, format!("`{}` enables {}{why}", enabling.setting, flagged.join(", ")))
            .help("enable only `TLSv1.2` and `TLSv1.3`")
            .fix(fix.and_then(|(e, description)| fixes::fix(cx, description, Applicability::Safe, [e])));
    }
}
