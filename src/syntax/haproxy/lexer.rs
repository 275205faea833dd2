//! HAProxy's tokenizer: one line into words with spans, as HAProxy's own `parse_line` reads
//! it (quotes, escapes, `${VAR}` inside double quotes, words glued from pieces).

use std::borrow::Cow;

use nom::bytes::complete::take_while_m_n;
use nom::IResult;

use super::{Comment, Word, MAX_WORDS};
use crate::source::{FileId, Span};

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c)
}

/// Bytes that end a run of plain word bytes.
fn is_special(b: u8) -> bool {
    is_separator(b) || matches!(b, b'\r' | 0 | b'#' | b'\'' | b'"' | b'\\')
}

/// The words of one line, or the reason HAProxy refuses it.
pub(super) struct Tokens<'a> {
    pub(super) comment: Option<Comment<'a>>,
    pub(super) error: Option<(usize, String)>,
}

/// Tokenises the physical line `start..end` as HAProxy's `parse_line` does.
pub(super) fn tokenize<'a>(
    file: FileId,
    text: &'a str,
    start: usize,
    end: usize,
    words: &mut Vec<Word<'a>>,
) -> Tokens<'a> {
    let bytes = text.as_bytes();
    let mut tokens = Tokens { comment: None, error: None };
    let mut i = start;
    while i < end && bytes.get(i).is_some_and(|b| is_separator(*b) || *b == b'\r') {
        i += 1;
    }
    let mut word = WordBuilder::default();
    // HAProxy counts an argument slot at every separator: 64 words and then a blank or a
    // comment is already one too many.
    let mut blank_after_word = false;
    while i < end {
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'\r' => break,
            0 => {
                tokens.error = Some((i, "stray NUL character: HAProxy refuses the file".into()));
                return tokens;
            }
            b'#' => {
                blank_after_word |= word.start.is_some() || !words.is_empty();
                let body = text.get(i + 1..end).unwrap_or("").trim_end_matches('\r');
                tokens.comment = Some(Comment { text: body, span: Span::new(file, i, i + 1 + body.len()) });
                break;
            }
            _ if is_separator(b) => {
                blank_after_word |= word.start.is_some();
                word.finish(file, text, words);
                i += 1;
                continue;
            }
            b'\'' => {
                word.begin(i);
                // A CR ends the line even inside quotes.
                let line_end = text.get(i + 1..end).and_then(|rest| rest.find('\r')).map_or(end, |k| i + 1 + k);
                let Some(close) = text.get(i + 1..line_end).and_then(|rest| rest.find('\'')) else {
                    tokens.error = Some((i, "unmatched quote".into()));
                    return tokens;
                };
                word.cook(text, i);
                word.push_str(text.get(i + 1..i + 1 + close).unwrap_or(""));
                i += close + 2;
            }
            b'"' => {
                word.begin(i);
                word.cook(text, i);
                match double_quoted(text, i + 1, end, &mut word) {
                    Ok(next) => i = next,
                    Err(error) => {
                        tokens.error = Some(error);
                        return tokens;
                    }
                }
            }
            b'\\' => {
                word.begin(i);
                match escape(text, i, end, false, &mut word) {
                    Ok(next) => i = next,
                    Err(error) => {
                        tokens.error = Some(error);
                        return tokens;
                    }
                }
            }
            _ => {
                // A run of plain bytes at once (every special byte is ASCII, so the run ends
                // on a character boundary).
                word.begin(i);
                let rest = bytes.get(i..end).unwrap_or(&[]);
                let run = rest.iter().position(|&c| is_special(c)).unwrap_or(rest.len()).max(1);
                word.push_str(text.get(i..i + run).unwrap_or(""));
                i += run;
            }
        }
        word.end = i;
        blank_after_word = false;
    }
    word.finish(file, text, words);
    let too_many = words.get(MAX_WORDS).map(|w| w.span.start()).or_else(|| {
        (words.len() == MAX_WORDS && blank_after_word).then(|| words.last().map_or(start, |w| w.span.end()))
    });
    if let Some(at) = too_many {
        tokens.error = Some((at, format!("too many words: HAProxy reads at most {MAX_WORDS} on a line")));
    }
    tokens
}

/// The inside of a double-quoted piece, from after the opening quote; returns the position
/// after the closing quote.
fn double_quoted(text: &str, mut i: usize, end: usize, word: &mut WordBuilder) -> Result<usize, (usize, String)> {
    let open = i - 1;
    let bytes = text.as_bytes();
    while i < end {
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'"' => return Ok(i + 1),
            b'\r' => break,
            b'\\' => i = escape(text, i, end, true, word)?,
            b'$' => i = environment(text, i, end, word)?,
            _ => {
                word.push_byte(b);
                i += 1;
            }
        }
    }
    Err((open, "unmatched quote".into()))
}

