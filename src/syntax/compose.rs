//! Compose files (`docker-compose.yml`, `compose.yaml`): the services with their image,
//! environment, environment files, ports and mounts, each value with its span. Variables
//! (`${JIRA_PORT:-8080}`) are substituted in the include step, from the `.env` file and
//! the services' `env_file:` files; [`interpolate`] is how Compose does it.

use std::borrow::Cow;

use super::yaml::{self, Node};
use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{SourceFile, Span};

/// A compose file.
#[derive(Debug, Default)]
pub struct Compose<'a> {
    /// Its services, in file order.
    pub services: Vec<Service<'a>>,
    /// Its comments, for inline suppressions.
    pub comments: Vec<Comment<'a>>,
    /// What could not be read.
    pub problems: Vec<SyntaxProblem>,
    /// The values of secret-named keys and `NAME=value` items, wherever they are.
    pub secrets: Vec<Span>,
}

/// One service.
#[derive(Clone, Debug)]
pub struct Service<'a> {
    /// Its name: the host name other services reach it by.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// `image:`.
    pub image: Option<Value<'a>>,
    /// `environment:` entries, then those of its `env_file:` files the include step adds
    /// (a variable the service sets itself is not added again).
    pub environment: Vec<Setting<'a>>,
    /// The `environment:` key.
    pub environment_at: Option<Span>,
    /// `env_file:` paths.
    pub env_files: Vec<Value<'a>>,
    /// `ports:` in the short syntax (`"443:443"`) or as `published:target`.
    pub ports: Vec<Value<'a>>,
    /// `volumes:` in the short syntax (`./nginx.conf:/etc/nginx/nginx.conf:ro`) or as
    /// `source:target`.
    pub volumes: Vec<Value<'a>>,
    /// `hostname:`, `container_name:` and network `aliases:`: other names it is reached by.
    pub aliases: Vec<String>,
    /// `labels:`, in either form (`traefik.http.routers.jira.rule=Host(...)`).
    pub labels: Vec<Setting<'a>>,
    /// `command:` as a list of arguments (a string is split at blanks).
    pub command: Vec<Value<'a>>,
}

impl Service<'_> {
    /// Whether the service runs Traefik (its image names it).
    pub fn runs_traefik(&self) -> bool {
        self.image.as_ref().and_then(|i| i.known()).is_some_and(|i| i.to_ascii_lowercase().contains("traefik"))
    }

    /// The environment variable `name` as the container sees it: the last setting of it.
    pub fn variable(&self, name: &str) -> Option<&Setting<'_>> {
        self.environment.iter().rev().find(|s| s.name == name)
    }
}

/// Parses a compose file.
pub fn parse(source: &SourceFile) -> Compose<'_> {
    let stream = yaml::parse(source);
    let secrets = stream.documents.iter().flat_map(yaml::secret_values).collect();
    let mut compose = Compose { comments: comments(source), problems: stream.problems, secrets, ..Compose::default() };
    let Some(root) = stream.documents.first() else { return compose };
    // The first compose format had the services at the top level.
    let services: Vec<&(Node, Node)> = match root.get("services") {
        Some((_, services)) => services.entries().iter().collect(),
        None if root.get("version").is_none() => {
            root.entries().iter().filter(|(_, v)| v.get("image").is_some() || v.get("build").is_some()).collect()
        }
        None => Vec::new(),
    };
    for (key, body) in services {
        let Some(name) = key.text() else { continue };
        compose.services.push(service(source, name, key.span, body));
    }
    compose
}

fn service<'a>(source: &'a SourceFile, name: &str, name_span: Span, body: &Node) -> Service<'a> {
    let value = |node: &Node| node.text().map(|text| Value::new(Cow::Owned(text.to_string()), node.span));
    let list = |key: &str| -> Vec<Value<'a>> {
        let Some((_, node)) = body.get(key) else { return Vec::new() };
        let items: Vec<&Node> = match node.text() {
            Some(_) => vec![node],
            None => node.items().iter().collect(),
        };
        items.into_iter().filter_map(|item| value(item).or_else(|| long_form(item, key))).collect()
    };
    let environment_at = body.get("environment").map(|(k, _)| k.span);
    let labels = body.get("labels").map(|(_, labels)| environment(source, labels)).unwrap_or_default();
    let environment = body.get("environment").map(|(_, env)| environment(source, env)).unwrap_or_default();
    let command = match body.get("command") {
        Some((_, node)) => match node.text() {
            Some(text) => words(source, text, node.span),
            None => node.items().iter().filter_map(value).collect(),
        },
        None => Vec::new(),
    };
    let mut aliases: Vec<String> =
        ["hostname", "container_name"].iter().filter_map(|k| body.get(k)?.1.text().map(str::to_string)).collect();
    if let Some((_, networks)) = body.get("networks") {
        for (_, network) in networks.entries() {
            let names = network.get("aliases").map(|(_, a)| a.items()).unwrap_or_default();
            aliases.extend(names.iter().filter_map(|a| a.text().map(str::to_string)));
        }
    }
    Service {
        name: name.to_string(),
        name_span,
        image: body.get("image").and_then(|(_, n)| value(n)),
        environment,
        environment_at,
        env_files: list("env_file"),
        ports: list("ports"),
        volumes: list("volumes"),
        aliases,
        labels,
        command,
    }
}

