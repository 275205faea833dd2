//! Parsers: source text to per-format trees with spans; syntax problems are kept for the rules.

pub mod apache;
pub mod apache_directives;
pub mod apache_tree;
pub mod compose;
pub mod dotenv;
pub mod haproxy;
pub mod helm;
pub mod kube;
pub mod nginx;
pub mod nginx_directives;
pub mod words;
pub mod yaml;

pub use words::{Setting, Value, Word};
pub mod properties;
pub mod server_xml;
pub mod traefik;

use crate::source::{FileKind, SourceFile, Span};

/// A comment, kept for inline suppressions.
#[derive(Clone, Debug)]
pub struct Comment<'a> {
    /// The comment text without its markers.
    pub text: &'a str,
    /// The whole comment.
    pub span: Span,
}

/// Something the parser could not read as its format.
#[derive(Clone, Debug)]
pub struct SyntaxProblem {
    /// Where.
    pub span: Span,
    /// What is wrong, in the rule-message style.
    pub message: String,
    /// What the span is.
    pub label: String,
    /// A second place involved (the opening tag of a mismatched end tag).
    pub related: Option<(Span, String)>,
}

/// A parsed file.
#[derive(Debug)]
pub enum Tree<'a> {
    /// Tomcat `server.xml`.
    ServerXml(server_xml::Document<'a>),
    /// `bitbucket.properties`.
    Properties(properties::Properties<'a>),
    /// `haproxy.cfg`.
    Haproxy(haproxy::Config<'a>),
    /// One Apache httpd configuration file.
    Apache(apache::Config<'a>),
    /// One nginx configuration file.
    Nginx(nginx::Config<'a>),
    /// A compose file.
    Compose(compose::Compose<'a>),
    /// An environment file a compose file reads.
    DotEnv(dotenv::DotEnv<'a>),
    /// Values for one of Atlassian's Helm charts.
    HelmValues(Box<helm::HelmValues<'a>>),
    /// Kubernetes manifests.
    Kube(kube::Manifests<'a>),
    /// Traefik's static or dynamic configuration.
    Traefik(traefik::Traefik<'a>),
}

/// A file with its tree.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// The source.
    pub source: &'a SourceFile,
    /// The tree.
    pub tree: Tree<'a>,
}

impl<'a> Parsed<'a> {
    /// The syntax problems found while parsing.
    pub fn problems(&self) -> &[SyntaxProblem] {
        match &self.tree {
            Tree::ServerXml(doc) => &doc.problems,
            Tree::Properties(props) => &props.problems,
            Tree::Haproxy(config) => &config.problems,
            Tree::Apache(config) => &config.problems,
            Tree::Nginx(config) => &config.problems,
            Tree::Compose(compose) => &compose.problems,
            Tree::DotEnv(env) => &env.problems,
            Tree::HelmValues(values) => &values.problems,
            Tree::Kube(manifests) => &manifests.problems,
            Tree::Traefik(config) => &config.problems,
        }
    }
}
/// The releases a run targets, where a parser's reading depends on them (HAProxy's
/// `.if version_atleast(3.0)`). `None`: unknown, so such a condition is unknown too.
#[derive(Clone, Copy, Debug, Default)]
pub struct Targets {
    /// `[versions] haproxy`.
    pub haproxy: Option<crate::config::Release>,
}

/// Parses a file of a kind atl-lint has a parser for, no release targeted.
pub fn parse(source: &SourceFile) -> Option<Parsed<'_>> {
    parse_for(source, Targets::default())
}

/// Parses a file of a kind atl-lint has a parser for, for the releases `targets`.
pub fn parse_for(source: &SourceFile, targets: Targets) -> Option<Parsed<'_>> {
    let tree = match source.kind()? {
        FileKind::TomcatServerXml => Tree::ServerXml(server_xml::parse(source)),
        FileKind::BitbucketProperties => Tree::Properties(properties::parse(source)),
        FileKind::Haproxy => Tree::Haproxy(haproxy::parse_for(source, targets.haproxy)),
        FileKind::Apache => Tree::Apache(apache::parse(source)),
        FileKind::Nginx => Tree::Nginx(nginx::parse(source)),
        FileKind::Compose => Tree::Compose(compose::parse(source)),
        FileKind::DotEnv => Tree::DotEnv(dotenv::parse(source)),
        FileKind::HelmValues => Tree::HelmValues(Box::new(helm::parse(source))),
        FileKind::Kube => Tree::Kube(kube::parse(source)),
        FileKind::Traefik => Tree::Traefik(traefik::parse(source)),
    };
    Some(Parsed { source, tree })
}

/// Whether a value is only known at deployment time: a `${...}` reference, a template tag, or
/// a placeholder that a build or entrypoint script fills in (`%name%`, `@NAME@`, `__NAME__`,
/// `_name_` as the whole value, `<NAME>`: sed, envsubst, xmlstarlet, Maven filtering).
pub fn is_unknown(text: &str) -> bool {
    // Every form below has one of these bytes; most words have none.
    if !text.bytes().any(|b| matches!(b, b'$' | b'{' | b'%' | b'<' | b'@' | b'_')) {
        return false;
    }
    ["${", "{{", "{%", "<%", "%>"].iter().any(|marker| text.contains(marker))
        || has_placeholder(text, '%')
        || has_placeholder(text, '@')
        || text
            .split("__")
            .skip(1)
            .collect::<Vec<_>>()
            .split_last()
            .is_some_and(|(_, inner)| inner.iter().any(|p| is_name(p)))
        || text.strip_prefix('_').and_then(|t| t.strip_suffix('_')).is_some_and(is_name)
        || angle_placeholder(text)
}

/// A name a placeholder holds: letters, digits, `_`, `.`, `-`, at least one letter.
fn is_name(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && text.chars().any(|c| c.is_ascii_alphabetic())
}

/// `%proxyName%`, `@PORT@`: a name between two of `mark`.
fn has_placeholder(text: &str, mark: char) -> bool {
    text.split(mark)
        .skip(1)
        .collect::<Vec<_>>()
        .split_last()
        .is_some_and(|(_, inner)| inner.iter().any(|part| is_name(part)))
}

/// `<PROXY_NAME>`: an upper-case name in angle brackets.
fn angle_placeholder(text: &str) -> bool {
    text.split('<').skip(1).any(|rest| {
        rest.split_once('>').is_some_and(|(name, _)| {
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::is_unknown;

    #[test]
    fn deployment_time_values_are_unknown() {
        let placeholders = ["@PROXY_PORT@", "__SCHEME__", "_proxyPort_", "<PROXY_NAME>", "https://@HOST@/jira"];
        for unknown in ["${catalina.home}/x", "{{ atl_proxy_name }}", "<%= @port %>", "%proxyPort%", "a%b_c%d"]
            .into_iter()
            .chain(placeholders)
        {
            assert!(is_unknown(unknown), "{unknown}");
        }
        let known = ["443", "jira.example.com", "100%", "50% of 60%", "text/html", "admin@example.com"];
        let more = ["ssh://git@host:7999/", "jira_home_dir", "a__b", "_", "<b>x</b>", "x < y"];
        for known in known.into_iter().chain(more) {
            assert!(!is_unknown(known), "{known}");
        }
    }
}
