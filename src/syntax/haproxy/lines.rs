//! Reading an `haproxy.cfg` line by line: sections, statements, comments, `.if` blocks and
//! the directives HAProxy carries out while it reads (`.warning`, `.alert`, `.diag`).

use super::conditions::{condition_or, Truth};
use super::lexer::{tokenize, Tokens};
use super::*;

/// An open `.if` block.
pub(super) struct Block {
    pub(super) span: Span,
    /// Whether some earlier branch was taken.
    pub(super) taken: Truth,
    /// Whether the current branch is taken.
    pub(super) current: Truth,
    pub(super) seen_else: bool,
    /// Whether the enclosing blocks' branches are all taken, kept so that a line's activity
    /// costs one step however deep the nesting.
    pub(super) enclosing: Truth,
}

pub(super) struct Parser<'a> {
    pub(super) source: &'a SourceFile,
    /// The release `version_atleast` conditions are decided for (`None`: unknown).
    pub(super) target: Option<Release>,
    pub(super) file: FileId,
    pub(super) text: &'a str,
    pub(super) config: Config<'a>,
    pub(super) blocks: Vec<Block>,
    /// The words of the line being read (one buffer for every line; each statement packs
    /// them).
    pub(super) scratch: Vec<Word<'a>>,
    /// A `.if`-style directive line was read.
    pub(super) saw_directive: bool,
}

impl<'a> Parser<'a> {
    pub(super) fn problem(&mut self, span: Span, message: impl Into<String>, label: &str) {
        self.config.problems.push(SyntaxProblem { span, message: message.into(), label: label.into(), related: None });
    }

    /// Whether the lines read now are read by HAProxy: no, yes, or depending on the environment.
    pub(super) fn activity(&self) -> Truth {
        self.blocks.last().map_or(Truth::Yes, |b| b.enclosing.and(b.current))
    }

    pub(super) fn line(&mut self, start: usize, end: usize) {
        let mut words = std::mem::take(&mut self.scratch);
        words.clear();
        let tokens = tokenize(self.file, self.text, start, end, &mut words);
        self.read_words(&mut words, tokens, end);
        self.scratch = words;
    }

    pub(super) fn read_words(&mut self, words: &mut Vec<Word<'a>>, tokens: Tokens<'a>, end: usize) {
        if let Some(comment) = tokens.comment {
            self.config.comments.push(comment);
        }
        if let Some((at, message)) = tokens.error {
            let span = Span::new(self.file, at, (at + 1).min(end.max(at)));
            self.problem(span, message, "HAProxy stops reading here");
            return;
        }
        let Some(first) = words.first() else { return };
        if first.text.starts_with('.') && !first.unknown {
            self.saw_directive = true;
            self.directive(words);
            return;
        }
        if self.activity() == Truth::No {
            return;
        }
        let conditional = self.activity() == Truth::Unknown;
        if first.text.starts_with('[') && self.text.get(first.span.start()..).is_some_and(|t| t.starts_with('[')) {
            // A `[scope]` line (SPOE and OpenTracing files).
            return;
        }
        let span = first.span.cover(words.last().map_or(first.span, |w| w.span));
        if is_section(&first.text) && !first.unknown {
            self.section(std::mem::take(words), span);
            return;
        }
        let statement = Statement::new(self.source, words, span, conditional);
        if let Some(condition) = statement.condition() {
            if !condition.braces_balanced() {
                let message = "unbalanced `{` `}` in the condition: anonymous ACLs are `{ criterion args }`, braces as separate words";
                let at = Span::new(self.file, condition.keyword.span.start(), statement.span.end());
                self.problem(at, message, "condition");
            }
        }
        match self.config.sections.last_mut() {
            Some(section) => section.statements.push(statement),
            None => self.config.outside.push(statement),
        }
    }

    pub(super) fn section(&mut self, words: Vec<Word<'a>>, header: Span) {
        let mut words = words.into_iter();
        let Some(keyword) = words.next() else { return };
        let rest: Vec<Word<'a>> = words.collect();
        let kind = keyword.text.to_string();
        let proxy = matches!(kind.as_str(), "defaults" | "frontend" | "backend" | "listen");
        let (name, from, extra) = match rest.as_slice() {
            [from_kw, parent, extra @ ..] if proxy && from_kw.text == "from" => {
                (None, Some(parent.clone()), extra.first())
            }
            [name, from_kw, parent, extra @ ..] if proxy && from_kw.text == "from" => {
                (Some(name.clone()), Some(parent.clone()), extra.first())
            }
            // `global` and `traces` take no name.
            [name, extra @ ..] if !matches!(kind.as_str(), "global" | "traces") => {
                (Some(name.clone()), None, extra.first())
            }
            [extra, ..] => (None, None, Some(extra)),
            [] => (None, None, None),
        };
        if let Some(extra) = extra {
            let message = format!("unexpected word `{}` in the `{kind}` section header", extra.text);
            self.problem(extra.span, message, "unexpected");
        }
        if name.as_ref().is_some_and(|n| n.text == "from") {
            self.problem(
                header,
                format!("`from` in the `{kind}` header names no `defaults` section"),
                "incomplete header",
            );
        }
        // A `crt-store` without a name is HAProxy 3.0's unnamed store.
        let needs_name = !matches!(kind.as_str(), "global" | "traces" | "defaults" | "namespace_list" | "crt-store");
        if needs_name && name.is_none() {
            self.problem(keyword.span, format!("a `{kind}` section needs a name"), "no name");
        }
        if let Some(parent) = from.as_ref().filter(|p| !p.unknown) {
            let known = self.config.sections.iter().any(|s| s.kind() == "defaults" && s.name() == parent.text);
            if !known {
                let message = format!("`from {}` names no `defaults` section defined before this one", parent.text);
                self.problem(parent.span, message, "no such defaults");
            }
        }
        self.close_section();
        self.config.sections.push(Section { keyword, name, from, header, statements: Vec::new() });
    }

