//! nginx's side of the request path: each `server` block that proxies is a frontend, each
//! `proxy_pass` a route with nginx's URI rule (a `proxy_pass` with a URI part replaces the
//! part of the request path its `location` matched; one without passes the request path
//! unchanged), and each `upstream` block a backend whose servers the routes to it reach.
//! Each include tree is read whole: a setting in `nginx.conf`'s `http` block reaches the
//! `server` blocks of the files it includes.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};

use super::url::{normalized_path, parse_url, port_variable, split_host_port, url_path};
use super::{Backend, Frontend, Hosts, NginxRoute, ProxyKind, Route, Topology, Upstream};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::nginx::spliced::View;
use crate::syntax::nginx::Directive;

/// The source files of a run, by id.
pub(super) type Sources<'a> = HashMap<FileId, &'a SourceFile>;

/// Adds a tree's `upstream` blocks, and the `server` blocks and routes of its `proxy_pass`
/// lines.
pub(super) fn add<'a>(topology: &mut Topology<'a>, sources: &Sources<'a>, config: View<'_, 'a>) {
    let tree = Tree::of(config);
    let upstreams = upstream_blocks(topology, config);
    // Each server block's frontends, one a `listen`, as a range of indices.
    let mut frontends: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut names: HashMap<usize, Hosts> = HashMap::new();
    let mut headers: HashMap<Option<Option<usize>>, Headers> = HashMap::new();
    // Schemes, hosts and paths repeat across routes: one copy of each.
    let mut texts = Texts::default();
    topology.routes.reserve(config.directives().filter(|(_, d)| d.is("proxy_pass")).count());
    for (index, directive) in config.directives() {
        if !directive.is("proxy_pass") {
            continue;
        }
        let Some(source) = sources.get(&directive.span.file).copied() else { continue };
        let Some(server) = enclosing(config, index, |d| d.is("server") && d.block.is_some()) else { continue };
        let Some(url) = directive.args().first() else { continue };
        // A URL built from variables is resolved per request.
        if url.text.contains('$') {
            continue;
        }
        let Some(mut target) = parse_url(url.text, url.span) else { continue };
        target.port_variable = port_variable(source.slice(url.span));
        let location = enclosing(config, index, |d| d.is("location")).and_then(|l| config.directive(l));
        let matched = location.and_then(location_path);
        let (public, public_span, public_symbol) = match (location, matched) {
            (_, Some(Matched { path, span })) if !path.contains("{{") => {
                (Some(Arc::from(normalized_path(path))), span, None)
            }
            (_, Some(Matched { span, .. })) => (None, span, Some(source.slice(span).to_string())),
            (Some(location), None) => (None, location.name().span, None),
            (None, None) => (None, directive.span, None),
        };
        // Without a URI part the request path goes on as it came: the location's prefix.
        let has_uri = url_path(url.text).is_some_and(|p| !p.is_empty());
        if !has_uri {
            let passed = matched.filter(|m| !m.path.contains("{{")).map_or("", |m| m.path);
            target.path = Arc::from(passed);
        }
        let ours = frontends.entry(server).or_insert_with(|| {
            let first = topology.frontends.len();
            topology.frontends.extend(server_frontends(sources, config, server));
            (first, topology.frontends.len())
        });
        let ours = ours.0..ours.1;
        // A server that answers every request with `return` (a redirect to https) proxies
        // nothing.
        if ours.is_empty() {
            continue;
        }
        // The headers in effect are those of the innermost block that sets any: read once
        // for each such block, however many routes it covers.
        let level = header_level(config, &tree, config.parent(index));
        let Headers { preserve_host, upgrade, connection, dropping } =
            *headers.entry(level).or_insert_with(|| Headers::of(config, &tree, level));
        let http11 = inherited(config, &tree, index, "proxy_http_version")
            .is_some_and(|d| d.args().first().is_some_and(|v| v.text == "1.1"));
        let body_limit = match inherited(config, &tree, index, "client_max_body_size") {
            Some(set) => {
                set.args().first().filter(|v| !v.unknown).and_then(|v| size(v.text)).map(|b| (b, Some(set.span)))
            }
            None => Some((DEFAULT_BODY_LIMIT, None)),
        };
        // A limit atl-lint cannot read is no limit to judge.
        let body_limit = body_limit.unwrap_or((0, None));
        let timeouts =
            ["proxy_read_timeout", "proxy_send_timeout"].map(|name| match inherited(config, &tree, index, name) {
                Some(set) => set
                    .args()
                    .first()
                    .filter(|v| !v.unknown)
                    .and_then(|v| milliseconds(v.text))
                    .map(|ms| (ms, Some(set.span))),
                None => Some((DEFAULT_TIMEOUT_MS, None)),
            });
        let compression = inherited(config, &tree, index, "gzip")
            .filter(|d| d.args().first().is_some_and(|v| v.text.eq_ignore_ascii_case("on")))
            .map(|d| d.span);
        let hosts = Arc::clone(names.entry(server).or_insert_with(|| server_names(config, server)));
        // `proxy_pass http://name/...` names an `upstream` block when one has the name.
        let named = if authority_has_port(url.text) { None } else { upstreams.get(&*target.host) };
        let backend = named.map(|(backend, _)| *backend);
        let routes: Vec<Upstream> = match named {
            Some((_, servers)) => servers
                .iter()
                .filter_map(|(address, span)| {
                    let mut upstream = parse_url(&format!("{}://{address}", target.scheme), *span)?;
                    let written = sources.get(&span.file).map_or("", |s| s.slice(*span));
                    upstream.port_variable = port_variable(written);
                    upstream.path = Arc::clone(&target.path);
                    Some(upstream)
                })
                .collect(),
            None => vec![target],
        };
        let public = public.map(|p| texts.share(&p));
        for (frontend, mut upstream) in ours.flat_map(|f| routes.iter().map(move |u| (f, u.clone()))) {
            upstream.scheme = texts.share(&upstream.scheme);
            upstream.host = texts.share(&upstream.host);
            upstream.path = texts.share(&upstream.path);
            topology.routes.push(Route {
                frontend,
                at: directive.span,
                public: public.clone(),
                public_span,
                public_symbol: public_symbol.clone(),
                hosts: Arc::clone(&hosts),
                upstream,
                preserve_host,
                compression,
                websocket: upgrade && connection && http11,
                haproxy: None,
                nginx: Some(NginxRoute { http11, upgrade, connection, dropping, body_limit, timeouts }),
                backend,
            });
        }
    }
}

