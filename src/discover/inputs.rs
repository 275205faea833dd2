//! The files of a run: standard input, the PATHs, and in live mode the places applications
//! keep their configuration.

use std::path::PathBuf;

use super::{confine, discover_in, is_binary, kind_of, live, problem, Denied, Found, PathError};
use super::{FileProblem, Problem, MAX_FILE_SIZE};
use crate::settings::{Settings, Stdin};
use crate::source::{FileId, FileKey, FileKind, SourceFile, SourceMap};

/// Why a run could not happen.
#[derive(Debug)]
pub enum Error {
    /// A command-line path that does not exist or cannot be read.
    Path(PathError),
    /// Standard input could not be read.
    Stdin(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Path(e) => write!(f, "cannot lint `{}`: {}", e.path.display(), e.error),
            Error::Stdin(e) => write!(f, "cannot read standard input: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// What discovery found for a run.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The files, in the order they are reported.
    pub found: Vec<Found>,
    /// The application homes live mode found, as shown.
    pub homes: Vec<String>,
}

/// The files of a run, the lint's and `graph`'s alike: standard input, the PATHs (under
/// `--root`), and in live mode the places applications keep their configuration.
pub fn find(settings: &Settings) -> Result<Inputs, Error> {
    let mut found = Vec::new();
    if let Some(stdin) = &settings.stdin {
        found.push(read_stdin(stdin)?);
    }
    let mut files = settings.paths.clone();
    let mut places = live::Found::default();
    if let Some(live) = &settings.live {
        // `/` is not walked whole: its `/etc` and the places applications use are.
        let whole = |p: &PathBuf| p.as_path() == live.root || p.as_os_str() == "/";
        if files.iter().any(whole) {
            files.retain(|p| !whole(p));
            files.push(live.root.join("etc"));
        }
        places = live::locate(&settings.scope);
    }
    found.extend(discover_in(&files, &places.files, &settings.scope, &settings.filter).map_err(Error::Path)?);
    let homes = places.homes.iter().map(|h| settings.scope.show(h)).collect();
    Ok(Inputs { found, homes })
}

/// Standard input, read up to the size limit like any file, and refused when binary.
fn read_stdin(stdin: &Stdin) -> Result<Found, Error> {
    let path = PathBuf::from(&stdin.name);
    let bytes = match confine::read_capped(std::io::stdin().lock(), 0, MAX_FILE_SIZE) {
        Ok(bytes) => bytes,
        Err(Denied::Io(err)) => return Err(Error::Stdin(err)),
        Err(denied) => return Ok(Found::new(path, stdin.kind, Err(problem(denied)))),
    };
    let kind = stdin.kind.or_else(|| kind_of(&path, &bytes));
    let content = match kind {
        _ if is_binary(&bytes) => Err(Problem::Binary),
        Some(_) => Ok(bytes),
        None => Err(Problem::UnknownKind),
    };
    Ok(Found::new(path, kind, content))
}

/// How the command line's `--base-url` values are shown in reports: as a file of their own,
/// one value a line.
pub const BASE_URL_SOURCE: &str = "--base-url";

/// The files of a run as sources, with the problems of those that could not be read.
#[derive(Debug, Default)]
pub struct Sources {
    /// Every file.
    pub map: SourceMap,
    /// The files that could not be read, and why.
    pub problems: Vec<FileProblem>,
    /// Each file's identity on disk, by id, when discovery looked it up.
    pub keys: Vec<Option<FileKey>>,
    /// The `--base-url` values, one a line, as a file of their own.
    pub base_urls: Option<FileId>,
    /// The config file, when it declares apps or accepts findings: findings may point at
    /// its base URLs and stale baseline entries.
    pub config: Option<FileId>,
}

/// The found files as sources, then the `--base-url` values and the config file when it
/// declares apps or accepts findings, so that findings can point at either.
pub fn sources(found: Vec<Found>, settings: &Settings) -> Sources {
    let mut sources = Sources::default();
    let mut units = crate::defaults::Units::new(&settings.scope);
    for file in found {
        let display = settings.scope.show(&file.path);
        let (path, kind) = (file.path, file.kind);
        match file.content {
            Ok(bytes) => {
                // A template's unit's defaults files join the run first, as shown files.
                let templated = kind.is_some()
                    && (memchr::memmem::find(&bytes, b"{{").is_some() || memchr::memmem::find(&bytes, b"<%").is_some());
                // A `server.xml` learns the Tomcat its unit's application version ships.
                let server_xml = kind == Some(FileKind::TomcatServerXml);
                let unit = if templated || server_xml { units.of(&path, &mut sources) } else { None };
                sources.keys.push(file.key);
                sources.map.add(|id| {
                    let mut source = SourceFile::read(id, path, display, kind, bytes);
                    if let Some(unit) = &unit {
                        if source.has_template_values() {
                            source = source.with_defaults(unit);
                        }
                        if server_xml {
                            source = source.with_bundled(unit);
                        }
                    }
                    source
                });
            }
            Err(problem) => {
                sources.keys.push(file.key);
                let shown = display.clone();
                let id = sources.map.add(|id| SourceFile::unread(id, path, display, kind));
                sources.problems.push(FileProblem { file: id, path: shown, problem });
            }
        }
    }
    if !settings.base_urls.is_empty() {
        let text = settings.base_urls.join("\n").into_bytes();
        let path = PathBuf::from(BASE_URL_SOURCE);
        let id = sources.map.add(|id| SourceFile::shown(id, path, BASE_URL_SOURCE.into(), text));
        sources.base_urls = Some(id);
    }
    let config = &settings.config;
    if !config.apps.is_empty() || !config.ignored_findings.is_empty() {
        let display = settings.scope.show(&config.path);
        let text = config.text.clone().into_bytes();
        sources.config = Some(sources.map.add(|id| SourceFile::shown(id, config.path.clone(), display, text)));
    }
    sources
}
