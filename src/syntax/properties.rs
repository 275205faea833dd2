//! Java `.properties` with `java.util.Properties.load(InputStream)` semantics, with spans.
//!
//! The reader follows the JDK's `LineReader` state machine character by character (see
//! `grammar/properties.md`): natural lines, odd-backslash continuation, comments only at the
//! start of a logical line, one separator. Text is read as Java reads a byte stream: every
//! byte is one ISO-8859-1 character, so a UTF-8 file's non-ASCII characters decode to the
//! same characters Java sees.

use foldhash::HashMap;
use std::borrow::Cow;

use nom::bytes::complete::take_while_m_n;
use nom::IResult;

use super::{Comment, Setting, SyntaxProblem, Value};
use crate::source::{Encoding, FileId, SourceFile, Span};

/// A parsed properties file.
#[derive(Debug, Default)]
pub struct Properties<'a> {
    /// Every entry in file order, repeated keys included.
    pub entries: Vec<Setting<'a>>,
    /// Comment lines.
    pub comments: Vec<Comment<'a>>,
    /// Malformed escapes.
    pub problems: Vec<SyntaxProblem>,
    last_by_key: HashMap<String, usize>,
}

impl<'a> Properties<'a> {
    /// The entry that is in effect for `key` (the last one, as with Java).
    pub fn get(&self, key: &str) -> Option<&Setting<'a>> {
        self.last_by_key.get(key).and_then(|&i| self.entries.get(i))
    }

    /// The effective key/value map, as `Properties.load` leaves it.
    pub fn map(&self) -> impl Iterator<Item = (&str, &str)> {
        self.last_by_key.values().filter_map(|&i| self.entries.get(i)).map(|e| (e.name.as_ref(), e.value.text.as_ref()))
    }
}

/// One character of the stream Java reads, with the raw bytes it came from.
#[derive(Clone, Copy, Debug)]
struct Char {
    ch: char,
    offset: usize,
    raw_len: usize,
}

/// Parses a properties file.
pub fn parse(source: &SourceFile) -> Properties<'_> {
    let text = source.parse_text();
    let expand = source.encoding() == Encoding::Utf8;
    let mut reader = LineReader { chars: Stream::new(text, expand, 0, text.len()) };
    let mut props = Properties::default();
    while let Some(line) = reader.read_line(source.id(), text, &mut props.comments) {
        let mut entry = split_entry(source.id(), text, line.chars(text, expand), &mut props.problems);
        entry.value.resolve(source);
        props.last_by_key.insert(entry.name.to_string(), props.entries.len());
        props.entries.push(entry);
    }
    props
}

/// The characters Java's byte-stream loader sees in a byte range of the text, made one at a
/// time (a file is never held as one record per character: that costs many times its size).
/// In a UTF-8 file each byte of a non-ASCII character is one character, and each keeps the
/// whole character's bytes as its source.
#[derive(Clone, Debug)]
struct Stream<'t> {
    text: &'t str,
    expand: bool,
    offset: usize,
    /// Which byte of a split character comes next.
    byte: usize,
    end: usize,
}

impl<'t> Stream<'t> {
    fn new(text: &'t str, expand: bool, offset: usize, end: usize) -> Self {
        Stream { text, expand, offset, byte: 0, end }
    }

    fn at_end(&self) -> bool {
        self.offset >= self.end
    }
}

impl Iterator for Stream<'_> {
    type Item = Char;

    fn next(&mut self) -> Option<Char> {
        if self.at_end() {
            return None;
        }
        let offset = self.offset;
        let ch = self.text.get(offset..)?.chars().next()?;
        let raw_len = ch.len_utf8();
        if self.expand && !ch.is_ascii() {
            let byte = *self.text.as_bytes().get(offset + self.byte)?;
            self.byte += 1;
            if self.byte >= raw_len {
                self.byte = 0;
                self.offset += raw_len;
            }
            return Some(Char { ch: char::from(byte), offset, raw_len });
        }
        self.offset += raw_len;
        Some(Char { ch, offset, raw_len })
    }
}

fn is_blank(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\u{c}')
}

