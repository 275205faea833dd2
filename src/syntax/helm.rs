//! Values for Atlassian's Data Center Helm charts (`values.yaml`, or the file a user passes
//! with `-f`): the environment the chart's StatefulSet gives the image, and the Ingress its
//! template renders, each setting with the span of the value it comes from (or of the
//! section the chart's default stands for). What the chart does with each value is in
//! `grammar/atlassian-images.txt`'s notes and the chart's `templates/statefulset.yaml` and
//! `templates/ingress.yaml`.

use std::borrow::Cow;

use super::yaml::{self, Node};
use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{SourceFile, Span};

/// The products the charts deploy, by their values section.
pub const PRODUCTS: [&str; 5] = ["jira", "confluence", "bitbucket", "bamboo", "crowd"];

/// A values file of one product's chart.
#[derive(Debug)]
pub struct HelmValues<'a> {
    /// `jira`, `confluence`, ...: the section the file configures.
    pub product: &'static str,
    /// The product's section (where its defaults are said to be).
    pub at: Span,
    /// The environment the chart gives the container, in order (a later one wins).
    pub environment: Vec<Setting<'a>>,
    /// `replicaCount`: how many nodes, and where it is set.
    pub replicas: (u32, Option<Span>),
    /// The Ingress the chart renders, when `ingress.create` is true.
    pub ingress: Option<Ingress<'a>>,
    /// Comments, for inline suppressions.
    pub comments: Vec<Comment<'a>>,
    /// What could not be read.
    pub problems: Vec<SyntaxProblem>,
    /// The values of secret-named keys, wherever they are.
    pub secrets: Vec<Span>,
}

/// The chart's Ingress.
#[derive(Debug)]
pub struct Ingress<'a> {
    /// `ingress.create: true`.
    pub create: Span,
    /// `ingress.host`.
    pub host: Option<Setting<'a>>,
    /// The path it routes (`ingress.path`, else the service's `contextPath`, else `/`) and
    /// where it is set.
    pub path: (String, Span),
    /// `ingress.https` (true by default): TLS ends before the app, and where it is said.
    pub https: (bool, Span),
    /// `ingress.className`.
    pub class: Option<Setting<'a>>,
    /// `ingress.nginx: false`: the chart writes none of its ingress-nginx annotations.
    pub nginx_off: Option<Span>,
    /// With no class written, the controller is the cluster's default, not known (a
    /// manifest's); else ingress-nginx (the charts' default class).
    pub class_required: bool,
    /// The annotations it carries: the ingress-nginx ones the chart writes when
    /// `ingress.nginx` is true (at the value that sets each), then `ingress.annotations`.
    pub annotations: Vec<Setting<'a>>,
}

impl Ingress<'_> {
    /// The last annotation of a name.
    pub fn annotation(&self, name: &str) -> Option<&Setting<'_>> {
        self.annotations.iter().rev().find(|a| a.name == name)
    }
}

/// Whether a YAML text looks like values for one of Atlassian's charts: a product section
/// and an `ingress` or `replicaCount` key at the top level; or, in a file named `values*`
/// whose path names one product, an `ingress` section alone (an override file).
pub fn looks_like_values(text: &str, path: &std::path::Path) -> bool {
    let top = |key: &str| text.lines().any(|l| l.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')));
    match PRODUCTS.iter().filter(|p| top(p)).count() {
        1 => top("ingress") || top("replicaCount"),
        0 => top("ingress") && product_of_path(path).is_some(),
        _ => false,
    }
}

/// The product an override file is for: its name starts with `values` and one directory
/// or the name itself names one product (`config/jira/values-EKS.yaml`).
fn product_of_path(path: &std::path::Path) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if !name.starts_with("values") {
        return None;
    }
    let text = path.to_string_lossy().to_ascii_lowercase();
    let mut named = PRODUCTS.iter().filter(|p| text.contains(*p));
    match (named.next(), named.next()) {
        (Some(product), None) => Some(product),
        _ => None,
    }
}

