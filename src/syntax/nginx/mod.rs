//! nginx configuration read as nginx reads one file (`ngx_conf_read_token` and
//! `ngx_conf_parse`), with a span on every word.
//!
//! Words are separated by spaces, tabs and line ends; a word ends at `;` (the directive
//! ends) or `{` (a block opens), except `{` right after `$` (`${name}`); `}` closes a block
//! only where a word could start. A quote opens only at the start of a word, and after the
//! closing quote comes a space, `;`, `{` or `)`. `\` keeps the next byte in the word, and
//! the decoded word turns `\"`, `\'`, `\\` into the character and `\t`, `\r`, `\n` into
//! the control character; any other `\x` stays as written. `#` starts a comment only where
//! a word could start. nginx stops at the first error; this parser reports it, then goes on
//! from the next `;` or `}` so that the rest of the file is still read. See
//! `grammar/nginx.md`.

mod parser;
pub mod spliced;

pub use parser::parse;

use super::words::{PackedWords, WordRef, Words};
use super::{Comment, SyntaxProblem};
use crate::source::Span;

/// How many blocks [`Config::outward`] walks: real files nest a few.
pub const MAX_LEVELS: usize = 64;

/// A directive: a simple one ended by `;`, or one that opens a block with `{`.
#[derive(Clone, Debug)]
pub struct Directive<'a> {
    /// Its name (nginx matches it case-sensitively), then its arguments.
    words: PackedWords<'a>,
    /// From the name to the `;` or `{` that ends it.
    pub span: Span,
    /// The directive whose block it stands in (32-bit: see the Apache parser's).
    parent: Option<u32>,
    /// The block it opens, when it ends with `{` (boxed: most directives open none).
    pub block: Option<Box<Braces>>,
}

/// The braces of a block.
#[derive(Clone, Copy, Debug)]
pub struct Braces {
    /// The `{`.
    pub open: Span,
    /// The `}`, when the block is closed.
    pub close: Option<Span>,
    /// One past the index of the block's last directive (its blocks' included).
    pub end: u32,
}

impl Directive<'_> {
    /// Whether the directive is `name` (nginx compares names case-sensitively).
    pub fn is(&self, name: &str) -> bool {
        self.name().text == name
    }

    /// The directive name.
    pub fn name(&self) -> WordRef<'_> {
        self.words.view().first().unwrap_or_else(|| WordRef::missing(self.span))
    }

    /// Its arguments.
    pub fn args(&self) -> Words<'_> {
        self.words.view().from(1)
    }

    /// The index of the directive whose block it stands in.
    pub fn parent(&self) -> Option<usize> {
        self.parent.map(|p| p as usize)
    }
}

/// One file of nginx configuration.
#[derive(Clone, Debug, Default)]
pub struct Config<'a> {
    /// Directives in file order; a block's directives follow the directive that opens it.
    pub directives: Vec<Directive<'a>>,
    /// Comments.
    pub comments: Vec<Comment<'a>>,
    /// What nginx refuses, the first of them where nginx stops.
    pub problems: Vec<SyntaxProblem>,
    /// `include` lines that name files outside what the run may read: not read.
    pub outside: Vec<super::apache::OutsideInclude>,
    /// `include` lines naming what a stock installation provides that this checkout lacks
    /// (outside live mode): the line, and the directive as written.
    pub not_in_checkout: Vec<(Span, String)>,
}

