//! Masking secret values (passwords, keystore passwords, tokens) in every output.

use std::sync::Arc;

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

/// Masked file texts and the secret values to keep out of messages.
#[derive(Debug)]
pub struct Redactor {
    texts: Vec<Arc<String>>,
    values: Vec<String>,
}

impl Redactor {
    /// Masks every secret span of every file.
    pub fn new(sources: &SourceMap) -> Self {
        let mut texts = Vec::new();
        let mut values = Vec::new();
        for file in sources.iter() {
            let mut bytes = file.text.clone().into_bytes();
            for &(start, end) in &file.secrets {
                let Some(secret) = bytes.get_mut(start..end) else { continue };
                // One `*` a byte keeps every later span's offsets valid; line ends stay, so a
                // value continued over lines keeps its line numbers.
                for byte in secret.iter_mut().filter(|b| !matches!(**b, b'\n' | b'\r')) {
                    *byte = b'*';
                }
            }
            let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            texts.push(Arc::new(text));
            values.extend(file.secret_values.iter().filter(|v| scrubbable(v)).cloned());
        }
        values.sort_unstable();
        values.dedup();
        // Longest first, so a secret containing another is masked whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        Redactor { texts, values }
    }

    /// The masked text of a file, byte for byte as long as the original.
    pub fn text(&self, file: FileId) -> Arc<String> {
        self.texts.get(file.0 as usize).cloned().unwrap_or_default()
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
