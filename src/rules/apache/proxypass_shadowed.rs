//! `proxypass-shadowed`: a `ProxyPass` that an earlier one always matches first.

use foldhash::HashMap;

use super::{trimmed, Pass};
use crate::rules::queries::apache_configs_with_passes;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `ProxyPass` (or a `!` exclusion) that can never match because an earlier
    /// `ProxyPass` in the same context (server or virtual host; `<Location>` forms are ordered
    /// differently and not judged) has a local path that is a prefix of it. The first match
    /// wins. Typical: `ProxyPass /` before `ProxyPass /synchrony` for Confluence.
    ///
    /// ## Why is this bad?
    /// The later line does nothing: Synchrony's traffic goes to Confluence's HTTP port, the
    /// exclusion excludes nothing. Apache gives no warning.
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass / http://localhost:8090/
    /// ProxyPass /synchrony http://localhost:8091/synchrony
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ProxyPass /synchrony http://localhost:8091/synchrony
    /// ProxyPass / http://localhost:8090/
    /// ```
    pub struct ProxypassShadowed {
        id: "proxypass-shadowed",
        summary: "a `ProxyPass` (or a `!` exclusion) that can never match because an earlier `ProxyPass` in the same context (server or virtual host; `<Location>` forms are ordered differently and not judged) has a local path that is a prefix of it",
        severity: Error,
        scope: "apache",
        formats: [Apache],
    }
}

/// Whether a request for `later` always matches `earlier` first (Apache compares whole path
/// segments unless the earlier path ends with `/`).
fn covers(earlier: &str, later: &str) -> bool {
    if earlier.ends_with('/') {
        return later.starts_with(earlier);
    }
    later == earlier || later.strip_prefix(earlier).is_some_and(|rest| rest.starts_with('/'))
}

/// The earlier forward passes of one file, by context and local path, each path mapped to the
/// first pass that wrote it, so a later path finds what covers it by looking up its own
/// prefixes instead of comparing with every earlier pass.
#[derive(Default)]
struct Earlier<'p> {
    first: HashMap<(Option<usize>, &'p str), usize>,
}

impl<'p> Earlier<'p> {
    /// Remembers a pass (the first one with a path wins).
    fn add(&mut self, vhost: Option<usize>, path: &'p str, index: usize) {
        self.first.entry((vhost, path)).or_insert(index);
    }

    /// The first earlier pass in the same context that covers `later` without being the same
    /// path: the candidates are `later` itself and its prefixes ending just before or just
    /// after a `/` (what [`covers`] accepts).
    fn covering(&self, vhost: Option<usize>, later: &str) -> Option<usize> {
        let slashes = later.char_indices().filter(|(_, c)| *c == '/').map(|(k, _)| k);
        let prefixes = slashes.flat_map(|k| [later.get(..k), later.get(..=k)]).flatten();
        std::iter::once(later)
            .chain(prefixes)
            .filter(|earlier| covers(earlier, later) && trimmed(earlier) != trimmed(later))
            .filter_map(|earlier| self.first.get(&(vhost, earlier)).copied())
            .min()
    }
}

impl Rule for ProxypassShadowed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (_, passes) in apache_configs_with_passes(cx) {
            let forward: Vec<&Pass<'_, '_>> = passes.iter().filter(|p| !p.reverse && !p.in_location).collect();
            let mut earlier = Earlier::default();
            for (i, later) in forward.iter().enumerate() {
                // The same path twice is `context-path-duplicate`'s business.
                let first = earlier.covering(later.vhost, later.local.0);
                earlier.add(later.vhost, later.local.0, i);
                let Some(earlier) = first.and_then(|k| forward.get(k)) else { continue };
                let message = format!(
                    "`ProxyPass {}` never matches: the earlier `ProxyPass {}` takes its requests first",
                    later.local.0, earlier.local.0
                );
                sink.emit(later.local.1, "never reached", message)
                    .related(earlier.local.1, "matches first")
                    .help("move the more specific `ProxyPass` (and `!` exclusions) above the general one");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{covers, Earlier};

    #[test]
    fn the_first_covering_pass_is_found_among_prefixes() {
        let mut earlier = Earlier::default();
        earlier.add(None, "/jira/", 0);
        earlier.add(None, "/", 1);
        earlier.add(None, "/jira", 2);
        earlier.add(Some(3), "/", 3);
        assert_eq!(earlier.covering(None, "/jira/rest"), Some(0));
        assert_eq!(earlier.covering(None, "/jira"), Some(1));
        assert_eq!(earlier.covering(None, "/jira/"), Some(1));
        assert_eq!(earlier.covering(Some(3), "/x"), Some(3));
        assert_eq!(earlier.covering(Some(4), "/x"), None);
        assert_eq!(earlier.covering(None, "/"), None);
    }

    #[test]
    fn prefix_lookups_find_what_comparing_every_pair_finds() {
        let paths =
            ["/", "/jira", "/jira/", "/jira/rest", "/jira2", "", "/a//b", "/a/", "/a", "/a//", "/a/b/c", "/jira/rest/"];
        let mut earlier = Earlier::default();
        for (i, later) in paths.iter().enumerate() {
            let expected =
                paths.iter().take(i).position(|e| covers(e, later) && super::trimmed(e) != super::trimmed(later));
            assert_eq!(earlier.covering(None, later), expected, "{later}");
            earlier.add(None, later, i);
        }
    }

    #[test]
    fn earlier_paths_cover_whole_segments() {
        assert!(covers("/", "/synchrony"));
        assert!(covers("/jira", "/jira/rest"));
        assert!(!covers("/jira", "/jira2"));
        assert!(covers("/jira/", "/jira/x"));
    }
}
