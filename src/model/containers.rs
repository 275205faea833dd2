//! Apps and connectors of Atlassian's official container images, from the environment a
//! compose service gives them: each setting read from its variable as the image's
//! entrypoint renders it (`grammar/atlassian-images.txt`), the image's default where none
//! is set.

use std::sync::LazyLock;

use foldhash::{HashMap, HashMapExt};

use std::sync::Arc;

use super::{
    Affinity, App, AppKind, Backend, BaseUrl, Connector, ContextPath, Frontend, NginxRoute, PathStyle, ProxyKind,
    Route, Style, Topology, Upstream,
};
use crate::source::{SourceFile, Span};
use crate::syntax::compose::{Compose, Service};
use crate::syntax::helm::{HelmValues, Ingress};
use crate::syntax::Setting;

/// How an image names its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The entrypoint renders `server.xml` from `ATL_*` variables (Jira, Confluence, Bamboo,
    /// Crowd): Tomcat reads the values.
    Tomcat,
    /// Spring Boot reads `SERVER_*` variables as `bitbucket.properties` keys (Bitbucket).
    Spring,
}

/// One product's image.
#[derive(Debug)]
pub struct Product {
    /// The product.
    pub kind: AppKind,
    /// The HTTP port when none is set.
    pub port: u16,
    /// The context path when none is set (`""`: the root).
    pub context: &'static str,
    /// How its variables are named.
    pub family: Family,
    /// Settings and variables its template does not render.
    without: Vec<&'static str>,
}

struct Table {
    images: HashMap<&'static str, AppKind>,
    products: Vec<Product>,
    variables: HashMap<(&'static str, &'static str), Vec<&'static str>>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table = Table { images: HashMap::new(), products: Vec::new(), variables: HashMap::new() };
    for line in include_str!("../../grammar/atlassian-images.txt").lines() {
        let words: Vec<&'static str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["image", name, product] => {
                table.images.insert(name, kind(product));
            }
            ["product", product, port, context, family, rest @ ..] => table.products.push(Product {
                kind: kind(product),
                port: port.parse().unwrap_or(0),
                context: if *context == "-" { "" } else { context },
                family: if *family == "spring" { Family::Spring } else { Family::Tomcat },
                without: rest.iter().filter_map(|w| w.strip_prefix("without=")).flat_map(|w| w.split(',')).collect(),
            }),
            ["var", family, setting, names @ ..] => {
                table.variables.insert((family, setting), names.to_vec());
            }
            _ => {}
        }
    }
    table
});

fn kind(product: &str) -> AppKind {
    match product {
        "jira" => AppKind::Jira,
        "confluence" => AppKind::Confluence,
        "bitbucket" => AppKind::Bitbucket,
        "bamboo" => AppKind::Bamboo,
        "crowd" => AppKind::Crowd,
        _ => AppKind::Unknown,
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Tomcat => "tomcat",
        Family::Spring => "spring",
    }
}

/// The product an image reference runs, when it is one of Atlassian's images
/// (`docker.io/atlassian/jira-software:9.12@sha256:...` runs Jira).
pub fn product(image: &str) -> Option<&'static Product> {
    let image = image.trim();
    let image = image.split_once('@').map_or(image, |(name, _)| name);
    // A tag follows the last `:` after the last `/` (a registry's port comes before it).
    let image = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => image,
    };
    let parts: Vec<&str> = image.split('/').collect();
    let name = match parts.as_slice() {
        [.., owner, repository] => format!("{owner}/{repository}").to_ascii_lowercase(),
        _ => return None,
    };
    let kind = *TABLE.images.get(name.as_str())?;
    TABLE.products.iter().find(|p| p.kind == kind)
}

impl Product {
    /// The variables of a setting, in the order the entrypoint looks at them.
    fn variables<'p>(&'p self, setting: &'p str) -> impl Iterator<Item = &'static str> + 'p {
        let names = TABLE.variables.get(&(family_name(self.family), setting)).map_or(&[][..], Vec::as_slice);
        let rendered = !self.without.contains(&setting);
        names.iter().copied().filter(move |name| rendered && !self.without.contains(name))
    }

    /// The setting the environment gives `setting`: the first of its variables that is set
    /// (an empty value is the default, as an empty attribute is Tomcat's).
    fn get<'a>(&self, environment: &'a [Setting<'a>], setting: &str) -> Option<&'a Setting<'a>> {
        let found = self.written(environment, setting)?;
        (found.value.unknown || !found.value.text.trim().is_empty()).then_some(found)
    }

    /// Every variable of every setting the entrypoint renders but those of `except`, sorted.
    pub fn all_variables(&self, except: &[&str]) -> Vec<&'static str> {
        let family = family_name(self.family);
        let settings = TABLE.variables.keys().filter(|(f, s)| *f == family && !except.contains(s)).map(|(_, s)| *s);
        let mut names: Vec<&'static str> = settings.flat_map(|setting| self.variables(setting)).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The first of a setting's variables the environment sets, empty or not.
    fn written<'a>(&self, environment: &'a [Setting<'a>], setting: &str) -> Option<&'a Setting<'a>> {
        self.variables(setting).find_map(|name| variable(environment, name))
    }
}

