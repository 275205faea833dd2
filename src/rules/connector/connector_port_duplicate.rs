//! `connector-port-duplicate`: two connectors of one file on the same port.

use std::collections::HashMap;

use crate::model::{Connector, Field};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags two live connectors in one `server.xml` that listen on the same port (on the
    /// same address), or a Bitbucket additional connector on the port of the main one
    /// (`server.port`, 7990 when unset).
    ///
    /// ## Why is this bad?
    /// The second connector fails to bind ("Address already in use") and Tomcat starts
    /// without it. Typically a copied connector whose port was never changed: the proxy's
    /// route to it leads nowhere.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" proxyName="jira.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// <Connector port="8080"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" proxyName="jira.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// <Connector port="8081"/>
    /// ```
    pub struct ConnectorPortDuplicate {
        id: "connector-port-duplicate",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

fn address(connector: &Connector<'_>) -> Option<String> {
    connector.address.and_then(|a| a.value.known()).map(|a| a.trim().to_string())
}

fn port_span(connector: &Connector<'_>) -> Span {
    connector.port.map_or(connector.at, |p| p.value.span)
}

impl Rule for ConnectorPortDuplicate {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let mut first: HashMap<(crate::source::FileId, u16), Vec<&Connector<'_>>> = HashMap::new();
        for connector in &cx.topology.connectors {
            let Some(port) = connector.port_number() else {
                continue;
            };
            let earlier = first.entry((connector.file, port)).or_default();
            // Connectors bound to two different explicit addresses may share a port.
            let clash = earlier.iter().find(|e| match (address(e), address(connector)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            });
            if let Some(clash) = clash {
                let name = connector.name(Field::Port);
                let label = if connector.port.is_some() { "port already taken" } else { "default port already taken" };
                sink.emit(
                    port_span(connector),
                    label,
                    format!("two connectors listen on port `{port}`; `{name}` must differ"),
                )
                .related(port_span(clash), "first connector on this port")
                .help("give each connector its own port");
            }
            earlier.push(connector);
        }
    }
}
