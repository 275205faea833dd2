//! `atl-lint graph`: the resolved request path, public URL → frontend → route → connector →
//! app, with each node's file and line; unlinked routes and connectors listed after. Text
//! for people, DOT and Mermaid for pictures.

use std::fmt::Write as _;

use super::{escape_controls, Redactor};
use crate::model::{Connector, Field, Frontend, Route, Topology};
use crate::source::{Sources, Span};

/// The output formats of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Indented text.
    Text,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// One node: its text and where it is written.
struct Node {
    id: String,
    text: String,
    at: String,
}

/// The graph of a topology, every secret value masked and control characters escaped.
pub fn render(topology: &Topology<'_>, sources: &dyn Sources, redactor: &Redactor<'_>, format: GraphFormat) -> String {
    let at = |span: Span| {
        sources
            .source(span.file)
            .map_or_else(String::new, |s| format!("{}:{}", s.display(), s.line_col(span.start()).0))
    };
    let mut chains: Vec<[Node; 5]> = Vec::new();
    for (index, route) in topology.routes.iter().enumerate() {
        let (Some(Some(c)), Some(frontend)) = (topology.route_links.get(index), topology.frontends.get(route.frontend))
        else {
            continue;
        };
        let Some(connector) = topology.connectors.get(*c) else { continue };
        let Some(app) = topology.apps.get(connector.app) else { continue };
        let context = match &app.context_path {
            Some(path) => path.normalized().unwrap_or_default(),
            None => app.default_context.unwrap_or("").to_string(),
        };
        let base = topology
            .base_urls
            .iter()
            .find(|b| b.app == connector.app)
            .map(|b| format!(", base URL {}", crate::secrets::shown(b.setting.value.text.trim())))
            .unwrap_or_default();
        let app_at = app.context_path.as_ref().map_or_else(|| at(connector.at), |p| at(p.setting.span));
        chains.push([
            Node { id: format!("u{index}"), text: public_url(route, frontend), at: String::new() },
            Node { id: format!("f{}", route.frontend), text: frontend_text(frontend), at: at(frontend.at) },
            Node { id: format!("r{index}"), text: route_text(route, sources), at: at(route.at) },
            Node { id: format!("c{c}"), text: connector_text(connector, sources), at: at(connector.at) },
            Node {
                id: format!("a{}", connector.app),
                text: format!("{} at {}{base}", app.kind.name(), if context.is_empty() { "/" } else { &context }),
                at: app_at,
            },
        ]);
    }
    let mut unlinked_routes: Vec<Node> = topology
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| topology.route_links.get(*i).is_some_and(Option::is_none))
        .map(|(i, r)| Node { id: format!("r{i}"), text: route_text(r, sources), at: at(r.at) })
        .collect();
    let mut unlinked_connectors: Vec<Node> = topology
        .connectors
        .iter()
        .enumerate()
        .filter(|(i, c)| !c.ajp && topology.connector_links.get(*i).is_some_and(Vec::is_empty))
        .map(|(i, c)| Node { id: format!("c{i}"), text: connector_text(c, sources), at: at(c.at) })
        .collect();
    // Node texts quote values of every file (through `${NAME}` substitution too) and paths.
    let clean = |node: &mut Node| {
        node.text = escape_controls(&redactor.scrub(&node.text)).into_owned();
        node.at = escape_controls(&redactor.scrub(&node.at)).into_owned();
    };
    chains.iter_mut().flatten().chain(&mut unlinked_routes).chain(&mut unlinked_connectors).for_each(clean);
    match format {
        GraphFormat::Text => text(&chains, &unlinked_routes, &unlinked_connectors),
        GraphFormat::Dot => dot(&chains, &unlinked_routes, &unlinked_connectors),
        GraphFormat::Mermaid => mermaid(&chains, &unlinked_routes, &unlinked_connectors),
    }
}

fn public_url(route: &Route, frontend: &Frontend<'_>) -> String {
    let scheme = if frontend.tls.is_some() { "https" } else { "http" };
    let host = route.hosts.first().map_or("*", |(h, _)| h.as_str());
    let port = match (scheme, frontend.port) {
        ("https", Some(443)) | ("http", Some(80)) | (_, None) => String::new(),
        (_, Some(port)) => format!(":{port}"),
    };
    let path = route.public.as_deref().map_or("/?", |p| if p.is_empty() { "/" } else { p });
    format!("{scheme}://{host}{port}{path}")
}

fn frontend_text(frontend: &Frontend<'_>) -> String {
    let tls = if frontend.tls.is_some() { ", TLS" } else { "" };
    let port = frontend.port.map_or_else(|| "port ?".to_string(), |p| format!("port {p}"));
    format!("{} ({port}{tls})", frontend.label)
}

fn route_text(route: &Route, sources: &dyn Sources) -> String {
    let public = route.public.as_deref().map_or("?", |p| if p.is_empty() { "/" } else { p });
    let up = &route.upstream;
    // A URL with template tags is shown as written (`http://{{ jira_host }}:8080/jira`), not
    // as masked for parsing.
    let written = sources.source(up.span.file).map(|s| s.slice(up.span).trim());
    if let Some(url) = written.filter(|w| ["{{", "{%", "<%"].iter().any(|tag| w.contains(tag))) {
        return format!("{public} → {url}");
    }
    let port = match (up.port, &up.port_variable) {
        (Some(port), _) => format!(":{port}"),
        (None, Some(variable)) => format!(":{{{{ {variable} }}}}"),
        (None, None) => String::new(),
    };
    format!("{public} → {}://{}{port}{}", up.scheme, up.host, up.path)
}

