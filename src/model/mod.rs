//! The cross-file view: apps, their connectors, context paths and base URLs, each field
//! keeping the setting (and so the span) it came from.

pub mod apache;
pub mod backends;
mod bitbucket;
pub mod containers;
mod declared;
mod kube;
mod link;
pub(crate) mod nginx;
pub mod routes;
pub mod tls;
mod tomcat;
mod traefik;
pub mod url;

pub use declared::declared;

pub use bitbucket::relaxed;

use foldhash::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::source::{FileId, Span};
use crate::syntax::apache_tree::TreeFacts;
use crate::syntax::{Parsed, Setting, Tree};

/// Which Atlassian application a file configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// Jira.
    Jira,
    /// Confluence.
    Confluence,
    /// Bitbucket (or Stash, its former name).
    Bitbucket,
    /// Bamboo.
    Bamboo,
    /// Crowd.
    Crowd,
    /// Some other web application.
    Unknown,
}

impl AppKind {
    /// The product name.
    pub fn name(self) -> &'static str {
        match self {
            AppKind::Jira => "Jira",
            AppKind::Confluence => "Confluence",
            AppKind::Bitbucket => "Bitbucket",
            AppKind::Bamboo => "Bamboo",
            AppKind::Crowd => "Crowd",
            AppKind::Unknown => "the application",
        }
    }

    /// The product whose installer uses this HTTP port by default.
    pub fn by_port(port: u16) -> AppKind {
        match port {
            8080 => AppKind::Jira,
            8090 => AppKind::Confluence,
            7990 => AppKind::Bitbucket,
            8085 => AppKind::Bamboo,
            8095 => AppKind::Crowd,
            _ => AppKind::Unknown,
        }
    }

    /// Guesses the product from a `docBase`, a path or a name.
    pub fn guess(text: &str) -> AppKind {
        let lower = text.to_ascii_lowercase();
        let kinds = [
            ("jira", AppKind::Jira),
            ("confluence", AppKind::Confluence),
            ("stash", AppKind::Bitbucket),
            ("bitbucket", AppKind::Bitbucket),
            ("bamboo", AppKind::Bamboo),
            ("crowd", AppKind::Crowd),
        ];
        kinds.iter().find(|(word, _)| lower.contains(word)).map_or(AppKind::Unknown, |&(_, kind)| kind)
    }
}

/// How a file names its connector settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Style {
    /// Tomcat `<Connector>` attributes (`proxyName`).
    Tomcat,
    /// Spring Boot keys under a prefix (`server.` or `server.additional-connector.1.`).
    Spring(String),
    /// The environment variables of an Atlassian image (`ATL_TOMCAT_SCHEME`, `SERVER_SCHEME`).
    Env(containers::Family),
}

impl Style {
    /// A boolean as the application reads it: Tomcat's `Boolean.parseBoolean`, Spring's
    /// `StringToBooleanConverter`.
    pub fn is_true(&self, text: &str) -> bool {
        let text = text.trim();
        match self {
            Style::Tomcat | Style::Env(containers::Family::Tomcat) => text.eq_ignore_ascii_case("true"),
            Style::Spring(_) | Style::Env(containers::Family::Spring) => {
                ["true", "on", "yes", "1"].iter().any(|t| text.eq_ignore_ascii_case(t))
            }
        }
    }
}

/// A connector setting, by meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The listen port.
    Port,
    /// `request.getScheme()`.
    Scheme,
    /// `request.isSecure()`.
    Secure,
    /// The public host name.
    ProxyName,
    /// The public port.
    ProxyPort,
    /// Where confidential requests are redirected.
    RedirectPort,
}

impl Field {
    /// The field's Spring Boot key (`proxy-name`), which also names it in
    /// `grammar/atlassian-images.txt`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Port => "port",
            Field::Scheme => "scheme",
            Field::Secure => "secure",
            Field::ProxyName => "proxy-name",
            Field::ProxyPort => "proxy-port",
            Field::RedirectPort => "redirect-port",
        }
    }
}

