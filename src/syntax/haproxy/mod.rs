//! `haproxy.cfg` read as HAProxy 2.6 reads it, with a span on every word.
//!
//! Lines are tokenised by a state machine that follows HAProxy's own `parse_line` (see
//! `grammar/haproxy.md`): comments from `#` anywhere outside quotes, literal single quotes,
//! double quotes with `${VAR}` references, backslash escapes, words glued from quoted and
//! unquoted pieces, no line continuation, a bare CR ending the line. Conditional blocks
//! (`.if`/`.elif`/`.else`/`.endif`) are evaluated where the answer is known and kept as
//! conditional where it depends on the environment.

use super::{Comment, SyntaxProblem};
use crate::config::Release;
use crate::source::{FileId, SourceFile, Span};

/// HAProxy reads at most this many words on a line.
const MAX_WORDS: usize = 64;

pub use super::words::{PackedWords, WordRef, Words};
pub use super::Word;

/// Whether a word is a section keyword of some supported HAProxy line (`spoe-*` and `ot-*`
/// sections live in their filters' own files, which haproxy.cfg cannot hold).
fn is_section(word: &str) -> bool {
    keywords::keywords().sections.contains(word)
}

/// A keyword line inside a section. Its words are kept packed (see [`PackedWords`]):
/// [`Statement::words`] reads them as [`WordRef`]s.
#[derive(Clone)]
pub struct Statement<'a> {
    /// Its words, the keyword first.
    words: PackedWords<'a>,
    /// First word to last.
    pub span: Span,
    /// Inside an `.if` block whose condition depends on the environment.
    pub conditional: bool,
    /// The first word is a `no`/`default` modifier (found once: rules ask for every line).
    modified: bool,
    /// The keyword's length (up to 255) and first byte, kept with the statement: most
    /// [`Statement::is`] questions are answered no from these alone.
    key: [u8; 2],
}

/// The length (up to 255) and first byte of a keyword.
fn key_of(keyword: &str) -> [u8; 2] {
    [u8::try_from(keyword.len()).unwrap_or(u8::MAX), keyword.as_bytes().first().copied().unwrap_or(0)]
}

impl std::fmt::Debug for Statement<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement")
            .field("words", &self.words())
            .field("span", &self.span)
            .field("conditional", &self.conditional)
            .field("modified", &self.modified)
            .finish()
    }
}

impl<'a> Statement<'a> {
    /// A line of `words` (read from `source`) spanning `span`.
    fn new(source: &'a SourceFile, words: &mut Vec<Word<'a>>, span: Span, conditional: bool) -> Self {
        let modified = words.len() > 1 && matches!(words.first().map(|w| w.text.as_ref()), Some("no" | "default"));
        let key = key_of(words.get(usize::from(modified)).map_or("", |w| w.text.as_ref()));
        Statement { words: PackedWords::new(source, words.drain(..)), span, conditional, modified, key }
    }

