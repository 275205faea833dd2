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

/// Where a directive stands for Apache's context checks.
pub(crate) fn place_of(config: &Config<'_>, block: Option<usize>) -> Place {
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

/// [`place_of`] for what stands directly inside each block, indexed like `config.blocks`.
///
/// Each block's place follows from its parent's (a directory container anywhere above wins,
/// then a virtual host), so deeply nested containers cost one step each rather than a walk
/// to the top for every directive.
pub(crate) fn places(config: &Config<'_>) -> Vec<Place> {
    let mut out: Vec<Place> = Vec::with_capacity(config.blocks.len());
    for (index, block) in config.blocks.iter().enumerate() {
        // Blocks are stored as they open, so a parent comes first; walk otherwise.
        let inherited = match block.parent {
            None => Some(Place::Server),
            Some(parent) if parent < index => out.get(parent).copied(),
            Some(_) => None,
        };
        let Some(inherited) = inherited else {
            out.push(place_of(config, Some(index)));
            continue;
        };
        let name = block.name().text.to_ascii_lowercase();
        let place = if inherited == Place::Directory || DIRECTORY_CONTAINERS.contains(&name.as_str()) {
            Place::Directory
        } else if name == "virtualhost" {
            Place::Vhost
        } else {
            inherited
        };
        out.push(place);
    }
    out
}

/// Whether a directive stands inside `<IfModule>` for a module the table does not know (a
/// third-party module: its directives are not judged).
pub(crate) fn guarded_by_unknown_module(config: &Config<'_>, block: Option<usize>) -> bool {
    config.ancestors(block).any(|b| b.is("IfModule") && guards_unknown_module(b))
}

/// [`guarded_by_unknown_module`] for what stands directly inside each block, indexed like
/// `config.blocks`, each from its parent's.
pub(crate) fn unknown_module_guards(config: &Config<'_>) -> Vec<bool> {
    let mut out: Vec<bool> = Vec::with_capacity(config.blocks.len());
    for (index, block) in config.blocks.iter().enumerate() {
        let inherited = match block.parent {
            None => false,
            Some(parent) if parent < index => out.get(parent).copied().unwrap_or(false),
            Some(parent) => guarded_by_unknown_module(config, Some(parent)),
        };
        out.push(inherited || (block.is("IfModule") && guards_unknown_module(block)));
    }
    out
}

/// An `<IfModule>`'s module is one the directive table does not know.
fn guards_unknown_module(block: &crate::syntax::apache::Block<'_>) -> bool {
    let table = crate::syntax::apache_directives::directives();
    block.args().first().is_some_and(|m| !m.unknown && table.module_source(m.text).is_none())
}
