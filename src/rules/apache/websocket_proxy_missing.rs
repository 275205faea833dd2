//! `websocket-proxy-missing`: Confluence Synchrony proxied without a WebSocket upgrade.

use super::{trimmed, url_path, Target};
use crate::rules::queries::apache_configs_with_passes;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Confluence Synchrony (a `/synchrony` local path, or an upstream on port 8091)
    /// proxied over plain `http://` when nothing upgrades WebSockets in that virtual host: no
    /// `upgrade=websocket` on that `ProxyPass`, no `ws://` `ProxyPass` for it, and no
    /// `RewriteRule ... ws://... [P]`. For nginx: a Synchrony `proxy_pass` (a `/synchrony`
    /// location, an upstream on port 8091 or a path under `/synchrony`) without all three of
    /// `proxy_http_version 1.1`, `proxy_set_header Upgrade $http_upgrade` and
    /// `proxy_set_header Connection "upgrade"` in effect, as nginx inherits them (a
    /// `proxy_set_header` in the `location` drops those of the `server`).
    ///
    /// ## Why is this bad?
    /// Collaborative editing talks to Synchrony over a WebSocket. Without the upgrade the
    /// editor falls back to slow polling or never loads ("Confluence editor that never
    /// loads", "can't connect to Synchrony").
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass /synchrony http://localhost:8091/synchrony
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ProxyPass /synchrony http://localhost:8091/synchrony upgrade=websocket
    /// ```
    pub struct WebsocketProxyMissing {
        id: "websocket-proxy-missing",
        summary: "Confluence Synchrony (a `/synchrony` local path, or an upstream on port 8091) proxied over plain `http://` when nothing upgrades WebSockets in that virtual host or nginx location",
        severity: Warning,
        scope: "apache",
        formats: [Apache, Nginx],
    }
}

/// Whether a route goes to Synchrony: its public path, or the upstream URL's port or path.
pub(crate) fn is_synchrony(local: &str, url: &str) -> bool {
    let authority = url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or("");
    trimmed(local).ends_with("/synchrony")
        || authority.ends_with(":8091")
        || url_path(url).is_some_and(|p| p.starts_with("/synchrony"))
}

impl Rule for WebsocketProxyMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (config, passes) in apache_configs_with_passes(cx) {
            for pass in passes.iter().filter(|p| !p.reverse) {
                let Target::Url(url) = pass.target else { continue };
                let scheme = url.text.split("://").next().unwrap_or("").to_ascii_lowercase();
                if !matches!(scheme.as_str(), "http" | "https") || !is_synchrony(pass.local.0, url.text) {
                    continue;
                }
                let upgraded_here =
                    pass.directive.args().iter().any(|a| a.text.eq_ignore_ascii_case("upgrade=websocket"));
                let ws_pass = passes.iter().any(|other| {
                    other.vhost == pass.vhost
                        && matches!(other.target, Target::Url(u) if u.text.to_ascii_lowercase().starts_with("ws") && is_synchrony(other.local.0, u.text))
                });
                let rewrite = config.directives.iter().any(|d| {
                    d.is("RewriteRule")
                        && super::vhost_of(config, d.block()) == pass.vhost
                        && d.args().iter().any(|a| a.text.contains("ws://") || a.text.contains("wss://"))
                        && d.args().last().is_some_and(|flags| {
                            flags.text.starts_with('[') && flags.text.to_ascii_uppercase().contains('P')
                        })
                });
                if upgraded_here || ws_pass || rewrite {
                    continue;
                }
                let message =
                    format!("Synchrony at `{}` is proxied over `{scheme}://` with no WebSocket upgrade", pass.local.0);
                sink.emit(pass.directive.span, "no WebSocket upgrade", message).help(
                    "add `upgrade=websocket` to this `ProxyPass` (Apache 2.4.47+), or proxy `/synchrony` to `ws://`",
                );
            }
        }
        nginx(cx, sink);
    }
}

/// nginx: a Synchrony route without the three settings a WebSocket upgrade needs; one
/// finding per `proxy_pass` however many servers its `upstream` has.
fn nginx(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let mut seen: foldhash::HashSet<crate::source::Span> = foldhash::HashSet::default();
    for route in &cx.topology().routes {
        let Some(nginx) = route.nginx else { continue };
        let public = route.public.as_deref().unwrap_or("");
        let url = format!(
            "{}://{}:{}{}",
            route.upstream.scheme,
            route.upstream.host,
            route.upstream.port.unwrap_or(0),
            route.upstream.path
        );
        if route.websocket || !is_synchrony(public, &url) || !seen.insert(route.at) {
            continue;
        }
        let missing: Vec<&str> = [
            (!nginx.http11).then_some("`proxy_http_version 1.1;`"),
            (!nginx.upgrade).then_some("`proxy_set_header Upgrade $http_upgrade;`"),
            (!nginx.connection).then_some("`proxy_set_header Connection \"upgrade\";`"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let shown = if public.is_empty() { "/" } else { public };
        let message =
            format!("Synchrony at `{shown}` is proxied with no WebSocket upgrade: no {}", missing.join(", no "));
        let finding = sink.emit(route.at, "no WebSocket upgrade", message);
        finding.help(format!("add {} to this `location`", missing.join(" and ")));
        if let Some(dropping) = nginx.dropping {
            finding.related(dropping, "a `proxy_set_header` here drops every one set in the blocks around it");
        }
    }
}
