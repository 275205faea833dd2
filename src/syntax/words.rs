//! Words as the parsers hand them on: a decoded [`Value`] or [`Word`] with the span of its
//! raw text, a named [`Setting`], and the packed form the line formats store (a line's
//! words as offsets into their file, 12 bytes a word instead of a 40-byte [`Word`], with a
//! decoded text only for the words whose quotes, escapes or substitutions changed it),
//! which [`Words`] and [`WordRef`] read back.

use std::borrow::Cow;

use crate::source::{FileId, SourceFile, Span};

/// A decoded value with the span of its raw text.
#[derive(Clone, Debug)]
pub struct Value<'a> {
    /// The value after decoding escapes, entities and continuations.
    pub text: Cow<'a, str>,
    /// The raw text of the value in the file (without quotes).
    pub span: Span,
    /// The value is only known at deployment time (`${...}`, a template tag): no rule judges it.
    pub unknown: bool,
}

impl<'a> Value<'a> {
    /// A value whose decoded text is its raw text or was rebuilt from it.
    pub fn new(text: Cow<'a, str>, span: Span) -> Self {
        let unknown = super::is_unknown(&text);
        Value { text, span, unknown }
    }

    /// The decoded text, unless the value is unknown.
    pub fn known(&self) -> Option<&str> {
        (!self.unknown).then_some(self.text.as_ref())
    }

    /// In a template, the value with the values the repository's defaults give its
    /// output tags (`port="{{ jira_port }}"` reads `8080`), when they give every one.
    pub fn resolve(&mut self, source: &SourceFile) {
        if !self.unknown {
            return;
        }
        if let Some(text) = source.substitute(&self.text, self.span) {
            self.unknown = super::is_unknown(&text);
            self.text = Cow::Owned(text);
        }
    }

    /// The span of the decoded bytes `from..to`: exact when the decoded text is the raw text,
    /// the whole value otherwise.
    pub fn sub_span(&self, from: usize, to: usize) -> Span {
        match self.text {
            Cow::Borrowed(_) => self.span.sub(from, to),
            Cow::Owned(_) => self.span,
        }
    }
}

/// One word of a line-oriented format (HAProxy, Apache): its decoded text and the span of
/// its raw text.
#[derive(Clone, Debug)]
pub struct Word<'a> {
    /// The word after quotes and escapes are removed.
    pub text: Cow<'a, str>,
    /// The raw word, quotes included.
    pub span: Span,
    /// The word holds a variable (`"${PORT}"`): its value is only known when the server starts.
    pub unknown: bool,
}

impl Word<'_> {
    /// The text, unless it depends on the environment.
    pub fn known(&self) -> Option<&str> {
        (!self.unknown).then_some(self.text.as_ref())
    }
}

/// A named setting: an XML attribute or a properties entry.
#[derive(Clone, Debug)]
pub struct Setting<'a> {
    /// The decoded name.
    pub name: Cow<'a, str>,
    /// The raw name in the file.
    pub name_span: Span,
    /// The value.
    pub value: Value<'a>,
    /// The whole setting, name to end of value (closing quote included).
    pub span: Span,
}

/// A word as stored: its raw span's offsets, whether it depends on the environment (the top
/// bit of `text`) and where its text is (`0`: the raw slice; `k`: decoded text `k - 1`).
#[derive(Clone, Copy)]
struct Packed {
    start: u32,
    end: u32,
    text: u32,
}

const UNKNOWN: u32 = 1 << 31;

impl Packed {
    /// Which decoded text is the word's, if its text is not the raw slice.
    fn decoded(&self) -> Option<usize> {
        (self.text & !UNKNOWN).checked_sub(1).map(|k| k as usize)
    }

    /// The raw word's byte range.
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The decoded texts of a line's words.
#[derive(Clone)]
struct Decoded(Vec<Box<str>>);

/// The words of one line, packed.
#[derive(Clone)]
pub struct PackedWords<'a> {
    /// The file the offsets point into.
    source: &'a SourceFile,
    words: Store,
}

/// Where a line's words are kept: a line of one plain word (a file of bare names has a
/// million of them) takes no allocation, and most lines have no decoded word.
#[derive(Clone)]
enum Store {
    /// One word whose text is its raw slice.
    One(Packed),
    /// Words whose texts are their raw slices.
    Plain(Box<[Packed]>),
    /// Words some of which have decoded texts.
    Decoded(Box<(Box<[Packed]>, Decoded)>),
}

