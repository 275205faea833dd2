//! `context-path-root-slash`: `<Context path="/">` where the root context is `""`.

use crate::diagnostic::Applicability;
use crate::model::PathStyle;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a Tomcat `<Context path="/">`: the root context is written `path=""`.
    /// `server.context-path=/` in `bitbucket.properties` is not flagged (Spring Boot reads `/`
    /// as the root).
    ///
    /// ## Why is this bad?
    /// Tomcat rewrites `/` to `""` and logs a warning at every start ("A context path must
    /// either be an empty string or start with a '/' and do not end with a '/'"). The
    /// configuration says something Tomcat does not do, and the log noise hides real warnings.
    ///
    /// ## Example
    /// ```xml
    /// <Context path="/" docBase="${catalina.home}/atlassian-jira" reloadable="false"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Context path="" docBase="${catalina.home}/atlassian-jira" reloadable="false"/>
    /// ```
    pub struct ContextPathRootSlash {
        id: "context-path-root-slash",
        summary: "a Tomcat `<Context path=\"/\">`",
        severity: Warning,
        scope: "context_path",
        formats: [TomcatServerXml],
    }
}

impl Rule for ContextPathRootSlash {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for context in &cx.topology().contexts {
            if context.style != PathStyle::Tomcat || context.setting.value.known() != Some("/") {
                continue;
            }
            sink.emit(
                context.setting.value.span,
                "root written as `/`",
                "the root context path is `\"\"`, not `\"/\"`",
            )
            .help("write `path=\"\"`: Tomcat rewrites `/` to `\"\"` with a warning at every start")
            .fix(fixes::fix(
                cx,
                "write `path=\"\"`",
                Applicability::Safe,
                fixes::set_value(cx, context.setting, ""),
            ));
        }
    }
}
