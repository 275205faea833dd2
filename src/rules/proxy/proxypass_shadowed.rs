//! `proxypass-shadowed`: a `ProxyPass` that an earlier one always matches first.

use super::{configs_with_passes, trimmed, Pass};
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
        severity: Error,
        scope: "proxy",
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

impl Rule for ProxypassShadowed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (_, passes) in configs_with_passes(cx) {
            let forward: Vec<&Pass<'_, '_>> = passes.iter().filter(|p| !p.reverse && !p.in_location).collect();
            for (i, later) in forward.iter().enumerate() {
                // The same path twice is `context-path-duplicate`'s business.
                let earlier = forward.iter().take(i).find(|e| {
                    e.vhost == later.vhost
                        && covers(e.local.0, later.local.0)
                        && trimmed(e.local.0) != trimmed(later.local.0)
                });
                let Some(earlier) = earlier else { continue };
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
    use super::covers;

    #[test]
    fn earlier_paths_cover_whole_segments() {
        assert!(covers("/", "/synchrony"));
        assert!(covers("/jira", "/jira/rest"));
        assert!(!covers("/jira", "/jira2"));
        assert!(covers("/jira/", "/jira/x"));
    }
}
