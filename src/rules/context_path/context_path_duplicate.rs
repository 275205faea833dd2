//! `context-path-duplicate`: two live `<Context>` elements with one path in one `<Host>`.

use std::collections::HashMap;

use crate::model::PathStyle;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags two live `<Context>` elements in the same `<Host>` whose paths are the same
    /// after Tomcat's normalisation (`"/"` and `""` are both the root; `"/jira/"` is
    /// `"/jira"`).
    /// In a template with conditionals (`{% if %}`, `<% if %>`) repeats are not judged: both
    /// branches of a conditional are in the text.
    ///
    /// ## Why is this bad?
    /// Tomcat deploys one of them and fails the other ("Child name [/jira] is not unique"),
    /// so which application answers depends on the order of the file, and a change meant for
    /// one context silently does nothing.
    ///
    /// ## Example
    /// ```xml
    /// <Host name="localhost" appBase="webapps">
    ///   <Context path="" docBase="${catalina.home}/atlassian-jira"/>
    ///   <Context path="/" docBase="/opt/old-jira"/>
    /// </Host>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Host name="localhost" appBase="webapps">
    ///   <Context path="" docBase="${catalina.home}/atlassian-jira"/>
    /// </Host>
    /// ```
    pub struct ContextPathDuplicate {
        id: "context-path-duplicate",
        severity: Error,
        scope: "context_path",
        formats: [TomcatServerXml],
    }
}

impl Rule for ContextPathDuplicate {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let mut first = HashMap::new();
        for context in cx.topology.contexts.iter().filter(|c| c.style == PathStyle::Tomcat) {
            if cx.has_template_control(context.setting.span.file) {
                continue;
            }
            let Some(path) = context.normalized() else {
                continue;
            };
            let key = (context.setting.span.file, context.host, path.clone());
            let Some(earlier) = first.get(&key) else {
                first.insert(key, context.setting.value.span);
                continue;
            };
            let shown = if path.is_empty() { "the root context".to_string() } else { format!("`{path}`") };
            sink.emit(
                context.setting.value.span,
                "second context with this path",
                format!("{shown} is declared twice in one `<Host>`"),
            )
            .related(*earlier, "first declared here")
            .help("remove one of the two `<Context>` elements");
        }
    }
}
