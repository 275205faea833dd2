//! `lb-session-affinity-missing`: a load balancer that spreads one user's requests over the
//! nodes of a Data Center cluster.

use super::{balanced, server_lines, Balanced};
use crate::model::{ProxyKind, Topology};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a load balancer that sends a linked Jira, Confluence, Bitbucket, Bamboo or Crowd
    /// app's requests to two or more active servers (not `backup`, `disabled` or a hot
    /// standby) with nothing that keeps a user's session on one of them:
    /// - HAProxy: no `cookie NAME insert|rewrite|prefix` with a `cookie VALUE` on at least
    ///   two active servers, no `stick on|match|store-request|store-response` rule with a
    ///   table, and no `balance` that pins a client (`source`, `hdr()`, `url_param`,
    ///   `rdp-cookie`, `uri` with `hash-type`), each the backend's own or its `defaults`';
    ///   or a persistence cookie that fewer than two active servers have a value for;
    /// - Apache `mod_proxy_balancer`: no `stickysession=` on the `ProxyPass` to the
    ///   balancer or a `ProxySet` for it; a `stickysession` cookie other than `JSESSIONID`
    ///   that no `Header ... Set-Cookie` in the server config or the virtual host sets; or
    ///   fewer than two `BalancerMember`s with a `route=`;
    /// - nginx: an `upstream` with no `ip_hash`, `hash` or `sticky`, or whose NGINX Plus
    ///   `sticky route` has fewer than two active servers with a `route=`.
    ///
    /// `mode tcp` backends (Bitbucket's SSH), Synchrony routes, backends with a single
    /// active server and template values are not judged. Whether `JSESSIONID` routes match
    /// Tomcat's `jvmRoute` is `lb-sticky-route-mismatch`'s job.
    ///
    /// ## Why is this bad?
    /// Atlassian's Data Center applications keep a user's session on the node that created
    /// it. A load balancer that sends the next request to another node logs the user out at
    /// random, fails forms with "XSRF Security Token Missing" and loops the login page; the
    /// node id in the footer changes from page to page.
    ///
    /// ## Example
    /// ```haproxy
    /// backend jira
    ///     balance roundrobin
    ///     server node1 10.0.0.1:8080 check
    ///     server node2 10.0.0.2:8080 check
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// backend jira
    ///     balance roundrobin
    ///     cookie ATLNODE insert indirect nocache
    ///     server node1 10.0.0.1:8080 check cookie node1
    ///     server node2 10.0.0.2:8080 check cookie node2
    /// ```
    ///
    /// ## References
    /// - Atlassian, "Jira Data Center Load Balancer examples": "Jira requires sticky HTTP
    ///   sessions".
    /// - Atlassian, "Configuring Apache mod_proxy_balancer for Bitbucket Data Center".
    /// - Atlassian, "Browsing sessions are switching between Data Center nodes in a
    ///   load-balanced environment" (Confluence).
    pub struct LbSessionAffinityMissing {
        id: "lb-session-affinity-missing",
        summary: "a load balancer that spreads a linked app's requests over two or more nodes with no session affinity (HAProxy persistence cookie, stick table or pinning `balance`; Apache `stickysession=` with routes and, for its own cookie, a `Header` that sets it; nginx `ip_hash`, `hash` or `sticky`)",
        severity: Error,
        scope: "balancer",
        formats: [Haproxy, Apache, Nginx, TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for LbSessionAffinityMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        for balanced in balanced(topology) {
            let backend = balanced.backend;
            let Some(app) = balanced.app.and_then(|a| topology.apps.get(a)) else { continue };
            if backend.tcp || backend.affinity.template || backend.servers.iter().any(|s| s.template) {
                continue;
            }
            let product = app.kind.name();
            let problem = match backend.kind {
                ProxyKind::Haproxy => haproxy_problem(&balanced),
                ProxyKind::Apache => apache_problem(topology, &balanced),
                ProxyKind::Nginx => nginx_problem(topology, &balanced),
                ProxyKind::Ingress => {
                    let chart = cx.parsed(backend.at.file).is_some_and(|p| matches!(p.tree, Tree::HelmValues(_)));
                    ingress_problem(&balanced, chart)
                }
                // Routers from compose labels reach one container and have no backend; a
                // file provider's service balances over its servers.
                ProxyKind::Traefik => traefik_problem(&balanced),
            };
            let Some((label, why, help)) = problem else { continue };
            let name = match backend.kind {
                ProxyKind::Apache => format!("`{}`", backend.name),
                ProxyKind::Nginx => format!("`upstream {}`", backend.name),
                ProxyKind::Haproxy => format!("backend `{}`", backend.name),
                ProxyKind::Ingress => format!("the Ingress to the {}", backend.name),
                ProxyKind::Traefik => backend.name.clone(),
            };
            let message = format!(
                "{name} spreads {product}'s requests over {} nodes and {why}: a user's next request can reach another node, which logs them out at random (\"XSRF Security Token Missing\", login loops)",
                backend.active()
            );
            let finding = sink.emit(backend.at, label, message);
            for line in server_lines(backend) {
                finding.related(line, "a node");
            }
            finding.related(balanced.route.at, format!("the route to {product}"));
            if let Some(connector) = balanced.connector.and_then(|c| topology.connectors.get(c)) {
                finding.related(connector.at, format!("{product}'s connector"));
            }
            finding.help(help);
        }
    }
}

