//! `admin-endpoint-exposed`: a proxy's management or status page open to anyone who reaches
//! a public listener.

use foldhash::{HashSet, HashSetExt};

use crate::rules::queries::{apache_configs, haproxy_configs};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::{FileId, Span};
use crate::syntax::apache::{Config as ApacheConfig, Directive};
use crate::syntax::haproxy::{Config as HaproxyConfig, Section, Statement};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a proxy's management or status page that anyone who reaches a public listener
    /// can open:
    /// - Apache: `SetHandler balancer-manager`, `server-status`, `server-info` or
    ///   `ldap-status` in a `<Location>`, `<LocationMatch>`, `<Directory>` (or a whole
    ///   virtual host) that listens on an address other than loopback, where
    ///   `Require all granted` is in effect, or no `Require` (nor `Order`/`Allow`/`Deny`)
    ///   applies there or in a `<Location />` around it. `Require local`, `ip`, `host`,
    ///   `valid-user`, `user`, `group`, `ldap-*`, `env`, `expr` and `all denied` restrict
    ///   it; `Require not ...` and `Require method` do not.
    /// - HAProxy: `stats enable` or `stats uri` in a `frontend` or `listen` (or the
    ///   `defaults` it takes), or in a `backend` such a proxy sends requests to, with a
    ///   `bind` on an address other than loopback or a UNIX socket, and neither `stats auth`
    ///   nor `stats http-request auth|deny`; `stats admin if TRUE` there lets anyone change
    ///   server states. `stats socket` (the command line, not HTTP) is not judged, and the
    ///   `stats auth` credentials are never printed.
    /// - Traefik: `api.insecure: true` in its static configuration, or `--api.insecure` on
    ///   the command line of a compose service running Traefik, which serves the dashboard
    ///   and API on port 8080 with no authentication. On a compose command line it is
    ///   flagged when that service publishes port 8080; in a static file, unless the compose
    ///   services that run Traefik with the file mounted all keep the port unpublished.
    ///
    /// ## Why is this bad?
    /// The balancer manager and HAProxy's admin page can take nodes out of rotation or
    /// change routes; the status pages show every client address and URL being served.
    /// Atlassian's KB on Apache as a Confluence Data Center load balancer ships
    /// `<Location /balancer-manager>` with `Require all granted`, and real repositories copy
    /// it.
    ///
    /// ## Example
    /// ```apache
    /// <Location /balancer-manager>
    ///     SetHandler balancer-manager
    ///     Require all granted
    /// </Location>
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// <Location /balancer-manager>
    ///     SetHandler balancer-manager
    ///     Require ip 10.0.0.0/8
    /// </Location>
    /// ```
    ///
    /// ## References
    /// - Atlassian, "Configuring the HAProxy load balancer" (Bamboo): the statistics page
    ///   requires no authentication unless `stats auth` is added.
    /// - Traefik, "API": `api.insecure` enables the API and dashboard on the `traefik` entry
    ///   point, port 8080, and is not recommended in production.
    pub struct AdminEndpointExposed {
        id: "admin-endpoint-exposed",
        summary: "a proxy management or status page (Apache `balancer-manager`, `server-status`, `server-info`; HAProxy `stats`; Traefik's `api.insecure` dashboard) reachable from a public listener without an access restriction",
        severity: Error,
        scope: "security",
        formats: [Apache, Haproxy, Traefik, Compose],
    }
}

impl Rule for AdminEndpointExposed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        apache(cx, sink);
        haproxy(cx, sink);
        traefik(cx, sink);
    }
}

