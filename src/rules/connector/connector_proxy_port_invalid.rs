//! `connector-proxy-port-invalid`: a port setting that is not a port number.

use crate::model::{Connector, Field};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::{Setting, Tree};

declare_rule! {
    /// ## What it does
    /// Flags `port`, `proxyPort` and `redirectPort` (and `server.port`, `server.proxy-port`,
    /// `server.redirect-port`, the additional connectors' ports) whose value is not an integer
    /// from 1 to 65535: `"8090 "` with a trailing space, `"https"`, `"70000"`. `-1` is allowed
    /// for `redirectPort` and for the `<Server port>` shutdown port, where it means "none".
    ///
    /// ## Why is this bad?
    /// Tomcat only logs "failed to set property" and starts with the default instead, so the
    /// application listens or redirects somewhere other than the file says. Values that only
    /// the deployment knows (`${...}`, template tags) are not judged.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8090 " proxyPort="https" redirectPort="8443"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8090" proxyPort="443" redirectPort="8443"/>
    /// ```
    pub struct ConnectorProxyPortInvalid {
        id: "connector-proxy-port-invalid",
        summary: "`port`, `proxyPort` and `redirectPort` (and `server.port`, `server.proxy-port`, `server.redirect-port`, the additional connectors' ports) whose value is not an integer from 1 to 65535",
        severity: Error,
        scope: "connector",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for ConnectorProxyPortInvalid {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for connector in &cx.topology().connectors {
            for field in [Field::Port, Field::ProxyPort, Field::RedirectPort] {
                let Some(setting) = connector.get(field) else {
                    continue;
                };
                let allows_none = field == Field::RedirectPort;
                check_port(sink, setting, &connector.name(field), allows_none, Some(connector));
            }
        }
        for file in cx.files {
            let Tree::ServerXml(doc) = &file.tree else {
                continue;
            };
            for (_, server) in doc.named("Server") {
                if let Some(port) = server.attr("port") {
                    check_port(sink, port, "port", true, None);
                }
            }
        }
    }
}

fn check_port(
    sink: &mut Sink<'_>,
    setting: &Setting<'_>,
    name: &str,
    allows_none: bool,
    connector: Option<&Connector<'_>>,
) {
    let Some(value) = setting.value.known() else {
        return;
    };
    // Spring Boot trims numbers before converting them; Tomcat does not.
    let lenient = connector.is_some_and(|c| matches!(c.style, crate::model::Style::Spring(_)));
    let text = if lenient { value.trim() } else { value };
    let parsed = text.strip_prefix('+').unwrap_or(text).parse::<i64>().ok();
    let valid = match parsed {
        Some(-1) => allows_none,
        Some(n) => (1..=65535).contains(&n),
        None => false,
    };
    if valid {
        return;
    }
    let range = if allows_none { "1-65535, or -1 for none" } else { "1-65535" };
    let fixed = value.trim();
    let help = if fixed != value && fixed.parse::<u16>().is_ok() {
        format!("remove the whitespace: `{fixed}`")
    } else {
        format!("use a port number ({range})")
    };
    sink.emit(setting.value.span, "not a port number", format!("`{name}` is `{value}`, not a port number ({range})"))
        .help(help);
}