/// One application instance.
#[derive(Debug)]
pub struct App<'a> {
    /// The product.
    pub kind: AppKind,
    /// The file that configures it.
    pub file: FileId,
    /// That file's path.
    pub path: &'a Path,
    /// Its main context path, when set.
    pub context_path: Option<ContextPath<'a>>,
    /// The context path when none is set, if not the root (Crowd's image serves `/crowd`).
    pub default_context: Option<&'static str>,
    /// Tomcat's `<Engine jvmRoute>`: the node name appended to session ids.
    pub jvm_route: Option<&'a Setting<'a>>,
    /// Confluence's internal Synchrony proxy, for a `server.xml` whose main context's
    /// `docBase` ends in `confluence`.
    pub synchrony_proxy: Option<SynchronyProxy>,
    /// What makes the app take its scheme from the proxy's `X-Forwarded-Proto`: a
    /// `RemoteIpValve` with that `protocolHeader`, or Bitbucket's
    /// `server.forward-headers-strategy` of `native` or `framework`.
    pub forwarded_proto: Option<Span>,
    /// The compose service or Kubernetes workload that runs it, by which `--base-url` and
    /// `[[app]]` may name it.
    pub service: Option<&'a str>,
}

/// Whether a Confluence `server.xml` deploys the internal Synchrony proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynchronyProxy {
    /// The `<Host>` start tag of Confluence's main context.
    pub host: Span,
    /// A live `<Context>` of that file has a path ending in `/synchrony-proxy`.
    pub present: bool,
}

/// Which normalisation a context path setting gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// Tomcat `<Context path>`: `"/"` means root, but only after a warning.
    Tomcat,
    /// Spring Boot `server.context-path`: `/` and empty both mean root.
    Spring,
}

/// A context path setting.
#[derive(Clone, Copy, Debug)]
pub struct ContextPath<'a> {
    /// The setting.
    pub setting: &'a Setting<'a>,
    /// How the application reads it.
    pub style: PathStyle,
    /// The `<Host>` element it belongs to (Tomcat).
    pub host: Option<usize>,
    /// The app it belongs to.
    pub app: usize,
}

impl ContextPath<'_> {
    /// The path as the application uses it (`""` for root, no trailing slash), when known.
    pub fn normalized(&self) -> Option<String> {
        self.setting.value.known().map(url::context_path)
    }
}

/// A TLS protocol setting and how its value is read.
#[derive(Clone, Copy, Debug)]
pub struct ProtocolSetting<'a> {
    /// The setting.
    pub setting: &'a Setting<'a>,
    /// Its syntax.
    pub syntax: ProtocolSyntax,
}

/// The syntaxes of protocol settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolSyntax {
    /// Tomcat's `+`/`-` list (`protocols`, `sslEnabledProtocols`).
    TomcatList,
    /// A comma-separated list of names (`server.ssl.enabled-protocols`).
    CommaList,
}

