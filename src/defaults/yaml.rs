//! The scalars of a YAML defaults file (Ansible `defaults/main.yml`, Salt `defaults.yaml`,
//! Helm `values.yaml`, Hiera `data/common.yaml`) by their dotted key path, each with the
//! line that defines it. Sequences and aliases are values atl-lint does not look into.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::source::SourceFile;

/// A scalar and where its key is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The dotted path of its key (`jira.port`).
    pub key: String,
    /// The value; `None` for null, a sequence, a mapping or an alias.
    pub value: Option<Scalar>,
    /// The byte offset of the key.
    pub at: usize,
}

/// A scalar value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// Its text.
    pub text: String,
    /// Written without quotes (`true` is then a boolean, `8080` a number).
    pub plain: bool,
}

/// Every entry of the first document of `source`, or nothing when the file is not YAML.
pub fn entries(source: &SourceFile) -> Vec<Entry> {
    let mut reader = Reader { source, stack: Vec::new(), out: Vec::new(), done: false };
    let mut parser = Parser::new_from_str(source.text());
    match parser.load(&mut reader, false) {
        Ok(()) => reader.out,
        Err(_) => Vec::new(),
    }
}

/// An open collection.
enum Open {
    /// A mapping at `prefix` (`None`: inside a sequence, not recorded), with the key read
    /// and waiting for its value.
    Mapping { prefix: Option<String>, key: Option<(String, usize)> },
    /// A sequence.
    Sequence,
}

/// How many entries one file may define.
const MAX_ENTRIES: usize = 100_000;

struct Reader<'a> {
    source: &'a SourceFile,
    stack: Vec<Open>,
    out: Vec<Entry>,
    done: bool,
}

impl Reader<'_> {
    /// The byte offset of a marker (its line is 1-based, its column counts characters).
    fn offset(&self, mark: Marker) -> usize {
        let line = mark.line().saturating_sub(1);
        let (start, end) = self.source.line_range(line);
        let text = self.source.text().get(start..end).unwrap_or("");
        start + text.char_indices().nth(mark.col()).map_or(text.len(), |(i, _)| i)
    }

    /// The key waiting for a value in the innermost mapping, taken, with its full path.
    fn take_key(&mut self) -> Option<(Option<String>, usize)> {
        match self.stack.last_mut() {
            Some(Open::Mapping { prefix, key }) => {
                let (name, at) = key.take()?;
                let path = prefix.as_ref().map(|p| if p.is_empty() { name.clone() } else { format!("{p}.{name}") });
                Some((path, at))
            }
            _ => None,
        }
    }

    fn record(&mut self, key: Option<String>, at: usize, value: Option<Scalar>) {
        if let Some(key) = key {
            if self.out.len() < MAX_ENTRIES {
                self.out.push(Entry { key, value, at });
            }
        }
    }
}

impl MarkedEventReceiver for Reader<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.done {
            return;
        }
        match event {
            Event::MappingStart(..) => {
                let prefix = match self.stack.last() {
                    None => Some(String::new()),
                    Some(Open::Sequence) => None,
                    Some(Open::Mapping { .. }) => match self.take_key() {
                        Some((path, at)) => {
                            self.record(path.clone(), at, None);
                            path
                        }
                        None => None,
                    },
                };
                self.stack.push(Open::Mapping { prefix, key: None });
            }
            Event::SequenceStart(..) => {
                if let Some((path, at)) = self.take_key() {
                    self.record(path, at, None);
                }
                self.stack.push(Open::Sequence);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::DocumentEnd => self.done = true,
            Event::Alias(_) => {
                if let Some((path, at)) = self.take_key() {
                    self.record(path, at, None);
                }
            }
            Event::Scalar(text, style, ..) => {
                let at = self.offset(mark);
                match self.stack.last_mut() {
                    Some(Open::Mapping { key: key @ None, .. }) => *key = Some((text, at)),
                    Some(Open::Mapping { .. }) => {
                        let Some((path, key_at)) = self.take_key() else { return };
                        let plain = style == TScalarStyle::Plain;
                        let null = plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                        let value = (!null).then_some(Scalar { text, plain });
                        self.record(path, key_at, value);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{entries, Scalar};
    use crate::source::{FileId, SourceFile};

    #[test]
    fn nested_keys_with_their_offsets() {
        let text = "---\n# héllo\njira_port: 8080\njira:\n  proxy:\n    name: \"x.example.com\"  # c\n  list: [1, 2]\n  none: ~\nafter: yes\n";
        let source = SourceFile::new(FileId(0), "d.yml".into(), "d.yml".into(), None, text.as_bytes().to_vec());
        let found = entries(&source);
        let get = |k: &str| found.iter().find(|e| e.key == k).expect(k);
        assert_eq!(get("jira_port").value, Some(Scalar { text: "8080".into(), plain: true }));
        assert_eq!(text.get(get("jira_port").at..).map(|t| t.starts_with("jira_port")), Some(true));
        assert_eq!(get("jira.proxy.name").value, Some(Scalar { text: "x.example.com".into(), plain: false }));
        assert_eq!(text.get(get("jira.proxy.name").at..).map(|t| t.starts_with("name:")), Some(true));
        assert_eq!(get("jira.list").value, None);
        assert_eq!(get("jira.none").value, None);
        assert_eq!(get("after").value, Some(Scalar { text: "yes".into(), plain: true }));
        assert!(found.iter().all(|e| !e.key.contains("1")));
        let broken = SourceFile::new(FileId(0), "b.yml".into(), "b.yml".into(), None, b"a: [\n".to_vec());
        assert!(entries(&broken).is_empty());
    }
}
