//! The proxy side of the request path: frontends (an Apache `<VirtualHost>`, an HAProxy
//! `bind`) and the routes they send onwards, from `ProxyPass` and from HAProxy's
//! `use_backend`/`default_backend` with their conditions and the backends' `server` lines.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};

use super::apache::{Enclosing, Pass, Target};
use super::url::{normalized_path, parse_url, port_variable, split_host_port};
use super::{Frontend, HaproxyTimeout, Hosts, ProxyKind, Route, Topology, Upstream};
use crate::source::{SourceFile, Span};
use crate::syntax::apache::Config as ApacheConfig;
use crate::syntax::haproxy::{Condition, Config as HaproxyConfig, Section, Statement, Words};
use crate::syntax::words::WordRef;

/// Adds an Apache file's virtual hosts and proxied paths.
pub(super) fn add_apache<'a>(
    topology: &mut Topology<'a>,
    source: &'a SourceFile,
    config: &'a ApacheConfig<'a>,
    passes: &[Pass<'a, 'a>],
) {
    let on =
        |d: &crate::syntax::apache::Directive<'_>| d.args().first().is_some_and(|a| a.text.eq_ignore_ascii_case("on"));
    // Per virtual host (`None`: the server context): TLS, host names, Host preservation.
    let mut tls: HashMap<Option<usize>, Span> = HashMap::new();
    let mut names: HashMap<Option<usize>, Vec<(String, Span)>> = HashMap::new();
    let mut preserve: HashMap<Option<usize>, bool> = HashMap::new();
    let mut deflate: Vec<(Option<usize>, Option<String>, Span)> = Vec::new();
    let enclosing = Enclosing::of(config);
    let members = balancer_members(config);
    let clusters = super::backends::add_apache(topology, config, &members);
    for directive in config.directives.iter().filter(|d| !d.skipped) {
        let vhost = enclosing.vhost(directive.block());
        if directive.is("SSLEngine") && on(directive) {
            tls.insert(vhost, directive.span);
        } else if directive.is("ServerName") || directive.is("ServerAlias") {
            let names = names.entry(vhost).or_default();
            for word in directive.args().iter().filter(|w| !w.unknown) {
                names.push((host_of_server_name(word.text), word.span));
            }
        } else if directive.is("ProxyPreserveHost") {
            preserve.insert(vhost, on(directive));
        } else if is_deflate(directive) && !directive.unloaded {
            let location = enclosing.location(directive.block()).and_then(|b| config.blocks.get(b));
            let path = location.and_then(|l| l.args().first()).map(|p| normalized_path(p.text));
            deflate.push((vhost, path, directive.span));
        }
    }
    // One list per virtual host, shared by its routes.
    let hosts: HashMap<Option<usize>, Hosts> =
        names.into_iter().map(|(vhost, list)| (vhost, Arc::from(list))).collect();
    let no_hosts: Hosts = Arc::from([]);
    let mut frontends: HashMap<Option<usize>, usize> = HashMap::new();
    let mut frontend_of = |topology: &mut Topology<'a>, vhost: Option<usize>, directive: Span| -> usize {
        *frontends.entry(vhost).or_insert_with(|| {
            let block = vhost.and_then(|v| config.blocks.get(v));
            let (label, at, port, port_span) = match block {
                Some(block) => {
                    let address = block.args().first();
                    let port = address.and_then(|a| a.text.rsplit_once(':')).and_then(|(_, p)| p.parse().ok());
                    // A template value as written, not as masked for parsing.
                    let written: Vec<&str> =
                        block.args().iter().map(|a| if a.unknown { source.slice(a.span) } else { a.text }).collect();
                    let label = format!("<VirtualHost {}>", written.join(" "));
                    (label, block.span, port, address.map_or(block.span, |a| a.span))
                }
                None => ("server context".to_string(), directive, None, directive),
            };
            topology.frontends.push(Frontend {
                path: source.path(),
                kind: ProxyKind::Apache,
                label,
                at,
                port,
                port_span,
                tls: tls.get(&vhost).or_else(|| tls.get(&None)).copied(),
            });
            topology.frontends.len() - 1
        })
    };
    for pass in passes {
        let (Target::Url(url), false) = (pass.target, pass.reverse) else { continue };
        if pass.directive.skipped {
            continue;
        }
        let frontend = frontend_of(topology, pass.vhost, pass.directive.span);
        let public: Arc<str> = Arc::from(normalized_path(pass.local.0));
        let compression = deflate
            .iter()
            .find(|(vhost, location, _)| {
                (*vhost == pass.vhost || vhost.is_none())
                    && location
                        .as_ref()
                        .is_none_or(|l| *public == **l || public.starts_with(&format!("{l}/")) || l.is_empty())
            })
            .map(|(_, _, span)| *span);
        let route_hosts = hosts.get(&pass.vhost).unwrap_or(&no_hosts).clone();
        let preserve_host = preserve.get(&pass.vhost).or_else(|| preserve.get(&None)).copied().unwrap_or(false);
        let cluster = parse_url(url.text, url.span)
            .filter(|t| &*t.scheme == "balancer")
            .and_then(|t| clusters.get(&format!("balancer://{}", t.host)).copied());
        for upstream in upstreams(source, &members, url) {
            let websocket = matches!(&*upstream.scheme, "ws" | "wss")
                || pass.directive.args().iter().any(|a| a.text.eq_ignore_ascii_case("upgrade=websocket"));
            topology.routes.push(Route {
                frontend,
                at: pass.directive.span,
                public: Some(Arc::clone(&public)),
                public_span: pass.local.1,
                public_symbol: None,
                hosts: route_hosts.clone(),
                upstream,
                preserve_host,
                compression,
                websocket,
                haproxy: None,
                nginx: None,
                backend: cluster,
            });
        }
    }
    // `RewriteRule ^/(.*)$ http://127.0.0.1:8080/$1 [P]` proxies too, where the rewrite
    // engine is on in its virtual host (per-directory rules see no leading `/`).
    let engine_on: Vec<Option<usize>> = config
        .directives
        .iter()
        .filter(|d| d.is("RewriteEngine") && on(d) && !d.skipped)
        .map(|d| enclosing.vhost(d.block()))
        .collect();
    for directive in config.directives.iter().filter(|d| d.is("RewriteRule") && !d.skipped) {
        let vhost = enclosing.vhost(directive.block());
        let per_directory = directive.block().and_then(|b| config.blocks.get(b)).is_some_and(|b| !b.is("VirtualHost"));
        if per_directory || !engine_on.contains(&vhost) {
            continue;
        }
        let Some((public, upstream)) = rewrite_proxy(directive) else { continue };
        let frontend = frontend_of(topology, vhost, directive.span);
        let mut upstream = upstream;
        upstream.port_variable = port_variable(source.slice(upstream.span));
        topology.routes.push(Route {
            frontend,
            at: directive.span,
            public: Some(Arc::from(public.0)),
            public_span: public.1,
            public_symbol: None,
            hosts: hosts.get(&vhost).unwrap_or(&no_hosts).clone(),
            upstream,
            preserve_host: preserve.get(&vhost).or_else(|| preserve.get(&None)).copied().unwrap_or(false),
            compression: None,
            websocket: false,
            haproxy: None,
            nginx: None,
            backend: None,
        });
    }
    // Template routes whose public path is an expression (`ProxyPass {{ path }} ...`).
    for directive in config.directives.iter().filter(|d| d.is("ProxyPass") && !d.skipped) {
        let (Some(local), Some(url)) = (directive.args().first(), directive.args().get(1)) else { continue };
        if !local.unknown {
            continue;
        }
        let Some(upstream) = parse_url(url.text, url.span) else { continue };
        if upstream.port.is_none() || upstream.host.contains(['{', '<']) {
            continue;
        }
        let vhost = enclosing.vhost(directive.block());
        let frontend = frontend_of(topology, vhost, directive.span);
        topology.routes.push(Route {
            frontend,
            at: directive.span,
            public: None,
            public_span: local.span,
            public_symbol: Some(source.slice(local.span).to_string()),
            hosts: hosts.get(&vhost).unwrap_or(&no_hosts).clone(),
            upstream,
            preserve_host: preserve.get(&vhost).or_else(|| preserve.get(&None)).copied().unwrap_or(false),
            compression: None,
            websocket: false,
            haproxy: None,
            nginx: None,
            backend: None,
        });
    }
}

