//! `upstream-port-unmatched`: a local upstream port on which no scanned connector listens.

use foldhash::HashSet;

use crate::model::url::is_local;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a proxy route whose upstream is on this host (`localhost`, `127.0.0.0/8`,
    /// `::1`) and sends to a port on which no scanned connector listens, when the scan found
    /// apps at all. Ports of the apps' companion services are exempt: Confluence Synchrony
    /// (8091), Bitbucket SSH (7999 or `plugin.ssh.port`) and Bitbucket Mesh (7777). Nothing is
    /// concluded while a connector's port is a template value.
    ///
    /// ## Why is this bad?
    /// Usually a port changed on one side only (Jira moved to 8081, the proxy still says
    /// 8080): the proxy answers 502/503 for the app, or reaches whatever else listens there.
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass /jira http://localhost:8081/jira
    /// ```
    /// with Jira's `<Connector port="8080" .../>`.
    ///
    /// Use instead: the connector's port, `http://localhost:8080/jira`.
    pub struct UpstreamPortUnmatched {
        id: "upstream-port-unmatched",
        summary: "a proxy route whose upstream is on this host (`localhost`, `127.0.0.0/8`, `::1`) and sends to a port on which no scanned connector listens, when the scan found apps at all",
        severity: Warning,
        scope: "connector",
        formats: [Apache, Haproxy, Nginx],
    }
}

impl Rule for UpstreamPortUnmatched {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        if topology.apps.is_empty() {
            return;
        }
        // A connector whose port is a template value may listen on any port.
        if topology.connectors.iter().any(|c| c.port.is_some_and(|p| p.value.unknown)) {
            return;
        }
        let listening: HashSet<u16> = topology.connectors.iter().filter_map(|c| c.port_number()).collect();
        let mut known: Vec<String> = listening.iter().map(u16::to_string).collect();
        known.sort();
        // One finding a port: every route to it repeats one mistake.
        let mut by_port: Vec<(u16, Vec<&crate::model::Route>)> = Vec::new();
        let mut slot: foldhash::HashMap<u16, usize> = foldhash::HashMap::default();
        let mut seen: HashSet<crate::source::Span> = HashSet::default();
        for route in &topology.routes {
            let Some(port) = route.upstream.port else { continue };
            if !is_local(&route.upstream.host) || listening.contains(&port) || topology.companion_ports.contains(&port)
            {
                continue;
            }
            if !seen.insert(route.upstream.span) {
                continue;
            }
            let index = *slot.entry(port).or_insert_with(|| {
                by_port.push((port, Vec::new()));
                by_port.len() - 1
            });
            if let Some((_, routes)) = by_port.get_mut(index) {
                routes.push(route);
            }
        }
        for (port, routes) in by_port {
            let Some((first, others)) = routes.split_first() else { continue };
            let diagnostic = sink.emit(
                first.upstream.span,
                "nothing listens here",
                format!(
                    "the proxy sends to port {port} on this host, but no scanned connector listens on it (connectors: {})",
                    known.join(", ")
                ),
            );
            for other in others.iter().take(8) {
                diagnostic.related(other.upstream.span, format!("also sent to port {port}"));
            }
            diagnostic.help("point the route at the app's connector port, or change the connector's port to match");
        }
    }
}
