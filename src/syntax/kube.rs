//! Kubernetes manifests: the objects of a multi-document YAML file that put an app behind
//! a proxy. Workloads (`Deployment`, `StatefulSet`, `DaemonSet`, `Pod`) with their
//! containers' image, environment, ports and mounts; `ConfigMap` data that the environment
//! refers to; `Service` names, selectors and ports; `Ingress` rules, one per path, as the
//! chart values' Ingress is read; and the Gateway API's `HTTPRoute`s with the `Gateway`
//! listeners they attach to. References between objects (`configMapKeyRef`,
//! `envFrom`) are resolved in the include step, where every manifest of the run is known.

use std::borrow::Cow;

use super::helm::Ingress;
use super::yaml::{self, Node};
use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{SourceFile, Span};

/// A manifest file.
#[derive(Debug, Default)]
pub struct Manifests<'a> {
    /// Workloads, in file order.
    pub workloads: Vec<Workload<'a>>,
    /// `ConfigMap`s.
    pub config_maps: Vec<ConfigMap<'a>>,
    /// `Service`s.
    pub services: Vec<KubeService>,
    /// Each path of each `Ingress` rule.
    pub ingresses: Vec<IngressPath<'a>>,
    /// Each path of each Gateway API `HTTPRoute` rule, with the gateways it attaches to.
    pub http_routes: Vec<HttpRoutePath<'a>>,
    /// Gateway API `Gateway`s.
    pub gateways: Vec<Gateway>,
    /// Comments, for inline suppressions.
    pub comments: Vec<Comment<'a>>,
    /// What could not be read.
    pub problems: Vec<SyntaxProblem>,
    /// The values of secret-named keys and of `Secret` objects.
    pub secrets: Vec<Span>,
    /// How many more objects, variables and paths may be read: aliases let a short file
    /// stand for billions of them.
    left: usize,
    /// The budget ran out.
    exhausted: bool,
}

/// How many objects, variables, ports and paths one file may give.
const MAX_ITEMS: usize = 1_000_000;

impl Manifests<'_> {
    /// Takes `n` items from the budget; once it runs out, says so at `at` (once) and
    /// gives nothing more.
    fn spend(&mut self, n: usize, at: Span) -> bool {
        if self.exhausted {
            return false;
        }
        if let Some(left) = self.left.checked_sub(n) {
            self.left = left;
            return true;
        }
        self.exhausted = true;
        self.problems.push(SyntaxProblem {
            span: at,
            message: format!(
                "the file stands for more than {MAX_ITEMS} objects, variables and paths (through YAML aliases): the rest is not read"
            ),
            label: "read no further".to_string(),
            related: None,
        });
        false
    }
}

/// An object's name and namespace.
#[derive(Clone, Debug)]
pub struct Meta {
    /// `metadata.name`.
    pub name: String,
    /// Where it is written (the document's start when it is not).
    pub at: Span,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
}

impl Meta {
    /// Whether the object may be in `namespace`.
    pub fn shares_namespace(&self, namespace: Option<&str>) -> bool {
        same_namespace(self.namespace.as_deref(), namespace)
    }
}

/// Whether two objects may be in one namespace: an object without one is in whichever
/// one it is applied to.
pub fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

impl Meta {}

/// A workload and the pods it runs.
#[derive(Debug)]
pub struct Workload<'a> {
    /// `Deployment`, `StatefulSet`, ...
    pub kind: String,
    /// Its name.
    pub meta: Meta,
    /// The pod template's labels, which services select.
    pub labels: Vec<(String, String)>,
    /// `spec.replicas` (1 when not written) and where it is set.
    pub replicas: (u32, Option<Span>),
    /// The pod's containers (not its init containers).
    pub containers: Vec<Container<'a>>,
    /// Volumes filled from a `ConfigMap`: the volume's name and the map's.
    pub config_volumes: Vec<(String, String)>,
}