/// Traefik's dashboard and API served without authentication on port 8080: by a compose
/// service that publishes the port, or by a static file, unless the compose services that
/// run Traefik with it mounted all keep the port unpublished.
fn traefik(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let mut insecure: Vec<Span> = Vec::new();
    // Each compose file's Traefik services: whether one publishes port 8080.
    let mut stacks: Vec<(FileId, bool)> = Vec::new();
    for parsed in cx.files {
        let Tree::Compose(compose) = &parsed.tree else { continue };
        let running = compose.services.iter().filter(|s| s.runs_traefik());
        for service in running {
            let published = service.ports.iter().filter_map(|p| p.known()).any(publishes_8080);
            stacks.push((parsed.source.id(), published));
            let flags = service.command.iter().filter(|arg| {
                let text = arg.known().unwrap_or("").trim_start_matches('-').to_ascii_lowercase();
                text == "api.insecure" || text == "api.insecure=true"
            });
            insecure.extend(flags.filter(|_| published).map(|arg| arg.span));
        }
    }
    let mounts = &cx.topology().container_mounts;
    for parsed in cx.files {
        let Tree::Traefik(config) = &parsed.tree else { continue };
        let Some(at) = config.api_insecure else { continue };
        let path = parsed.source.path();
        let mounting: Vec<FileId> = mounts.iter().filter(|(dir, _)| path.starts_with(dir)).map(|(_, f)| *f).collect();
        let running: Vec<bool> =
            stacks.iter().filter(|(file, _)| mounting.contains(file)).map(|(_, published)| *published).collect();
        if running.is_empty() || running.contains(&true) {
            insecure.push(at);
        }
    }
    for at in insecure {
        sink.emit(at, "dashboard without authentication", "`api.insecure` serves Traefik's dashboard and API on port 8080 with no authentication: anyone who reaches the port sees every router, service and middleware, and the addresses behind them")
            .help("remove `api.insecure` and serve `api@internal` through a router with an authentication middleware (`basicAuth`), or do not publish port 8080");
    }
}

/// Whether a compose port (`8080:8080`, `0.0.0.0:8080:8080/tcp`) publishes the
/// container's port 8080 beyond the host's loopback.
fn publishes_8080(port: &str) -> bool {
    let port = port.split('/').next().unwrap_or(port);
    let parts: Vec<&str> = port.rsplitn(3, ':').collect();
    let target = parts.first().copied().unwrap_or("");
    let host = parts.get(2).copied().unwrap_or("");
    target.trim() == "8080" && !host.starts_with("127.") && host != "localhost" && host != "[::1]"
}

/// Apache handlers that manage or expose the server.
const HANDLERS: [&str; 4] = ["balancer-manager", "server-status", "server-info", "ldap-status"];

/// `Require` forms that restrict who gets in.
/// (`Require method GET` alone lets anyone read the page.)
const RESTRICTING: [&str; 9] = ["local", "ip", "host", "forward-dns", "valid-user", "user", "group", "env", "expr"];

/// The containers access lines and handlers belong to.
const CONTAINERS: [&str; 7] =
    ["Location", "LocationMatch", "Directory", "DirectoryMatch", "Files", "FilesMatch", "VirtualHost"];

fn apache(cx: &Context<'_>, sink: &mut Sink<'_>) {
    // Whether any file of the run listens on an address other than loopback: the server
    // config's handlers are reachable there (with no `Listen` known, assume so).
    let listens: Vec<&str> = apache_configs(cx.files)
        .flat_map(|c| c.directives.iter().filter(|d| !d.skipped && d.is("Listen")))
        .filter_map(|d| d.args().first().map(|a| a.text))
        .collect();
    let server_public = listens.is_empty() || listens.iter().any(|l| !loopback(l));
    for config in apache_configs(cx.files) {
        let handlers: Vec<&Directive<'_>> = config
            .directives
            .iter()
            .filter(|d| !d.skipped && d.is("SetHandler"))
            .filter(|d| d.args().first().is_some_and(|h| HANDLERS.iter().any(|n| n.eq_ignore_ascii_case(h.text))))
            .collect();
        if handlers.is_empty() {
            continue;
        }
        // Each block's container (the innermost `<Location>`, `<Directory>`, ... or
        // `<VirtualHost>` around it, itself included), found once a block.
        let owner = config.per_block(
            None,
            |outer, index, block| {
                if CONTAINERS.iter().any(|n| block.is(n)) {
                    Some(index)
                } else {
                    outer
                }
            },
        );
        let owner_of = |block: Option<usize>| block.and_then(|b| owner.get(b).copied().flatten());
        let mut access_lines: foldhash::HashMap<Option<usize>, Vec<&Directive<'_>>> = foldhash::HashMap::default();
        for line in config.directives.iter().filter(|d| !d.skipped) {
            if ["Require", "Allow", "Deny", "Order"].iter().any(|n| line.is(n)) {
                access_lines.entry(owner_of(line.block())).or_default().push(line);
            }
        }
        let vhost =
            config.per_block(None, |outer, index, block| if block.is("VirtualHost") { Some(index) } else { outer });
        let vhost_of = |block: Option<usize>| block.and_then(|b| vhost.get(b).copied().flatten());
        // Each virtual host's (and the server config's) first `<Location />`.
        let mut roots: foldhash::HashMap<Option<usize>, usize> = foldhash::HashMap::default();
        for (index, block) in config.blocks.iter().enumerate() {
            if !block.skipped && block.is("Location") && block.args().first().is_some_and(|a| a.text == "/") {
                roots.entry(vhost_of(Some(index))).or_insert(index);
            }
        }
        for directive in handlers {
            let Some(handler) = directive.args().first() else { continue };
            let container = owner_of(directive.block());
            let host = vhost_of(directive.block()).and_then(|v| config.blocks.get(v));
            let public = match host {
                Some(vhost) => vhost.args().iter().any(|a| a.unknown || !loopback(a.text)),
                None => server_public,
            };
            if !public {
                continue;
            }
            let own = access_lines.get(&container).map_or(&[][..], Vec::as_slice);
            // A `<Location />` of the same virtual host (or server config) covers every path.
            let scope = vhost_of(directive.block());
            let root = || {
                let index = roots.get(&scope).copied().filter(|r| Some(*r) != container)?;
                judge(config, access_lines.get(&Some(index)).map_or(&[][..], Vec::as_slice))
            };
            match judge(config, own).or_else(root).unwrap_or(Access::Unrestricted) {
                Access::Restricted => {}
                Access::Granted(granted) => {
                    let message = format!(
                        "`SetHandler {}` is open to everyone: `Require all granted` lets any client that reaches this server use it",
                        handler.text
                    );
                    sink.emit(directive.span, "open to everyone", message)
                        .related(granted, "grants everyone")
                        .help("replace it with `Require ip` for the administrators' network, or `Require local`");
                }
                Access::Unrestricted => {
                    let message = format!(
                        "`SetHandler {}` has no access restriction: any client that reaches this server can use it",
                        handler.text
                    );
                    sink.emit(directive.span, "no restriction", message)
                        .help("add `Require ip` for the administrators' network, or `Require local`, beside it");
                }
            }
        }
    }
}

