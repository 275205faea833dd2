//! Masking secret values (passwords, keystore passwords, tokens) in every output, and
//! keeping control characters of the input from reaching a terminal.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::secrets::Secrets;
use crate::source::{FileId, Sources};

/// Secret values shorter than this are not searched for in messages: they would match
/// ordinary words. Snippets are masked by span whatever the length.
const MIN_SCRUBBED_LEN: usize = 3;

/// Digits-only secret values shorter than this are not searched for in messages: ports and
/// counts would match them. A longer one (a PIN, a numeric token) is.
const MIN_SCRUBBED_DIGITS: usize = 6;

/// Whether a secret value is searched for in messages: not too short, and not a word that
/// messages use for other things (a boolean, a port).
fn scrubbable(value: &str) -> bool {
    let common = ["true", "false", "on", "off", "yes", "no", "none", "null"];
    value.chars().count() >= MIN_SCRUBBED_LEN
        && !common.iter().any(|c| value.eq_ignore_ascii_case(c))
        && !(value.len() < MIN_SCRUBBED_DIGITS && value.chars().all(|c| c.is_ascii_digit()))
}

/// Masked file texts and the secret values to keep out of messages. A file's text is
/// copied (and masked) only when an output first shows it.
#[derive(Debug)]
pub struct Redactor<'s> {
    sources: &'s dyn Sources,
    secrets: &'s Secrets,
    texts: Vec<OnceLock<Arc<String>>>,
    /// Every secret value of the run, found in one pass over a text whatever their number.
    values: Option<AhoCorasick>,
}

impl<'s> Redactor<'s> {
    /// The redactor of the files of a run, masking the secrets found in them.
    pub fn new(sources: &'s dyn Sources, secrets: &'s Secrets) -> Self {
        let mut values: Vec<&str> = secrets.values().iter().map(String::as_str).filter(|v| scrubbable(v)).collect();
        values.sort_unstable();
        values.dedup();
        // Leftmost-longest: a value containing another is masked whole.
        let values = (!values.is_empty())
            .then(|| AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(&values).ok())
            .flatten();
        let count = sources.count();
        Redactor { sources, secrets, texts: (0..count).map(|_| OnceLock::new()).collect(), values }
    }

    /// A file's text as snippets show it: every secret span and every secret value of the
    /// run (from this file or another) masked with one `*` a byte, and control characters
    /// replaced by `?` a byte (line ends kept), so every span's offsets and line numbers
    /// stay valid.
    pub fn text(&self, file: FileId) -> Arc<String> {
        let Some(cell) = self.texts.get(file.0 as usize) else { return Arc::default() };
        cell.get_or_init(|| {
            let Some(source) = self.sources.source(file) else { return Arc::default() };
            let mut bytes = source.text().to_string().into_bytes();
            let found =
                self.values.iter().flat_map(|values| values.find_iter(source.text())).map(|m| (m.start(), m.end()));
            for (start, end) in self.secrets.spans(file).iter().copied().chain(found) {
                let Some(secret) = bytes.get_mut(start..end) else { continue };
                for byte in secret.iter_mut().filter(|b| !matches!(**b, b'\n' | b'\r')) {
                    *byte = b'*';
                }
            }
            neutralize_controls(&mut bytes);
            let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            Arc::new(text)
        })
        .clone()
    }

    /// A message, label or help with every secret value of the run masked, and the user
    /// info of any URL it quotes.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = match &self.values {
            Some(values) => {
                let mut out = String::with_capacity(message.len());
                values.replace_all_with(message, &mut out, |_, found, out| {
                    out.extend(std::iter::repeat_n('*', found.chars().count()));
                    true
                });
                out
            }
            None => message.to_string(),
        };
        // From the last, so that a masked range never shifts the ones before it.
        for (from, to) in crate::secrets::url_user_info_ranges(&out).into_iter().rev() {
            if let Some(info) = out.get(from..to) {
                let masked = "*".repeat(info.chars().count());
                out.replace_range(from..to, &masked);
            }
        }
        out
    }
}