/// One container.
#[derive(Debug)]
pub struct Container<'a> {
    /// `name:`.
    pub name: String,
    /// Where the container is written.
    pub at: Span,
    /// `image:`.
    pub image: Option<Value<'a>>,
    /// The environment: `envFrom` entries (added by the include step), then `env`.
    pub environment: Vec<Setting<'a>>,
    /// The `env:` key, where a variable that is not set is said to be missing.
    pub environment_at: Option<Span>,
    /// `env` entries read from a `ConfigMap` key: the entry's index in `environment`, the
    /// map and the key.
    pub references: Vec<(usize, String, String)>,
    /// `envFrom` config maps, with their prefix.
    pub env_from: Vec<(String, String)>,
    /// An `envFrom` source the run cannot read (a `secretRef`), or one whose map is not in
    /// the run (added by the include step): any variable may come from it.
    pub open: Option<Span>,
    /// `containerPort`s, with their names.
    pub ports: Vec<(u16, Option<String>)>,
    /// Mounts: the path in the container and the volume.
    pub mounts: Vec<(String, String)>,
    /// `command:` replaces the image's entrypoint (Synchrony's start script in
    /// Confluence's image): the entrypoint renders no `server.xml`.
    pub command: bool,
}

/// A `ConfigMap`.
#[derive(Debug)]
pub struct ConfigMap<'a> {
    /// Its name.
    pub meta: Meta,
    /// `data` entries.
    pub data: Vec<Setting<'a>>,
}

/// A `Service`.
#[derive(Debug)]
pub struct KubeService {
    /// Its name: the host name pods reach it by.
    pub meta: Meta,
    /// `spec.selector`.
    pub selector: Vec<(String, String)>,
    /// Its ports.
    pub ports: Vec<ServicePort>,
}

/// A port a service exposes, and where it sends it.
#[derive(Debug)]
pub struct ServicePort {
    /// `port`.
    pub port: u16,
    /// `name`.
    pub name: Option<String>,
    /// `targetPort` (the port itself when not written).
    pub target: PortRef,
}

/// A port by number or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    /// A number.
    Number(u16),
    /// A container's or service's port name.
    Name(String),
}

/// One path of one rule of an `Ingress`.
#[derive(Debug)]
pub struct IngressPath<'a> {
    /// The Ingress as the chart values' Ingress is read (`create`: the object's name).
    pub ingress: Ingress<'a>,
    /// The Ingress's name.
    pub meta: Meta,
    /// The backend service.
    pub service: String,
    /// The backend port.
    pub port: PortRef,
    /// Where the backend is written.
    pub backend_at: Span,
}

/// One path of one rule of an `HTTPRoute`.
#[derive(Debug)]
pub struct HttpRoutePath<'a> {
    /// The route's name.
    pub meta: Meta,
    /// `parentRefs`: the gateway's name and, when given, its listener's.
    pub parents: Vec<(String, Option<String>)>,
    /// `hostnames` (none: every host of the listener).
    pub hostnames: Vec<Setting<'a>>,
    /// The path prefix it matches (`/` when it matches none) and where it is written.
    pub path: (String, Span),
    /// The backend service.
    pub service: String,
    /// The backend port.
    pub port: Option<u16>,
    /// Where the backend is written.
    pub backend_at: Span,
}

/// A Gateway API `Gateway`.
#[derive(Debug)]
pub struct Gateway {
    /// Its name.
    pub meta: Meta,
    /// Its listeners.
    pub listeners: Vec<Listener>,
}

/// A listener of a gateway.
#[derive(Debug)]
pub struct Listener {
    /// `name`.
    pub name: String,
    /// `protocol` is `HTTPS` (TLS ends at the gateway).
    pub https: bool,
    /// `port`.
    pub port: Option<u16>,
    /// Where the listener's protocol is written.
    pub at: Span,
}

/// Whether a YAML text looks like Kubernetes manifests: `apiVersion:` and `kind:` at the
/// top level of a document, and no Helm template's Go actions (`{{ .Values.x }}`,
/// `{{- end }}`), which are not YAML until Helm renders them.
pub fn looks_like_manifests(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')));
    let go = [".Values.", ".Release.", ".Chart.", "{{ end", "{{- end", "{{ include", "{{- include", "{{ template"];
    top("apiVersion") && top("kind") && !go.iter().any(|action| text.contains(action))
}

/// Reads a manifest file.
pub fn parse(source: &SourceFile) -> Manifests<'_> {
    let stream = yaml::parse(source);
    let mut out = Manifests {
        comments: super::compose::comments(source),
        problems: stream.problems,
        left: MAX_ITEMS,
        ..Manifests::default()
    };
    for document in &stream.documents {
        out.secrets.extend(yaml::secret_values(document));
        // A `List` holds its objects in `items`.
        let objects = match text(document, "kind") {
            Some("List") => document.get("items").map(|(_, n)| n.items().iter().collect()).unwrap_or_default(),
            _ => vec![document],
        };
        for object in objects {
            if !out.spend(1, object.span) {
                return out;
            }
            read_object(source, object, &mut out);
        }
    }
    out
}

