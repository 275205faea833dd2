//! Template expressions as far as a repository's defaults can answer them: a variable, a
//! dotted or indexed path, a literal, and the filters that only reshape a value (`default`,
//! `int`, `string`, `lower`, `upper`, `trim`, `replace` on literals). Anything else is
//! unknown, and stays unknown.

/// The template language a tag is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Jinja (Ansible, Salt): `{{ a.b | default(1) }}`.
    Jinja,
    /// Go templates (Helm): `{{ .Values.a.b }}`.
    Go,
    /// Ruby ERB (Chef, Puppet's `.erb`): `<%= node['a']['b'] %>`, `<%= @port %>`.
    Erb,
    /// Puppet EPP: `<%= $port %>`, `<%= $jira::port %>`.
    Epp,
}

/// One step of an expression: where a value is looked up, or a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// A variable by its key (`jira.port`, `node.jira.port`, `jira::port`, `Values.port`).
    Variable(String),
    /// A string or number written in the expression.
    Literal(String),
}

/// A filter that reshapes a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// `default(x)`, `d(x)`: `x` when the value is undefined.
    Default(Term),
    /// `int`, `string`, `trim`: the value as written (a port stays a port).
    Keep(&'static str),
    /// `lower`.
    Lower,
    /// `upper`.
    Upper,
    /// `replace('a', 'b')`.
    Replace(String, String),
}

/// A parsed expression: a term and its filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    /// The value looked up or written.
    pub term: Term,
    /// The filters, in order.
    pub filters: Vec<Filter>,
}

/// The expression of one output tag (`{{ ... }}`, `<%= ... %>`), when it is one atl-lint
/// can evaluate.
pub fn parse_tag(tag: &str) -> Option<(Syntax, Expression)> {
    let tag = tag.trim();
    if let Some(inner) = tag.strip_prefix("{{").and_then(|t| t.strip_suffix("}}")) {
        let inner = inner.trim_start_matches(['-', '+']).trim_end_matches(['-', '+']).trim();
        if inner.starts_with('.') || inner.starts_with("$.") {
            return Some((Syntax::Go, go(inner)?));
        }
        return Some((Syntax::Jinja, jinja(inner)?));
    }
    let inner = tag.strip_prefix("<%")?.strip_suffix("%>")?;
    let inner = inner.trim_start_matches('-').strip_prefix('=')?.trim_end_matches('-').trim();
    if inner.starts_with('$') {
        return Some((Syntax::Epp, Expression { term: Term::Variable(puppet_key(inner)?), filters: Vec::new() }));
    }
    Some((Syntax::Erb, ruby(inner)?))
}

/// A Jinja expression: a term, then `| filter` steps.
fn jinja(text: &str) -> Option<Expression> {
    let mut parts = split_top(text, '|').into_iter();
    let term = term(parts.next()?.trim(), dotted_path)?;
    let mut filters = Vec::new();
    for part in parts {
        filters.push(jinja_filter(part.trim())?);
    }
    Some(Expression { term, filters })
}

/// One Jinja filter.
fn jinja_filter(text: &str) -> Option<Filter> {
    let (name, args) = match text.split_once('(') {
        Some((name, rest)) => (name.trim(), Some(rest.strip_suffix(')')?)),
        None => (text, None),
    };
    let args: Vec<&str> = args.map(|a| split_top(a, ',')).unwrap_or_default();
    let literal = |k: usize| args.get(k).and_then(|a| string_literal(a.trim()));
    match (name, args.len()) {
        ("default" | "d", 1 | 2) => Some(Filter::Default(term(args.first()?.trim(), dotted_path)?)),
        ("int", 0) => Some(Filter::Keep("int")),
        ("string", 0) => Some(Filter::Keep("string")),
        ("trim", 0) => Some(Filter::Keep("trim")),
        ("lower", 0) => Some(Filter::Lower),
        ("upper", 0) => Some(Filter::Upper),
        ("replace", 2) => Some(Filter::Replace(literal(0)?, literal(1)?)),
        _ => None,
    }
}