impl<'a> Config<'a> {
    /// The directives enclosing the block `parent`, innermost first.
    pub fn ancestors(&self, mut parent: Option<usize>) -> impl Iterator<Item = &Directive<'a>> {
        std::iter::from_fn(move || {
            let directive = self.directives.get(parent?)?;
            parent = directive.parent();
            Some(directive)
        })
    }

    /// The blocks from `block` outwards, the file's top level (`None`) last: where nginx
    /// looks for an inherited setting. At most [`MAX_LEVELS`] of them, so that a hostile
    /// file nesting thousands deep is not walked for every directive in it.
    pub fn outward(&self, block: Option<usize>) -> impl Iterator<Item = Option<usize>> + '_ {
        let mut next = Some(block);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.map(|b| self.directives.get(b).and_then(Directive::parent));
            Some(current)
        })
        .take(MAX_LEVELS)
    }

    /// The directives of the block that directive `index` opens (`None`: the file's top
    /// level), not those of blocks inside it.
    pub fn children(&self, index: Option<usize>) -> impl Iterator<Item = (usize, &Directive<'a>)> {
        let (from, to) = match index {
            Some(i) => {
                let block = self.directives.get(i).and_then(|d| d.block.as_deref());
                (i + 1, block.map_or(i + 1, |b| b.end as usize))
            }
            None => (0, self.directives.len()),
        };
        let inside = self.directives.get(from..to.max(from)).unwrap_or(&[]);
        inside.iter().enumerate().map(move |(k, d)| (from + k, d)).filter(move |(_, d)| d.parent() == index)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::source::{FileId, FileKind, SourceFile};

    fn source(text: &str) -> SourceFile {
        let path = PathBuf::from("nginx.conf");
        SourceFile::read(FileId(0), path, "nginx.conf".into(), Some(FileKind::Nginx), text.as_bytes().to_vec())
    }

    /// Each directive as `depth:name arg arg` (the block marked with `{`).
    fn outline(text: &str) -> Vec<String> {
        let src = source(text);
        let config = parse(&src);
        assert!(config.problems.is_empty(), "{text:?}: {:?}", config.problems);
        config
            .directives
            .iter()
            .map(|d| {
                let depth = config.ancestors(d.parent()).count();
                let words: Vec<&str> = std::iter::once(d.name().text).chain(d.args().iter().map(|w| w.text)).collect();
                format!("{depth}:{}{}", words.join(" "), if d.block.is_some() { " {" } else { "" })
            })
            .collect()
    }

    /// The problems as `line:message`.
    fn problems(text: &str) -> Vec<String> {
        let src = source(text);
        let config = parse(&src);
        config.problems.iter().map(|p| format!("{}:{}", src.line_col(p.span.start()).0, p.message)).collect()
    }

    #[test]
    fn words_follow_nginx_quoting_and_escapes() {
        let text = "a \"b c\" 'd\\'e' f\\ g $x ${y}z x${ \"t\\tn\\q\" a#b a}b;\n";
        let expected = "0:a b c d'e f\\ g $x ${y}z x${ t\tn\\q a#b a}b";
        assert_eq!(outline(text), [expected]);
        // `)` right after a quote starts the next word.
        assert_eq!(outline("if ($a = \"b\") { return 404; }"), ["0:if ($a = b ) {", "1:return 404"]);
    }

    #[test]
    fn blocks_nest_and_comments_are_kept() {
        let text = "# top\nhttp {\n  server { # trailing\n    listen 80;\n    location / { proxy_pass http://x; }\n  }\n}\nevents {}\n";
        assert_eq!(
            outline(text),
            ["0:http {", "1:server {", "2:listen 80", "2:location / {", "3:proxy_pass http://x", "0:events {"]
        );
        let src = source(text);
        let config = parse(&src);
        let comments: Vec<&str> = config.comments.iter().map(|c| c.text).collect();
        assert_eq!(comments, [" top", " trailing"]);
        let server: Vec<&str> = config.children(Some(1)).map(|(_, d)| d.name().text).collect();
        assert_eq!(server, ["listen", "location"]);
        let top: Vec<&str> = config.children(None).map(|(_, d)| d.name().text).collect();
        assert_eq!(top, ["http", "events"]);
        assert!(config.directives.iter().all(|d| d.block.as_deref().is_none_or(|b| b.close.is_some())));
    }

    #[test]
    fn errors_carry_nginx_messages_and_the_rest_is_read() {
        assert_eq!(problems("a;\n;\nb;\n"), ["2:unexpected \";\""]);
        assert_eq!(problems("a \"b\"c;\nd;\n"), ["1:unexpected \"c\""]);
        assert_eq!(problems("http {\n  a b }\n"), ["2:unexpected \"}\""]);
        assert_eq!(problems("a;\n}\nb;\n"), ["2:unexpected \"}\""]);
        assert_eq!(problems("http {\n  a;\n"), ["3:unexpected end of file, expecting \"}\""]);
        assert_eq!(problems("http {\n  a"), ["2:unexpected end of file, expecting \";\" or \"}\""]);
        assert_eq!(problems("a \"b;\n"), ["2:unexpected end of file, expecting \";\" or \"}\""]);
        // After an error the parser goes on at the next `;`.
        let src = source("a \"b\"c d;\nserver { listen 80; }\n");
        let config = parse(&src);
        assert_eq!(config.directives.iter().map(|d| d.name().text).collect::<Vec<_>>(), ["server", "listen"]);
    }

    #[test]
    fn words_longer_than_the_buffer_are_refused_as_nginx_refuses_them() {
        let word = |n: usize, tail: &str| format!("env {}{tail}\nb;\n", "a".repeat(n));
        assert!(problems(&word(4095, ";")).is_empty());
        assert_eq!(problems(&word(4096, ";")), ["1:too long parameter \"aaaaaaaaaa...\" started"]);
        // The second refill falls right after the space that ends the word, whose start is
        // still the token's: 4095 bytes and the space.
        assert_eq!(problems(&word(4095, " ;")), ["1:too long parameter \"aaaaaaaaaa...\" started"]);
        let quoted = format!("env \"{}\";\n", "a".repeat(4100));
        assert_eq!(problems(&quoted), ["1:too long parameter, probably missing terminating \"\"\" character"]);
        let comment = format!("#{}\nb;\n", "c".repeat(4096));
        assert_eq!(problems(&comment), ["1:too long parameter \"#ccccccccc...\" started"]);
        assert!(problems(&format!("{}b;\n", "\n".repeat(9000))).is_empty());
    }

    #[test]
    fn lua_blocks_are_read_by_lua_rules() {
        let text = "location / {\n  content_by_lua_block {\n    local t = { a = \"}\" } -- }\n    ngx.say([[ } ]])\n  }\n  proxy_pass http://x;\n}\n";
        assert_eq!(outline(text), ["0:location / {", "1:content_by_lua_block {", "1:proxy_pass http://x"]);
        assert_eq!(problems("access_by_lua_block {\n  if x then\n"), ["3:unexpected end of file, expecting \"}\""]);
    }

    #[test]
    fn template_output_tags_are_words() {
        let text =
            "server {\n  listen {{ port }};\n  location {{ path }} {\n    proxy_pass http://{{ host }}:8080;\n  }\n}\n";
        let outline = outline(text);
        assert_eq!(outline.len(), 4, "{outline:?}");
        assert!(outline[1].starts_with("1:listen {{"), "{outline:?}");
        assert!(outline[2].starts_with("1:location {{") && outline[2].ends_with(" {"), "{outline:?}");
    }
}