/// A command written as one string, split at blanks (each word at its place when the
/// string is written as it reads).
fn words<'a>(source: &SourceFile, text: &str, span: Span) -> Vec<Value<'a>> {
    let exact = source.text().get(span.start()..span.end()) == Some(text);
    let mut out = Vec::new();
    let mut offset = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let trimmed = word.trim_end();
        if !trimmed.is_empty() {
            let at = if exact { span.sub(offset, offset + trimmed.len()) } else { span };
            out.push(Value::new(Cow::Owned(trimmed.to_string()), at));
        }
        offset += word.len();
    }
    out
}

/// A port or mount in the long syntax, as its short one: `published:target`,
/// `source:target`. `env_file`'s long syntax names a `path`.
fn long_form<'a>(item: &Node, key: &str) -> Option<Value<'a>> {
    let (first, second) = match key {
        "ports" => ("published", "target"),
        "volumes" => ("source", "target"),
        _ => ("path", ""),
    };
    let target = item.get(second).and_then(|(_, n)| n.text());
    let (text, span) = match item.get(first).and_then(|(_, n)| Some((n.text()?, n.span))) {
        Some((from, span)) => (target.map_or_else(|| from.to_string(), |t| format!("{from}:{t}")), span),
        None => (target?.to_string(), item.get(second)?.1.span),
    };
    Some(Value::new(Cow::Owned(text), span))
}

/// The settings of an `environment:` mapping or list.
fn environment<'a>(source: &'a SourceFile, env: &Node) -> Vec<Setting<'a>> {
    let mut out = Vec::new();
    for (key, value) in env.entries() {
        let Some(name) = key.text() else { continue };
        // `NAME:` with no value passes the variable on from the shell that runs Compose.
        let (text, span, unknown) = match &value.kind {
            yaml::Kind::Scalar { text, .. } if value.text().is_some() => (text.clone(), value.span, false),
            _ => (String::new(), Span::new(key.span.file, key.span.end(), key.span.end()), true),
        };
        let mut value = Value::new(Cow::Owned(text), span);
        value.unknown |= unknown;
        out.push(Setting {
            name: Cow::Owned(name.to_string()),
            name_span: key.span,
            value,
            span: key.span.cover(span),
        });
    }
    for item in env.items() {
        let Some(text) = item.text() else { continue };
        let raw = source.text().get(item.span.start()..item.span.end()).unwrap_or("");
        let exact = raw == text;
        let sub = |from: usize, to: usize| if exact { item.span.sub(from, to) } else { item.span };
        let setting = match text.split_once('=') {
            Some((name, value)) => Setting {
                name: Cow::Owned(name.to_string()),
                name_span: sub(0, name.len()),
                value: Value::new(Cow::Owned(value.to_string()), sub(name.len() + 1, text.len())),
                span: item.span,
            },
            None => {
                // `- NAME` passes the variable on from the shell.
                let mut value = Value::new(Cow::Owned(String::new()), item.span);
                value.unknown = true;
                Setting { name: Cow::Owned(text.to_string()), name_span: item.span, value, span: item.span }
            }
        };
        out.push(setting);
    }
    out
}

/// The comments of a YAML file: a `#` at the start of a line or after a blank, outside
/// quotes.
pub(crate) fn comments(source: &SourceFile) -> Vec<Comment<'_>> {
    let text = source.text();
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut quote = None;
        let mut previous = ' ';
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (None, '#') if previous.is_whitespace() => {
                    let body = line.get(i..).unwrap_or("").trim_end_matches(['\n', '\r']);
                    let span = Span::new(source.id(), offset + i, offset + i + body.len());
                    out.push(Comment { text: body.trim_start_matches('#').trim(), span });
                    break;
                }
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), _) if c == q => quote = None,
                _ => {}
            }
            previous = c;
        }
        offset += line.len();
    }
    out
}

/// A variable's value for interpolation, and where it is set.
#[derive(Clone, Debug)]
pub struct Variable {
    /// The value.
    pub text: String,
    /// The value in its file.
    pub span: Span,
}

/// How many variables one value may reference, defaults nested in defaults included.
const MAX_REFERENCES: usize = 64;

