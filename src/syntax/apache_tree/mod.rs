//! An Apache include tree read in Apache's order, with what Apache knows at each line:
//! `ServerRoot`, `Define`/`UnDefine` and `${NAME}` (Debian's `envvars` included), the
//! modules `LoadModule` has loaded so far, `<IfModule>`/`<IfDefine>`/`<IfVersion>`, and
//! `Include`/`IncludeOptional` read where they stand. Discovery reads trees this way to find
//! their files, the linter to mark what Apache skips, and the oracle test to compare with
//! Apache's own configuration dump.

mod conditions;
mod envvars;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::path::{Path, PathBuf};

use super::apache::{Config, Item, ItemCursor};
use super::apache_directives::directives;
use super::SyntaxProblem;
use crate::confine::Scope;
use crate::source::SourceFile;
use envvars::envvars;

/// Debian's `envvars` is a few lines: a larger one is not what Apache's scripts source.
const MAX_ENVVARS: u64 = 1 << 20;

/// Apache's own limit on nested includes.
const MAX_DEPTH: usize = 128;

/// Directives Apache carries out while it reads (`EXEC_ON_READ`): they shape the tree and
/// do not appear in it.
const READ_TIME: [&str; 12] = [
    "serverroot",
    "defaultruntimedir",
    "define",
    "undefine",
    "include",
    "includeoptional",
    "loadmodule",
    "loadfile",
    "use",
    "undefmacro",
    "error",
    "<macro",
];

/// What Apache knows of one include tree once it is read.
#[derive(Debug, Default)]
pub struct TreeFacts {
    /// Modules loaded by the end of the tree, by source file (`mod_proxy.c`), Debian's
    /// builtins included.
    pub modules: HashSet<&'static str>,
    /// Names defined at the end of the tree.
    pub defines: HashSet<String>,
    /// Whether the tree loads modules: a server whose module set atl-lint can know.
    pub loads_modules: bool,
}

/// What Apache knows at a point of reading.
#[derive(Debug)]
pub struct State {
    server_root: PathBuf,
    /// What may be read: absolute paths are looked up under its root in live mode.
    scope: Scope,
    /// Where the main configuration lies, to find absolute paths in a repository checkout.
    main_dir: PathBuf,
    vars: HashMap<String, String>,
    facts: TreeFacts,
    /// Whether defines and modules are those of a whole tree (not of a file read alone).
    tree: bool,
    depth: usize,
    dump: Option<Dump>,
}

/// Reads the files an include names.
pub trait Host {
    /// Reads the file at `path` through [`read`] (unless it is not to be read again).
    fn include(&mut self, state: &mut State, path: &Path);
}

/// One line of Apache's configuration dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpLine {
    /// The file, by the path it was included by.
    pub file: PathBuf,
    /// 1-based line (the last physical line of a continued one).
    pub line: usize,
    /// The directive and its arguments as written, `${NAME}` substituted.
    pub text: String,
}

#[derive(Debug, Default)]
struct Dump {
    lines: Vec<DumpLine>,
    open: Vec<Open>,
    last_line: usize,
}

#[derive(Debug)]
struct Open {
    file: PathBuf,
    name: String,
    children: bool,
}

impl Dump {
    /// Closes containers down to `depth`; a container with nothing in it has no closing
    /// line in Apache's dump, and a closing line takes the number of the line before it.
    fn close_to(&mut self, depth: usize) {
        while self.open.len() > depth {
            let Some(open) = self.open.pop() else { break };
            if open.children {
                let text = format!("</{}>", open.name.trim_start_matches('<'));
                self.lines.push(DumpLine { file: open.file, line: self.last_line, text });
            }
        }
    }

    fn print(&mut self, line: DumpLine, opens: Option<String>) {
        if let Some(top) = self.open.last_mut() {
            top.children = true;
        }
        self.last_line = line.line;
        let file = line.file.clone();
        self.lines.push(line);
        if let Some(name) = opens {
            self.open.push(Open { file, name, children: false });
        }
    }
}

