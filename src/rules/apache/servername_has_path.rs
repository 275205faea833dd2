//! `servername-has-path`: `ServerName`/`ServerAlias` holding a path.

use crate::rules::queries::apache_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `ServerName` or `ServerAlias` that contains a path (`example.com/jira`). A
    /// scheme and a port are allowed in `ServerName` (`https://jira.example.com:443`).
    ///
    /// ## Why is this bad?
    /// A host name never contains a path: the virtual host matches no request's `Host`
    /// header, requests land in another virtual host, and redirects Apache builds from
    /// `ServerName` point nowhere. The path belongs in `ProxyPass` and the application's
    /// context path.
    ///
    /// ## Example
    /// ```apache
    /// ServerName example.com/jira
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ServerName example.com
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    pub struct ServernameHasPath {
        id: "servername-has-path",
        summary: "a `ServerName` or `ServerAlias` that contains a path (`example.com/jira`)",
        severity: Error,
        scope: "apache",
        formats: [Apache],
    }
}

impl Rule for ServernameHasPath {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in apache_configs(cx.files) {
            for directive in config.directives.iter().filter(|d| d.is("ServerName") || d.is("ServerAlias")) {
                for name in directive.args().iter().filter(|a| !a.unknown) {
                    let host = name.text.split_once("://").map_or(name.text.as_ref(), |(_, rest)| rest);
                    let Some(slash) = host.find('/') else { continue };
                    let (bare, path) = host.split_at(slash);
                    let message = format!("`{}` names the path `{path}`; a host name has none", name.text);
                    sink.emit(name.span, "contains a path", message)
                        .help(format!("write `{} {bare}` and route `{path}` with `ProxyPass`", directive.name().text));
                }
            }
        }
    }
}
