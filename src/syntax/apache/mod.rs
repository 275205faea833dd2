//! Apache httpd configuration read as Apache 2.4 reads one file, with a span on every word.
//!
//! Logical lines follow `ap_cfg_getline` (a `\` right before the line end joins the next
//! physical line verbatim), comments only where `#` starts the logical line, words follow
//! `ap_getword_conf` (a quote opens only at the start of a word and closes it; `\\` and
//! `\<quote>` are the only escapes), and containers follow `ap_build_config_sub`: `<Name
//! args>` with everything after its last `>` ignored, `</Name>` one word, matched without
//! regard to case. `<Macro>` and `<Lua...>` bodies are kept raw. See `grammar/apache.md`.

mod parser;

pub use parser::parse;

use super::words::{PackedWords, WordRef, Words};
use super::{Comment, SyntaxProblem};
use crate::source::Span;

/// A directive line.
#[derive(Clone, Debug)]
pub struct Directive<'a> {
    /// Its name as written (Apache matches it without regard to case), then its arguments.
    words: PackedWords<'a>,
    /// The whole logical line, over every physical line it spans.
    pub span: Span,
    /// The innermost container it is in (32-bit: a file holds far fewer containers, and a
    /// file of a million one-word lines is a million of these).
    block: Option<u32>,
    /// Apache does not read it: it stands in a false `<IfModule>`, `<IfDefine>` or
    /// `<IfVersion>` of its include tree.
    pub skipped: bool,
    /// Its module was not loaded when Apache read it.
    pub unloaded: bool,
}

impl Directive<'_> {
    /// The innermost container it is in.
    pub fn block(&self) -> Option<usize> {
        self.block.map(|b| b as usize)
    }

    /// Whether the directive is `name` (case-insensitively).
    pub fn is(&self, name: &str) -> bool {
        self.name().text.eq_ignore_ascii_case(name)
    }

    /// The directive name as written.
    pub fn name(&self) -> WordRef<'_> {
        self.words.view().first().unwrap_or_else(|| WordRef::missing(self.span))
    }

    /// Its arguments.
    pub fn args(&self) -> Words<'_> {
        self.words.view().from(1)
    }
}

/// A container: `<VirtualHost *:443>` ... `</VirtualHost>`.
#[derive(Clone, Debug)]
pub struct Block<'a> {
    /// The container name without `<` (`VirtualHost`), then its arguments (the `>` removed).
    words: PackedWords<'a>,
    /// The opening tag.
    pub span: Span,
    /// The closing tag, when there is one.
    pub close: Option<Span>,
    /// The enclosing container.
    pub parent: Option<usize>,
    /// Apache does not read it (see [`Directive::skipped`]).
    pub skipped: bool,
    /// Its module was not loaded when Apache read it.
    pub unloaded: bool,
    /// A condition (`<IfModule>`, ...) that is false where Apache reads it: its body is skipped.
    pub false_condition: bool,
}

impl Block<'_> {
    /// Whether the container is `name` (case-insensitively).
    pub fn is(&self, name: &str) -> bool {
        self.name().text.eq_ignore_ascii_case(name)
    }

    /// The container name without `<` (`VirtualHost`).
    pub fn name(&self) -> WordRef<'_> {
        self.words.view().first().unwrap_or_else(|| WordRef::missing(self.span))
    }

    /// Its arguments (the `>` removed).
    pub fn args(&self) -> Words<'_> {
        self.words.view().from(1)
    }
}

/// One file of Apache configuration.
#[derive(Clone, Debug, Default)]
pub struct Config<'a> {
    /// Directives in file order.
    pub directives: Vec<Directive<'a>>,
    /// Containers in file order.
    pub blocks: Vec<Block<'a>>,
    /// Comment lines.
    pub comments: Vec<Comment<'a>>,
    /// What Apache refuses.
    pub problems: Vec<SyntaxProblem>,
    /// Includes that name files outside what the run may read (not read).
    pub outside: Vec<OutsideInclude>,
    /// Includes of files a stock installation provides that this checkout lacks (outside
    /// live mode): the directive and the directive as written.
    pub not_in_checkout: Vec<(Span, String)>,
}

/// An include that names files outside what the run may read: they are not read.
#[derive(Clone, Debug)]
pub struct OutsideInclude {
    /// The directive.
    pub span: Span,
    /// The directive as written, `${NAME}` substituted (`IncludeOptional /etc/*`).
    pub directive: String,
    /// The paths it names that were not read, as named.
    pub paths: Vec<std::path::PathBuf>,
}

impl<'a> Config<'a> {
    /// Every directive and container by the name the directive table uses (containers with
    /// their `<`), with the span of the name and the enclosing container.
    pub fn named_items(&self) -> impl Iterator<Item = (String, Span, Option<usize>)> + '_ {
        let directives = self.directives.iter().map(|d| (d.name().text.to_string(), d.name().span, d.block()));
        directives.chain(self.blocks.iter().map(|b| (format!("<{}", b.name().text), b.name().span, b.parent)))
    }

    /// A value for each block, indexed like `blocks`: `step` makes a block's value from its
    /// parent's (`top` for a block at the top level). Blocks are stored as they open, so a
    /// parent's value is made before its children's, and deep nesting costs one step a block
    /// rather than a walk to the top for every directive.
    pub fn per_block<T: Copy>(&self, top: T, step: impl Fn(T, usize, &Block<'a>) -> T) -> Vec<T> {
        let mut out: Vec<T> = Vec::with_capacity(self.blocks.len());
        for (index, block) in self.blocks.iter().enumerate() {
            let outer = block.parent.and_then(|parent| out.get(parent).copied()).unwrap_or(top);
            out.push(step(outer, index, block));
        }
        out
    }

    /// The chain of containers around a directive or block, innermost first.
    pub fn ancestors(&self, mut block: Option<usize>) -> impl Iterator<Item = &Block<'a>> {
        std::iter::from_fn(move || {
            let found = self.blocks.get(block?)?;
            block = found.parent;
            Some(found)
        })
    }
}

/// A directive or a container of a [`Config`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// `directives[i]`.
    Directive(usize),
    /// `blocks[i]`.
    Block(usize),
}

/// Where a walk through a [`Config`]'s directives and containers in file order stands: the
/// walk borrows the configuration only for each step, so the caller may change it between
/// steps, and no list of every item is built.
#[derive(Clone, Copy, Debug, Default)]
pub struct ItemCursor {
    directives: usize,
    blocks: usize,
}

impl<'a> Config<'a> {
    /// The next directive or container in file order.
    pub fn next_item(&self, cursor: &mut ItemCursor) -> Option<Item> {
        let directive = self.directives.get(cursor.directives);
        let block = self.blocks.get(cursor.blocks);
        let take_directive = match (directive, block) {
            (Some(dir), Some(block)) => dir.span.start() < block.span.start(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_directive {
            cursor.directives += 1;
            Some(Item::Directive(cursor.directives - 1))
        } else {
            cursor.blocks += 1;
            Some(Item::Block(cursor.blocks - 1))
        }
    }

    /// The span of an item's line (an opening tag's, for a container).
    pub fn span(&self, item: Item) -> Option<Span> {
        match item {
            Item::Directive(i) => self.directives.get(i).map(|d| d.span),
            Item::Block(i) => self.blocks.get(i).map(|b| b.span),
        }
    }
}
