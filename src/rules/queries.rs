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

/// Per include tree (by its main configuration): the server-config lines of the names
/// asked for, as (name, file, directive index).
type TreeLines = Vec<(usize, crate::source::FileId, usize)>;

/// Server-wide Apache settings in effect where a directive stands: the virtual host's own
/// (directly in it or in a conditional section), else the server config's of the include
/// tree the file is read in (any file of it). Indexed once a file and once a tree, for the
/// directive names it was made for, in Apache's order (the last one wins).
pub(crate) struct ServerSettings<'n> {
    names: &'n [&'n str],
    files: foldhash::HashMap<crate::source::FileId, FileSettings>,
    /// The server-config lines of every Apache file by the tree it is read in (a file read
    /// alone is its own tree), found in one pass over the run's files.
    server: Option<foldhash::HashMap<crate::source::FileId, TreeLines>>,
}

#[derive(Default)]
struct FileSettings {
    /// Each directive's container, by span.
    blocks: foldhash::HashMap<crate::source::Span, Option<usize>>,
    /// Per virtual host: (name, directive index) in file order.
    vhosts: foldhash::HashMap<usize, Vec<(usize, usize)>>,
}

/// Sections that decide whether their body is read, not where it applies.
const CONDITIONAL: [&str; 6] = ["IfModule", "IfDefine", "IfVersion", "IfFile", "IfDirective", "IfSection"];

impl<'n> ServerSettings<'n> {
    pub(crate) fn new(names: &'n [&'n str]) -> Self {
        ServerSettings { names, files: foldhash::HashMap::default(), server: None }
    }

    /// For each name (by its index in `names`), the directive in effect where the directive
    /// at `at` stands, with the file it is in.
    pub(crate) fn at<'c, 'a>(
        &mut self,
        cx: &'c crate::rules::Context<'a>,
        at: crate::source::Span,
    ) -> Vec<Option<&'c crate::syntax::apache::Directive<'a>>> {
        let mut out = vec![None; self.names.len()];
        let Some(Tree::Apache(config)) = cx.parsed(at.file).map(|p| &p.tree) else { return out };
        let names = self.names;
        let file = self.files.entry(at.file).or_insert_with(|| read_settings(config, names));
        let Some(&block) = file.blocks.get(&at) else { return out };
        let own: Vec<(usize, usize)> = crate::model::apache::vhost_of(config, block)
            .and_then(|v| file.vhosts.get(&v))
            .cloned()
            .unwrap_or_default();
        // The server config's, then the virtual host's over them.
        let root = cx.topology().apache_trees.root(at.file).unwrap_or(at.file);
        let by_tree = self.server.get_or_insert_with(|| tree_settings(cx, names));
        for &(kind, file, index) in by_tree.get(&root).map_or(&[][..], Vec::as_slice) {
            let Some(Tree::Apache(other)) = cx.parsed(file).map(|p| &p.tree) else { continue };
            if let Some(slot) = out.get_mut(kind) {
                *slot = other.directives.get(index);
            }
        }
        for (kind, index) in own {
            if let Some(slot) = out.get_mut(kind) {
                *slot = config.directives.get(index);
            }
        }
        out
    }
}

/// Whether a directive stands in the server config or a virtual host, through conditional
/// sections only.
fn server_level(config: &ApacheConfig<'_>, block: Option<usize>) -> bool {
    config.ancestors(block).take_while(|b| !b.is("VirtualHost")).all(|b| CONDITIONAL.iter().any(|c| b.is(c)))
}

fn read_settings(config: &ApacheConfig<'_>, names: &[&str]) -> FileSettings {
    let mut out = FileSettings::default();
    for (index, directive) in config.directives.iter().enumerate().filter(|(_, d)| !d.skipped) {
        out.blocks.insert(directive.span, directive.block());
        let Some(kind) = names.iter().position(|n| directive.is(n)) else { continue };
        let Some(vhost) = crate::model::apache::vhost_of(config, directive.block()) else { continue };
        if server_level(config, directive.block()) {
            out.vhosts.entry(vhost).or_default().push((kind, index));
        }
    }
    out
}

/// The server-config lines of every Apache file, by the tree it is read in (its main
/// configuration, or the file itself when no tree reads it), in the order the run lists
/// the files.
fn tree_settings(
    cx: &crate::rules::Context<'_>,
    names: &[&str],
) -> foldhash::HashMap<crate::source::FileId, TreeLines> {
    let trees = &cx.topology().apache_trees;
    let mut out: foldhash::HashMap<crate::source::FileId, TreeLines> = foldhash::HashMap::default();
    for parsed in cx.files {
        let Tree::Apache(config) = &parsed.tree else { continue };
        let id = parsed.source.id();
        let root = trees.root(id).unwrap_or(id);
        for (index, directive) in config.directives.iter().enumerate().filter(|(_, d)| !d.skipped) {
            let Some(kind) = names.iter().position(|n| directive.is(n)) else { continue };
            if crate::model::apache::vhost_of(config, directive.block()).is_none()
                && server_level(config, directive.block())
            {
                out.entry(root).or_default().push((kind, id, index));
            }
        }
    }
    out
}
