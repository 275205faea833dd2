//! `lb-sticky-route-mismatch`: Tomcat's `jvmRoute` matches no route of the Apache balancer
//! that sticks on `JSESSIONID`.

use foldhash::{HashSet, HashSetExt};

use super::balanced;
use crate::model::ProxyKind;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags the `jvmRoute` of a Tomcat `<Engine>` when the Apache balancer in front of the
    /// app sticks on Tomcat's session cookie (`stickysession=JSESSIONID`, `jsessionid` or
    /// `JSESSIONID|jsessionid`) and no `BalancerMember` has that `route=`, or none has a
    /// `route=` at all; the same for an nginx `upstream` with NGINX Plus `sticky route`
    /// (which Atlassian's and NGINX's Tomcat examples feed with the part of `JSESSIONID`
    /// after the dot) and its servers' `route=`. An `<Engine>` without `jvmRoute` (often set with `-DjvmRoute` in
    /// `setenv.sh`, which is not scanned), balancer cookies such as `ROUTEID`, HAProxy's
    /// `cookie JSESSIONID prefix` and template values are not judged.
    ///
    /// ## Why is this bad?
    /// Tomcat appends `.jvmRoute` to each session id, and Apache sends a request to the
    /// member whose `route=` equals that suffix. When no member has it, Apache balances the
    /// request like any other: the user lands on another node, loses the session and is sent
    /// back to the login page, again and again.
    ///
    /// ## Example
    /// ```xml
    /// <Engine name="Catalina" defaultHost="localhost" jvmRoute="jira1">
    /// ```
    /// with
    /// ```apache
    /// <Proxy balancer://jira>
    ///     BalancerMember http://node1:8080 route=node1
    ///     BalancerMember http://node2:8080 route=node2
    /// </Proxy>
    /// ProxyPass / balancer://jira/ stickysession=JSESSIONID|jsessionid
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Engine name="Catalina" defaultHost="localhost" jvmRoute="node1">
    /// ```
    ///
    /// ## References
    /// - Atlassian, "Keep being redirected to the login page after providing the right
    ///   credentials on Jira Data Center": the node name must be the same in
    ///   `cluster.properties`, `jvmRoute` and `BalancerMember route=`.
    /// - Atlassian, "Jira Data Center Load Balancer examples", option 2 (JSESSIONID and
    ///   jvmRoute).
    pub struct LbStickyRouteMismatch {
        id: "lb-sticky-route-mismatch",
        summary: "Tomcat's `<Engine jvmRoute>` equals no `route=` of the Apache balancer (or nginx `sticky route` upstream) that sticks on `JSESSIONID` in front of it",
        severity: Error,
        scope: "balancer",
        formats: [Apache, Nginx, TomcatServerXml],
    }
}

impl Rule for LbStickyRouteMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        // One finding a `jvmRoute`, however many balancers reach its app.
        let mut reported: HashSet<Span> = HashSet::new();
        for balanced in balanced(topology) {
            let backend = balanced.backend;
            if matches!(backend.kind, ProxyKind::Haproxy | ProxyKind::Ingress | ProxyKind::Traefik)
                || backend.affinity.template
            {
                continue;
            }
            let Some((names, sticky)) = &backend.affinity.cookie else { continue };
            if !names.split('|').all(|n| n == "JSESSIONID" || n == "jsessionid") {
                continue;
            }
            let Some(app) = balanced.app.and_then(|a| topology.apps.get(a)) else { continue };
            let Some(jvm_route) = app.jvm_route else { continue };
            let Some(wanted) = jvm_route.value.known().map(str::trim) else { continue };
            if backend.servers.iter().any(|s| s.template) {
                continue;
            }
            let routes: Vec<(&str, Span)> =
                backend.servers.iter().filter_map(|s| s.route.as_ref()).map(|(r, at)| (r.as_str(), *at)).collect();
            if routes.iter().any(|(route, _)| *route == wanted) || !reported.insert(jvm_route.span) {
                continue;
            }
            let product = app.kind.name();
            let (proxy, group, member) = match backend.kind {
                ProxyKind::Nginx => ("nginx", format!("`upstream {}`", backend.name), "server"),
                _ => ("Apache", format!("`{}`", backend.name), "BalancerMember"),
            };
            let (label, message) = if routes.is_empty() {
                (
                    "no member has a route",
                    format!(
                        "{product}'s Tomcat appends `.{wanted}` to session ids, but no member of {group} has a `route=`: {proxy} cannot send a session back to its node, and users loop on the login page"
                    ),
                )
            } else {
                let list: Vec<String> = routes.iter().map(|(r, _)| format!("`{r}`")).collect();
                (
                    if member == "server" { "matches no server route" } else { "matches no BalancerMember route" },
                    format!(
                        "{product}'s Tomcat appends `.{wanted}` to session ids, but the members of {group} have the routes {}: {proxy} cannot send a session back to its node, and users loop on the login page",
                        list.join(", ")
                    ),
                )
            };
            let finding = sink.emit(jvm_route.span, label, message);
            for server in backend.servers.iter().filter(|s| s.active) {
                match &server.route {
                    Some((_, at)) => finding.related(*at, "a member's route"),
                    None => finding.related(server.line, "a member without `route=`"),
                };
            }
            finding.related(*sticky, "sticks on Tomcat's session id");
            let help = match routes.first() {
                Some((route, _)) => format!(
                    "make `jvmRoute` the node's name as a `{member} … route=` has it (this node's, for example `{route}`)"
                ),
                None => format!("add `route={wanted}` to this node's `{member}` (and each other node's own name)"),
            };
            finding.help(help);
        }
    }
}
