//! Links each route to the connector it reaches, by upstream port, context path and
//! directory.

use foldhash::{HashMap, HashMapExt};
use std::path::PathBuf;
use std::sync::Arc;

use super::{url, AppKind, ContextPath, Route, Topology, BITBUCKET_SSH_PORT, MESH_PORT, SYNCHRONY_PORT};

/// Links each route to the connector listening on its upstream port: the only one, else
/// the one whose context path is the upstream path, else the nearest in the directory
/// tree; no link while the choice is ambiguous. Hash-map joins: linear in routes and
/// connectors (times the depth of their directories).
pub(super) fn link(topology: &mut Topology<'_>) {
    topology.companion_ports.extend([SYNCHRONY_PORT, MESH_PORT]);
    topology.companion_ports.extend(topology.ssh_ports.iter().copied());
    if topology.ssh_ports.is_empty() || topology.apps.iter().any(|a| a.kind == AppKind::Bitbucket) {
        topology.companion_ports.push(BITBUCKET_SSH_PORT);
    }
    let candidates = Candidates::new(topology);
    let links: Vec<Option<usize>> = topology.routes.iter().map(|route| candidates.choose(topology, route)).collect();
    topology.connector_links = vec![Vec::new(); topology.connectors.len()];
    for (route, connector) in links.iter().enumerate() {
        if let Some(linked) = connector.and_then(|c| topology.connector_links.get_mut(c)) {
            linked.push(route);
        }
    }
    topology.route_links = links;
}

/// How many connectors (and the first of them) a key selects: port, context path and
/// directory, the last two by their number in [`Candidates`]'s tables. A connector is
/// counted under every directory above it.
type Tally = HashMap<(u16, Option<u32>, Option<u32>), (usize, usize)>;

/// HTTP connectors by port, by port and context path, and by those under each directory;
/// context paths and directories numbered once, so that keys are small and exact.
struct Candidates {
    tally: Tally,
    /// HTTP connectors whose port is a template variable, by the variable: how many, and the
    /// first.
    by_variable: HashMap<Arc<str>, (usize, usize)>,
    contexts: HashMap<String, u32>,
    dirs: HashMap<PathBuf, u32>,
}

/// The number of `key` in `table`, a new one when it has none.
fn number<K: std::hash::Hash + Eq>(table: &mut HashMap<K, u32>, key: K) -> u32 {
    let next = u32::try_from(table.len()).unwrap_or(u32::MAX);
    *table.entry(key).or_insert(next)
}

impl Candidates {
    fn new(topology: &Topology<'_>) -> Self {
        let mut tally: Tally = HashMap::new();
        let (mut context_numbers, mut dirs) = (HashMap::new(), HashMap::new());
        let mut add = |key, index| {
            let entry = tally.entry(key).or_insert((0, index));
            entry.0 += 1;
        };
        let mut by_variable: HashMap<Arc<str>, (usize, usize)> = HashMap::new();
        for (index, connector) in topology.connectors.iter().enumerate() {
            if let (false, None, Some(variable)) = (connector.ajp, connector.port_number(), &connector.port_variable) {
                by_variable.entry(Arc::clone(variable)).or_insert((0, index)).0 += 1;
            }
            let (false, Some(port)) = (connector.ajp, connector.port_number()) else { continue };
            let Some(app) = topology.apps.get(connector.app) else { continue };
            let default = || Some(app.default_context.unwrap_or("").to_string());
            let context = app.context_path.as_ref().map_or_else(default, ContextPath::normalized);
            let contexts = [Some(None), context.map(Some)].into_iter().flatten();
            for context in contexts {
                let context = context.map(|c| number(&mut context_numbers, c));
                add((port, context, None), index);
                for dir in app.path.ancestors().skip(1) {
                    add((port, context, Some(number(&mut dirs, dir.to_path_buf()))), index);
                }
            }
        }
        Candidates { tally, by_variable, contexts: context_numbers, dirs }
    }

    fn one(&self, key: &(u16, Option<u32>, Option<u32>)) -> Option<Result<usize, usize>> {
        self.tally.get(key).map(|&(count, first)| if count == 1 { Ok(first) } else { Err(count) })
    }

