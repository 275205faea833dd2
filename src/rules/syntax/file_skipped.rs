//! `file-skipped`: a file that was not linted on purpose.

use foldhash::HashSet;

use crate::discover::{Problem, MAX_FILE_SIZE};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Notes a file that was not linted on purpose:
    /// - one over the 16 MiB size limit, or binary where a configuration file was expected;
    /// - a path named on the command line that is not a regular file, or whose format
    ///   atl-lint does not know;
    /// - a symbolic link or include that leads outside the scanned tree (or into `/proc`,
    ///   `/sys`, `/dev`, `/run`), which is never read;
    /// - outside live mode, an include of what a stock Apache installation provides
    ///   (`ports.conf`, `mods-enabled/*.load`) that the checkout lacks, or an nginx
    ///   `include` of one file by an absolute path the checkout does not hold
    ///   (`/etc/nginx/mime.types`); a wildcard include the checkout does not hold is not
    ///   noted, since nginx allows one to match nothing.
    ///
    /// ## Why is this bad?
    /// It is not bad in itself, but nothing in that file was checked, and a configuration
    /// file that turned binary or grew past 16 MiB is rarely what its owner intended.
    ///
    /// ## Example
    /// ```text
    /// conf/server.xml   (a 40 MiB file, or one holding NUL bytes)
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// conf/server.xml   (the text configuration Tomcat reads)
    /// ```
    pub struct FileSkipped {
        id: "file-skipped",
        summary: "a file that was not linted on purpose",
        severity: Info,
        scope: "syntax",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for FileSkipped {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for problem in cx.problems {
            let path = &problem.path;
            let (label, message) = match &problem.problem {
                Problem::Unreadable(_) => continue,
                Problem::TooLarge(size) => (
                    "not read",
                    format!("`{path}` is {size} bytes, over the {} MiB limit; not linted", MAX_FILE_SIZE / (1024 * 1024)),
                ),
                Problem::Binary => ("binary content", format!("`{path}` holds binary data, not configuration text; not linted")),
                Problem::UnknownKind => (
                    "unknown format",
                    format!("`{path}` is not a format atl-lint knows (haproxy, apache, nginx, tomcat-server-xml, bitbucket-properties, compose, helm-values, kubernetes, traefik); not linted"),
                ),
                Problem::NotRegular => ("not a regular file", format!("`{path}` is not a regular file; not opened")),
                Problem::Outside(target) => (
                    "not read",
                    format!("`{path}` leads to `{target}`, outside the scanned tree; not read"),
                ),
            };
            sink.emit(Span::file_start(problem.file), label, message);
        }
        // Includes that name files outside what the run may read, at the directive; a link
        // the walk met and reported above is not reported again through the include.
        let reported: HashSet<&str> =
            cx.problems.iter().filter(|p| matches!(p.problem, Problem::Outside(_))).map(|p| p.path.as_str()).collect();
        for file in cx.files {
            let (outside, not_in_checkout, server) = match &file.tree {
                Tree::Apache(config) => (&config.outside, &config.not_in_checkout, "Apache"),
                Tree::Nginx(config) => (&config.outside, &config.not_in_checkout, "nginx"),
                _ => continue,
            };
            for outside in outside {
                let paths: Vec<String> = outside
                    .paths
                    .iter()
                    .map(|p| cx.settings.scope.show(p))
                    .filter(|p| !reported.contains(p.as_str()))
                    .collect();
                let Some(first) = paths.first() else { continue };
                let more = if paths.len() > 1 { format!(" and {} more", paths.len() - 1) } else { String::new() };
                let message =
                    format!("`{}` names `{first}`{more}, outside the scanned tree; not read", outside.directive);
                sink.emit(outside.span, "not read", message).help(
                    "lint the tree that holds those files (name it as a PATH), or use `--root` for a server image",
                );
            }
            for (span, directive) in not_in_checkout {
                let message = match server {
                    "nginx" => format!("`{directive}` names a file of the server that this checkout does not hold; not read"),
                    _ => format!(
                        "`{directive}` names what a stock {server} installation provides, not in this checkout; not read"
                    ),
                };
                sink.emit(*span, "not in this checkout", message)
                    .help("on the server it must exist: `atl-lint --live /etc` checks it there");
            }
        }
    }
}
