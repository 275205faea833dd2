//! atl-lint: lints reverse-proxy setups in front of Atlassian server applications.
//!
//! The pipeline runs one way, each stage reading what the ones before it made:
//! [`settings`] → [`discover`] (files, sources) → [`syntax`] (trees) → Apache include trees
//! → [`model`] (the topology) → [`rules`] (findings) → [`report`] (secrets, finish, output).
//! `ARCHITECTURE.md` says what each stage owns.

pub mod cli;
pub mod config;
pub mod confine;
pub mod defaults;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod fuzzing;
pub mod includes;
pub mod model;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod settings;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod template;
pub mod tls;

use std::path::Path;

pub use discover::inputs::{Error, BASE_URL_SOURCE};
pub use settings::{LiveMode, Options, Settings};

use discover::inputs::Sources;
use discover::Found;
use report::{Report, Secrets};

/// Lints what `options` name and returns the sorted findings with the files they are in.
pub fn lint(options: &Options) -> Result<Report, Error> {
    let settings = Settings::resolve(options);
    let inputs = discover::inputs::find(&settings)?;
    Ok(run(inputs.found, inputs.homes, &settings))
}

/// Lints files already found.
pub fn lint_found(found: Vec<Found>, options: &Options) -> Report {
    run(found, Vec::new(), &Settings::resolve(options))
}

/// The resolved topology of what `options` name, as `atl-lint graph` prints it.
pub fn graph(options: &Options, format: report::graph::GraphFormat) -> Result<String, Error> {
    let settings = Settings::resolve(options);
    let inputs = discover::inputs::find(&settings)?;
    let sources = discover::inputs::sources(inputs.found, &settings);
    let added = includes::Added::new();
    let text = {
        let trees = includes::read(&sources, &added, &settings.scope, settings.targets());
        let declared = model::declared(&sources, &settings.config);
        let topology = model::build(&trees.parsed, trees.apache, trees.nginx, &declared);
        let secrets = Secrets::find(&trees.parsed, &trees.sources);
        let redactor = report::Redactor::new(&trees.sources, &secrets);
        report::graph::render(&topology, &trees.sources, &redactor, format)
    };
    Ok(text)
}

/// Apache's configuration dump (what `apache2 -t -D DUMP_CONFIG` prints) of the include
/// tree the main configuration `main` heads, as atl-lint reads it.
pub fn apache_dump(main: &Path) -> Result<Vec<syntax::apache_tree::DumpLine>, Error> {
    let settings =
        Settings::resolve(&Options { paths: vec![main.to_path_buf()], live: Some(false), ..Options::default() });
    let inputs = discover::inputs::find(&settings)?;
    let sources = discover::inputs::sources(inputs.found, &settings);
    let main = sources.map.iter().find(|s| s.path() == main && s.kind() == Some(source::FileKind::Apache));
    Ok(main.map(|main| includes::dump(&sources, main.id(), &settings.scope)).unwrap_or_default())
}

/// The files of each nginx include tree in the paths `options` name, in the order nginx
/// first reads them (what `nginx -T` prints), each by the path the tree reads it by.
pub fn nginx_files(options: &Options) -> Result<Vec<Vec<std::path::PathBuf>>, Error> {
    let settings = Settings::resolve(options);
    let inputs = discover::inputs::find(&settings)?;
    let sources = discover::inputs::sources(inputs.found, &settings);
    let added = includes::Added::new();
    let trees = includes::read(&sources, &added, &settings.scope, settings.targets());
    let path = |id: source::FileId| source::Sources::source(&trees.sources, id).map(|s| s.path().clone());
    let files =
        trees.nginx.trees.iter().filter(|t| t.main).map(|tree| tree.files.iter().filter_map(|&f| path(f)).collect());
    Ok(files.collect())
}

/// The stages after discovery: sources, trees and include trees, the model, the rules, then
/// the report's finish.
fn run(found: Vec<Found>, homes: Vec<String>, settings: &Settings) -> Report {
    let sources = discover::inputs::sources(found, settings);
    let added = includes::Added::new();
    let (diagnostics, secrets, linked_routes) = check(&sources, &added, settings);
    let config = sources.config;
    let sources = sources.map.with_included(added.into_vec());
    let shown_from = settings.scope.shown_from().map(std::path::Path::to_path_buf);
    let live = settings.live.is_some();
    let report = Report { sources, secrets, diagnostics, linked_routes, homes, shown_from, live };
    report::finish::finish(report, settings, config)
}

/// Below this much text a run is not worth a second thread.
const PARALLEL_TEXT: usize = 1 << 18;

/// Parses, reads the include trees, models and runs the rules; returns the findings, the
/// secrets to mask and how many routes were linked to a connector.
fn check(
    sources: &Sources,
    added: &includes::Added,
    settings: &Settings,
) -> (Vec<diagnostic::Diagnostic>, Secrets, usize) {
    let includes::Trees { parsed, apache, nginx, problems, sources: view } =
        includes::read(sources, added, &settings.scope, settings.targets());
    let declared = model::declared(sources, &settings.config);
    // A large run finds the report's secrets on a thread of its own while the model is built
    // and the rules run: none of them needs the others.
    let text: usize = parsed.iter().map(|p| p.source.text().len()).sum();
    let find_secrets = || Secrets::find(&parsed, &view);
    std::thread::scope(|scope| {
        let secrets = (text >= PARALLEL_TEXT).then(|| scope.spawn(find_secrets));
        let topology = model::build(&parsed, apache, nginx, &declared);
        let cx = rules::Context::new(&parsed, &topology, &problems, settings);
        let diagnostics = rules::run(&cx);
        let linked = topology.route_links.iter().filter(|l| l.is_some()).count();
        let secrets = match secrets {
            Some(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => find_secrets(),
        };
        (diagnostics, secrets, linked)
    })
}
