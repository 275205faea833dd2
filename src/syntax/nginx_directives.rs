//! nginx 1.22's directive table (`grammar/nginx-directives.txt`): every directive of the
//! modules Debian's package builds, the contexts each is allowed in, and the places a parsed
//! directive stands in.

use std::sync::OnceLock;

use foldhash::HashMap;

use super::nginx::spliced::View;
use super::nginx::{Config, Directive};
use crate::source::{FileId, SourceFile};

/// One definition of a directive (a name several modules define has several).
#[derive(Clone, Debug)]
pub struct Definition {
    /// The contexts it is allowed in (`http`, `server`, `location`, `location_if`, ...).
    pub contexts: Vec<&'static str>,
    /// Whether it opens a block.
    pub block: bool,
    /// The module (`ngx_http_proxy_module`).
    pub module: &'static str,
}

/// The table.
#[derive(Debug, Default)]
pub struct Directives {
    /// Name to its definitions.
    pub by_name: HashMap<&'static str, Vec<Definition>>,
}

/// The table, parsed once.
pub fn directives() -> &'static Directives {
    static TABLE: OnceLock<Directives> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Directives::default();
        let text = include_str!("../../grammar/nginx-directives.txt");
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let fields: Vec<&'static str> = line.split('\t').collect();
            let [name, contexts, _args, block, module, ..] = fields.as_slice() else { continue };
            let definition = Definition { contexts: contexts.split(',').collect(), block: *block == "yes", module };
            table.by_name.entry(*name).or_default().push(definition);
        }
        table
    })
}

/// The blocks whose contents are not directives but the block's own data (`map`'s pairs,
/// `types`' extensions): nginx reads them with the block's own handler.
pub const DATA_BLOCKS: [&str; 6] = ["map", "geo", "types", "split_clients", "charset_map", "match"];

/// The contexts of the table, in its order.
const CONTEXTS: [&str; 14] = [
    "main",
    "events",
    "http",
    "server",
    "location",
    "upstream",
    "server_if",
    "location_if",
    "limit_except",
    "stream",
    "stream_server",
    "stream_upstream",
    "mail",
    "mail_server",
];

/// Where a directive of a file stands: two bytes, since a large file has a million.
#[derive(Clone, Copy, Debug)]
pub struct Placed {
    /// Its context as an index into [`CONTEXTS`] (`u8::MAX`: not known).
    context: u8,
    /// Whether it is a directive at all: not a line of a `map` or `types` block, and not
    /// inside a block nginx's stock modules do not define (a third-party module's, whose
    /// contents are its own).
    pub checked: bool,
}

impl Placed {
    fn new(place: Option<&'static str>, checked: bool) -> Placed {
        let index = place.and_then(|p| CONTEXTS.iter().position(|c| *c == p));
        Placed { context: index.and_then(|i| u8::try_from(i).ok()).unwrap_or(u8::MAX), checked }
    }

    /// Its context, when known.
    pub fn place(&self) -> Option<&'static str> {
        CONTEXTS.get(usize::from(self.context)).copied()
    }
}

/// Each directive's place, indexed like `config.directives`. The top level of a file is
/// `main` for a main configuration (`nginx.conf`, or a file with `events` or `http`
/// there), `http` for `conf.d/*.conf`, `sites-*/*` and `mime.types`, `main` for
/// `modules-enabled/*`, and unknown otherwise (a snippet may be included anywhere).
/// A file a main configuration includes has the place of its first `include` line instead
/// (`included`, from [`included_tops`]).
pub fn places(source: &SourceFile, config: &Config<'_>, included: Option<Placed>) -> Vec<Placed> {
    let top = included.unwrap_or_else(|| Placed::new(top_context(source, config), true));
    let mut out: Vec<Placed> = Vec::with_capacity(config.directives.len());
    for directive in &config.directives {
        let placed = match directive.parent() {
            None => top,
            Some(parent) => {
                let outer = out.get(parent).copied().unwrap_or(Placed::new(None, false));
                inside(config.directives.get(parent), outer)
            }
        };
        out.push(placed);
    }
    out
}

/// The place inside a block that stands at `outer`.
fn inside(block: Option<&Directive<'_>>, outer: Placed) -> Placed {
    let table = directives();
    let known = block.is_some_and(|b| table.by_name.contains_key(b.name().text));
    let data = block.is_some_and(|b| DATA_BLOCKS.contains(&b.name().text));
    let place = block.and_then(|b| inner(b, outer.place()));
    Placed::new(place, outer.checked && known && !data)
}

/// The place of the top level of each file a main configuration includes: that of its first
/// `include` line.
pub fn included_tops<'v, 'a: 'v>(views: impl Iterator<Item = View<'v, 'a>>) -> HashMap<FileId, Placed> {
    let mut tops: HashMap<FileId, Placed> = HashMap::default();
    for view in views.filter(|v| v.spliced.main) {
        let mut placed: Vec<Placed> = Vec::with_capacity(view.len());
        for node in 0..view.len() {
            let here = match view.parent(node) {
                None => Placed::new(Some("main"), true),
                Some(p) => inside(view.directive(p), placed.get(p).copied().unwrap_or(Placed::new(None, false))),
            };
            placed.push(here);
            let top = view.directive(node).is_some_and(|d| d.parent().is_none());
            let top_of_file = top && view.file(node) != Some(view.spliced.root);
            if let (true, Some(file)) = (top_of_file, view.file(node)) {
                tops.entry(file).or_insert(here);
            }
        }
    }
    tops
}

/// The context of a file's top level, from its name, its directory and its content.
fn top_context(source: &SourceFile, config: &Config<'_>) -> Option<&'static str> {
    let main = config.children(None).any(|(_, d)| d.is("events") || d.is("http"));
    let path = source.path();
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let dir = path.parent().and_then(|d| d.file_name()).map(|d| d.to_string_lossy().to_ascii_lowercase());
    if main || name == "nginx.conf" {
        return Some("main");
    }
    let included = matches!(dir.as_deref(), Some("conf.d" | "sites-enabled" | "sites-available"));
    if !included && name != "mime.types" && !matches!(dir.as_deref(), Some("modules-enabled" | "modules-available")) {
        return None;
    }
    // Included in `http` as Debian and the official image do, or at the top as some setups
    // do (`stream {}` in `conf.d`): whichever takes every directive the file starts with.
    let table = directives();
    let takes = |context: &str| {
        config.children(None).all(|(_, d)| {
            table.by_name.get(d.name().text).is_none_or(|defs| defs.iter().any(|def| def.contexts.contains(&context)))
        })
    };
    ["http", "main"].into_iter().find(|c| takes(c))
}

/// The context inside the block `block` opens, when `block` stands in `outer`.
fn inner(block: &Directive<'_>, outer: Option<&'static str>) -> Option<&'static str> {
    let name = block.name().text;
    if DATA_BLOCKS.contains(&name) {
        return None;
    }
    Some(match (name, outer) {
        ("events", Some("main")) => "events",
        ("http", Some("main")) => "http",
        ("stream", Some("main")) => "stream",
        ("mail", Some("main")) => "mail",
        ("server", Some("http") | None) => "server",
        ("server", Some("stream")) => "stream_server",
        ("server", Some("mail")) => "mail_server",
        ("upstream", Some("http") | None) => "upstream",
        ("upstream", Some("stream")) => "stream_upstream",
        ("location", Some("server" | "location") | None) => "location",
        ("if", Some("server")) => "server_if",
        ("if", Some("location")) => "location_if",
        ("limit_except", Some("location")) => "limit_except",
        _ => return None,
    })
}