/// Reads a values file.
pub fn parse(source: &SourceFile) -> HelmValues<'_> {
    let stream = yaml::parse(source);
    let mut values = HelmValues {
        product: "",
        at: Span::file_start(source.id()),
        environment: Vec::new(),
        replicas: (1, None),
        ingress: None,
        comments: super::compose::comments(source),
        secrets: stream.documents.iter().flat_map(yaml::secret_values).collect(),
        problems: stream.problems,
    };
    let Some(root) = stream.documents.first() else { return values };
    let ingress = root.get("ingress");
    let found = PRODUCTS.iter().find_map(|p| Some((*p, root.get(p)?)));
    let (product, key, section) = match (found, product_of_path(source.path()), ingress) {
        (Some((product, (key, section))), _, _) => (product, key, Some(section)),
        (None, Some(product), Some((key, _))) => (product, key, None),
        _ => return values,
    };
    values.product = product;
    values.at = key.span;
    let key_span = key.span;
    let ingress_at = ingress.map_or(key.span, |(k, _)| k.span);
    let ingress = ingress.map(|(_, n)| n);
    let https = match child(ingress, "https") {
        Some(node) => (node.text().is_none_or(|t| t != "false"), node.span),
        None => (true, ingress_at),
    };
    let host = child(ingress, "host").and_then(|n| setting("ATL_PROXY_NAME", n));
    let context = child(child(section, "service"), "contextPath").filter(|n| n.text().is_some());
    let spring = product == "bitbucket";
    let name = |tomcat: &'static str, bitbucket: &'static str| if spring { bitbucket } else { tomcat };
    let env = &mut values.environment;
    // `ingress.https` (true unless set otherwise) sets the scheme and the secure flag.
    if https.0 {
        env.push(derived(name("ATL_TOMCAT_SCHEME", "SERVER_SCHEME"), "https", https.1));
        env.push(derived(name("ATL_TOMCAT_SECURE", "SERVER_SECURE"), "true", https.1));
    }
    let ingress_path = child(ingress, "path").filter(|n| n.text().is_some());
    if spring {
        // Bitbucket's context path is the Ingress path, else the service's, else `/`.
        let (text, span) = match ingress_path.or(context) {
            Some(node) => (node.text().unwrap_or("/").to_string(), node.span),
            None => ("/".to_string(), key.span),
        };
        env.push(derived("SERVER_CONTEXT_PATH", text, span));
    } else if let Some(node) = context {
        env.push(derived("ATL_TOMCAT_CONTEXTPATH", node.text().unwrap_or("").to_string(), node.span));
    }
    let http_port = child(child(section, "ports"), "http");
    if let Some(node) = http_port.filter(|n| n.text().is_some()) {
        env.push(derived(name("ATL_TOMCAT_PORT", "SERVER_PORT"), node.text().unwrap_or("").to_string(), node.span));
    }
    if let Some(host) = &host {
        let mut named = host.clone();
        named.name = Cow::Borrowed(name("ATL_PROXY_NAME", "SERVER_PROXY_NAME"));
        env.push(named);
        let port = if https.0 { "443" } else { "80" };
        env.push(derived(name("ATL_PROXY_PORT", "SERVER_PROXY_PORT"), port, https.1));
    }
    // The user's own variables come after the chart's, and win.
    for item in child(section, "additionalEnvironmentVariables").map(Node::items).unwrap_or_default() {
        let (Some(name), Some(value)) = (child(Some(item), "name"), child(Some(item), "value")) else { continue };
        if let (Some(name), Some(mut setting)) = (name.text(), setting("", value)) {
            setting.name = Cow::Owned(name.to_string());
            setting.name_span = child(Some(item), "name").map_or(setting.name_span, |n| n.span);
            env.push(setting);
        }
    }
    // `tomcatConfig.generateByHelm`: the chart mounts a `server.xml` it renders from
    // `tomcatConfig` (each value defaulting to what the environment would give), which the
    // entrypoint leaves alone; `customServerXml` replaces even that.
    // OpenShift's restricted security context makes the chart render it too.
    let tomcat = child(section, "tomcatConfig");
    let restricted = child(root.get("openshift").map(|(_, n)| n), "runWithRestrictedSCC");
    let rendered_by_chart =
        [child(tomcat, "generateByHelm"), restricted].iter().flatten().any(|n| n.text() == Some("true"));
    if !spring && rendered_by_chart {
        let custom = child(tomcat, "customServerXml").filter(|n| n.text().is_some_and(|t| !t.trim().is_empty()));
        let rendered = [
            ("scheme", "ATL_TOMCAT_SCHEME"),
            ("secure", "ATL_TOMCAT_SECURE"),
            ("proxyName", "ATL_PROXY_NAME"),
            ("proxyPort", "ATL_PROXY_PORT"),
            ("port", "ATL_TOMCAT_PORT"),
            ("maxHttpHeaderSize", "ATL_TOMCAT_MAXHTTPHEADERSIZE"),
        ];
        for (key, variable) in rendered {
            // Helm's `default` takes an empty string, `false` or `0` as unset.
            let written =
                child(tomcat, key).filter(|n| n.text().is_some_and(|t| !matches!(t.trim(), "" | "false" | "0")));
            let mut set = match (custom, written) {
                // A server.xml of the user's own: what it says is not read.
                (Some(custom), _) => derived(variable, "", custom.span),
                (None, Some(node)) => derived(variable, node.text().unwrap_or("").to_string(), node.span),
                // The chart's own default port is 8080, whatever `ports.http` says.
                (None, None) if key == "port" => derived(variable, "8080", tomcat.map_or(key_span, |n| n.span)),
                (None, None) => continue,
            };
            set.value.unknown |= custom.is_some();
            env.push(set);
        }
    }
    values.replicas = match root.get("replicaCount") {
        Some((_, node)) => (node.text().and_then(|t| t.trim().parse().ok()).unwrap_or(1), Some(node.span)),
        None => (1, None),
    };
    let create = child(ingress, "create").filter(|n| n.text() == Some("true"));
    let Some(create) = create else { return values };
    // Crowd's template routes `ingress.path` alone (`/` by default); the others fall back
    // on the service's context path.
    let routed = if product == "crowd" { ingress_path } else { ingress_path.or(context) };
    let path = match routed {
        Some(node) => (node.text().unwrap_or("/").to_string(), node.span),
        None => ("/".to_string(), ingress_at),
    };
    let mut annotations = Vec::new();
    let nginx = child(ingress, "nginx");
    if nginx.is_none_or(|n| n.text() != Some("false")) {
        let at = nginx.map_or(ingress_at, |n| n.span);
        annotations.push(derived("nginx.ingress.kubernetes.io/affinity", "cookie", at));
        annotations.push(derived("nginx.ingress.kubernetes.io/affinity-mode", "persistent", at));
        let chart = [
            ("proxy-body-size", "maxBodySize", "250m"),
            ("proxy-connect-timeout", "proxyConnectTimeout", "60"),
            ("proxy-read-timeout", "proxyReadTimeout", "60"),
            ("proxy-send-timeout", "proxySendTimeout", "60"),
        ];
        for (annotation, key, default) in chart {
            let name = match annotation {
                "proxy-body-size" => "nginx.ingress.kubernetes.io/proxy-body-size",
                "proxy-connect-timeout" => "nginx.ingress.kubernetes.io/proxy-connect-timeout",
                "proxy-read-timeout" => "nginx.ingress.kubernetes.io/proxy-read-timeout",
                _ => "nginx.ingress.kubernetes.io/proxy-send-timeout",
            };
            match child(ingress, key).and_then(|n| setting(name, n)) {
                Some(set) => annotations.push(set),
                None => annotations.push(derived(name, default, at)),
            }
        }
    }
    for (key, node) in child(ingress, "annotations").map(Node::entries).unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        if let Some(mut set) = setting("", node) {
            set.name = Cow::Owned(name.to_string());
            set.name_span = key.span;
            set.span = key.span.cover(node.span);
            annotations.push(set);
        }
    }
    values.ingress = Some(Ingress {
        create: create.span,
        host,
        path,
        https,
        class: child(ingress, "className").and_then(|n| setting("className", n)),
        nginx_off: nginx.filter(|n| n.text() == Some("false")).map(|n| n.span),
        annotations,
        class_required: false,
    });
    values
}