/// Who may use a handler.
enum Access {
    Restricted,
    /// `Require all granted`, at the line.
    Granted(Span),
    Unrestricted,
}

/// What the access lines of a container say, when they say anything.
fn judge(config: &ApacheConfig<'_>, lines: &[&Directive<'_>]) -> Option<Access> {
    let form = |d: &Directive<'_>| -> (bool, String) {
        let words: Vec<&str> = d.args().iter().map(|w| w.text).collect();
        let negated = words.first().is_some_and(|w| w.eq_ignore_ascii_case("not"));
        let rest: Vec<String> = words.iter().skip(usize::from(negated)).map(|w| w.to_ascii_lowercase()).collect();
        (negated, rest.join(" "))
    };
    // `Require not ip ...` keeps out a few and lets everyone else in.
    let restricts = |d: &Directive<'_>| {
        let (negated, form) = form(d);
        if negated {
            return false;
        }
        let first = form.split(' ').next().unwrap_or("");
        form == "all denied" || RESTRICTING.contains(&first) || first.starts_with("ldap-")
    };
    let requires: Vec<&Directive<'_>> = lines.iter().copied().filter(|d| d.is("Require")).collect();
    let granted = requires.iter().find(|d| {
        let (negated, form) = form(d);
        !negated && form == "all granted"
    });
    if let Some(granted) = granted {
        // Beside a restriction in a `<RequireAll>`, `all granted` lets no one extra in.
        let all = granted.block().and_then(|b| config.blocks.get(b)).is_some_and(|b| b.is("RequireAll"));
        let restricted_beside = requires.iter().any(|d| d.block() == granted.block() && restricts(d));
        if !(all && restricted_beside) {
            return Some(Access::Granted(granted.span));
        }
        return Some(Access::Restricted);
    }
    if requires.iter().any(|d| restricts(d)) {
        return Some(Access::Restricted);
    }
    // mod_access_compat: `Deny from all` with `Allow from` some hosts restricts, `Allow from
    // all` does not.
    let allow_all = lines.iter().any(|d| d.is("Allow") && d.args().iter().any(|w| w.text.eq_ignore_ascii_case("all")));
    let compat = lines.iter().any(|d| d.is("Deny") || d.is("Allow") || d.is("Order"));
    match (compat, allow_all) {
        (true, false) => Some(Access::Restricted),
        (true, true) => Some(Access::Unrestricted),
        _ => None,
    }
}

