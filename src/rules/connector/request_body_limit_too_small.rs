//! `request-body-limit-too-small`: a proxy's request-body limit below what the app behind it
//! accepts.

use foldhash::{HashSet, HashSetExt};

use crate::diagnostic::Applicability;
use crate::model::{AppKind, ProxyKind};
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};
use crate::source::{FileKind, Span};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a request-body limit in effect for a route to a linked application that is
    /// smaller than what the application itself accepts, so uploads fail at the proxy with
    /// 413 and the application's log shows nothing. For nginx: the `client_max_body_size`
    /// in effect where the `proxy_pass` stands (`location`, then `server`, then `http`), or
    /// nginx's default of 1m where none is set. For HAProxy: an `http-request deny`,
    /// `return` or `tarpit` in the route's frontend or backend whose condition is only a
    /// size test (`{ req.body_size gt N }`, `{ req.hdr_val(content-length) ge N }`, or one
    /// ACL of such tests), with no `http-request allow` before it that could exempt the
    /// app's paths. Apache is not judged: `LimitRequestBody` does not limit a body that
    /// mod_proxy streams to the backend. The application's limit: Jira 10 MiB and
    /// Confluence 100 MiB (their default attachment maximum), Bitbucket its
    /// `attachment.upload.max.size` when the scanned `bitbucket.properties` sets one, else
    /// 10 MiB, Bamboo and Crowd 10 MiB; `min-request-body` in the config file (bytes) sets
    /// one size for every application instead. `0` (no limit) and template values are not
    /// judged, nor limits on routes that reach no scanned application.
    ///
    /// ## Why is this bad?
    /// Attachments, imports, avatars and Bitbucket's file uploads larger than the limit are
    /// refused by the proxy with "413 Request Entity Too Large"; users see a failed upload and
    /// administrators find nothing in the application's logs.
    ///
    /// ## Example
    /// ```nginx
    /// location /confluence {
    ///     proxy_pass http://localhost:8090/confluence;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location /confluence {
    ///     client_max_body_size 100m;
    ///     proxy_pass http://localhost:8090/confluence;
    /// }
    /// ```
    ///
    /// ## References
    /// - Atlassian's Helm charts raised their ingress body limit from 10m to 250m
    ///   (data-center-helm-charts#140).
    pub struct RequestBodyLimitTooSmall {
        id: "request-body-limit-too-small",
        summary: "a request-body limit in effect for a route to a linked app (nginx `client_max_body_size`, 1m by default; HAProxy `http-request deny if { req.body_size gt N }`) that is smaller than what the app accepts",
        severity: Warning,
        scope: "connector",
        formats: [Nginx, Haproxy],
    }
}

/// 10 MiB, the default attachment maximum of Jira (and what Bitbucket, Bamboo and Crowd
/// are held to).
const TEN_MIB: u64 = 10 << 20;