    /// Its words, the keyword first.
    pub fn words(&self) -> Words<'_> {
        self.words.view()
    }

    /// How many leading words name the keyword's modifier (`no option x`, `default option x`).
    fn modifier_len(&self) -> usize {
        usize::from(self.modified)
    }

    /// The keyword (after a `no`/`default` modifier).
    pub fn keyword(&self) -> Option<WordRef<'_>> {
        self.words().get(self.modifier_len())
    }

    /// The words after the keyword.
    pub fn args(&self) -> Words<'_> {
        self.words().from(self.modifier_len() + 1)
    }

    /// The `no`/`default` modifier, if any.
    pub fn modifier(&self) -> Option<WordRef<'_>> {
        (self.modifier_len() == 1).then(|| self.words().first()).flatten()
    }

    /// Whether the keyword (and, for two-word keywords, the next word) reads `words`.
    pub fn is(&self, words: &[&str]) -> bool {
        match words.first() {
            Some(keyword) if key_of(keyword) != self.key => false,
            _ => self.words.starts_with(self.modifier_len(), words),
        }
    }

    /// The longest keyword of one to `max` words (after the modifier) that `lookup` knows,
    /// with the number of words it spans: `timeout client`, `option httplog`, `bind`.
    pub fn longest_keyword<T>(&self, max: usize, mut lookup: impl FnMut(&str) -> Option<T>) -> Option<(T, usize)> {
        if max <= 1 {
            let word = self.keyword()?;
            return lookup(word.text).map(|found| (found, 1));
        }
        // One string of the first `max` words, on the stack (this runs for every statement);
        // each shorter keyword is a prefix of it. No keyword is longer than the buffer.
        const LONGEST: usize = 64;
        let mut joined = [0u8; LONGEST];
        let mut len = 0usize;
        let mut ends = [0usize; 4];
        let mut count = 0;
        for word in self.words().from(self.modifier_len()).iter().take(max.min(ends.len())) {
            let text = word.text.as_bytes();
            let start = if len == 0 { 0 } else { len + 1 };
            let Some(slot) = joined.get_mut(start.saturating_sub(1)..start + text.len()) else { break };
            if let Some((space, rest)) = slot.split_first_mut().filter(|_| start > 0) {
                *space = b' ';
                rest.copy_from_slice(text);
            } else {
                slot.copy_from_slice(text);
            }
            len = start + text.len();
            if let Some(end) = ends.get_mut(count) {
                *end = len;
                count += 1;
            }
        }
        let ends = ends.get(..count).unwrap_or(&[]);
        ends.iter().enumerate().rev().find_map(|(i, &end)| {
            let key = std::str::from_utf8(joined.get(..end)?).ok()?;
            lookup(key).map(|found| (found, i + 1))
        })
    }

    /// The `if`/`unless` condition of a rule line, if it has one.
    pub fn condition(&self) -> Option<Condition<'_>> {
        if self.is(&["acl"]) {
            return None;
        }
        let at = self.words.find(self.modifier_len() + 1, &["if", "unless"])?;
        let words = self.words();
        Some(Condition { keyword: words.get(at)?, words: words.from(at + 1) })
    }
}

/// The words after `if`/`unless`.
#[derive(Clone, Copy, Debug)]
pub struct Condition<'s> {
    /// `if` or `unless`.
    pub keyword: WordRef<'s>,
    /// The condition's words.
    pub words: Words<'s>,
}

impl<'s> Condition<'s> {
    /// The named ACLs the condition uses (anonymous `{ ... }` blocks, `!`, `or` and `||` left
    /// out), with the span of the name itself.
    pub fn acl_names(&self) -> Vec<(&'s str, Span)> {
        let mut names = Vec::new();
        let mut depth = 0usize;
        for word in self.words.iter() {
            let text = word.text;
            let bangs = text.len() - text.trim_start_matches('!').len();
            let name = text.get(bangs..).unwrap_or("");
            let name_span = word.sub_span(bangs, word.span.len());
            match name {
                "{" => depth += 1,
                "}" => depth = depth.saturating_sub(1),
                "" | "||" => {}
                _ if depth > 0 || name.eq_ignore_ascii_case("or") || word.unknown => {}
                _ => names.push((name, name_span)),
            }
        }
        names
    }

    /// Whether every `{` has its `}`.
    pub fn braces_balanced(&self) -> bool {
        let mut depth = 0i64;
        for word in self.words.iter() {
            match word.text.trim_start_matches('!') {
                "{" => depth += 1,
                "}" => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    }
}

/// A section with its header and statements.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    /// The section keyword (`frontend`).
    pub keyword: Word<'a>,
    /// Its name, when it has one.
    pub name: Option<Word<'a>>,
    /// `from <defaults>` (HAProxy 2.4+).
    pub from: Option<Word<'a>>,
    /// The header's words, keyword to last.
    pub header: Span,
    /// The lines of the section that HAProxy reads (inactive `.if` branches left out).
    pub statements: Vec<Statement<'a>>,
}

impl<'a> Section<'a> {
    /// The section keyword.
    pub fn kind(&self) -> &str {
        &self.keyword.text
    }

    /// The section name, or `""`.
    pub fn name(&self) -> &str {
        self.name.as_ref().map_or("", |n| n.text.as_ref())
    }

    /// Whether it is a proxy section (`defaults`, `frontend`, `backend`, `listen`).
    pub fn is_proxy(&self) -> bool {
        matches!(self.kind(), "defaults" | "frontend" | "backend" | "listen")
    }

    /// The statements whose keyword (and following words) read `words`.
    pub fn find<'s>(&'s self, words: &'s [&'s str]) -> impl Iterator<Item = &'s Statement<'a>> + 's {
        self.statements.iter().filter(move |s| s.is(words))
    }
}