/// What a proxying `RewriteRule` (`[P]` among its flags, an absolute URL as its
/// substitution) sends on: the public path prefix its pattern matches literally (`^/jira/(.*)`
/// is `/jira`) and the upstream, its path cut at the first back-reference (`/$1` is `/`).
fn rewrite_proxy(directive: &crate::syntax::apache::Directive<'_>) -> Option<((String, Span), Upstream)> {
    let args = directive.args();
    let (pattern, target, flags) = (args.first()?, args.get(1)?, args.get(2)?);
    let flags = flags.text.trim_start_matches('[').trim_end_matches(']');
    if !flags.split(',').any(|f| f.trim().eq_ignore_ascii_case("P") || f.trim().eq_ignore_ascii_case("proxy")) {
        return None;
    }
    if pattern.unknown || target.unknown {
        return None;
    }
    let literal = pattern.text.strip_prefix('^')?;
    let end = literal.find(|c: char| "()[]{}.*+?|\\$".contains(c)).unwrap_or(literal.len());
    let prefix = literal.get(..end)?;
    if !prefix.starts_with('/') {
        return None;
    }
    let cut = target.text.find('$').unwrap_or(target.text.len());
    let upstream = parse_url(target.text.get(..cut)?, target.span)?;
    let public = normalized_path(prefix);
    Some(((public, pattern.span), upstream))
}

