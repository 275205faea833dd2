//! `property-key-typo`: a misspelt `server.*` / `setup.*` key in `bitbucket.properties`.

use foldhash::HashMap;
use std::sync::OnceLock;

use crate::diagnostic::Applicability;
use crate::rules::{declare_rule, edit_distance, fixes, Context, Rule, Sink};
use crate::syntax::Tree;

/// How many edits (on the relaxed form) still count as a typo of a known key.
const MAX_EDITS: usize = 2;

declare_rule! {
    /// ## What it does
    /// Flags a `server.*` or `setup.*` key in `bitbucket.properties` that is not a key
    /// Bitbucket knows but is within two edits of one (`server.proxy-nmae`,
    /// `setup.baseurl.`), and names the key it probably meant. Spring Boot's relaxed spellings
    /// of known keys (`server.proxyName`, `server.proxy_name`) are known, not typos.
    ///
    /// ## Why is this bad?
    /// Bitbucket ignores keys it does not know, without a word in the log. A misspelt proxy
    /// key leaves the connector with its defaults: `http` links, the wrong host, the wrong
    /// port.
    ///
    /// ## Example
    /// ```properties
    /// server.proxy-nmae=git.example.com
    /// ```
    ///
    /// Use instead:
    /// ```properties
    /// server.proxy-name=git.example.com
    /// ```
    pub struct PropertyKeyTypo {
        id: "property-key-typo",
        summary: "a `server.*` or `setup.*` key in `bitbucket.properties` that is not a key Bitbucket knows but is within two edits of one (`server.proxy-nmae`, `setup.baseurl.`), and names the key it probably meant",
        severity: Warning,
        scope: "properties",
        formats: [BitbucketProperties],
    }
}

/// The relaxed form of a known key (`server.additional-connector.N.port` keeps `n`) to the key.
fn known_keys() -> &'static HashMap<String, &'static str> {
    static KEYS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        include_str!("../../../grammar/bitbucket-keys.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|key| (crate::model::relaxed(key), key))
            .collect()
    })
}

/// The relaxed form with a connector number replaced by `n`, as in the table.
fn lookup_form(key: &str) -> String {
    let relaxed = crate::model::relaxed(key);
    let Some(rest) = relaxed.strip_prefix("server.additionalconnector.") else {
        return relaxed;
    };
    let (number, tail) = rest.split_once('.').unwrap_or((rest, ""));
    if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) {
        return format!("server.additionalconnector.n.{tail}");
    }
    relaxed
}

impl Rule for PropertyKeyTypo {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let known = known_keys();
        for file in cx.files {
            let Tree::Properties(props) = &file.tree else {
                continue;
            };
            for entry in &props.entries {
                let key = entry.name.as_ref();
                let lower = key.to_ascii_lowercase();
                if !(lower.starts_with("server.") || lower.starts_with("setup.")) || crate::syntax::is_unknown(key) {
                    continue;
                }
                let form = lookup_form(key);
                if known.contains_key(&form) {
                    continue;
                }
                let best = known
                    .iter()
                    .filter(|(relaxed, _)| relaxed.len().abs_diff(form.len()) <= MAX_EDITS)
                    .map(|(relaxed, key)| (edit_distance(&form, relaxed), *key))
                    .filter(|(d, _)| *d <= MAX_EDITS)
                    .min();
                let Some((_, meant)) = best else { continue };
                let meant = meant.replace(".N.", &additional_number(key));
                sink.emit(
                    entry.name_span,
                    "unknown key",
                    format!("`{key}` is not a Bitbucket setting; Bitbucket ignores it"),
                )
                .help(format!("did you mean `{meant}`?"))
                .fix(fixes::fix(
                    cx,
                    format!("rename to `{meant}`"),
                    Applicability::Safe,
                    (!meant.contains(".N.")).then(|| fixes::replace(cx, entry.name_span, meant.as_str())).flatten(),
                ));
            }
        }
    }
}

/// `.1.` for `server.additional-connector.1.port`, `.N.` otherwise.
fn additional_number(key: &str) -> String {
    key.split('.')
        .nth(2)
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
        .map_or(".N.".into(), |n| format!(".{n}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relaxed_spellings_and_numbered_connectors_are_known() {
        let known = known_keys();
        for key in [
            "server.proxy-name",
            "server.proxyName",
            "server.proxy_name",
            "server.additional-connector.2.port",
            "setup.baseUrl",
        ] {
            assert!(known.contains_key(&lookup_form(key)), "{key}");
        }
        assert!(!known.contains_key(&lookup_form("server.proxy-nmae")));
    }
}
