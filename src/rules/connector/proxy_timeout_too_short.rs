//! `proxy-timeout-too-short`: an inactivity timeout on a route to Bitbucket shorter than a
//! git operation waits for the server.

use foldhash::{HashSet, HashSetExt};

use crate::model::AppKind;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags an inactivity timeout below 30 s (`min-proxy-timeout` in the config file, in
    /// seconds) on a route to a linked Bitbucket application. For nginx: the
    /// `proxy_read_timeout` and `proxy_send_timeout` in effect where the `proxy_pass`
    /// stands (`location`, then `server`, then `http`, across included files), nginx's
    /// default of 60 s where none is set. Routes to other applications, template values
    /// and `proxy_connect_timeout` are not judged.
    ///
    /// ## Why is this bad?
    /// A `git clone` or `git fetch` of a large repository waits while Bitbucket counts and
    /// compresses objects, with nothing sent; a proxy that gives up first cuts the
    /// operation off. Users see "RPC failed; HTTP 504", "the remote end hung up
    /// unexpectedly" or "Communication breakdown", and the proxy logs 504 or 499.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_read_timeout 10s;
    ///     proxy_pass http://localhost:7990;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location / {
    ///     proxy_read_timeout 300s;
    ///     proxy_pass http://localhost:7990;
    /// }
    /// ```
    ///
    /// ## References
    /// - Atlassian, "HTTP timeouts and errors 502, 503, 504, 499 logged by reverse proxy
    ///   with Bitbucket Data Center".
    /// - Atlassian, "A 'Communication breakdown with Bitbucket' error when cloning git
    ///   repository via HTTPS".
    pub struct ProxyTimeoutTooShort {
        id: "proxy-timeout-too-short",
        summary: "an inactivity timeout below 30 s (`min-proxy-timeout`) on a route to a linked Bitbucket app (nginx `proxy_read_timeout`/`proxy_send_timeout`)",
        severity: Warning,
        scope: "connector",
        formats: [Nginx],
    }
}

impl Rule for ProxyTimeoutTooShort {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let minimum = cx.settings.min_proxy_timeout().saturating_mul(1000);
        // One finding a timeout line (or a route under the default), however many routes.
        let mut reported: HashSet<Span> = HashSet::new();
        for (index, route) in topology.routes.iter().enumerate() {
            let Some(nginx) = route.nginx else { continue };
            let Some(connector) = topology.route_links.get(index).copied().flatten() else { continue };
            let app = topology.connectors.get(connector).and_then(|c| topology.apps.get(c.app));
            if app.is_none_or(|a| a.kind != AppKind::Bitbucket) {
                continue;
            }
            for (name, timeout) in ["proxy_read_timeout", "proxy_send_timeout"].into_iter().zip(nginx.timeouts) {
                let Some((ms, set)) = timeout else { continue };
                if ms >= minimum || !reported.insert(set.unwrap_or(route.at)) {
                    continue;
                }
                let seconds = |ms: u64| match ms % 1000 {
                    0 => format!("{} s", ms / 1000),
                    _ => format!("{ms} ms"),
                };
                let wanted = format!("`{name} {}s;`", (minimum / 1000).max(300));
                match set {
                    Some(span) => {
                        let message = format!(
                            "`{name}` gives up after {} of silence on a route to Bitbucket, below {}: a clone or fetch of a large repository is cut off while the server prepares it",
                            seconds(ms),
                            seconds(minimum)
                        );
                        sink.emit(span, format!("gives up after {}", seconds(ms)), message)
                            .related(route.at, "the route to Bitbucket")
                            .help(format!("raise it: {wanted} or longer"));
                    }
                    None => {
                        let message = format!(
                            "nginx's default `{name}` of 60 s applies on this route to Bitbucket, below the {} asked for: a clone or fetch of a large repository is cut off while the server prepares it",
                            seconds(minimum)
                        );
                        sink.emit(route.at, "60 s default", message)
                            .help(format!("set {wanted} or longer in this `location` or its `server`"));
                    }
                }
            }
        }
    }
}
