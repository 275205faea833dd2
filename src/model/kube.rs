//! Kubernetes manifests in the model: a workload running one of Atlassian's images is an
//! app (its connector read from the container's environment, or the `server.xml` of the
//! manifest's directory when that file is mounted from a config map the run does not
//! hold); a `Service` is a host name for the workloads it selects, its ports mapped to
//! theirs; an `Ingress` is a frontend with a route per path to its backend service, and so
//! is an `HTTPRoute` whose gateway the run holds (TLS when its listener speaks HTTPS).

use foldhash::{HashMap, HashMapExt};

use super::containers::{self, add_ingress_backend, add_ingress_frontend, add_ingress_route};
use super::{Style, Topology, Upstream};
use crate::source::{SourceFile, Span};
use crate::syntax::helm::Ingress;
use crate::syntax::kube::{Gateway, Listener, Manifests, PortRef, Workload};
use crate::syntax::{Parsed, Tree};

/// How many workloads one service is taken to select, and how many connectors one host
/// name stands for: a file of many services selecting many workloads stays linear.
const MAX_SELECTED: usize = 1024;

/// The workloads each service selects, by the service's name: one entry per namespace
/// the name is written in (`None`: none written).
type Selections<'m> = HashMap<&'m str, Vec<(Option<&'m str>, Vec<usize>)>>;

/// A workload of the run: its file, itself, and the connector of each container (`None`:
/// one that runs no Atlassian image).
struct Pod<'m, 'a> {
    workload: &'m Workload<'a>,
    labels: foldhash::HashSet<(&'m str, &'m str)>,
    /// Its containers' named ports.
    ports: HashMap<&'m str, u16>,
    connectors: Vec<Option<usize>>,
}

/// Adds the apps, hosts and Ingress routes of every manifest of the run. Runs after every
/// other file is in the model, as a mounted `server.xml` is another file's app.
pub(super) fn add<'a>(topology: &mut Topology<'a>, files: &'a [Parsed<'a>]) {
    let manifests: Vec<(&'a SourceFile, &'a Manifests<'a>)> = files
        .iter()
        .filter_map(|p| match &p.tree {
            Tree::Kube(manifests) => Some((p.source, manifests)),
            _ => None,
        })
        .collect();
    if manifests.is_empty() {
        return;
    }
    let maps: foldhash::HashSet<&str> =
        manifests.iter().flat_map(|(_, m)| &m.config_maps).map(|m| m.meta.name.as_str()).collect();
    // The connectors of each directory's own `server.xml`.
    let mut by_dir: HashMap<&std::path::Path, Vec<usize>> = HashMap::new();
    for (index, connector) in topology.connectors.iter().enumerate() {
        let app = topology.apps.get(connector.app);
        if let (Style::Tomcat, false, Some(app)) = (&connector.style, connector.ajp, app) {
            if let Some(dir) = app.path.parent() {
                by_dir.entry(dir).or_default().push(index);
            }
        }
    }
    let mut pods: Vec<Pod<'a, 'a>> = Vec::new();
    for &(source, file) in &manifests {
        for workload in &file.workloads {
            let mut connectors = Vec::new();
            for container in &workload.containers {
                // `kubectl create configmap --from-file=server.xml` makes the map of the
                // file beside the manifest.
                let mounted = container.mounts.iter().any(|(path, volume)| {
                    path.ends_with("/conf/server.xml")
                        && workload.config_volumes.iter().any(|(v, map)| v == volume && !maps.contains(map.as_str()))
                });
                let dir = source.path().parent();
                let beside = dir.and_then(|d| by_dir.get(d)).filter(|_| mounted);
                if let Some(found) = beside {
                    connectors.extend(found.iter().map(|&c| Some(c)));
                    continue;
                }
                let image = container.image.as_ref().filter(|_| !container.command);
                let product = image.and_then(|i| i.known()).and_then(containers::product);
                let connector = product.map(|product| {
                    let at = container.environment_at.unwrap_or(container.at);
                    containers::add(topology, source, (Some(&workload.meta.name), &container.environment), product, at)
                });
                connectors.push(connector);
            }
            let labels = workload.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let named = workload.containers.iter().flat_map(|c| &c.ports);
            let ports = named.filter_map(|(number, name)| Some((name.as_deref()?, *number))).collect();
            pods.push(Pod { workload, labels, ports, connectors });
        }
    }
    // Workloads by each of their labels, so a selector looks at those of its rarest label.
    let mut by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (index, pod) in pods.iter().enumerate() {
        for (key, value) in &pod.workload.labels {
            by_label.entry((key.as_str(), value.as_str())).or_default().push(index);
        }
    }
    // Each service: the workloads it selects, its names as hosts, its ports mapped.
    let mut services: Selections<'_> = HashMap::new();
    let mut service_ports: HashMap<&str, Vec<(u16, Option<&str>)>> = HashMap::new();
    for &(_, file) in &manifests {
        for service in &file.services {
            let buckets = service.selector.iter().map(|(k, v)| by_label.get(&(k.as_str(), v.as_str())));
            // A label no workload has selects none.
            let rarest = buckets.map(|b| b.map_or(&[][..], Vec::as_slice)).min_by_key(|b| b.len());
            let selected = rarest.unwrap_or(&[][..]);
            let selected: Vec<usize> = selected
                .iter()
                .take(MAX_SELECTED)
                .copied()
                .filter(|&p| {
                    let pod = pods.get(p);
                    let namespace = service.meta.namespace.as_deref();
                    pod.is_some_and(|pod| {
                        pod.workload.meta.shares_namespace(namespace)
                            && service.selector.iter().all(|(k, v)| pod.labels.contains(&(k.as_str(), v.as_str())))
                    })
                })
                .collect();
            let connectors =
                selected.iter().filter_map(|&p| pods.get(p)).flat_map(|pod| pod.connectors.iter().copied());
            let connectors: Vec<Option<usize>> = connectors.take(MAX_SELECTED).collect();
            let name = service.meta.name.to_ascii_lowercase();
            let mut names = vec![name.clone()];
            if let Some(namespace) = &service.meta.namespace {
                let short = format!("{name}.{}", namespace.to_ascii_lowercase());
                names.extend([format!("{short}.svc"), format!("{short}.svc.cluster.local"), short]);
            }
            for port in &service.ports {
                let target = match &port.target {
                    PortRef::Number(number) => Some(*number),
                    PortRef::Name(name) => selected
                        .iter()
                        .filter_map(|&p| pods.get(p))
                        .find_map(|pod| pod.ports.get(name.as_str()).copied()),
                };
                if let Some(target) = target.filter(|&t| t != port.port) {
                    for name in &names {
                        topology.container_ports.insert((name.clone(), port.port), target);
                    }
                }
            }
            for name in names {
                let known = topology.container_hosts.entry(name).or_default();
                let room = MAX_SELECTED.saturating_sub(known.len());
                known.extend(connectors.iter().copied().take(room));
            }
            // Of many services of one name, the workloads of the first ones only (as hosts).
            let named = services.entry(service.meta.name.as_str()).or_default();
            let room = MAX_SELECTED.saturating_sub(named.iter().map(|(_, s)| s.len()).sum());
            if room > 0 {
                named.push((service.meta.namespace.as_deref(), selected.into_iter().take(room).collect()));
            }
            let ports = service.ports.iter().map(|p| (p.port, p.name.as_deref()));
            service_ports.entry(service.meta.name.as_str()).or_default().extend(ports);
        }
    }
    // Each Ingress and HTTPRoute: one frontend per object and TLS, one backend per service
    // it names.
    let mut joined = Joined { pods: &pods, services: &services, frontends: HashMap::new(), backends: HashMap::new() };
    for &(source, file) in &manifests {
        for path in &file.ingresses {
            let port = match &path.port {
                PortRef::Number(number) => Some(*number),
                PortRef::Name(name) => service_ports
                    .get(path.service.as_str())
                    .and_then(|ports| ports.iter().find(|(_, n)| *n == Some(name.as_str())))
                    .map(|(port, _)| *port),
            };
            let label = format!("ingress/{}", path.meta.name);
            let namespace = path.meta.namespace.as_deref();
            joined.route(topology, source, &path.ingress, label, (&path.service, port, path.backend_at), namespace);
        }
    }
    let gateways: HashMap<&str, Vec<&Gateway>> =
        manifests.iter().flat_map(|(_, m)| &m.gateways).fold(HashMap::new(), |mut map, gateway| {
            map.entry(gateway.meta.name.as_str()).or_default().push(gateway);
            map
        });
    for &(source, file) in &manifests {
        for path in &file.http_routes {
            // TLS ends at the gateway when a listener the route attaches to speaks HTTPS; a
            // gateway the run does not hold leaves the route unknown, and it is not added.
            let listeners = path.parents.iter().flat_map(|(name, section)| {
                let found = gateways.get(name.as_str()).map_or(&[][..], Vec::as_slice);
                let listeners = found.iter().flat_map(|g| g.listeners.iter().map(move |l| (g, l)));
                listeners.filter(move |(_, l)| section.as_ref().is_none_or(|s| *s == l.name))
            });
            let listeners: Vec<(&&Gateway, &Listener)> = listeners.collect();
            let Some(&(gateway, first)) = listeners.iter().find(|(_, l)| l.https).or(listeners.first()) else {
                continue;
            };
            let https = (first.https, first.at);
            let ingress = Ingress {
                create: path.meta.at,
                host: path.hostnames.first().cloned(),
                path: path.path.clone(),
                https,
                class: None,
                nginx_off: None,
                annotations: Vec::new(),
                class_required: true,
            };
            let label = format!("gateway/{}", gateway.meta.name);
            let namespace = path.meta.namespace.as_deref();
            joined.route(topology, source, &ingress, label, (&path.service, path.port, path.backend_at), namespace);
            // Every host name of the route is served.
            let more = path.hostnames.iter().skip(1).filter_map(|h| Some((h.value.known()?.to_string(), h.value.span)));
            if let Some(route) = topology.routes.last_mut() {
                route.hosts = route.hosts.iter().cloned().chain(more).collect();
            }
        }
    }
}

/// What the Ingress routes of a run share: the workloads, the services' selections, and
/// the frontends and backends made so far.
struct Joined<'p, 'm, 'a> {
    pods: &'p [Pod<'m, 'a>],
    services: &'p Selections<'m>,
    frontends: HashMap<(Span, bool), usize>,
    backends: HashMap<(Span, String), (usize, Span)>,
}