fn read_object<'a>(source: &'a SourceFile, object: &Node, out: &mut Manifests<'a>) {
    let Some(kind) = text(object, "kind") else { return };
    let metadata = object.get("metadata").map(|(_, n)| n);
    let name = metadata.and_then(|m| m.get("name"));
    let meta = Meta {
        name: name.and_then(|(_, n)| n.text()).unwrap_or("").to_string(),
        at: name.map_or(object.span, |(_, n)| n.span),
        namespace: metadata.and_then(|m| text(m, "namespace")).map(str::to_string),
    };
    let spec = object.get("spec").map(|(_, n)| n);
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Pod" => {
            let (labels, pod) = if kind == "Pod" {
                (metadata.map(pairs_of("labels")).unwrap_or_default(), spec)
            } else {
                let template = spec.and_then(|s| s.get("template")).map(|(_, n)| n);
                let labels = template.and_then(|t| t.get("metadata")).map(|(_, m)| pairs_of("labels")(m));
                (labels.unwrap_or_default(), template.and_then(|t| t.get("spec")).map(|(_, n)| n))
            };
            let replicas = match spec.and_then(|s| s.get("replicas")) {
                Some((_, n)) => (n.text().and_then(|t| t.trim().parse().ok()).unwrap_or(1), Some(n.span)),
                None => (1, None),
            };
            let containers = pod.and_then(|p| p.get("containers")).map(|(_, n)| n.items()).unwrap_or_default();
            let volumes = pod.and_then(|p| p.get("volumes")).map(|(_, n)| n.items()).unwrap_or_default();
            let config_volumes = volumes
                .iter()
                .filter_map(|v| {
                    let map = v.get("configMap").and_then(|(_, c)| text(c, "name"))?;
                    Some((text(v, "name")?.to_string(), map.to_string()))
                })
                .collect();
            let mut read = Vec::new();
            for node in containers {
                let items = node.get("env").map_or(0, |(_, n)| n.items().len());
                if !out.spend(1 + items, node.span) {
                    break;
                }
                read.push(container(source, node));
            }
            out.workloads.push(Workload {
                kind: kind.to_string(),
                meta,
                labels,
                replicas,
                containers: read,
                config_volumes,
            });
        }
        "ConfigMap" => {
            let data = object.get("data").map(|(_, d)| d.entries()).unwrap_or_default();
            if !out.spend(data.len(), object.span) {
                return;
            }
            let data = data.iter().filter_map(|(key, value)| named(key.text()?, key.span, value)).collect();
            out.config_maps.push(ConfigMap { meta, data });
        }
        "Secret" => {
            // `kubectl get -o yaml` keeps the applied object, data included, in an annotation.
            let applied = metadata
                .and_then(|m| m.get("annotations"))
                .and_then(|(_, a)| a.get("kubectl.kubernetes.io/last-applied-configuration").map(|(_, v)| v.span));
            out.secrets.extend(applied);
            for field in ["data", "stringData"] {
                let data = object.get(field).map(|(_, d)| d.entries()).unwrap_or_default();
                out.secrets.extend(data.iter().filter(|(_, v)| v.text().is_some()).map(|(_, v)| v.span));
            }
        }
        "Service" => {
            let selector = spec.map(pairs_of("selector")).unwrap_or_default();
            let ports = spec.and_then(|s| s.get("ports")).map(|(_, n)| n.items()).unwrap_or_default();
            if !out.spend(ports.len(), object.span) {
                return;
            }
            let ports = ports
                .iter()
                .filter_map(|p| {
                    let port = number(p, "port")?;
                    let target = p.get("targetPort").and_then(|(_, n)| port_ref(n)).unwrap_or(PortRef::Number(port));
                    Some(ServicePort { port, name: text(p, "name").map(str::to_string), target })
                })
                .collect();
            out.services.push(KubeService { meta, selector, ports });
        }
        "Ingress" => {
            if let Some(spec) = spec {
                ingress(metadata, spec, &meta, out);
            }
        }
        "HTTPRoute" => {
            if let Some(spec) = spec {
                http_route(spec, &meta, out);
            }
        }
        "Gateway" => {
            let listeners = spec.and_then(|s| s.get("listeners")).map(|(_, l)| l.items()).unwrap_or_default();
            let listeners = listeners
                .iter()
                .map(|l| Listener {
                    name: text(l, "name").unwrap_or("").to_string(),
                    https: text(l, "protocol").is_some_and(|p| p == "HTTPS"),
                    port: number(l, "port"),
                    at: l.get("protocol").map_or(l.span, |(_, n)| n.span),
                })
                .collect();
            out.gateways.push(Gateway { meta, listeners });
        }
        _ => {}
    }
}

