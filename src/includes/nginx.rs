//! nginx's include trees: each main configuration read as nginx reads it, its `include`
//! lines replaced by the files they name (relative paths under the main configuration's
//! directory, nginx's configuration prefix; wildcards expanded as `glob(3)` does: sorted,
//! hidden files only for a pattern that starts with a dot). A file named without wildcards
//! that does not exist stops nginx. Files no main configuration includes are read alone.

use foldhash::{HashSet, HashSetExt};
use std::path::{Component, Path, PathBuf};

use super::Reader;
use crate::confine::{literal_prefix, Denied};
use crate::source::{FileId, FileKind, Span};
use crate::syntax::apache::OutsideInclude;
use crate::syntax::nginx::spliced::{self, Node, Spliced};
use crate::syntax::nginx::Config;
use crate::syntax::{Parsed, SyntaxProblem, Tree};

/// nginx opens included files without a limit of its own; atl-lint stops after this many
/// nested includes, this many file reads per tree, and this many directives per tree.
const MAX_DEPTH: usize = 128;
const MAX_READS: usize = 20_000;
const MAX_NODES: usize = 4_000_000;

/// What stock nginx installations (Debian's, Red Hat's, the official image) and Certbot put
/// in place: a repository that holds part of a server's tree includes them without holding
/// them.
const STOCK: [&str; 14] = [
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "proxy_params",
    "scgi_params",
    "uwsgi_params",
    "koi-utf",
    "koi-win",
    "win-utf",
    "snippets/fastcgi-php.conf",
    "snippets/snakeoil.conf",
    "options-ssl-nginx.conf",
    "conf.d/",
    "default.d/",
];

/// The include trees of the nginx files of a run.
#[derive(Debug, Default)]
pub struct NginxTrees {
    /// One per main configuration, then one per file no main configuration includes.
    pub trees: Vec<Spliced>,
}

/// Reads every nginx main configuration's tree, then the files none includes, alone.
pub(super) fn read(reader: &mut Reader<'_>, walked: &[FileId]) -> NginxTrees {
    let mut trees = Vec::new();
    let mut included: HashSet<FileId> = HashSet::new();
    for &id in walked {
        let Some(parsed) = reader.parsed(id) else { continue };
        let Tree::Nginx(config) = &parsed.tree else { continue };
        if included.contains(&id) || !is_main(parsed.source.path(), config) {
            continue;
        }
        let path = parsed.source.path().clone();
        let prefix = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let main_dir = reader.scope.resolve(&prefix).unwrap_or_else(|_| prefix.clone());
        let mut walk = Walk {
            reader,
            prefix,
            main_dir,
            nodes: Vec::new(),
            depth: 0,
            reads: 0,
            files: Vec::new(),
            stack: Vec::new(),
            cycles: HashSet::new(),
        };
        walk.file(id, None);
        let Walk { mut nodes, files, .. } = walk;
        nodes.shrink_to_fit();
        spliced::close_blocks(&mut nodes);
        included.extend(files.iter().copied());
        trees.push(Spliced { root: id, nodes, files, main: true });
    }
    for &id in walked.iter().chain(reader.nginx_added.clone().iter()) {
        if included.contains(&id) {
            continue;
        }
        if let Some(Parsed { tree: Tree::Nginx(config), .. }) = reader.parsed(id) {
            trees.push(spliced::alone(id, config));
        }
    }
    NginxTrees { trees }
}

/// A main configuration: named `nginx.conf`, or with an `events` or `http` block at its top.
pub fn is_main(path: &Path, config: &Config<'_>) -> bool {
    path.file_name().is_some_and(|n| n.eq_ignore_ascii_case("nginx.conf"))
        || config.children(None).any(|(_, d)| (d.is("events") || d.is("http")) && d.block.is_some())
}

/// The reading of one tree.
struct Walk<'r, 'a> {
    reader: &'r mut Reader<'a>,
    /// nginx's configuration prefix: relative includes are under it.
    prefix: PathBuf,
    /// The main configuration's real directory, where absolute paths are looked for in a
    /// checkout.
    main_dir: PathBuf,
    nodes: Vec<Node>,
    depth: usize,
    reads: usize,
    /// The files the tree reads, in the order it first reads them.
    files: Vec<FileId>,
    /// The files being read, outermost first.
    stack: Vec<FileId>,
    /// The include cycles reported, each by its files sorted: one finding a cycle, from
    /// whichever file it is entered.
    cycles: HashSet<Vec<FileId>>,
}

/// An `include` line: its one argument as written, and where the line is.
struct Include {
    at: usize,
    written: String,
    span: Span,
}

