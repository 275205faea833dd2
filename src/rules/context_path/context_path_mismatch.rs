//! `context-path-mismatch`: the public path, the path the proxy forwards to and the app's
//! context path do not agree.

use crate::diagnostic::Applicability;
use crate::model::url::normalized_path;
use crate::model::{PathStyle, Route, Style};
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a proxy route linked to an app where the public path (the `ProxyPass` local
    /// path, the HAProxy `path_beg` test or `redirect location` target), the path the proxy
    /// forwards to (the upstream URL's path) and the app's context path do not agree. A route
    /// to a sub-path of the context (`/jira/rest`) agrees; a route to another context of the
    /// same server (Confluence's `/synchrony-proxy`) is not judged, nor is a route that forwards
    /// the root unchanged to an app at its image's own path (Crowd's `/crowd`); an app at the
    /// root served
    /// under a path is flagged only when no route serves it at the root. In templates, a
    /// public path and a context path that are each one plain variable with different names
    /// (`{{ jira_contextpath }}` and `{{ jira_context_path }}`) are reported as a likely
    /// mismatch; other template values are not judged.
    ///
    /// ## Why is this bad?
    /// The application builds every link from its context path. When the public path
    /// differs, links point to pages that do not exist (`/secure/Dashboard.jspa` instead of
    /// `/jira/secure/Dashboard.jspa`), gadgets and the Confluence editor fail to load, and
    /// redirects loop.
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass /jira/ http://localhost:8080/
    /// ```
    /// with Jira's `<Context path="" .../>`.
    ///
    /// Use instead: `ProxyPass /jira http://localhost:8080/jira` and `<Context path="/jira" .../>`.
    pub struct ContextPathMismatch {
        id: "context-path-mismatch",
        summary: "a proxy route linked to an app where the public path (the `ProxyPass` local path, the HAProxy `path_beg` test or `redirect location` target), the path the proxy forwards to (the upstream URL's path) and the app's context path do not agree",
        severity: Error,
        scope: "context_path",
        formats: [TomcatServerXml, BitbucketProperties, Apache, Haproxy, Nginx],
    }
}

/// `/` for the root.
fn shown(path: &str) -> String {
    if path.is_empty() {
        "/".into()
    } else {
        path.into()
    }
}

/// Whether `path` is `context` or under it.
fn under(path: &str, context: &str) -> bool {
    path == context || path.strip_prefix(context).is_some_and(|rest| rest.starts_with('/'))
}