/// A container's image, environment, ports and mounts.
fn container<'a>(_source: &'a SourceFile, node: &Node) -> Container<'a> {
    let mut environment = Vec::new();
    let mut references = Vec::new();
    for item in node.get("env").map(|(_, n)| n.items()).unwrap_or_default() {
        let Some((key, name)) = item.get("name") else { continue };
        let Some(name) = name.text() else { continue };
        let setting = match item.get("value") {
            Some((_, value)) => named(name, key.span, value),
            None => {
                // `valueFrom`: a config map's key (resolved later), a secret, a field.
                let from = item.get("valueFrom").map(|(_, n)| n);
                let reference = from.and_then(|f| f.get("configMapKeyRef")).map(|(_, r)| r);
                if let Some((map, wanted)) = reference.and_then(|r| Some((text(r, "name")?, text(r, "key")?))) {
                    references.push((environment.len(), map.to_string(), wanted.to_string()));
                }
                let at = from.map_or(item.span, |f| f.span);
                let mut value = Value::new(Cow::Borrowed(""), Span::new(at.file, at.start(), at.start()));
                value.unknown = true;
                Some(Setting {
                    name: Cow::Owned(name.to_string()),
                    name_span: key.span,
                    value,
                    span: key.span.cover(at),
                })
            }
        };
        environment.extend(setting);
    }
    let env_from = node.get("envFrom").map(|(_, n)| n.items()).unwrap_or_default();
    let open = env_from.iter().find(|item| item.get("configMapRef").is_none()).map(|item| item.span);
    let env_from = env_from
        .iter()
        .filter_map(|item| {
            let map = item.get("configMapRef").and_then(|(_, r)| text(r, "name"))?;
            Some((map.to_string(), text(item, "prefix").unwrap_or("").to_string()))
        })
        .collect();
    let ports = node.get("ports").map(|(_, n)| n.items()).unwrap_or_default();
    let mounts = node.get("volumeMounts").map(|(_, n)| n.items()).unwrap_or_default();
    Container {
        open,
        command: node.get("command").is_some_and(|(_, n)| n.text().is_some() || !n.items().is_empty()),
        name: text(node, "name").unwrap_or("").to_string(),
        at: node.get("name").map_or(node.span, |(_, n)| n.span),
        image: node.get("image").and_then(|(_, n)| Some(Value::new(Cow::Owned(n.text()?.to_string()), n.span))),
        environment,
        environment_at: node.get("env").map(|(k, _)| k.span),
        references,
        env_from,
        ports: ports
            .iter()
            .filter_map(|p| Some((number(p, "containerPort")?, text(p, "name").map(str::to_string))))
            .collect(),
        mounts: mounts
            .iter()
            .filter_map(|m| {
                // With `subPath`, the mount path is the path of the file itself.
                let path = text(m, "mountPath")?;
                Some((path.to_string(), text(m, "name")?.to_string()))
            })
            .collect(),
    }
}

