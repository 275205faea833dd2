//! Inline suppressions: `# atl-lint: ignore[rule-a, rule-b] reason` before a directive (at
//! the end of its line too, in HAProxy), `<!-- atl-lint: ignore[rule] -->` before an XML
//! element, `ignore-file[...]` for a whole file. A cross-file finding is suppressed at any
//! of its locations; a suppression that suppresses nothing is reported.

use foldhash::{HashMap, HashMapExt};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, FileKind, Span};
use crate::syntax::{Parsed, Tree};

/// One suppressed rule id in one comment.
#[derive(Debug)]
struct Entry {
    rule: String,
    /// The id in the comment.
    span: Span,
    /// Where it applies: the next item's range; `None` for the whole file.
    range: Option<(usize, usize)>,
    used: bool,
    /// A malformed comment: it never suppresses, and is reported as such.
    invalid: Option<&'static str>,
}

/// The entries of one file for one rule, by where they apply, so that a finding finds its
/// suppressions without reading every comment of the file (a file can have one before each
/// line).
#[derive(Default)]
struct Reach {
    /// `ignore-file` entries.
    whole: Vec<usize>,
    /// Ranged entries as (start, end, entry), by start.
    ranged: Vec<(usize, usize, usize)>,
    /// For each prefix of `ranged`, the furthest end: nothing before it reaches further.
    furthest: Vec<usize>,
}

impl Reach {
    fn index(list: &[Entry]) -> HashMap<String, Reach> {
        let mut by_rule: HashMap<String, Reach> = HashMap::new();
        for (k, entry) in list.iter().enumerate() {
            let reach = by_rule.entry(entry.rule.clone()).or_default();
            match entry.range {
                None => reach.whole.push(k),
                Some((start, end)) => reach.ranged.push((start, end, k)),
            }
        }
        for reach in by_rule.values_mut() {
            reach.ranged.sort_unstable();
            let mut furthest = 0;
            reach.furthest = reach
                .ranged
                .iter()
                .map(|(_, end, _)| {
                    furthest = furthest.max(*end);
                    furthest
                })
                .collect();
        }
        by_rule
    }

    /// The entries that apply at `offset`.
    fn covering(&self, offset: usize) -> impl Iterator<Item = usize> + '_ {
        let started = self.ranged.partition_point(|(start, _, _)| *start <= offset);
        let ranged = self.ranged.get(..started).unwrap_or(&[]);
        let furthest = self.furthest.get(..started).unwrap_or(&[]);
        let reaching = ranged.iter().zip(furthest).rev().take_while(move |(_, far)| **far >= offset);
        let ranged = reaching.filter(move |((_, end, _), _)| *end >= offset).map(|((_, _, k), _)| *k);
        self.whole.iter().copied().chain(ranged)
    }
}

/// The rule of a blanket `atl-lint: ignore` (no list): every rule.
pub const EVERY_RULE: &str = "*";

/// A suppression that suppressed nothing, or a comment that means one and is malformed.
#[derive(Debug)]
pub struct Unused {
    /// The rule id as the comment writes it (lower-cased); [`EVERY_RULE`] for a blanket one.
    pub rule: String,
    /// The id in the comment (the `ignore` word of a blanket or malformed one).
    pub span: Span,
    /// Whether it is an `ignore-file[...]` (else it applies to the next item).
    pub whole_file: bool,
    /// Why the comment suppresses nothing whatever the findings: it is malformed.
    pub invalid: Option<&'static str>,
}

