//! Traefik in a compose stack: its entry points from the Traefik service's `command:`
//! (`--entrypoints.websecure.address=:443`), and a frontend and a route for each router the
//! other services declare in their labels (`traefik.http.routers.jira.rule=Host(...)`,
//! Traefik 2 and 3; Traefik 1's `traefik.frontend.rule` and `traefik.port`). Traefik's
//! own files add the same: entry points from the static configuration, and the routers of
//! the dynamic configuration with the services (load balancers) and middlewares they name.

use std::sync::Arc;

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::{Affinity, Backend, Frontend, ProxyKind, Route, Topology, Upstream};
use crate::source::{SourceFile, Span};
use crate::syntax::compose::{Compose, Service};
use crate::syntax::traefik::{LoadBalancer, Middleware, Router, Traefik};
use crate::syntax::{Parsed, Setting, Tree};

/// An entry point: its port, and whether TLS is switched on for all its routers.
#[derive(Clone, Copy, Debug)]
struct EntryPoint {
    port: Option<u16>,
    tls: Option<Span>,
    /// `forwardedHeaders.insecure`: clients' `X-Forwarded-*` headers are passed on.
    trusts_clients: Option<Span>,
}

/// Adds the routers the services of a compose file declare, when a service of the file
/// runs Traefik.
pub(super) fn add<'a>(topology: &mut Topology<'a>, source: &'a SourceFile, compose: &'a Compose<'a>) {
    let traefik = compose.services.iter().find(|s| s.runs_traefik());
    let Some(traefik) = traefik else { return };
    let entry_points = entry_points(traefik);
    for service in compose.services.iter().filter(|s| !std::ptr::eq(*s, traefik)) {
        let labels: HashMap<String, &Setting<'_>> =
            service.labels.iter().map(|l| (l.name.to_ascii_lowercase(), l)).collect();
        let enabled = labels.get("traefik.enable").and_then(|s| s.value.known());
        if enabled.is_some_and(|v| v.trim().eq_ignore_ascii_case("false")) {
            continue;
        }
        for (router, rule) in routers(&labels) {
            add_router(topology, source, service, &labels, &entry_points, &router, rule);
        }
    }
}

/// `--entrypoints.NAME.address=:PORT` and `--entrypoints.NAME.http.tls=true` (or a
/// certificate resolver) in the Traefik service's command; the names lower case, in order
/// (so that which one is said to end TLS is the same from run to run).
fn entry_points(traefik: &Service<'_>) -> BTreeMap<String, EntryPoint> {
    let mut out: BTreeMap<String, EntryPoint> = BTreeMap::new();
    for arg in &traefik.command {
        let Some(text) = arg.known() else { continue };
        // A flag without a value is `true` (`--entrypoints.web.forwardedheaders.insecure`).
        let flag = text.trim_start_matches('-');
        let (key, value) = flag.split_once('=').unwrap_or((flag, "true"));
        let key = key.to_ascii_lowercase();
        let Some(rest) = key.strip_prefix("entrypoints.") else { continue };
        let Some((name, setting)) = rest.split_once('.') else { continue };
        let entry = out.entry(name.to_string()).or_insert(EntryPoint { port: None, tls: None, trusts_clients: None });
        match setting {
            "address" => entry.port = crate::syntax::traefik::address_port(value),
            "http.tls" if value.trim().eq_ignore_ascii_case("true") => entry.tls = Some(arg.span),
            "http.tls.certresolver" => entry.tls = Some(arg.span),
            "forwardedheaders.insecure" if value.trim().eq_ignore_ascii_case("true") => {
                entry.trusts_clients = Some(arg.span)
            }
            _ => {}
        }
    }
    out
}