/// An Ingress's paths, each as the chart values' Ingress is read.
fn ingress<'a>(metadata: Option<&Node>, spec: &Node, meta: &Meta, out: &mut Manifests<'a>) {
    let annotations: Vec<Setting<'a>> = metadata
        .and_then(|m| m.get("annotations"))
        .map(|(_, a)| a.entries())
        .unwrap_or_default()
        .iter()
        .filter_map(|(key, value)| {
            let mut set = named(key.text()?, key.span, value)?;
            set.span = key.span.cover(value.span);
            Some(set)
        })
        .collect();
    let class = spec
        .get("ingressClassName")
        .map(|(_, n)| n)
        .and_then(|n| named("ingressClassName", n.span, n))
        .or_else(|| annotations.iter().find(|a| a.name == "kubernetes.io/ingress.class").cloned());
    let tls = spec.get("tls").filter(|(_, t)| !t.items().is_empty());
    // The hosts TLS covers; an entry naming none covers every host.
    let entries = tls.map(|(_, t)| t.items()).unwrap_or_default();
    let every_host = entries.iter().any(|t| t.get("hosts").is_none_or(|(_, h)| h.items().is_empty()));
    let tls_hosts: foldhash::HashSet<&str> = entries
        .iter()
        .flat_map(|t| t.get("hosts").map(|(_, h)| h.items()).unwrap_or_default())
        .filter_map(Node::text)
        .collect();
    let mut paths = Vec::new();
    for rule in spec.get("rules").map(|(_, n)| n.items()).unwrap_or_default() {
        let host = rule.get("host").map(|(_, n)| n);
        let http_paths = rule.get("http").and_then(|(_, h)| h.get("paths")).map(|(_, p)| p.items()).unwrap_or_default();
        for path in http_paths {
            paths.push((host, Some(path)));
        }
    }
    let default = spec.get("defaultBackend").or_else(|| spec.get("backend"));
    if let Some((_, backend)) = default {
        paths.push((None, Some(backend)));
    }
    for (host, path) in paths {
        let Some(path) = path else { continue };
        if !out.spend(1 + annotations.len(), path.span) {
            return;
        }
        // `networking.k8s.io/v1`: `backend.service.{name,port.{number,name}}`; before it,
        // `backend.{serviceName,servicePort}`; a default backend is the backend itself.
        let backend = path.get("backend").map_or(path, |(_, b)| b);
        let (service, port) = match backend.get("service") {
            Some((_, service)) => {
                let port = service.get("port").map(|(_, p)| p);
                let port = port.and_then(|p| {
                    number(p, "number")
                        .map(PortRef::Number)
                        .or_else(|| Some(PortRef::Name(text(p, "name")?.to_string())))
                });
                (text(service, "name"), port)
            }
            None => (text(backend, "serviceName"), backend.get("servicePort").and_then(|(_, n)| port_ref(n))),
        };
        let (Some(service), Some(port)) = (service, port) else { continue };
        let written = path.get("path").map(|(_, n)| n).filter(|n| n.text().is_some());
        let route = match written {
            Some(node) => (node.text().unwrap_or("/").to_string(), node.span),
            None => ("/".to_string(), backend.span),
        };
        let host_text = host.and_then(Node::text);
        // TLS for this host: a `tls` entry naming it, or one naming no host (every host).
        let https = match tls {
            Some((key, _)) => {
                let covered = every_host || host_text.is_some_and(|h| tls_hosts.contains(h));
                (covered, key.span)
            }
            None => (false, meta.at),
        };
        out.ingresses.push(IngressPath {
            ingress: Ingress {
                create: meta.at,
                host: host.and_then(|h| named("host", h.span, h)),
                path: route,
                https,
                class: class.clone(),
                nginx_off: None,
                annotations: annotations.clone(),
                class_required: true,
            },
            meta: meta.clone(),
            service: service.to_string(),
            port,
            backend_at: backend.span,
        });
    }
}

/// An `HTTPRoute`'s rules, one entry per path match and backend.
fn http_route<'a>(spec: &Node, meta: &Meta, out: &mut Manifests<'a>) {
    let parents = spec.get("parentRefs").map(|(_, p)| p.items()).unwrap_or_default();
    let parents: Vec<(String, Option<String>)> = parents
        .iter()
        .filter_map(|p| Some((text(p, "name")?.to_string(), text(p, "sectionName").map(str::to_string))))
        .collect();
    let hostnames = spec.get("hostnames").map(|(_, h)| h.items()).unwrap_or_default();
    let hostnames: Vec<Setting<'a>> = hostnames.iter().filter_map(|h| named("hostname", h.span, h)).collect();
    for rule in spec.get("rules").map(|(_, r)| r.items()).unwrap_or_default() {
        let matches = rule.get("matches").map(|(_, m)| m.items()).unwrap_or_default();
        // A match on a path prefix (or an exact path); none matches every path.
        let mut paths: Vec<(String, Span)> = matches
            .iter()
            .filter_map(|m| {
                let path = m.get("path").map(|(_, p)| p)?;
                let kind = text(path, "type").unwrap_or("PathPrefix");
                let value = path.get("value").map(|(_, v)| v)?;
                (kind != "RegularExpression").then(|| (value.text().unwrap_or("/").to_string(), value.span))
            })
            .collect();
        if paths.is_empty() {
            paths.push(("/".to_string(), rule.span));
        }
        let backends = rule.get("backendRefs").map(|(_, b)| b.items()).unwrap_or_default();
        for backend in backends {
            let Some(service) = text(backend, "name") else { continue };
            // Another kind than a Service is not followed.
            if text(backend, "kind").is_some_and(|k| k != "Service") {
                continue;
            }
            for path in &paths {
                if !out.spend(1 + parents.len() + hostnames.len(), backend.span) {
                    return;
                }
                out.http_routes.push(HttpRoutePath {
                    meta: meta.clone(),
                    parents: parents.clone(),
                    hostnames: hostnames.clone(),
                    path: path.clone(),
                    service: service.to_string(),
                    port: number(backend, "port"),
                    backend_at: backend.span,
                });
            }
        }
    }
}

