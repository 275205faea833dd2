//! Rules about Apache httpd's mod_proxy: `ProxyPass`, `ProxyPassReverse`, virtual hosts.

pub mod legacy_access_control;
pub mod proxy_open_forward;
pub mod proxypass_reverse_mismatch;
pub mod proxypass_reverse_missing;
pub mod proxypass_shadowed;
pub mod proxypass_trailing_slash;
pub mod servername_has_path;
pub mod websocket_proxy_missing;

use crate::source::Span;
use crate::syntax::apache::{Config, Directive};
use crate::syntax::{Parsed, Tree, Word};

/// Every parsed Apache file.
pub(crate) fn configs<'c, 'a>(files: &'c [Parsed<'a>]) -> impl Iterator<Item = &'c Config<'a>> {
    files.iter().filter_map(|f| match &f.tree {
        Tree::Apache(config) => Some(config),
        _ => None,
    })
}

/// What a `ProxyPass` sends to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'s, 'a> {
    /// An upstream URL.
    Url(&'s Word<'a>),
    /// `!`: not proxied.
    Exclusion,
}

/// A `ProxyPass` or `ProxyPassReverse`, with the local path it applies to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pass<'s, 'a> {
    /// The directive.
    pub directive: &'s Directive<'a>,
    /// `ProxyPassReverse`.
    pub reverse: bool,
    /// The local path, and where it is written (the `<Location>` argument for the one-argument
    /// form).
    pub local: (&'s str, Span),
    /// Written inside `<Location>` (one-argument form).
    pub in_location: bool,
    /// The upstream.
    pub target: Target<'s, 'a>,
    /// The enclosing `<VirtualHost>` (`None`: the server context).
    pub vhost: Option<usize>,
}

/// Every `ProxyPass`/`ProxyPassReverse` of a file whose arguments are known.
pub(crate) fn passes<'s, 'a>(config: &'s Config<'a>) -> Vec<Pass<'s, 'a>> {
    let mut out = Vec::new();
    for directive in &config.directives {
        let reverse = directive.is("ProxyPassReverse");
        if !reverse && !directive.is("ProxyPass") {
            continue;
        }
        let vhost = vhost_of(config, directive.block);
        let location = config.ancestors(directive.block).find(|b| b.is("Location"));
        let (local, target, in_location) = match (directive.args.as_slice(), location) {
            ([first, ..], Some(location)) if !first.text.starts_with('/') => {
                let Some(path) = location.args.first() else { continue };
                ((path.text.as_ref(), path.span), first, true)
            }
            ([path, target, ..], _) => ((path.text.as_ref(), path.span), target, false),
            _ => continue,
        };
        if target.unknown || directive.args.first().is_some_and(|w| w.unknown) {
            continue;
        }
        let target = if target.text == "!" { Target::Exclusion } else { Target::Url(target) };
        out.push(Pass { directive, reverse, local, in_location, target, vhost });
    }
    out
}

/// The `<VirtualHost>` around a block, if any.
pub(crate) fn vhost_of(config: &Config<'_>, block: Option<usize>) -> Option<usize> {
    let mut current = block;
    while let Some(index) = current {
        let found = config.blocks.get(index)?;
        if found.is("VirtualHost") {
            return Some(index);
        }
        current = found.parent;
    }
    None
}

/// The path of a URL as written (`http://h:8080` has the empty path), or `None` for a URL
/// without `scheme://`.
pub(crate) fn url_path(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.find('/').map_or("", |i| rest.get(i..).unwrap_or("")))
}

/// A path compared without its trailing slash (`/jira/` and `/jira` are one context).
pub(crate) fn trimmed(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        "/"
    } else {
        t
    }
}

/// The Apache version whose directive table atl-lint follows.
const APACHE_VERSION: [u32; 3] = [2, 4, 71];

