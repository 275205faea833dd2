//! `unused-suppression`: an ignore comment that suppressed nothing.

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an `atl-lint: ignore[...]` or `ignore-file[...]` comment, or one rule id in it,
    /// that suppressed no finding of a rule that ran, and an id that names no rule. Rules
    /// left out of the run (`--select`, `--ignore`) are not judged. With
    /// `--no-ignore-comments` no comment suppresses anything and none is reported.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real problem on that line: the configuration
    /// changed, the finding went away, and the comment now silences whatever comes next.
    ///
    /// ## Example
    /// ```apache
    /// # atl-lint: ignore[proxypass-trailing-slash] legacy vhost
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    ///
    /// Use instead: remove the comment once the finding is fixed.
    pub struct UnusedSuppression {
        id: "unused-suppression",
        summary: "an `atl-lint: ignore[...]` or `ignore-file[...]` comment, or one rule id in it, that suppressed no finding of a rule that ran, and an id that names no rule",
        severity: Warning,
        scope: "syntax",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for UnusedSuppression {
    fn reads_topology(&self) -> bool {
        false
    }

    /// Unused suppressions are known only once every other rule has run and the
    /// suppressions have been applied: `crate::rules::suppress::apply` reports them.
    fn check(&self, _cx: &Context<'_>, _sink: &mut Sink<'_>) {}
}
