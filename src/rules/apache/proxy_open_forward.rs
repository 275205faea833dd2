//! `proxy-open-forward`: `ProxyRequests On` makes the server an open forward proxy.

use crate::rules::queries::apache_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags `ProxyRequests On`.
    ///
    /// ## Why is this bad?
    /// A reverse proxy in front of Jira or Confluence needs only `ProxyPass`. `ProxyRequests
    /// On` turns the server into a forward proxy that relays requests to any host for
    /// anyone who can reach it: spam, attacks and access to internal networks in your name.
    ///
    /// ## Example
    /// ```apache
    /// ProxyRequests On
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ProxyRequests Off
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    pub struct ProxyOpenForward {
        id: "proxy-open-forward",
        summary: "`ProxyRequests On`: Apache as an open forward proxy",
        severity: Error,
        scope: "apache",
        formats: [Apache],
    }
}

impl Rule for ProxyOpenForward {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in apache_configs(cx.files) {
            for directive in config.directives.iter().filter(|d| d.is("ProxyRequests")) {
                let Some(value) = directive.args().first().filter(|v| v.text.eq_ignore_ascii_case("on")) else {
                    continue;
                };
                sink.emit(value.span, "forward proxy on", "`ProxyRequests On` makes this server an open forward proxy")
                    .help("set `ProxyRequests Off`: `ProxyPass` needs no forward proxying");
            }
        }
    }
}
