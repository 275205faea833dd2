//! Traefik's own configuration files, YAML or TOML: the static configuration's entry
//! points and API, and the dynamic configuration's HTTP routers, services and middlewares
//! (the file provider's). A TOML file is read into the same positioned tree as YAML, so
//! one reader serves both. Traefik matches option names without regard to case.

use std::borrow::Cow;
use std::sync::Arc;

use super::yaml::{self, Kind, Node};
use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{FileId, SourceFile, Span};

/// A Traefik configuration file.
#[derive(Debug, Default)]
pub struct Traefik<'a> {
    /// `entryPoints`.
    pub entry_points: Vec<EntryPoint>,
    /// `api.insecure: true`: the dashboard and API on the `traefik` entry point (:8080), and
    /// where it is said.
    pub api_insecure: Option<Span>,
    /// `http.routers`.
    pub routers: Vec<Router<'a>>,
    /// `http.services`.
    pub services: Vec<LoadBalancer>,
    /// `http.middlewares`.
    pub middlewares: Vec<Middleware>,
    /// Comments, for inline suppressions.
    pub comments: Vec<Comment<'a>>,
    /// What could not be read.
    pub problems: Vec<SyntaxProblem>,
    /// The values of secret-named keys (and of `basicAuth` users).
    pub secrets: Vec<Span>,
}

/// An entry point.
#[derive(Debug)]
pub struct EntryPoint {
    /// Its name, lower case.
    pub name: String,
    /// The port of its `address`.
    pub port: Option<u16>,
    /// `http.tls` on it: every router on it ends TLS.
    pub tls: Option<Span>,
    /// `forwardedHeaders.insecure: true`: the `X-Forwarded-*` headers clients send are
    /// passed on as they are.
    pub trusts_clients: Option<Span>,
}

/// A router.
#[derive(Debug)]
pub struct Router<'a> {
    /// Its name, lower case, without a provider suffix.
    pub name: String,
    /// `rule`.
    pub rule: Setting<'a>,
    /// `entryPoints`, lower case (none: every entry point).
    pub entry_points: Vec<String>,
    /// `service`, lower case, without a provider suffix (`api@internal` kept whole).
    pub service: Option<String>,
    /// `tls` set (to anything but `false`).
    pub tls: Option<Span>,
    /// `middlewares`, lower case, without a provider suffix.
    pub middlewares: Vec<String>,
    /// Traefik 1: whether the frontend passes the client's `Host` header on (its
    /// `passHostHeader`, false unless set); later versions set it on the service.
    pub passes_host: Option<bool>,
}

/// A service's load balancer.
#[derive(Debug)]
pub struct LoadBalancer {
    /// Its name, lower case.
    pub name: String,
    /// Where it is written.
    pub at: Span,
    /// `servers[].url`, with their spans.
    pub servers: Vec<(String, Span)>,
    /// `sticky.cookie`: the cookie's name (Traefik's own when none is given) and where.
    pub sticky: Option<(String, Span)>,
    /// `passHostHeader: false`.
    pub host_dropped: bool,
}

/// A middleware.
#[derive(Debug)]
pub struct Middleware {
    /// Its name, lower case.
    pub name: String,
    /// `compress`.
    pub compress: Option<Span>,
    /// `stripPrefix.prefixes`.
    pub strip_prefixes: Vec<String>,
}

/// Whether a text looks like Traefik's configuration: entry points, or HTTP routers or
/// services, at the top level of YAML or TOML.
pub fn looks_like_traefik(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_end();
        let lower = line.to_ascii_lowercase();
        lower.starts_with("entrypoints:")
            || lower.starts_with("[entrypoints")
            || lower.starts_with("[http.routers")
            || lower.starts_with("[http.services")
            || lower.starts_with("[frontends")
            || lower.starts_with("[backends")
    }) || (text.lines().any(|l| l.trim_end() == "http:")
        && text.lines().any(|l| l.trim().eq_ignore_ascii_case("routers:")))
}