/// `SetOutputFilter DEFLATE`, `AddOutputFilter(ByType) DEFLATE ...`.
fn is_deflate(directive: &crate::syntax::apache::Directive<'_>) -> bool {
    let filters = match directive.name().text.to_ascii_lowercase().as_str() {
        "setoutputfilter" | "addoutputfilter" | "addoutputfilterbytype" => directive.args().first(),
        _ => None,
    };
    filters.is_some_and(|f| f.text.split(';').any(|name| name.eq_ignore_ascii_case("DEFLATE")))
}

/// The host of a `ServerName` (`https://jira.example.com:443` → `jira.example.com`).
fn host_of_server_name(text: &str) -> String {
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let (host, _) = split_host_port(rest.split('/').next().unwrap_or(rest));
    host.to_ascii_lowercase()
}

/// The upstreams of a `ProxyPass` URL: itself, or the members of its `balancer://` cluster.
fn upstreams(source: &SourceFile, members: &Members<'_>, url: WordRef<'_>) -> Vec<Upstream> {
    let Some(mut target) = parse_url(url.text, url.span) else { return Vec::new() };
    target.port_variable = port_variable(source.slice(url.span));
    if &*target.scheme != "balancer" {
        return vec![target];
    }
    let cluster = format!("balancer://{}", target.host).to_ascii_lowercase();
    let mut upstreams = Vec::new();
    for member in members.get(&cluster).into_iter().flatten().map(|m| m.url) {
        if let Some(mut upstream) = parse_url(member.text, member.span) {
            upstream.port_variable = port_variable(source.slice(member.span));
            // The member's own path is prefixed to the balancer URL's path.
            upstream.path = Arc::from(format!("{}{}", upstream.path.trim_end_matches('/'), target.path));
            upstreams.push(upstream);
        }
    }
    upstreams
}