/// One shared copy of each text the routes of a file hold.
#[derive(Default)]
struct Texts(foldhash::HashSet<Arc<str>>);

impl Texts {
    fn share(&mut self, text: &Arc<str>) -> Arc<str> {
        if let Some(kept) = self.0.get(&**text) {
            return Arc::clone(kept);
        }
        self.0.insert(Arc::clone(text));
        Arc::clone(text)
    }
}

/// An nginx size (`10m`, `512k`, `1G`, `100`) in bytes.
pub(crate) fn size(text: &str) -> Option<u64> {
    let (number, unit) = match text.char_indices().last()? {
        (i, 'k' | 'K') => (text.get(..i)?, 1 << 10),
        (i, 'm' | 'M') => (text.get(..i)?, 1 << 20),
        (i, 'g' | 'G') => (text.get(..i)?, 1 << 30),
        _ => (text, 1),
    };
    number.parse::<u64>().ok()?.checked_mul(unit)
}

/// An nginx time in milliseconds (`ngx_parse_time`): numbers with units `ms`, `s`, `m`,
/// `h`, `d`, `w`, `M` (30 days), `y` (365 days), largest first, each at most once, spaces
/// between them allowed; a bare number is seconds.
pub(crate) fn milliseconds(text: &str) -> Option<u64> {
    const UNITS: [(&str, u64); 8] = [
        ("y", 365 * 86_400_000),
        ("M", 30 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("ms", 1),
        ("m", 60_000),
        ("s", 1000),
    ];
    let mut total: u64 = 0;
    let mut rest = text.trim_start();
    let mut last_step = 0;
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = rest.get(..digits)?.parse().ok()?;
        rest = rest.get(digits..)?;
        let (step, scale, len) =
            match UNITS.iter().position(|(u, _)| rest.starts_with(u) && !(*u == "m" && rest.starts_with("ms"))) {
                Some(i) => (i + 1, UNITS.get(i)?.1, UNITS.get(i)?.0.len()),
                None if rest.trim().is_empty() => (UNITS.len() + 1, 1000, 0),
                None => return None,
            };
        // Units come largest first (`ms` after `h` is allowed, `s` after `ms` is not).
        let order = [1, 2, 3, 4, 5, 8, 6, 7];
        let rank = order.get(step.saturating_sub(1)).copied().unwrap_or(9);
        if rank <= last_step {
            return None;
        }
        last_step = rank;
        total = total.checked_add(number.checked_mul(scale)?)?;
        rest = rest.get(len..)?.trim_start();
        any = true;
    }
    any.then_some(total)
}