/// Removes suppressed findings; returns the suppressions that suppressed nothing, by file
/// and offset.
pub fn apply(files: &[Parsed<'_>], diagnostics: &mut Vec<Diagnostic>) -> Vec<Unused> {
    let mut entries: HashMap<FileId, Vec<Entry>> = HashMap::new();
    for file in files {
        let found = read(file);
        if !found.is_empty() {
            entries.insert(file.source.id(), found);
        }
    }
    if entries.is_empty() {
        return Vec::new();
    }
    let index: HashMap<FileId, HashMap<String, Reach>> =
        entries.iter().map(|(file, list)| (*file, Reach::index(list))).collect();
    diagnostics.retain(|d| {
        let locations = std::iter::once(d.primary.span).chain(d.related.iter().map(|l| l.span));
        let mut suppressed = false;
        for span in locations {
            let Some(by_rule) = index.get(&span.file) else { continue };
            let Some(list) = entries.get_mut(&span.file) else { continue };
            for reach in [by_rule.get(d.rule), by_rule.get(EVERY_RULE)].into_iter().flatten() {
                for k in reach.covering(span.start()) {
                    if let Some(entry) = list.get_mut(k) {
                        entry.used = true;
                        suppressed = true;
                    }
                }
            }
        }
        !suppressed
    });
    let mut list: Vec<Unused> = entries
        .into_values()
        .flatten()
        .filter(|e| !e.used)
        .map(|e| Unused { rule: e.rule, span: e.span, whole_file: e.range.is_none(), invalid: e.invalid })
        .collect();
    list.sort_by_key(|e| (e.span.file, e.span.start()));
    list
}

/// The suppressions of one file.
fn read(file: &Parsed<'_>) -> Vec<Entry> {
    let text = file.source.parse_text();
    let (comments, items): (Vec<&crate::syntax::Comment<'_>>, Vec<Span>) = match &file.tree {
        Tree::Apache(config) => {
            let items = config.directives.iter().map(|d| d.span).chain(config.blocks.iter().map(|b| b.span));
            (config.comments.iter().collect(), items.collect())
        }
        Tree::Haproxy(config) => {
            let statements = config.sections.iter().flat_map(|s| s.statements.iter().map(|st| st.span));
            let headers = config.sections.iter().map(|s| s.header);
            (config.comments.iter().collect(), statements.chain(headers).collect())
        }
        Tree::Properties(props) => (props.comments.iter().collect(), props.entries.iter().map(|e| e.span).collect()),
        Tree::ServerXml(doc) => (doc.comments.iter().collect(), doc.elements.iter().map(|e| e.tag_span).collect()),
        Tree::Nginx(config) => (config.comments.iter().collect(), config.directives.iter().map(|d| d.span).collect()),
        Tree::Compose(compose) => {
            let own = |s: &&crate::syntax::Setting<'_>| s.span.file == file.source.id();
            let settings = compose.services.iter().flat_map(|s| s.environment.iter().filter(own).map(|e| e.span));
            let names = compose.services.iter().map(|s| s.name_span);
            let keys = compose.services.iter().filter_map(|s| s.environment_at);
            (compose.comments.iter().collect(), settings.chain(names).chain(keys).collect())
        }
        Tree::DotEnv(env) => (env.comments.iter().collect(), env.entries.iter().map(|e| e.span).collect()),
        Tree::HelmValues(values) => {
            let settings = values.environment.iter().chain(values.ingress.iter().flat_map(|i| &i.annotations));
            (values.comments.iter().collect(), settings.map(|s| s.span).chain([values.at]).collect())
        }
        Tree::Traefik(config) => {
            let routers = config.routers.iter().map(|r| r.rule.span);
            let services = config.services.iter().map(|s| s.at);
            (config.comments.iter().collect(), routers.chain(services).chain(config.api_insecure).collect())
        }
        Tree::Kube(manifests) => {
            let containers = manifests.workloads.iter().flat_map(|w| &w.containers);
            let own = |s: &&crate::syntax::Setting<'_>| s.span.file == file.source.id();
            let settings = containers.clone().flat_map(|c| c.environment.iter().filter(own).map(|e| e.span));
            let keys = containers.flat_map(|c| [Some(c.at), c.environment_at]).flatten();
            let ingress = manifests.ingresses.iter().flat_map(|i| i.ingress.annotations.iter().map(|a| a.span));
            let names =
                manifests.workloads.iter().map(|w| w.meta.at).chain(manifests.ingresses.iter().map(|i| i.meta.at));
            (manifests.comments.iter().collect(), settings.chain(keys).chain(ingress).chain(names).collect())
        }
    };
    let mut items = items;
    items.sort_by_key(|s| s.start());
    let end_of_line_allowed = matches!(file.source.kind(), Some(FileKind::Haproxy | FileKind::Nginx));
    let mut out = Vec::new();
    for comment in comments {
        let (file_wide, ids) = match parse(comment.text) {
            None => continue,
            Some(Ok(found)) => found,
            Some(Err((why, at, len))) => {
                let raw = text.get(comment.span.start()..comment.span.end()).unwrap_or("");
                let start = comment.span.start() + raw.find(comment.text).unwrap_or(0) + at;
                let span = Span::new(file.source.id(), start, start + len);
                out.push(Entry { rule: String::new(), span, range: None, used: false, invalid: Some(why) });
                continue;
            }
        };
        let line_start = text.get(..comment.span.start()).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
        let own_line = text.get(line_start..comment.span.start()).is_some_and(|t| t.trim().is_empty());
        let range = if file_wide {
            None
        } else if own_line {
            // The next item after the comment.
            // Items are sorted by start: the next one is found by bisection.
            let next = items.get(items.partition_point(|s| s.start() < comment.span.end()));
            match next {
                Some(item) => Some((item.start(), item.end())),
                None => Some((usize::MAX, usize::MAX)),
            }
        } else if end_of_line_allowed {
            let before = items.partition_point(|s| s.start() < comment.span.start());
            let item = before.checked_sub(1).and_then(|i| items.get(i)).filter(|s| s.start() >= line_start);
            item.map(|s| (s.start(), s.end().max(comment.span.start())))
        } else {
            // Not a place where a suppression applies.
            continue;
        };
        let raw = text.get(comment.span.start()..comment.span.end()).unwrap_or("");
        let body_offset = comment.span.start() + raw.find(comment.text).unwrap_or(0);
        for (id, at) in ids {
            let start = body_offset + at;
            let span = Span::new(file.source.id(), start, start + id.len());
            out.push(Entry { rule: id.to_ascii_lowercase(), span, range, used: false, invalid: None });
        }
    }
    out
}

/// What a comment body that starts with `atl-lint:` says: whether it is file-wide and each
/// rule id with its offset in the body (a blanket `ignore` has the one id [`EVERY_RULE`] at
/// its `ignore` word), or why it is malformed with the offset and length of the part to fix.
type Said<'b> = Result<(bool, Vec<(&'b str, usize)>), (&'static str, usize, usize)>;

/// `atl-lint: ignore[a, b] reason`, `atl-lint: ignore-file[a]`, or the blanket `atl-lint:
/// ignore` / `ignore-file` (every rule), in any case; `None` for a comment that is no
/// suppression at all.
fn parse(body: &str) -> Option<Said<'_>> {
    let lead = body.len() - body.trim_start().len();
    let rest = body.get(lead..)?;
    if !rest.get(..9).is_some_and(|p| p.eq_ignore_ascii_case("atl-lint:")) {
        return None;
    }
    let rest = rest.get(9..)?;
    let trimmed = rest.trim_start();
    let at = lead + 9 + (rest.len() - trimmed.len());
    let word_end = trimmed.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(trimmed.len());
    let word = trimmed.get(..word_end)?.to_ascii_lowercase();
    let file_wide = match word.as_str() {
        "ignore" => false,
        "ignore-file" => true,
        _ => {
            // No word at all: the character there, whole (it may take several bytes).
            let len = if word_end == 0 { trimmed.chars().next().map_or(0, char::len_utf8) } else { word_end };
            return Some(Err(("the word after `atl-lint:` is neither `ignore` nor `ignore-file`", at, len)));
        }
    };
    let after = trimmed.get(word_end..)?;
    if !after.starts_with('[') {
        // The blanket form: every rule.
        return Some(Ok((file_wide, vec![(EVERY_RULE, at)])));
    }
    let list_start = at + word_end + 1;
    let list = body.get(list_start..)?;
    let Some(close) = list.find(']') else {
        return Some(Err(("the rule list is not closed with `]`", at, word_end + 1)));
    };
    let mut ids = Vec::new();
    let mut offset = list_start;
    for part in list.get(..close)?.split(',') {
        let id = part.trim();
        let lead = part.len() - part.trim_start().len();
        if !id.is_empty() {
            ids.push((id, offset + lead));
        }
        offset += part.len() + 1;
    }
    if ids.is_empty() {
        return Some(Err(("the rule list is empty", at, word_end + close + 2)));
    }
    Some(Ok((file_wide, ids)))
}