    /// Gives back the spare room of the last section's statements once no line can join
    /// it: large files have tens of thousands of small sections.
    pub(super) fn close_section(&mut self) {
        if let Some(last) = self.config.sections.last_mut() {
            last.statements.shrink_to_fit();
        }
    }

    pub(super) fn directive(&mut self, words: &[Word<'a>]) {
        let Some(first) = words.first() else { return };
        let span = first.span.cover(words.last().map_or(first.span, |w| w.span));
        let expression = words.iter().skip(1).map(|w| w.text.as_ref()).collect::<Vec<_>>().join(" ");
        // Inside a skipped branch HAProxy only counts the nesting: nothing is evaluated.
        let outer = self.activity();
        match first.text.as_ref() {
            ".if" => {
                let value = if outer == Truth::No { Truth::No } else { self.evaluate(&expression, span) };
                let taken = if outer == Truth::No { Truth::Yes } else { value };
                let block = Block { span: first.span, taken, current: value, seen_else: false, enclosing: outer };
                self.blocks.push(block);
            }
            ".elif" => {
                let Some(block) = self.blocks.last() else {
                    self.problem(first.span, "`.elif` without `.if`", "no open `.if`");
                    return;
                };
                if block.seen_else {
                    self.problem(first.span, "`.elif` after `.else` is not permitted", "after `.else`");
                    return;
                }
                let enclosing = block.enclosing;
                let already = block.taken;
                let value = if already == Truth::Yes || enclosing == Truth::No {
                    Truth::No
                } else {
                    self.evaluate(&expression, span)
                };
                if let Some(block) = self.blocks.last_mut() {
                    block.current = already.not().and(value);
                    block.taken = already.or(value);
                }
            }
            ".else" | ".endif" if words.len() > 1 => {
                if let Some(extra) = words.get(1) {
                    let message = format!("`{}` takes no argument (found `{}`)", first.text, extra.text);
                    self.problem(extra.span, message, "unexpected argument");
                }
            }
            ".else" => match self.blocks.last_mut() {
                None => self.problem(first.span, "`.else` without `.if`", "no open `.if`"),
                Some(block) if block.seen_else => {
                    self.problem(first.span, "second `.else` in one `.if` block", "second `.else`")
                }
                Some(block) => {
                    block.current = block.taken.not();
                    block.taken = Truth::Yes;
                    block.seen_else = true;
                }
            },
            ".endif" => {
                if self.blocks.pop().is_none() {
                    self.problem(first.span, "lone `.endif` with no matching `.if`", "no open `.if`");
                }
            }
            _ if outer == Truth::No => {}
            ".diag" | ".notice" | ".warning" | ".alert" => {
                if let Some(extra) = words.get(2) {
                    let message =
                        format!("unexpected argument `{}` for `{}`: quote the message", extra.text, first.text);
                    self.problem(extra.span, message, "second word");
                } else if first.text == ".alert" && outer == Truth::Yes {
                    let message =
                        format!("`.alert` stops HAProxy here: {}", words.get(1).map_or("", |w| w.text.as_ref()));
                    self.problem(span, message, "HAProxy refuses to start here");
                }
            }
            other => {
                let message = format!("unknown directive `{other}`; HAProxy knows `.if`, `.elif`, `.else`, `.endif`, `.diag`, `.notice`, `.warning`, `.alert`");
                self.problem(first.span, message, "unknown directive");
            }
        }
    }

    pub(super) fn evaluate(&mut self, expression: &str, span: Span) -> Truth {
        let mut cursor = expression.trim();
        match condition_or(&mut cursor, self.target) {
            Some(value) if cursor.trim().is_empty() => value,
            _ => {
                self.problem(span, format!("unparsable conditional expression `{expression}`"), "cannot be evaluated");
                Truth::Unknown
            }
        }
    }
}
