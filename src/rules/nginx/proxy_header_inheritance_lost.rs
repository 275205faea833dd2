//! `proxy-header-inheritance-lost`: a block whose own `proxy_set_header` lines drop those
//! set around it.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::rules::apache::websocket_proxy_missing::is_synchrony;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::nginx::spliced::View;

declare_rule! {
    /// ## What it does
    /// Flags a block (usually a `location`) that sets some `proxy_set_header` lines of its
    /// own while an outer block (`server`, `http`) sets others, where a `proxy_pass` uses the
    /// inner ones. nginx inherits `proxy_set_header` only into a block that sets none: the
    /// first one in the `location` drops every header set around it. The finding names the
    /// headers that no longer reach the application (`Upgrade` and `Connection` on a
    /// Synchrony route are `websocket-proxy-missing`'s).
    ///
    /// ## Why is this bad?
    /// A `location` that adds one header silently loses the server's `Host`,
    /// `X-Forwarded-For` or `X-Forwarded-Proto`: the application builds links to the
    /// upstream's address, logs the proxy's address for every user, or redirects to `http`.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    ///     location /jira {
    ///         proxy_set_header X-Forwarded-Proto https;
    ///         proxy_pass http://localhost:8080/jira;
    ///     }
    /// }
    /// ```
    ///
    /// Use instead: repeat `Host` and `X-Forwarded-For` in the `location`, or move
    /// `X-Forwarded-Proto` up to the `server`.
    pub struct ProxyHeaderInheritanceLost {
        id: "proxy-header-inheritance-lost",
        summary: "a block whose own `proxy_set_header` lines drop the ones an outer block sets, for a `proxy_pass` inside it",
        severity: Warning,
        scope: "nginx",
        formats: [Nginx],
    }
}

/// A header line: its name as written, and where it is.
type Line<'c> = (&'c str, Span);

impl Rule for ProxyHeaderInheritanceLost {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        // A block included in several places is judged in each, said once.
        let mut said: HashSet<Span> = HashSet::new();
        for config in cx.topology().nginx_views() {
            let mut lines: HashMap<Option<usize>, Vec<Line<'_>>> = HashMap::new();
            for (node, directive) in config.directives().filter(|(_, d)| d.is("proxy_set_header")) {
                let Some(name) = directive.args().first() else { continue };
                let line = (name.text, directive.span);
                lines.entry(config.parent(node)).or_default().push(line);
            }
            if lines.len() < 2 {
                continue;
            }
            // The levels some `proxy_pass` takes its headers from, and whether one of them
            // goes to Synchrony.
            let mut used: HashMap<Option<usize>, bool> = HashMap::new();
            for (node, directive) in config.directives().filter(|(_, d)| d.is("proxy_pass")) {
                let Some(level) = level(config, &lines, config.parent(node)) else { continue };
                let url = directive.args().first().map_or("", |u| u.text);
                let public = location_of(config, config.parent(node)).unwrap_or("");
                *used.entry(level).or_default() |= is_synchrony(public, url);
            }
            let mut levels: Vec<(Option<usize>, bool)> = used.into_iter().collect();
            levels.sort_by_key(|(level, _)| *level);
            for (level, synchrony) in levels {
                let Some(inner) = level.and_then(|block| lines.get(&Some(block))) else { continue };
                let parent = level.and_then(|block| config.parent(block));
                let Some(outer) = self::level(config, &lines, parent).and_then(|l| lines.get(&l)) else { continue };
                // Header names compare case-insensitively: lower-cased for these two levels only.
                let own: HashSet<String> = inner.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
                let mut seen = HashSet::new();
                let lost: Vec<&Line<'_>> = outer
                    .iter()
                    .filter(|(n, _)| {
                        let name = n.to_ascii_lowercase();
                        let synchrony_own = synchrony && matches!(name.as_str(), "upgrade" | "connection");
                        !own.contains(&name) && !synchrony_own && seen.insert(name)
                    })
                    .collect();
                let (Some(first), Some((_, first_inner))) = (lost.first(), inner.first()) else { continue };
                if !said.insert(*first_inner) {
                    continue;
                }
                let names: Vec<String> = lost.iter().map(|(written, _)| format!("`{written}`")).collect();
                let message = format!(
                    "this block's `proxy_set_header` lines replace the ones set around it: {} no longer reach{} the app",
                    names.join(", "),
                    if names.len() == 1 { "es" } else { "" }
                );
                let finding = sink.emit(*first_inner, "drops the outer headers", message);
                finding.related(first.1, "set here, and not inherited");
                finding.help("repeat those lines in this block: nginx inherits `proxy_set_header` only into a block that sets none");
            }
        }
    }
}

/// The innermost block from `block` outwards that sets header lines.
fn level(
    config: View<'_, '_>,
    lines: &HashMap<Option<usize>, Vec<Line<'_>>>,
    block: Option<usize>,
) -> Option<Option<usize>> {
    config.outward(block).find(|b| lines.contains_key(b))
}

/// The path of the innermost `location` from `block` outwards.
fn location_of<'a>(config: View<'_, 'a>, block: Option<usize>) -> Option<&'a str> {
    let (_, location) = config.ancestors(block).find(|(_, d)| d.is("location"))?;
    location.args().last().map(|a| a.text)
}
