//! `unused-suppression`: an ignore comment that suppressed nothing.

use crate::rules::suppress::{Unused, EVERY_RULE};
use crate::rules::{self, declare_rule, Context, Rule, Sink, ALL};

declare_rule! {
    /// ## What it does
    /// Flags an `atl-lint: ignore[...]` or `ignore-file[...]` comment, or one rule id in it,
    /// that suppressed no finding of a rule that ran, and an id that names no rule. Rules
    /// left out of the run (`--select`, `--ignore`) are not judged. With
    /// `--no-ignore-comments` no comment suppresses anything and none is reported.
    ///
    /// An `[[ignore-finding]]` entry of the config file (a baseline entry) that accepted no
    /// finding is reported at its `rule` value when the run judged it: its rule ran and its
    /// file was linted, or the file no longer exists under a directory the run walked. An
    /// entry about a file the run did not look at is left alone.
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
    /// Use instead: remove the comment once the finding is fixed; remove a stale baseline
    /// entry too, or write the baseline again with `--write-baseline`.
    pub struct UnusedSuppression {
        id: "unused-suppression",
        summary: "an `atl-lint: ignore[...]` or `ignore-file[...]` comment, one rule id in it, or an `[[ignore-finding]]` baseline entry, that suppressed no finding of a rule that ran, and an id that names no rule",
        severity: Warning,
        scope: "syntax",
        formats: [Haproxy, Apache, Nginx, TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for UnusedSuppression {
    /// Unused suppressions are known only once every other rule has run.
    fn check(&self, _cx: &Context<'_>, _sink: &mut Sink<'_>) {}

    fn check_suppressions(&self, cx: &Context<'_>, unused: &[Unused], sink: &mut Sink<'_>) {
        for entry in unused {
            if entry.invalid.is_some() {
                // `invalid-suppression` reports it.
                continue;
            }
            if entry.rule == EVERY_RULE {
                let what = if entry.whole_file { "this file" } else { "the next directive" };
                sink.emit(
                    entry.span,
                    "suppresses nothing",
                    format!("no rule reports anything on {what}: the blanket suppression is stale"),
                )
                .help("remove it");
            } else if rules::find(&entry.rule).is_none() {
                let ids = ALL.iter().map(|r| r.meta().id);
                let near = rules::nearest(&entry.rule, ids, (entry.rule.len() / 3).max(3));
                let hint = near
                    .first()
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| "`atl-lint rules` lists them".into());
                sink.emit(
                    entry.span,
                    "no such rule",
                    format!("`{}` names no rule, so this suppression does nothing", entry.rule),
                )
                .help(hint);
            } else if cx.settings.selected(&entry.rule) {
                let what = if entry.whole_file { "this file" } else { "the next directive" };
                sink.emit(
                    entry.span,
                    "suppresses nothing",
                    format!("`{}` reports nothing on {what}: the suppression is stale", entry.rule),
                )
                .help("remove it");
            }
        }
    }
}