/// A Tomcat connector: a `<Connector>` or the `server.*` keys of `bitbucket.properties`.
#[derive(Debug)]
pub struct Connector<'a> {
    /// The file it is in.
    pub file: FileId,
    /// The app it serves.
    pub app: usize,
    /// Where to point when a setting is absent: the element name, or the first key.
    pub at: Span,
    /// How its settings are named.
    pub style: Style,
    /// The setting a new one is written after, in the same style (the last attribute, key
    /// or variable of this connector in its file); `None`: there is none to copy.
    pub last: Option<&'a Setting<'a>>,
    /// An AJP connector (not HTTP).
    pub ajp: bool,
    /// Tomcat terminates TLS itself (`SSLEnabled`, `server.ssl.enabled`), which forces the
    /// scheme to `https` and `secure` to true.
    pub ssl_enabled: bool,
    /// `port`.
    pub port: Option<&'a Setting<'a>>,
    /// The port when the setting is absent (Bitbucket's 7990).
    pub default_port: Option<u16>,
    /// The template variable the port is written as, when it is one (`{{ jira_port }}`).
    pub port_variable: Option<Arc<str>>,
    /// `scheme`.
    pub scheme: Option<&'a Setting<'a>>,
    /// `secure`.
    pub secure: Option<&'a Setting<'a>>,
    /// `proxyName`.
    pub proxy_name: Option<&'a Setting<'a>>,
    /// `proxyPort`.
    pub proxy_port: Option<&'a Setting<'a>>,
    /// `redirectPort`.
    pub redirect_port: Option<&'a Setting<'a>>,
    /// `address`.
    pub address: Option<&'a Setting<'a>>,
    /// AJP `secret` (or its old name `requiredSecret`).
    pub secret: Option<&'a Setting<'a>>,
    /// AJP `secretRequired`.
    pub secret_required: Option<&'a Setting<'a>>,
    /// TLS protocol settings.
    pub protocols: Vec<ProtocolSetting<'a>>,
    /// Cipher settings (`ciphers`, `server.ssl.ciphers`).
    pub ciphers: Vec<&'a Setting<'a>>,
    /// `compression` / `server.compression.enabled`.
    pub compression: Option<&'a Setting<'a>>,
    /// `maxHttpHeaderSize` / `server.max-http-header-size`.
    pub max_header_size: Option<&'a Setting<'a>>,
    /// `maxPostSize`.
    pub max_post_size: Option<&'a Setting<'a>>,
    /// `relaxedPathChars` and `relaxedQueryChars` (Tomcat only).
    pub relaxed_chars: [Option<&'a Setting<'a>>; 2],
    /// The app's main context names Jira's web application (`docBase` with
    /// `atlassian-jira`): its connectors are Jira's shipped ones.
    pub jira_webapp: bool,
}

impl Connector<'_> {
    /// The name of a field as this connector's file spells it.
    pub fn name(&self, field: Field) -> String {
        match &self.style {
            Style::Tomcat => match field {
                Field::Port => "port",
                Field::Scheme => "scheme",
                Field::Secure => "secure",
                Field::ProxyName => "proxyName",
                Field::ProxyPort => "proxyPort",
                Field::RedirectPort => "redirectPort",
            }
            .to_string(),
            Style::Spring(prefix) => format!("{prefix}{}", field.key()),
            Style::Env(family) => containers::setting_variable(*family, field.key()).to_string(),
        }
    }

    /// The setting for a field.
    pub fn get(&self, field: Field) -> Option<&Setting<'_>> {
        match field {
            Field::Port => self.port,
            Field::Scheme => self.scheme,
            Field::Secure => self.secure,
            Field::ProxyName => self.proxy_name,
            Field::ProxyPort => self.proxy_port,
            Field::RedirectPort => self.redirect_port,
        }
    }

    /// How to write a setting in this connector's file (`secure="true"`, `server.secure=true`).
    pub fn assignment(&self, field: Field, value: &str) -> String {
        match self.style {
            Style::Tomcat => format!("{}=\"{value}\"", self.name(field)),
            Style::Spring(_) | Style::Env(_) => format!("{}={value}", self.name(field)),
        }
    }

    /// The scheme the application reports: `None` when it is unknown.
    pub fn scheme_value(&self) -> Option<String> {
        if self.ssl_enabled {
            return Some("https".into());
        }
        match self.scheme {
            None => Some("http".into()),
            Some(s) => s.value.known().map(|v| v.trim().to_ascii_lowercase()),
        }
    }

    /// Whether the application treats requests as secure: `None` when unknown.
    pub fn secure_value(&self) -> Option<bool> {
        if self.ssl_enabled {
            return Some(true);
        }
        match self.secure {
            None => Some(false),
            Some(s) => s.value.known().map(|v| self.is_true(v)),
        }
    }

    /// The listen port, when it is a known valid number.
    pub fn port_number(&self) -> Option<u16> {
        match self.port {
            None => self.default_port,
            Some(s) => self.number(s),
        }
    }

    /// The value of a port setting, read as the application reads numbers.
    pub fn number(&self, setting: &Setting<'_>) -> Option<u16> {
        let text = setting.value.known()?;
        // Spring Boot trims before converting; Tomcat's Integer.parseInt does not.
        let text = if self.spring() { text.trim() } else { text };
        text.parse::<u16>().ok().filter(|&p| p > 0)
    }

    /// Spring Boot reads its settings (Bitbucket's properties or environment).
    pub fn spring(&self) -> bool {
        matches!(self.style, Style::Spring(_) | Style::Env(containers::Family::Spring))
    }

    /// A boolean as the application reads it.
    pub fn is_true(&self, text: &str) -> bool {
        self.style.is_true(text)
    }

    /// Whether the connector compresses responses: Tomcat's `compression` `on`, `force` or a
    /// minimum size; Spring's `server.compression.enabled=true`.
    pub fn compresses(&self) -> bool {
        let Some(text) = self.compression.and_then(|s| s.value.known()) else { return false };
        let text = text.trim();
        match self.style {
            Style::Tomcat => {
                text.eq_ignore_ascii_case("on")
                    || text.eq_ignore_ascii_case("force")
                    || text.parse::<i64>().is_ok_and(|n| n > 0)
            }
            Style::Spring(_) | Style::Env(containers::Family::Spring) => self.is_true(text),
            Style::Env(containers::Family::Tomcat) => {
                text.eq_ignore_ascii_case("on")
                    || text.eq_ignore_ascii_case("force")
                    || text.parse::<i64>().is_ok_and(|n| n > 0)
            }
        }
    }
}

