//! Apps and connectors from Tomcat `server.xml`.

use super::{
    App, AppKind, Connector, ContextPath, PathStyle, ProtocolSetting, ProtocolSyntax, Style, SynchronyProxy, Topology,
};
use crate::source::SourceFile;
use crate::syntax::server_xml::{Document, Element};
use crate::syntax::Setting;

/// Adds the app a `server.xml` describes, with all its live connectors and contexts.
pub(super) fn add<'a>(topology: &mut Topology<'a>, source: &'a SourceFile, doc: &'a Document<'a>) {
    let app = topology.apps.len();
    let mut main: Option<ContextPath<'a>> = None;
    let mut first: Option<ContextPath<'a>> = None;
    let mut kind = AppKind::Unknown;
    let mut confluence_host = None;
    let mut synchrony_proxy = false;
    for (index, element) in doc.named("Context").filter(|(i, _)| parent_is(doc, *i, "Host")) {
        let doc_base = element.attr("docBase").map(|d| d.value.text.as_ref()).unwrap_or("");
        let base_kind = AppKind::guess(doc_base);
        let Some(setting) = element.attr("path") else {
            continue;
        };
        synchrony_proxy |= setting.value.text.trim_end_matches('/').ends_with("/synchrony-proxy");
        let context = ContextPath { setting, style: PathStyle::Tomcat, host: doc.ancestor(index, "Host"), app };
        topology.contexts.push(context);
        if main.is_none() && base_kind != AppKind::Unknown {
            main = Some(context);
            kind = base_kind;
            if doc_base.trim_end_matches(['/', '\\']).to_ascii_lowercase().ends_with("confluence") {
                confluence_host = doc.ancestor(index, "Host").and_then(|h| doc.element(h)).map(|h| h.tag_span);
            }
        }
        if first.is_none() && !doc_base.contains("synchrony-proxy") {
            first = Some(context);
        }
    }
    if kind == AppKind::Unknown {
        kind = AppKind::guess(source.display());
    }
    if kind == AppKind::Unknown {
        // The products' default ports, as their installers set them.
        let ports =
            doc.named("Connector").filter_map(|(_, c)| c.attr("port")?.value.known()?.trim().parse::<u16>().ok());
        kind = ports.map(AppKind::by_port).find(|k| *k != AppKind::Unknown).unwrap_or(AppKind::Unknown);
    }
    // The `<Engine>` of the first `<Service>`, where the main context is.
    let jvm_route =
        doc.named("Engine").find(|(i, _)| parent_is(doc, *i, "Service")).and_then(|(_, e)| set(e, "jvmRoute"));
    // A `RemoteIpValve` (on the Engine, Host or Context) that reads `X-Forwarded-Proto`.
    let forwarded_proto = doc
        .named("Valve")
        .filter(|(_, v)| {
            v.attr("className").is_some_and(|c| c.value.text.trim().ends_with(".RemoteIpValve"))
                && v.attr("protocolHeader")
                    .is_some_and(|h| h.value.text.trim().eq_ignore_ascii_case("x-forwarded-proto"))
        })
        .map(|(_, v)| v.tag_span)
        .next();
    let synchrony_proxy = confluence_host.map(|host| SynchronyProxy { host, present: synchrony_proxy });
    topology.apps.push(App {
        kind,
        file: source.id(),
        path: source.path(),
        context_path: main.or(first),
        default_context: None,
        jvm_route,
        synchrony_proxy,
        forwarded_proto,
        service: None,
    });
    for (index, element) in doc.named("Connector").filter(|(i, _)| parent_is(doc, *i, "Service")) {
        topology.connectors.push(connector(source, doc, index, element, app));
    }
}

/// A connector attribute that is set: an empty value (`proxyPort=""`, as Atlassian's image
/// renders an unset one) is Tomcat's default.
fn set<'a>(element: &'a Element<'a>, name: &str) -> Option<&'a Setting<'a>> {
    element.attr(name).filter(|s| !s.value.text.trim().is_empty())
}

/// Tomcat's digester builds an element only at its place in the tree.
fn parent_is(doc: &Document<'_>, index: usize, name: &str) -> bool {
    doc.element(index).and_then(|e| e.parent).and_then(|p| doc.element(p)).is_some_and(|p| p.name == name)
}

fn connector<'a>(
    source: &SourceFile,
    doc: &'a Document<'a>,
    index: usize,
    element: &'a Element<'a>,
    app: usize,
) -> Connector<'a> {
    // Tomcat compares the protocol exactly: `AJP/1.3`, or an AJP handler class.
    let protocol = element.attr("protocol").map(|p| p.value.text.as_ref()).unwrap_or("");
    let ajp = protocol == "AJP/1.3" || protocol.starts_with("org.apache.coyote.ajp.");
    let ssl_enabled =
        element.attr("SSLEnabled").and_then(|s| s.value.known()).is_some_and(|v| Style::Tomcat.is_true(v));
    // The enabled protocol versions; `sslProtocol` only names the JSSE SSLContext algorithm
    // and enables nothing by itself, so it is not one of them.
    let mut protocols = Vec::new();
    for name in ["sslEnabledProtocols", "SSLProtocol"] {
        if let Some(setting) = element.attr(name) {
            protocols.push(ProtocolSetting { setting, syntax: ProtocolSyntax::TomcatList });
        }
    }
    let mut ciphers: Vec<&Setting<'_>> = ["ciphers", "SSLCipherSuite"].iter().filter_map(|n| element.attr(n)).collect();
    for (_, host_config) in doc.children_named(index, "SSLHostConfig") {
        if let Some(setting) = host_config.attr("protocols") {
            protocols.push(ProtocolSetting { setting, syntax: ProtocolSyntax::TomcatList });
        }
        ciphers.extend(host_config.attr("ciphers"));
    }
    Connector {
        file: source.id(),
        app,
        at: element.name_span,
        style: Style::Tomcat,
        last: element.attributes.last(),
        ajp,
        ssl_enabled,
        port: set(element, "port"),
        default_port: None,
        port_variable: set(element, "port").and_then(|p| super::url::variable_of(source, p)),
        scheme: set(element, "scheme"),
        secure: set(element, "secure"),
        proxy_name: set(element, "proxyName"),
        proxy_port: set(element, "proxyPort"),
        redirect_port: set(element, "redirectPort"),
        address: set(element, "address"),
        secret: set(element, "secret").or_else(|| set(element, "requiredSecret")),
        secret_required: set(element, "secretRequired"),
        protocols,
        ciphers,
        compression: set(element, "compression"),
        max_header_size: set(element, "maxHttpHeaderSize"),
        max_post_size: set(element, "maxPostSize"),
        relaxed_chars: [set(element, "relaxedPathChars"), set(element, "relaxedQueryChars")],
        jira_webapp: doc.named("Context").any(|(i, c)| {
            parent_is(doc, i, "Host")
                && c.attr("docBase").is_some_and(|d| d.value.text.to_ascii_lowercase().contains("atlassian-jira"))
        }),
    }
}