/// A mapping's value for `name`.
fn child<'n>(node: Option<&'n Node>, name: &str) -> Option<&'n Node> {
    node.and_then(|n| n.get(name)).map(|(_, v)| v)
}

/// A setting from a scalar value.
fn setting<'a>(name: &'static str, node: &Node) -> Option<Setting<'a>> {
    let text = node.text()?;
    let value = Value::new(Cow::Owned(text.to_string()), node.span);
    Some(Setting { name: Cow::Borrowed(name), name_span: node.span, value, span: node.span })
}

/// A setting the chart writes itself, shown at the value that decides it.
fn derived<'a>(name: &'static str, value: impl Into<Cow<'a, str>>, at: Span) -> Setting<'a> {
    Setting { name: Cow::Borrowed(name), name_span: at, value: Value::new(value.into(), at), span: at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn values(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), "values.yaml".into(), "values.yaml".into(), None, text.as_bytes().to_vec())
    }

    #[test]
    fn the_chart_renders_its_environment_and_ingress() {
        let source = values(concat!(
            "replicaCount: 3\ningress:\n  create: true\n  host: jira.example.com\n  maxBodySize: 10m\n",
            "  annotations:\n    nginx.ingress.kubernetes.io/affinity: none\njira:\n  service:\n    contextPath: /jira\n",
        ));
        assert!(looks_like_values(source.text(), source.path()));
        let chart = parse(&source);
        assert_eq!(chart.product, "jira");
        let env: Vec<(String, String)> =
            chart.environment.iter().map(|s| (s.name.to_string(), s.value.text.to_string())).collect();
        let want = [
            ("ATL_TOMCAT_SCHEME", "https"),
            ("ATL_TOMCAT_SECURE", "true"),
            ("ATL_TOMCAT_CONTEXTPATH", "/jira"),
            ("ATL_PROXY_NAME", "jira.example.com"),
            ("ATL_PROXY_PORT", "443"),
        ];
        assert_eq!(env, want.map(|(a, b)| (a.to_string(), b.to_string())));
        assert_eq!(chart.replicas.0, 3);
        let ingress = chart.ingress.expect("ingress");
        assert_eq!(ingress.path.0, "/jira");
        assert_eq!(ingress.annotation("nginx.ingress.kubernetes.io/affinity").unwrap().value.text, "none");
        assert_eq!(ingress.annotation("nginx.ingress.kubernetes.io/proxy-body-size").unwrap().value.text, "10m");
        assert!(!looks_like_values("jira:\n  version: 9\n", "values.yaml".as_ref()));
        assert!(looks_like_values("ingress:\n  create: true\n", "config/jira/values-EKS.yaml".as_ref()));
        assert!(!looks_like_values("ingress:\n  create: true\n", "config/values.yaml".as_ref()));
    }

    #[test]
    fn a_server_xml_the_chart_renders_takes_tomcat_config() {
        let text = concat!(
            "ingress:\n  create: true\n  host: jira.example.com\njira:\n  ports:\n    http: 8081\n",
            "  tomcatConfig:\n    generateByHelm: true\n    proxyName: wiki.example.com\n",
        );
        let source = values(text);
        let chart = parse(&source);
        let last =
            |name: &str| chart.environment.iter().rev().find(|s| s.name == name).map(|s| s.value.text.to_string());
        assert_eq!(last("ATL_PROXY_NAME").as_deref(), Some("wiki.example.com"));
        assert_eq!(last("ATL_TOMCAT_PORT").as_deref(), Some("8080"));
        assert_eq!(last("ATL_TOMCAT_SCHEME").as_deref(), Some("https"));
        let custom = format!("{text}    customServerXml: |\n      <Server/>\n");
        let source = values(&custom);
        let chart = parse(&source);
        assert!(chart.environment.iter().rev().find(|s| s.name == "ATL_PROXY_NAME").is_some_and(|s| s.value.unknown));
    }
}