/// A declared base URL of an app.
#[derive(Clone, Copy, Debug)]
pub struct BaseUrl<'a> {
    /// The app.
    pub app: usize,
    /// The setting that declares it.
    pub setting: &'a Setting<'a>,
}

/// Which proxy a frontend or route is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyKind {
    /// Apache httpd.
    Apache,
    /// HAProxy.
    Haproxy,
    /// nginx.
    Nginx,
    /// A Kubernetes Ingress (ingress-nginx unless its class says otherwise).
    Ingress,
    /// Traefik, configured by labels on compose services.
    Traefik,
}

/// Where the public reaches the proxy: an Apache virtual host (or the server context), or
/// one HAProxy `bind` line.
#[derive(Debug)]
pub struct Frontend<'a> {
    /// Its path, for directory proximity.
    pub path: &'a Path,
    /// The proxy.
    pub kind: ProxyKind,
    /// How a person names it (`<VirtualHost *:443>`, `frontend www`).
    pub label: String,
    /// The opening tag or the `bind` line.
    pub at: Span,
    /// The listen port, when known.
    pub port: Option<u16>,
    /// Where the port is written.
    pub port_span: Span,
    /// Where TLS is switched on (`SSLEngine on`, `ssl` on the bind), if it is.
    pub tls: Option<Span>,
}

/// Where a route sends requests. Schemes and paths are shared between the routes of one
/// HAProxy rule rather than copied for each.
#[derive(Clone, Debug)]
pub struct Upstream {
    /// `http`, `https`, `ws`, `wss`, `ajp`, `balancer`.
    pub scheme: Arc<str>,
    /// The host, lower-cased.
    pub host: Arc<str>,
    /// The port (the scheme's default when not written).
    pub port: Option<u16>,
    /// The template variable the port is written as, when it is one (`{{ jira_port }}`).
    pub port_variable: Option<Arc<str>>,
    /// The path as written (`""` when none).
    pub path: Arc<str>,
    /// The URL or server address.
    pub span: Span,
}

/// What an HAProxy route adds to a [`Route`].
#[derive(Clone, Copy, Debug)]
pub struct HaproxyRoute {
    /// The frontend is in `mode http`.
    pub http: bool,
    /// `option forwardfor` or a `set-header X-Forwarded-For` applies.
    pub forwardfor: bool,
    /// The backend's header line.
    pub backend_header: Span,
    /// The frontend's header line.
    pub frontend_header: Span,
    /// The `timeout client` in effect: the frontend's own, else its `defaults`'.
    pub client: Option<HaproxyTimeout>,
    /// The `timeout server` in effect: the backend's own, else its `defaults`'.
    pub server: Option<HaproxyTimeout>,
    /// The `timeout tunnel` in effect: the backend's own, else its `defaults`'.
    pub tunnel: Option<HaproxyTimeout>,
    /// The smallest request body a frontend or backend rule refuses everything above
    /// (`http-request deny if { req.body_size gt N }`): the bytes it lets through, and the
    /// rule line.
    pub body_limit: Option<(u64, Span)>,
}

