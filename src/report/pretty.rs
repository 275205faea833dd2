//! Pretty-printed JSON written piece by piece, byte for byte as `serde_json`'s pretty printer
//! writes the whole document, so a report's size in memory is one finding, not all of them.

use std::io::{self, Write};

use serde::Serialize;

use super::redact::del_or_c1_at;

/// Two spaces a level, as `serde_json::to_writer_pretty`.
const INDENT: &[u8] = b"  ";

/// A JSON document being written to `out`; the caller says how deep each piece stands.
pub(crate) struct Pretty<'w> {
    out: &'w mut dyn Write,
    /// One value at a time is serialised here before it is indented into `out`.
    buffer: Vec<u8>,
}

impl<'w> Pretty<'w> {
    /// A document written to `out`.
    pub(crate) fn new(out: &'w mut dyn Write) -> Self {
        Pretty { out, buffer: Vec::new() }
    }

    /// Literal text (brackets, line breaks).
    pub(crate) fn raw(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    /// A line break and the indentation of `depth`.
    pub(crate) fn newline(&mut self, depth: usize) -> io::Result<()> {
        self.out.write_all(b"\n")?;
        for _ in 0..depth {
            self.out.write_all(INDENT)?;
        }
        Ok(())
    }

    /// The start of an object member at `depth`: the comma after the previous member (unless
    /// `first`), the line break and `"key": `.
    pub(crate) fn key(&mut self, depth: usize, key: &str, first: bool) -> io::Result<()> {
        if !first {
            self.out.write_all(b",")?;
        }
        self.newline(depth)?;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b": ")
    }

    /// A whole object member: `"key": value`.
    pub(crate) fn field<T: Serialize + ?Sized>(
        &mut self,
        depth: usize,
        key: &str,
        value: &T,
        first: bool,
    ) -> io::Result<()> {
        self.key(depth, key, first)?;
        self.value(depth, value)
    }

    /// A value whose first line continues the current one and whose other lines stand at
    /// `depth`. JSON strings never hold a raw line break, so every line break of the
    /// serialised value is one of the printer's.
    pub(crate) fn value<T: Serialize + ?Sized>(&mut self, depth: usize, value: &T) -> io::Result<()> {
        self.buffer.clear();
        serde_json::to_writer_pretty(&mut self.buffer, value)?;
        let mut lines = self.buffer.split(|b| *b == b'\n');
        if let Some(first) = lines.next() {
            write_escaped(&mut *self.out, first)?;
        }
        for line in lines {
            self.out.write_all(b"\n")?;
            for _ in 0..depth {
                self.out.write_all(INDENT)?;
            }
            write_escaped(&mut *self.out, line)?;
        }
        Ok(())
    }

    /// An array whose brackets stand at `depth`, each element serialised as it is produced.
    pub(crate) fn array<T: Serialize>(&mut self, depth: usize, items: impl IntoIterator<Item = T>) -> io::Result<()> {
        let mut empty = true;
        for item in items {
            self.raw(if empty { "[" } else { "," })?;
            self.newline(depth + 1)?;
            self.value(depth + 1, &item)?;
            empty = false;
        }
        if empty {
            return self.raw("[]");
        }
        self.newline(depth)?;
        self.raw("]")
    }
}

/// Writes serialised JSON with DEL and the C1 controls escaped too (`serde_json` escapes
/// only C0), so that printing it to a terminal is safe; the JSON means the same.
fn write_escaped(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some((code, len)) = del_or_c1_at(bytes, i) else {
            i += 1;
            continue;
        };
        out.write_all(bytes.get(plain..i).unwrap_or_default())?;
        write!(out, "\\u{code:04x}")?;
        i += len;
        plain = i;
    }
    out.write_all(bytes.get(plain..).unwrap_or_default())
}

/// The text a writer produced, for the callers that want the whole report as one string.
pub(crate) fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Pretty;

    #[test]
    fn pieces_print_as_the_whole_document_does() {
        let items = vec![json!({ "a": [1, 2], "b": { "c": "x\ny" } }), json!([]), json!({})];
        let whole = json!({ "empty": [], "items": items, "last": 3 });
        let mut out = Vec::new();
        let mut pretty = Pretty::new(&mut out);
        let written = pretty
            .raw("{")
            .and_then(|()| pretty.key(1, "empty", true))
            .and_then(|()| pretty.array(1, Vec::<u8>::new()))
            .and_then(|()| pretty.key(1, "items", false))
            .and_then(|()| pretty.array(1, items.iter()))
            .and_then(|()| pretty.field(1, "last", &3, false))
            .and_then(|()| pretty.raw("\n}"));
        assert!(written.is_ok());
        assert_eq!(String::from_utf8(out).ok(), serde_json::to_string_pretty(&whole).ok());
    }

    #[test]
    fn del_and_c1_controls_are_escaped_and_the_json_means_the_same() {
        let text = "a\u{7f}b\u{9b}c\u{a0}é";
        let mut out = Vec::new();
        assert!(Pretty::new(&mut out).value(0, text).is_ok());
        let written = String::from_utf8(out).unwrap_or_default();
        assert_eq!(written, "\"a\\u007fb\\u009bc\u{a0}é\"");
        assert_eq!(serde_json::from_str::<String>(&written).ok().as_deref(), Some(text));
    }
}
