//! `context-path-malformed`: a context path Tomcat or Spring Boot has to repair or cannot use.

use crate::diagnostic::Applicability;
use crate::model::PathStyle;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a context path (`<Context path>`, `server.context-path`) that does not start with
    /// `/`, ends with `/`, contains whitespace, or names a scheme or host
    /// (`path="jira"`, `path="/jira/"`, `server.context-path=https://example.com/git`).
    /// The root forms (`""`, and `/` for `server.context-path`) are fine; `path="/"` is
    /// `context-path-root-slash`'s business.
    ///
    /// ## Why is this bad?
    /// Tomcat silently rewrites a path without a leading slash or with a trailing one, so the
    /// application lives somewhere other than the file says, and the proxy's idea of the path
    /// drifts from the application's. Whitespace, schemes and hosts are never part of a path:
    /// the application is deployed at a path nobody requests.
    ///
    /// ## Example
    /// ```xml
    /// <Context path="/jira/" docBase="${catalina.home}/atlassian-jira"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Context path="/jira" docBase="${catalina.home}/atlassian-jira"/>
    /// ```
    pub struct ContextPathMalformed {
        id: "context-path-malformed",
        summary: "a context path (`<Context path>`, `server.context-path`) that does not start with `/`, ends with `/`, contains whitespace, or names a scheme or host (`path=\"jira\"`, `path=\"/jira/\"`, `server.context-path=https://example.com/git`)",
        severity: Error,
        scope: "context_path",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

/// What is wrong with a context path, if anything.
fn defect(path: &str, style: PathStyle) -> Option<&'static str> {
    if path.is_empty() || path == "/" {
        return None;
    }
    if path.contains("://") {
        return Some("names a scheme; a context path is only the path");
    }
    if path.chars().any(char::is_whitespace) {
        return Some("contains whitespace");
    }
    if path.starts_with("//") {
        return Some("names a host; a context path is only the path");
    }
    if !path.starts_with('/') {
        return Some(match style {
            PathStyle::Tomcat => "does not start with `/` (Tomcat prepends one with a warning)",
            PathStyle::Spring => "does not start with `/`",
        });
    }
    if path.ends_with('/') {
        return Some(match style {
            PathStyle::Tomcat => "ends with `/` (Tomcat strips it with a warning)",
            PathStyle::Spring => "ends with `/`",
        });
    }
    None
}

impl Rule for ContextPathMalformed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for context in &cx.topology().contexts {
            let Some(path) = context.setting.value.known() else {
                continue;
            };
            let Some(defect) = defect(path, context.style) else {
                continue;
            };
            let suggestion = context.normalized().filter(|p| !p.contains("://") && !p.contains(char::is_whitespace));
            let diagnostic = sink.emit(
                context.setting.value.span,
                "context path",
                format!("context path `{}` {defect}", crate::secrets::shown(path)),
            );
            match suggestion {
                Some(fixed) => {
                    // Only a trailing slash dropped is the same path; anything else moves it.
                    let applicability =
                        if path.trim_end_matches('/') == fixed { Applicability::Safe } else { Applicability::Unsafe };
                    let edit = fixes::set_value(cx, context.setting, &fixed);
                    let fix = fixes::fix(cx, format!("write `{fixed}`"), applicability, edit);
                    diagnostic.help(format!("write `{fixed}`")).fix(fix)
                }
                None => {
                    diagnostic.help("write the path alone: `\"\"` for the root, else `/name` without a trailing slash")
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_clean_paths_pass() {
        for ok in ["", "/", "/jira", "/a/b"] {
            assert_eq!(defect(ok, PathStyle::Tomcat), None, "{ok}");
        }
        for bad in ["jira", "/jira/", "/ji ra", "https://x/jira", "//host/jira"] {
            assert!(defect(bad, PathStyle::Spring).is_some(), "{bad}");
        }
    }
}
