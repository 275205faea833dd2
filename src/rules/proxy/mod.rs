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
use crate::syntax::apache_directives::{Place, DIRECTORY_CONTAINERS};
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

/// Where what stands directly inside each block is for Apache's context checks, indexed
/// like `config.blocks`: a directory container anywhere above wins, then a virtual host.
pub(crate) fn places(config: &Config<'_>) -> Vec<Place> {
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
pub(crate) fn unknown_module_guards(config: &Config<'_>) -> Vec<bool> {
    config.per_block(false, |outer, _, block| outer || (block.is("IfModule") && guards_unknown_module(block)))
}

/// An `<IfModule>`'s module is one the directive table does not know.
fn guards_unknown_module(block: &crate::syntax::apache::Block<'_>) -> bool {
    let table = crate::syntax::apache_directives::directives();
    block.args().first().is_some_and(|m| !m.unknown && table.module_source(m.text).is_none())
}