/// Reads a Traefik configuration file (TOML when its name says so).
pub fn parse(source: &SourceFile) -> Traefik<'_> {
    let toml = source.path().to_string_lossy().to_ascii_lowercase().contains(".toml");
    let (root, problems) = if toml { toml_tree(source) } else { yaml_root(source) };
    let mut out = Traefik { comments: super::compose::comments(source), problems, ..Traefik::default() };
    let Some(root) = root else { return out };
    out.secrets = yaml::secret_values(&root);
    for (key, point) in get(&root, "entryPoints").map(Node::entries).unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        // Traefik 1's entry point authentication lists.
        let auth = get(point, "auth");
        for users in [auth.and_then(|a| get(a, "basic")), auth.and_then(|a| get(a, "digest"))].into_iter().flatten() {
            out.secrets.extend(get(users, "users").map(secret_list).unwrap_or_default());
        }
        let address = get(point, "address").and_then(Node::text);
        // Traefik 2 and 3 switch TLS on with `http.tls`; Traefik 1 with `tls`.
        let tls = get(point, "http").and_then(|h| get(h, "tls")).or_else(|| get(point, "tls"));
        out.entry_points.push(EntryPoint {
            name: name.to_ascii_lowercase(),
            port: address.and_then(address_port),
            tls: tls.filter(|t| !is(t, false)).map(|t| t.span),
            trusts_clients: get(point, "forwardedHeaders")
                .and_then(|f| get(f, "insecure"))
                .filter(|n| is(n, true))
                .map(|n| n.span),
        });
    }
    let api = get(&root, "api");
    out.api_insecure = api.and_then(|a| get(a, "insecure")).filter(|n| is(n, true)).map(|n| n.span);
    let http = get(&root, "http");
    for (key, router) in http.and_then(|h| get(h, "routers")).map(Node::entries).unwrap_or_default() {
        let (Some(name), Some(rule)) = (key.text(), get(router, "rule")) else { continue };
        let Some(text) = rule.text() else { continue };
        let rule_key = router.entries().iter().find(|(k, _)| k.text().is_some_and(|t| t.eq_ignore_ascii_case("rule")));
        let name_span = rule_key.map_or(rule.span, |(k, _)| k.span);
        let value = Value::new(Cow::Owned(text.to_string()), rule.span);
        let tls = get(router, "tls").filter(|t| !is(t, false));
        out.routers.push(Router {
            name: bare(name),
            rule: Setting { name: Cow::Borrowed("rule"), name_span, span: name_span.cover(rule.span), value },
            entry_points: list(get(router, "entryPoints")).into_iter().map(|e| e.to_ascii_lowercase()).collect(),
            service: get(router, "service").and_then(Node::text).map(|s| match s.ends_with("@internal") {
                true => s.to_ascii_lowercase(),
                false => bare(s),
            }),
            tls: tls.map(|t| t.span),
            middlewares: list(get(router, "middlewares")).iter().map(|m| bare(m)).collect(),
            passes_host: None,
        });
    }
    for (key, service) in http.and_then(|h| get(h, "services")).map(Node::entries).unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        let Some(balancer) = get(service, "loadBalancer") else { continue };
        let servers = get(balancer, "servers").map(Node::items).unwrap_or_default();
        let sticky = get(balancer, "sticky").and_then(|s| get(s, "cookie"));
        let cookie = sticky.and_then(|c| get(c, "name")).and_then(Node::text);
        out.services.push(LoadBalancer {
            name: bare(name),
            at: key.span,
            servers: servers
                .iter()
                .filter_map(|s| get(s, "url").and_then(|u| Some((u.text()?.to_string(), u.span))))
                .collect(),
            // Traefik names the cookie after a hash of the service when no name is given.
            sticky: sticky.map(|c| (cookie.unwrap_or("").to_string(), c.span)),
            host_dropped: get(balancer, "passHostHeader").is_some_and(|p| is(p, false)),
        });
    }
    traefik_1(&root, &mut out);
    for (key, middleware) in http.and_then(|h| get(h, "middlewares")).map(Node::entries).unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        let strip = get(middleware, "stripPrefix").and_then(|s| get(s, "prefixes"));
        out.middlewares.push(Middleware {
            name: bare(name),
            compress: get(middleware, "compress").map(|_| key.span),
            strip_prefixes: list(strip),
        });
        // A `basicAuth`/`digestAuth` user list (or one string of them) holds password hashes.
        for auth in ["basicAuth", "digestAuth"] {
            let users = get(middleware, auth).and_then(|a| get(a, "users"));
            out.secrets.extend(users.map(secret_list).unwrap_or_default());
        }
    }
    out
}

