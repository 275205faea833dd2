//! Reads one Apache file as `ap_cfg_getline`, `ap_getword_conf` and `ap_build_config_sub`
//! do: logical lines, words, containers; and re-reads a line after `${NAME}` substitution.

use std::borrow::Cow;

use super::{Block, Config, Directive, Item};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::words::PackedWords;
use crate::syntax::{Comment, SyntaxProblem, Word};

/// Containers whose body is raw text, not directives.
const RAW_BODIES: [&str; 2] = ["macro", "lua"];

impl<'a> Config<'a> {
    /// Replaces every `${NAME}` of an item's line that `lookup` knows and splits the line
    /// into words again, as Apache does before it reads a line; spans of substituted words
    /// cover the `${NAME}` they come from.
    pub fn substitute(&mut self, item: Item, text: &'a str, lookup: &dyn Fn(&str) -> Option<String>) {
        let Some(span) = self.span(item) else { return };
        if !text.get(span.start()..span.end()).is_some_and(|t| t.contains("${")) {
            return;
        }
        let start = span.start();
        let Some(line) = logical_line(text, start).substituted(lookup) else { return };
        let end = trimmed_end(&line);
        match item {
            Item::Directive(i) => {
                let Some(directive) = self.directives.get_mut(i) else { return };
                let words = words(directive.span.file, text, &line, 0, end);
                if !words.is_empty() {
                    directive.words = PackedWords::new(directive.words.source(), words);
                }
            }
            Item::Block(i) => {
                let Some(block) = self.blocks.get_mut(i) else { return };
                if let (name_end, Some(close)) = tag_bounds(&line, 0, end) {
                    let name = block.name();
                    let name = Word { text: Cow::Owned(name.text.to_string()), span: name.span, unknown: name.unknown };
                    let args = words(block.span.file, text, &line, name_end, close);
                    block.words = PackedWords::new(block.words.source(), std::iter::once(name).chain(args));
                }
            }
        }
    }

    /// An item's line as Apache's configuration dump shows it: `${NAME}` substituted, the
    /// name, one space and the rest with outer white space removed.
    pub fn shown(&self, item: Item, text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
        let Some(span) = self.span(item) else { return String::new() };
        let line = logical_line(text, span.start());
        let line = line.substituted(lookup).unwrap_or(line);
        let body = line.text.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        match body.find(|c: char| c.is_ascii() && is_space(c as u8)) {
            Some(cut) => {
                let (name, rest) = body.split_at(cut);
                format!("{name} {}", rest.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8)))
            }
            None => body.to_string(),
        }
    }
}

/// A logical line: its bytes and, for each, the bytes of the file it came from (one byte,
/// or the whole `${VAR}` a substituted byte replaces).
struct LogicalLine {
    text: String,
    offsets: Vec<(usize, usize)>,
    /// One past the last byte of its last physical line.
    end: usize,
}

impl LogicalLine {
    fn span(&self, file: FileId, from: usize, to: usize) -> Span {
        let start = self.offsets.get(from).map_or(self.end, |o| o.0);
        let end = if to > from { self.offsets.get(to - 1).map_or(self.end, |o| o.1) } else { start };
        Span::new(file, start, end)
    }