/// The `BalancerMember` URLs of a config by cluster (`balancer://name` lowercased, without a
/// trailing `/`), in file order.
type Members<'c> = HashMap<String, Vec<super::backends::Member<'c>>>;

/// Every cluster's members, found once per file: looking through every member for each
/// `balancer://` route would cost routes × members. A member names its cluster
/// (`BalancerMember balancer://name url`) or belongs to every `<Proxy balancer://name>` around it.
fn balancer_members<'c>(config: &'c ApacheConfig<'c>) -> Members<'c> {
    use super::backends::Member;
    // For each block, the innermost `<Proxy>` around it (itself included).
    let proxy = config.per_block(None, |outer, index, block| if block.is("Proxy") { Some(index) } else { outer });
    let key = |text: &str| text.trim_end_matches('/').to_ascii_lowercase();
    let mut members: Members<'c> = HashMap::new();
    for directive in config.directives.iter().filter(|d| d.is("BalancerMember") && !d.skipped) {
        let args = directive.args();
        let explicit = args.first().filter(|a| a.text.to_ascii_lowercase().starts_with("balancer://"));
        if let Some(name) = explicit {
            if let Some(url) = args.get(1) {
                members.entry(key(name.text)).or_default().push(Member { url, directive });
            }
            continue;
        }
        let Some(url) = args.first() else { continue };
        let member = Member { url, directive };
        let mut clusters: Vec<String> = Vec::new();
        let mut current = directive.block().and_then(|b| proxy.get(b).copied().flatten());
        while let Some(at) = current {
            let Some(block) = config.blocks.get(at) else { break };
            if let Some(cluster) = block.args().first().map(|a| key(a.text)) {
                if !clusters.contains(&cluster) {
                    clusters.push(cluster);
                }
            }
            current = block.parent.and_then(|p| proxy.get(p).copied().flatten());
        }
        for cluster in clusters {
            members.entry(cluster).or_default().push(member);
        }
    }
    members
}

/// What an HAProxy condition says about the request: path prefix and host names.
#[derive(Default)]
struct Matched {
    path: Option<(Arc<str>, Span)>,
    hosts: Vec<(String, Span)>,
    /// The condition tests something else as well or cannot be read (`unless`, `!`).
    opaque: bool,
}

