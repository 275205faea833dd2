//! The include step, run once after parsing: each Apache include tree read in Apache's
//! order from its main configuration, and each nginx tree as nginx reads it (`nginx`). Included files are read into the run as the tree
//! meets them, under the path Apache reads them by; conditions, `${NAME}` and modules are
//! evaluated once; and the model is handed what each tree knows, keyed by file.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::{Path, PathBuf};
use typed_arena::Arena;

use crate::confine::{Scope, MAX_FILE_SIZE};
use crate::discover::inputs::Sources;
use crate::discover::{problem, FileProblem};
use crate::source::{tidy, FileId, FileKey, FileKind, SourceFile, SourceView};
use crate::syntax::apache_tree::{self, DumpLine, Host, State, TreeFacts};
use crate::syntax::{self, Parsed, Tree};

mod compose;
mod kube;
pub mod nginx;

pub use nginx::NginxTrees;

/// Apache reads a file as often as it is included; atl-lint stops after this many reads of
/// one tree.
const MAX_READS: usize = 20_000;

/// The parsed files of a run once the include trees are read.
#[derive(Debug)]
pub struct Trees<'a> {
    /// Every parsed file, by id: the walked ones, then those only includes named.
    pub parsed: Vec<Parsed<'a>>,
    /// The include trees, by file.
    pub apache: ApacheTrees,
    /// nginx's include trees.
    pub nginx: NginxTrees,
    /// The files that could not be read: discovery's, and included files'.
    pub problems: Vec<FileProblem>,
    /// Every file of the run, those the include step read in their place.
    pub sources: SourceView<'a>,
}

/// Which include tree each Apache file is read in, and what Apache knows at the end of each.
#[derive(Debug, Default)]
pub struct ApacheTrees {
    /// Each file read through a main configuration's includes (the main configuration
    /// itself too): that main configuration.
    pub roots: HashMap<FileId, FileId>,
    /// Each tree's facts, by its main configuration.
    pub facts: HashMap<FileId, TreeFacts>,
}

impl ApacheTrees {
    /// The main configuration that reads `file`, if any.
    pub fn root(&self, file: FileId) -> Option<FileId> {
        self.roots.get(&file).copied()
    }

    /// What Apache knows at the end of the tree `file` is read in.
    pub fn facts(&self, file: FileId) -> Option<&TreeFacts> {
        self.facts.get(&self.root(file)?)
    }
}

/// Files the include step read, or read again under the path a tree includes them by
/// (those keep their id).
pub type Added = Arena<(FileId, SourceFile)>;

/// Parses the sources and reads every Apache include tree once; files the trees name that
/// discovery did not find are read (through `scope`) into `added`. `targets` are the
/// releases the configuration targets.
pub fn read<'a>(sources: &'a Sources, added: &'a Added, scope: &'a Scope, targets: syntax::Targets) -> Trees<'a> {
    let mut reader = Reader::new(sources, added, scope, targets);
    let walked: Vec<FileId> = sources.map.iter().map(|s| s.id()).collect();
    for &id in &walked {
        let main = reader.parsed(id).is_some_and(|p| matches!(p.tree, Tree::Apache(_)) && is_main(p.source));
        if !main || reader.roots.contains_key(&id) {
            continue;
        }
        let Some(path) = reader.parsed(id).map(|p| p.source.path().clone()) else { continue };
        let mut state = State::tree(&path, scope);
        reader.start(id);
        reader.read_file(&mut state, id);
        reader.facts.insert(id, state.finish().0);
    }
    let nginx = nginx::read(&mut reader, &walked);
    compose::read(&mut reader, &walked);
    kube::read(&mut reader, &walked);
    // Files no main configuration includes are read on their own: their own `Define`s and
    // `${NAME}`s, no includes, modules unknown.
    reader.root = None;
    for id in walked {
        let apache = reader.parsed(id).is_some_and(|p| matches!(p.tree, Tree::Apache(_)));
        if apache && !reader.roots.contains_key(&id) {
            reader.reads = 0;
            reader.read_file(&mut State::alone(), id);
        }
    }
    reader.finish(nginx)
}

/// Apache's configuration dump (what `apache2 -t -D DUMP_CONFIG` prints) of the tree the
/// main configuration `main` heads.
pub fn dump(sources: &Sources, main: FileId, scope: &Scope) -> Vec<DumpLine> {
    let added = Added::new();
    let mut reader = Reader::new(sources, &added, scope, syntax::Targets::default());
    let Some(path) = reader.parsed(main).map(|p| p.source.path().clone()) else { return Vec::new() };
    let mut state = State::tree(&path, scope).dumping();
    reader.start(main);
    reader.read_file(&mut state, main);
    state.finish().1
}