    /// The line with every `${NAME}` that `lookup` knows replaced, as `ap_resolve_env`
    /// does before the line is split into words; `None` when nothing is replaced.
    fn substituted(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<LogicalLine> {
        let mut out = LogicalLine { text: String::new(), offsets: Vec::new(), end: self.end };
        let mut rest = self.text.as_str();
        let mut at = 0;
        let mut changed = false;
        while let Some(open) = rest.find("${") {
            let Some(close) = rest.get(open + 2..).and_then(|r| r.find('}')) else { break };
            let name = rest.get(open + 2..open + 2 + close).unwrap_or("");
            let (head, after) = (open, open + 3 + close);
            out.text.push_str(rest.get(..head).unwrap_or(""));
            out.offsets.extend(self.offsets.get(at..at + head).unwrap_or(&[]));
            match lookup(name) {
                Some(value) => {
                    let from = self.offsets.get(at + head).map_or(self.end, |o| o.0);
                    let to = self.offsets.get(at + after - 1).map_or(self.end, |o| o.1);
                    out.offsets.extend(std::iter::repeat_n((from, to), value.len()));
                    out.text.push_str(&value);
                    changed = true;
                }
                None => {
                    out.text.push_str(rest.get(head..after).unwrap_or(""));
                    out.offsets.extend(self.offsets.get(at + head..at + after).unwrap_or(&[]));
                }
            }
            rest = rest.get(after..).unwrap_or("");
            at += after;
        }
        out.text.push_str(rest);
        out.offsets.extend(self.offsets.get(at..).unwrap_or(&[]));
        changed.then_some(out)
    }
}

/// Parses one Apache configuration file.
pub fn parse(source: &SourceFile) -> Config<'_> {
    let text = source.parse_text();
    let mut parser = Parser { source, file: source.id(), text, config: Config::default(), stack: Vec::new() };
    let mut at = 0;
    while at < text.len() {
        let line = logical_line(text, at);
        // `line.end` stops before the CR LF (or LF) of its last physical line.
        let terminator = text.get(line.end..).map_or(0, |rest| {
            if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with('\n'))
            }
        });
        at = parser.line(&line).unwrap_or((line.end + terminator).max(at + 1));
    }
    for index in std::mem::take(&mut parser.stack) {
        if let Some(block) = parser.config.blocks.get(index) {
            let (span, name) = (block.span, block.name().text.to_string());
            parser.problem(span, format!("`<{name}>` was not closed"), "opened here");
        }
    }
    // A tree holds thousands of small files: no room to spare in each.
    let config = &mut parser.config;
    config.directives.shrink_to_fit();
    config.blocks.shrink_to_fit();
    config.comments.shrink_to_fit();
    parser.config
}

/// The logical line starting at `start`: physical lines joined where a `\` stands right
/// before the line end.
fn logical_line(text: &str, start: usize) -> LogicalLine {
    let bytes = text.as_bytes();
    let mut line = LogicalLine { text: String::new(), offsets: Vec::new(), end: start };
    let mut raw: Vec<u8> = Vec::new();
    let mut at = start;
    loop {
        let end = text.get(at..).and_then(|r| r.find('\n')).map_or(text.len(), |i| at + i);
        let body_end = if end > at && bytes.get(end - 1) == Some(&b'\r') { end - 1 } else { end };
        let continued = body_end > at && bytes.get(body_end - 1) == Some(&b'\\') && end < text.len();
        let keep_end = if continued { body_end - 1 } else { body_end };
        for (i, b) in bytes.get(at..keep_end).unwrap_or(&[]).iter().enumerate() {
            raw.push(*b);
            line.offsets.push((at + i, at + i + 1));
        }
        line.end = body_end;
        if !continued {
            break;
        }
        at = end + 1;
    }
    line.text = String::from_utf8_lossy(&raw).into_owned();
    line
}

/// Where an opening tag's name ends and, when there is one, its last `>` (everything after
/// it is ignored, as Apache does).
fn tag_bounds(line: &LogicalLine, lead: usize, end: usize) -> (usize, Option<usize>) {
    let bytes = line.text.as_bytes();
    let name_end = (lead + 1..end).find(|&i| bytes.get(i).is_some_and(|b| is_space(*b) || *b == b'>')).unwrap_or(end);
    let close = line.text.get(..end).and_then(|t| t.rfind('>')).filter(|&c| c >= name_end);
    (name_end, close)
}

/// Where the line's text ends, trailing white space left out.
fn trimmed_end(line: &LogicalLine) -> usize {
    line.text.len() - line.text.bytes().rev().take_while(|b| is_space(*b)).count()
}

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

/// Splits a logical line into words as `ap_getword_conf` does, from byte `from`.
fn words<'a>(file: FileId, text: &'a str, line: &LogicalLine, from: usize, to: usize) -> Vec<Word<'a>> {
    let bytes = line.text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        while i < to && bytes.get(i).is_some_and(|b| is_space(*b)) {
            i += 1;
        }
        if i >= to {
            break;
        }
        let start = i;
        let quote = bytes.get(i).copied().filter(|b| *b == b'"' || *b == b'\'');
        let (body_start, body_end, end) = match quote {
            Some(q) => {
                let mut j = i + 1;
                while j < to && bytes.get(j) != Some(&q) {
                    if bytes.get(j) == Some(&b'\\') && j + 1 < to {
                        j += 1;
                    }
                    j += 1;
                }
                // An unterminated quote runs to the end of the line.
                (i + 1, j.min(to), (j + 1).min(to))
            }
            None => {
                let mut j = i;
                while j < to && !bytes.get(j).is_some_and(|b| is_space(*b)) {
                    j += 1;
                }
                (i, j, j)
            }
        };
        let raw = line.text.get(body_start..body_end).unwrap_or("");
        let decoded = unescape(raw, quote);
        let span = line.span(file, start, end);
        let verbatim = quote.is_none() && decoded == raw && text.get(span.start()..span.end()) == Some(raw);
        let value = if verbatim {
            Cow::Borrowed(text.get(span.start()..span.end()).unwrap_or(""))
        } else {
            Cow::Owned(decoded)
        };
        let unknown = crate::syntax::is_unknown(&value);
        out.push(Word { text: value, span, unknown });
        i = end;
    }
    out
}