impl Rule for ContextPathMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let mut contexts_by_app: foldhash::HashMap<usize, Vec<String>> = foldhash::HashMap::default();
        for c in topology.contexts.iter().filter(|c| c.style == PathStyle::Tomcat) {
            if let Some(path) = c.normalized() {
                contexts_by_app.entry(c.app).or_default().push(path);
            }
        }
        for (index, connector) in topology.connectors.iter().enumerate() {
            let Some(app) = topology.apps.get(connector.app) else { continue };
            let (context, context_span) = match &app.context_path {
                Some(setting) => match setting.normalized() {
                    Some(path) => (path, Some(setting.setting.value.span)),
                    None => {
                        symbolic(cx, index, setting.setting.value.span, sink);
                        continue;
                    }
                },
                None => (app.default_context.unwrap_or("").to_string(), None),
            };
            // Other contexts of the same app (Confluence's `/synchrony-proxy`).
            let others: Vec<&String> = contexts_by_app
                .get(&connector.app)
                .map(|paths| paths.iter().filter(|p| **p != context && !p.is_empty()).collect())
                .unwrap_or_default();
            let routes: Vec<&Route> = topology.routes_of(index).map(|(r, _)| r).collect();
            let served_at_root = routes.iter().any(|r| normalized_path(&r.upstream.path).is_empty());
            // The routes that serve and forward one path the app is not at, by that path:
            // one finding each, however many routes (listeners, virtual hosts) carry it.
            let mut consistent: Vec<(&str, Vec<&Route>)> = Vec::new();
            let mut slot: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
            for route in &routes {
                let Some(public) = route.public.as_deref() else { continue };
                let upstream = normalized_path(&route.upstream.path);
                if others.iter().any(|o| under(&upstream, o.as_str())) {
                    continue;
                }
                // A route of the root to the root forwards every path unchanged: an app at its
                // image's own path (Crowd's `/crowd`) is reachable there as users know it.
                if public.is_empty() && upstream.is_empty() && context_span.is_none() {
                    continue;
                }
                let upstream_ok =
                    if context.is_empty() { upstream.is_empty() || served_at_root } else { under(&upstream, &context) };
                if public == upstream && upstream_ok {
                    continue;
                }
                let context_label = match context_span {
                    Some(_) => format!("context path `{}`", shown(&context)),
                    None if context.is_empty() => "no context path: the root".to_string(),
                    None => format!("context path `{}` by default", shown(&context)),
                };
                let set = |path: &str| setting_for(connector, path);
                if public == upstream {
                    let index = *slot.entry(public).or_insert_with(|| {
                        consistent.push((public, Vec::new()));
                        consistent.len() - 1
                    });
                    if let Some((_, carried)) = consistent.get_mut(index) {
                        carried.push(route);
                    }
                } else {
                    let message = format!(
                        "the proxy serves `{}` but forwards to `{}`, and the app's context path is `{}`",
                        shown(public),
                        shown(&upstream),
                        shown(&context)
                    );
                    let diagnostic = sink.emit(route.public_span, "public path", message);
                    diagnostic.related(route.upstream.span, "forwarded here");
                    diagnostic.related(context_span.unwrap_or(connector.at), context_label);
                    // The public path is the app's already: only the forwarded path is wrong.
                    let help = match public == context {
                        true => {
                            format!("forward `{}` to `{}` as it is, the app's own path", shown(public), shown(&context))
                        }
                        false => format!(
                            "serve and forward one path: `{}` with {}, or `{}` for the app as it is",
                            shown(public),
                            set(public),
                            shown(&context)
                        ),
                    };
                    diagnostic.help(help);
                }
            }
            for (public, carried) in consistent {
                // The proxy is consistent; the app is not where it sends.
                let span = context_span.unwrap_or(connector.at);
                let context_label = match context_span {
                    Some(_) => format!("context path `{}`", shown(&context)),
                    None if context.is_empty() => "no context path: the root".to_string(),
                    None => format!("context path `{}` by default", shown(&context)),
                };
                let message = format!(
                    "the proxy serves and forwards `{}`, but the app's context path is `{}`",
                    shown(public),
                    shown(&context)
                );
                let set = setting_for(connector, public);
                let diagnostic = sink.emit(span, context_label, message);
                for route in carried.iter().take(MAX_ROUTES_SHOWN) {
                    diagnostic.related(route.public_span, "public path").related(route.upstream.span, "forwarded here");
                }
                diagnostic.help(format!("set {set}, or serve the app at `{}` in the proxy", shown(&context)));
                // The setting changed, or written beside the connector's own settings.
                let edit = match app.context_path {
                    Some(c) => fixes::set_value(cx, c.setting, public),
                    None => match connector.style {
                        Style::Spring(_) => fixes::add_setting(cx, connector, "server.context-path", public),
                        Style::Env(family) => {
                            let name = crate::model::containers::setting_variable(family, "context-path");
                            (!name.is_empty()).then(|| fixes::add_setting(cx, connector, name, public)).flatten()
                        }
                        Style::Tomcat => None,
                    },
                };
                diagnostic.fix(fixes::fix(cx, format!("set {set}"), Applicability::Unsafe, edit));
            }
        }
    }
}

/// How many routes one finding points at; the rest carry the same mistake.
const MAX_ROUTES_SHOWN: usize = 8;

/// Template values: a context path and a public path that are each one plain variable, with
/// different names, are most likely the same setting spelled two ways
/// (`{{ jira_contextpath }}` in the vhost, `{{ jira_context_path }}` in server.xml).
fn symbolic(cx: &Context<'_>, connector: usize, context_span: crate::source::Span, sink: &mut Sink<'_>) {
    let Some(context_text) = cx.parsed(context_span.file).map(|f| f.source.slice(context_span)) else {
        return;
    };
    let Some(context_variable) = crate::template::single_variable(context_text) else { return };
    for (route, _) in cx.topology().routes_of(connector) {
        let Some(public_text) = route.public_symbol.as_deref() else { continue };
        let Some(public_variable) = crate::template::single_variable(public_text) else { continue };
        if public_variable == context_variable {
            continue;
        }
        sink.emit(
            route.public_span,
            "public path",
            format!(
                "the proxy serves the app at `{}` but its context path is `{}`: two different variables for one path",
                public_text.trim(),
                context_text.trim()
            ),
        )
        .related(context_span, "context path")
        .help("use one variable for the public path and the context path");
    }
}

/// How a connector's file writes a context path.
fn setting_for(connector: &crate::model::Connector<'_>, path: &str) -> String {
    match connector.style {
        Style::Spring(_) => format!("`server.context-path={path}`"),
        Style::Tomcat => format!("`<Context path=\"{path}\">`"),
        Style::Env(family) => {
            format!("`{}={path}`", crate::model::containers::setting_variable(family, "context-path"))
        }
    }
}
