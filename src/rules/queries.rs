//! Tree queries the rules of several scopes share: the parsed files of each proxy format,
//! HAProxy statements and keywords, and the contexts of Apache's containers.

use crate::syntax::apache::Config as ApacheConfig;
use crate::syntax::apache_directives::{Place, DIRECTORY_CONTAINERS};
use crate::syntax::haproxy::{Config as HaproxyConfig, Section, Statement};
use crate::syntax::{Parsed, Tree};

/// Every parsed `haproxy.cfg`.
pub(crate) fn haproxy_configs<'c, 'a>(files: &'c [Parsed<'a>]) -> impl Iterator<Item = &'c HaproxyConfig<'a>> {
    files.iter().filter_map(|f| match &f.tree {
        Tree::Haproxy(config) => Some(config),
        _ => None,
    })
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
    config: &'c HaproxyConfig<'a>,
) -> impl Iterator<Item = (Option<&'c Section<'a>>, &'c Statement<'a>)> {
    let outside = config.outside.iter().map(|s| (None, s));
    outside.chain(config.sections.iter().flat_map(|section| section.statements.iter().map(move |s| (Some(section), s))))
}

/// The span of a statement's first `n` keyword words (`option httplog`).
pub(crate) fn keyword_span(statement: &Statement<'_>, n: usize) -> Option<crate::source::Span> {
    let first = statement.keyword()?;
    let skip = usize::from(statement.modifier().is_some());
    let last = statement.words().get(skip + n.max(1) - 1).unwrap_or(first);
    Some(first.span.cover(last.span))
}

/// The removed keyword a statement uses (one or two words), with HAProxy's hint.
pub(crate) fn removed(section: Option<&Section<'_>>, statement: &Statement<'_>) -> Option<(usize, &'static str)> {
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

/// Every parsed Apache file with its `ProxyPass`/`ProxyPassReverse` lines (found once, in
/// the model).
pub(crate) fn apache_configs_with_passes<'c, 'a>(
    cx: &'c crate::rules::Context<'a>,
) -> impl Iterator<Item = (&'c ApacheConfig<'a>, &'c [crate::model::apache::Pass<'a, 'a>])> {
    cx.files.iter().filter_map(move |f| match &f.tree {
        Tree::Apache(config) => Some((config, cx.topology().passes.get(&f.source.id()).map_or(&[][..], Vec::as_slice))),
        _ => None,
    })
}

/// Every parsed Apache file.
pub(crate) fn apache_configs<'c, 'a>(files: &'c [Parsed<'a>]) -> impl Iterator<Item = &'c ApacheConfig<'a>> {
    files.iter().filter_map(|f| match &f.tree {
        Tree::Apache(config) => Some(config),
        _ => None,
    })
}

/// Where what stands directly inside each block is for Apache's context checks, indexed
/// like `config.blocks`: a directory container anywhere above wins, then a virtual host.
pub(crate) fn places(config: &ApacheConfig<'_>) -> Vec<Place> {
    config.per_block(Place::Server, |outer, _, block| {
        let name = block.name().text.to_ascii_lowercase();
        if outer == Place::Directory || DIRECTORY_CONTAINERS.contains(&name.as_str()) {
            Place::Directory
        } else if name == "virtualhost" {
            Place::Vhost
        } else {
            outer
        }
    })
}

/// Whether what stands directly inside each block is inside `<IfModule>` for a module the
/// table does not know (a third-party module: its directives are not judged), indexed like
/// `config.blocks`.
pub(crate) fn unknown_module_guards(config: &ApacheConfig<'_>) -> Vec<bool> {
    config.per_block(false, |outer, _, block| outer || (block.is("IfModule") && guards_unknown_module(block)))
}

/// An `<IfModule>`'s module is one the directive table does not know.
fn guards_unknown_module(block: &crate::syntax::apache::Block<'_>) -> bool {
    let table = crate::syntax::apache_directives::directives();
    block.args().first().is_some_and(|m| !m.unknown && table.module_source(m.text).is_none())
}