/// `<IfVersion [[!]op] version>` against Apache 2.4.71; `None` for a regular expression or
/// anything unparsable (then the body counts as read).
fn if_version(args: &[Word<'_>]) -> Option<bool> {
    let words: Vec<&str> = args.iter().map(|a| a.text.as_ref()).collect();
    let (op, version) = match words.as_slice() {
        [version] => ("=", *version),
        [op, version] => (*op, *version),
        _ => return None,
    };
    let (negated, op) = match op.strip_prefix('!') {
        Some(rest) => (true, if rest.is_empty() { "=" } else { rest }),
        None => (false, op),
    };
    let wanted: Vec<u32> = version.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let ours = APACHE_VERSION.get(..wanted.len().min(3))?;
    let order = ours.cmp(wanted.get(..ours.len())?);
    let holds = match op {
        "=" | "==" => order.is_eq(),
        ">" => order.is_gt(),
        ">=" => order.is_ge(),
        "<" => order.is_lt(),
        "<=" => order.is_le(),
        _ => return None,
    };
    Some(holds != negated)
}

/// Where a directive stands for Apache's context checks.
pub(crate) fn place_of(config: &Config<'_>, block: Option<usize>) -> crate::syntax::apache_directives::Place {
    use crate::syntax::apache_directives::{Place, DIRECTORY_CONTAINERS};
    let mut place = Place::Server;
    for ancestor in config.ancestors(block) {
        let name = ancestor.name.text.to_ascii_lowercase();
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
    config
        .ancestors(block)
        .any(|b| b.is("IfModule") && b.args.first().is_some_and(|m| !m.unknown && !table.knows_module(&m.text)))
}

/// What an Apache main configuration's tree sets up: loaded modules (by source file) and
/// defined names, for `<IfModule>` and `<IfDefine>`.
#[derive(Debug, Default)]
pub(crate) struct TreeFacts<'a> {
    /// Loaded modules, by source file (`mod_proxy.c`), builtins included.
    pub modules: std::collections::HashSet<&'a str>,
    /// Names given by `Define`.
    pub defines: std::collections::HashSet<String>,
}

/// The facts of every main configuration's tree, by the root's display path.
pub(crate) fn tree_facts<'c>(files: &'c [Parsed<'_>]) -> std::collections::HashMap<&'c str, TreeFacts<'static>> {
    let table = crate::syntax::apache_directives::directives();
    let by_load_name: std::collections::HashMap<&str, &'static str> =
        table.load_names.iter().map(|(module, load)| (*load, *module)).collect();
    let mut facts: std::collections::HashMap<&str, TreeFacts<'static>> = std::collections::HashMap::new();
    for file in files {
        let (Tree::Apache(config), Some(root)) = (&file.tree, file.source.include_root.as_deref()) else { continue };
        let entry =
            facts.entry(root).or_insert_with(|| TreeFacts { modules: table.builtin.clone(), ..TreeFacts::default() });
        for directive in &config.directives {
            let Some(first) = directive.args.first().filter(|a| !a.unknown) else { continue };
            if directive.is("LoadModule") {
                entry.modules.extend(by_load_name.get(first.text.as_ref()).copied());
            } else if directive.is("Define") {
                entry.defines.insert(first.text.to_string());
            }
        }
    }
    facts
}

/// Whether Apache reads what stands in `block`: `false` inside an `<IfModule>` or
/// `<IfDefine>` that is false for the tree. Files read on their own have no tree: everything
/// counts.
pub(crate) fn active(facts: Option<&TreeFacts<'_>>, config: &Config<'_>, block: Option<usize>) -> bool {
    let table = crate::syntax::apache_directives::directives();
    config.ancestors(block).all(|b| {
        if b.is("IfVersion") {
            return if_version(&b.args).unwrap_or(true);
        }
        let Some(facts) = facts else { return true };
        let Some(arg) = b.args.first().filter(|a| !a.unknown) else { return true };
        let (negated, name) = match arg.text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, arg.text.as_ref()),
        };
        let holds = if b.is("IfModule") {
            let source = table.load_names.iter().find(|(_, load)| **load == name).map_or(name, |(source, _)| *source);
            facts.modules.contains(source)
        } else if b.is("IfDefine") {
            facts.defines.contains(name)
        } else {
            return true;
        };
        holds != negated
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::source::FileId;

    fn words(items: &[&'static str]) -> Vec<Word<'static>> {
        items
            .iter()
            .map(|t| Word { text: Cow::Borrowed(*t), span: Span::file_start(FileId(0)), unknown: false })
            .collect()
    }

    #[test]
    fn ifversion_compares_with_apache_2_4_71() {
        assert_eq!(if_version(&words(&["<", "2.4"])), Some(false));
        assert_eq!(if_version(&words(&[">=", "2.4"])), Some(true));
        assert_eq!(if_version(&words(&["2.4"])), Some(true));
        assert_eq!(if_version(&words(&["!", "2.2"])), Some(true));
        assert_eq!(if_version(&words(&["<", "2.4.72"])), Some(true));
        assert_eq!(if_version(&words(&["~", "^2"])), None);
    }
}
