//! Rules about HAProxy proxies: backends, ACLs, TLS listeners.

pub mod haproxy_acl_undefined;
pub mod haproxy_acl_unused;
pub mod haproxy_backend_undefined;
pub mod haproxy_forwardfor_missing;
pub mod haproxy_ssh_in_http_mode;
pub mod haproxy_ssl_without_crt;

use crate::syntax::haproxy::{Config, Section};
use crate::syntax::{Parsed, Tree};

/// Every parsed `haproxy.cfg`.
pub(crate) fn configs<'c, 'a>(files: &'c [Parsed<'a>]) -> impl Iterator<Item = &'c Config<'a>> {
    files.iter().filter_map(|f| match &f.tree {
        Tree::Haproxy(config) => Some(config),
        _ => None,
    })
}

/// ACLs HAProxy defines itself (configuration manual, section 7.4).
pub(crate) const PREDEFINED_ACLS: [&str; 22] = [
    "FALSE",
    "HTTP",
    "HTTP_1.0",
    "HTTP_1.1",
    "HTTP_2.0",
    "HTTP_CONTENT",
    "HTTP_URL_ABS",
    "HTTP_URL_SLASH",
    "HTTP_URL_STAR",
    "LOCALHOST",
    "METH_CONNECT",
    "METH_DELETE",
    "METH_GET",
    "METH_HEAD",
    "METH_OPTIONS",
    "METH_POST",
    "METH_PUT",
    "METH_TRACE",
    "RDP_COOKIE",
    "REQ_CONTENT",
    "TRUE",
    "WAIT_END",
];

/// The names the `acl` lines of a section declare, with the name's word.
pub(crate) fn declared_acls<'s>(section: &'s Section<'_>) -> impl Iterator<Item = crate::syntax::haproxy::WordRef<'s>> {
    section.find(&["acl"]).filter_map(|s| s.args().first()).filter(|w| !w.unknown)
}

/// A section's name for messages: `frontend `fe``.
pub(crate) fn describe(section: &Section<'_>) -> String {
    match section.name() {
        "" => format!("the unnamed `{}` section", section.kind()),
        name => format!("{} `{name}`", section.kind()),
    }
}

/// The rule keywords whose next word is an action (`http-request deny`).
pub(crate) const RULE_KEYWORDS: [&str; 7] = [
    "http-request",
    "http-response",
    "http-after-response",
    "tcp-request connection",
    "tcp-request session",
    "tcp-request content",
    "tcp-response content",
];

/// Every statement of a config with the section it is in (`None`: outside any section).
pub(crate) fn statements<'c, 'a>(
    config: &'c Config<'a>,
) -> impl Iterator<Item = (Option<&'c Section<'a>>, &'c crate::syntax::haproxy::Statement<'a>)> {
    let outside = config.outside.iter().map(|s| (None, s));
    outside.chain(config.sections.iter().flat_map(|section| section.statements.iter().map(move |s| (Some(section), s))))
}

/// The span of a statement's first `n` keyword words (`option httplog`).
pub(crate) fn keyword_span(statement: &crate::syntax::haproxy::Statement<'_>, n: usize) -> Option<crate::source::Span> {
    let first = statement.keyword()?;
    let skip = usize::from(statement.modifier().is_some());
    let last = statement.words().get(skip + n.max(1) - 1).unwrap_or(first);
    Some(first.span.cover(last.span))
}

/// The removed keyword a statement uses (one or two words), with HAProxy's hint.
pub(crate) fn removed(
    section: Option<&Section<'_>>,
    statement: &crate::syntax::haproxy::Statement<'_>,
) -> Option<(usize, &'static str)> {
    let table = crate::syntax::haproxy::keywords::keywords();
    let in_global = section.is_some_and(|s| s.kind() == "global");
    statement
        .longest_keyword(table.lookup_width(statement, 2), |key| {
            let hint = table.removed.get(key)?;
            // `nbproc` and `tune.chksize` are global keywords; the rest were proxy keywords.
            let global_keyword = matches!(key, "nbproc" | "tune.chksize");
            (global_keyword == in_global || key == "resolution_pool_size").then_some(*hint)
        })
        .map(|(hint, n)| (n, hint))
}
