//! Rules about TLS: protocol versions, ciphers, and (in live mode) certificates.

pub(crate) mod certs;
pub mod tls_cert_chain_incomplete;
pub mod tls_cert_expired;
pub mod tls_cert_expiring;
pub mod tls_cert_missing;
pub mod tls_legacy_protocol;
pub mod tls_sslv3_enabled;
pub mod tls_weak_cipher;

use crate::diagnostic::{Applicability, Fix};
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
        let edit = if enabling.setting == "ssl-min-ver" {
            fixes::replace_last_word(cx, enabling.span, "TLSv1.2")
        } else if enabling.protocols.iter().all(|p| bad(*p)) {
            fixes::remove_list_item(cx, enabling.span)
        } else {
            None
        };
        let description = match enabling.setting.as_str() {
            "ssl-min-ver" => "write `ssl-min-ver TLSv1.2`".to_string(),
            _ => format!("remove {} from `{}`", flagged.join(", "), enabling.setting),
        };
        sink.emit(enabling.span, label, format!("`{}` enables {}{why}", enabling.setting, flagged.join(", ")))
            .help("enable only `TLSv1.2` and `TLSv1.3`")
            .fix(edit.and_then(|e| Fix::new(description, Applicability::Safe, vec![e])));
    }
}