/// Traefik 1's file provider: `[frontends.NAME]` with a `backend`, its entry points and
/// `routes.*.rule` (``Host:a;PathPrefix:/jira``, all of a frontend's rules applying), and
/// `[backends.NAME]` with `servers.*.url` and `loadBalancer.stickiness`.
fn traefik_1(root: &Node, out: &mut Traefik<'_>) {
    for (key, frontend) in get(root, "frontends").map(Node::entries).unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        let routes = get(frontend, "routes").map(Node::entries).unwrap_or_default();
        let rules: Vec<&Node> =
            routes.iter().filter_map(|(_, r)| get(r, "rule")).filter(|r| r.text().is_some()).collect();
        let Some(first) = rules.first() else { continue };
        let text: Vec<&str> = rules.iter().filter_map(|r| r.text()).collect();
        let rule_key = routes.iter().find_map(|(_, r)| {
            r.entries()
                .iter()
                .find(|(k, _)| k.text().is_some_and(|t| t.eq_ignore_ascii_case("rule")))
                .map(|(k, _)| k.span)
        });
        let name_span = rule_key.unwrap_or(first.span);
        let value = Value::new(Cow::Owned(text.join(";")), first.span);
        out.routers.push(Router {
            name: bare(name),
            rule: Setting { name: Cow::Borrowed("rule"), name_span, span: name_span.cover(first.span), value },
            entry_points: list(get(frontend, "entryPoints")).into_iter().map(|e| e.to_ascii_lowercase()).collect(),
            service: get(frontend, "backend").and_then(Node::text).map(bare),
            tls: None,
            middlewares: Vec::new(),
            passes_host: Some(get(frontend, "passHostHeader").is_some_and(|p| is(p, true))),
        });
        // Traefik 1's basic and digest authentication lists hold password hashes.
        let auth = get(frontend, "auth");
        let lists =
            [get(frontend, "basicAuth"), auth.and_then(|a| get(a, "basic")), auth.and_then(|a| get(a, "digest"))];
        for users in lists.into_iter().flatten() {
            out.secrets.extend(secret_list(get(users, "users").unwrap_or(users)));
        }
    }
    for (key, backend) in get(root, "backends").map(Node::entries).unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        let servers = get(backend, "servers").map(Node::entries).unwrap_or_default();
        let balancer = get(backend, "loadBalancer");
        let stickiness = balancer.and_then(|b| get(b, "stickiness"));
        let sticky = balancer.and_then(|b| get(b, "sticky")).filter(|s| is(s, true));
        let cookie = stickiness.and_then(|s| get(s, "cookieName")).and_then(Node::text).unwrap_or("");
        out.services.push(LoadBalancer {
            name: bare(name),
            at: key.span,
            servers: servers
                .iter()
                .filter_map(|(_, s)| get(s, "url").and_then(|u| Some((u.text()?.to_string(), u.span))))
                .collect(),
            sticky: stickiness.or(sticky).map(|s| (cookie.to_string(), s.span)),
            host_dropped: false,
        });
    }
}

/// The spans of a list of users (or of one string holding them).
fn secret_list(node: &Node) -> Vec<Span> {
    match node.text() {
        Some(_) => vec![node.span],
        None => node.items().iter().filter(|u| u.text().is_some()).map(|u| u.span).collect(),
    }
}

/// Whether a node is the boolean `value`, as Traefik's parser reads one (`true`, `True`,
/// `1`; `false`, `False`, `0`).
fn is(node: &Node, value: bool) -> bool {
    let Some(text) = node.text() else { return false };
    let text = text.trim();
    let (word, digit) = if value { ("true", "1") } else { ("false", "0") };
    text.eq_ignore_ascii_case(word) || text == digit
}

/// The port of an entry point's address (`:443`, `0.0.0.0:443/tcp`).
pub fn address_port(address: &str) -> Option<u16> {
    address.rsplit_once(':').and_then(|(_, port)| port.split('/').next()?.parse().ok())
}

/// A name without its provider (`jira@file` is `jira`), lower case.
fn bare(name: &str) -> String {
    name.split('@').next().unwrap_or(name).to_ascii_lowercase()
}