/// The files discovery found (not the `--base-url` values or the config file, which are
/// only shown).
fn walked(sources: &Sources) -> impl Iterator<Item = &SourceFile> {
    sources.map.iter().filter(move |s| Some(s.id()) != sources.base_urls && Some(s.id()) != sources.config)
}

/// A main configuration: Apache's own names, or a file that sets `ServerRoot` or includes.
pub fn is_main(source: &SourceFile) -> bool {
    let name = source.path().file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name == "httpd.conf" || name == "apache2.conf" {
        return true;
    }
    source.text().lines().any(|line| {
        let word = line.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        matches!(word.as_str(), "serverroot" | "include" | "includeoptional")
    })
}

/// Reads the trees: the parsed files by id, and the files read so far.
struct Reader<'a> {
    sources: &'a Sources,
    added: &'a Added,
    scope: &'a Scope,
    /// Parsed files by id (`None`: not parsed, or not parsable).
    slots: Vec<Option<Parsed<'a>>>,
    problems: Vec<FileProblem>,
    view: SourceView<'a>,
    /// Files by the path they are known by and by how they are shown; walked ones (found
    /// when first needed) and included ones by identity.
    by_path: HashMap<PathBuf, FileId>,
    by_display: HashMap<String, FileId>,
    walked_keys: Option<HashMap<FileKey, FileId>>,
    added_keys: HashMap<FileKey, FileId>,
    /// nginx files read only because a tree includes them.
    nginx_added: Vec<FileId>,
    roots: HashMap<FileId, FileId>,
    facts: HashMap<FileId, TreeFacts>,
    /// The tree being read, and the files it has read once.
    root: Option<FileId>,
    read: HashSet<FileId>,
    reads: usize,
}

impl<'a> Reader<'a> {
    fn new(sources: &'a Sources, added: &'a Added, scope: &'a Scope, targets: syntax::Targets) -> Self {
        let parse = |s: &'a SourceFile| if s.linted() { syntax::parse_for(s, targets) } else { None };
        let slots = sources.map.iter().map(parse).collect::<Vec<_>>();
        let by_path = walked(sources).map(|s| (tidy(s.path()), s.id())).collect();
        let by_display = walked(sources).map(|s| (s.display().to_string(), s.id())).collect();
        Reader {
            sources,
            added,
            scope,
            slots,
            problems: sources.problems.clone(),
            view: SourceView::of(&sources.map),
            by_path,
            by_display,
            walked_keys: None,
            added_keys: HashMap::new(),
            nginx_added: Vec::new(),
            roots: HashMap::new(),
            facts: HashMap::new(),
            root: None,
            read: HashSet::new(),
            reads: 0,
        }
    }

    fn parsed(&self, id: FileId) -> Option<&Parsed<'a>> {
        self.slots.get(id.0 as usize)?.as_ref()
    }

    /// Starts the tree headed by `main`.
    fn start(&mut self, main: FileId) {
        self.root = Some(main);
        self.roots.insert(main, main);
        self.reads = 0;
    }

    fn finish(self, nginx: NginxTrees) -> Trees<'a> {
        Trees {
            parsed: self.slots.into_iter().flatten().collect(),
            apache: ApacheTrees { roots: self.roots, facts: self.facts },
            nginx,
            problems: self.problems,
            sources: self.view,
        }
    }

    /// Reads file `id` at `state`: the first time, its tree records what Apache skips;
    /// again (included twice), its defines, modules and includes take effect once more.
    fn read_file(&mut self, state: &mut State, id: FileId) {
        self.reads += 1;
        if self.reads > MAX_READS {
            return;
        }
        let first = self.read.insert(id);
        let Some(Some(file)) = self.slots.get_mut(id.0 as usize) else { return };
        let source = file.source;
        let Tree::Apache(config) = &mut file.tree else { return };
        if !first {
            let mut again = config.clone();
            apache_tree::read(state, self, &mut again, source);
            return;
        }
        let mut config = std::mem::take(config);
        apache_tree::read(state, self, &mut config, source);
        if let Some(Some(Parsed { tree: Tree::Apache(slot), .. })) = self.slots.get_mut(id.0 as usize) {
            *slot = config;
        }
    }

    /// The file known by `path`: as named or shown, else by its identity on disk (looked
    /// up only then: it costs a path resolution).
    fn known(&mut self, path: &Path) -> Result<FileId, FileKey> {
        let shown = || self.scope.show(path);
        if let Some(&id) = self.by_path.get(&tidy(path)).or_else(|| self.by_display.get(&shown())) {
            return Ok(id);
        }
        let key = self.scope.key(path);
        if let Some(&id) = self.added_keys.get(&key) {
            return Ok(id);
        }
        let (sources, scope) = (self.sources, self.scope);
        let walked_keys = self.walked_keys.get_or_insert_with(|| {
            let key = |s: &SourceFile| sources.keys.get(s.id().0 as usize).cloned().flatten();
            walked(sources).map(|s| (key(s).unwrap_or_else(|| scope.key(s.path())), s.id())).collect()
        });
        walked_keys.get(&key).copied().ok_or(key)
    }

    /// Reads a file a tree includes into the run under `path`, as file `id` (a new one, or a
    /// walked one the tree names by another path).
    fn add(&mut self, id: FileId, path: &Path, kind: FileKind) {
        let display = self.scope.show(path);
        let path = tidy(path);
        let source = match self.scope.read(&path, MAX_FILE_SIZE) {
            Ok(bytes) => SourceFile::read(id, path, display, Some(kind), bytes),
            Err(denied) => {
                let problem = FileProblem { file: id, path: display.clone(), problem: problem(denied) };
                self.problems.push(problem);
                SourceFile::unread(id, path, display, Some(kind))
            }
        };
        let (_, source) = self.added.alloc((id, source));
        let source: &'a SourceFile = source;
        self.view.set(source);
        let index = id.0 as usize;
        if self.slots.len() <= index {
            self.slots.resize_with(index + 1, || None);
        }
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = if source.linted() { syntax::parse(source) } else { None };
        }
    }
}