/// Each router a service's labels declare, with its rule: Traefik 2 and 3 name it
/// (`traefik.http.routers.NAME.rule`), Traefik 1 has one (`traefik.frontend.rule`).
fn routers<'l, 'a>(labels: &HashMap<String, &'l Setting<'a>>) -> Vec<(String, &'l Setting<'a>)> {
    let mut out: Vec<(String, &Setting<'_>)> = labels
        .iter()
        .filter_map(|(name, setting)| {
            let router = name.strip_prefix("traefik.http.routers.")?.strip_suffix(".rule")?;
            Some((router.to_string(), *setting))
        })
        .collect();
    if let Some(rule) = labels.get("traefik.frontend.rule") {
        out.push((String::new(), *rule));
    }
    out.sort_by_key(|(_, s)| s.span.start());
    out
}

fn add_router<'a>(
    topology: &mut Topology<'a>,
    source: &'a SourceFile,
    service: &Service<'_>,
    labels: &HashMap<String, &Setting<'_>>,
    entry_points: &BTreeMap<String, EntryPoint>,
    router: &str,
    rule: &Setting<'_>,
) {
    let label = |key: &str| labels.get(&format!("traefik.http.routers.{router}.{key}")).copied();
    let v1 = router.is_empty();
    // Traefik's own services (the dashboard's `api@internal`) are not the app's.
    if label("service").and_then(|s| s.value.known()).is_some_and(|s| s.ends_with("@internal")) {
        return;
    }
    // The entry points it listens on: those named, else every one.
    let named: Vec<String> = label("entrypoints")
        .and_then(|s| s.value.known())
        .map(|v| v.split(',').map(|e| e.trim().to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let router_tls = ["tls", "tls.certresolver"]
        .iter()
        .filter_map(|k| label(k))
        .find(|s| !s.name.ends_with(".tls") || s.value.known().is_some_and(|v| v.trim() == "true"))
        .map(|s| s.span);
    let on = listening(entry_points, &named, router_tls);
    let Some(text) = rule.value.known() else { return };
    let public = matcher_args(text, "PathPrefix").into_iter().next().unwrap_or_default();
    // The service's port: its load balancer's label, Traefik 1's `traefik.port`, else
    // the image's HTTP port (Traefik takes the one port a container exposes).
    let service_name = label("service").and_then(|s| s.value.known()).unwrap_or(router).to_ascii_lowercase();
    let port_label = match v1 {
        true => labels.get("traefik.port").copied(),
        false => labels.get(&format!("traefik.http.services.{service_name}.loadbalancer.server.port")).copied(),
    };
    let image_port =
        service.image.as_ref().and_then(|i| i.known()).and_then(super::containers::product).map(|p| p.port);
    let upstream_port = port_label.and_then(|s| s.value.known()).and_then(|v| v.trim().parse().ok()).or(image_port);
    let compression = label("middlewares").and_then(|m| {
        let names = m.value.known()?;
        names.split(',').find_map(|name| {
            let name = name.trim().trim_end_matches("@docker").to_ascii_lowercase();
            labels.get(&format!("traefik.http.middlewares.{name}.compress")).map(|s| s.span)
        })
    });
    let preserve_host = labels
        .get(&format!("traefik.http.services.{service_name}.loadbalancer.passhostheader"))
        .and_then(|s| s.value.known())
        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
    let label = if v1 { format!("{}'s Traefik frontend", service.name) } else { format!("Traefik router {router}") };
    let public: Arc<str> = super::url::normalized_path(&public).into();
    // Traefik passes the path on unchanged unless a middleware strips it.
    let upstream = Upstream {
        scheme: "http".into(),
        host: service.name.to_ascii_lowercase().into(),
        port: upstream_port,
        port_variable: None,
        path: Arc::clone(&public),
        span: port_label.map_or(rule.span, |s| s.value.span),
    };
    let route = RouterRoute { label, public, upstream, preserve_host, compression, backend: None };
    push_router(topology, source, rule, &on, route);
}

/// The entry points, services and middlewares of every Traefik file of the run, by name.
struct Files<'t> {
    entry_points: BTreeMap<&'t str, EntryPoint>,
    services: HashMap<&'t str, &'t LoadBalancer>,
    middlewares: HashMap<&'t str, &'t Middleware>,
    backends: HashMap<&'t str, usize>,
}

/// Adds the routers of Traefik's dynamic configuration files, with the entry points of
/// its static one (the file provider's routers use them; a run with none has them
/// unknown: a router with TLS is taken on 443, one without on 80).
pub(super) fn add_files<'a>(topology: &mut Topology<'a>, files: &'a [Parsed<'a>]) {
    let configs: Vec<(&'a SourceFile, &'a Traefik<'a>)> = files
        .iter()
        .filter_map(|p| match &p.tree {
            Tree::Traefik(config) => Some((p.source, config)),
            _ => None,
        })
        .collect();
    if configs.is_empty() {
        return;
    }
    let mut joined = Files {
        entry_points: BTreeMap::new(),
        services: HashMap::new(),
        middlewares: HashMap::new(),
        backends: HashMap::new(),
    };
    for (_, config) in &configs {
        for point in &config.entry_points {
            let entry = EntryPoint { port: point.port, tls: point.tls, trusts_clients: point.trusts_clients };
            joined.entry_points.insert(point.name.as_str(), entry);
        }
        joined.services.extend(config.services.iter().map(|s| (s.name.as_str(), s)));
        joined.middlewares.extend(config.middlewares.iter().map(|m| (m.name.as_str(), m)));
    }
    for (source, config) in &configs {
        for router in &config.routers {
            add_file_router(topology, source, router, &mut joined);
        }
    }
}

fn add_file_router<'a, 't>(
    topology: &mut Topology<'a>,
    source: &'a SourceFile,
    router: &'t Router<'_>,
    files: &mut Files<'t>,
) {
    let service_name = router.service.as_deref().unwrap_or(&router.name);
    // Traefik's own services (the dashboard's `api@internal`) are not the app's.
    if service_name.ends_with("@internal") {
        return;
    }
    let Some(&service) = files.services.get(service_name) else { return };
    let Some((url, url_span)) = service.servers.first() else { return };
    let Some(mut upstream) = super::url::parse_url(url, *url_span) else { return };
    let on = listening(&files.entry_points, &router.entry_points, router.tls);
    let Some(text) = router.rule.value.known() else { return };
    // Traefik 1's `PathPrefixStrip:/jira` matches the prefix and takes it off.
    let strip_1 = matcher_args(text, "PathPrefixStrip").into_iter().next();
    let prefix = strip_1.clone().or_else(|| matcher_args(text, "PathPrefix").into_iter().next());
    let public = super::url::normalized_path(&prefix.unwrap_or_default());
    let middlewares: Vec<&Middleware> =
        router.middlewares.iter().filter_map(|m| files.middlewares.get(m.as_str()).copied()).collect();
    // A `stripPrefix` middleware takes the public prefix off before the app sees the path.
    let strip_prefixes = middlewares.iter().flat_map(|m| &m.strip_prefixes).chain(&strip_1);
    let stripped = strip_prefixes.into_iter().find_map(|prefix| {
        let prefix = super::url::normalized_path(prefix);
        public.strip_prefix(prefix.as_str()).filter(|_| !prefix.is_empty()).map(|rest| format!("/{rest}"))
    });
    let backend = *files.backends.entry(service_name).or_insert_with(|| {
        // Its servers as one pool, reached at the first one's URL (where each route to
        // them is said to be forwarded).
        let name = format!("Traefik service `{}`", service.name);
        let nodes = (service.servers.len(), *url_span, *url_span);
        let cookie = service.sticky.as_ref().map(|(name, span)| (name.clone(), *span));
        let affinity = Affinity { cookie, ..Affinity::default() };
        topology.backends.push(Backend::pool(ProxyKind::Traefik, name, service.at, nodes, affinity));
        topology.backends.len() - 1
    });
    let public: Arc<str> = public.into();
    upstream.path = stripped.map_or_else(|| Arc::clone(&public), |path| super::url::normalized_path(&path).into());
    let route = RouterRoute {
        label: format!("Traefik router {}", router.name),
        public,
        upstream,
        preserve_host: router.passes_host.unwrap_or(!service.host_dropped),
        compression: middlewares.iter().find_map(|m| m.compress),
        backend: Some(backend),
    };
    push_router(topology, source, &router.rule, &on, route);
}

/// Where a router listens: TLS (the router's own, else an entry point's), the port (the
/// one entry point's, else 443 with TLS and 80 without), and an entry point's trust in
/// clients' forwarded headers. It listens on the entry points named, else on every one.
struct Listening {
    tls: Option<Span>,
    port: Option<u16>,
    trusts_clients: Option<Span>,
}

fn listening<K: std::borrow::Borrow<str> + Ord>(
    entry_points: &BTreeMap<K, EntryPoint>,
    named: &[String],
    router_tls: Option<Span>,
) -> Listening {
    let on: Vec<EntryPoint> = match named.is_empty() {
        true => entry_points.values().copied().collect(),
        false => named.iter().filter_map(|n| entry_points.get(n.as_str()).copied()).collect(),
    };
    let tls = router_tls.or_else(|| on.iter().find_map(|e| e.tls));
    let port = match (tls, on.iter().find_map(|e| e.port)) {
        (_, Some(port)) if on.len() == 1 => Some(port),
        (Some(_), _) => Some(443),
        (None, _) => Some(80),
    };
    Listening { tls, port, trusts_clients: on.iter().find_map(|e| e.trusts_clients) }
}

/// A router as a frontend and its route: `at` is its rule, `public` the path it matches.
struct RouterRoute {
    label: String,
    public: Arc<str>,
    upstream: Upstream,
    preserve_host: bool,
    compression: Option<Span>,
    backend: Option<usize>,
}

fn push_router<'a>(
    topology: &mut Topology<'a>,
    source: &'a SourceFile,
    rule: &Setting<'_>,
    on: &Listening,
    route: RouterRoute,
) {
    let Some(text) = rule.value.known() else { return };
    let hosts: Vec<(String, Span)> = matcher_args(text, "Host").into_iter().map(|h| (h, rule.value.span)).collect();
    let frontend = topology.frontends.len();
    topology.trusting_frontends.extend(on.trusts_clients.map(|at| (frontend, at)));
    topology.frontends.push(Frontend {
        path: source.path(),
        kind: ProxyKind::Traefik,
        label: route.label,
        at: rule.span,
        port: on.port,
        port_span: rule.span,
        tls: on.tls,
    });
    topology.routes.push(Route {
        frontend,
        at: rule.span,
        public: Some(route.public),
        public_span: rule.value.span,
        public_symbol: None,
        hosts: hosts.into(),
        upstream: route.upstream,
        preserve_host: route.preserve_host,
        compression: route.compression,
        websocket: true,
        haproxy: None,
        nginx: None,
        backend: route.backend,
    });
}