/// A mapping's value for a key of any case.
fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    node.entries().iter().rev().find(|(k, _)| k.text().is_some_and(|t| t.eq_ignore_ascii_case(key))).map(|(_, v)| v)
}

/// A list of strings, or one string of comma-separated names.
fn list(node: Option<&Node>) -> Vec<String> {
    let Some(node) = node else { return Vec::new() };
    match node.text() {
        Some(text) => text.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => node.items().iter().filter_map(Node::text).map(str::to_string).collect(),
    }
}

fn yaml_root(source: &SourceFile) -> (Option<Node>, Vec<SyntaxProblem>) {
    let stream = yaml::parse(source);
    (stream.documents.into_iter().next(), stream.problems)
}

/// A TOML file as a positioned tree: tables are mappings, arrays sequences, every other
/// value a scalar with its text (a string's contents, a number or boolean as written).
fn toml_tree(source: &SourceFile) -> (Option<Node>, Vec<SyntaxProblem>) {
    let text = source.parse_text();
    let file = source.id();
    match toml_edit::ImDocument::parse(text) {
        Ok(document) => (Some(table(document.as_table(), file)), Vec::new()),
        Err(error) => {
            let range = error.span().unwrap_or(0..0);
            let end = text.get(range.start..).and_then(|t| t.find('\n')).map_or(text.len(), |n| range.start + n);
            let message = error.message().trim_end_matches('\n').replace('\n', " ");
            let problem = SyntaxProblem {
                span: Span::new(file, range.start, range.end.max(end).max(range.start)),
                message: format!("TOML cannot be read here: {message}"),
                label: "not TOML".to_string(),
                related: None,
            };
            (None, vec![problem])
        }
    }
}

fn span(file: FileId, range: Option<std::ops::Range<usize>>) -> Span {
    let range = range.unwrap_or(0..0);
    Span::new(file, range.start, range.end.max(range.start))
}

fn table(table: &toml_edit::Table, file: FileId) -> Node {
    let entries = table
        .iter()
        .map(|(name, item)| {
            let key_span = table.key(name).and_then(toml_edit::Key::span);
            let key = scalar(name.to_string(), false, span(file, key_span.clone()));
            (key, item_node(item, file, key_span))
        })
        .collect();
    Node { kind: Kind::Map(Arc::new(entries)), span: span(file, table.span()) }
}

fn item_node(item: &toml_edit::Item, file: FileId, key: Option<std::ops::Range<usize>>) -> Node {
    match item {
        toml_edit::Item::Value(value) => value_node(value, file),
        toml_edit::Item::Table(t) => {
            let mut node = table(t, file);
            // A table written by its header has no span of its own; its key has.
            if node.span.is_empty() {
                node.span = span(file, key);
            }
            node
        }
        toml_edit::Item::ArrayOfTables(array) => {
            let items = array.iter().map(|t| table(t, file)).collect();
            Node { kind: Kind::Seq(Arc::new(items)), span: span(file, array.span().or(key)) }
        }
        toml_edit::Item::None => Node { kind: Kind::Null, span: span(file, key) },
    }
}

fn value_node(value: &toml_edit::Value, file: FileId) -> Node {
    let at = span(file, value.span());
    match value {
        toml_edit::Value::String(s) => {
            // The span of a string covers its quotes; the text is inside them.
            let raw = s.span().map(|r| {
                let quote =
                    if s.display_repr().starts_with("\"\"\"") || s.display_repr().starts_with("'''") { 3 } else { 1 };
                (r.start + quote)..(r.end.saturating_sub(quote).max(r.start + quote))
            });
            scalar(s.value().clone(), false, span(file, raw))
        }
        toml_edit::Value::Integer(i) => scalar(i.value().to_string(), true, at),
        toml_edit::Value::Float(f) => scalar(f.value().to_string(), true, at),
        toml_edit::Value::Boolean(b) => scalar(b.value().to_string(), true, at),
        toml_edit::Value::Datetime(d) => scalar(d.value().to_string(), true, at),
        toml_edit::Value::Array(array) => {
            Node { kind: Kind::Seq(Arc::new(array.iter().map(|v| value_node(v, file)).collect())), span: at }
        }
        toml_edit::Value::InlineTable(t) => {
            let entries = t
                .iter()
                .map(|(name, v)| {
                    let key_span = t.key(name).and_then(toml_edit::Key::span);
                    (scalar(name.to_string(), false, span(file, key_span)), value_node(v, file))
                })
                .collect();
            Node { kind: Kind::Map(Arc::new(entries)), span: at }
        }
    }
}

