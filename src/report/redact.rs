//! Masking secret values (passwords, keystore passwords, tokens) in every output.

use std::sync::Arc;

use crate::source::{FileId, SourceMap};

/// Secret values shorter than this are not searched for in messages: they would match
/// ordinary words. Snippets are masked by span whatever the length.
const MIN_SCRUBBED_LEN: usize = 3;

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
            let mut text = file.text.clone();
            let mut secrets = file.secrets.clone();
            // Replace from the end so earlier offsets stay valid.
            secrets.sort_unstable_by(|a, b| b.cmp(a));
            for (start, end) in secrets {
                let (Some(value), true) = (file.text.get(start..end), start <= end) else {
                    continue;
                };
                if value.chars().count() >= MIN_SCRUBBED_LEN {
                    values.push(value.to_string());
                }
                // One `*` a byte keeps every later span's byte offsets valid.
                let mask = "*".repeat(value.len());
                if text.is_char_boundary(start) && text.is_char_boundary(end) {
                    text.replace_range(start..end, &mask);
                }
            }
            texts.push(Arc::new(text));
        }
        values.sort_unstable_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
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