impl<'a> Joined<'_, '_, 'a> {
    /// Adds the route of one path to a service's port (`None`: a name no service has).
    fn route(
        &mut self,
        topology: &mut Topology<'a>,
        source: &'a SourceFile,
        ingress: &Ingress<'_>,
        label: String,
        (service, port, backend_at): (&str, Option<u16>, Span),
        namespace: Option<&str>,
    ) {
        let frontend = *self
            .frontends
            .entry((ingress.create, ingress.https.0))
            .or_insert_with(|| add_ingress_frontend(topology, source, ingress, label));
        // The workloads of the services of that name the route may reach (one namespace's,
        // or any when a side names none), each once.
        let same = |ns: &Option<&str>| crate::syntax::kube::same_namespace(*ns, namespace);
        let found = self.services.get(service).map_or(&[][..], Vec::as_slice);
        let pods = self.pods;
        // The replicas are one server of the backend, at the first path's backend (where
        // each route to them is said to be forwarded).
        let (backend, address) = *self.backends.entry((ingress.create, service.to_string())).or_insert_with(|| {
            let mut selected: Vec<usize> =
                found.iter().filter(|(ns, _)| same(ns)).flat_map(|(_, s)| s.iter().copied()).collect();
            selected.sort_unstable();
            selected.dedup();
            let selected = || selected.iter().filter_map(|&p| pods.get(p));
            let count = selected().map(|pod| pod.workload.replicas.0 as usize).sum::<usize>().max(1);
            let name = format!("service `{service}`");
            let line = selected().next().map_or(backend_at, |p| p.workload.replicas.1.unwrap_or(p.workload.meta.at));
            (add_ingress_backend(topology, ingress, name, (count, backend_at, line)), backend_at)
        });
        let upstream = Upstream {
            scheme: "http".into(),
            host: service.to_ascii_lowercase().into(),
            port,
            port_variable: None,
            path: "".into(),
            span: address,
        };
        add_ingress_route(topology, ingress, frontend, backend, upstream);
    }
}
