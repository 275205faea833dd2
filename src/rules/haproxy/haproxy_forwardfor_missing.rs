//! `haproxy-forwardfor-missing`: an HTTP proxy in front of an app that does not pass the
//! client's address on.

use foldhash::{HashSet, HashSetExt};

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an HAProxy backend in `mode http` that forwards to a linked app when neither the
    /// frontend nor the backend (nor their `defaults`) has `option forwardfor` or an
    /// `http-request set-header X-Forwarded-For`.
    ///
    /// ## Why is this bad?
    /// The application then logs the proxy's address for every user, rate limits and
    /// blocks everybody at once after failed logins from one user, and audit logs lose who
    /// did what.
    ///
    /// ## Example
    /// ```text
    /// backend bitbucket
    ///     mode http
    ///     server bb 127.0.0.1:7990
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// backend bitbucket
    ///     mode http
    ///     option forwardfor
    ///     server bb 127.0.0.1:7990
    /// ```
    pub struct HaproxyForwardforMissing {
        id: "haproxy-forwardfor-missing",
        summary: "an HAProxy backend in `mode http` that forwards to a linked app when neither the frontend nor the backend (nor their `defaults`) has `option forwardfor` or an `http-request set-header X-Forwarded-For`",
        severity: Warning,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxyForwardforMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let mut reported = HashSet::new();
        for (index, route) in topology.routes.iter().enumerate() {
            let Some(haproxy) = route.haproxy.filter(|h| h.http && !h.forwardfor) else { continue };
            let Some(connector) =
                topology.route_links.get(index).copied().flatten().and_then(|c| topology.connectors.get(c))
            else {
                continue;
            };
            if !reported.insert(haproxy.backend_header) {
                continue;
            }
            sink.emit(
                haproxy.backend_header,
                "no X-Forwarded-For",
                "this HTTP backend forwards to an app without `option forwardfor`: the app sees the proxy's address for every user",
            )
            .related(haproxy.frontend_header, "nor in the frontend")
            .related(connector.at, "the app behind it")
            .help("add `option forwardfor` to the backend (or to `defaults`)");
        }
    }
}
