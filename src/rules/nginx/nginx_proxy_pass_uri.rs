//! `nginx-proxy-pass-uri`: a `proxy_pass` whose URI part nginx refuses, or that glues the
//! rest of the request path onto the last segment.

use crate::model::nginx::location_path;
use crate::model::url::url_path;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::nginx::spliced::View;
use crate::syntax::nginx::Directive;
use foldhash::{HashSet, HashSetExt};

declare_rule! {
    /// ## What it does
    /// Flags a `proxy_pass` with a URI part (anything after the host and port, `/` included)
    /// where it changes the request path wrongly. nginx replaces the part of the request
    /// path that the `location` matched with that URI: under `location /jira/`, a
    /// `proxy_pass http://localhost:8080/jira` sends `/jira/secure/Dashboard.jspa` as
    /// `/jirasecure/Dashboard.jspa`. Also flagged: a URI part in a regular-expression or
    /// named location, or inside `if` or `limit_except`, which `nginx -t` refuses. Whether
    /// the path that reaches Tomcat is its context path is `context-path-mismatch`'s.
    ///
    /// ## Why is this bad?
    /// Every request below the location's root reaches the application under a path that
    /// does not exist: Jira, Confluence and Bitbucket answer 404 to all but their front page.
    ///
    /// ## Example
    /// ```nginx
    /// location /jira/ {
    ///     proxy_pass http://localhost:8080/jira;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location /jira/ {
    ///     proxy_pass http://localhost:8080/jira/;
    /// }
    /// ```
    pub struct NginxProxyPassUri {
        id: "nginx-proxy-pass-uri",
        summary: "a `proxy_pass` whose URI part glues the rest of the request path onto its last segment (`location /jira/` with `proxy_pass http://h:8080/jira`), or stands where nginx refuses one",
        severity: Error,
        scope: "nginx",
        formats: [Nginx],
    }
}

impl Rule for NginxProxyPassUri {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        // A file included in several places is judged once in each, said once.
        let mut said: HashSet<Span> = HashSet::new();
        for view in cx.topology().nginx_views() {
            for (node, directive) in view.directives().filter(|(_, d)| d.is("proxy_pass")) {
                let Some(url) = directive.args().first() else { continue };
                if url.unknown || url.text.contains('$') {
                    continue;
                }
                let Some(uri) = url_path(url.text).filter(|u| !u.is_empty()) else { continue };
                let Some((location, inside)) = enclosing(view, node) else { continue };
                if !said.insert(url.span) {
                    continue;
                }
                if let Some(block) = inside {
                    let message = format!("`proxy_pass` cannot have a URI part inside `{block}`");
                    sink.emit(url.span, "URI part", message)
                        .help(format!("write `proxy_pass` without the path (`{}`)", without_uri(url.text)));
                    continue;
                }
                let Some(matched) = location_path(location) else {
                    let message = "`proxy_pass` cannot have a URI part in a regular-expression or named location";
                    sink.emit(url.span, "URI part", message).related(location.name().span, "this location").help(
                        format!(
                            "write `proxy_pass` without the path (`{}`), or rewrite the path before it",
                            without_uri(url.text)
                        ),
                    );
                    continue;
                };
                if !matched.path.ends_with('/') || uri.ends_with('/') || matched.path.contains("{{") {
                    continue;
                }
                let example = format!("{}secure/Dashboard.jspa", matched.path);
                let reaches = format!("{uri}secure/Dashboard.jspa");
                let message = format!(
                    "`location {}` hands on what follows it glued to `{uri}`: `{example}` reaches the app as `{reaches}`",
                    matched.path
                );
                sink.emit(url.span, "no trailing slash", message)
                    .related(matched.span, "the part nginx replaces")
                    .help(format!(
                        "end the URI with `/` (`{url}/`), or drop the URI part to pass the path unchanged",
                        url = url.text
                    ));
            }
        }
    }
}

/// The `location` around a `proxy_pass`, and the `if` or `limit_except` block between them,
/// if there is one.
fn enclosing<'a>(view: View<'_, 'a>, node: usize) -> Option<(&'a Directive<'a>, Option<&'a str>)> {
    let mut inside = None;
    for (_, block) in view.ancestors(view.parent(node)) {
        match block.name().text {
            "location" => return Some((block, inside)),
            "if" | "limit_except" => inside = inside.or(Some(block.name().text)),
            _ => {}
        }
    }
    None
}

/// A URL without its path (`http://localhost:8080`).
fn without_uri(url: &str) -> &str {
    let Some(rest) = url.split_once("://").map(|(_, r)| r) else { return url };
    let authority = rest.find('/').unwrap_or(rest.len());
    let cut = url.len() - rest.len() + authority;
    url.get(..cut).unwrap_or(url)
}