/// The variable `name` of a service's environment: the entrypoint lower-cases every name,
/// Spring Boot reads upper case.
fn variable<'a>(environment: &'a [Setting<'a>], name: &str) -> Option<&'a Setting<'a>> {
    environment.iter().rev().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The first variable of a setting (`context-path`, `max-header-size`).
pub fn setting_variable(family: Family, setting: &str) -> &'static str {
    let names = TABLE.variables.get(&(family_name(family), setting));
    names.and_then(|n| n.first().copied()).unwrap_or("")
}

/// Adds the app of every service of a compose file that runs one of Atlassian's images.
pub(super) fn add_compose<'a>(topology: &mut Topology<'a>, source: &'a SourceFile, compose: &'a Compose<'a>) {
    for service in &compose.services {
        let product = service.image.as_ref().and_then(|i| i.known()).and_then(product);
        let connector = product.map(|_| topology.connectors.len());
        let mut names: Vec<String> =
            std::iter::once(&service.name).chain(&service.aliases).map(|n| n.to_ascii_lowercase()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            topology.container_hosts.entry(name).or_default().push(connector);
        }
        topology.container_mounts.extend(mounts(source, service).map(|path| (path, source.id())));
        let Some(product) = product else { continue };
        let at = service.environment_at.unwrap_or(service.name_span);
        add(topology, source, (Some(&service.name), &service.environment), product, at);
    }
}

/// The repository paths a service mounts: the sources of its bind mounts, relative to the
/// compose file's directory.
fn mounts<'s>(source: &'s SourceFile, service: &'s Service<'_>) -> impl Iterator<Item = std::path::PathBuf> + 's {
    let dir = source.path().parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    service.volumes.iter().filter_map(move |volume| {
        let (from, _) = volume.known()?.split_once(':')?;
        let relative = from.strip_prefix("./").or_else(|| (from == ".").then_some(""));
        relative.map(|relative| crate::source::tidy(&dir.join(relative)))
    })
}

/// Adds the app (and its connector, whose index it returns) that an image runs with
/// `environment`; `at` is where a setting the environment lacks is said to be missing.
pub(super) fn add<'a>(
    topology: &mut Topology<'a>,
    source: &'a SourceFile,
    (service, environment): (Option<&'a str>, &'a [Setting<'a>]),
    product: &Product,
    at: Span,
) -> usize {
    let app = topology.apps.len();
    let style = Style::Env(product.family);
    let path_style = match product.family {
        Family::Tomcat => PathStyle::Tomcat,
        Family::Spring => PathStyle::Spring,
    };
    // An empty context path is the root, written: `path=""`.
    let context_path = product.written(environment, "context-path").map(|setting| {
        let context = ContextPath { setting, style: path_style, host: None, app };
        topology.contexts.push(context);
        context
    });
    let forwarded_proto = product.get(environment, "forward-headers").filter(|s| {
        s.value.known().is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "native" | "framework"))
    });
    topology.apps.push(App {
        kind: product.kind,
        file: source.id(),
        path: source.path(),
        context_path,
        default_context: (context_path.is_none() && !product.context.is_empty()).then_some(product.context),
        jvm_route: None,
        synchrony_proxy: None,
        forwarded_proto: forwarded_proto.map(|s| s.span),
        service,
    });
    if let Some(setting) = product.get(environment, "base-url") {
        topology.base_urls.push(BaseUrl { app, setting });
    }
    if product.kind == AppKind::Bitbucket {
        let ssh =
            product.get(environment, "ssh-port").and_then(|s| s.value.known()).and_then(|v| v.trim().parse().ok());
        topology.ssh_ports.push(ssh.unwrap_or(super::BITBUCKET_SSH_PORT));
    }
    let get = |setting: &str| product.get(environment, setting);
    topology.connectors.push(Connector {
        file: source.id(),
        app,
        at,
        style,
        // Not one an `env_file:` gives: a new variable goes beside those in the file itself.
        last: environment.iter().rev().find(|s| s.span.file == source.id()),
        ajp: false,
        ssl_enabled: false,
        port: get("port"),
        default_port: Some(product.port),
        port_variable: None,
        scheme: get("scheme"),
        secure: get("secure"),
        proxy_name: get("proxy-name"),
        proxy_port: get("proxy-port"),
        redirect_port: get("redirect-port"),
        address: None,
        secret: None,
        secret_required: None,
        protocols: Vec::new(),
        ciphers: Vec::new(),
        compression: get("compression"),
        max_header_size: get("max-header-size"),
        max_post_size: None,
        relaxed_chars: [None, None],
        // The image's template writes Jira's `relaxedPathChars` and `relaxedQueryChars` itself.
        jira_webapp: false,
    });
    topology.connectors.len() - 1
}

