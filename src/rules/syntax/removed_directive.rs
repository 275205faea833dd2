//! `removed-directive`: a directive current HAProxy versions no longer accept.

use crate::rules::queries::{haproxy_configs, keyword_span, removed, statements};
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a directive that HAProxy removed: `reqadd`, `reqrep`, `reqirep`, `reqdel`,
    /// `reqidel`, `reqdeny`, `reqallow`, `reqpass`, `reqtarpit`, `rspadd`, `rsprep`, `rspirep`,
    /// `rspdel`, `rspidel`, `rspdeny`, `block`, `appsession`, `option forceclose`, the
    /// `redispatch` keyword, `monitor-net`, `clitimeout`/`contimeout`/`srvtimeout` and the
    /// others HAProxy 2.6 refuses, with HAProxy's own replacement in `help`.
    ///
    /// ## Why is this bad?
    /// Old Atlassian guides and copied configurations still use them; HAProxy 2.1 and later
    /// refuse to start ("The 'reqadd' directive is not supported anymore since HAProxy 2.1").
    ///
    /// ## Example
    /// ```haproxy
    /// backend bitbucket_http_backend
    ///     reqadd X-Forwarded-Proto:\ https
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// backend bitbucket_http_backend
    ///     http-request add-header X-Forwarded-Proto https
    /// ```
    pub struct RemovedDirective {
        id: "removed-directive",
        summary: "a directive that HAProxy removed",
        severity: Error,
        scope: "syntax",
        formats: [Haproxy],
    }
}

impl Rule for RemovedDirective {
    fn version_dependent(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in haproxy_configs(cx.files) {
            for (section, statement) in statements(config) {
                let Some((words, hint)) = removed(section, statement) else { continue };
                let Some(span) = keyword_span(statement, words) else { continue };
                let name: Vec<&str> = statement
                    .words()
                    .iter()
                    .skip(usize::from(statement.modifier().is_some()))
                    .take(words)
                    .map(|w| w.text)
                    .collect();
                let first_arg = statement.args().get(words.saturating_sub(1)).map_or("", |w| w.text);
                let hint = hint.replace("%s", first_arg);
                sink.emit(span, "removed", format!("`{}` was removed from HAProxy", name.join(" "))).help(hint);
            }
        }
    }
}
