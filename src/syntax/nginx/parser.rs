//! The reader: one pass over the bytes with `ngx_conf_read_token`'s states, a stack of
//! open blocks, and recovery at the next `;` or `}` after an error.

use std::borrow::Cow;

use super::{Braces, Config, Directive};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::words::{PackedWords, Word};
use crate::syntax::{Comment, SyntaxProblem};

/// nginx reads a file through a 4096-byte buffer: a word that does not fit is refused.
const BUFFER: usize = 4096;

/// What ends a directive.
enum End {
    /// `;`.
    Semicolon(usize),
    /// `{`.
    Open(usize),
    /// `}` where a word could start.
    Close(usize),
    /// The end of the file.
    Eof,
    /// An error at a byte, with nginx's message; reading resumes after the next `;` or `}`
    /// (`false`: right where it stopped).
    Error(usize, String, bool),
}

struct Reader<'a> {
    source: &'a SourceFile,
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Template output tags masked as `{{____}}` are words of their own.
    template: bool,
    /// Where nginx's buffer runs out and is refilled from the current token's start.
    buffer_end: usize,
    comments: Vec<Comment<'a>>,
}

/// Parses one nginx configuration file.
pub fn parse(source: &SourceFile) -> Config<'_> {
    let text = source.parse_text();
    let mut reader = Reader {
        source,
        file: source.id(),
        text,
        bytes: text.as_bytes(),
        pos: 0,
        template: source.is_template(),
        buffer_end: BUFFER,
        comments: Vec::new(),
    };
    // One directive a `;` or `{` (comments and quotes may hold a few more): sized once, so a
    // large file's directives are not copied as the vector grows, nor held twice meanwhile.
    let ends = memchr::memchr2_iter(b';', b'{', text.as_bytes()).count();
    let mut config = Config { directives: Vec::with_capacity(ends), ..Config::default() };
    // The directives whose blocks are open, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let mut words: Vec<Word<'_>> = Vec::new();
    // An unterminated directive at the end is the one problem there, not also the open block.
    let mut eof_reported = false;
    // After an error only the first is nginx's; the others are reported as they come.
    loop {
        words.clear();
        let end = reader.directive(&mut words);
        match end {
            End::Semicolon(at) | End::Open(at) => {
                let Some(first) = words.first() else {
                    // Only an error gives no words; `directive` reports it.
                    continue;
                };
                let span = Span::new(reader.file, first.span.start(), at + 1);
                let parent = open.last().and_then(|&p| u32::try_from(p).ok());
                let block = matches!(end, End::Open(_))
                    .then(|| Box::new(Braces { open: Span::new(reader.file, at, at + 1), close: None, end: 0 }));
                // The Lua module reads `*_by_lua_block { ... }` with a Lua lexer of its own.
                let opens = block.is_some();
                let lua = opens && first.text.ends_with("_by_lua_block");
                let words = PackedWords::new(reader.source, words.drain(..));
                config.directives.push(Directive { words, span, parent, block });
                if lua {
                    let close = reader.skip_lua();
                    if close.is_none() {
                        let message = "unexpected end of file, expecting \"}\"".to_string();
                        reader.problem(&mut config, reader.bytes.len(), message, "the file ends");
                    }
                    let end = u32::try_from(config.directives.len()).unwrap_or(u32::MAX);
                    if let Some(block) = config.directives.last_mut().and_then(|d| d.block.as_deref_mut()) {
                        block.close = close.map(|at| Span::new(reader.file, at, at + 1));
                        block.end = end;
                    }
                } else if opens {
                    open.push(config.directives.len() - 1);
                }
            }
            End::Close(at) => {
                let close = Span::new(reader.file, at, at + 1);
                match open.pop() {
                    Some(index) => {
                        let end = u32::try_from(config.directives.len()).unwrap_or(u32::MAX);
                        if let Some(block) = config.directives.get_mut(index).and_then(|d| d.block.as_deref_mut()) {
                            block.close = Some(close);
                            block.end = end;
                        }
                    }
                    None => reader.problem(&mut config, at, "unexpected \"}\"".into(), "no block to close"),
                }
            }
            End::Eof => {
                if let Some(&index) = open.last().filter(|_| !eof_reported) {
                    let at = reader.bytes.len();
                    let message = "unexpected end of file, expecting \"}\"".to_string();
                    let span = Span::new(reader.file, at, at);
                    let related = config.directives.get(index).and_then(|d| {
                        let block = d.block.as_deref()?;
                        Some((block.open, format!("the block of `{}` opens here", d.name().text)))
                    });
                    config.problems.push(SyntaxProblem { span, message, label: "the file ends".into(), related });
                }
                let end = u32::try_from(config.directives.len()).unwrap_or(u32::MAX);
                for index in open.drain(..) {
                    if let Some(block) = config.directives.get_mut(index).and_then(|d| d.block.as_deref_mut()) {
                        block.end = end;
                    }
                }
                break;
            }
            End::Error(at, message, recover) => {
                eof_reported |= at >= reader.bytes.len();
                reader.problem(&mut config, at, message, "nginx stops here");
                if recover {
                    reader.recover();
                }
                reader.buffer_end = reader.buffer_end.max(reader.pos + BUFFER);
            }
        }
    }
    config.comments = reader.comments;
    config
}