impl<'a> PackedWords<'a> {
    /// Packs `words` of `source`. A word keeps no text of its own when its text is the
    /// raw slice of its span.
    pub fn new(source: &'a SourceFile, words: impl IntoIterator<Item = Word<'a>>) -> Self {
        let text = source.parse_text();
        let mut decoded = Vec::new();
        let words = words
            .into_iter()
            .map(|mut word| {
                if word.text.contains("{{_") {
                    if let Some(text) = source.substitute(&word.text, word.span) {
                        word.unknown = super::is_unknown(&text);
                        word.text = Cow::Owned(text);
                    }
                }
                let raw = text.get(word.span.start()..word.span.end());
                let index = match word.text {
                    Cow::Borrowed(_) => 0,
                    Cow::Owned(owned) if raw == Some(owned.as_str()) => 0,
                    Cow::Owned(owned) => {
                        decoded.push(owned.into_boxed_str());
                        u32::try_from(decoded.len()).unwrap_or(0) & !UNKNOWN
                    }
                };
                let start = u32::try_from(word.span.start()).unwrap_or(u32::MAX);
                let end = u32::try_from(word.span.end()).unwrap_or(u32::MAX).max(start);
                Packed { start, end, text: index | if word.unknown { UNKNOWN } else { 0 } }
            })
            .collect::<Vec<Packed>>();
        let words = match (words.as_slice(), decoded.is_empty()) {
            ([one], true) => Store::One(*one),
            (_, true) => Store::Plain(words.into_boxed_slice()),
            (_, false) => Store::Decoded(Box::new((words.into_boxed_slice(), Decoded(decoded)))),
        };
        PackedWords { source, words }
    }

    /// The packed words.
    fn packed(&self) -> &[Packed] {
        match &self.words {
            Store::One(one) => std::slice::from_ref(one),
            Store::Plain(words) => words,
            Store::Decoded(both) => &both.0,
        }
    }

    /// The decoded texts.
    fn decoded(&self) -> &[Box<str>] {
        match &self.words {
            Store::Decoded(both) => &both.1 .0,
            _ => &[],
        }
    }

    /// The file the words are in.
    pub fn source(&self) -> &'a SourceFile {
        self.source
    }

    /// The words.
    pub fn view(&self) -> Words<'_> {
        Words { text: self.source.parse_text(), file: self.source.id(), packed: self.packed(), decoded: self.decoded() }
    }

    /// Whether word `packed` reads `want`, compared on the stored bytes (length and first
    /// byte first: rules ask this of every line).
    fn reads(&self, text: &[u8], packed: &Packed, want: &str) -> bool {
        match packed.decoded() {
            None => {
                let range = packed.range();
                range.len() == want.len()
                    && text.get(range.start) == want.as_bytes().first()
                    && text.get(range) == Some(want.as_bytes())
            }
            Some(k) => self.decoded().get(k).is_some_and(|t| **t == *want),
        }
    }

    /// The index of the first word from `from` on that reads one of `any`.
    pub fn find(&self, from: usize, any: &[&str]) -> Option<usize> {
        let text = self.source.parse_text().as_bytes();
        let rest = self.packed().get(from..)?;
        rest.iter().position(|packed| any.iter().any(|want| self.reads(text, packed, want))).map(|i| from + i)
    }

    /// Whether the words from `from` on start with `want` (compared on the stored bytes,
    /// length and first byte first: rules ask this of every line).
    pub fn starts_with(&self, from: usize, want: &[&str]) -> bool {
        let Some(have) = self.packed().get(from..from + want.len()) else { return false };
        let text = self.source.parse_text().as_bytes();
        have.iter().zip(want).all(|(packed, want)| self.reads(text, packed, want))
    }
}

impl std::fmt::Debug for PackedWords<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.view().fmt(f)
    }
}

/// A word read from its packed form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordRef<'s> {
    /// The word after quotes and escapes are removed.
    pub text: &'s str,
    /// The raw word, quotes included.
    pub span: Span,
    /// The word holds a variable (`"${PORT}"`): its value is only known when the server starts.
    pub unknown: bool,
    /// Quotes, escapes or substitutions changed it: the text is not the raw slice.
    decoded: bool,
}

impl<'s> WordRef<'s> {
    /// An empty word at the start of `span` (for a line that has none).
    pub fn missing(span: Span) -> WordRef<'static> {
        WordRef { text: "", span: span.sub(0, 0), unknown: false, decoded: false }
    }

    /// The text, unless it depends on the environment.
    pub fn known(&self) -> Option<&'s str> {
        (!self.unknown).then_some(self.text)
    }

    /// The span of the text's bytes `from..to`: exact when the text is the raw slice, the
    /// whole word otherwise.
    pub fn sub_span(&self, from: usize, to: usize) -> Span {
        if self.decoded {
            self.span
        } else {
            self.span.sub(from, to)
        }
    }
}

/// Some consecutive words of a line.
#[derive(Clone, Copy)]
pub struct Words<'s> {
    /// The text of the file the offsets point into.
    text: &'s str,
    file: FileId,
    packed: &'s [Packed],
    decoded: &'s [Box<str>],
}