/// A logical line: the byte ranges of the natural lines it joins, in order.
#[derive(Debug, Default)]
struct Line {
    pieces: Vec<(usize, usize)>,
}

impl Line {
    fn push(&mut self, c: Char) {
        let end = c.offset + c.raw_len;
        match self.pieces.last_mut() {
            // The next character of the same natural line, or another byte of a split one.
            Some((_, last)) if *last == c.offset || *last == end => *last = end,
            _ => self.pieces.push((c.offset, end)),
        }
    }

    /// Drops the last character: always a one-byte backslash.
    fn pop(&mut self) {
        let Some((start, end)) = self.pieces.last_mut() else { return };
        *end = end.saturating_sub(1);
        if *end <= *start {
            self.pieces.pop();
        }
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    fn chars<'l, 't>(&'l self, text: &'t str, expand: bool) -> LineChars<'l, 't> {
        LineChars { pieces: self.pieces.iter(), current: Stream::new(text, expand, 0, 0) }
    }
}

/// The characters of a logical line.
#[derive(Clone, Debug)]
struct LineChars<'l, 't> {
    pieces: std::slice::Iter<'l, (usize, usize)>,
    current: Stream<'t>,
}

impl Iterator for LineChars<'_, '_> {
    type Item = Char;

    fn next(&mut self) -> Option<Char> {
        loop {
            if let Some(c) = self.current.next() {
                return Some(c);
            }
            let &(start, end) = self.pieces.next()?;
            self.current = Stream::new(self.current.text, self.current.expand, start, end);
        }
    }
}

struct LineReader<'t> {
    chars: Stream<'t>,
}

impl LineReader<'_> {
    fn next(&mut self) -> Option<Char> {
        self.chars.next()
    }

    /// The next logical line (comments recorded on the way), or `None` at the end.
    fn read_line<'a>(&mut self, file: FileId, text: &'a str, comments: &mut Vec<Comment<'a>>) -> Option<Line> {
        let mut line = Line::default();
        let mut skip_white = true;
        let mut appended_line_begin = false;
        let mut preceding_backslash = false;
        loop {
            let Some(c) = self.next() else {
                if line.is_empty() {
                    return None;
                }
                if preceding_backslash {
                    line.pop();
                }
                return Some(line);
            };
            if skip_white {
                if is_blank(c.ch) {
                    continue;
                }
                if !appended_line_begin && (c.ch == '\r' || c.ch == '\n') {
                    continue;
                }
                skip_white = false;
                appended_line_begin = false;
            }
            if line.is_empty() && (c.ch == '#' || c.ch == '!') {
                let found_end = self.skip_comment(file, text, c, comments);
                if !found_end {
                    return None;
                }
                skip_white = true;
                continue;
            }
            if c.ch != '\n' && c.ch != '\r' {
                line.push(c);
                preceding_backslash = c.ch == '\\' && !preceding_backslash;
                continue;
            }
            if line.is_empty() {
                skip_white = true;
                continue;
            }
            if !preceding_backslash {
                return Some(line);
            }
            if self.chars.at_end() {
                // Java checks for the end of input before continuing, so a final `\` + newline
                // ends the line there, even when nothing is left of it.
                line.pop();
                return Some(line);
            }
            // The backslash before the terminator joins the next natural line to this one.
            line.pop();
            skip_white = true;
            appended_line_begin = true;
            preceding_backslash = false;
            if c.ch == '\r' && self.chars.clone().next().is_some_and(|n| n.ch == '\n') {
                self.chars.next();
            }
        }
    }

    /// Skips a comment to the end of its natural line; false when the file ends first.
    fn skip_comment<'a>(&mut self, file: FileId, text: &'a str, marker: Char, comments: &mut Vec<Comment<'a>>) -> bool {
        let start = marker.offset;
        let mut end = text.len();
        let mut found_end = false;
        while let Some(c) = self.next() {
            if c.ch == '\n' || c.ch == '\r' {
                end = c.offset;
                found_end = true;
                break;
            }
        }
        let body_start = start + marker.raw_len;
        comments.push(Comment { text: text.get(body_start..end).unwrap_or(""), span: Span::new(file, start, end) });
        found_end
    }
}