impl<'a> Reader<'a> {
    fn problem(&self, config: &mut Config<'_>, at: usize, message: String, label: &str) {
        // The whole character at `at` (a byte of one is never a span's end).
        let width = self.text.get(at..).and_then(|t| t.chars().next()).map_or(0, char::len_utf8);
        let end = at + width;
        let span = Span::new(self.file, at, end);
        config.problems.push(SyntaxProblem { span, message, label: label.into(), related: None });
    }

    /// After an error: on past the next `;`, or up to the next `}` (left to close its
    /// block), whichever comes first outside quotes.
    fn recover(&mut self) {
        let mut quote: Option<u8> = None;
        while let Some(&b) = self.bytes.get(self.pos) {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), b'\\') => self.pos += 1,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'\\') => self.pos += 1,
                (None, b';') => {
                    self.pos += 1;
                    return;
                }
                (None, b'}') => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Skips a Lua block's body to its closing `}` (counting braces outside Lua strings,
    /// long brackets and comments), and returns where that `}` is.
    fn skip_lua(&mut self) -> Option<usize> {
        let mut depth = 0usize;
        while let Some(&b) = self.bytes.get(self.pos) {
            let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
            match b {
                b'-' if rest.starts_with(b"--") => {
                    let after = self.pos + 2;
                    match self.long_bracket(after) {
                        Some(end) => self.pos = end,
                        None => {
                            let line = memchr::memchr(b'\n', self.bytes.get(after..).unwrap_or(&[]));
                            self.pos = line.map_or(self.bytes.len(), |n| after + n);
                        }
                    }
                    continue;
                }
                b'[' => {
                    if let Some(end) = self.long_bracket(self.pos) {
                        self.pos = end;
                        continue;
                    }
                }
                b'"' | b'\'' => {
                    let mut i = self.pos + 1;
                    while let Some(&c) = self.bytes.get(i) {
                        match c {
                            b'\\' => i += 1,
                            b'\n' => break,
                            _ if c == b => break,
                            _ => {}
                        }
                        i += 1;
                    }
                    self.pos = i + 1;
                    continue;
                }
                b'{' => depth += 1,
                b'}' if depth == 0 => {
                    self.pos += 1;
                    return Some(self.pos - 1);
                }
                b'}' => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        None
    }

    /// A Lua long bracket (`[[ ... ]]`, `[==[ ... ]==]`) opening at `at`: where it ends.
    fn long_bracket(&self, at: usize) -> Option<usize> {
        let rest = self.bytes.get(at..)?;
        let level = rest.get(1..)?.iter().take_while(|&&b| b == b'=').count();
        if rest.first() != Some(&b'[') || rest.get(1 + level) != Some(&b'[') {
            return None;
        }
        let close: Vec<u8> = std::iter::once(b']').chain(std::iter::repeat_n(b'=', level)).chain([b']']).collect();
        let body = at + 2 + level;
        let found = memchr::memmem::find(self.bytes.get(body..)?, &close);
        Some(found.map_or(self.bytes.len(), |n| body + n + close.len()))
    }

    /// A masked template output tag (`{{____}}`) at `at`: its end.
    fn masked_output(&self, at: usize) -> Option<usize> {
        if !self.template || !self.bytes.get(at..)?.starts_with(b"{{") {
            return None;
        }
        let body = self.bytes.get(at + 2..)?;
        let inner = body.iter().take_while(|&&b| matches!(b, b'_' | b'\n' | b'\r')).count();
        (body.get(inner..)?.starts_with(b"}}")).then_some(at + 2 + inner + 2)
    }

    /// Reads one directive's words into `words`, and what ends it: `ngx_conf_read_token`'s
    /// states, byte by byte, with its 4096-byte buffer (a refill that finds 4096 bytes since
    /// the current token began is refused, trailing spaces and comments included).
    fn directive(&mut self, words: &mut Vec<Word<'a>>) -> End {
        let mut need_space = false;
        let mut last_space = true;
        let mut comment: Option<usize> = None;
        let mut escaped = false;
        let mut quote: Option<u8> = None;
        let mut variable = false;
        // nginx's `start`, and where the current word's raw text begins (its quote).
        let mut start = self.pos;
        let mut token = self.pos;
        // A masked template output tag is word bytes up to here.
        let mut masked_until = 0;
        loop {
            let i = self.pos;
            let Some(&ch) = self.bytes.get(i) else {
                if let Some(at) = comment {
                    self.comment(at, i);
                }
                if !words.is_empty() || !last_space {
                    let message = "unexpected end of file, expecting \";\" or \"}\"".to_string();
                    return End::Error(self.bytes.len(), message, true);
                }
                return End::Eof;
            };
            if i == self.buffer_end {
                if i.saturating_sub(start) >= BUFFER {
                    let message = match quote {
                        Some(q) => {
                            format!("too long parameter, probably missing terminating \"{}\" character", q as char)
                        }
                        None => too_long(self.text, start),
                    };
                    return End::Error(token.min(start), message, true);
                }
                self.buffer_end = start + BUFFER;
            }
            self.pos += 1;
            if let Some(at) = comment {
                if ch == b'\n' {
                    comment = None;
                    self.comment(at, i);
                }
                continue;
            }
            if escaped {
                escaped = false;
                continue;
            }
            let space = matches!(ch, b' ' | b'\t' | b'\r' | b'\n');
            if need_space {
                match ch {
                    _ if space => {
                        last_space = true;
                        need_space = false;
                        continue;
                    }
                    b';' => return End::Semicolon(i),
                    b'{' => return End::Open(i),
                    // `)` ends the quoted word and starts the next one.
                    b')' => {
                        last_space = true;
                        need_space = false;
                    }
                    _ => {
                        let shown = self.text.get(i..).and_then(|t| t.chars().next()).unwrap_or('?');
                        return End::Error(i, format!("unexpected \"{shown}\""), true);
                    }
                }
            }
            if i < masked_until {
                continue;
            }
            if quote.is_none() {
                if let Some(end) = self.masked_output(i) {
                    masked_until = end;
                    variable = false;
                    if last_space {
                        (start, token, last_space) = (i, i, false);
                    }
                    continue;
                }
            }
            if last_space {
                // Between words every byte moves `start`; in a comment none does.
                start = i;
                if space {
                    continue;
                }
                token = i;
                match ch {
                    b';' | b'{' if words.is_empty() => {
                        // A stray `;` ends nothing more; after a stray `{`, its body.
                        return End::Error(i, format!("unexpected \"{}\"", ch as char), ch == b'{');
                    }
                    b';' => return End::Semicolon(i),
                    b'{' => return End::Open(i),
                    b'}' if !words.is_empty() => {
                        self.pos = i;
                        return End::Error(i, "unexpected \"}\"".into(), true);
                    }
                    b'}' => return End::Close(i),
                    b'#' => comment = Some(i),
                    b'\\' => escaped = true,
                    b'"' | b'\'' => {
                        start = i + 1;
                        quote = Some(ch);
                    }
                    b'$' => variable = true,
                    _ => {}
                }
                last_space = comment.is_some();
                continue;
            }
            if ch == b'{' && variable {
                continue;
            }
            variable = false;
            match (quote, ch) {
                (_, b'\\') => escaped = true,
                (_, b'$') => variable = true,
                (Some(q), _) if ch == q => {
                    quote = None;
                    need_space = true;
                    words.push(self.finish(token, start, i, i + 1));
                }
                (None, _) if space || ch == b';' || ch == b'{' => {
                    last_space = true;
                    words.push(self.finish(token, start, i, i));
                    match ch {
                        b';' => return End::Semicolon(i),
                        b'{' => return End::Open(i),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// Keeps the comment from the `#` at `at` to `end` (the line end).
    fn comment(&mut self, at: usize, end: usize) {
        let text = self.text.get(at + 1..end).unwrap_or("").trim_end_matches('\r');
        self.comments.push(Comment { text, span: Span::new(self.file, at, at + 1 + text.len()) });
    }

    /// The word whose raw text is `start..raw_end` and whose content is `body..end`,
    /// decoded as nginx copies it.
    fn finish(&self, start: usize, body: usize, end: usize, raw_end: usize) -> Word<'a> {
        let content = self.text.get(body..end).unwrap_or("");
        // A borrowed text is the raw slice of the span: a quoted word's is not.
        let text = if content.contains('\\') {
            Cow::Owned(unescape(content))
        } else if body != start {
            Cow::Owned(content.to_string())
        } else {
            Cow::Borrowed(content)
        };
        let unknown = crate::syntax::is_unknown(&text);
        Word { text, span: Span::new(self.file, start, raw_end.max(start)), unknown }
    }
}

/// nginx's message for a word or comment longer than its buffer, quoting its first ten bytes.
fn too_long(text: &str, start: usize) -> String {
    let rest = text.get(start..).unwrap_or("");
    let cut = (0..=10.min(rest.len())).rev().find(|&n| rest.is_char_boundary(n)).unwrap_or(0);
    format!("too long parameter \"{}...\" started", rest.get(..cut).unwrap_or(""))
}

/// nginx's copy of a word: `\"`, `\'`, `\\` become the character, `\t`, `\r`, `\n` the
/// control character, and any other `\` stays.
fn unescape(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some(&next @ ('"' | '\'' | '\\')) => {
                out.push(next);
                chars.next();
            }
            Some('t') => {
                out.push('\t');
                chars.next();
            }
            Some('r') => {
                out.push('\r');
                chars.next();
            }
            Some('n') => {
                out.push('\n');
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    out
}