fn connector_text(connector: &Connector<'_>, sources: &dyn Sources) -> String {
    let mut parts = Vec::new();
    if let Some(scheme) = connector.scheme_value() {
        parts.push(format!("scheme {scheme}"));
    }
    if connector.secure_value() == Some(true) {
        parts.push("secure".to_string());
    }
    for field in [Field::ProxyName, Field::ProxyPort] {
        if let Some(setting) = connector.get(field) {
            // A template value as written (`{{ jira_host }}`), not as masked for parsing.
            let written = match sources.source(connector.file) {
                Some(source) if setting.value.unknown => source.slice(setting.value.span),
                _ => setting.value.text.as_ref(),
            };
            parts.push(format!("{} {}", connector.name(field), written.trim()));
        }
    }
    let port = match (connector.port_number(), &connector.port_variable) {
        (Some(port), _) => port.to_string(),
        (None, Some(variable)) => format!("{{{{ {variable} }}}}"),
        (None, None) => "?".to_string(),
    };
    format!(":{port} ({})", parts.join(", "))
}

fn text(chains: &[[Node; 5]], routes: &[Node], connectors: &[Node]) -> String {
    let mut out = String::new();
    let kinds = ["", "frontend", "route", "connector", "app"];
    for chain in chains {
        let _ = writeln!(out, "{}", chain[0].text);
        for (kind, node) in kinds.iter().zip(chain.iter()).skip(1) {
            let _ = writeln!(out, "  {kind:<10} {}  ({})", node.text, node.at);
        }
        out.push('\n');
    }
    if chains.is_empty() {
        out.push_str("no route is linked to a connector\n\n");
    }
    for (title, nodes) in [("unlinked routes", routes), ("unlinked connectors", connectors)] {
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for node in nodes {
            let _ = writeln!(out, "  {}  ({})", node.text, node.at);
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

fn label(node: &Node) -> String {
    if node.at.is_empty() {
        node.text.clone()
    } else {
        format!("{}\n{}", node.text, node.at)
    }
}

/// The nodes of a picture: every node once (a frontend or an app appears in several
/// chains) with its stage (0 public URL to 4 app) and whether it is linked, and every edge
/// once.
struct Picture<'n> {
    nodes: Vec<(&'n Node, usize, bool)>,
    edges: Vec<(&'n str, &'n str)>,
}

fn picture<'n>(chains: &'n [[Node; 5]], routes: &'n [Node], connectors: &'n [Node]) -> Picture<'n> {
    let mut seen = foldhash::HashSet::default();
    let mut seen_edges = foldhash::HashSet::default();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for chain in chains {
        for (stage, node) in chain.iter().enumerate() {
            if seen.insert(node.id.as_str()) {
                nodes.push((node, stage, true));
            }
        }
        for pair in chain.windows(2) {
            if let [from, to] = pair {
                let edge = (from.id.as_str(), to.id.as_str());
                if seen_edges.insert(edge) {
                    edges.push(edge);
                }
            }
        }
    }
    nodes.extend(routes.iter().filter(|n| seen.insert(n.id.as_str())).map(|n| (n, 2, false)));
    nodes.extend(connectors.iter().filter(|n| seen.insert(n.id.as_str())).map(|n| (n, 3, false)));
    Picture { nodes, edges }
}

/// Graphviz DOT, top to bottom: each stage (public URL, frontend, route, connector, app) a
/// rank; routes and connectors that nothing links dashed and grey.
fn dot(chains: &[[Node; 5]], routes: &[Node], connectors: &[Node]) -> String {
    let picture = picture(chains, routes, connectors);
    let mut out = String::from("digraph atl_lint {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
    for (node, _, linked) in &picture.nodes {
        let text = label(node).replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        let style = if *linked { "" } else { ", style=dashed, color=grey50, fontcolor=grey40" };
        let _ = writeln!(out, "  {} [label=\"{text}\"{style}];", node.id);
    }
    for stage in 0..5 {
        let ids: Vec<&str> = picture.nodes.iter().filter(|n| n.1 == stage).map(|n| n.0.id.as_str()).collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "  {{ rank=same; {}; }}", ids.join("; "));
        }
    }
    for (from, to) in &picture.edges {
        let _ = writeln!(out, "  {from} -> {to};");
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart, top to bottom; unlinked routes and connectors dashed and grey.
fn mermaid(chains: &[[Node; 5]], routes: &[Node], connectors: &[Node]) -> String {
    let picture = picture(chains, routes, connectors);
    let mut out = String::from("flowchart TB\n  classDef unlinked stroke-dasharray: 5 5, stroke:#888, color:#666\n");
    for (node, _, linked) in &picture.nodes {
        let text = label(node)
            .replace('&', "#amp;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
            .replace('\n', "<br/>");
        let class = if *linked { "" } else { ":::unlinked" };
        let _ = writeln!(out, "  {}[\"{text}\"]{class}", node.id);
    }
    for (from, to) in &picture.edges {
        let _ = writeln!(out, "  {from} --> {to}");
    }
    out
}