/// Adds an HAProxy file's listeners and the routes each sends to a backend's servers.
pub(super) fn add_haproxy<'a>(topology: &mut Topology<'a>, source: &'a SourceFile, config: &'a HaproxyConfig<'a>) {
    let by_name: HashMap<&str, usize> = config
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.kind(), "backend" | "listen"))
        .map(|(i, s)| (s.name(), i))
        .collect();
    // Per section, once: where it compresses, and whether it adds X-Forwarded-For.
    let compressing: Vec<Option<Span>> =
        config.sections.iter().map(|s| s.find(&["compression", "algo"]).next().map(|st| st.span)).collect();
    let forwarding: Vec<bool> = config.sections.iter().map(|s| s.statements.iter().any(adds_forwarded_for)).collect();
    // Per section, once: its own `timeout client`, `server` and `tunnel` lines.
    let timeouts: Vec<[Option<HaproxyTimeout>; 3]> = config.sections.iter().map(own_timeouts).collect();
    let body_limits: Vec<Option<(u64, Span)>> = config.sections.iter().map(body_limit).collect();
    let effective = |index: usize, which: usize| -> Option<HaproxyTimeout> {
        let of = |i: usize| timeouts.get(i).and_then(|t| t.get(which).copied().flatten());
        of(index).or_else(|| config.defaults_index(index).and_then(of))
    };
    let backends = super::backends::add_haproxy(topology, config);
    let texts = SharedTexts { http: Arc::from("http"), https: Arc::from("https"), empty: Arc::from("") };
    for (index, section) in config.sections.iter().enumerate() {
        if !matches!(section.kind(), "frontend" | "listen") {
            continue;
        }
        let defaults = config.defaults_of(index);
        let http = mode(section, defaults) == "http";
        let acls = acls(section);
        let redirects_plain = section.statements.iter().any(redirects_to_https);
        let landing = landing(section);
        // The proxy's rules, in HAProxy's order: `use_backend` lines, then the default.
        let mut rules: Vec<(Span, usize, Hosts, Matched)> = Vec::new();
        for statement in &section.statements {
            let default = statement.is(&["default_backend"]);
            if !default && !statement.is(&["use_backend"]) {
                continue;
            }
            let Some(name) = statement.args().first().filter(|n| !n.unknown && !n.text.contains("%[")) else {
                continue;
            };
            let Some(&backend) = by_name.get(name.text) else { continue };
            let mut matched = match statement.condition() {
                None => Matched::default(),
                Some(condition) => matched(&condition, &acls),
            };
            // Moved into one exact-size list the rule's routes share.
            let hosts: Hosts = Arc::from(std::mem::take(&mut matched.hosts));
            rules.push((statement.span, backend, hosts, matched));
        }
        // A `listen` section sends what no rule takes to its own servers.
        if section.kind() == "listen" && section.find(&["server"]).next().is_some() {
            rules.push((section.header, index, Arc::from([]), Matched::default()));
        }
        for bind in section.find(&["bind"]) {
            let Some(address) = bind.args().first() else { continue };
            let tls = bind.args().iter().find(|w| w.text == "ssl").map(|w| w.span);
            if tls.is_none() && redirects_plain {
                continue;
            }
            let frontend = topology.frontends.len();
            topology.frontends.push(Frontend {
                path: source.path(),
                kind: ProxyKind::Haproxy,
                label: format!("{} {}", section.kind(), section.name()),
                at: bind.span,
                port: bind_port(address.text),
                port_span: address.span,
                tls,
            });
            for (at, backend, hosts, matched) in &rules {
                let Some(backend_section) = config.sections.get(*backend) else { continue };
                let (public, public_span) = match (&matched.path, &landing) {
                    _ if matched.opaque => (None, *at),
                    (Some((path, span)), _) => (Some(Arc::clone(path)), *span),
                    (None, Some((path, span))) => (Some(Arc::clone(path)), *span),
                    (None, None) => (Some(Arc::clone(&texts.empty)), *at),
                };
                let involved =
                    [Some(index), config.defaults_index(index), Some(*backend), config.defaults_index(*backend)];
                let compression = involved.iter().flatten().find_map(|&i| compressing.get(i).copied().flatten());
                let forwardfor = involved.iter().flatten().any(|&i| forwarding.get(i).copied().unwrap_or(false));
                let path = public.clone().unwrap_or_else(|| Arc::clone(&texts.empty));
                let servers =
                    backend_section.statements.iter().filter(|s| s.is(&["server"]) || s.is(&["server-template"]));
                for server in servers {
                    let Some(upstream) = server_upstream(source, server, &texts, &path) else { continue };
                    topology.routes.push(Route {
                        frontend,
                        at: *at,
                        public: public.clone(),
                        public_span,
                        public_symbol: None,
                        hosts: Arc::clone(hosts),
                        upstream,
                        preserve_host: true,
                        compression,
                        websocket: http,
                        haproxy: Some(super::HaproxyRoute {
                            http,
                            forwardfor,
                            backend_header: backend_section.header,
                            frontend_header: section.header,
                            client: effective(index, 0),
                            server: effective(*backend, 1),
                            tunnel: effective(*backend, 2),
                            body_limit: [index, *backend]
                                .iter()
                                .filter_map(|&i| body_limits.get(i).copied().flatten())
                                .min_by_key(|(bytes, _)| *bytes),
                        }),
                        nginx: None,
                        backend: backends.get(backend).copied(),
                    });
                }
            }
        }
    }
}