/// Splits a logical line into key and value as `Properties.load0` does.
fn split_entry<'a>(
    file: FileId,
    text: &'a str,
    line: LineChars<'_, '_>,
    problems: &mut Vec<SyntaxProblem>,
) -> Setting<'a> {
    let mut key_len = 0;
    let mut has_sep = false;
    let mut preceding_backslash = false;
    // After the loop, `rest` stands just past the separator (or at the end).
    let mut rest = line.clone();
    for c in rest.by_ref() {
        if !preceding_backslash && (c.ch == '=' || c.ch == ':') {
            has_sep = true;
            break;
        }
        if !preceding_backslash && is_blank(c.ch) {
            break;
        }
        preceding_backslash = c.ch == '\\' && !preceding_backslash;
        key_len += 1;
    }
    let mut value_chars = rest;
    while let Some(c) = value_chars.clone().next() {
        if !is_blank(c.ch) {
            if !has_sep && (c.ch == '=' || c.ch == ':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_chars.next();
    }
    let key_chars = line.clone().take(key_len);
    let line_start = line.clone().next().map_or(0, |c| c.offset);
    let line_end = line.last().map_or(line_start, |c| c.offset + c.raw_len);
    let name_span = region_span(file, key_chars.clone(), line_start);
    let value_span = region_span(file, value_chars.clone(), line_end);
    let (name, name_ok) = convert(file, text, key_chars, name_span, problems);
    let (value_text, value_ok) = convert(file, text, value_chars, value_span, problems);
    let mut value = Value::new(value_text, value_span);
    value.unknown |= !value_ok || !name_ok;
    Setting { name, name_span, value, span: Span::new(file, line_start, line_end) }
}

fn region_span(file: FileId, mut chars: impl Iterator<Item = Char>, empty_at: usize) -> Span {
    let Some(first) = chars.next() else { return Span::new(file, empty_at, empty_at) };
    let last = chars.last().unwrap_or(first);
    Span::new(file, first.offset, last.offset + last.raw_len)
}

/// Decodes escapes (`loadConvert`); false when a `\uXXXX` escape is malformed. `span` covers
/// the characters.
fn convert<'a>(
    file: FileId,
    text: &'a str,
    chars: impl Iterator<Item = Char> + Clone,
    span: Span,
    problems: &mut Vec<SyntaxProblem>,
) -> (Cow<'a, str>, bool) {
    let raw = text.get(span.start()..span.end()).unwrap_or("");
    let mut out = String::with_capacity(raw.len());
    let mut ok = true;
    let mut high_surrogate: Option<u32> = None;
    let mut rest = chars;
    while let Some(c) = rest.next() {
        if c.ch != '\\' {
            push_unit(&mut out, &mut high_surrogate, u32::from(c.ch));
            continue;
        }
        let Some(escaped) = rest.next() else { break };
        let decoded = match escaped.ch {
            'u' => {
                let digits: String = rest.clone().take(4).map(|c| c.ch).collect();
                match hex4(&digits) {
                    Ok((_, value)) => {
                        rest.nth(3);
                        value
                    }
                    Err(_) => {
                        ok = false;
                        let end = rest.clone().nth(3).map_or(span.end(), |e| e.offset + e.raw_len);
                        problems.push(SyntaxProblem {
                            span: Span::new(file, c.offset, end.max(c.offset + 2)),
                            message: "malformed `\\uXXXX` escape: Java refuses to load the whole file".into(),
                            label: "needs four hexadecimal digits".into(),
                            related: None,
                        });
                        out.push_str("\\u");
                        continue;
                    }
                }
            }
            't' => u32::from('\t'),
            'r' => u32::from('\r'),
            'n' => u32::from('\n'),
            'f' => 0x0c,
            other => u32::from(other),
        };
        push_unit(&mut out, &mut high_surrogate, decoded);
    }
    if high_surrogate.take().is_some() {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    if raw == out {
        (Cow::Borrowed(raw), ok)
    } else {
        (Cow::Owned(out), ok)
    }
}

/// Four hexadecimal digits, as the `XXXX` of a `\uXXXX` escape.
fn hex4(input: &str) -> IResult<&str, u32> {
    let (rest, digits) = take_while_m_n(4, 4, |c: char| c.is_ascii_hexdigit())(input)?;
    let value = u32::from_str_radix(digits, 16)
        .map_err(|_| nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::HexDigit)))?;
    Ok((rest, value))
}

