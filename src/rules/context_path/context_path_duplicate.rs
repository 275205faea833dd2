//! `context-path-duplicate`: two live `<Context>` elements with one path in one `<Host>`.

use foldhash::{HashMap, HashMapExt};

use crate::model::PathStyle;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags two live `<Context>` elements in the same `<Host>` whose paths are the same
    /// after Tomcat's normalisation (`"/"` and `""` are both the root; `"/jira/"` is
    /// `"/jira"`), an Apache virtual host that sends the same public path to two
    /// different upstreams with `ProxyPass`, and an HAProxy frontend whose rules send the
    /// same path (for the same host names) to two different backends.
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
        summary: "two live `<Context>` elements in the same `<Host>` whose paths are the same after Tomcat's normalisation (`\"/\"` and `\"\"` are both the root; `\"/jira/\"` is `\"/jira\"`), an Apache virtual host that sends the same public path to two different upstreams with `ProxyPass`, and an HAProxy frontend whose rules send the same path (for the same host names) to two different backends",
        severity: Error,
        scope: "context_path",
        formats: [Apache, Haproxy, TomcatServerXml, Nginx],
    }
}

impl Rule for ContextPathDuplicate {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        apache(cx, sink);
        haproxy(cx, sink);
        let mut first = HashMap::new();
        for context in cx.topology().contexts.iter().filter(|c| c.style == PathStyle::Tomcat) {
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

/// Apache: one virtual host sending the same public path to two different upstreams.
fn apache(cx: &Context<'_>, sink: &mut Sink<'_>) {
    use crate::model::apache::Target;
    use crate::model::url::trimmed;
    use crate::rules::queries::apache_configs_with_passes;
    for (_, passes) in apache_configs_with_passes(cx) {
        let mut first = HashMap::new();
        for pass in passes.iter().filter(|p| !p.reverse) {
            let Target::Url(url) = pass.target else { continue };
            let key = (pass.vhost, trimmed(pass.local.0));
            let Some(&(earlier_url, earlier_span)) = first.get(&key) else {
                first.insert(key, (url.text, pass.local.1));
                continue;
            };
            if trimmed(earlier_url) == trimmed(url.text) {
                continue;
            }
            let message = format!(
                "`{}` is proxied twice in one virtual host: to `{earlier_url}` and to `{}`",
                pass.local.0, url.text
            );
            sink.emit(pass.local.1, "second upstream for this path", message)
                .related(earlier_span, "first upstream for this path")
                .help("keep one `ProxyPass` for the path; the first one wins");
        }
    }
}

/// HAProxy: one frontend sending the same public path (for the same host names) to two
/// different backends; the first rule wins.
fn haproxy(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let mut first: HashMap<(usize, &str, Vec<&str>), (crate::source::Span, crate::source::Span)> = HashMap::new();
    let mut reported = foldhash::HashSet::default();
    for route in &cx.topology().routes {
        let (Some(haproxy), Some(public)) = (route.haproxy, route.public.as_ref()) else { continue };
        let mut hosts: Vec<&str> = route.hosts.iter().map(|(h, _)| h.as_str()).collect();
        hosts.sort_unstable();
        let key = (route.frontend, public.as_ref(), hosts);
        let Some(&(earlier_at, earlier_backend)) = first.get(&key) else {
            first.insert(key, (route.at, haproxy.backend_header));
            continue;
        };
        if earlier_at == route.at || earlier_backend == haproxy.backend_header || !reported.insert(route.at) {
            continue;
        }
        let shown = if public.is_empty() { "/".to_string() } else { public.to_string() };
        sink.emit(route.at, "never used", format!("`{shown}` already goes to another backend in this frontend"))
            .related(earlier_at, "this rule wins")
            .help("remove one of the two rules, or tell them apart by host");
    }
}