impl State {
    /// The state at the start of the tree headed by the main configuration at `main`:
    /// `ServerRoot` its directory, variables from an `envvars` file beside it (a regular
    /// file the scope allows, and small).
    pub fn tree(main: &Path, scope: &Scope) -> State {
        let main_dir = main.parent().map(Path::to_path_buf).unwrap_or_default();
        let vars = scope
            .read(&main_dir.join("envvars"), MAX_ENVVARS)
            .map(|b| envvars(&String::from_utf8_lossy(&b)))
            .unwrap_or_default();
        let facts = TreeFacts { modules: directives().builtin.clone(), ..TreeFacts::default() };
        let server_root = main_dir.clone();
        let main_dir = scope.resolve(&main_dir).unwrap_or(main_dir);
        let scope = scope.clone();
        State { server_root, scope, main_dir, vars, facts, tree: true, depth: 0, dump: None }
    }

    /// The state for a file read on its own: modules and defines unknown, nothing included.
    pub fn alone() -> State {
        let facts = TreeFacts { modules: directives().builtin.clone(), ..TreeFacts::default() };
        let (server_root, main_dir) = (PathBuf::new(), PathBuf::new());
        let scope = Scope::nothing();
        State { server_root, scope, main_dir, vars: HashMap::new(), facts, tree: false, depth: 0, dump: None }
    }

    /// Records Apache's configuration dump while reading.
    pub fn dumping(mut self) -> State {
        self.dump = Some(Dump::default());
        self
    }

    /// What the tree set up, and the dump if one was asked for.
    pub fn finish(self) -> (TreeFacts, Vec<DumpLine>) {
        (self.facts, self.dump.map(|d| d.lines).unwrap_or_default())
    }

    fn lookup(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    /// Where a path of the configuration is: relative ones under `ServerRoot`, absolute
    /// ones as [`Scope::locate_written`] finds them.
    fn locate(&self, path: &str) -> PathBuf {
        self.scope.locate_written(Path::new(path), &self.server_root, &self.main_dir)
    }
}

/// Reads one file of a tree at `state`: marks what Apache skips and what it reads before
/// the directive's module is loaded, substitutes `${NAME}`, carries out the read-time
/// directives and reads includes where they stand.
pub fn read<'a>(state: &mut State, host: &mut dyn Host, config: &mut Config<'a>, source: &'a SourceFile) {
    if state.depth >= MAX_DEPTH {
        return;
    }
    let text = source.parse_text();
    let base = state.dump.as_ref().map_or(0, |d| d.open.len());
    // Per container: whether its body is skipped, and the dump depth of its body.
    let mut body_skipped = vec![false; config.blocks.len()];
    let mut body_depth = vec![base; config.blocks.len()];
    let mut cursor = ItemCursor::default();
    while let Some(item) = config.next_item(&mut cursor) {
        let parent = match item {
            Item::Directive(i) => config.directives.get(i).and_then(|d| d.block()),
            Item::Block(i) => config.blocks.get(i).and_then(|b| b.parent),
        };
        let skipped = parent.is_some_and(|p| body_skipped.get(p).copied().unwrap_or(false));
        let depth = parent.and_then(|p| body_depth.get(p).copied()).unwrap_or(base);
        if skipped {
            mark(config, item, |d| d.skipped = true, |b| b.skipped = true);
            if let Item::Block(i) = item {
                if let Some(slot) = body_skipped.get_mut(i) {
                    *slot = true;
                }
            }
            continue;
        }
        if let Some(dump) = &mut state.dump {
            dump.close_to(depth);
        }
        let lookup = |name: &str| state.lookup(name);
        config.substitute(item, text, &lookup);
        let shown = state.dump.is_some().then(|| config.shown(item, text, &lookup));
        let line = config.span(item).map_or(0, |s| source.line_col(s.end().saturating_sub(1)).0);
        match item {
            Item::Block(i) => {
                let Some(block) = config.blocks.get_mut(i) else { continue };
                let condition = state.condition(block.name().text, block.args());
                if let Some(holds) = condition {
                    block.false_condition = !holds;
                    if let Some(slot) = body_skipped.get_mut(i) {
                        *slot = !holds;
                    }
                    if let Some(slot) = body_depth.get_mut(i) {
                        *slot = depth;
                    }
                    continue;
                }
                let tag = format!("<{}", block.name().text);
                block.unloaded = state.unloaded(&tag);
                if let Some(slot) = body_depth.get_mut(i) {
                    *slot = depth + 1;
                }
                if let (Some(dump), Some(text)) = (&mut state.dump, shown) {
                    let line = DumpLine { file: source.path().clone(), line, text };
                    dump.print(line, Some(tag));
                }
            }
            Item::Directive(i) => {
                let Some(directive) = config.directives.get_mut(i) else { continue };
                directive.unloaded = state.unloaded(directive.name().text);
                let name = directive.name().text.to_ascii_lowercase();
                if READ_TIME.contains(&name.as_str()) {
                    let args: Vec<String> = directive.args().iter().map(|a| a.text.to_string()).collect();
                    let span = directive.span;
                    match carry_out(state, host, &name, &args) {
                        Some(Refusal::Missing(message)) => config.problems.push(SyntaxProblem {
                            span,
                            message,
                            label: "no such file".into(),
                            related: None,
                        }),
                        Some(Refusal::Outside(directive, paths)) => {
                            config.outside.push(super::apache::OutsideInclude { span, directive, paths })
                        }
                        Some(Refusal::NotInCheckout(directive)) => config.not_in_checkout.push((span, directive)),
                        None => {}
                    }
                } else if let (Some(dump), Some(text)) = (&mut state.dump, shown) {
                    dump.print(DumpLine { file: source.path().clone(), line, text }, None);
                }
            }
        }
    }
    if let Some(dump) = &mut state.dump {
        dump.close_to(base);
    }
}

