//! URLs and paths as the model compares them: one place that says what an upstream URL's
//! parts are and when two paths are the same context. Upstream URLs are read as Apache and
//! HAProxy read them (scheme, authority, the path as written), not normalised as a browser
//! would: `/a/../b` and `/A` are other paths to them.

use std::sync::Arc;

use super::Upstream;
use crate::source::{SourceFile, Span};
use crate::syntax::Setting;

/// A path compared without its trailing slash (`/jira/` and `/jira` are one context).
pub fn trimmed(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        "/"
    } else {
        t
    }
}

/// A path as a route or a context compares it: no trailing slash, `""` for the root.
pub fn normalized_path(path: &str) -> String {
    let trimmed = trimmed(path);
    if trimmed == "/" {
        String::new()
    } else {
        trimmed.to_string()
    }
}

/// The path of a URL as written (`http://h:8080` has the empty path), or `None` for a URL
/// without `scheme://`.
pub fn url_path(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.find('/').map_or("", |i| rest.get(i..).unwrap_or("")))
}

/// An upstream URL's parts (`http://localhost:8080/jira`), default ports filled in.
pub fn parse_url(url: &str, span: Span) -> Option<Upstream> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    // A template tag after the port (`http://h:8080{{ path }}`) starts the path; one that
    // is the port (`http://h:{{ port }}/jira`, masked `{{____}}`) is a port only known at
    // deployment time.
    let (authority, path) = match rest.find(['/', '{', '<']) {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, ""),
    };
    let tag_port = authority.ends_with(':') && path.starts_with("{{");
    let path = match path.find("}}").filter(|_| tag_port) {
        Some(close) => path.get(close + 2..)?,
        None => path,
    };
    let authority = if tag_port { authority.trim_end_matches(':') } else { authority };
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let (host, port) = split_host_port(authority);
    let default = match scheme.as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ajp" => Some(8009),
        _ => None,
    };
    let port = match port {
        _ if tag_port => None,
        Some(text) => Some(text.parse::<u16>().ok()?),
        None => default,
    };
    Some(Upstream {
        scheme: Arc::from(scheme),
        host: Arc::from(host.to_ascii_lowercase()),
        port,
        port_variable: None,
        path: Arc::from(path),
        span,
    })
}

/// The template variable a setting's whole value is written as (`port="{{ jira_port }}"`).
pub fn variable_of(source: &SourceFile, setting: &Setting<'_>) -> Option<Arc<str>> {
    setting
        .value
        .unknown
        .then(|| crate::template::variable_key(source.slice(setting.value.span)))
        .flatten()
        .map(Arc::from)
}

/// The template variable an address's port is written as (`http://h:{{ jira_port }}/x`,
/// `127.0.0.1:<%= node['jira']['port'] %>`), keyed by [`crate::template::variable_key`].
pub fn port_variable(address: &str) -> Option<Arc<str>> {
    let rest = address.split_once("://").map_or(address, |(_, rest)| rest);
    for (open, close) in [("{{", "}}"), ("<%", "%>"), ("${", "}")] {
        let Some(colon) = rest.find(&format!(":{open}")) else { continue };
        let tag = rest.get(colon + 1..)?;
        let end = tag.find(close)? + close.len();
        return crate::template::variable_key(tag.get(..end)?).map(Arc::from);
    }
    None
}

/// `host:port`, `[::1]:port`, `host`: the host and the port text.
pub fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':'));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (authority, None),
    }
}

/// Whether a host is this machine: `localhost`, `127.0.0.0/8`, `::1`.
pub fn is_local(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1"
}

/// A context path as an application uses it: a leading slash, no trailing one, `""` for
/// the root (`jira/` is `/jira`).
pub fn context_path(raw: &str) -> String {
    let path = normalized_path(raw);
    if path.is_empty() || path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn upstream_urls_split_with_default_ports() {
        let span = Span::file_start(FileId(0));
        let up = parse_url("http://localhost:8080/jira", span).expect("url");
        assert_eq!((&*up.host, up.port, &*up.path), ("localhost", Some(8080), "/jira"));
        let up = parse_url("https://[::1]/x/", span).expect("url");
        assert_eq!((&*up.host, up.port, &*up.path), ("::1", Some(443), "/x/"));
        assert!(parse_url("http://h:http/", span).is_none());
        assert!(is_local("127.0.1.1") && is_local("[::1]") && !is_local("jira.internal"));
    }

    #[test]
    fn paths_compare_without_their_trailing_slash() {
        assert_eq!((trimmed("/jira/"), trimmed("/"), trimmed("")), ("/jira", "/", "/"));
        assert_eq!((normalized_path("/jira/"), normalized_path("/")), ("/jira".to_string(), String::new()));
        assert_eq!(
            (context_path("jira/"), context_path("/"), context_path("")),
            ("/jira".into(), "".into(), "".into())
        );
        assert_eq!(url_path("http://h:8080"), Some(""));
        assert_eq!(url_path("http://h/jira/"), Some("/jira/"));
    }
}