impl Host for Reader<'_> {
    fn include(&mut self, state: &mut State, path: &Path) {
        let Some(root) = self.root else { return };
        let id = match self.known(path) {
            Ok(id) => match self.roots.get(&id) {
                // Read in another tree: not this one's.
                Some(&other) if other != root => return,
                Some(_) => id,
                None => {
                    self.roots.insert(id, root);
                    // A walked file is read under the path the tree includes it by.
                    let shown = self.scope.show(path);
                    let renamed = self.sources.map.get(id).is_some_and(|s| s.display() != shown);
                    let apache = self.parsed(id).is_some_and(|p| matches!(p.tree, Tree::Apache(_)));
                    if renamed || !apache {
                        self.problems.retain(|p| p.file != id);
                        self.add(id, path, FileKind::Apache);
                    }
                    id
                }
            },
            Err(key) => {
                let id = FileId(u32::try_from(self.slots.len()).unwrap_or(u32::MAX));
                self.by_path.insert(tidy(path), id);
                self.added_keys.insert(key, id);
                self.roots.insert(id, root);
                self.add(id, path, FileKind::Apache);
                id
            }
        };
        self.read_file(state, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Options, Settings};

    #[test]
    fn debian_tree_is_read_once_in_apache_order() {
        let main = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/debian12/etc/apache2/apache2.conf");
        if !main.is_file() {
            assert!(std::env::var_os("CI").is_none(), "CI must provide shared/corpus/debian12");
            eprintln!("SKIPPED: shared/corpus/debian12 is not available");
            return;
        }
        let options = Options { paths: vec![main.clone()], live: Some(false), ..Options::default() };
        let settings = Settings::resolve(&options);
        let Ok(inputs) = crate::discover::inputs::find(&settings) else { panic!("{} is not found", main.display()) };
        let sources = crate::discover::inputs::sources(inputs.found, &settings);
        let added = Added::new();
        let trees = read(&sources, &added, &settings.scope, settings.targets());
        let dir = main.parent().unwrap_or(Path::new(""));
        let names: Vec<String> = trees
            .parsed
            .iter()
            .map(|p| p.source.path().strip_prefix(dir).unwrap_or(p.source.path()).to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.first().map(String::as_str), Some("apache2.conf"), "{names:?}");
        assert!(names.get(1).is_some_and(|n| n.starts_with("mods-enabled/")), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("sites-enabled/")), "{names:?}");
        let ports = names.iter().position(|n| n == "ports.conf");
        let first_conf = names.iter().position(|n| n.starts_with("conf-enabled/"));
        assert!(ports.is_some() && ports < first_conf, "ports.conf is read before conf-enabled: {names:?}");
        // Each file once, every one in the main configuration's tree.
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        let main_id = trees.parsed.first().map(|p| p.source.id());
        assert!(trees.parsed.iter().all(|p| trees.apache.root(p.source.id()) == main_id));
        assert!(main_id.and_then(|id| trees.apache.facts(id)).is_some());
    }
}
