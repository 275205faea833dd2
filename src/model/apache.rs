//! Apache httpd's side of the request path: `ProxyPass` lines with the local path they apply
//! to, and what their upstream URLs say.

use super::url::url_path;
use crate::source::Span;
use crate::syntax::apache::{Config, Directive};
use crate::syntax::words::WordRef;

/// What a `ProxyPass` sends to.
#[derive(Clone, Copy, Debug)]
pub enum Target<'s> {
    /// An upstream URL.
    Url(WordRef<'s>),
    /// `!`: not proxied.
    Exclusion,
}

/// A `ProxyPass` or `ProxyPassReverse`, with the local path it applies to.
#[derive(Clone, Copy, Debug)]
pub struct Pass<'s, 'a> {
    /// The directive.
    pub directive: &'s Directive<'a>,
    /// `ProxyPassReverse`.
    pub reverse: bool,
    /// The local path, and where it is written (the `<Location>` argument for the one-argument
    /// form).
    pub local: (&'s str, Span),
    /// Written inside `<Location>` (one-argument form).
    pub in_location: bool,
    /// The upstream.
    pub target: Target<'s>,
    /// The enclosing `<VirtualHost>` (`None`: the server context).
    pub vhost: Option<usize>,
}

/// Every `ProxyPass`/`ProxyPassReverse` of a file whose arguments are known.
pub fn passes<'s, 'a>(config: &'s Config<'a>) -> Vec<Pass<'s, 'a>> {
    let enclosing = Enclosing::of(config);
    let mut out = Vec::new();
    for directive in &config.directives {
        let reverse = directive.is("ProxyPassReverse");
        if !reverse && !directive.is("ProxyPass") {
            continue;
        }
        let vhost = enclosing.vhost(directive.block());
        let location = enclosing.location(directive.block()).and_then(|b| config.blocks.get(b));
        let args = directive.args();
        let (local, target, in_location) = match (args.first(), args.get(1), location) {
            (Some(first), _, Some(location)) if !first.text.starts_with('/') => {
                let Some(path) = location.args().first() else { continue };
                ((path.text, path.span), first, true)
            }
            (Some(path), Some(target), _) => ((path.text, path.span), target, false),
            _ => continue,
        };
        // A template expression in the upstream's host or port leaves its path known
        // (`http://<%= @host %>:8080/jira/`); one in the path leaves nothing to judge.
        let path_known = url_path(target.text).is_some_and(|p| !p.is_empty() && !crate::syntax::is_unknown(p));
        if (target.unknown && !path_known) || directive.args().first().is_some_and(|w| w.unknown) {
            continue;
        }
        let target = if target.text == "!" { Target::Exclusion } else { Target::Url(target) };
        out.push(Pass { directive, reverse, local, in_location, target, vhost });
    }
    out.shrink_to_fit();
    out
}

/// The `<VirtualHost>` and the `<Location>` around each block of a config (the block itself
/// included), each found from its parent's: walking up from every directive would cost the
/// nesting depth each time.
pub struct Enclosing {
    /// The `<VirtualHost>` and the `<Location>` of each block.
    around: Vec<(Option<usize>, Option<usize>)>,
}

impl Enclosing {
    /// The containers around every block of `config`.
    pub fn of(config: &Config<'_>) -> Self {
        let around = config.per_block((None, None), |(vhost, location), index, block| {
            let vhost = if block.is("VirtualHost") { Some(index) } else { vhost };
            let location = if block.is("Location") { Some(index) } else { location };
            (vhost, location)
        });
        Enclosing { around }
    }

    /// The `<VirtualHost>` around a directive or block.
    pub fn vhost(&self, block: Option<usize>) -> Option<usize> {
        self.around.get(block?).and_then(|a| a.0)
    }

    /// The `<Location>` around a directive or block.
    pub fn location(&self, block: Option<usize>) -> Option<usize> {
        self.around.get(block?).and_then(|a| a.1)
    }
}

/// The `<VirtualHost>` around a block, if any.
pub fn vhost_of(config: &Config<'_>, block: Option<usize>) -> Option<usize> {
    let mut current = block;
    while let Some(index) = current {
        let found = config.blocks.get(index)?;
        if found.is("VirtualHost") {
            return Some(index);
        }
        current = found.parent;
    }
    None
}