/// Appends one UTF-16 code unit, pairing surrogates as Java strings do.
fn push_unit(out: &mut String, high: &mut Option<u32>, unit: u32) {
    if let Some(h) = high.take() {
        if (0xDC00..0xE000).contains(&unit) {
            let code = 0x10000 + ((h - 0xD800) << 10) + (unit - 0xDC00);
            out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            return;
        }
        out.push(char::REPLACEMENT_CHARACTER);
    }
    if (0xD800..0xDC00).contains(&unit) {
        *high = Some(unit);
        return;
    }
    out.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn load(text: &str) -> Vec<(String, String)> {
        let source = SourceFile::new(FileId(0), PathBuf::from("t"), "t".into(), None, text.as_bytes().to_vec());
        let props = parse(&source);
        let mut map: Vec<(String, String)> = props.map().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        map.sort();
        map
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<_> = items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        v.sort();
        v
    }

    #[test]
    fn separators_and_whitespace_follow_java() {
        assert_eq!(
            load("  e = 5  \nc 3\nb:2\nf\ng=\n =emptykey\nw:=x\ns=x=y:z\n"),
            pairs(&[
                ("e", "5  "),
                ("c", "3"),
                ("b", "2"),
                ("f", ""),
                ("g", ""),
                ("", "emptykey"),
                ("w", "=x"),
                ("s", "x=y:z")
            ])
        );
    }

    #[test]
    fn continuation_needs_an_odd_run_of_backslashes() {
        assert_eq!(
            load("h = multi \\\n    line \\\n  # not a comment\ni = evenbs\\\\\nj = oddbs\\\\\\\nk = after\n"),
            pairs(&[("h", "multi line # not a comment"), ("i", "evenbs\\"), ("j", "oddbs\\k = after")])
        );
    }

    #[test]
    fn comments_do_not_continue_and_escapes_decode() {
        assert_eq!(
            load("# comment \\\nl = notcontinued\nm\\:n\\=o\\ p = key\nq = \\u0041\\t\\z\\b\nt=#x\nu\\\n=cont\n"),
            pairs(&[("l", "notcontinued"), ("m:n=o p", "key"), ("q", "A\tzb"), ("t", "#x"), ("u", "cont")])
        );
    }

    #[test]
    fn utf8_bytes_are_read_as_latin1_like_java_streams() {
        assert_eq!(load("name=caf\u{e9}\n"), pairs(&[("name", "caf\u{c3}\u{a9}")]));
    }

    #[test]
    fn malformed_unicode_escape_is_a_problem_at_the_escape() {
        let text = "a=1\nbad = \\u00zz\n";
        let source = SourceFile::new(FileId(0), PathBuf::from("t"), "t".into(), None, text.as_bytes().to_vec());
        let props = parse(&source);
        assert_eq!(props.problems.len(), 1);
        let span = props.problems[0].span;
        assert_eq!(&text[span.start()..span.end()], "\\u00zz");
        assert!(props.get("bad").is_some_and(|s| s.value.unknown));
    }

    #[test]
    fn spans_cover_raw_text_across_continuations() {
        let text = "server.proxy-name = a\\\n   b\nk=v";
        let source = SourceFile::new(FileId(0), PathBuf::from("t"), "t".into(), None, text.as_bytes().to_vec());
        let props = parse(&source);
        let e = props.get("server.proxy-name").expect("entry");
        assert_eq!(&text[e.name_span.start()..e.name_span.end()], "server.proxy-name");
        assert_eq!(&text[e.value.span.start()..e.value.span.end()], "a\\\n   b");
        assert_eq!(e.value.text, "ab");
        let k = props.get("k").expect("k");
        assert!(matches!(k.value.text, Cow::Borrowed("v")));
    }
}