impl<'a> Walk<'_, 'a> {
    /// Reads file `id` into the tree, its top level under the block node `parent`.
    fn file(&mut self, id: FileId, parent: Option<u32>) {
        if self.depth >= MAX_DEPTH || self.reads >= MAX_READS {
            return;
        }
        self.reads += 1;
        if !self.files.contains(&id) {
            self.files.push(id);
        }
        let Some(Parsed { tree: Tree::Nginx(config), .. }) = self.reader.parsed(id) else { return };
        let count = config.directives.len();
        if self.nodes.len().saturating_add(count) > MAX_NODES {
            return;
        }
        let includes: Vec<Include> = config
            .directives
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is("include") && d.block.is_none() && d.args().len() == 1)
            .filter_map(|(at, d)| {
                let arg = d.args().first().filter(|a| !a.unknown && !a.text.contains("{{"))?;
                Some(Include { at, written: arg.text.to_string(), span: d.span })
            })
            .collect();
        let base = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let node = |index: usize, file_parent: Option<usize>, node_parent: Option<u32>| {
            let here = base.saturating_add(u32::try_from(index).unwrap_or(u32::MAX));
            let parent = match file_parent {
                None => parent,
                Some(_) => node_parent,
            };
            Node { file: id, index: u32::try_from(index).unwrap_or(u32::MAX), parent, end: here.saturating_add(1) }
        };
        // Without includes, the file's directives are its nodes in order: no table needed.
        if includes.is_empty() {
            self.nodes.reserve(count);
            for (index, directive) in config.directives.iter().enumerate() {
                let file_parent = directive.parent();
                let inner = file_parent.map(|p| base.saturating_add(u32::try_from(p).unwrap_or(u32::MAX)));
                self.nodes.push(node(index, file_parent, inner));
            }
            return;
        }
        let parents: Vec<Option<usize>> = config.directives.iter().map(|d| d.parent()).collect();
        self.stack.push(id);
        let mut includes = includes.into_iter().peekable();
        let mut map: Vec<u32> = Vec::with_capacity(count);
        for (index, file_parent) in parents.into_iter().enumerate() {
            let node_parent = match file_parent {
                None => parent,
                Some(p) => map.get(p).copied(),
            };
            let here = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
            let index32 = u32::try_from(index).unwrap_or(u32::MAX);
            self.nodes.push(Node { file: id, index: index32, parent: node_parent, end: here.saturating_add(1) });
            map.push(here);
            if let Some(include) = includes.next_if(|i| i.at == index) {
                self.depth += 1;
                self.include(id, &include, node_parent);
                self.depth -= 1;
            }
        }
        self.stack.pop();
    }

    /// Reads an included file, unless it is being read already: nginx would include it in
    /// itself until it runs out of stack.
    fn included(&mut self, from: FileId, include: &Include, path: &Path, parent: Option<u32>) {
        let Some(id) = self.reader.nginx_file(path) else { return };
        let Some(start) = self.stack.iter().position(|f| *f == id) else { return self.file(id, parent) };
        let mut cycle = self.stack.get(start..).map(<[FileId]>::to_vec).unwrap_or_default();
        cycle.sort_by_key(|f| f.0);
        if !self.cycles.insert(cycle) {
            return;
        }
        let shown = self.reader.scope.show(path);
        let message = format!(
            "`include {}` reads `{shown}` inside itself: nginx includes it again and again until it crashes",
            include.written
        );
        self.problem(from, include.span, message);
    }

    /// Reads the files an `include` line names, where it stands.
    fn include(&mut self, from: FileId, include: &Include, parent: Option<u32>) {
        let written = Path::new(&include.written);
        let path = self.reader.scope.locate_written(written, &self.prefix, &self.main_dir);
        let live = self.reader.scope.is_live();
        let glob = include.written.contains(['*', '?', '[']);
        // In a checkout, an absolute path the checkout does not hold is the server's: this
        // machine's files are not what the server reads.
        let server_file = !live && written.is_absolute() && self.reader.scope.locate(&literal_prefix(&path)).is_err();
        if server_file {
            if !glob {
                self.not_in_checkout(from, include);
            }
            return;
        }
        if !glob {
            match self.reader.scope.locate(&path) {
                Ok(real) if real.is_file() => self.included(from, include, &path, parent),
                Ok(real) if real.is_dir() => self.directory(from, include, &path),
                Err(Denied::Outside(_)) => self.outside(from, include, vec![path]),
                _ if !live && stock(&include.written) => self.not_in_checkout(from, include),
                _ => {
                    let message = format!(
                        "`include {}` names no file: nginx stops (`open() \"{}\" failed (2: No such file or directory)`)",
                        include.written,
                        path.display()
                    );
                    self.problem(from, include.span, message);
                }
            }
            return;
        }
        let expansion = self.reader.scope.expand(&path, false);
        let pattern: Vec<Component<'_>> = path.components().collect();
        // `glob(3)` hands nginx directories too, `.` and `..` for a pattern such as `.*`,
        // and nginx cannot read them; atl-lint reads the files up to the first.
        let mut directories: Vec<PathBuf> =
            expansion.directories.iter().filter(|d| !hidden(&pattern, d)).cloned().collect();
        if let (Some(dir), Some(Component::Normal(last))) = (path.parent(), pattern.last()) {
            let last = last.to_string_lossy();
            if let Ok(glob) = glob::Pattern::new(&last) {
                let dots = [".", ".."].into_iter().filter(|d| last.starts_with('.') && glob.matches(d));
                let listed = || self.reader.scope.locate(dir).is_ok_and(|real| real.is_dir());
                if dots.clone().next().is_some() && listed() {
                    directories.extend(dots.map(|d| dir.join(d)));
                }
            }
        }
        directories.sort();
        let first_directory = directories.first();
        for file in expansion.files.iter().filter(|f| !hidden(&pattern, f)) {
            if first_directory.is_some_and(|d| file.as_os_str().as_encoded_bytes() > d.as_os_str().as_encoded_bytes()) {
                break;
            }
            self.included(from, include, file, parent);
        }
        if let Some(directory) = first_directory {
            self.directory(from, include, directory);
        }
        if !expansion.outside.is_empty() {
            self.outside(from, include, expansion.outside);
        }
    }

    /// An include that hands nginx a directory, which stops it.
    fn directory(&mut self, from: FileId, include: &Include, directory: &Path) {
        let message = format!(
            "`include {}` matches the directory `{}`: nginx stops (`pread() \"{}\" failed (21: Is a directory)`)",
            include.written,
            self.reader.scope.show(directory),
            directory.display()
        );
        self.problem(from, include.span, message);
    }

    fn config(&mut self, file: FileId) -> Option<&mut Config<'a>> {
        match self.reader.slots.get_mut(file.0 as usize) {
            Some(Some(Parsed { tree: Tree::Nginx(config), .. })) => Some(config),
            _ => None,
        }
    }

    /// Records a problem once, however often the file is read.
    fn problem(&mut self, file: FileId, span: Span, message: String) {
        let Some(config) = self.config(file) else { return };
        if config.problems.iter().any(|p| p.span == span) {
            return;
        }
        config.problems.push(SyntaxProblem { span, message, label: "no such file".into(), related: None });
    }

    fn outside(&mut self, file: FileId, include: &Include, paths: Vec<PathBuf>) {
        let Some(config) = self.config(file) else { return };
        if config.outside.iter().any(|o| o.span == include.span) {
            return;
        }
        let directive = format!("include {}", include.written);
        config.outside.push(OutsideInclude { span: include.span, directive, paths });
    }

    fn not_in_checkout(&mut self, file: FileId, include: &Include) {
        let Some(config) = self.config(file) else { return };
        if config.not_in_checkout.iter().any(|(span, _)| *span == include.span) {
            return;
        }
        config.not_in_checkout.push((include.span, format!("include {}", include.written)));
    }
}

