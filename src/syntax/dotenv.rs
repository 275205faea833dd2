//! Environment files (`.env`, a compose service's `env_file:`): `NAME=value` lines as
//! Compose reads them. Single quotes keep their text; double quotes take `\n`, `\t`, `\"`
//! and `\\`; an unquoted value ends at ` #`, and blanks around it go.

use std::borrow::Cow;

use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{SourceFile, Span};

/// An environment file.
#[derive(Debug, Default)]
pub struct DotEnv<'a> {
    /// Its variables, in file order.
    pub entries: Vec<Setting<'a>>,
    /// Its comments.
    pub comments: Vec<Comment<'a>>,
    /// Lines that are not `NAME=value`.
    pub problems: Vec<SyntaxProblem>,
}

impl DotEnv<'_> {
    /// The last setting of `name`.
    pub fn get(&self, name: &str) -> Option<&Setting<'_>> {
        self.entries.iter().rev().find(|s| s.name == name)
    }
}

/// Parses an environment file.
pub fn parse(source: &SourceFile) -> DotEnv<'_> {
    let text = source.parse_text();
    let mut env = DotEnv::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if body.is_empty() {
            continue;
        }
        if let Some(comment) = body.strip_prefix('#') {
            let span = Span::new(source.id(), start + indent, start + line.len());
            env.comments.push(Comment { text: comment.trim(), span });
            continue;
        }
        let (body, skipped) = match body.strip_prefix("export ") {
            Some(rest) => (rest.trim_start(), indent + (body.len() - rest.trim_start().len())),
            None => (body, indent),
        };
        let name_start = start + skipped;
        let Some((name, rest)) = body.split_once('=') else {
            // A name alone passes the variable on from the shell.
            let name = body.trim_end();
            if is_name(name) {
                let span = Span::new(source.id(), name_start, name_start + name.len());
                let mut value = Value::new(Cow::Borrowed(""), Span::new(source.id(), span.end(), span.end()));
                value.unknown = true;
                env.entries.push(Setting { name: Cow::Borrowed(name), name_span: span, value, span });
            } else {
                env.problems.push(problem(source, start + indent, start + line.len()));
            }
            continue;
        };
        let name = name.trim_end();
        if !is_name(name) {
            env.problems.push(problem(source, start + indent, start + line.len()));
            continue;
        }
        let value_start = name_start + body.len() - rest.len();
        let (value, value_span, comment) = value(rest, value_start, source);
        let name_span = Span::new(source.id(), name_start, name_start + name.len());
        if let Some(comment) = comment {
            env.comments.push(comment);
        }
        let span = name_span.cover(value_span);
        env.entries.push(Setting { name: Cow::Borrowed(name), name_span, value, span });
    }
    env
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn problem(source: &SourceFile, start: usize, end: usize) -> SyntaxProblem {
    SyntaxProblem {
        span: Span::new(source.id(), start, end),
        message: "expected `NAME=value` in an environment file".to_string(),
        label: "not `NAME=value`".to_string(),
        related: None,
    }
}

/// The value after `=` (at byte `at`), its raw span without quotes, and a trailing comment.
fn value<'a>(rest: &'a str, at: usize, source: &'a SourceFile) -> (Value<'a>, Span, Option<Comment<'a>>) {
    let trimmed = rest.trim_start();
    let at = at + (rest.len() - trimmed.len());
    let span = |from: usize, to: usize| Span::new(source.id(), at + from, at + to);
    if let Some(quoted) = trimmed.strip_prefix('\'') {
        let end = quoted.find('\'').unwrap_or(quoted.len());
        let text = quoted.get(..end).unwrap_or("");
        return (Value::new(Cow::Borrowed(text), span(1, 1 + end)), span(0, (end + 2).min(trimmed.len())), None);
    }
    if let Some(quoted) = trimmed.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.char_indices();
        let mut end = quoted.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    end = i;
                    break;
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => {}
                },
                _ => out.push(c),
            }
        }
        let raw = quoted.get(..end).unwrap_or("");
        let text = if raw == out { Cow::Borrowed(raw) } else { Cow::Owned(out) };
        return (Value::new(text, span(1, 1 + end)), span(0, (end + 2).min(trimmed.len())), None);
    }
    let (text, comment) = match trimmed.find(" #").or_else(|| trimmed.find("\t#")) {
        Some(hash) => {
            let body = trimmed.get(hash + 1..).unwrap_or("");
            let comment = Comment { text: body.trim_start_matches('#').trim(), span: span(hash + 1, trimmed.len()) };
            (trimmed.get(..hash).unwrap_or(""), Some(comment))
        }
        None => (trimmed, None),
    };
    let text = text.trim_end();
    (Value::new(Cow::Borrowed(text), span(0, text.len())), span(0, text.len()), comment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn values_as_compose_reads_them() {
        let text = "# c\nA=plain # note\nexport B='it is'\nC=\"x\\\"y\"\nbad line\nD\n";
        let source = SourceFile::new(FileId(0), ".env".into(), ".env".into(), None, text.as_bytes().to_vec());
        let env = parse(&source);
        let raw = |s: Span| &text[s.start()..s.end()];
        let a = env.get("A").unwrap();
        assert_eq!((a.value.text.as_ref(), raw(a.value.span), raw(a.name_span)), ("plain", "plain", "A"));
        assert_eq!(env.get("B").unwrap().value.text, "it is");
        assert_eq!(env.get("C").unwrap().value.text, "x\"y");
        assert!(env.get("D").unwrap().value.unknown);
        assert_eq!(env.problems.len(), 1);
        assert_eq!(env.comments.len(), 2);
    }
}