/// An HAProxy timeout as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HaproxyTimeout {
    /// Milliseconds; `None` when the value is a template or cannot be read.
    pub ms: Option<u64>,
    /// The `timeout …` line.
    pub line: Span,
    /// Its value.
    pub value: Span,
}

/// What an nginx route adds to a [`Route`]: the settings in effect where its `proxy_pass`
/// stands, as nginx inherits them.
#[derive(Clone, Copy, Debug)]
pub struct NginxRoute {
    /// `proxy_http_version 1.1` (nginx speaks HTTP/1.0 to upstreams by default).
    pub http11: bool,
    /// `proxy_set_header Upgrade $http_upgrade`.
    pub upgrade: bool,
    /// `proxy_set_header Connection` with `upgrade` (or `$connection_upgrade`).
    pub connection: bool,
    /// The first `proxy_set_header` of a block that drops those an outer block sets.
    pub dropping: Option<Span>,
    /// The `client_max_body_size` in effect, in bytes (`0`: no limit), and where it is set
    /// (`None`: nginx's default of 1m).
    pub body_limit: (u64, Option<Span>),
    /// The `proxy_read_timeout` and `proxy_send_timeout` in effect, in milliseconds, and
    /// where each is set (`None`: nginx's default of 60 s; a value atl-lint cannot read is
    /// left out).
    pub timeouts: [Option<(u64, Option<Span>)>; 2],
}

/// Where a proxy balances requests among servers: an HAProxy `backend` or `listen`
/// section, an Apache `balancer://` cluster or an nginx `upstream`.
#[derive(Debug)]
pub struct Backend {
    /// The proxy.
    pub kind: ProxyKind,
    /// The section's name, or `balancer://name` (lowercased).
    pub name: String,
    /// The section header, the cluster's `<Proxy>` tag (else its first member), the
    /// `upstream` line.
    pub at: Span,
    /// Its servers, in file order.
    pub servers: Vec<Server>,
    /// The balancing algorithm (`balance`, `lbmethod=`), lowercased, and where it is written.
    pub balance: Option<(String, Span)>,
    /// What keeps a client on one server (`cookie`, `stick on`, `stickysession=`), if
    /// anything does.
    pub persistence: Option<Span>,
    /// HAProxy `mode tcp` (its own or its defaults').
    pub tcp: bool,
    /// How a user's session stays on one server.
    pub affinity: Affinity,
    /// HAProxy's HTTP health check request (`option httpchk`, `http-check send`), when one is
    /// in effect.
    pub health: Option<HealthCheck>,
}

impl Backend {
    /// A backend whose nodes are one pool (an Ingress's replicas, a Traefik service's
    /// servers): `count` of them, reached at `address`, their number said at `line`.
    pub fn pool(
        kind: ProxyKind,
        name: String,
        at: Span,
        (count, address, line): (usize, Span, Span),
        affinity: Affinity,
    ) -> Self {
        let server = Server {
            address,
            line,
            count,
            active: true,
            template: false,
            cookie: None,
            route: None,
            check: true,
            health_uri: None,
        };
        Backend {
            kind,
            name,
            at,
            servers: vec![server],
            balance: None,
            persistence: None,
            tcp: false,
            affinity,
            health: None,
        }
    }

    /// How many servers take requests (`backup`, disabled and hot-standby ones do not).
    pub fn active(&self) -> usize {
        self.servers.iter().filter(|s| s.active).map(|s| s.count).sum()
    }
}

