//! Tomcat `server.xml`: XML elements and attributes with exact spans, comments not live.

use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;

use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{FileId, SourceFile, Span};

/// A parsed `server.xml`: a flat arena of live elements in document order.
#[derive(Debug, Default)]
pub struct Document<'a> {
    /// Every element outside comments, in document order.
    pub elements: Vec<Element<'a>>,
    /// XML comments, kept for inline suppressions.
    pub comments: Vec<Comment<'a>>,
    /// Well-formedness problems.
    pub problems: Vec<SyntaxProblem>,
}

/// One element with its attributes.
#[derive(Debug)]
pub struct Element<'a> {
    /// Element name as written (Tomcat names are case-sensitive).
    pub name: &'a str,
    /// The name in the start tag.
    pub name_span: Span,
    /// The whole start tag, `<` to `>`.
    pub tag_span: Span,
    /// Attributes in order.
    pub attributes: Vec<Setting<'a>>,
    /// Index of the parent element.
    pub parent: Option<usize>,
    /// Indexes of the child elements.
    pub children: Vec<usize>,
}

impl<'a> Element<'a> {
    /// The attribute named `name`.
    /// The attribute named `name` as Tomcat matches it: it calls `set` + the name with its
    /// first letter capitalised, so `ProxyName` sets `proxyName` too.
    pub fn attr(&self, name: &str) -> Option<&Setting<'a>> {
        self.attributes.iter().find(|a| same_setter(&a.name, name))
    }
}

impl<'a> Document<'a> {
    /// The element at `index`.
    pub fn element(&self, index: usize) -> Option<&Element<'a>> {
        self.elements.get(index)
    }

    /// The children of `index` named `name`, with their indexes.
    pub fn children_named<'d>(&'d self, index: usize, name: &'d str) -> impl Iterator<Item = (usize, &'d Element<'a>)> {
        let children = self.elements.get(index).map(|e| e.children.as_slice()).unwrap_or(&[]);
        children.iter().filter_map(|&i| self.elements.get(i).map(|e| (i, e))).filter(move |(_, e)| e.name == name)
    }

    /// Every element named `name`, with its index.
    pub fn named<'d>(&'d self, name: &'d str) -> impl Iterator<Item = (usize, &'d Element<'a>)> {
        self.elements.iter().enumerate().filter(move |(_, e)| e.name == name)
    }

    /// The nearest ancestor of `index` named `name`.
    pub fn ancestor(&self, index: usize, name: &str) -> Option<usize> {
        let mut current = self.elements.get(index)?.parent;
        while let Some(i) = current {
            let element = self.elements.get(i)?;
            if element.name == name {
                return Some(i);
            }
            current = element.parent;
        }
        None
    }
}

/// Whether two attribute names reach the same Tomcat setter (they differ at most in the case
/// of their first letter).
pub fn same_setter(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.chars(), b.chars());
    match (a.next(), b.next()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y) && a.as_str() == b.as_str(),
        (None, None) => true,
        _ => false,
    }
}

/// Parses `server.xml`, recording problems and going on where XML allows.
pub fn parse(source: &SourceFile) -> Document<'_> {
    let mut doc = Parser {
        file: source.id(),
        text: source.parse_text(),
        doc: Document::default(),
        stack: Vec::new(),
        templated: source.has_template_control(),
        open: HashMap::new(),
        roots: 0,
    }
    .run();
    for attribute in doc.elements.iter_mut().flat_map(|e| e.attributes.iter_mut()) {
        attribute.value.resolve(source);
    }
    doc
}

struct Parser<'a> {
    file: FileId,
    text: &'a str,
    doc: Document<'a>,
    stack: Vec<usize>,
    /// The file is a template with conditionals.
    templated: bool,
    /// How many elements of each name are open, so a stray end tag costs no scan.
    open: HashMap<&'a str, usize>,
    roots: usize,
}

