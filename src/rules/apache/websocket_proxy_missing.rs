//! `websocket-proxy-missing`: Confluence Synchrony proxied without a WebSocket upgrade.

use super::{trimmed, url_path, Target};
use crate::rules::queries::apache_configs_with_passes;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Confluence Synchrony (a `/synchrony` local path, or an upstream on port 8091)
    /// proxied over plain `http://` when nothing upgrades WebSockets in that virtual host: no
    /// `upgrade=websocket` on that `ProxyPass`, no `ws://` `ProxyPass` for it, and no
    /// `RewriteRule ... ws://... [P]`.
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
        summary: "Confluence Synchrony (a `/synchrony` local path, or an upstream on port 8091) proxied over plain `http://` when nothing upgrades WebSockets in that virtual host",
        severity: Warning,
        scope: "apache",
        formats: [Apache],
    }
}

/// Whether a pass goes to Synchrony.
fn is_synchrony(local: &str, url: &str) -> bool {
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
    }
}