/// What an HAProxy backend lacks: the label, the reason and the help.
fn haproxy_problem(balanced: &Balanced<'_>) -> Option<(&'static str, String, String)> {
    let backend = balanced.backend;
    let affinity = &backend.affinity;
    let with_cookie = backend.servers.iter().filter(|s| s.active && s.cookie.is_some()).count();
    if let Some((name, _)) = &affinity.cookie {
        if with_cookie >= 2 || affinity.stick.is_some() || affinity.pinning.is_some() {
            return None;
        }
        return Some((
            "persistence cookie without server values",
            match with_cookie {
                0 => format!("its `cookie {name}` persists nothing: none of its active servers has a `cookie VALUE`"),
                _ => {
                    format!("its `cookie {name}` persists nothing: only one of its active servers has a `cookie VALUE`")
                }
            },
            "give each `server` line its own `cookie VALUE` (for example `cookie node1`)".to_string(),
        ));
    }
    if affinity.stick.is_some() || affinity.pinning.is_some() {
        return None;
    }
    let why = match affinity.passive_cookie {
        Some(_) => "its `cookie` line names no mode (`insert`, `rewrite` or `prefix`), so HAProxy persists nothing",
        None => "keeps no session on one node (no persistence cookie, stick table or pinning `balance`)",
    };
    Some((
        "no session affinity",
        why.to_string(),
        "add `cookie ATLNODE insert indirect nocache` to the backend and `cookie NODE` to each `server` line"
            .to_string(),
    ))
}

/// What an Apache balancer lacks: the label, the reason and the help.
fn apache_problem(topology: &Topology<'_>, balanced: &Balanced<'_>) -> Option<(&'static str, String, String)> {
    let backend = balanced.backend;
    let affinity = &backend.affinity;
    let Some((names, _)) = &affinity.cookie else {
        // What is already there is not asked for again.
        let active = || backend.servers.iter().filter(|s| s.active);
        let mut steps = Vec::new();
        if active().any(|s| s.route.is_none()) {
            steps.push("give each `BalancerMember` a `route=NODE`");
        }
        if !affinity.cookie_set {
            steps.push("set a balancer cookie with `Header add Set-Cookie \"ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/\" env=BALANCER_ROUTE_CHANGED`");
        }
        let help = match steps.is_empty() {
            true => "add `stickysession=ROUTEID` to the `ProxyPass` or a `ProxySet` in the `<Proxy>`".to_string(),
            false => format!("{} and add `stickysession=ROUTEID` to the `ProxyPass`", steps.join(", ")),
        };
        return Some(("no stickysession", "has no `stickysession=`".to_string(), help));
    };
    let tomcat = names.split('|').any(|n| n == "JSESSIONID" || n == "jsessionid");
    if !tomcat && !affinity.cookie_set {
        return Some((
            "sticky cookie never set",
            format!("`stickysession={names}` names a cookie that no `Header ... Set-Cookie` sets"),
            format!("add `Header add Set-Cookie \"{}=.%{{BALANCER_WORKER_ROUTE}}e; path=/\" env=BALANCER_ROUTE_CHANGED` to the virtual host", names.split('|').next().unwrap_or(names)),
        ));
    }
    let routed = backend.servers.iter().filter(|s| s.active && s.route.is_some()).count();
    if routed >= 2 {
        return None;
    }
    // With Tomcat's cookie and a known `jvmRoute` that no member has,
    // `lb-sticky-route-mismatch` says it.
    if tomcat && route_mismatch_reported(topology, balanced) {
        return None;
    }
    Some((
        "members without routes",
        match routed {
            0 => format!("none of its members has a `route=`, so `stickysession={names}` has nothing to match"),
            _ => format!("only one of its members has a `route=`, so `stickysession={names}` has nothing to match"),
        },
        "give each `BalancerMember` its own `route=NODE`".to_string(),
    ))
}