/// The text of a value with Compose's variables substituted (`$NAME`, `${NAME}`,
/// `${NAME:-default}`, `${NAME-default}`, `${NAME:+alternative}`, `${NAME:?error}`,
/// `$$` for `$`), and the one variable it consists of, when it is only one reference to a
/// set variable. `None` when a variable is neither set nor given a default: Compose
/// would take it from the shell that runs it.
pub fn interpolate<'v>(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<&'v Variable>,
) -> Option<(String, Option<&'v Variable>)> {
    let mut out = String::with_capacity(text.len());
    let mut only = None;
    let mut references = 0;
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at)?);
        let after = rest.get(at + 1..)?;
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        references += 1;
        if references > MAX_REFERENCES {
            return None;
        }
        let (value, variable, tail) = if let Some(inner) = after.strip_prefix('{') {
            let close = matching_brace(inner)?;
            let (value, variable) = braced(inner.get(..close)?, lookup)?;
            (value, variable, inner.get(close + 1..)?)
        } else {
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            let variable = lookup(after.get(..len)?)?;
            (variable.text.clone(), Some(variable), after.get(len..)?)
        };
        only = if out.is_empty() && tail.is_empty() && references == 1 { variable } else { None };
        out.push_str(&value);
        rest = tail;
    }
    out.push_str(rest);
    Some((out, only))
}

/// Where the `}` that closes a `${` is, nested `${...}` skipped.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The value of `NAME`, `NAME:-default` and the other braced forms.
fn braced<'v>(inner: &str, lookup: &dyn Fn(&str) -> Option<&'v Variable>) -> Option<(String, Option<&'v Variable>)> {
    let len = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
    let (name, operator) = (inner.get(..len)?, inner.get(len..)?);
    let variable = lookup(name);
    let set = variable.is_some_and(|v| !v.text.is_empty());
    let nested = |word: &str| interpolate(word, lookup).map(|(text, _)| (text, None));
    let given = |v: &'v Variable| (v.text.clone(), Some(v));
    match operator {
        "" => variable.map(given),
        _ if operator.starts_with(":-") => {
            if set {
                variable.map(given)
            } else {
                nested(operator.get(2..)?)
            }
        }
        _ if operator.starts_with('-') => match variable {
            Some(v) => Some(given(v)),
            None => nested(operator.get(1..)?),
        },
        _ if operator.starts_with(":+") => {
            if set {
                nested(operator.get(2..)?)
            } else {
                Some((String::new(), None))
            }
        }
        _ if operator.starts_with('+') => match variable {
            Some(_) => nested(operator.get(1..)?),
            None => Some((String::new(), None)),
        },
        // `:?` and `?`: Compose stops when the variable is missing.
        _ if operator.starts_with(":?") || operator.starts_with('?') => variable.map(given),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            FileId(0),
            "docker-compose.yml".into(),
            "docker-compose.yml".into(),
            None,
            text.as_bytes().to_vec(),
        )
    }

    #[test]
    fn services_with_both_environment_forms() {
        let source = file(concat!(
            "services:\n  jira:\n    image: atlassian/jira-software:9\n    environment:\n",
            "      - ATL_PROXY_NAME=jira.example.com\n      - \"ATL_TOMCAT_SCHEME=https\"\n      - PASSED\n",
            "  bitbucket:\n    image: atlassian/bitbucket\n    environment:\n      SERVER_SECURE: 'true'\n",
            "    ports: [\"7990:7990\", {published: 7999, target: 7999}]\n",
        ));
        let compose = parse(&source);
        assert!(compose.problems.is_empty());
        let jira = &compose.services[0];
        let name = jira.variable("ATL_PROXY_NAME").unwrap();
        let raw = |s: Span| &source.text()[s.start()..s.end()];
        assert_eq!((raw(name.name_span), raw(name.value.span)), ("ATL_PROXY_NAME", "jira.example.com"));
        assert_eq!(raw(jira.variable("ATL_TOMCAT_SCHEME").unwrap().value.span), "https");
        assert!(jira.variable("PASSED").unwrap().value.unknown);
        let bitbucket = &compose.services[1];
        assert_eq!(bitbucket.variable("SERVER_SECURE").unwrap().value.text, "true");
        let ports: Vec<&str> = bitbucket.ports.iter().map(|p| p.text.as_ref()).collect();
        assert_eq!(ports, ["7990:7990", "7999:7999"]);
    }

    #[test]
    fn variables_are_substituted_as_compose_does() {
        let set = Variable { text: "jira.example.com".into(), span: Span::new(FileId(1), 5, 21) };
        let empty = Variable { text: String::new(), span: Span::new(FileId(1), 30, 30) };
        let lookup = |name: &str| match name {
            "HOST" => Some(&set),
            "EMPTY" => Some(&empty),
            _ => None,
        };
        let value = |text: &str| interpolate(text, &lookup).map(|(t, only)| (t, only.is_some()));
        assert_eq!(value("${HOST}"), Some(("jira.example.com".into(), true)));
        assert_eq!(value("https://$HOST/"), Some(("https://jira.example.com/".into(), false)));
        assert_eq!(value("${PORT:-8080}"), Some(("8080".into(), false)));
        assert_eq!(value("${EMPTY:-x}"), Some(("x".into(), false)));
        assert_eq!(value("${EMPTY-x}"), Some((String::new(), true)));
        assert_eq!(value("${MISSING:-${HOST}}"), Some(("jira.example.com".into(), false)));
        assert_eq!(value("$$HOST"), Some(("$HOST".into(), false)));
        assert_eq!(value("${MISSING}"), None);
        assert_eq!(value("${HOST:+on}"), Some(("on".into(), false)));
    }
}