/// A backslash escape at `i`; returns the position after it.
fn escape(text: &str, i: usize, end: usize, in_double: bool, word: &mut WordBuilder) -> Result<usize, (usize, String)> {
    word.cook(text, i);
    let bytes = text.as_bytes();
    let next = if i + 1 < end { bytes.get(i + 1).copied() } else { None };
    if next == Some(b'\r') {
        // The CR ends the line: the backslash stays, the line stops there.
        word.push_byte(b'\\');
        return Ok(i + 1);
    }
    match next {
        Some(c @ (b' ' | b'\\' | b'#' | b'\'' | b'"')) => word.push_byte(c),
        Some(b'$') if in_double => word.push_byte(b'$'),
        Some(b't') => word.push_byte(b'\t'),
        Some(b'n') => word.push_byte(b'\n'),
        Some(b'r') => word.push_byte(b'\r'),
        Some(b'x') => {
            let digits = text.get(i + 2..end.min(i + 4)).unwrap_or("");
            let parsed: IResult<&str, &str> = take_while_m_n(2, 2, |c: char| c.is_ascii_hexdigit())(digits);
            let Some(value) = parsed.ok().and_then(|(_, hex)| u8::from_str_radix(hex, 16).ok()) else {
                return Err((i, "truncated or invalid hexadecimal sequence".into()));
            };
            word.push_byte(value);
            return Ok(i + 4);
        }
        Some(other) => {
            word.push_byte(b'\\');
            word.push_byte(other);
        }
        None => {
            // No continuation: a final backslash is kept.
            word.push_byte(b'\\');
            return Ok(i + 1);
        }
    }
    Ok(i + 2)
}

/// A `$NAME` or `${NAME[-default]}` reference at `i` inside double quotes.
fn environment(text: &str, i: usize, end: usize, word: &mut WordBuilder) -> Result<usize, (usize, String)> {
    let rest = text.get(i + 1..end).unwrap_or("");
    let is_first = |c: char| c.is_ascii_alphabetic() || c == '_' || c == '.';
    if let Some(inner) = rest.strip_prefix('{') {
        let name_len = variable_name(inner).map_err(|message| (i, message.to_string()))?;
        let after = inner.get(name_len..).unwrap_or("");
        let after = after.strip_prefix("[*]").unwrap_or(after);
        let close = match after.strip_prefix('-') {
            Some(default) => default.find('}').map(|k| inner.len() - default.len() + k),
            None => after.starts_with('}').then(|| inner.len() - after.len()),
        };
        let Some(close) = close else {
            return Err((i, "unmatched brace in environment variable name".into()));
        };
        word.push_str(text.get(i..i + close + 3).unwrap_or(""));
        word.unknown = true;
        return Ok(i + close + 3);
    }
    if !rest.chars().next().is_some_and(is_first) {
        return Err((i, "forbidden first char in environment variable name".into()));
    }
    let name_len =
        rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.').len();
    word.push_str(text.get(i..i + 1 + name_len).unwrap_or(""));
    word.unknown = true;
    Ok(i + 1 + name_len)
}

/// The length of a variable name at the start of `text`: a letter or `_` then letters, digits
/// and `_`; or one of HAProxy's pseudo-variables `.FILE`, `.LINE`, `.SECTION`.
fn variable_name(text: &str) -> Result<usize, &'static str> {
    for pseudo in [".FILE", ".LINE", ".SECTION"] {
        if text.starts_with(pseudo) {
            return Ok(pseudo.len());
        }
    }
    if !text.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
        return Err("forbidden first char in environment variable name");
    }
    Ok(text.len() - text.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_').len())
}

/// Builds one word from its pieces. A plain word is a slice of the line; only a word with
/// quotes or escapes gets its own decoded bytes (in a buffer reused from word to word).
#[derive(Default)]
struct WordBuilder {
    start: Option<usize>,
    end: usize,
    bytes: Vec<u8>,
    /// Quotes or escapes were removed: the text is not the raw slice.
    cooked: bool,
    unknown: bool,
}

impl WordBuilder {
    fn begin(&mut self, at: usize) {
        self.start.get_or_insert(at);
    }

    /// From here on the word's text differs from its raw slice: the plain part read so far
    /// (up to `at`) becomes the start of the decoded bytes.
    fn cook(&mut self, text: &str, at: usize) {
        if self.cooked {
            return;
        }
        self.cooked = true;
        self.bytes.clear();
        if let Some(start) = self.start {
            self.bytes.extend_from_slice(text.get(start..at).unwrap_or("").as_bytes());
        }
    }

    fn push_byte(&mut self, b: u8) {
        if self.cooked {
            self.bytes.push(b);
        }
    }

    fn push_str(&mut self, s: &str) {
        if self.cooked {
            self.bytes.extend_from_slice(s.as_bytes());
        }
    }

    fn finish<'a>(&mut self, file: FileId, text: &'a str, words: &mut Vec<Word<'a>>) {
        let Some(start) = self.start.take() else { return };
        let span = Span::new(file, start, self.end.max(start));
        let text = if self.cooked {
            Cow::Owned(String::from_utf8_lossy(&self.bytes).into_owned())
        } else {
            Cow::Borrowed(text.get(span.start()..span.end()).unwrap_or(""))
        };
        words.push(Word { text, span, unknown: self.unknown });
        self.cooked = false;
        self.unknown = false;
    }
}
