//! YAML documents as trees of nodes with spans (compose files, Kubernetes manifests), read
//! from yaml-rust2's events. Aliases share the node their anchor names, and a mapping's
//! `<<` merge keys take in the entries of the mappings they name, so a file of aliases
//! stays linear in memory.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::SyntaxProblem;
use crate::source::{FileId, SourceFile, Span};

/// A node and where it starts (a scalar: its text without quotes).
#[derive(Clone, Debug)]
pub struct Node {
    /// What it is.
    pub kind: Kind,
    /// A scalar's text as written, without quotes; a collection's first byte.
    pub span: Span,
}

/// What a node is.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A scalar: its value, and whether it is written without quotes (`true` is then a
    /// boolean, `~` null).
    Scalar {
        /// The decoded value.
        text: String,
        /// Written without quotes.
        plain: bool,
    },
    /// A mapping, its keys in file order (merged entries after the mapping's own).
    Map(Arc<Vec<(Node, Node)>>),
    /// A sequence.
    Seq(Arc<Vec<Node>>),
    /// An alias whose anchor is not known, or an empty value.
    Null,
}

impl Node {
    /// The scalar's text (`None` for a collection or a null).
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, plain }
                if !(*plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")) =>
            {
                Some(text)
            }
            _ => None,
        }
    }

    /// The mapping's entries (empty for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The sequence's items (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    /// The value of a mapping's key (the last one written, as YAML readers take it), with
    /// the key node.
    pub fn get(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries().iter().rev().find(|(k, _)| k.text() == Some(key)).map(|(k, v)| (k, v))
    }
}

/// How many nodes a walk for secrets visits: aliases share nodes, so a walk through them
/// could otherwise grow exponentially.
const MAX_VISITS: usize = 1_000_000;

/// The spans of the scalars under secret-named keys (`password:`, `DB_SECRET:`), and of
/// secret-named `NAME=value` items, in a document.
pub fn secret_values(root: &Node) -> Vec<Span> {
    let mut out = Vec::new();
    let mut stack = vec![(root, false)];
    let mut visits = 0;
    while let Some((node, secret)) = stack.pop() {
        visits += 1;
        if visits > MAX_VISITS {
            break;
        }
        match &node.kind {
            Kind::Scalar { text, .. } => {
                let named = text.split_once('=').filter(|(name, value)| {
                    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
                    plain && !value.is_empty() && crate::secrets::is_secret_name(name)
                });
                match named {
                    // The value of `NAME=value`, after the `=`.
                    Some((name, _)) => out.push(node.span.sub(name.len() + 1, node.span.len())),
                    None if secret => out.push(node.span),
                    None => {}
                }
            }
            Kind::Map(entries) => {
                for (key, value) in entries.iter() {
                    let secret = key.text().is_some_and(crate::secrets::is_secret_name);
                    stack.push((value, secret));
                }
            }
            Kind::Seq(items) => stack.extend(items.iter().map(|item| (item, secret))),
            Kind::Null => {}
        }
    }
    out
}

/// The documents of a YAML stream, and what could not be read.
#[derive(Debug, Default)]
pub struct Stream {
    /// Each document's root node.
    pub documents: Vec<Node>,
    /// The first error, where YAML readers stop.
    pub problems: Vec<SyntaxProblem>,
}

/// How many nodes one file may have: a file past it is read no further.
const MAX_NODES: usize = 1_000_000;

/// Reads every document of `source` (template tags masked).
pub fn parse(source: &SourceFile) -> Stream {
    let text = source.parse_text();
    let mut builder =
        Builder { source, text, stack: Vec::new(), anchors: HashMap::new(), stream: Stream::default(), nodes: 0 };
    let mut parser = Parser::new_from_str(text);
    if let Err(error) = parser.load(&mut builder, true) {
        let at = builder.offset(*error.marker());
        let end = text.get(at..).and_then(|t| t.find('\n')).map_or(text.len(), |n| at + n);
        builder.stream.problems.push(SyntaxProblem {
            span: Span::new(source.id(), at, end.max(at)),
            message: format!("YAML cannot be read here: {}", error.info()),
            label: "not YAML".to_string(),
            related: None,
        });
        // What was read before the error is kept: the open collections as they stand.
        while builder.stack.len() > 1 {
            builder.close();
        }
        if let Some(root) = builder.stack.pop() {
            builder.stream.documents.push(root.node(source.id()));
        }
    }
    builder.stream
}

/// A collection being read.
enum Open {
    Map { start: usize, anchor: usize, entries: Vec<(Node, Node)>, key: Option<Node>, merges: Vec<Node> },
    Seq { start: usize, anchor: usize, items: Vec<Node> },
}

impl Open {
    fn node(self, file: FileId) -> Node {
        self.finish(file).1
    }