    fn choose(&self, topology: &Topology<'_>, route: &Route) -> Option<usize> {
        if !matches!(&*route.upstream.scheme, "http" | "https" | "ws" | "wss") {
            return None;
        }
        // A port only known at deployment time is the port of the one connector whose port
        // is written as the same variable.
        if let Some(services) = topology.container_hosts.get(&*route.upstream.host) {
            return by_container(topology, route, services);
        }
        let Some(port) = route.upstream.port else {
            let variable = route.upstream.port_variable.as_ref()?;
            return self.by_variable.get(variable).filter(|(count, _)| *count == 1).map(|(_, first)| *first);
        };
        if let Ok(only) = self.one(&(port, None, None))? {
            return Some(only);
        }
        // A context path or directory no connector has selects none.
        let upstream = self.contexts.get(&url::normalized_path(&route.upstream.path)).copied();
        let context = match upstream.and_then(|upstream| self.one(&(port, Some(upstream), None))) {
            Some(Ok(only)) => return Some(only),
            Some(Err(_)) => upstream,
            None => None,
        };
        let from = topology.frontends.get(route.frontend)?.path;
        let dirs = from.ancestors().skip(1).filter_map(|dir| self.dirs.get(dir));
        dirs.map(|&dir| self.one(&(port, context, Some(dir)))).find(Option::is_some).flatten()?.ok()
    }
}

/// The connector of the compose service a route's upstream host names, on the route's port:
/// of several services of that name (one per compose file), the one nearest the proxy's
/// file in the directory tree.
fn by_container(topology: &Topology<'_>, route: &Route, services: &[Option<usize>]) -> Option<usize> {
    let port = route.upstream.port?;
    let host = route.upstream.host.to_string();
    let port = topology.container_ports.get(&(host, port)).copied().unwrap_or(port);
    let listening = services.iter().flatten().copied().filter(|&c| {
        topology.connectors.get(c).is_some_and(|connector| !connector.ajp && connector.port_number() == Some(port))
    });
    let from = topology.frontends.get(route.frontend)?.path;
    // A proxy whose configuration a compose service mounts reaches that file's services
    // first; stacks of several files share a network, so the others are next.
    let projects: Vec<crate::source::FileId> =
        topology.container_mounts.iter().filter(|(path, _)| from.starts_with(path)).map(|(_, file)| *file).collect();
    let listening: Vec<usize> = listening.collect();
    let in_project: Vec<usize> = listening
        .iter()
        .copied()
        .filter(|c| topology.connectors.get(*c).is_some_and(|connector| projects.contains(&connector.file)))
        .collect();
    let listening = if in_project.is_empty() { listening } else { in_project };
    // A chart's Ingress reaches the app of its own values file.
    let frontend_file = topology.frontends.get(route.frontend).map(|f| f.at.file);
    let own: Vec<usize> = listening
        .iter()
        .copied()
        .filter(|c| topology.connectors.get(*c).is_some_and(|connector| Some(connector.file) == frontend_file))
        .collect();
    let listening = if own.is_empty() { listening } else { own };
    let shared = |c: usize| {
        let app = topology.connectors.get(c).and_then(|c| topology.apps.get(c.app));
        app.map_or(0, |app| app.path.ancestors().skip(1).filter(|dir| from.starts_with(dir)).count())
    };
    let scored: Vec<(usize, usize)> = listening.into_iter().map(|c| (shared(c), c)).collect();
    let best = scored.iter().map(|&(score, _)| score).max()?;
    let nearest: Vec<usize> = scored.iter().filter(|&&(score, _)| score == best).map(|&(_, c)| c).collect();
    // Alternative stacks of one project (`docker-compose.yml`, `docker-compose_full.yml`)
    // that configure the app alike: whichever runs, the route meets the same connector.
    let first = *nearest.first()?;
    let alike = |c: &usize| {
        topology.connectors.get(*c).zip(topology.connectors.get(first)).is_some_and(|(a, b)| same(topology, a, b))
    };
    (nearest.len() == 1 || nearest.iter().all(alike)).then_some(first)
}

/// Whether two image connectors say the same in everything a route is judged on: the
/// product, context path, port, scheme, secure flag and proxy name and port.
fn same(topology: &Topology<'_>, a: &super::Connector<'_>, b: &super::Connector<'_>) -> bool {
    use super::Field;
    let app = |c: &super::Connector<'_>| topology.apps.get(c.app);
    let context = |c: &super::Connector<'_>| app(c).and_then(|a| a.context_path.as_ref()).map(ContextPath::normalized);
    let value =
        |c: &super::Connector<'_>, field: Field| c.get(field).map(|s| (s.value.unknown, s.value.text.to_string()));
    let fields = [Field::Port, Field::Scheme, Field::Secure, Field::ProxyName, Field::ProxyPort];
    matches!(a.style, super::Style::Env(_))
        && a.style == b.style
        && app(a).map(|x| x.kind) == app(b).map(|x| x.kind)
        && context(a) == context(b)
        && a.port_number() == b.port_number()
        && fields.iter().all(|&field| value(a, field) == value(b, field))
}
