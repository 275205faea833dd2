//! `connector-port-duplicate`: two connectors of one file on the same port.

use foldhash::{HashMap, HashMapExt};

use crate::model::{Connector, Field};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags two live connectors in one `server.xml` that listen on the same port (on the
    /// same address), or a Bitbucket additional connector on the port of the main one
    /// (`server.port`, 7990 when unset).
    /// In a template with conditionals (`{% if %}`, `<% if %>`) repeats are not judged: both
    /// branches of a conditional are in the text.
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
        summary: "two live connectors in one `server.xml` that listen on the same port (on the same address), or a Bitbucket additional connector on the port of the main one (`server.port`, 7990 when unset)",
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

/// The connectors seen so far on one port of one file.
#[derive(Default)]
struct Taken<'c, 'a> {
    first: Option<&'c Connector<'a>>,
    on_all_addresses: Option<&'c Connector<'a>>,
    by_address: HashMap<String, &'c Connector<'a>>,
}

impl<'c, 'a> Taken<'c, 'a> {
    /// The earlier connector this one clashes with: connectors bound to two different
    /// explicit addresses may share a port.
    fn clash(&self, connector: &Connector<'_>) -> Option<&'c Connector<'a>> {
        match address(connector) {
            Some(a) => self.by_address.get(&a).copied().or(self.on_all_addresses),
            None => self.first,
        }
    }

    fn add(&mut self, connector: &'c Connector<'a>) {
        self.first.get_or_insert(connector);
        match address(connector) {
            Some(a) => {
                self.by_address.entry(a).or_insert(connector);
            }
            None => {
                self.on_all_addresses.get_or_insert(connector);
            }
        }
    }
}

impl Rule for ConnectorPortDuplicate {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        // One Tomcat's connectors share its host's ports; each container has its own (a
        // compose file's or manifest's services never clash).
        let mut taken: HashMap<(crate::source::FileId, Option<usize>, u16), Taken<'_, '_>> = HashMap::new();
        for connector in &cx.topology().connectors {
            let Some(port) = connector.port_number() else {
                continue;
            };
            let container = matches!(connector.style, crate::model::Style::Env(_)).then_some(connector.app);
            let seen = taken.entry((connector.file, container, port)).or_default();
            if let Some(clash) = seen.clash(connector).filter(|_| !cx.has_template_control(connector.file)) {
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
            seen.add(connector);
        }
    }
}