impl<'a> Parser<'a> {
    fn run(mut self) -> Document<'a> {
        let mut reader = Reader::from_str(self.text);
        reader.config_mut().check_end_names = false;
        loop {
            let before = position(&reader);
            let event = reader.read_event();
            let after = position(&reader);
            let start = self.text.get(before..).and_then(|rest| rest.find('<')).map_or(before, |i| before + i);
            match event {
                Ok(Event::Start(tag)) => {
                    if let Some(index) = self.element(&tag, start, after) {
                        self.push_open(index);
                    }
                }
                Ok(Event::Empty(tag)) => {
                    self.element(&tag, start, after);
                }
                Ok(Event::End(tag)) => {
                    let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
                    self.end(&name, start, after);
                }
                Ok(Event::Comment(_)) => self.comment(start, after),
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(err) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(before).min(self.text.len());
                    self.problem(
                        Span::new(self.file, at, at),
                        format!("malformed XML: {err}"),
                        "XML stops being well-formed here",
                    );
                    if position(&reader) <= before {
                        break;
                    }
                }
            }
        }
        self.unclosed_at_end();
        self.doc
    }

    fn problem(&mut self, span: Span, message: String, label: &str) {
        self.doc.problems.push(SyntaxProblem { span, message, label: label.into(), related: None });
    }

    fn comment(&mut self, start: usize, end: usize) {
        let text = self.text.get(start..end).unwrap_or("");
        let body = text.strip_prefix("<!--").and_then(|t| t.strip_suffix("-->")).unwrap_or(text);
        self.doc.comments.push(Comment { text: body, span: Span::new(self.file, start, end) });
    }

    /// Adds an element for a start or empty tag spanning `start..end`.
    fn element(&mut self, tag: &BytesStart<'_>, start: usize, end: usize) -> Option<usize> {
        let name_len = tag.name().as_ref().len();
        let name_start = start + 1;
        let name = self.text.get(name_start..name_start + name_len)?;
        let name_span = Span::new(self.file, name_start, name_start + name_len);
        let tag_span = Span::new(self.file, start, end);
        let parent = self.stack.last().copied();
        if parent.is_none() {
            self.roots += 1;
            if self.roots == 2 {
                self.problem(
                    name_span,
                    format!("second root element `<{name}>`: an XML document has one"),
                    "second root",
                );
            }
        }
        let attributes = self.attributes(tag, start);
        let index = self.doc.elements.len();
        self.doc.elements.push(Element { name, name_span, tag_span, attributes, parent, children: Vec::new() });
        if let Some(parent) = parent.and_then(|p| self.doc.elements.get_mut(p)) {
            parent.children.push(index);
        }
        Some(index)
    }

    fn attributes(&mut self, tag: &BytesStart<'_>, tag_start: usize) -> Vec<Setting<'a>> {
        let mut out = Vec::new();
        let mut attributes = tag.attributes();
        // Both branches of a template conditional may set the same attribute.
        attributes.with_checks(!self.templated);
        for attr in attributes {
            let attr = match attr {
                Ok(attr) => attr,
                Err(err) => {
                    self.attribute_problem(&err, tag, tag_start);
                    break;
                }
            };
            let (Some(key_at), Some(value_at)) =
                (offset_in(self.text, attr.key.as_ref()), offset_in(self.text, &attr.value))
            else {
                continue;
            };
            let name_span = Span::new(self.file, key_at, key_at + attr.key.as_ref().len());
            let value_span = Span::new(self.file, value_at, value_at + attr.value.len());
            let (Some(name), Some(raw)) = (
                self.text.get(name_span.start()..name_span.end()),
                self.text.get(value_span.start()..value_span.end()),
            ) else {
                continue;
            };
            let value = self.decode(raw, value_span);
            let span = Span::new(self.file, key_at, (value_span.end() + 1).min(self.text.len()));
            out.push(Setting { name: Cow::Borrowed(name), name_span, value, span });
        }
        if self.templated {
            // Set in two branches of a conditional with different values: which one holds
            // is decided at deployment. Tomcat's setters ignore the case of the first letter.
            let key = |name: &str| {
                let mut chars = name.chars();
                chars.next().map(|c| format!("{}{}", c.to_ascii_lowercase(), chars.as_str())).unwrap_or_default()
            };
            let mut values: foldhash::HashMap<String, (String, bool)> = foldhash::HashMap::default();
            for setting in &out {
                let entry = values.entry(key(&setting.name)).or_insert_with(|| (setting.value.text.to_string(), false));
                entry.1 |= entry.0 != setting.value.text;
            }
            for setting in &mut out {
                if values.get(&key(&setting.name)).is_some_and(|(_, differs)| *differs) {
                    setting.value.unknown = true;
                }
            }
        }
        // Kept for the whole run: no room left over from growing.
        out.shrink_to_fit();
        out
    }

    fn attribute_problem(&mut self, err: &AttrError, tag: &BytesStart<'_>, tag_start: usize) {
        let element = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
        let (offset, what) = match *err {
            AttrError::ExpectedEq(p) => {
                (p, "expected `=` after an attribute name; is the tag closed with `>` or `/>`?")
            }
            AttrError::ExpectedValue(p) => (p, "expected a quoted value after `=`"),
            AttrError::UnquotedValue(p) => (p, "attribute values must be quoted"),
            AttrError::ExpectedQuote(p, _) => (p, "attribute value has no closing quote"),
            AttrError::Duplicated(p, _) => (p, "the same attribute is set twice"),
        };
        let at = (tag_start + 1 + offset).min(self.text.len());
        self.problem(
            Span::new(self.file, at, at),
            format!("malformed `<{element}>` tag: {what}"),
            "the tag breaks here",
        );
    }

    /// Decodes entity and character references; raw `<` and unknown entities are errors.
    fn decode(&mut self, raw: &'a str, span: Span) -> Value<'a> {
        if let Some(i) = raw.find('<') {
            let at = span.start() + i;
            self.problem(
                Span::new(self.file, at, at + 1),
                "raw `<` in an attribute value: write `&lt;`".into(),
                "not allowed in XML attribute values",
            );
        }
        // XML attribute-value normalisation: each literal line break or tab reads as a space
        // (a CRLF pair as one); character references such as `&#10;` stay as they are.
        if raw.contains(['\t', '\n', '\r']) {
            let normalized = raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " ");
            return match quick_xml::escape::unescape(&normalized) {
                Ok(text) => Value::new(Cow::Owned(text.into_owned()), span),
                Err(_) => self.bad_reference(raw, span),
            };
        }
        match quick_xml::escape::unescape(raw) {
            Ok(text) => Value::new(text, span),
            Err(_) => self.bad_reference(raw, span),
        }
    }

    fn bad_reference(&mut self, raw: &'a str, span: Span) -> Value<'a> {
        // The reference is not quoted back: the value may be a password.
        self.problem(
            span,
            "undefined entity or malformed character reference in an attribute value".into(),
            "cannot be decoded",
        );
        let mut value = Value::new(Cow::Borrowed(raw), span);
        value.unknown = true;
        value
    }

    fn push_open(&mut self, index: usize) {
        if let Some(element) = self.doc.elements.get(index) {
            *self.open.entry(element.name).or_insert(0) += 1;
        }
        self.stack.push(index);
    }

    fn end(&mut self, name: &str, start: usize, end: usize) {
        let span = Span::new(self.file, start, end);
        let is_open = self.open.get(name).is_some_and(|&n| n > 0);
        let depth = if is_open {
            self.stack.iter().rposition(|&i| self.doc.elements.get(i).is_some_and(|e| e.name == name))
        } else {
            None
        };
        let Some(depth) = depth else {
            self.problem(span, format!("end tag `</{name}>` closes no open element"), "stray end tag");
            return;
        };
        let closed: Vec<usize> = self.stack.drain(depth..).collect();
        for &index in &closed {
            if let Some(count) = self.doc.elements.get(index).and_then(|e| self.open.get_mut(e.name)) {
                *count = count.saturating_sub(1);
            }
        }
        let unclosed = closed.into_iter().skip(1);
        for index in unclosed {
            let Some(element) = self.doc.elements.get(index) else {
                continue;
            };
            let problem = SyntaxProblem {
                span: element.name_span,
                message: format!("`<{}>` is not closed before `</{name}>`", element.name),
                label: "never closed".into(),
                related: Some((span, "closes an outer element".into())),
            };
            self.doc.problems.push(problem);
        }
    }

    fn unclosed_at_end(&mut self) {
        for index in std::mem::take(&mut self.stack) {
            let Some(element) = self.doc.elements.get(index) else {
                continue;
            };
            let (span, message) = (element.name_span, format!("`<{}>` is never closed", element.name));
            self.problem(span, message, "opened here");
        }
    }
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// Where `part` (a slice borrowed from `text`) starts in `text`.
fn offset_in(text: &str, part: &[u8]) -> Option<usize> {
    let base = text.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    let offset = at.checked_sub(base)?;
    (offset + part.len() <= text.len()).then_some(offset)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn doc(text: &str) -> (SourceFile, usize) {
        (SourceFile::new(FileId(0), PathBuf::from("s"), "s".into(), None, text.as_bytes().to_vec()), 0)
    }

    #[test]
    fn attribute_spans_are_exact_and_values_decoded() {
        let (source, _) = doc("<Server>\n  <Connector port=\"8080\" relaxedQueryChars=\"[]&quot;&lt;\"/>\n</Server>\n");
        let d = parse(&source);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let (_, connector) = d.named("Connector").next().expect("connector");
        let port = connector.attr("port").expect("port");
        assert_eq!(source.slice(port.value.span), "8080");
        assert_eq!(source.slice(port.name_span), "port");
        assert_eq!(source.slice(port.span), "port=\"8080\"");
        assert_eq!(source.slice(connector.name_span), "Connector");
        let relaxed = connector.attr("relaxedQueryChars").expect("relaxed");
        assert_eq!(relaxed.value.text, "[]\"<");
        assert_eq!(source.slice(relaxed.value.span), "[]&quot;&lt;");
    }

    #[test]
    fn line_breaks_in_values_read_as_spaces() {
        let (source, _) = doc("<Server><SSLHostConfig ciphers=\"A:B\n   C\" x=\"a&#10;b\"/></Server>");
        let d = parse(&source);
        let (_, host) = d.named("SSLHostConfig").next().expect("element");
        assert_eq!(host.attr("ciphers").map(|a| a.value.text.as_ref()), Some("A:B    C"));
        assert_eq!(host.attr("x").map(|a| a.value.text.as_ref()), Some("a\nb"));
    }

    #[test]
    fn commented_elements_are_not_live() {
        let (source, _) = doc("<Server><!-- <Connector port=\"8009\"/> --><Service/></Server>");
        let d = parse(&source);
        assert_eq!(d.named("Connector").count(), 0);
        assert_eq!(d.comments.len(), 1);
    }

    #[test]
    fn mismatched_end_tag_points_at_both_and_parsing_goes_on() {
        let (source, _) = doc("<Server>\n<Service>\n<Engine>\n</Service>\n<Listener/>\n</Server>\n");
        let d = parse(&source);
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert_eq!(source.slice(d.problems[0].span), "Engine");
        assert_eq!(d.problems[0].related.as_ref().map(|(s, _)| source.slice(*s)), Some("</Service>"));
        assert!(d.problems[0].message.contains("`<Engine>`"));
        assert_eq!(d.named("Listener").count(), 1);
    }

    #[test]
    fn unclosed_tag_is_reported_without_panicking() {
        for text in
            ["<Server><Connector port=\"80", "<Server", "<", "<Server a=1/>", "<a b='&bogus;'/>", "</x>", "<S><!-- x"]
        {
            let (source, _) = doc(text);
            let d = parse(&source);
            assert!(!d.problems.is_empty(), "{text}");
        }
    }
}
