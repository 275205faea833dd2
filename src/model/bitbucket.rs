//! The app and connectors that `bitbucket.properties` describes (Bitbucket 5+, Spring Boot).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::{
    App, AppKind, BaseUrl, Connector, ContextPath, PathStyle, ProtocolSetting, ProtocolSyntax, Style, Topology,
};
use crate::source::{SourceFile, Span};
use crate::syntax::properties::Properties;
use crate::syntax::Setting;

/// Bitbucket's own HTTP port when `server.port` is absent.
const DEFAULT_PORT: u16 = 7990;

/// The form of a key Spring Boot's relaxed binding compares: lower case, no `-` or `_`.
pub fn relaxed(key: &str) -> String {
    key.chars().filter(|c| *c != '-' && *c != '_').map(|c| c.to_ascii_lowercase()).collect()
}

/// Adds the Bitbucket app of a properties file with its main and additional connectors.
pub(super) fn add<'a>(topology: &mut Topology<'a>, source: &'a SourceFile, props: &'a Properties<'a>) {
    let mut keys: HashMap<String, &'a Setting<'a>> = HashMap::new();
    let mut additional: BTreeMap<u32, Vec<&'a Setting<'a>>> = BTreeMap::new();
    for entry in &props.entries {
        let key = relaxed(&entry.name);
        if let Some(rest) = key.strip_prefix("server.additionalconnector.") {
            if let Some(n) = rest.split('.').next().and_then(|n| n.parse::<u32>().ok()) {
                additional.entry(n).or_default().push(entry);
            }
        }
        keys.insert(key, entry);
    }
    let app = topology.apps.len();
    let context_path = keys.get("server.contextpath").map(|&setting| ContextPath {
        setting,
        style: PathStyle::Spring,
        host: None,
        app,
    });
    if let Some(context) = context_path {
        topology.contexts.push(context);
    }
    topology.apps.push(App {
        kind: AppKind::Bitbucket,
        file: source.id(),
        path: source.path(),
        context_path,
        default_context: None,
        jvm_route: None,
        synchrony_proxy: None,
        forwarded_proto: keys
            .get("server.forwardheadersstrategy")
            .filter(|s| {
                s.value
                    .known()
                    .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "native" | "framework"))
            })
            .map(|s| s.span),
        service: None,
    });
    let ssh_port = keys.get("plugin.ssh.port").and_then(|s| s.value.known()).and_then(|v| v.trim().parse().ok());
    topology.ssh_ports.push(ssh_port.unwrap_or(super::BITBUCKET_SSH_PORT));
    if let Some(&setting) = keys.get("setup.baseurl") {
        topology.base_urls.push(BaseUrl { app, setting });
    }
    let first_server_key = props.entries.iter().find(|e| relaxed(&e.name).starts_with("server.")).map(|e| e.name_span);
    let at = first_server_key.unwrap_or_else(|| Span::file_start(source.id()));
    let last = props.entries.iter().rev().find(|e| {
        let key = relaxed(&e.name);
        key.starts_with("server.") && !key.starts_with("server.additionalconnector.")
    });
    topology
        .connectors
        .push(Connector { last, ..connector(source, &keys, "server.", "server.", at, Some(DEFAULT_PORT), app) });
    for (n, group) in additional {
        let prefix = format!("server.additional-connector.{n}.");
        let relaxed_prefix = format!("server.additionalconnector.{n}.");
        let at = group.first().map_or(at, |s| s.name_span);
        let last = group.last().copied();
        topology
            .connectors
            .push(Connector { last, ..connector(source, &keys, &prefix, &relaxed_prefix, at, None, app) });
    }
}

fn connector<'a>(
    source: &SourceFile,
    keys: &HashMap<String, &'a Setting<'a>>,
    prefix: &str,
    relaxed_prefix: &str,
    at: Span,
    default_port: Option<u16>,
    app: usize,
) -> Connector<'a> {
    // An empty value (`server.proxy-port=`) is Bitbucket's default.
    let get =
        |name: &str| keys.get(&format!("{relaxed_prefix}{name}")).copied().filter(|s| !s.value.text.trim().is_empty());
    let style = Style::Spring(prefix.to_string());
    let ssl_enabled = get("ssl.enabled").and_then(|s| s.value.known()).is_some_and(|v| style.is_true(v));
    // `server.ssl.protocol` names the SSLContext algorithm and enables nothing by itself.
    let mut protocols = Vec::new();
    if let Some(setting) = get("ssl.enabledprotocols") {
        protocols.push(ProtocolSetting { setting, syntax: ProtocolSyntax::CommaList });
    }
    Connector {
        file: source.id(),
        app,
        at,
        style,
        last: None,
        ajp: false,
        ssl_enabled,
        port: get("port"),
        default_port,
        port_variable: get("port").and_then(|p| super::url::variable_of(source, p)),
        scheme: get("scheme"),
        secure: get("secure"),
        proxy_name: get("proxyname"),
        proxy_port: get("proxyport"),
        redirect_port: get("redirectport"),
        address: get("address"),
        secret: None,
        secret_required: None,
        protocols,
        ciphers: get("ssl.ciphers").into_iter().collect(),
        compression: get("compression.enabled"),
        max_header_size: get("maxhttpheadersize"),
        max_post_size: None,
        relaxed_chars: [None, None],
        jira_webapp: false,
    }
}