/// Whether a character would drive a terminal: C0 controls but tab and line feed, DEL, and
/// the C1 controls (U+0080 to U+009F, which a Latin-1 file decodes to).
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
}

/// The code and byte length of DEL or a C1 control starting at byte `i` of UTF-8 text: DEL
/// is the byte 0x7f, a C1 control (U+0080 to U+009F) the bytes 0xc2 then 0x80 to 0x9f.
pub(crate) fn del_or_c1_at(bytes: &[u8], i: usize) -> Option<(u8, usize)> {
    match (bytes.get(i).copied(), bytes.get(i + 1).copied()) {
        (Some(0x7f), _) => Some((0x7f, 1)),
        (Some(0xc2), Some(code @ 0x80..=0x9f)) => Some((code, 2)),
        _ => None,
    }
}

/// Replaces control characters in a text, byte for byte, by `?` (a carriage return that
/// ends a line is kept), so that the text keeps its length and spans into it stay valid.
fn neutralize_controls(bytes: &mut [u8]) {
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let ends_line = byte == b'\r' && bytes.get(i + 1) == Some(&b'\n');
        let len = match del_or_c1_at(bytes, i) {
            Some((_, len)) => len,
            None if byte < 0x20 && byte != b'\n' && byte != b'\t' && !ends_line => 1,
            None => 0,
        };
        if let Some(control) = bytes.get_mut(i..i + len) {
            control.fill(b'?');
        }
        i += len.max(1);
    }
}

/// A text from the input (a message, a label, a path) as a terminal may show it: control
/// characters written as escapes (`\x1b`, `\u{9b}`).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match u32::from(c) {
            code if is_control(c) && code < 0x80 => out.push_str(&format!("\\x{code:02x}")),
            code if is_control(c) => out.push_str(&format!("\\u{{{code:x}}}")),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{escape_controls, neutralize_controls};

    #[test]
    fn values_are_masked_in_every_file_and_message() {
        use crate::source::{SourceFile, SourceMap};
        let mut sources = SourceMap::default();
        let first =
            sources.add(|id| SourceFile::new(id, "a".into(), "a".into(), None, b"jdbc.password=hunter22\n".to_vec()));
        let second =
            sources.add(|id| SourceFile::new(id, "b".into(), "b".into(), None, b"x hunter22 \x1b[2J y\r\n".to_vec()));
        let mut secrets = super::Secrets::default();
        let found = super::super::secrets::FileSecrets {
            spans: vec![crate::source::Span::new(first, 14, 22)],
            values: vec!["hunter22".into()],
            user_names: Vec::new(),
        };
        secrets.add(first, found);
        let redactor = super::Redactor::new(&sources, &secrets);
        assert_eq!(redactor.text(first).as_str(), "jdbc.password=********\n");
        assert_eq!(redactor.text(second).as_str(), "x ******** ?[2J y\r\n");
        assert_eq!(redactor.scrub("`hunter22` at https://u:p@h/x"), "`********` at https://***@h/x");
    }

    #[test]
    fn short_common_values_are_not_searched_for_in_messages() {
        for value in ["ab", "true", "On", "8080"] {
            assert!(!super::scrubbable(value), "{value}");
        }
        for value in ["changeit", "123456789", "s3cr"] {
            assert!(super::scrubbable(value), "{value}");
        }
    }

    #[test]
    fn control_characters_are_escaped_in_messages() {
        assert_eq!(escape_controls("a\u{1b}]0;x\u{7}\u{1b}[2J\tb\n"), "a\\x1b]0;x\\x07\\x1b[2J\tb\n");
        assert_eq!(escape_controls("\u{9b}2J é"), "\\u{9b}2J é");
        assert_eq!(escape_controls("plain"), "plain");
    }

    #[test]
    fn control_characters_in_snippets_keep_their_length() {
        let mut text = "a\u{1b}[2J\r\nb\rc\u{9b}d\u{7f}é".to_string().into_bytes();
        let len = text.len();
        neutralize_controls(&mut text);
        assert_eq!(text.len(), len);
        assert_eq!(String::from_utf8(text).as_deref(), Ok("a?[2J\r\nb?c??d?é"));
    }
}