/// One `server`, `server-template` or `BalancerMember` line of a backend.
#[derive(Clone, Debug)]
pub struct Server {
    /// Its address (`server` address, `BalancerMember` URL).
    pub address: Span,
    /// The whole line.
    pub line: Span,
    /// How many servers the line makes (a `server-template`'s count, else 1).
    pub count: usize,
    /// It takes requests: not `backup` or `disabled` (HAProxy), not a hot standby,
    /// disabled or stopped (Apache `status=`).
    pub active: bool,
    /// A word of the line is a template value.
    pub template: bool,
    /// HAProxy `cookie VALUE`.
    pub cookie: Option<Span>,
    /// Apache `route=`: the value and where it is written.
    pub route: Option<(String, Span)>,
    /// HAProxy: health checks run (`check` on the line or its `default-server`).
    pub check: bool,
    /// Apache mod_proxy_hcheck: the path the check requests (the member's path and
    /// `hcuri`), and where it is written; `None` for a template value or no HTTP check.
    pub health_uri: Option<(String, Span)>,
}

/// What keeps a user's requests on one server of a backend.
#[derive(Clone, Debug, Default)]
pub struct Affinity {
    /// HAProxy `cookie NAME insert|rewrite|prefix`, Apache `stickysession=NAME`: the name
    /// as written and where.
    pub cookie: Option<(String, Span)>,
    /// HAProxy: a `cookie NAME` line without a mode that lets HAProxy persist.
    pub passive_cookie: Option<Span>,
    /// HAProxy: a `stick on|match|store-request|store-response` rule with a table.
    pub stick: Option<Span>,
    /// HAProxy: a `balance` that sends a client to the same server (`source`, `hdr()`,
    /// `url_param`, `rdp-cookie`, `uri` with `hash-type`).
    pub pinning: Option<Span>,
    /// Apache: a `Header ... Set-Cookie "NAME=..."` in scope sets the sticky cookie (`ROUTEID`
    /// when no `stickysession` names one).
    pub cookie_set: bool,
    /// A setting that decides it is a template value.
    pub template: bool,
}

/// An HTTP health check request.
#[derive(Clone, Debug)]
pub struct HealthCheck {
    /// The URI requested (`/` for a bare `option httpchk`); `None` for a template value.
    pub uri: Option<String>,
    /// Where it is written.
    pub span: Span,
}

/// Host names with where each is written, shared by the routes of one virtual host or rule.
pub type Hosts = Arc<[(String, Span)]>;

/// A frontend's public path prefix sent to an upstream.
#[derive(Clone, Debug)]
pub struct Route {
    /// The frontend (its file and proxy too).
    pub frontend: usize,
    /// The `ProxyPass` / `use_backend` line.
    pub at: Span,
    /// The public path prefix (no trailing slash, `""` for the root); `None` when the
    /// condition cannot be read.
    pub public: Option<Arc<str>>,
    /// Where the public path is written (the HAProxy redirect target when it tells it).
    pub public_span: Span,
    /// The public path as written when it is a template expression (`{{ jira_path }}`).
    pub public_symbol: Option<String>,
    /// Host names the route answers for (`ServerName`/`ServerAlias`, `hdr(host)`).
    pub hosts: Hosts,
    /// The upstream.
    pub upstream: Upstream,
    /// The proxy passes the client's `Host` header on.
    pub preserve_host: bool,
    /// Where the proxy compresses responses on this route.
    pub compression: Option<Span>,
    /// WebSocket upgrades pass.
    pub websocket: bool,
    /// HAProxy details.
    pub haproxy: Option<HaproxyRoute>,
    /// nginx details.
    pub nginx: Option<NginxRoute>,
    /// The backend the route balances over, when it does.
    pub backend: Option<usize>,
}

impl Route {
    /// Whether it carries Synchrony: its public path is `/synchrony` or below, or its
    /// upstream is Synchrony's port.
    pub fn carries_synchrony(&self) -> bool {
        let public = self.public.as_deref().unwrap_or("");
        public == "/synchrony" || public.starts_with("/synchrony/") || self.upstream.port == Some(SYNCHRONY_PORT)
    }
}

