//! `invalid-suppression`: a comment that means to suppress findings but is malformed, so it
//! suppresses nothing.

use crate::rules::suppress::Unused;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a comment that starts with `atl-lint:` but is not a suppression atl-lint reads:
    /// an empty rule list (`ignore[]`), a list not closed with `]`, or another word than
    /// `ignore` and `ignore-file` (`ignored[...]`, `disable[...]`). The forms it reads are
    /// `atl-lint: ignore[rule-a, rule-b] reason`, `ignore-file[...]`, and the blanket
    /// `atl-lint: ignore` (every rule, on the next directive) and `ignore-file`, in any case.
    ///
    /// ## Why is this bad?
    /// The comment looks like it silences a finding and silences nothing: the author believes
    /// the finding is accepted while CI keeps failing on it, or it hides nothing today and the
    /// intent is lost.
    ///
    /// ## Example
    /// ```apache
    /// # atl-lint: ignore[] legacy vhost
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    ///
    /// Use instead: name the rules (`# atl-lint: ignore[proxypass-trailing-slash] legacy
    /// vhost`), or write the blanket `# atl-lint: ignore legacy vhost`.
    pub struct InvalidSuppression {
        id: "invalid-suppression",
        summary: "a comment that starts with `atl-lint:` but is no suppression atl-lint reads: an empty rule list, an unclosed one, or a word other than `ignore`/`ignore-file`",
        severity: Warning,
        scope: "syntax",
        formats: [Haproxy, Apache, Nginx, TomcatServerXml, BitbucketProperties],
    }
}

impl Rule for InvalidSuppression {
    /// Suppression comments are read once every other rule has run.
    fn check(&self, _cx: &Context<'_>, _sink: &mut Sink<'_>) {}

    fn check_suppressions(&self, _cx: &Context<'_>, unused: &[Unused], sink: &mut Sink<'_>) {
        for entry in unused {
            if let Some(why) = entry.invalid {
                sink.emit(entry.span, "not read", format!("malformed `atl-lint:` comment, which suppresses nothing: {why}")).help(
                    "write `atl-lint: ignore[rule-a, rule-b] reason` for the next directive, `ignore-file[...]` for the file, or `atl-lint: ignore` for every rule",
                );
            }
        }
    }
}