/// A section's own last `timeout client`, `timeout server` and `timeout tunnel` lines.
fn own_timeouts(section: &Section<'_>) -> [Option<HaproxyTimeout>; 3] {
    ["client", "server", "tunnel"].map(|kind| {
        let words = ["timeout", kind];
        let line = section.find(&words).last()?;
        let value = line.args().get(1)?;
        let ms = if value.unknown { None } else { haproxy_ms(value.text) };
        Some(HaproxyTimeout { ms, line: line.span, value: value.span })
    })
}

/// The first `http-request deny|return|tarpit if <size test>` of a proxy that no earlier
/// `http-request allow` can exempt, where the condition is nothing but one size test
/// (`{ req.body_size gt N }`, `{ req.hdr_val(content-length) ge N }`, or one ACL whose
/// lines are all such tests): the largest body it lets through, and the line.
fn body_limit(section: &Section<'_>) -> Option<(u64, Span)> {
    if !section.is_proxy() || section.kind() == "defaults" {
        return None;
    }
    let mut acls: Option<HashMap<&str, Vec<Words<'_>>>> = None;
    for statement in section.find(&["http-request"]) {
        let Some(action) = statement.args().first() else { continue };
        if action.text == "allow" {
            return None;
        }
        if !matches!(action.text, "deny" | "return" | "tarpit") {
            continue;
        }
        let Some(condition) = statement.condition().filter(|c| c.keyword.text == "if") else { continue };
        let words = condition.words;
        let allowed = if words.first().is_some_and(|w| w.text == "{") && words.last().is_some_and(|w| w.text == "}") {
            size_test(words.slice(1, words.len().saturating_sub(1)))
        } else if words.len() == 1 {
            let acls = acls.get_or_insert_with(|| self::acls(section));
            let lines = words.first().and_then(|name| acls.get(name.text));
            let sizes: Option<Vec<u64>> = lines.and_then(|l| l.iter().map(|l| size_test(*l)).collect());
            sizes.and_then(|s| s.into_iter().min())
        } else {
            None
        };
        if let Some(bytes) = allowed {
            return Some((bytes, statement.span));
        }
    }
    None
}

/// `req.body_size gt N` (lets N bytes through) or `ge N` (N - 1), also for
/// `req.hdr_val(content-length)`; `None` for anything else.
fn size_test(words: Words<'_>) -> Option<u64> {
    let [fetch, operator, value] = [words.get(0)?, words.get(1)?, words.get(2)?];
    if words.len() != 3 || value.unknown {
        return None;
    }
    let fetch = fetch.text.to_ascii_lowercase();
    if !matches!(fetch.as_str(), "req.body_size" | "req.hdr_val(content-length)" | "hdr_val(content-length)") {
        return None;
    }
    let bytes: u64 = value.text.parse().ok()?;
    match operator.text {
        "gt" => Some(bytes),
        "ge" => Some(bytes.saturating_sub(1)),
        _ => None,
    }
}

/// An HAProxy time in milliseconds: a number with `us`, `ms`, `s`, `m`, `h` or `d`, or
/// milliseconds without a unit.
pub fn haproxy_ms(text: &str) -> Option<u64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number: u64 = text.get(..digits)?.parse().ok()?;
    let scale = match text.get(digits..)? {
        "" | "ms" => 1,
        "us" => return Some(number / 1000),
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    number.checked_mul(scale)
}

/// The proxy mode: the section's, else its defaults', else HAProxy's `tcp`.
pub fn mode<'s>(section: &'s Section<'_>, defaults: Option<&'s Section<'_>>) -> &'s str {
    let of = |s: &'s Section<'_>| s.find(&["mode"]).last().and_then(|m| m.args().first()).map(|w| w.text);
    of(section).or_else(|| defaults.and_then(of)).unwrap_or("tcp")
}

