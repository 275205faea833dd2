//! Masking secret values (passwords, keystore passwords, tokens) in every output.

use std::sync::{Arc, OnceLock};

use crate::source::{FileId, SourceMap};

/// Secret values shorter than this are not searched for in messages: they would match
/// ordinary words. Snippets are masked by span whatever the length.
const MIN_SCRUBBED_LEN: usize = 3;

/// Whether a secret value is searched for in messages: not too short, and not a word that
/// messages use for other things (a boolean, a number).
fn scrubbable(value: &str) -> bool {
    let common = ["true", "false", "on", "off", "yes", "no", "none", "null"];
    value.chars().count() >= MIN_SCRUBBED_LEN
        && !common.iter().any(|c| value.eq_ignore_ascii_case(c))
        && !value.chars().all(|c| c.is_ascii_digit())
}

/// Masked file texts and the secret values to keep out of messages. A file's text is
/// copied (and masked) only when an output first shows it.
#[derive(Debug)]
pub struct Redactor<'s> {
    sources: &'s SourceMap,
    texts: Vec<OnceLock<Arc<String>>>,
    values: Vec<String>,
}

impl<'s> Redactor<'s> {
    /// The redactor of every file of a run.
    pub fn new(sources: &'s SourceMap) -> Self {
        let mut values = Vec::new();
        let mut count = 0;
        for file in sources.iter() {
            values.extend(file.secret_values.iter().filter(|v| scrubbable(v)).cloned());
            count += 1;
        }
        values.sort_unstable();
        values.dedup();
        // Longest first, so that a value containing another is masked whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        Redactor { sources, texts: (0..count).map(|_| OnceLock::new()).collect(), values }
    }

    /// A file's text with every secret span masked: one `*` a byte (line ends kept), so
    /// every later span's offsets and line numbers stay valid.
    pub fn text(&self, file: FileId) -> Arc<String> {
        let Some(cell) = self.texts.get(file.0 as usize) else { return Arc::default() };
        cell.get_or_init(|| {
            let Some(source) = self.sources.get(file) else { return Arc::default() };
            let mut bytes = source.text.clone().into_bytes();
            for &(start, end) in &source.secrets {
                let Some(secret) = bytes.get_mut(start..end) else { continue };
                for byte in secret.iter_mut().filter(|b| !matches!(**b, b'\n' | b'\r')) {
                    *byte = b'*';
                }
            }
            let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            Arc::new(text)
        })
        .clone()
    }

    /// A message with any secret value masked.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &"*".repeat(value.chars().count()));
            }
        }
        out
    }
}