/// Whether `glob(3)` leaves a match out: a hidden name where the pattern's component does
/// not start with a dot.
fn hidden(pattern: &[Component<'_>], path: &Path) -> bool {
    pattern.iter().zip(path.components()).any(|(pattern, got)| {
        let (Component::Normal(pattern), Component::Normal(got)) = (pattern, got) else { return false };
        got.to_string_lossy().starts_with('.') && !pattern.to_string_lossy().starts_with('.')
    })
}

/// Whether an include names what a stock installation provides.
fn stock(written: &str) -> bool {
    let path = written.trim_start_matches("./");
    STOCK.iter().any(|stock| {
        if stock.ends_with('/') {
            path.starts_with(stock) || path.contains(&format!("/{stock}"))
        } else {
            path == *stock || path.ends_with(&format!("/{stock}"))
        }
    }) || path.starts_with("/usr/share/nginx/modules/")
        || path.starts_with("/etc/nginx/modules-enabled/")
        || path.starts_with("modules-enabled/")
}

impl Reader<'_> {
    /// The nginx file at `path`, read into the run when discovery did not find it, or read
    /// again as nginx when discovery took it for another format.
    fn nginx_file(&mut self, path: &Path) -> Option<FileId> {
        let id = match self.known(path) {
            Ok(id) => {
                // A walked file is read as nginx, under the path the tree includes it by.
                let nginx = self.parsed(id).is_some_and(|p| matches!(p.tree, Tree::Nginx(_)));
                let shown = self.scope.show(path);
                let renamed = self.sources.map.get(id).is_some_and(|s| s.display() != shown);
                if !nginx || renamed {
                    self.problems.retain(|p| p.file != id);
                    self.add(id, path, FileKind::Nginx);
                }
                id
            }
            Err(key) => {
                let id = FileId(u32::try_from(self.slots.len()).unwrap_or(u32::MAX));
                self.by_path.insert(crate::source::tidy(path), id);
                self.added_keys.insert(key, id);
                self.add(id, path, FileKind::Nginx);
                self.nginx_added.push(id);
                id
            }
        };
        Some(id)
    }
}