/// Named ACLs of a proxy: name → their lines' words after the name.
fn acls<'s>(section: &'s Section<'_>) -> HashMap<&'s str, Vec<Words<'s>>> {
    let mut acls: HashMap<&str, Vec<Words<'s>>> = HashMap::new();
    for statement in section.find(&["acl"]) {
        let args = statement.args();
        if let Some(name) = args.first() {
            // Most names have one line: no room for more until a second comes.
            acls.entry(name.text).or_insert_with(|| Vec::with_capacity(1)).push(args.from(1));
        }
    }
    acls
}

/// Reads the path and host tests of an `if` condition.
fn matched(condition: &Condition<'_>, acls: &HashMap<&str, Vec<Words<'_>>>) -> Matched {
    let mut out = Matched::default();
    if condition.keyword.text != "if" {
        out.opaque = true;
        return out;
    }
    let words = condition.words;
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let text = word.text;
        if text == "{" {
            let end = words.from(i).position("}").map_or(words.len(), |p| i + p);
            read_test(words.slice(i + 1, end), &mut out);
            i = end + 1;
            continue;
        }
        if text.eq_ignore_ascii_case("or") || text == "||" {
            out.opaque = true;
        } else if text.starts_with('!') {
            // A negated test narrows nothing this model reads.
        } else if let Some(lines) = acls.get(text) {
            for line in lines {
                read_test(*line, &mut out);
            }
        }
        i += 1;
    }
    out
}

/// One test: `path_beg /jira`, `hdr(host) -i jira.example.com`.
fn read_test(words: Words<'_>, out: &mut Matched) {
    let Some(fetch) = words.first() else { return };
    let values = words.iter().skip(1).filter(|w| !w.text.starts_with('-') && !w.unknown);
    let fetch = fetch.text.to_ascii_lowercase();
    match fetch.as_str() {
        "path_beg" | "path" | "path_dir" | "url_beg" => {
            if let Some(value) = values.into_iter().next() {
                out.path.get_or_insert_with(|| (Arc::from(normalized_path(value.text)), value.span));
            }
        }
        "hdr(host)" | "hdr_dom(host)" | "req.hdr(host)" | "hdr_beg(host)" | "req.hdr(host),lower" => {
            out.hosts.extend(values.map(|v| (host_of_server_name(v.text), v.span)));
        }
        _ => {}
    }
}

/// `redirect scheme https ...` / `http-request redirect scheme https ...`: plain-HTTP binds
/// of the proxy only send users to HTTPS.
fn redirects_to_https(statement: &Statement<'_>) -> bool {
    let words = statement.words();
    let word = |i: usize| words.get(i).map(|w| w.text);
    let at = match word(0) {
        Some("redirect") => 1,
        Some("http-request") if word(1) == Some("redirect") => 2,
        _ => return false,
    };
    word(at) == Some("scheme") && word(at + 1) == Some("https")
}

/// `redirect location /x if { path -i / }` (or `http-request redirect location`): the public
/// path of the app behind the proxy.
fn landing(section: &Section<'_>) -> Option<(Arc<str>, Span)> {
    section.statements.iter().find_map(|statement| {
        let words = statement.words();
        let start = match words.first().map(|w| w.text) {
            Some("redirect") => 1,
            Some("http-request") if words.get(1).is_some_and(|w| w.text == "redirect") => 2,
            _ => return None,
        };
        if words.get(start).is_none_or(|w| w.text != "location" && w.text != "prefix") {
            return None;
        }
        let target = words.get(start + 1).filter(|w| w.text.starts_with('/') && !w.unknown)?;
        // Only `if` a test of the root path: `unless { path / }` redirects every other path.
        let root_only = statement.condition().is_some_and(|c| {
            let tests_root = c
                .words
                .iter()
                .zip(c.words.iter().skip(1))
                .any(|(a, b)| matches!(a.text, "path" | "path_beg") && b.text == "/")
                || c.words.iter().any(|w| w.text == "/");
            c.keyword.text == "if" && tests_root
        });
        root_only.then(|| (Arc::from(normalized_path(target.text)), target.span))
    })
}