impl<'s> Words<'s> {
    fn read(&self, packed: &Packed) -> WordRef<'s> {
        let decoded = packed.decoded();
        let text = match decoded {
            None => self.text.get(packed.range()),
            Some(k) => self.decoded.get(k).map(AsRef::as_ref),
        };
        WordRef {
            text: text.unwrap_or(""),
            span: Span::from_offsets(self.file, packed.start, packed.end),
            unknown: packed.text & UNKNOWN != 0,
            decoded: decoded.is_some(),
        }
    }

    /// How many words.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Word `i`.
    pub fn get(&self, i: usize) -> Option<WordRef<'s>> {
        self.packed.get(i).map(|p| self.read(p))
    }

    /// The first word.
    pub fn first(&self) -> Option<WordRef<'s>> {
        self.get(0)
    }

    /// The last word.
    pub fn last(&self) -> Option<WordRef<'s>> {
        self.packed.last().map(|p| self.read(p))
    }

    /// The words `from..to`, both clamped to the words there are.
    pub fn slice(&self, from: usize, to: usize) -> Words<'s> {
        let to = to.min(self.packed.len());
        Words { packed: self.packed.get(from.min(to)..to).unwrap_or(&[]), ..*self }
    }

    /// The words from `from` on (none when there are fewer).
    pub fn from(&self, from: usize) -> Words<'s> {
        self.slice(from, self.packed.len())
    }

    /// Each word in order.
    pub fn iter(&self) -> WordsIter<'s> {
        self.into_iter()
    }

    /// The index of the first word whose text is `text`.
    pub fn position(&self, text: &str) -> Option<usize> {
        self.iter().position(|w| w.text == text)
    }
}

impl std::fmt::Debug for Words<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The words of a [`Words`] in order.
#[derive(Clone)]
pub struct WordsIter<'s> {
    words: Words<'s>,
    inner: std::slice::Iter<'s, Packed>,
}

impl<'s> Iterator for WordsIter<'s> {
    type Item = WordRef<'s>;

    fn next(&mut self) -> Option<WordRef<'s>> {
        self.inner.next().map(|p| self.words.read(p))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for WordsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|p| self.words.read(p))
    }
}

impl ExactSizeIterator for WordsIter<'_> {}

impl<'s> IntoIterator for Words<'s> {
    type Item = WordRef<'s>;
    type IntoIter = WordsIter<'s>;

    fn into_iter(self) -> WordsIter<'s> {
        WordsIter { words: self, inner: self.packed.iter() }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::source::FileId;

    fn source(text: &str) -> SourceFile {
        SourceFile::new(FileId(3), PathBuf::from("a.cfg"), "a.cfg".into(), None, text.as_bytes().to_vec())
    }

    fn word(source: &SourceFile, start: usize, end: usize, text: Option<&str>) -> Word<'static> {
        let text: Cow<'static, str> = match text {
            Some(decoded) => Cow::Owned(decoded.to_string()),
            None => Cow::Owned(source.text().get(start..end).unwrap_or("").to_string()),
        };
        let unknown = text.contains("${");
        Word { text, span: Span::new(source.id(), start, end), unknown }
    }

    #[test]
    fn words_read_back_with_their_text_span_and_flags() {
        let file = source("bind \"${ADDR}\" a\\ b ssl\n");
        let words = [
            word(&file, 0, 4, None),
            word(&file, 5, 14, Some("${ADDR}")),
            word(&file, 15, 19, Some("a b")),
            word(&file, 20, 23, None),
        ];
        let packed = PackedWords::new(&file, words);
        let view = packed.view();
        let texts: Vec<&str> = view.iter().map(|w| w.text).collect();
        assert_eq!(texts, ["bind", "${ADDR}", "a b", "ssl"]);
        let addr = view.get(1).expect("second word");
        assert!(addr.unknown && addr.known().is_none());
        assert_eq!((addr.span.file, addr.span.start(), addr.span.end()), (FileId(3), 5, 14));
        // A decoded word's parts map to the whole word; a raw word's to the exact bytes.
        let escaped = view.get(2).expect("third word");
        assert_eq!(escaped.sub_span(1, 2), escaped.span);
        let ssl = view.last().expect("last word");
        assert_eq!((ssl.sub_span(1, 3).start(), ssl.sub_span(1, 3).end()), (21, 23));
        // An owned text equal to the raw slice is stored as the slice.
        assert!(view.first().is_some_and(|w| !w.decoded));
    }

    #[test]
    fn slices_clamp_and_questions_are_answered_on_the_stored_bytes() {
        let file = source("no option 'httplog' if x\n");
        let words = [
            word(&file, 0, 2, None),
            word(&file, 3, 9, None),
            word(&file, 10, 19, Some("httplog")),
            word(&file, 20, 22, None),
            word(&file, 23, 24, None),
        ];
        let packed = PackedWords::new(&file, words);
        assert!(packed.starts_with(1, &["option", "httplog"]));
        assert!(!packed.starts_with(1, &["option", "httplo"]));
        assert!(!packed.starts_with(4, &["x", "y"]));
        assert_eq!(packed.find(1, &["unless", "if"]), Some(3));
        assert_eq!(packed.find(4, &["if"]), None);
        assert_eq!(packed.find(9, &["if"]), None);
        let view = packed.view();
        assert_eq!(view.slice(3, 99).iter().map(|w| w.text).collect::<Vec<_>>(), ["if", "x"]);
        assert!(view.slice(7, 2).is_empty() && view.from(9).is_empty());
        assert_eq!(view.from(2).position("x"), Some(2));
        assert_eq!(view.iter().rev().map(|w| w.text).next(), Some("x"));
    }
}