impl Rule for RequestBodyLimitTooSmall {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        // One finding a limit (or a `proxy_pass` under the default), however many routes.
        let mut reported: HashSet<Span> = HashSet::new();
        for (index, route) in topology.routes.iter().enumerate() {
            let (limit, set, haproxy) = match (route.nginx, route.haproxy) {
                (Some(nginx), _) => (nginx.body_limit.0, nginx.body_limit.1, false),
                (None, Some(details)) => match details.body_limit {
                    Some((bytes, line)) => (bytes, Some(line), true),
                    None => continue,
                },
                (None, None) => continue,
            };
            let Some(connector) = topology.route_links.get(index).copied().flatten() else { continue };
            let Some(app) = topology.connectors.get(connector).and_then(|c| topology.apps.get(c.app)) else { continue };
            let (needed, why) = match app.kind {
                AppKind::Confluence => (100 << 20, "Confluence's default attachment maximum".to_string()),
                AppKind::Bitbucket => match bitbucket_limit(cx, app.file) {
                    Some(bytes) => (bytes, "its `attachment.upload.max.size`".to_string()),
                    None => (TEN_MIB, "Bitbucket's default attachment maximum".to_string()),
                },
                AppKind::Unknown => continue,
                kind => (TEN_MIB, format!("{}'s default attachment maximum", kind.name())),
            };
            let (needed, why) = match cx.settings.min_request_body() {
                Some(bytes) => (bytes, "`min-request-body` in the config file".to_string()),
                None => (needed, why),
            };
            if limit == 0 || limit >= needed || !reported.insert(set.unwrap_or(route.at)) {
                continue;
            }
            let shown = |bytes: u64| match bytes {
                b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
                b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
                b => format!("{b} bytes"),
            };
            let product = app.kind.name();
            if haproxy {
                let Some(span) = set else { continue };
                // `ge 1048576` lets 1048575 bytes through: say "of 1 MiB and more".
                let refused = match limit.checked_add(1).filter(|b| b % (1 << 10) == 0) {
                    Some(from) => format!("of {} and more", shown(from)),
                    None => format!("above {}", shown(limit)),
                };
                let message = format!(
                    "this `http-request` rule refuses request bodies {refused} on a route to {product}, which accepts {} ({why}): larger uploads fail at the proxy and the app's log shows nothing",
                    shown(needed)
                );
                sink.emit(span, "limit too small", message)
                    .related(route.at, "the route")
                    .help(format!("raise the size in the condition to {needed} or more, or exempt the app's paths"));
                continue;
            }
            let megabytes = needed.div_ceil(1 << 20);
            let frontend = topology.frontends.get(route.frontend);
            if let Some(frontend) = frontend.filter(|f| f.kind == ProxyKind::Ingress) {
                let chart = cx.parsed(frontend.at.file).is_some_and(|p| matches!(p.tree, Tree::HelmValues(_)));
                let advice = match chart {
                    true => format!(
                        "set `nginx.ingress.kubernetes.io/proxy-body-size: {megabytes}m` (the chart's `ingress.maxBodySize`) or higher"
                    ),
                    false => format!(
                        "annotate the Ingress with `nginx.ingress.kubernetes.io/proxy-body-size: {megabytes}m` or higher"
                    ),
                };
                let (span, label, said) = match set {
                    Some(span) => {
                        (span, "limit too small", format!("the Ingress's `proxy-body-size` allows {}", shown(limit)))
                    }
                    None => (
                        route.at,
                        "1 MiB default",
                        "ingress-nginx's default `proxy-body-size` of 1 MiB applies".to_string(),
                    ),
                };
                let message = format!(
                    "{said} on a route to {product}, which accepts {} ({why}): larger uploads fail with 413 at the Ingress",
                    shown(needed)
                );
                sink.emit(span, label, message).related(route.at, "the route").help(advice);
                continue;
            }
            let advice = format!("set `client_max_body_size {megabytes}m;` here (or higher)");
            match set {
                Some(span) => {
                    let message = format!(
                        "`client_max_body_size` allows {} on a route to {product}, which accepts {} ({why}): larger uploads fail with 413 at the proxy",
                        shown(limit),
                        shown(needed)
                    );
                    // The directive rewritten with the size the app accepts.
                    let directive = cx.parsed(span.file).and_then(|p| p.source.text().get(span.start()..span.end()));
                    let edit = directive.filter(|d| d.starts_with("client_max_body_size")).and_then(|d| {
                        let end = if d.ends_with(';') { ";" } else { "" };
                        fixes::replace(cx, span, format!("client_max_body_size {megabytes}m{end}"))
                    });
                    let description = format!("set `client_max_body_size {megabytes}m;`");
                    let fix = fixes::fix(cx, description, Applicability::Unsafe, edit);
                    sink.emit(span, "limit too small", message).related(route.at, "the route").help(advice).fix(fix);
                }
                None => {
                    let message = format!(
                        "nginx's default `client_max_body_size` of 1 MiB applies on this route to {product}, which accepts {} ({why}): larger uploads fail with 413 at the proxy",
                        shown(needed)
                    );
                    // Written below the `proxy_pass`, in its `location`.
                    let nginx = cx.parsed(route.at.file).is_some_and(|p| p.source.kind() == Some(FileKind::Nginx));
                    let edit = nginx
                        .then(|| {
                            fixes::line_after(cx, route.at, |indent| {
                                Some(format!("{indent}client_max_body_size {megabytes}m;"))
                            })
                        })
                        .flatten();
                    let description = format!("add `client_max_body_size {megabytes}m;` below the `proxy_pass`");
                    let fix = fixes::fix(cx, description, Applicability::Unsafe, edit);
                    sink.emit(route.at, "1 MiB default", message)
                        .help(format!("{advice}, in the `location` or the `server`"))
                        .fix(fix);
                }
            }
        }
    }
}

/// The `attachment.upload.max.size` a Bitbucket configuration sets, in bytes.
fn bitbucket_limit(cx: &Context<'_>, file: crate::source::FileId) -> Option<u64> {
    let Tree::Properties(props) = &cx.parsed(file)?.tree else { return None };
    props.get("attachment.upload.max.size")?.value.known()?.trim().parse().ok()
}