/// What an nginx `upstream` lacks: the label, the reason and the help.
fn nginx_problem(topology: &Topology<'_>, balanced: &Balanced<'_>) -> Option<(&'static str, String, String)> {
    let backend = balanced.backend;
    let affinity = &backend.affinity;
    if affinity.stick.is_some() || affinity.pinning.is_some() || affinity.cookie_set {
        return None;
    }
    if affinity.cookie.is_none() {
        return Some((
            "no ip_hash, hash or sticky",
            "has no `ip_hash`, `hash` or `sticky`".to_string(),
            "add `ip_hash;` to the `upstream` (with NGINX Plus, `sticky cookie` or `sticky route` with each server's `route=`)".to_string(),
        ));
    }
    // `sticky route`: the servers' `route=` values are what it matches.
    let routed = backend.servers.iter().filter(|s| s.active && s.route.is_some()).count();
    if routed >= 2 || route_mismatch_reported(topology, balanced) {
        return None;
    }
    Some((
        "servers without routes",
        match routed {
            0 => "none of its servers has a `route=`, so `sticky route` has nothing to match".to_string(),
            _ => "only one of its servers has a `route=`, so `sticky route` has nothing to match".to_string(),
        },
        "give each `server` its own `route=NODE`, the node's Tomcat `jvmRoute`".to_string(),
    ))
}

/// What an Ingress lacks: no annotation that keeps a user on one replica.
fn ingress_problem(balanced: &Balanced<'_>, chart: bool) -> Option<(&'static str, String, String)> {
    if balanced.backend.affinity.cookie.is_some() {
        return None;
    }
    let help = match chart {
        true => "keep `ingress.nginx: true` (the chart then adds `nginx.ingress.kubernetes.io/affinity: cookie` and `affinity-mode: persistent`), or add those annotations to `ingress.annotations`",
        false => "annotate the Ingress with `nginx.ingress.kubernetes.io/affinity: cookie` and `nginx.ingress.kubernetes.io/affinity-mode: persistent`",
    };
    Some((
        "no session affinity",
        "sets no sticky cookie (`nginx.ingress.kubernetes.io/affinity: cookie`)".to_string(),
        help.to_string(),
    ))
}

/// What a Traefik service lacks: a sticky cookie.
fn traefik_problem(balanced: &Balanced<'_>) -> Option<(&'static str, String, String)> {
    if balanced.backend.affinity.cookie.is_some() {
        return None;
    }
    Some((
        "no session affinity",
        "sets no sticky cookie (`loadBalancer.sticky.cookie`)".to_string(),
        "add `sticky: { cookie: {} }` to the service's `loadBalancer` (TOML: `[http.services.NAME.loadBalancer.sticky.cookie]`)".to_string(),
    ))
}

/// Whether `lb-sticky-route-mismatch` reports the balancer's app: its Tomcat's `jvmRoute`
/// is known and no member has it as its route.
fn route_mismatch_reported(topology: &Topology<'_>, balanced: &Balanced<'_>) -> bool {
    let jvm_route = balanced.app.and_then(|a| topology.apps.get(a)).and_then(|a| a.jvm_route);
    let Some(wanted) = jvm_route.and_then(|r| r.value.known()).map(str::trim) else { return false };
    !balanced.backend.servers.iter().filter_map(|s| s.route.as_ref()).any(|(route, _)| route == wanted)
}
