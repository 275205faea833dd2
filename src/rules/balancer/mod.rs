//! Rules about load balancers in front of Data Center clusters: session affinity, sticky
//! routes and health checks.

pub mod lb_health_check_not_status;
pub mod lb_session_affinity_missing;
pub mod lb_sticky_route_mismatch;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::{AppKind, Backend, Route, Topology};
use crate::source::Span;

/// A backend that balances one app's requests over two or more active servers.
pub(super) struct Balanced<'t> {
    /// The backend.
    pub backend: &'t Backend,
    /// The app its servers reach; `None` for Synchrony.
    pub app: Option<usize>,
    /// A connector of that app the routes reach.
    pub connector: Option<usize>,
    /// The first route that sends to it (`ProxyPass`, `use_backend`).
    pub route: &'t Route,
}

/// The backends that balance a linked Jira, Confluence, Bitbucket, Bamboo or Crowd app, or
/// Synchrony next to a Confluence app, over two or more active servers; one pass over the
/// routes.
pub(super) fn balanced<'t>(topology: &'t Topology<'_>) -> Vec<Balanced<'t>> {
    let mut by_backend: HashMap<usize, Vec<usize>> = HashMap::new();
    for (index, route) in topology.routes.iter().enumerate() {
        if let Some(backend) = route.backend {
            by_backend.entry(backend).or_default().push(index);
        }
    }
    let confluence = topology.apps.iter().any(|a| a.kind == AppKind::Confluence);
    let mut keys: Vec<usize> = by_backend.keys().copied().collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    for key in keys {
        let (Some(backend), Some(routes)) = (topology.backends.get(key), by_backend.get(&key)) else { continue };
        let Some(first) = routes.first().and_then(|&r| topology.routes.get(r)) else { continue };
        // Each server by address, counted once per app it reaches.
        let servers: HashMap<Span, usize> =
            backend.servers.iter().filter(|s| s.active).map(|s| (s.address, s.count)).collect();
        let mut reached: HashMap<usize, (HashSet<Span>, usize, usize)> = HashMap::new();
        let mut synchrony_servers: HashSet<Span> = HashSet::new();
        for &index in routes {
            let Some(route) = topology.routes.get(index) else { continue };
            let Some(&count) = servers.get(&route.upstream.span) else { continue };
            if route.carries_synchrony() {
                synchrony_servers.insert(route.upstream.span);
                continue;
            }
            let Some(connector) = topology.route_links.get(index).copied().flatten() else { continue };
            let Some(app) = topology.connectors.get(connector).map(|c| c.app) else { continue };
            if topology.apps.get(app).is_none_or(|a| a.kind == AppKind::Unknown) {
                continue;
            }
            let entry = reached.entry(app).or_insert_with(|| (HashSet::new(), 0, connector));
            if entry.0.insert(route.upstream.span) {
                entry.1 += count;
            }
        }
        let mut apps: Vec<(usize, usize, usize)> =
            reached.into_iter().map(|(app, (_, count, connector))| (app, count, connector)).collect();
        apps.sort_unstable();
        if let Some(&(app, _, connector)) = apps.iter().find(|(_, count, _)| *count >= 2) {
            out.push(Balanced { backend, app: Some(app), connector: Some(connector), route: first });
            continue;
        }
        let synchrony_count: usize = synchrony_servers.iter().filter_map(|s| servers.get(s)).sum();
        if confluence && synchrony_count >= 2 {
            let route =
                routes.iter().filter_map(|&r| topology.routes.get(r)).find(|r| r.carries_synchrony()).unwrap_or(first);
            out.push(Balanced { backend, app: None, connector: None, route });
        }
    }
    out
}

/// Where a finding shows a backend's servers: each active one's line, the first few.
pub(super) fn server_lines(backend: &Backend) -> impl Iterator<Item = Span> + '_ {
    backend.servers.iter().filter(|s| s.active).map(|s| s.line).take(4)
}