/// Whether an address (`127.0.0.1:80`, `[::1]:443`, `localhost`, a UNIX socket) is only
/// reachable from the machine itself.
fn loopback(address: &str) -> bool {
    let address = address.trim();
    if address.starts_with('/') || address.starts_with("unix@") || address.starts_with("abns@") {
        return true;
    }
    let address = address.strip_prefix("ipv4@").or_else(|| address.strip_prefix("ipv6@")).unwrap_or(address);
    let host = match address.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => match address.matches(':').count() {
            0 => address,
            1 => address.split(':').next().unwrap_or(address),
            // `::1:8404` (HAProxy) or a bare IPv6 address.
            _ => address.rsplit_once(':').map_or(address, |(h, p)| {
                if p.parse::<u16>().is_ok() && h.contains(':') {
                    h
                } else {
                    address
                }
            }),
        },
    };
    host.eq_ignore_ascii_case("localhost") || host.starts_with("127.") || host == "::1"
}

fn haproxy(cx: &Context<'_>, sink: &mut Sink<'_>) {
    for config in haproxy_configs(cx.files) {
        let mut reported: HashSet<Span> = HashSet::new();
        let routed = routed_from_public(config);
        for (index, section) in config.sections.iter().enumerate() {
            let public = match section.kind() {
                "frontend" | "listen" => public_binds(section),
                "backend" => routed.contains(section.name()),
                _ => false,
            };
            if !public {
                continue;
            }
            let defaults = config.defaults_of(index);
            // The section's `stats` lines, else those of its defaults.
            let own: Vec<&Statement<'_>> = section.find(&["stats"]).collect();
            let lines: Vec<&Statement<'_>> =
                if own.is_empty() { defaults.map(|d| d.find(&["stats"]).collect()).unwrap_or_default() } else { own };
            let sub = |s: &&Statement<'_>| s.args().first().map(|w| w.text.to_ascii_lowercase()).unwrap_or_default();
            let enabled = lines.iter().find(|s| matches!(sub(s).as_str(), "enable" | "uri"));
            let Some(enabled) = enabled.filter(|s| s.modifier().is_none()) else { continue };
            let restricted = lines.iter().any(|s| {
                let words: Vec<String> = s.args().iter().map(|w| w.text.to_ascii_lowercase()).collect();
                let word = |i: usize| words.get(i).map_or("", String::as_str);
                word(0) == "auth" || (word(0) == "http-request" && matches!(word(1), "auth" | "deny"))
            });
            if restricted || lines.iter().any(|s| s.words().iter().any(|w| w.unknown)) {
                continue;
            }
            let admin = lines.iter().find(|s| {
                let words: Vec<&str> = s.args().iter().map(|w| w.text).collect();
                words.first().is_some_and(|w| w.eq_ignore_ascii_case("admin"))
                    && matches!(words.get(1).copied(), Some("if"))
                    && matches!(words.get(2).copied(), Some("TRUE" | "always_true"))
            });
            let (at, label, message) = match admin {
                Some(admin) => (
                    admin.span,
                    "anyone can administer",
                    format!("the statistics page of {} lets anyone change server states: `stats admin if TRUE` without `stats auth`", super::super::haproxy::describe(section)),
                ),
                None => (
                    enabled.span,
                    "no authentication",
                    format!("the statistics page of {} is open to anyone who reaches it: no `stats auth` or `stats http-request auth`", super::super::haproxy::describe(section)),
                ),
            };
            if !reported.insert(at) {
                continue;
            }
            let finding = sink.emit(at, label, message);
            if let Some(bind) = section.find(&["bind"]).find(|b| b.args().first().is_some_and(|a| !loopback(a.text))) {
                finding.related(bind.span, "a public listener");
            }
            finding.help("add `stats auth USER:PASSWORD` (or `stats http-request auth`), or bind the statistics page to 127.0.0.1");
        }
    }
}

/// Whether a section has a `bind` on an address other than loopback or a UNIX socket.
fn public_binds(section: &Section<'_>) -> bool {
    section
        .find(&["bind"])
        .filter_map(|b| b.args().first())
        .any(|a| !a.unknown && !a.text.starts_with("fd@") && !a.text.starts_with("sockpair@") && !loopback(a.text))
}

/// The backends a proxy with a public `bind` sends requests to (`use_backend`,
/// `default_backend`).
fn routed_from_public<'c>(config: &'c HaproxyConfig<'_>) -> HashSet<&'c str> {
    let mut out = HashSet::new();
    for section in config.sections.iter().filter(|s| matches!(s.kind(), "frontend" | "listen") && public_binds(s)) {
        for line in section.find(&["use_backend"]).chain(section.find(&["default_backend"])) {
            if let Some(name) = line.args().first().filter(|n| !n.unknown) {
                out.insert(name.text);
            }
        }
    }
    out
}
