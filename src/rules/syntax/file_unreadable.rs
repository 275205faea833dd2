//! `file-unreadable`: a file found while walking that cannot be read.

use crate::discover::Problem;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags a configuration file that was found but could not be read (permission denied,
    /// an I/O error). The run goes on with every other file.
    ///
    /// ## Why is this bad?
    /// A file atl-lint cannot read is a file it cannot check: on a live server this usually
    /// means the lint runs as a user without access to the application's configuration, and
    /// its findings are incomplete.
    ///
    /// ## Example
    /// ```text
    /// -rw------- root root /opt/atlassian/jira/conf/server.xml   (linted as an ordinary user)
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// run atl-lint as a user that can read the configuration (or as root; it never writes)
    /// ```
    pub struct FileUnreadable {
        id: "file-unreadable",
        summary: "a configuration file that was found but could not be read (permission denied, an I/O error)",
        severity: Warning,
        scope: "syntax",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for FileUnreadable {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for problem in cx.problems {
            let Problem::Unreadable(reason) = &problem.problem else {
                continue;
            };
            let help = if reason.starts_with("it is a symbolic link") {
                "point the link at the file it stands for, or remove it"
            } else {
                "give the user running atl-lint read access to this file"
            };
            sink.emit(Span::file_start(problem.file), "not read", format!("cannot read `{}`: {reason}", problem.path))
                .help(help);
        }
    }
}