/// Adds the app a chart's values deploy, and the Ingress the chart renders for it: a
/// frontend (TLS when `ingress.https`), a route of its path to the app's service, and the
/// replicas it balances over, with ingress-nginx's settings from the annotations.
pub(super) fn add_helm<'a>(topology: &mut Topology<'a>, source: &'a SourceFile, values: &'a HelmValues<'a>) {
    let kind = kind(values.product);
    let Some(product) = TABLE.products.iter().find(|p| p.kind == kind && kind != AppKind::Unknown) else { return };
    let connector = add(topology, source, (Some(values.product), &values.environment), product, values.at);
    // The chart names the service after the release; a release named after the product
    // (`helm install jira atlassian-data-center/jira`) is the usual one.
    let host = values.product.to_string();
    topology.container_hosts.entry(host.clone()).or_default().push(Some(connector));
    let Some(ingress) = &values.ingress else { return };
    let connector_port = topology.connectors.get(connector).and_then(Connector::port_number);
    let frontend = add_ingress_frontend(topology, source, ingress, format!("the {} chart's Ingress", values.product));
    let nodes = values.replicas.1.unwrap_or(values.at);
    let replicas = usize::try_from(values.replicas.0).unwrap_or(usize::MAX);
    let backend =
        add_ingress_backend(topology, ingress, format!("{} service", values.product), (replicas, nodes, nodes));
    let upstream = Upstream {
        scheme: "http".into(),
        host: host.into(),
        port: connector_port,
        port_variable: None,
        path: "".into(),
        span: nodes,
    };
    add_ingress_route(topology, ingress, frontend, backend, upstream);
}

/// The frontend of an Ingress: where it listens (443 when it ends TLS).
pub(super) fn add_ingress_frontend<'a>(
    topology: &mut Topology<'a>,
    source: &'a SourceFile,
    ingress: &Ingress<'_>,
    label: String,
) -> usize {
    let (https, https_at) = ingress.https;
    topology.frontends.push(Frontend {
        path: source.path(),
        kind: ProxyKind::Ingress,
        label,
        at: ingress.create,
        port: Some(if https { 443 } else { 80 }),
        port_span: https_at,
        tls: https.then_some(https_at),
    });
    topology.frontends.len() - 1
}

/// The replicas an Ingress balances over (how many, where routes reach them and where
/// their number is said), with the affinity its annotations give.
pub(super) fn add_ingress_backend(
    topology: &mut Topology<'_>,
    ingress: &Ingress<'_>,
    name: String,
    (count, address, line): (usize, Span, Span),
) -> usize {
    let at = ingress.nginx_off.unwrap_or(ingress.create);
    topology.backends.push(Backend::pool(
        ProxyKind::Ingress,
        name,
        at,
        (count, address, line),
        ingress_affinity(ingress),
    ));
    topology.backends.len() - 1
}

/// The controller's name, when known: the class written, else (for a chart) ingress-nginx.
fn controller<'i>(ingress: &'i Ingress<'_>) -> Option<&'i str> {
    match ingress.class.as_ref() {
        Some(class) => class.value.known(),
        None if ingress.class_required => None,
        None => Some("nginx"),
    }
}