/// A Go template pipeline: `.Values.a.b`, optionally `| quote`, `| toString`, `| int`, or
/// `| default "x"`.
fn go(text: &str) -> Option<Expression> {
    let mut parts = split_top(text, '|').into_iter();
    let path = parts.next()?.trim();
    let path = path.strip_prefix('$').unwrap_or(path).strip_prefix('.')?;
    let term = Term::Variable(dotted_path(path)?);
    let mut filters = Vec::new();
    for part in parts {
        let part = part.trim();
        let filter = match part {
            "quote" | "toString" | "trim" => Filter::Keep("string"),
            "int" => Filter::Keep("int"),
            "lower" => Filter::Lower,
            "upper" => Filter::Upper,
            _ => Filter::Default(Term::Literal(literal(part.strip_prefix("default ")?.trim())?)),
        };
        filters.push(filter);
    }
    Some(Expression { term, filters })
}

/// A Ruby expression: `node['a'][:b]`, `@node[...]`, `@name`, optionally `.to_s`/`.to_i`.
fn ruby(text: &str) -> Option<Expression> {
    let mut text = text.trim();
    let mut filters = Vec::new();
    for suffix in [".to_s", ".to_i", ".to_str", ".strip"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = rest.trim_end();
            filters.push(Filter::Keep("string"));
        }
    }
    if let Some(value) = literal(text) {
        return Some(Expression { term: Term::Literal(value), filters });
    }
    let bare = text.strip_prefix('@').unwrap_or(text);
    let key = if bare.starts_with("node") {
        dotted_path(bare)?
    } else {
        // A template variable of a Puppet or Chef template (`@port`).
        let name = bare.strip_prefix('@').unwrap_or(bare);
        is_identifier(name).then(|| name.to_string())?
    };
    Some(Expression { term: Term::Variable(key), filters })
}

/// A Puppet variable reference (`$port`, `$jira::port`, `$::port`, `${port}`) as its key.
pub fn puppet_key(text: &str) -> Option<String> {
    let name = text.trim().strip_prefix('$')?;
    let name = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')).unwrap_or(name);
    let name = name.strip_prefix("::").unwrap_or(name);
    let plain = !name.is_empty() && name.split("::").all(is_identifier);
    plain.then(|| name.to_string())
}

/// A term: a literal, or a path made into a key by `path`.
fn term(text: &str, path: fn(&str) -> Option<String>) -> Option<Term> {
    match literal(text) {
        Some(value) => Some(Term::Literal(value)),
        None => path(text).map(Term::Variable),
    }
}

/// A dotted and indexed path as a key: `a.b['c'][\"d\"][:e]` is `a.b.c.d.e`.
pub fn dotted_path(text: &str) -> Option<String> {
    let mut key = String::with_capacity(text.len());
    let mut rest = text.trim();
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            let close = rest.find(']')?;
            let index = rest.get(1..close)?.trim();
            let index = index.strip_prefix(':').unwrap_or(index);
            let index = string_literal(index).unwrap_or_else(|| index.to_string());
            if !is_key_part(&index) {
                return None;
            }
            key.push('.');
            key.push_str(&index);
            rest = rest.get(close + 1..)?.trim_start();
        } else if c == '.' {
            key.push('.');
            rest = rest.get(1..)?;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            key.push(c);
            rest = rest.get(1..)?;
        } else {
            return None;
        }
    }
    let key = key.trim_start_matches('.');
    let valid = !key.is_empty() && !key.starts_with(|c: char| c.is_ascii_digit()) && !key.contains("..");
    valid.then(|| key.to_string())
}

/// A literal: a quoted string without escapes or interpolation, or a number.
fn literal(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(s) = string_literal(text) {
        return Some(s);
    }
    let number = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    number.then(|| text.to_string())
}

/// A quoted string without escapes or interpolation.
pub fn string_literal(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.get(1..)?.strip_suffix(quote)?;
    let interpolated = quote == '"' && inner.contains("#{");
    let plain = !(inner.contains(quote) || inner.contains('\\') || interpolated);
    plain.then(|| inner.to_string())
}