    /// The node, and the anchor it was written with.
    fn finish(self, file: FileId) -> (usize, Node) {
        match self {
            Open::Map { start, anchor, entries, merges, .. } => {
                // Merged entries go before the mapping's own, so that `get` (the last one
                // written) finds its own first; of two merged mappings, the first wins.
                let mut seen: HashSet<String> =
                    entries.iter().filter_map(|(k, _)| k.text().map(str::to_string)).collect();
                let mut merged_entries = Vec::new();
                for merged in &merges {
                    let sources: Vec<&Node> = match &merged.kind {
                        Kind::Seq(items) => items.iter().collect(),
                        _ => vec![merged],
                    };
                    for (k, v) in sources.into_iter().flat_map(Node::entries) {
                        if k.text().is_none_or(|t| seen.insert(t.to_string())) {
                            merged_entries.push((k.clone(), v.clone()));
                        }
                    }
                }
                merged_entries.extend(entries);
                (anchor, Node { kind: Kind::Map(Arc::new(merged_entries)), span: Span::new(file, start, start) })
            }
            Open::Seq { start, anchor, items } => {
                (anchor, Node { kind: Kind::Seq(Arc::new(items)), span: Span::new(file, start, start) })
            }
        }
    }
}

struct Builder<'a> {
    source: &'a SourceFile,
    text: &'a str,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    stream: Stream,
    nodes: usize,
}

impl Builder<'_> {
    /// The byte offset of a marker (its line is 1-based, its column counts characters).
    fn offset(&self, mark: Marker) -> usize {
        let line = mark.line().saturating_sub(1);
        let (start, end) = self.source.line_range(line);
        let text = self.text.get(start..end).unwrap_or("");
        start + text.char_indices().nth(mark.col()).map_or(text.len(), |(i, _)| i)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source.id(), start, end.max(start))
    }

    /// Adds a finished node to the collection it is in, or ends a document with it.
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.stream.documents.push(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, merges, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) if k.text() == Some("<<") && matches!(&k.kind, Kind::Scalar { plain: true, .. }) => {
                    merges.push(node)
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn close(&mut self) {
        let Some(open) = self.stack.pop() else { return };
        let (anchor, node) = open.finish(self.source.id());
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push(node);
    }

    /// A scalar's raw span (without quotes) from where it starts.
    fn scalar_span(&self, start: usize, style: TScalarStyle, value: &str) -> Span {
        let rest = self.text.get(start..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("");
        match style {
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let quote = if style == TScalarStyle::SingleQuoted { '\'' } else { '"' };
                let inner = line.get(1..).unwrap_or("");
                let end = closing_quote(inner, quote).unwrap_or(inner.len());
                self.span(start + 1, start + 1 + end)
            }
            TScalarStyle::Plain if line.starts_with(value) => self.span(start, start + value.len()),
            _ => self.span(start, start + line.trim_end().len()),
        }
    }
}

/// Where a quoted scalar's closing quote is on its line (`''` and `\"` do not close).
fn closing_quote(inner: &str, quote: char) -> Option<usize> {
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
                continue;
            }
            return Some(i);
        }
    }
    None
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return;
        }
        let at = self.offset(mark);
        match event {
            Event::MappingStart(anchor, _) => {
                self.stack.push(Open::Map { start: at, anchor, entries: Vec::new(), key: None, merges: Vec::new() });
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq { start: at, anchor, items: Vec::new() }),
            Event::MappingEnd | Event::SequenceEnd => self.close(),
            Event::Scalar(text, style, anchor, _) => {
                let span = self.scalar_span(at, style, &text);
                let plain = style == TScalarStyle::Plain;
                let node = Node { kind: Kind::Scalar { text, plain }, span };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node);
            }
            Event::Alias(anchor) => {
                let node = self.anchors.get(&anchor).cloned();
                let node = node.unwrap_or(Node { kind: Kind::Null, span: self.span(at, at) });
                self.push(node);
            }
            Event::DocumentEnd => {
                // A document that ended inside a collection (an error) leaves nothing open.
                self.stack.clear();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), "c.yml".into(), "c.yml".into(), None, text.as_bytes().to_vec())
    }

    fn raw<'t>(source: &'t SourceFile, node: &Node) -> &'t str {
        source.text().get(node.span.start()..node.span.end()).unwrap_or("?")
    }

    #[test]
    fn scalars_keep_their_spans_and_aliases_merge() {
        let source = file(
            "x-env: &env\n  A: 'it''s'\n  B: \"q\\\"x\"\nservices:\n  jira:\n    <<: *env\n    B: plain value\n    list: [a, b]\n",
        );
        let stream = parse(&source);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let root = &stream.documents[0];
        let (_, jira) = root.get("services").unwrap().1.get("jira").unwrap();
        let (_, a) = jira.get("A").unwrap();
        assert_eq!((a.text(), raw(&source, a)), (Some("it's"), "it''s"));
        let (key, b) = jira.get("B").unwrap();
        assert_eq!((b.text(), raw(&source, b), raw(&source, key)), (Some("plain value"), "plain value", "B"));
        assert_eq!(jira.get("list").unwrap().1.items().len(), 2);
    }

    #[test]
    fn an_error_keeps_what_was_read() {
        let source = file("services:\n  jira:\n    image: atlassian/jira-software\n  bad: [\n");
        let stream = parse(&source);
        assert_eq!(stream.problems.len(), 1);
        let root = &stream.documents[0];
        let (_, jira) = root.get("services").unwrap().1.get("jira").unwrap();
        assert_eq!(jira.get("image").unwrap().1.text(), Some("atlassian/jira-software"));
    }
}