/// A mapping's scalar value for `key`.
fn text<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(|(_, n)| n.text())
}

/// A mapping's port number for `key`.
fn number(node: &Node, key: &str) -> Option<u16> {
    text(node, key).and_then(|t| t.trim().parse().ok())
}

/// A port written as a number or a name.
fn port_ref(node: &Node) -> Option<PortRef> {
    let text = node.text()?.trim();
    Some(text.parse().map_or_else(|_| PortRef::Name(text.to_string()), PortRef::Number))
}

/// The string pairs of a mapping's `key` (labels, a selector).
fn pairs_of(key: &'static str) -> impl Fn(&Node) -> Vec<(String, String)> {
    move |node| {
        let entries = node.get(key).map(|(_, n)| n.entries()).unwrap_or_default();
        entries.iter().filter_map(|(k, v)| Some((k.text()?.to_string(), v.text()?.to_string()))).collect()
    }
}

/// A setting named `name` from a scalar value.
fn named<'a>(name: &str, name_span: Span, value: &Node) -> Option<Setting<'a>> {
    let text = value.text()?;
    let value = Value::new(Cow::Owned(text.to_string()), value.span);
    Some(Setting { name: Cow::Owned(name.to_string()), name_span, span: name_span.cover(value.span), value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn workloads_services_and_ingress_paths_are_read() {
        let text = concat!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: jira\nspec:\n  replicas: 2\n",
            "  template:\n    metadata:\n      labels:\n        app: jira\n    spec:\n      containers:\n",
            "        - name: jira\n          image: atlassian/jira-software:9\n          envFrom:\n",
            "            - configMapRef:\n                name: jira-env\n          env:\n",
            "            - name: ATL_PROXY_NAME\n              value: jira.example.com\n",
            "            - name: ATL_TOMCAT_SCHEME\n              valueFrom:\n                configMapKeyRef:\n",
            "                  name: jira-env\n                  key: scheme\n",
            "          ports:\n            - containerPort: 8080\n              name: http\n---\n",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: jira\nspec:\n  selector:\n    app: jira\n",
            "  ports:\n    - port: 80\n      targetPort: http\n---\n",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: jira\nspec:\n",
            "  ingressClassName: nginx\n  tls:\n    - hosts: [jira.example.com]\n  rules:\n",
            "    - host: jira.example.com\n      http:\n        paths:\n          - path: /\n",
            "            backend:\n              service:\n                name: jira\n                port:\n",
            "                  number: 80\n",
        );
        assert!(looks_like_manifests(text));
        let source = SourceFile::new(FileId(0), "jira.yaml".into(), "jira.yaml".into(), None, text.as_bytes().to_vec());
        let manifests = parse(&source);
        assert!(manifests.problems.is_empty(), "{:?}", manifests.problems);
        let workload = &manifests.workloads[0];
        assert_eq!((workload.meta.name.as_str(), workload.replicas.0), ("jira", 2));
        assert_eq!(workload.labels, [("app".to_string(), "jira".to_string())]);
        let container = &workload.containers[0];
        assert_eq!(container.environment[0].value.text, "jira.example.com");
        assert!(container.environment[1].value.unknown);
        assert_eq!(container.references, [(1, "jira-env".to_string(), "scheme".to_string())]);
        assert_eq!(container.env_from, [("jira-env".to_string(), String::new())]);
        assert_eq!(container.ports, [(8080, Some("http".to_string()))]);
        let service = &manifests.services[0];
        assert_eq!((service.ports[0].port, &service.ports[0].target), (80, &PortRef::Name("http".into())));
        let path = &manifests.ingresses[0];
        assert_eq!((path.service.as_str(), &path.port), ("jira", &PortRef::Number(80)));
        assert!(path.ingress.https.0);
        assert_eq!(path.ingress.path.0, "/");
        assert!(!looks_like_manifests("services:\n  jira:\n    image: x\n"));
    }
}