/// Splits at `sep` outside quotes and brackets.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None::<char>, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, c) if c == sep && depth == 0 => {
                parts.push(text.get(start..i).unwrap_or(""));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts
}

/// A name: letters, digits and `_`, not starting with a digit.
fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !text.starts_with(|c: char| c.is_ascii_digit())
}

/// One part of a key: a name, or a dict key with `-`.
fn is_key_part(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

impl Expression {
    /// The value of the expression, looking variables up with `lookup`; `None` when a
    /// variable has no known value and no `default` applies, or a filter cannot apply.
    pub fn evaluate(&self, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Option<String> {
        let mut value = match &self.term {
            Term::Literal(text) => Some(text.clone()),
            Term::Variable(key) => lookup(key),
        };
        for filter in &self.filters {
            value = match filter {
                Filter::Default(term) => match value {
                    Some(v) => Some(v),
                    None => match term {
                        Term::Literal(text) => Some(text.clone()),
                        Term::Variable(key) => lookup(key),
                    },
                },
                Filter::Keep("trim") => value.map(|v| v.trim().to_string()),
                Filter::Keep(_) => value,
                Filter::Lower => value.map(|v| v.to_lowercase()),
                Filter::Upper => value.map(|v| v.to_uppercase()),
                Filter::Replace(from, to) if !from.is_empty() => value.map(|v| v.replace(from.as_str(), to)),
                Filter::Replace(..) => None,
            };
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_tag, Syntax};

    fn eval(tag: &str, vars: &[(&str, &str)]) -> Option<String> {
        let (_, expression) = parse_tag(tag)?;
        expression.evaluate(&mut |key| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn variables_paths_and_filters() {
        let vars = [("jira_port", "8080"), ("jira.proxy.scheme", "HTTPS"), ("node.jira.port", "8081")];
        assert_eq!(eval("{{ jira_port }}", &vars).as_deref(), Some("8080"));
        assert_eq!(eval("{{- jira_port | int -}}", &vars).as_deref(), Some("8080"));
        assert_eq!(eval("{{ jira['proxy'].scheme | lower }}", &vars).as_deref(), Some("https"));
        assert_eq!(eval("{{ missing | default('/jira') }}", &vars).as_deref(), Some("/jira"));
        assert_eq!(eval("{{ missing | d(jira_port) }}", &vars).as_deref(), Some("8080"));
        assert_eq!(eval("{{ jira_port | replace('80', '90') }}", &vars).as_deref(), Some("9090"));
        assert_eq!(eval("<%= node['jira']['port'] %>", &vars).as_deref(), Some("8081"));
        assert_eq!(eval("<%= @node[:jira][:port].to_s %>", &vars).as_deref(), Some("8081"));
        assert_eq!(eval("{{ missing }}", &vars), None);
        assert_eq!(eval("{{ jira_port + 1 }}", &vars), None);
        assert_eq!(eval("{{ jira_port | to_json }}", &vars), None);
        assert_eq!(eval("<%= node['jira']['ssl'] ? 443 : 80 %>", &vars), None);
    }

    #[test]
    fn languages_are_told_apart() {
        assert_eq!(parse_tag("{{ .Values.jira.port }}").map(|t| t.0), Some(Syntax::Go));
        assert_eq!(parse_tag("<%= $jira::port %>").map(|t| t.0), Some(Syntax::Epp));
        assert_eq!(parse_tag("<%= @port %>").map(|t| t.0), Some(Syntax::Erb));
        let vars = [("Values.jira.port", "8080"), ("jira::port", "8090"), ("port", "7990")];
        assert_eq!(eval("{{ .Values.jira.port | quote }}", &vars).as_deref(), Some("8080"));
        assert_eq!(eval("<%= $jira::port %>", &vars).as_deref(), Some("8090"));
        assert_eq!(eval("<%= $::port -%>", &vars).as_deref(), Some("7990"));
        assert_eq!(eval("<%= @port %>", &vars).as_deref(), Some("7990"));
    }
}