/// Everything the rules join across files.
#[derive(Debug, Default)]
pub struct Topology<'a> {
    /// Application instances.
    pub apps: Vec<App<'a>>,
    /// Their connectors.
    pub connectors: Vec<Connector<'a>>,
    /// Every context path setting.
    pub contexts: Vec<ContextPath<'a>>,
    /// Declared base URLs.
    pub base_urls: Vec<BaseUrl<'a>>,
    /// Which include tree each Apache file is read in, and what each tree knows.
    pub apache_trees: crate::includes::ApacheTrees,
    /// nginx's include trees.
    pub nginx_trees: crate::includes::NginxTrees,
    /// Each nginx file's configuration, by id, for reading the trees.
    pub nginx_configs: crate::syntax::nginx::spliced::Configs<'a>,
    /// Proxy frontends.
    pub frontends: Vec<Frontend<'a>>,
    /// Proxy routes.
    pub routes: Vec<Route>,
    /// Where routes balance among servers.
    pub backends: Vec<Backend>,
    /// Every protocol-version setting, in every format.
    pub tls_protocols: Vec<tls::ProtocolEnabling>,
    /// The connector each route is linked to, by route.
    pub route_links: Vec<Option<usize>>,
    /// The routes linked to each connector, by connector.
    pub connector_links: Vec<Vec<usize>>,
    /// Each Apache file's `ProxyPass`/`ProxyPassReverse` lines, found once for the model and
    /// every rule.
    pub passes: HashMap<FileId, Vec<apache::Pass<'a, 'a>>>,
    /// Ports of the apps' companion services (Synchrony, Bitbucket SSH and Mesh).
    pub companion_ports: Vec<u16>,
    /// Bitbucket's SSH ports.
    pub ssh_ports: Vec<u16>,
    /// The host names compose services are reached by (service names, aliases, lower
    /// case), with the connector of each service of that name (`None`: a service that
    /// runs no Atlassian image).
    pub container_hosts: HashMap<String, Vec<Option<usize>>>,
    /// The repository paths compose services mount (`./nginx/conf.d`), with the compose
    /// file: a proxy configuration under one belongs to that file's services.
    pub container_mounts: Vec<(std::path::PathBuf, FileId)>,
    /// A Kubernetes service's port mapped to its pods' (`port: 80`, `targetPort: 8080`),
    /// by the service's host name.
    pub container_ports: HashMap<(String, u16), u16>,
    /// Frontends that pass on the `X-Forwarded-*` headers clients send (Traefik's
    /// `forwardedHeaders.insecure`), with where that is said.
    pub trusting_frontends: Vec<(usize, Span)>,
}

impl<'a> Topology<'a> {
    /// The routes linked to a connector, with their frontends.
    pub fn routes_of(&self, connector: usize) -> impl Iterator<Item = (&Route, &Frontend<'_>)> {
        let linked = self.connector_links.get(connector).map_or(&[][..], Vec::as_slice);
        linked.iter().filter_map(|&r| {
            let route = self.routes.get(r)?;
            Some((route, self.frontends.get(route.frontend)?))
        })
    }

    /// nginx's include trees, each read through the files it is made of.
    pub fn nginx_views(&self) -> impl Iterator<Item = crate::syntax::nginx::spliced::View<'_, 'a>> {
        let configs = &self.nginx_configs;
        self.nginx_trees.trees.iter().map(move |tree| crate::syntax::nginx::spliced::View::new(tree, configs))
    }

    /// The include tree an Apache file is read in, if any.
    pub fn apache_tree(&self, source: &crate::source::SourceFile) -> Option<&TreeFacts> {
        self.apache_trees.facts(source.id())
    }
}

/// Builds the topology from parsed files.
/// A base URL declared outside the scanned files (`--base-url [APP=]URL`): the app it is
/// for (a product name or a context path; none for the only app) and the URL as a setting.
#[derive(Debug)]
pub struct DeclaredBaseUrl<'a> {
    /// `jira`, `bitbucket`, ..., or a context path (`/jira`).
    pub app: Option<&'a str>,
    /// The URL.
    pub setting: Setting<'a>,
}

