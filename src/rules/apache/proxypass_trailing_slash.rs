//! `proxypass-trailing-slash`: `ProxyPass` paths that disagree on a trailing slash.

use super::{url_path, Target};
use crate::diagnostic::Applicability;
use crate::rules::queries::apache_configs_with_passes;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `ProxyPass` or `ProxyPassReverse` where exactly one of the local path and the
    /// upstream URL's path ends with `/`. `ProxyPass / http://h:8080` is flagged: the URL's
    /// path is empty. In `<Location>` the one-argument form is judged against the location's
    /// path; `!` exclusions have no URL and are not judged. A directive continued over
    /// several lines is reported whole.
    ///
    /// ## Why is this bad?
    /// Apache replaces the local path by the URL's path, character for character: with
    /// `ProxyPass / http://h:8080` a request for `/jira` becomes `h:8080jira`, which fails with
    /// Apache's "DNS lookup failure"; with `ProxyPass /jira/ http://h:8080/jira` the request
    /// `/jira/secure` becomes `/jirasecure`. Apache itself says nothing.
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass /jira/ http://localhost:8080/jira
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    pub struct ProxypassTrailingSlash {
        id: "proxypass-trailing-slash",
        summary: "a `ProxyPass` or `ProxyPassReverse` where exactly one of the local path and the upstream URL's path ends with `/`",
        severity: Warning,
        scope: "apache",
        formats: [Apache],
    }
}

impl Rule for ProxypassTrailingSlash {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (_, passes) in apache_configs_with_passes(cx) {
            for pass in passes {
                let Target::Url(url) = pass.target else { continue };
                let Some(path) = url_path(url.text) else { continue };
                let (local, _) = pass.local;
                if local.ends_with('/') == path.ends_with('/') {
                    continue;
                }
                let name = &pass.directive.name().text;
                let (wrong, fixed) = if local.ends_with('/') {
                    ("the local path ends with `/`, the URL's path does not", format!("{}/", url.text))
                } else {
                    (
                        "the URL's path ends with `/`, the local path does not",
                        url.text.trim_end_matches('/').to_string(),
                    )
                };
                let edit = fixes::replace_word(cx, url.span, &fixed);
                let fix = fixes::fix(cx, format!("write `{name} {local} {fixed}`"), Applicability::Safe, edit);
                sink.emit(pass.directive.span, "slashes disagree", format!("`{name} {local} {}`: {wrong}", url.text))
                    .related(url.span, "upstream URL")
                    .help(format!("end both with `/` or neither, e.g. `{name} {local} {fixed}`"))
                    .fix(fix);
            }
        }
    }
}