#[cfg(test)]
mod tests {
    use super::{parse, Entry, Reach};
    use crate::source::{FileId, Span};

    #[test]
    fn nested_ranges_are_all_found() {
        let entry = |rule: &str, range: Option<(usize, usize)>| Entry {
            rule: rule.into(),
            span: Span::new(FileId(0), 0, 0),
            range,
            used: false,
            invalid: None,
        };
        let list = [
            entry("a", Some((0, 100))),
            entry("a", Some((10, 20))),
            entry("a", Some((30, 40))),
            entry("b", Some((30, 40))),
            entry("a", None),
        ];
        let index = Reach::index(&list);
        let covering = |rule: &str, offset: usize| {
            let mut found: Vec<usize> = index.get(rule).map(|r| r.covering(offset).collect()).unwrap_or_default();
            found.sort_unstable();
            found
        };
        assert_eq!(covering("a", 35), vec![0, 2, 4]);
        assert_eq!(covering("a", 25), vec![0, 4]);
        assert_eq!(covering("a", 150), vec![4]);
        assert_eq!(covering("b", 30), vec![3]);
        assert_eq!(covering("b", 41), Vec::<usize>::new());
    }

    #[test]
    fn suppression_comments_name_their_rules_with_offsets() {
        fn valid(body: &str) -> Option<(bool, Vec<(&str, usize)>)> {
            parse(body).and_then(Result::ok)
        }
        let (file_wide, ids) = valid(" atl-lint: ignore[a-b,  c] because").expect("parsed");
        assert!(!file_wide);
        assert_eq!(ids, [("a-b", 18), ("c", 24)]);
        let (file_wide, ids) = valid("atl-lint:ignore-file[x]").expect("parsed");
        assert!(file_wide);
        assert_eq!(ids, [("x", 21)]);
        assert!(parse(" atl-lint ignore[x]").is_none());
        assert!(parse(" just a comment").is_none());
        // The blanket form, and upper case.
        assert_eq!(valid(" atl-lint: ignore legacy vhost"), Some((false, vec![(super::EVERY_RULE, 11)])));
        // A first character of several bytes is pointed at whole; nothing at the end, at.
        assert_eq!(
            parse("ATL-LINT:"),
            Some(Err(("the word after `atl-lint:` is neither `ignore` nor `ignore-file`", 9, 0)))
        );
        assert_eq!(
            parse(" atl-lint: \u{9f}gnore[x]"),
            Some(Err(("the word after `atl-lint:` is neither `ignore` nor `ignore-file`", 11, 2)))
        );
        assert_eq!(valid(" ATL-LINT: IGNORE[Rule-A]"), Some((false, vec![("Rule-A", 18)])));
        // Malformed: an empty list, an unclosed one, another word.
        let invalid = |body: &str| parse(body).and_then(Result::err).map(|(_, at, len)| (at, len));
        assert_eq!(invalid(" atl-lint: ignore[]"), Some((11, 8)));
        assert_eq!(invalid(" atl-lint: ignore[a"), Some((11, 7)));
        assert_eq!(invalid(" atl-lint: ignored[a]"), Some((11, 7)));
    }
}