/// Builds the topology from parsed files and declared base URLs.
pub fn build<'a>(
    files: &'a [Parsed<'a>],
    apache_trees: crate::includes::ApacheTrees,
    mut nginx_trees: crate::includes::NginxTrees,
    declared: &'a [DeclaredBaseUrl<'a>],
) -> Topology<'a> {
    let mut topology = Topology { apache_trees, ..Topology::default() };
    let mut nginx_sources = nginx::Sources::default();
    for parsed in files {
        match &parsed.tree {
            Tree::ServerXml(doc) => tomcat::add(&mut topology, parsed.source, doc),
            Tree::Properties(props) => bitbucket::add(&mut topology, parsed.source, props),
            Tree::Haproxy(config) => routes::add_haproxy(&mut topology, parsed.source, config),
            Tree::Apache(config) => {
                let passes = apache::passes(config);
                routes::add_apache(&mut topology, parsed.source, config, &passes);
                topology.passes.insert(parsed.source.id(), passes);
            }
            Tree::Nginx(config) => {
                topology.nginx_configs.insert(parsed.source.id(), config);
                nginx_sources.insert(parsed.source.id(), parsed.source);
            }
            Tree::Compose(compose) => {
                containers::add_compose(&mut topology, parsed.source, compose);
                traefik::add(&mut topology, parsed.source, compose);
            }
            Tree::HelmValues(values) => containers::add_helm(&mut topology, parsed.source, values),
            Tree::DotEnv(_) | Tree::Kube(_) | Tree::Traefik(_) => {}
        }
    }
    kube::add(&mut topology, files);
    traefik::add_files(&mut topology, files);
    // A file no tree holds (the include step was not run) is read alone.
    let held: foldhash::HashSet<FileId> =
        nginx_trees.trees.iter().flat_map(|t| t.nodes.iter().map(|n| n.file).chain([t.root])).collect();
    for parsed in files {
        if let (Tree::Nginx(config), false) = (&parsed.tree, held.contains(&parsed.source.id())) {
            nginx_trees.trees.push(crate::syntax::nginx::spliced::alone(parsed.source.id(), config));
        }
    }
    let configs = std::mem::take(&mut topology.nginx_configs);
    for tree in &nginx_trees.trees {
        nginx::add(&mut topology, &nginx_sources, crate::syntax::nginx::spliced::View::new(tree, &configs));
    }
    topology.nginx_configs = configs;
    topology.nginx_trees = nginx_trees;
    for base in declared {
        let apps: Vec<usize> = match base.app {
            None if topology.apps.len() == 1 => vec![0],
            None => Vec::new(),
            Some(path) if path.starts_with('/') => {
                let wanted = url::normalized_path(path);
                (0..topology.apps.len())
                    .filter(|&i| {
                        let context = topology.apps.get(i).and_then(|a| a.context_path.as_ref());
                        context.map_or(Some(String::new()), ContextPath::normalized).is_some_and(|c| c == wanted)
                    })
                    .collect()
            }
            Some(name) => {
                // A compose service or workload of that name, else the product it names.
                let service = |a: &App<'_>| a.service.is_some_and(|s| s.eq_ignore_ascii_case(name));
                let named: Vec<usize> =
                    (0..topology.apps.len()).filter(|&i| topology.apps.get(i).is_some_and(service)).collect();
                let kind = AppKind::guess(name);
                match named.is_empty() {
                    true => (0..topology.apps.len())
                        .filter(|&i| topology.apps.get(i).is_some_and(|a| a.kind == kind))
                        .collect(),
                    false => named,
                }
            }
        };
        topology.base_urls.extend(apps.into_iter().map(|app| BaseUrl { app, setting: &base.setting }));
    }
    link::link(&mut topology);
    topology.tls_protocols = tls::protocols(files, &topology.connectors);
    topology
}

/// Synchrony's port.
pub const SYNCHRONY_PORT: u16 = 8091;
/// Bitbucket's default SSH port.
pub const BITBUCKET_SSH_PORT: u16 = 7999;
/// Bitbucket Mesh's port.
pub const MESH_PORT: u16 = 7777;