/// The arguments of a rule's matchers of one name: ``Host(`a`, `b`)``, `Host:a,b` (1.x).
fn matcher_args(rule: &str, matcher: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = rule;
    while let Some(at) = rest.find(matcher) {
        let after = rest.get(at + matcher.len()..).unwrap_or("");
        rest = after;
        // Each matcher's arguments end at the first `)` (or `;`): the search goes on after
        // it, and a rule with none left is done, so no byte is scanned twice for them.
        if let Some(args) = after.strip_prefix('(') {
            let Some(close) = args.find(')') else { break };
            let inner = args.get(..close).unwrap_or("");
            out.extend(inner.split(',').map(|a| a.trim().trim_matches(['`', '"', '\'']).to_string()));
            rest = args.get(close..).unwrap_or("");
        } else if let Some(args) = after.strip_prefix(':') {
            let end = args.find(';').unwrap_or(args.len());
            let inner = args.get(..end).unwrap_or("");
            out.extend(inner.split(',').map(|a| a.trim().to_string()));
            rest = args.get(end..).unwrap_or("");
        }
    }
    out.retain(|a| !a.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::matcher_args;

    #[test]
    fn rules_name_their_hosts_and_paths() {
        let rule = "Host(`jira.example.com`) && PathPrefix(`/jira`)";
        assert_eq!(matcher_args(rule, "Host"), ["jira.example.com"]);
        assert_eq!(matcher_args(rule, "PathPrefix"), ["/jira"]);
        assert_eq!(matcher_args("Host:a.example.com,b.example.com", "Host"), ["a.example.com", "b.example.com"]);
        assert!(matcher_args("HostRegexp(`{host:.+}`)", "PathPrefix").is_empty());
    }
}