fn scalar(text: String, plain: bool, span: Span) -> Node {
    Node { kind: Kind::Scalar { text, plain }, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Traefik<'static> {
        let source = SourceFile::new(FileId(0), name.into(), name.into(), None, text.as_bytes().to_vec());
        let source: &'static SourceFile = Box::leak(Box::new(source));
        parse(source)
    }

    #[test]
    fn yaml_and_toml_read_alike() {
        let yaml = concat!(
            "entryPoints:\n  websecure:\n    address: \":443\"\n    http:\n      tls: {}\n",
            "api:\n  insecure: true\n",
            "http:\n  routers:\n    jira:\n      rule: \"Host(`jira.example.com`)\"\n      service: jira@file\n",
            "      entryPoints: [websecure]\n  services:\n    jira:\n      loadBalancer:\n",
            "        servers:\n          - url: http://jira:8080\n        sticky:\n          cookie: {}\n",
        );
        let toml = concat!(
            "[entryPoints.websecure]\naddress = \":443\"\n[entryPoints.websecure.http.tls]\n",
            "[api]\ninsecure = true\n",
            "[http.routers.jira]\nrule = \"Host(`jira.example.com`)\"\nservice = \"jira@file\"\n",
            "entryPoints = [\"websecure\"]\n",
            "[[http.services.jira.loadBalancer.servers]]\nurl = \"http://jira:8080\"\n",
            "[http.services.jira.loadBalancer.sticky.cookie]\n",
        );
        assert!(looks_like_traefik(yaml) && looks_like_traefik(toml));
        for (name, text) in [("traefik.yml", yaml), ("traefik.toml", toml)] {
            let config = read(name, text);
            assert!(config.problems.is_empty(), "{name}: {:?}", config.problems);
            let point = &config.entry_points[0];
            assert_eq!(
                (point.name.as_str(), point.port, point.tls.is_some()),
                ("websecure", Some(443), true),
                "{name}"
            );
            assert!(config.api_insecure.is_some(), "{name}");
            let router = &config.routers[0];
            assert_eq!(router.rule.value.text, "Host(`jira.example.com`)", "{name}");
            assert_eq!(&text[router.rule.value.span.start()..router.rule.value.span.end()], "Host(`jira.example.com`)");
            assert_eq!(
                (router.service.as_deref(), router.entry_points.as_slice()),
                (Some("jira"), &["websecure".to_string()][..])
            );
            let service = &config.services[0];
            assert_eq!(service.servers[0].0, "http://jira:8080", "{name}");
            assert!(service.sticky.is_some(), "{name}");
        }
        let v1 = concat!(
            "[entryPoints.https]\naddress = \":443\"\n[entryPoints.https.tls]\n",
            "[frontends.jira]\nbackend = \"jira\"\n[frontends.jira.routes.r1]\nrule = \"Host:jira.example.com\"\n",
            "[frontends.jira.routes.r2]\nrule = \"PathPrefix:/jira\"\n",
            "[backends.jira.loadBalancer.stickiness]\n[backends.jira.servers.s1]\nurl = \"http://10.0.0.1:8080\"\n",
        );
        assert!(looks_like_traefik(v1));
        let config = read("traefik.toml", v1);
        assert!(config.entry_points[0].tls.is_some());
        assert_eq!(config.routers[0].rule.value.text, "Host:jira.example.com;PathPrefix:/jira");
        assert_eq!(config.routers[0].service.as_deref(), Some("jira"));
        assert!(config.services[0].sticky.is_some());
        assert_eq!(config.services[0].servers[0].0, "http://10.0.0.1:8080");
        let trusting = read(
            "traefik.yml",
            "entryPoints:\n  web:\n    address: :80\n    forwardedHeaders:\n      insecure: true\n",
        );
        assert!(trusting.entry_points[0].trusts_clients.is_some());
        let broken = read("traefik.toml", "[http\nrule = 1\n");
        assert_eq!(broken.problems.len(), 1);
    }
}