/// The route of an Ingress path to its upstream (whose path is the Ingress's: the
/// controllers pass the path on as it is), with ingress-nginx's body limit and timeouts.
pub(super) fn add_ingress_route(
    topology: &mut Topology<'_>,
    ingress: &Ingress<'_>,
    frontend: usize,
    backend: usize,
    mut upstream: Upstream,
) {
    // Other controllers than ingress-nginx have no body limit or timeouts of these names.
    let nginx = controller(ingress) == Some("nginx");
    let annotation = |name: &str| ingress.annotation(&format!("nginx.ingress.kubernetes.io/{name}"));
    let body_limit = match annotation("proxy-body-size") {
        Some(set) => (set.value.known().and_then(super::nginx::size).unwrap_or(u64::MAX), Some(set.value.span)),
        None if nginx => (1 << 20, None),
        None => (0, None),
    };
    let timeout = |name: &str| match annotation(name) {
        Some(set) => {
            let seconds = set.value.known().and_then(|v| v.trim().parse::<u64>().ok())?;
            Some((seconds.saturating_mul(1000), Some(set.value.span)))
        }
        None if nginx => Some((60_000, None)),
        None => None,
    };
    let (path, path_at) = &ingress.path;
    let public: Arc<str> = super::url::normalized_path(path).into();
    upstream.path = Arc::clone(&public);
    topology.routes.push(Route {
        frontend,
        at: *path_at,
        public: Some(public),
        public_span: *path_at,
        public_symbol: None,
        hosts: ingress.host.iter().filter_map(|h| Some((h.value.known()?.to_string(), h.value.span))).collect(),
        upstream,
        preserve_host: true,
        compression: None,
        websocket: true,
        haproxy: None,
        nginx: Some(NginxRoute {
            http11: true,
            upgrade: true,
            connection: true,
            dropping: None,
            body_limit,
            timeouts: [timeout("proxy-read-timeout"), timeout("proxy-send-timeout")],
        }),
        backend: Some(backend),
    });
}

/// What keeps a user on one replica behind an Ingress: ingress-nginx's `affinity: cookie`,
/// Traefik's sticky cookie, the AWS load balancer's stickiness. Other controllers keep it
/// elsewhere (a `BackendConfig`), so it is not judged for them.
fn ingress_affinity(ingress: &Ingress<'_>) -> Affinity {
    let class = controller(ingress).unwrap_or("");
    let nginx = ingress.annotation("nginx.ingress.kubernetes.io/affinity");
    let traefik = ingress.annotation("traefik.ingress.kubernetes.io/service.sticky.cookie");
    let alb = ingress.annotation("alb.ingress.kubernetes.io/target-group-attributes");
    let sticky = match (nginx, traefik, alb) {
        (Some(set), _, _) if set.value.known().is_some_and(|v| v.trim() == "cookie") => Some(set),
        (_, Some(set), _) if set.value.known().is_some_and(|v| v.trim() == "true") => Some(set),
        (_, _, Some(set)) if set.value.known().is_some_and(|v| v.contains("stickiness.enabled=true")) => Some(set),
        _ => None,
    };
    let name = ingress.annotation("nginx.ingress.kubernetes.io/session-cookie-name");
    let name = name.and_then(|n| n.value.known()).unwrap_or("INGRESSCOOKIE");
    Affinity {
        cookie: sticky.map(|set| (name.to_string(), set.value.span)),
        // A controller atl-lint does not know keeps affinity where it cannot see.
        template: sticky.is_none() && !matches!(class, "nginx" | "traefik" | "alb"),
        ..Affinity::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;

    #[test]
    fn image_references_name_their_product() {
        let of = |image: &str| product(image).map(|p| p.kind);
        assert_eq!(of("atlassian/jira-software:9.12.3"), Some(AppKind::Jira));
        assert_eq!(of("docker.io/atlassian/confluence@sha256:ab"), Some(AppKind::Confluence));
        assert_eq!(of("registry:5000/atlassian/bitbucket-server"), Some(AppKind::Bitbucket));
        assert_eq!(of("Atlassian/Crowd:latest"), Some(AppKind::Crowd));
        assert_eq!(of("nginx:latest"), None);
        assert_eq!(of("cptactionhank/atlassian-jira"), None);
        let crowd = product("atlassian/crowd").unwrap();
        assert_eq!((crowd.port, crowd.context), (8095, "/crowd"));
        assert_eq!(crowd.variables("context-path").collect::<Vec<_>>(), ["ATL_TOMCAT_CONTEXTPATH"]);
        assert_eq!(product("atlassian/bamboo").unwrap().variables("redirect-port").count(), 0);
        assert_eq!(setting_variable(Family::Spring, Field::ProxyName.key()), "SERVER_PROXY_NAME");
    }
}