/// Whether a URL writes a port in its authority (`http://jira:8080/x`).
fn authority_has_port(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    split_host_port(authority).1.is_some()
}

/// The innermost block around node `index` that `is` picks (`server` in an `upstream` is a
/// server address, not a block, and has none).
fn enclosing(config: View<'_, '_>, index: usize, is: impl Fn(&Directive<'_>) -> bool) -> Option<usize> {
    config.ancestors(config.parent(index)).find(|(_, d)| is(d)).map(|(node, _)| node)
}

/// By block (`None`: the top level), the last directive of each inherited name and the
/// `proxy_set_header` lines: what inheritance looks up, one hash lookup a level instead of
/// a scan of the block.
struct Tree {
    /// By block and index into [`INHERITED`], packed by [`slot`]: the node.
    last: HashMap<u64, u32>,
    headers: HashMap<Option<usize>, Vec<u32>>,
}

/// The settings routes inherit, by name (the others need no lookup table).
const INHERITED: [&str; 5] =
    ["gzip", "proxy_http_version", "client_max_body_size", "proxy_read_timeout", "proxy_send_timeout"];

/// nginx's default `proxy_read_timeout` and `proxy_send_timeout`: 60 s.
const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// nginx's default `client_max_body_size`: 1m.
const DEFAULT_BODY_LIMIT: u64 = 1 << 20;

/// The key of a block's setting in [`Tree::last`]: the block's node (`None`: the top
/// level) and the setting's index in [`INHERITED`].
fn slot(block: Option<usize>, name: usize) -> u64 {
    let block = block.map_or(0, |b| u64::try_from(b).unwrap_or(u64::MAX >> 8).saturating_add(1));
    (block << 8) | u64::try_from(name).unwrap_or(0xff)
}

impl Tree {
    fn of(config: View<'_, '_>) -> Tree {
        let mut last: HashMap<u64, u32> = HashMap::new();
        let mut headers: HashMap<Option<usize>, Vec<u32>> = HashMap::new();
        for (index, directive) in config.directives() {
            let name = directive.name().text;
            let Ok(node) = u32::try_from(index) else { continue };
            if let Some(setting) = INHERITED.iter().position(|n| *n == name) {
                last.insert(slot(config.parent(index), setting), node);
            } else if name == "proxy_set_header" {
                headers.entry(config.parent(index)).or_default().push(node);
            }
        }
        Tree { last, headers }
    }
}

/// What the `proxy_set_header` lines in effect say.
#[derive(Clone, Copy)]
struct Headers {
    /// `Host` is the client's (`$host`, `$http_host`).
    preserve_host: bool,
    /// `Upgrade $http_upgrade`.
    upgrade: bool,
    /// `Connection` with `upgrade` or `$connection_upgrade`.
    connection: bool,
    /// The first line of a block that drops an outer block's headers.
    dropping: Option<Span>,
}

impl Headers {
    /// What the headers of `level` say (`None`: no block sets any).
    fn of(config: View<'_, '_>, tree: &Tree, level: Option<Option<usize>>) -> Headers {
        let own: Vec<&Directive<'_>> = level
            .and_then(|l| tree.headers.get(&l))
            .map(|lines| lines.iter().filter_map(|&i| config.directive(i as usize)).collect())
            .unwrap_or_default();
        let headers = pairs(&own);
        let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
        let preserve_host = header("Host").is_some_and(|v| matches!(v, "$host" | "$http_host"));
        let upgrade = header("Upgrade").is_some_and(|v| v.contains("$http_upgrade"));
        let connection = header("Connection").is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("upgrade") || v.contains("$connection_upgrade")
        });
        // An outer block's headers that this level drops.
        let outer = level.flatten().map(|block| config.parent(block));
        let dropped = outer.is_some_and(|outer| header_level(config, tree, outer).is_some());
        let dropping = own.first().map(|d| d.span).filter(|_| dropped);
        Headers { preserve_host, upgrade, connection, dropping }
    }
}

