//! `websocket-idle-timeout-short`: an HAProxy or nginx route to Synchrony that closes idle
//! WebSockets too soon.

use foldhash::{HashSet, HashSetExt};

use crate::model::HaproxyTimeout;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags an HTTP-mode HAProxy backend that carries Synchrony, Confluence's collaborative
    /// editing service (a route whose public path is `/synchrony`, or whose servers listen
    /// on 8091), when the idle limit of its WebSockets is below 60 s (`min-websocket-idle`
    /// in the config file, in seconds). The idle limit is the `timeout tunnel` in effect for
    /// the backend (its own, else its `defaults`'); without one, the shorter of the
    /// frontend's `timeout client` and the backend's `timeout server` in effect. For nginx:
    /// a `proxy_read_timeout` in effect on the Synchrony `location` below the minimum
    /// (nginx's default of 60 s passes). `mode tcp`, routes without Synchrony and template
    /// values are not judged.
    ///
    /// ## Why is this bad?
    /// Once a connection is upgraded to a WebSocket, HAProxy closes it after the tunnel
    /// timeout of silence, and without `timeout tunnel` after the client or server timeout.
    /// The editor loses its connection whenever nobody types for that long, shows
    /// "Reconnecting…" and can drop unsaved changes.
    ///
    /// ## Example
    /// ```haproxy
    /// defaults
    ///     mode http
    ///     timeout client 10s
    ///     timeout server 10s
    ///
    /// backend synchrony
    ///     server synchrony1 10.0.0.1:8091
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// defaults
    ///     mode http
    ///     timeout client 10s
    ///     timeout server 10s
    ///
    /// backend synchrony
    ///     timeout tunnel 1h
    ///     server synchrony1 10.0.0.1:8091
    /// ```
    ///
    /// ## References
    /// - HAProxy configuration manual, `timeout tunnel`: it applies to WebSocket
    ///   connections once upgraded, in place of the client and server timeouts.
    /// - Atlassian, "Troubleshooting Collaborative Editing": the most common issue is a
    ///   misconfigured reverse proxy.
    pub struct WebsocketIdleTimeoutShort {
        id: "websocket-idle-timeout-short",
        summary: "a route to Synchrony whose WebSockets are closed after less than 60 s of silence (`min-websocket-idle`): HAProxy `timeout tunnel`, else `timeout client`/`timeout server`; nginx `proxy_read_timeout`",
        severity: Warning,
        scope: "haproxy",
        formats: [Haproxy, Nginx],
    }
}

impl Rule for WebsocketIdleTimeoutShort {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let minimum = cx.settings.min_websocket_idle().saturating_mul(1000);
        // One finding a backend, however many servers and frontends reach it.
        let mut reported: HashSet<Span> = HashSet::new();
        for route in &topology.routes {
            if let (Some(nginx), true) = (route.nginx, route.carries_synchrony()) {
                // nginx closes an upgraded connection after `proxy_read_timeout` of silence.
                let Some((ms, Some(line))) = nginx.timeouts.first().copied().flatten() else { continue };
                if ms >= minimum || !reported.insert(line) {
                    continue;
                }
                let message = format!(
                    "nginx closes Synchrony's WebSockets after {} of silence (`proxy_read_timeout`), below {} s: the Confluence editor keeps reconnecting",
                    seconds(ms),
                    minimum / 1000
                );
                sink.emit(line, format!("idle WebSockets closed after {}", seconds(ms)), message)
                    .related(route.at, "the route to Synchrony")
                    .help("raise `proxy_read_timeout` in the Synchrony `location` to 1h or more");
                continue;
            }
            let Some(details) = route.haproxy else { continue };
            if !details.http || !route.carries_synchrony() {
                continue;
            }
            if route.backend.and_then(|b| topology.backends.get(b)).is_some_and(|b| b.tcp) {
                continue;
            }
            let Some(parsed) = cx.parsed(details.backend_header.file) else { continue };
            let text = |t: &HaproxyTimeout| parsed.source.slice(t.value).to_string();
            // The limits that close an idle WebSocket, each below the minimum.
            let short: Vec<(&str, HaproxyTimeout, u64)> = match details.tunnel {
                Some(tunnel) => match tunnel.ms {
                    Some(ms) if ms < minimum => vec![("tunnel", tunnel, ms)],
                    _ => continue,
                },
                None => {
                    let set = [("client", details.client), ("server", details.server)];
                    let short: Vec<_> = set
                        .into_iter()
                        .filter_map(|(name, t)| Some((name, t?, t?.ms?)))
                        .filter(|(_, _, ms)| *ms < minimum)
                        .collect();
                    short
                }
            };
            let Some(&(_, _, idle)) = short.iter().min_by_key(|(_, _, ms)| *ms) else { continue };
            if !reported.insert(details.backend_header) {
                continue;
            }
            let written: Vec<String> =
                short.iter().map(|(name, t, _)| format!("`timeout {name} {}`", text(t))).collect();
            let (cause, help) = if details.tunnel.is_some() {
                (written.join(""), "raise `timeout tunnel` to 1h or more (the time an idle editor may stay open)")
            } else {
                (
                    format!("{}, with no `timeout tunnel` in effect", written.join(" and ")),
                    "add `timeout tunnel 1h` to this backend (or its `defaults`): it governs WebSockets once upgraded",
                )
            };
            let message = format!(
                "HAProxy closes Synchrony's WebSockets after {} of silence ({cause}), below {} s: the Confluence editor keeps reconnecting",
                seconds(idle),
                minimum / 1000
            );
            let diagnostic =
                sink.emit(details.backend_header, format!("idle WebSockets closed after {}", seconds(idle)), message);
            for (name, timeout, _) in &short {
                diagnostic.related(timeout.line, format!("`timeout {name}`"));
            }
            if route.at != details.backend_header {
                diagnostic.related(route.at, "the route to Synchrony");
            }
            diagnostic.help(help);
        }
    }
}

/// A duration in milliseconds as people write it.
fn seconds(ms: u64) -> String {
    match ms % 1000 {
        0 => format!("{} s", ms / 1000),
        _ => format!("{ms} ms"),
    }
}
