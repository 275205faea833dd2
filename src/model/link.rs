//! Links each route to the connector it reaches, by upstream port, context path and
//! directory.

use foldhash::{HashMap, HashMapExt};

use super::{routes, AppKind, ContextPath, Route, Topology, BITBUCKET_SSH_PORT, MESH_PORT, SYNCHRONY_PORT};

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

/// How many connectors (and the first of them) a key selects.
/// Keys hold digests of the context path and the directory, not copies of them: a
/// connector is counted under every directory above it.
type Tally = HashMap<(u16, Option<u64>, Option<u64>), (usize, usize)>;

fn digest(value: &(impl std::hash::Hash + ?Sized)) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// HTTP connectors by port, by port and context path, and by those under each directory.
struct Candidates {
    tally: Tally,
}

impl Candidates {
    fn new(topology: &Topology<'_>) -> Self {
        let mut tally: Tally = HashMap::new();
        let mut add = |key, index| {
            let entry = tally.entry(key).or_insert((0, index));
            entry.0 += 1;
        };
        for (index, connector) in topology.connectors.iter().enumerate() {
            let (false, Some(port)) = (connector.ajp, connector.port_number()) else { continue };
            let Some(app) = topology.apps.get(connector.app) else { continue };
            let context = app.context_path.as_ref().map_or(Some(String::new()), ContextPath::normalized);
            let contexts = [Some(None), context.map(Some)].into_iter().flatten();
            for context in contexts {
                let context = context.as_deref().map(digest);
                add((port, context, None), index);
                for dir in app.path.ancestors().skip(1) {
                    add((port, context, Some(digest(dir))), index);
                }
            }
        }
        Candidates { tally }
    }

    fn one(&self, key: &(u16, Option<u64>, Option<u64>)) -> Option<Result<usize, usize>> {
        self.tally.get(key).map(|&(count, first)| if count == 1 { Ok(first) } else { Err(count) })
    }

    fn choose(&self, topology: &Topology<'_>, route: &Route) -> Option<usize> {
        if !matches!(&*route.upstream.scheme, "http" | "https" | "ws" | "wss") {
            return None;
        }
        let port = route.upstream.port?;
        if let Ok(only) = self.one(&(port, None, None))? {
            return Some(only);
        }
        let upstream = Some(routes::normalized_path(&route.upstream.path));
        let upstream = upstream.as_deref().map(digest);
        let context = match self.one(&(port, upstream, None)) {
            Some(Ok(only)) => return Some(only),
            Some(Err(_)) => upstream,
            None => None,
        };
        let from = topology.frontends.get(route.frontend)?.path;
        from.ancestors().skip(1).find_map(|dir| self.one(&(port, context, Some(digest(dir)))))?.ok()
    }
}
