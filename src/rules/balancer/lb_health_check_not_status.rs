//! `lb-health-check-not-status`: a load balancer's health check that does not ask the app's
//! `/status`.

use foldhash::{HashSet, HashSetExt};

use super::{balanced, server_lines};
use crate::model::{ContextPath, ProxyKind};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags the health check of a load balancer that sends a linked app's requests to two
    /// or more active servers, when it probes something other than the app's status
    /// endpoint (`<context path>/status`; `/synchrony/heartbeat` for Synchrony), or when no
    /// check runs at all:
    /// - HAProxy: the request of `option httpchk [METHOD] URI` (a bare `option httpchk`
    ///   sends `OPTIONS /`) or of `http-check send ... uri URI`, the backend's own or its
    ///   `defaults`'; or no active server with `check`, when no `option httpchk` is in effect
    ///   either (with one, `haproxy-health-check-unused` says so);
    /// - Apache `mod_proxy_hcheck`: a `BalancerMember`'s `hcuri=` (appended to the member's
    ///   URL), its own or its `ProxyHCTemplate`'s, or an HTTP `hcmethod=` without one.
    ///
    /// A query string after `/status` is fine; a TCP-only check (`check` without `option
    /// httpchk`) counts as a check; Apache balancers without `hc*` parameters (passive failure
    /// detection), `mode tcp` backends, single servers and template values are not judged.
    ///
    /// ## Why is this bad?
    /// A page such as `/` or `/login.jsp` answers while a node is starting, stopping, or
    /// failing in ways only `/status` reports, and a missing check never notices a dead node:
    /// the balancer keeps sending users to a node that cannot serve them.
    ///
    /// ## Example
    /// ```haproxy
    /// backend jira
    ///     option httpchk GET /secure/Dashboard.jspa
    ///     cookie ATLNODE insert indirect nocache
    ///     server node1 10.0.0.1:8080 check cookie node1
    ///     server node2 10.0.0.2:8080 check cookie node2
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// backend jira
    ///     option httpchk GET /status
    ///     http-check expect string RUNNING
    ///     cookie ATLNODE insert indirect nocache
    ///     server node1 10.0.0.1:8080 check cookie node1
    ///     server node2 10.0.0.2:8080 check cookie node2
    /// ```
    ///
    /// ## References
    /// - Atlassian, "Jira 'status' endpoint response meanings": load balancers should expect
    ///   status 200 and `RUNNING`.
    /// - Atlassian, "Proper paths to use for AWS Elastic Load Balancer health checks":
    ///   `/status` and `/synchrony/heartbeat`.
    pub struct LbHealthCheckNotStatus {
        id: "lb-health-check-not-status",
        summary: "a load balancer in front of two or more nodes of a linked app whose health check is missing or probes something other than `<context path>/status` (`/synchrony/heartbeat` for Synchrony)",
        severity: Warning,
        scope: "balancer",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for LbHealthCheckNotStatus {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        // One finding a check line (a `defaults` line or a template many backends share).
        let mut reported: HashSet<Span> = HashSet::new();
        for balanced in balanced(topology) {
            let backend = balanced.backend;
            if backend.tcp || backend.servers.iter().any(|s| s.template) {
                continue;
            }
            let app = balanced.app.and_then(|a| topology.apps.get(a));
            // The status endpoint and where its context path is written.
            let (expected, context): (String, Option<&ContextPath<'_>>) = match app {
                None => ("/synchrony/heartbeat".to_string(), None),
                Some(app) => match &app.context_path {
                    None => (format!("{}/status", app.default_context.unwrap_or("")), None),
                    Some(context) => match context.normalized() {
                        Some(path) => (format!("{path}/status"), Some(context)),
                        None => continue,
                    },
                },
            };
            let what = match app {
                Some(app) => format!("{}'s", app.kind.name()),
                None => "Synchrony's".to_string(),
            };
            let path_of = |uri: &str| uri.split(['?', '#']).next().unwrap_or(uri).to_string();
            match backend.kind {
                // The chart's readiness probe asks for the status page; an Ingress has no
                // check of its own.
                ProxyKind::Ingress | ProxyKind::Traefik => continue,
                ProxyKind::Haproxy => {
                    let checked = backend.servers.iter().any(|s| s.active && s.check);
                    match &backend.health {
                        None if !checked => {
                            if !reported.insert(backend.at) {
                                continue;
                            }
                            let message = format!(
                                "backend `{}` balances {what} {} nodes with no health check: none of its servers has `check`, so a node that stops answering stays in rotation",
                                backend.name,
                                backend.active()
                            );
                            let finding = sink.emit(backend.at, "no health check", message);
                            for line in server_lines(backend) {
                                finding.related(line, "no `check`");
                            }
                            if let Some(context) = context {
                                finding.related(context.setting.span, "the context path");
                            }
                            finding
                                .help(format!("add `option httpchk GET {expected}` and `check` to each `server` line"));
                        }
                        Some(health) if checked => {
                            let Some(uri) = &health.uri else { continue };
                            if path_of(uri) == expected || !reported.insert(health.span) {
                                continue;
                            }
                            let message = format!(
                                "the health check of backend `{}` asks for `{uri}`, not {what} status endpoint `{expected}`: a node that is starting, stopping or failing can still pass it and stay in rotation",
                                backend.name
                            );
                            let finding = sink.emit(health.span, format!("probes `{uri}`"), message);
                            if let Some(context) = context {
                                finding.related(context.setting.span, "the context path");
                            }
                            finding.help(format!(
                                "check `{expected}` (`option httpchk GET {expected}`) and add `http-check expect string RUNNING`"
                            ));
                        }
                        _ => {}
                    }
                }
                ProxyKind::Apache => {
                    // One finding a balancer, at its first member that probes elsewhere.
                    let wrong: Vec<(&String, Span)> = backend
                        .servers
                        .iter()
                        .filter(|s| s.active)
                        .filter_map(|s| s.health_uri.as_ref())
                        .filter(|(uri, _)| path_of(uri) != expected)
                        .map(|(uri, at)| (uri, *at))
                        .collect();
                    let Some(&(uri, at)) = wrong.first() else { continue };
                    if !reported.insert(at) {
                        continue;
                    }
                    let message = format!(
                        "the health check of `{}` asks for `{uri}`, not {what} status endpoint `{expected}`: a node that is starting, stopping or failing can still pass it and stay in rotation",
                        backend.name
                    );
                    let finding = sink.emit(at, format!("probes `{uri}`"), message);
                    for &(_, other) in wrong.iter().skip(1).filter(|(_, other)| *other != at) {
                        finding.related(other, "probes the same");
                    }
                    if let Some(context) = context {
                        finding.related(context.setting.span, "the context path");
                    }
                    finding.help(format!(
                        "make `hcuri=` the path that, after the member's URL, reads `{expected}` (with `hcmethod=GET`)"
                    ));
                }
                ProxyKind::Nginx => {}
            }
        }
    }
}