/// The innermost block, from `block` outwards, that sets `proxy_set_header` lines (`None`:
/// none does; `Some(None)`: the file's top level).
fn header_level(config: View<'_, '_>, tree: &Tree, block: Option<usize>) -> Option<Option<usize>> {
    config.outward(block).find(|b| tree.headers.contains_key(b))
}

/// `proxy_set_header NAME VALUE` lines as `(name, value)`.
fn pairs<'c>(headers: &[&'c Directive<'_>]) -> Vec<(&'c str, &'c str)> {
    headers.iter().filter_map(|d| Some((d.args().first()?.text, d.args().get(1).map_or("", |v| v.text)))).collect()
}

/// The innermost `name` directive in effect where directive `index` stands (nginx's
/// inheritance of simple settings).
fn inherited<'a>(config: View<'_, 'a>, tree: &Tree, index: usize, name: &str) -> Option<&'a Directive<'a>> {
    let parent = config.parent(index);
    let setting = INHERITED.iter().position(|n| *n == name)?;
    config
        .outward(parent)
        .find_map(|block| tree.last.get(&slot(block, setting)))
        .and_then(|&i| config.directive(i as usize))
}

/// The path a `location` matches, and where it is written.
#[derive(Clone, Copy)]
pub(crate) struct Matched<'w> {
    pub(crate) path: &'w str,
    pub(crate) span: Span,
}

/// The path a prefix or exact `location` matches (`location /jira`, `location ^~ /jira/`,
/// `location = /status`); `None` for a regular expression or a named location.
pub(crate) fn location_path<'d>(location: &'d Directive<'_>) -> Option<Matched<'d>> {
    let args = location.args();
    let first = args.first()?;
    let (modifier, uri) = match first.text {
        "=" | "^~" | "~" | "~*" => (first.text, args.get(1)?),
        _ => ("", first),
    };
    // `location =/x` and `location ~^/x` write the modifier against the path.
    let (modifier, path, offset) = if modifier.is_empty() {
        match ["^~", "~*", "~", "="].iter().find(|m| uri.text.starts_with(**m)) {
            Some(m) => (*m, uri.text.get(m.len()..)?, m.len()),
            None => ("", uri.text, 0),
        }
    } else {
        (modifier, uri.text, 0)
    };
    if modifier.starts_with('~') || path.starts_with('@') {
        return None;
    }
    let span = if offset == 0 { uri.span } else { uri.sub_span(offset, uri.text.len()) };
    Some(Matched { path, span })
}

/// The host names of a `server` block (`server_name`), the catch-all `_` and regular
/// expressions left out.
fn server_names(config: View<'_, '_>, server: usize) -> Hosts {
    let names: Vec<(String, Span)> = config
        .children(Some(server))
        .filter(|(_, d)| d.is("server_name"))
        .flat_map(|(_, d)| d.args().iter().collect::<Vec<_>>())
        .filter(|w| !w.unknown && !w.text.is_empty() && w.text != "_" && !w.text.starts_with('~'))
        .map(|w| (w.text.trim_start_matches('.').to_ascii_lowercase(), w.span))
        .collect();
    Arc::from(names)
}