fn mark(
    config: &mut Config<'_>,
    item: Item,
    directive: impl Fn(&mut super::apache::Directive<'_>),
    block: impl Fn(&mut super::apache::Block<'_>),
) {
    match item {
        Item::Directive(i) => config.directives.get_mut(i).into_iter().for_each(directive),
        Item::Block(i) => config.blocks.get_mut(i).into_iter().for_each(block),
    }
}

/// Why an include was not read whole.
enum Refusal {
    /// Apache would stop here: nothing matches.
    Missing(String),
    /// Nothing matches in a repository checkout, but a stock installation provides what it
    /// names: the directive as written.
    NotInCheckout(String),
    /// It names files outside what the run may read: the directive, and those files.
    Outside(String, Vec<PathBuf>),
}

/// What stock Apache installations (Debian's, Red Hat's, a source build's) and Certbot put
/// in place: a repository that holds part of a server's tree includes them without holding
/// them.
const STOCK_INCLUDES: [&str; 11] = [
    "ports.conf",
    "mods-enabled/",
    "conf-enabled/",
    "sites-enabled/",
    "conf.modules.d/",
    "conf.d/",
    "conf/extra/",
    "extra/",
    "mods-available/",
    "conf-available/",
    "options-ssl-apache.conf",
];

/// Whether an include names what a stock installation provides.
fn stock(path: &str) -> bool {
    let path = path.trim_start_matches("./");
    STOCK_INCLUDES.iter().any(|stock| {
        if stock.ends_with('/') {
            path.starts_with(stock) || path.contains(&format!("/{stock}"))
        } else {
            path == *stock || path.ends_with(&format!("/{stock}"))
        }
    })
}

/// Carries out a read-time directive; returns why an include was not read whole.
fn carry_out(state: &mut State, host: &mut dyn Host, name: &str, args: &[String]) -> Option<Refusal> {
    let first = args.first()?;
    if first.contains("${") {
        return None;
    }
    match name {
        "serverroot" => state.server_root = state.locate(first),
        "define" => {
            state.facts.defines.insert(first.clone());
            if let Some(value) = args.get(1) {
                state.vars.insert(first.clone(), value.clone());
            }
        }
        "undefine" => {
            state.facts.defines.remove(first);
            state.vars.remove(first);
        }
        "loadmodule" => {
            state.facts.modules.extend(directives().module_source(first));
            state.facts.loads_modules = true;
        }
        "include" | "includeoptional" if state.tree => {
            let path = state.locate(first);
            let expansion = state.scope.expand(&path, true);
            let directory =
                || state.scope.locate(&crate::confine::literal_prefix(&path)).is_ok_and(|real| real.is_dir());
            if expansion.files.is_empty() && expansion.outside.is_empty() && name == "include" && directory() {
                if !state.scope.is_live() && stock(first) {
                    return Some(Refusal::NotInCheckout(format!("Include {first}")));
                }
                return Some(Refusal::Missing(format!(
                    "`Include {first}` matches no file: Apache refuses to start (`IncludeOptional` allows that)"
                )));
            }
            state.depth += 1;
            for file in expansion.files {
                host.include(state, &file);
            }
            state.depth -= 1;
            if !expansion.outside.is_empty() {
                let written = if name == "include" { "Include" } else { "IncludeOptional" };
                return Some(Refusal::Outside(format!("{written} {first}"), expansion.outside));
            }
        }
        _ => {}
    }
    None
}