/// `\\` and `\<quote>` are the only escapes.
fn unescape(raw: &str, quote: Option<u8>) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next == '\\' || quote.is_some_and(|q| u32::from(next) == u32::from(q)) {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

struct Parser<'a> {
    source: &'a SourceFile,
    file: FileId,
    text: &'a str,
    config: Config<'a>,
    stack: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn problem(&mut self, span: Span, message: String, label: &str) {
        self.config.problems.push(SyntaxProblem { span, message, label: label.into(), related: None });
    }

    /// Reads one logical line; returns where to go on when a raw body was skipped.
    fn line(&mut self, line: &LogicalLine) -> Option<usize> {
        let bytes = line.text.as_bytes();
        let lead = bytes.iter().take_while(|b| is_space(**b)).count();
        let trail = bytes.iter().rev().take_while(|b| is_space(**b)).count();
        let end = bytes.len().saturating_sub(trail).max(lead);
        match bytes.get(lead) {
            None => None,
            Some(b'#') => {
                let span = line.span(self.file, lead, end);
                let body = self.text.get(span.start() + 1..span.end()).unwrap_or("");
                self.config.comments.push(Comment { text: body, span });
                None
            }
            Some(b'<') if bytes.get(lead + 1) == Some(&b'/') => {
                self.close(line, lead, end);
                None
            }
            Some(b'<') => self.open(line, lead, end),
            Some(_) => {
                let words = words(self.file, self.text, line, lead, end);
                if words.is_empty() {
                    return None;
                }
                let span = line.span(self.file, lead, end);
                let block = self.stack.last().and_then(|&b| u32::try_from(b).ok());
                self.config.directives.push(Directive {
                    words: PackedWords::new(self.source, words),
                    span,
                    block,
                    skipped: false,
                    unloaded: false,
                });
                None
            }
        }
    }

    fn open(&mut self, line: &LogicalLine, lead: usize, end: usize) -> Option<usize> {
        let (name_end, close) = tag_bounds(line, lead, end);
        let name_text = line.text.get(lead + 1..name_end).unwrap_or("");
        let name_span = line.span(self.file, lead + 1, name_end);
        // Packing keeps no copy when the name is the file's own text (a tag on one line).
        let name = Word { text: Cow::Owned(name_text.to_string()), span: name_span, unknown: false };
        let span = line.span(self.file, lead, end);
        let Some(close) = close else {
            self.problem(span, format!("`<{name_text}>` directive missing closing `>`"), "no `>`");
            return None;
        };
        let args = words(self.file, self.text, line, name_end, close);
        let parent = self.stack.last().copied();
        let index = self.config.blocks.len();
        let raw = RAW_BODIES.iter().any(|r| name_text.to_ascii_lowercase().starts_with(r));
        self.config.blocks.push(Block {
            words: PackedWords::new(self.source, std::iter::once(name).chain(args)),
            span,
            close: None,
            parent,
            skipped: false,
            unloaded: false,
            false_condition: false,
        });
        if raw {
            return Some(self.skip_raw_body(index, name_text, line.end));
        }
        self.stack.push(index);
        None
    }

    /// Skips a raw body to its closing tag; returns where reading goes on.
    fn skip_raw_body(&mut self, index: usize, name: &str, from: usize) -> usize {
        let closer = format!("</{}>", name.to_ascii_lowercase());
        let mut at = from;
        while at < self.text.len() {
            let end = self.text.get(at..).and_then(|r| r.find('\n')).map_or(self.text.len(), |i| at + i);
            let physical = self.text.get(at..end).unwrap_or("").trim();
            if physical.to_ascii_lowercase() == closer {
                if let Some(block) = self.config.blocks.get_mut(index) {
                    block.close = Some(Span::new(self.file, at, end));
                }
                return end + 1;
            }
            at = end + 1;
        }
        if let Some(block) = self.config.blocks.get(index) {
            let span = block.span;
            self.problem(span, format!("`<{name}>` was not closed"), "opened here");
        }
        self.text.len()
    }

    fn close(&mut self, line: &LogicalLine, lead: usize, end: usize) {
        let span = line.span(self.file, lead, end);
        let tag = line.text.get(lead + 2..end).unwrap_or("");
        let Some(name) = tag.strip_suffix('>').filter(|n| !n.contains(|c: char| c.is_whitespace())) else {
            let name = tag.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or(tag);
            self.problem(span, format!("`</{name}>` directive missing closing `>`"), "one word, then `>`");
            return;
        };
        let Some(&top) = self.stack.last() else {
            self.problem(span, format!("`</{name}>` without matching `<{name}>` section"), "stray closing tag");
            return;
        };
        let Some(open) = self.config.blocks.get(top) else { return };
        if !open.name().text.eq_ignore_ascii_case(name) {
            let expected = open.name().text.to_string();
            let opened = open.span;
            self.config.problems.push(SyntaxProblem {
                span,
                message: format!("expected `</{expected}>` but saw `</{name}>`"),
                label: "closes the wrong container".into(),
                related: Some((opened, "opened here".into())),
            });
            // Apache stops here; atl-lint closes the inner container and goes on.
        }
        self.stack.pop();
        if let Some(block) = self.config.blocks.get_mut(top) {
            block.close = Some(span);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A directive as text: its name and arguments.
    type Line = (String, Vec<String>);

    fn parsed(text: &str) -> (Vec<Line>, Vec<String>) {
        let source =
            SourceFile::new(FileId(0), PathBuf::from("a.conf"), "a.conf".into(), None, text.as_bytes().to_vec());
        let config = parse(&source);
        let directives = config
            .directives
            .iter()
            .map(|d| (d.name().text.to_string(), d.args().iter().map(|a| a.text.to_string()).collect()))
            .collect();
        (directives, config.problems.iter().map(|p| p.message.clone()).collect())
    }

    #[test]
    fn continuation_comments_and_quotes_follow_apache() {
        let (directives, problems) = parsed(
            "ProxyPass /jira \\\nhttp://localhost:8080/jira\n  # a comment\nProxyTimeout 60 # not a comment\nDefine B \"abc\"def\nHeader set X \"esc \\\"dq\\\" and \\\\ and \\n\"\nDefine F \"unterminated and more\nX a\\ b\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(directives[0], ("ProxyPass".into(), vec!["/jira".into(), "http://localhost:8080/jira".into()]));
        assert_eq!(directives[1].1, ["60", "#", "not", "a", "comment"]);
        assert_eq!(directives[2].1, ["B", "abc", "def"]);
        assert_eq!(directives[3].1, ["set", "X", "esc \"dq\" and \\ and \\n"]);
        assert_eq!(directives[4].1, ["F", "unterminated and more"]);
        assert_eq!(directives[5].1, ["a\\", "b"]);
    }

    #[test]
    fn continued_directive_spans_all_its_lines() {
        let text = "ProxyPass /jira \\\n   http://h:8080/jira\n";
        let source = SourceFile::new(FileId(0), PathBuf::from("a"), "a".into(), None, text.as_bytes().to_vec());
        let config = parse(&source);
        let d = &config.directives[0];
        assert_eq!(source.slice(d.span), "ProxyPass /jira \\\n   http://h:8080/jira");
        assert_eq!(source.slice(d.args().get(1).expect("two arguments").span), "http://h:8080/jira");
    }

    #[test]
    fn containers_balance_like_apache() {
        let (_, problems) = parsed("<VirtualHost *:80> # comment\n<Location /x>\n</Directory>\n</VirtualHost>\n</VirtualHost>\n<IfModule x>\n<Directory /\n</VirtualHost foo>\n");
        assert!(problems.iter().any(|p| p == "expected `</Location>` but saw `</Directory>`"), "{problems:?}");
        assert!(
            problems.iter().any(|p| p == "`</VirtualHost>` without matching `<VirtualHost>` section"),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p == "`<Directory>` directive missing closing `>`"), "{problems:?}");
        assert!(problems.iter().any(|p| p == "`</VirtualHost>` directive missing closing `>`"), "{problems:?}");
        assert!(problems.iter().any(|p| p == "`<IfModule>` was not closed"), "{problems:?}");
    }

    #[test]
    fn raw_bodies_are_not_directives() {
        let (directives, problems) =
            parsed("<Macro VHost $name>\n  <VirtualHost *:80>\n  ServerName $name\n</Macro>\nUse VHost a\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(directives.len(), 1);
        assert_eq!(directives[0].0, "Use");
    }
}