/// The frontend of a `server` block: its first `listen` (nginx listens on 80 without one)
/// and where TLS is switched on (`listen ... ssl`, `ssl on`).
fn server_frontends<'a>(sources: &Sources<'a>, config: View<'_, '_>, server: usize) -> Vec<Frontend<'a>> {
    let block = config.directive(server);
    let file = config.file(server).unwrap_or(config.spliced.root);
    let at = block.map_or(Span::file_start(file), |b| b.name().span);
    let source = sources.get(&file).copied();
    let children: Vec<(usize, &Directive<'_>)> = config.children(Some(server)).collect();
    // `return` in the server block answers every request before any `location`.
    if children.iter().any(|(_, d)| d.is("return")) {
        return Vec::new();
    }
    let ssl_on = children.iter().find(|(_, d)| d.is("ssl") && d.args().first().is_some_and(|a| a.text == "on"));
    let listens: Vec<(Option<crate::syntax::words::WordRef<'_>>, Option<Span>)> = children
        .iter()
        .filter(|(_, d)| d.is("listen"))
        .map(|(_, l)| {
            let ssl = l.args().iter().skip(1).find(|w| w.text == "ssl").map(|w| w.span);
            (l.args().first(), ssl.or(ssl_on.map(|(_, d)| d.span)))
        })
        .collect();
    let listens = if listens.is_empty() { vec![(None, ssl_on.map(|(_, d)| d.span))] } else { listens };
    // Plain listens of a server that sends plain requests to https (`if ($scheme = http)
    // { return 301 https://...; }`) carry no route.
    let any_tls = listens.iter().any(|(_, tls)| tls.is_some());
    let redirects_plain = any_tls && children.iter().any(|(n, d)| d.is("if") && redirects_to_https(config, *n));
    let names: Vec<&str> = children
        .iter()
        .filter(|(_, d)| d.is("server_name"))
        .flat_map(|(_, d)| d.args().iter().map(|w| w.text).collect::<Vec<_>>())
        .collect();
    let path = source.map_or(std::path::Path::new(""), |s| s.path().as_path());
    let mut seen: Vec<(Option<u16>, bool)> = Vec::new();
    let mut out = Vec::new();
    for (address, tls) in listens {
        if tls.is_none() && redirects_plain {
            continue;
        }
        let port = address.map_or(Some(80), |a| listen_port(a.text));
        // `listen 443 ssl` and `listen [::]:443 ssl` are one public port.
        if seen.contains(&(port, tls.is_some())) {
            continue;
        }
        seen.push((port, tls.is_some()));
        let label = match names.first() {
            Some(name) => format!("server {name}"),
            None => {
                let written =
                    address.map_or("80", |a| if a.unknown { source.map_or("", |s| s.slice(a.span)) } else { a.text });
                format!("server (listen {written})")
            }
        };
        let port_span = address.map_or(at, |a| a.span);
        out.push(Frontend { path, kind: ProxyKind::Nginx, label, at, port, port_span, tls });
    }
    out
}

/// Whether an `if` block in a server only sends the request to https (`return 301
/// https://$host$request_uri;`).
fn redirects_to_https(config: View<'_, '_>, block: usize) -> bool {
    config.children(Some(block)).any(|(_, d)| d.is("return") && d.args().iter().any(|a| a.text.starts_with("https://")))
}

/// The port of a `listen` address: `443`, `127.0.0.1:8080`, `[::]:443`, `*:80`; `None`
/// for a UNIX socket or a template value.
fn listen_port(address: &str) -> Option<u16> {
    if address.starts_with("unix:") {
        return None;
    }
    if let Ok(port) = address.parse() {
        return Some(port);
    }
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (address, None),
    };
    match port {
        Some(port) => port.parse().ok(),
        None if !host.is_empty() => Some(80),
        None => None,
    }
}

