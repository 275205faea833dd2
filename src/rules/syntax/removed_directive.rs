//! `removed-directive`: a directive current HAProxy versions no longer accept.

use crate::rules::queries::{haproxy_configs, keyword_span, removed, statements};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a directive that HAProxy removed: `reqadd`, `reqrep`, `reqirep`, `reqdel`,
    /// `reqidel`, `reqdeny`, `reqallow`, `reqpass`, `reqtarpit`, `rspadd`, `rsprep`, `rspirep`,
    /// `rspdel`, `rspidel`, `rspdeny`, `block`, `appsession`, `option forceclose`, the
    /// `redispatch` keyword, `monitor-net`, `clitimeout`/`contimeout`/`srvtimeout` and the
    /// others HAProxy 2.6 refuses, with HAProxy's own replacement in `help`. For Apache httpd:
    /// the Apache 2.2 directives that 2.4 removed (`RewriteLog`, `RewriteLogLevel`,
    /// `RewriteLock`, `LockFile`, `AcceptMutex`, `SSLMutex`, `SSLStaplingMutex`,
    /// `WatchdogMutexPath`), with the 2.4 form in `help`.
    ///
    /// ## Why is this bad?
    /// Old Atlassian guides and copied configurations still use them; HAProxy 2.1 and later
    /// refuse to start ("The 'reqadd' directive is not supported anymore since HAProxy 2.1"),
    /// and Apache 2.4 refuses the line ("Invalid command 'RewriteLog'").
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
        summary: "a directive that HAProxy, or Apache 2.4, removed",
        severity: Error,
        scope: "syntax",
        formats: [Haproxy, Apache],
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
        for file in cx.files {
            let Tree::Apache(config) = &file.tree else { continue };
            for directive in config.directives.iter().filter(|d| !d.skipped) {
                let name = directive.name();
                let Some(hint) = apache_removed(name.text) else { continue };
                let message = format!("`{}` was removed in Apache 2.4", name.text);
                sink.emit(name.span, "removed", message).help(hint);
            }
        }
    }
}

/// The Apache 2.2 directives 2.4 removed ("Upgrading to 2.4 from 2.2"), and what replaces
/// each.
const APACHE_REMOVED: [(&str, &str); 8] = [
    ("RewriteLog", "set `LogLevel rewrite:trace3` (up to `trace8`): rewrite logging goes to the error log"),
    ("RewriteLogLevel", "set `LogLevel rewrite:trace3` (up to `trace8`): rewrite logging goes to the error log"),
    ("RewriteLock", "remove it, or set `Mutex` for `rewrite-map`"),
    ("LockFile", "remove it, or set `Mutex` (the default mechanism is usually right)"),
    ("AcceptMutex", "remove it, or set `Mutex` for `mpm-accept`"),
    ("SSLMutex", "remove it, or set `Mutex` for `ssl-cache`"),
    ("SSLStaplingMutex", "remove it, or set `Mutex` for `ssl-stapling`"),
    ("WatchdogMutexPath", "remove it, or set `Mutex` for `watchdog-callback`"),
];

/// The replacement of an Apache directive 2.4 removed, when `name` is one.
pub(crate) fn apache_removed(name: &str) -> Option<&'static str> {
    APACHE_REMOVED.iter().find(|(old, _)| old.eq_ignore_ascii_case(name)).map(|(_, hint)| *hint)
}