/// A parsed `haproxy.cfg`.
#[derive(Debug, Default)]
pub struct Config<'a> {
    /// Keyword lines before any section (HAProxy refuses them).
    pub outside: Vec<Statement<'a>>,
    /// Sections in file order.
    pub sections: Vec<Section<'a>>,
    /// Comments.
    pub comments: Vec<Comment<'a>>,
    /// What HAProxy would refuse to read.
    pub problems: Vec<SyntaxProblem>,
    /// Each section's `defaults` section, by index (see [`Config::defaults_of`]).
    defaults: Vec<Option<usize>>,
}

impl<'a> Config<'a> {
    /// The `defaults` section a proxy takes its defaults from: the one named by `from`, else
    /// the last `defaults` before it.
    pub fn defaults_of(&self, index: usize) -> Option<&Section<'a>> {
        self.sections.get(self.defaults_index(index)?)
    }

    /// The index of the `defaults` section of section `index`.
    pub fn defaults_index(&self, index: usize) -> Option<usize> {
        *self.defaults.get(index)?
    }

    /// Finds every section's `defaults` in one pass: the one named by `from` (the first of
    /// that name), else the last before it.
    fn link_defaults(&mut self) {
        let mut named: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
        for (i, s) in self.sections.iter().enumerate().filter(|(_, s)| s.kind() == "defaults") {
            named.entry(s.name()).or_insert(i);
        }
        let mut last = None;
        let mut defaults = Vec::with_capacity(self.sections.len());
        for (i, section) in self.sections.iter().enumerate() {
            defaults.push(match &section.from {
                Some(from) => named.get(from.text.as_ref()).copied(),
                None => last,
            });
            if section.kind() == "defaults" {
                last = Some(i);
            }
        }
        self.defaults = defaults;
    }
}

/// Below this size a file is read on one thread.
const PARALLEL_TEXT: usize = 1 << 18;

/// Parses a `haproxy.cfg`. A large file is cut at section headers into one piece per core,
/// read side by side, and joined: the lines of a section never depend on another
/// section's, and a file with `.if` blocks (whose nesting does cross sections) is read
/// again in one piece.
pub fn parse(source: &SourceFile) -> Config<'_> {
    parse_for(source, None)
}

/// Parses a `haproxy.cfg` for the release `target` (`None`: unknown), which decides
/// `version_atleast` and `version_before` conditions.
pub fn parse_for(source: &SourceFile, target: Option<Release>) -> Config<'_> {
    let text = source.parse_text();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let cuts = if text.len() < PARALLEL_TEXT { Vec::new() } else { section_cuts(text, cores) };
    if cuts.is_empty() {
        return finish(read_lines(source, target, 0, text.len()));
    }
    let bounds: Vec<(usize, usize)> = std::iter::once(0)
        .chain(cuts.iter().copied())
        .zip(cuts.iter().copied().chain(std::iter::once(text.len())))
        .collect();
    let pieces: Vec<Parser<'_>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = bounds
            .iter()
            .skip(1)
            .map(|&(start, end)| scope.spawn(move || read_lines(source, target, start, end)))
            .collect();
        let first = bounds.first().map(|&(start, end)| read_lines(source, target, start, end));
        let rest = helpers.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        first.into_iter().chain(rest).collect()
    });
    if pieces.iter().any(|p| p.saw_directive) {
        return finish(read_lines(source, target, 0, text.len()));
    }
    let mut pieces = pieces.into_iter();
    let Some(mut whole) = pieces.next() else { return finish(read_lines(source, target, 0, text.len())) };
    for piece in pieces {
        let config = piece.config;
        whole.config.outside.extend(config.outside);
        whole.config.sections.extend(config.sections);
        whole.config.comments.extend(config.comments);
        whole.config.problems.extend(config.problems);
        whole.blocks.extend(piece.blocks);
    }
    finish(whole)
}