/// The `upstream` blocks of a file as backends, by name: the backend and each server's
/// address with its span.
type Upstreams<'a> = HashMap<std::borrow::Cow<'a, str>, (usize, Vec<(&'a str, Span)>)>;

fn upstream_blocks<'a>(topology: &mut Topology<'_>, config: View<'_, 'a>) -> Upstreams<'a> {
    let mut out: Upstreams = HashMap::new();
    for (index, block) in config.directives() {
        // An `upstream` stands in `http` (or at the top of a file read alone), never deeper.
        let in_http = config.parent(index).and_then(|p| config.directive(p)).is_none_or(|p| p.is("http"));
        if !block.is("upstream") || block.block.is_none() || !in_http {
            continue;
        }
        let Some(name) = block.args().first().filter(|n| !n.unknown) else { continue };
        let mut servers = Vec::new();
        let mut lines = Vec::new();
        let (mut balance, mut persistence) = (None, None);
        let mut affinity = crate::model::Affinity::default();
        for (_, directive) in config.children(Some(index)) {
            let name = directive.name().text;
            match name {
                "server" => {
                    if let Some(address) = directive.args().first().filter(|a| !a.text.starts_with("unix:")) {
                        servers.push((address.text, address.span));
                        let args = directive.args();
                        let off = args.iter().any(|w| matches!(w.text, "backup" | "down"));
                        // NGINX Plus `route=NAME`, which `sticky route` matches.
                        let route = args.iter().find_map(|w| {
                            let value = w.text.strip_prefix("route=")?;
                            Some((value.to_string(), w.sub_span("route=".len(), w.span.len())))
                        });
                        lines.push(crate::model::Server {
                            address: address.span,
                            line: directive.span,
                            count: 1,
                            active: !off,
                            template: args.iter().any(|w| w.unknown),
                            cookie: None,
                            route,
                            check: false,
                            health_uri: None,
                        });
                    }
                }
                "ip_hash" | "hash" | "sticky" => {
                    balance = Some((name.to_string(), directive.span));
                    persistence = Some(directive.span);
                    let args = directive.args();
                    affinity.template |= args.iter().any(|w| w.unknown);
                    match (name, args.first().map(|w| w.text)) {
                        // NGINX Plus: the route is read from the variables, in Atlassian's
                        // and NGINX's Tomcat examples the part of `JSESSIONID` after the dot.
                        ("sticky", Some("route")) => {
                            affinity.cookie = Some(("JSESSIONID".to_string(), directive.span));
                        }
                        // NGINX Plus `sticky cookie NAME` and `sticky learn`, the open-source
                        // sticky module's `sticky [name=...]`: nginx sets what it reads back.
                        ("sticky", Some("cookie")) => {
                            let cookie = args.get(1).map_or("", |w| w.text).to_string();
                            affinity.cookie = Some((cookie, directive.span));
                            affinity.cookie_set = true;
                        }
                        ("sticky", Some("learn")) => affinity.stick = Some(directive.span),
                        _ => affinity.pinning = Some(directive.span),
                    }
                }
                "least_conn" | "random" | "least_time" => balance = Some((name.to_string(), directive.span)),
                _ => {}
            }
        }
        let backend = topology.backends.len();
        topology.backends.push(Backend {
            kind: ProxyKind::Nginx,
            name: name.text.to_string(),
            at: block.span,
            servers: lines,
            balance,
            persistence,
            tcp: false,
            affinity,
            health: None,
        });
        // nginx compares upstream names without case.
        let key = match name.text.bytes().any(|b| b.is_ascii_uppercase()) {
            true => std::borrow::Cow::Owned(name.text.to_ascii_lowercase()),
            false => std::borrow::Cow::Borrowed(name.text),
        };
        out.insert(key, (backend, servers));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::listen_port;

    #[test]
    fn sizes_read_as_nginx_reads_them() {
        assert_eq!(super::size("10m"), Some(10 << 20));
        assert_eq!(super::size("512K"), Some(512 << 10));
        assert_eq!(super::size("1G"), Some(1 << 30));
        assert_eq!(super::size("100"), Some(100));
        assert_eq!(super::size("0"), Some(0));
        assert_eq!(super::size("1.5m"), None);
        assert_eq!(super::size("m"), None);
    }

    #[test]
    fn times_read_as_nginx_reads_them() {
        assert_eq!(super::milliseconds("60"), Some(60_000));
        assert_eq!(super::milliseconds("60s"), Some(60_000));
        assert_eq!(super::milliseconds("10m"), Some(600_000));
        assert_eq!(super::milliseconds("500ms"), Some(500));
        assert_eq!(super::milliseconds("1h 30m"), Some(5_400_000));
        assert_eq!(super::milliseconds("1m30s"), Some(90_000));
        assert_eq!(super::milliseconds("1d"), Some(86_400_000));
        assert_eq!(super::milliseconds("30s1m"), None);
        assert_eq!(super::milliseconds("1x"), None);
        assert_eq!(super::milliseconds(""), None);
    }

    #[test]
    fn listen_addresses_give_their_port() {
        assert_eq!(listen_port("443"), Some(443));
        assert_eq!(listen_port("127.0.0.1:8080"), Some(8080));
        assert_eq!(listen_port("[::]:443"), Some(443));
        assert_eq!(listen_port("*:80"), Some(80));
        assert_eq!(listen_port("localhost"), Some(80));
        assert_eq!(listen_port("[::1]"), Some(80));
        assert_eq!(listen_port("unix:/run/nginx.sock"), None);
    }
}