/// `option forwardfor`, or a rule that sets `X-Forwarded-For`.
fn adds_forwarded_for(statement: &Statement<'_>) -> bool {
    if statement.is(&["option", "forwardfor"]) {
        return statement.modifier().is_none_or(|m| m.text != "no");
    }
    let words = statement.words();
    let word = |i: usize| words.get(i).map(|w| w.text);
    word(0) == Some("http-request")
        && matches!(word(1), Some("set-header" | "add-header"))
        && word(2).is_some_and(|name| name.eq_ignore_ascii_case("X-Forwarded-For"))
}

/// The port of a `bind` address (`*:443`, `:80`, `ipv4@0.0.0.0:443`, `[::]:443`).
pub fn bind_port(address: &str) -> Option<u16> {
    let first = address.split(',').next()?;
    let (_, port) = first.rsplit_once(':')?;
    port.split('-').next()?.parse().ok()
}

/// Texts HAProxy routes share.
struct SharedTexts {
    http: Arc<str>,
    https: Arc<str>,
    empty: Arc<str>,
}

/// The upstream of a `server` line; the request path goes through unchanged.
fn server_upstream(
    source: &SourceFile,
    server: &Statement<'_>,
    texts: &SharedTexts,
    path: &Arc<str>,
) -> Option<Upstream> {
    // `server NAME ADDRESS`, `server-template PREFIX COUNT ADDRESS`.
    let at = if server.is(&["server-template"]) { 2 } else { 1 };
    let address = server.args().get(at).filter(|a| !a.unknown)?;
    let text = address.text.rsplit_once('@').map_or(address.text, |(_, a)| a);
    let (host, port) = split_host_port(text);
    let ssl = server.args().iter().any(|w| w.text == "ssl");
    Some(Upstream {
        scheme: Arc::clone(if ssl { &texts.https } else { &texts.http }),
        host: Arc::from(host.to_ascii_lowercase()),
        port: port.and_then(|p| p.parse().ok()),
        port_variable: port_variable(source.slice(address.span)),
        path: Arc::clone(path),
        span: address.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn balancer_members_join_the_cluster_they_name_or_every_proxy_around_them() {
        let text = "<Proxy balancer://Jira/>\n  BalancerMember http://h1:8080/jira\n  BalancerMember balancer://jira http://h2:8080\n  BalancerMember balancer://other http://h3:8080\n  <Proxy balancer://outer>\n    BalancerMember http://h4:8080\n  </Proxy>\n</Proxy>\nBalancerMember balancer://JIRA/ http://h5:8080/\n";
        let path = std::path::PathBuf::from("httpd.conf");
        let kind = Some(crate::source::FileKind::Apache);
        let source = SourceFile::new(FileId(0), path, "httpd.conf".into(), kind, text.as_bytes().to_vec());
        let parsed = crate::syntax::parse(&source).expect("parsed");
        let crate::syntax::Tree::Apache(config) = &parsed.tree else { panic!("not Apache") };
        let members = balancer_members(config);
        let texts = |cluster: &str| members.get(cluster).map(|m| m.iter().map(|w| w.url.text).collect::<Vec<_>>());
        let jira = ["http://h1:8080/jira", "http://h2:8080", "http://h4:8080", "http://h5:8080/"];
        assert_eq!(texts("balancer://jira"), Some(jira.to_vec()));
        assert_eq!(texts("balancer://outer"), Some(vec!["http://h4:8080"]));
        assert_eq!(texts("balancer://other"), Some(vec!["http://h3:8080"]));
    }

    #[test]
    fn bind_ports_are_read_from_addresses() {
        assert_eq!(bind_port("ipv4@*:443,*:8443"), Some(443));
        assert_eq!(bind_port("/run/haproxy.sock"), None);
    }
}