/// Reads the lines of `start..end` (`start` at the start of a line).
fn read_lines(source: &SourceFile, target: Option<Release>, mut start: usize, end: usize) -> Parser<'_> {
    let text = source.parse_text();
    let mut parser = Parser {
        source,
        target,
        file: source.id(),
        text,
        config: Config::default(),
        blocks: Vec::new(),
        scratch: Vec::new(),
        saw_directive: false,
    };
    while start < end {
        let (line_end, next) = match text.get(start..end).and_then(|rest| rest.find('\n')) {
            Some(i) => (start + i, start + i + 1),
            None => {
                let span = Span::new(source.id(), text.len(), text.len());
                parser.problem(
                    span,
                    "the last line has no newline: HAProxy 2.3+ refuses the file as truncated",
                    "missing newline",
                );
                (end, end)
            }
        };
        parser.line(start, line_end);
        start = next;
    }
    parser.close_section();
    parser.config.outside.shrink_to_fit();
    parser
}

/// What is checked once the whole file is read.
fn finish(mut parser: Parser<'_>) -> Config<'_> {
    for block in std::mem::take(&mut parser.blocks) {
        parser.problem(block.span, "`.if` block is never closed with `.endif`", "opened here");
    }
    duplicate_proxies(&mut parser.config);
    parser.config.link_defaults();
    parser.config
}

/// Up to `pieces - 1` offsets that cut `text` into pieces of about equal size, each at the
/// start of a line opening a section (`backend` at the start of the line, then a blank).
fn section_cuts(text: &str, pieces: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let step = text.len() / pieces.max(1);
    for k in 1..pieces {
        let from = (k * step).max(cuts.last().map_or(0, |c| c + 1));
        let Some(rest) = text.get(from..) else { break };
        let found = rest.match_indices('\n').map(|(i, _)| from + i + 1).find(|&line| {
            let head = text.get(line..).unwrap_or("");
            let word_len = head.find([' ', '\t', '\n']).unwrap_or(head.len());
            head.get(..word_len).is_some_and(is_section) && word_len < head.len()
        });
        match found {
            Some(cut) if cut < text.len() => cuts.push(cut),
            _ => break,
        }
    }
    cuts
}

/// Two proxies with one name and a common side (two backends, a `listen` and a frontend, ...)
/// are refused by HAProxy.
fn duplicate_proxies(config: &mut Config<'_>) {
    let mut frontends: foldhash::HashMap<String, Span> = foldhash::HashMap::default();
    let mut backends: foldhash::HashMap<String, Span> = foldhash::HashMap::default();
    let mut found = Vec::new();
    for section in &config.sections {
        let Some(name) = section.name.as_ref().filter(|n| !n.unknown) else { continue };
        let sides: &[bool] = match section.kind() {
            "frontend" => &[true],
            "backend" => &[false],
            "listen" => &[true, false],
            _ => continue,
        };
        for &front in sides {
            let seen = if front { &mut frontends } else { &mut backends };
            match seen.get(name.text.as_ref()) {
                Some(first) => found.push((name.span, *first, section.kind().to_string(), name.text.to_string())),
                None => {
                    seen.insert(name.text.to_string(), name.span);
                }
            }
        }
    }
    for (span, first, kind, name) in found {
        config.problems.push(SyntaxProblem {
            span,
            message: format!("{kind} `{name}` has the same name as a proxy declared before it"),
            label: "second proxy with this name".into(),
            related: Some((first, "first declared here".into())),
        });
    }
}

mod conditions;
pub mod keywords;
mod lexer;
mod lines;

use lines::Parser;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::lexer::tokenize;
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile::new(FileId(0), PathBuf::from("h.cfg"), "h.cfg".into(), None, text.as_bytes().to_vec())
    }

    fn words(line: &str) -> Vec<String> {
        let text = format!("{line}\n");
        let mut words = Vec::new();
        let tokens = tokenize(FileId(0), &text, 0, line.len(), &mut words);
        assert!(tokens.error.is_none(), "{line}: {:?}", tokens.error.map(|e| e.1));
        words.iter().map(|w| w.text.to_string()).collect()
    }

    fn error(line: &str) -> String {
        let text = format!("{line}\n");
        tokenize(FileId(0), &text, 0, line.len(), &mut Vec::new()).error.map(|e| e.1).unwrap_or_default()
    }

    /// A file over the parallel threshold, with comments, errors and duplicate names in
    /// every part.
    fn large_config(directive: bool) -> String {
        let mut text = String::from("global\n    maxconn 10\ndefaults\n    mode http\n");
        let mut i = 0;
        while text.len() < 3 * PARALLEL_TEXT {
            text.push_str(&format!("backend be{i} # comment {i}\n    server s{i} 127.0.0.1:{}\n", 1000 + i % 50));
            if i % 997 == 0 {
                text.push_str("    acl bad path_reg \"^/x$\"\nbackend be0\n  frontend  fe\n    bind :80\n");
            }
            if directive && i == 40_000 {
                text.push_str(".if defined(X)\nbackend gated\n    server g 10.0.0.1:80\n");
            }
            if directive && i == 60_000 {
                text.push_str(".endif\n");
            }
            i += 1;
        }
        text.push_str("backend last\n    server s 10.0.0.1:80");
        text
    }

    #[test]
    fn a_large_file_read_in_pieces_equals_one_read_in_one_piece() {
        for directive in [false, true] {
            let file = source(&large_config(directive));
            assert!(!section_cuts(file.parse_text(), 4).is_empty());
            let whole = format!("{:?}", finish(read_lines(&file, None, 0, file.text().len())));
            assert_eq!(format!("{:?}", parse(&file)), whole, "with .if blocks: {directive}");
        }
    }

    #[test]
    fn words_follow_haproxy_quoting() {
        assert_eq!(words(r"un\ quoted\$x\#y\x41\q"), [r"un quoted\$x#yA\q"]);
        assert_eq!(words(r#"'sq: ${HOME} \n \\ "x"'"#), [r#"sq: ${HOME} \n \\ "x""#]);
        assert_eq!(words(r#"a"b c"'d e'f"#), ["ab cd ef"]);
        assert_eq!(words("foo#comment"), ["foo"]);
        assert_eq!(words(r"endbackslash\"), [r"endbackslash\"]);
        assert_eq!(words(r#"x "" y"#), ["x", "", "y"]);
        assert_eq!(words("  bind\t:443   ssl crt /a.pem  # tail"), ["bind", ":443", "ssl", "crt", "/a.pem"]);
        assert_eq!(words("cr\rafter"), ["cr"]);
    }

    #[test]
    fn fatal_lines_name_the_reason() {
        assert_eq!(error(r#"log "trailing\""#), "unmatched quote");
        assert_eq!(error(r#"acl x path_reg "^/foo$""#), "forbidden first char in environment variable name");
        assert_eq!(error(r#"bind "${ADDR:8080""#), "unmatched brace in environment variable name");
        assert_eq!(error(r"x a\xZZ"), "truncated or invalid hexadecimal sequence");
        let many = vec!["w"; 65].join(" ");
        assert!(error(&many).starts_with("too many words"));
    }

    #[test]
    fn environment_references_are_unknown_words_with_spans() {
        let text = "bind \"${ADDR-127.0.0.1}:8443\" ssl\n";
        let mut words = Vec::new();
        tokenize(FileId(0), text, 0, text.len() - 1, &mut words);
        let addr = &words[1];
        assert!(addr.unknown);
        assert_eq!(&text[addr.span.start()..addr.span.end()], "\"${ADDR-127.0.0.1}:8443\"");
        assert!(!words[2].unknown);
    }

    #[test]
    fn sections_statements_and_conditions() {
        let text = "global\n  daemon\ndefaults base\nfrontend fe from base\n  bind :80\n  use_backend be if !is_api || { path_beg /x }\n.if version_atleast(2.4)\n  http-request deny if bad\n.else\n  reqadd X-Old:1\n.endif\n.if defined(X)\n  option httplog\n.endif\n";
        let src = source(text);
        let config = parse_for(&src, Some(Release { major: 2, minor: 6, patch: None }));
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert_eq!(config.sections.len(), 3);
        let fe = &config.sections[2];
        assert_eq!((fe.kind(), fe.name(), fe.from.as_ref().map(|w| w.text.as_ref())), ("frontend", "fe", Some("base")));
        let kinds: Vec<&str> = fe.statements.iter().filter_map(|s| s.keyword()).map(|w| w.text).collect();
        assert_eq!(kinds, ["bind", "use_backend", "http-request", "option"], "the false branch is left out");
        assert!(fe.statements[3].conditional);
        let names: Vec<&str> = fe.statements[1]
            .condition()
            .map(|c| c.acl_names().into_iter().map(|(n, _)| n).collect())
            .unwrap_or_default();
        assert_eq!(names, ["is_api"]);
    }

    #[test]
    fn skipped_branches_are_not_evaluated() {
        let text = ".if 0\n.if foo(a)\n.endif\n.include x\n.endif\n.if 1\n.elif foo(a)\n.endif\n.if\n.endif\n.if -1 && 0x10\n.endif\n.if version_atleast(2.6.13)\n  bogus\n.endif\n.if feature(OPENSSL)\nglobal\n.else\n  reqadd x\n.endif\n";
        let src = source(text);
        let config = parse_for(&src, Some(Release { major: 2, minor: 6, patch: Some(12) }));
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert!(config.outside.is_empty(), "only taken branches are read: {:?}", config.outside);
    }

    #[test]
    fn version_conditions_follow_the_targeted_release() {
        let text = ".if version_atleast(3.0)
global
  new
.else
global
  old
.endif
";
        let src = source(text);
        let read = |target: Option<Release>| -> Vec<(String, bool)> {
            let config = parse_for(&src, target);
            let statements = config.sections.iter().flat_map(|s| s.statements.iter());
            statements.filter_map(|s| Some((s.keyword()?.text.to_string(), s.conditional))).collect()
        };
        let release = |major, minor, patch| Some(Release { major, minor, patch });
        // Unknown release: both branches are read, each as depending on the environment.
        assert_eq!(read(None), [("new".into(), true), ("old".into(), true)]);
        assert_eq!(read(release(3, 2, None)), [("new".to_string(), false)]);
        assert_eq!(read(release(2, 8, Some(5))), [("old".to_string(), false)]);
        // `3.0` against `3.0.1`: the line is known, the patch level is not.
        let patch = ".if version_before(3.0.1)
global
  old
.endif
";
        let src = source(patch);
        let conditional = |target| parse_for(&src, target).sections.first().map(|s| s.statements.len());
        assert_eq!(conditional(release(3, 0, Some(0))), Some(1));
        assert_eq!(conditional(release(3, 0, Some(2))), None);
        let unknown = parse_for(&src, release(3, 0, None));
        assert!(unknown.sections.first().is_some_and(|s| s.statements.first().is_some_and(|st| st.conditional)));
    }

    #[test]
    fn lines_end_at_cr_and_variable_names_are_checked() {
        assert_eq!(error("x 'a\rb'"), "unmatched quote");
        assert_eq!(error("x \"a\\\rb\""), "unmatched quote");
        assert_eq!(error("x \"${FOO:8080}\""), "unmatched brace in environment variable name");
        assert_eq!(error("x \"${.FOO}\""), "forbidden first char in environment variable name");
        assert_eq!(words("x \"${.LINE}\""), ["x", "${.LINE}"]);
        let full = vec!["w"; 64].join(" ");
        assert_eq!(words(&full).len(), 64);
        assert!(error(&format!("{full} # note")).starts_with("too many words"));
    }

    #[test]
    fn proxies_sharing_a_name_and_a_side_are_refused() {
        let text = "frontend www\nbackend www\nbackend be\nlisten be\n";
        let src = source(text);
        let problems: Vec<String> = parse(&src).problems.into_iter().map(|p| p.message).collect();
        assert_eq!(problems, ["listen `be` has the same name as a proxy declared before it"]);
    }

    #[test]
    fn sections_that_take_no_name_or_may_omit_it() {
        let text = "crt-store\n  load crt a.pem\ncrt-store web\ntraces\ntraces x\nlog-profile\n";
        let src = source(text);
        let problems: Vec<String> = parse(&src).problems.into_iter().map(|p| p.message).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("unexpected word") && problems[0].contains("`traces`"), "{problems:?}");
        assert_eq!(problems[1], "a `log-profile` section needs a name");
    }

    #[test]
    fn block_errors_and_missing_final_newline() {
        let config_text = ".include x\n.notice a b\n.endif\n.if 1\n.else\n.elif 1\n.notice skipped branch\nglobal";
        let src = source(config_text);
        let messages: Vec<String> = parse(&src).problems.into_iter().map(|p| p.message).collect();
        assert!(messages.iter().any(|m| m.starts_with("lone `.endif`")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("`.elif` after `.else`")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("unknown directive `.include`")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("unexpected argument")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("the last line has no newline")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("never closed")), "{messages:?}");
    }
}
