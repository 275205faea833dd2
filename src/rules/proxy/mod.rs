//! Rules about Apache httpd's mod_proxy: `ProxyPass`, `ProxyPassReverse`, virtual hosts.

pub mod legacy_access_control;
pub mod proxy_open_forward;
pub mod proxypass_reverse_mismatch;
pub mod proxypass_reverse_missing;
pub mod proxypass_shadowed;
pub mod proxypass_trailing_slash;
pub mod servername_has_path;
pub mod websocket_proxy_missing;

use crate::syntax::apache::Config;
use crate::syntax::{Parsed, Tree};

/// Every parsed Apache file with its `ProxyPass`/`ProxyPassReverse` lines (found once, in
/// the model).
pub(crate) fn configs_with_passes<'c, 'a>(
    cx: &'c crate::rules::Context<'a>,
) -> impl Iterator<Item = (&'c Config<'a>, &'c [Pass<'a, 'a>])> {
    cx.files.iter().filter_map(move |f| match &f.tree {
        Tree::Apache(config) => Some((config, cx.topology().passes.get(&f.source.id).map_or(&[][..], Vec::as_slice))),
        _ => None,
    })
}

/// Every parsed Apache file.
pub(crate) fn configs<'c, 'a>(files: &'c [Parsed<'a>]) -> impl Iterator<Item = &'c Config<'a>> {
    files.iter().filter_map(|f| match &f.tree {
        Tree::Apache(config) => Some(config),
        _ => None,
    })
}

pub(crate) use crate::model::apache::{trimmed, url_path, vhost_of, Pass, Target};

/// Where a directive stands for Apache's context checks.
pub(crate) fn place_of(config: &Config<'_>, block: Option<usize>) -> crate::syntax::apache_directives::Place {
    use crate::syntax::apache_directives::{Place, DIRECTORY_CONTAINERS};
    let mut place = Place::Server;
    for ancestor in config.ancestors(block) {
        let name = ancestor.name().text.to_ascii_lowercase();
        if DIRECTORY_CONTAINERS.contains(&name.as_str()) {
            return Place::Directory;
        }
        if name == "virtualhost" {
            place = Place::Vhost;
        }
    }
    place
}

/// Whether a directive stands inside `<IfModule>` for a module the table does not know (a
/// third-party module: its directives are not judged).
pub(crate) fn guarded_by_unknown_module(config: &Config<'_>, block: Option<usize>) -> bool {
    let table = crate::syntax::apache_directives::directives();
    config.ancestors(block).any(|b| {
        b.is("IfModule") && b.args().first().is_some_and(|m| !m.unknown && table.module_source(m.text).is_none())
    })
}
