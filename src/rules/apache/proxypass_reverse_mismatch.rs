//! `proxypass-reverse-mismatch`: `ProxyPassReverse` rewriting a URL `ProxyPass` never uses.

use foldhash::{HashMap, HashMapExt};

use super::{trimmed, Target};
use crate::rules::queries::apache_configs_with_passes;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `ProxyPassReverse` for a local path whose URL differs from the URL of the
    /// `ProxyPass` for the same path in the same context.
    ///
    /// ## Why is this bad?
    /// `ProxyPassReverse` rewrites only redirects that name its URL. Pointing it at another
    /// host or port (a copied line, a port changed in one place) leaves the application's
    /// redirects pointing at the upstream.
    ///
    /// ## Example
    /// ```apache
    /// ProxyPass /jira http://localhost:8080/jira
    /// ProxyPassReverse /jira http://localhost:8090/jira
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// ProxyPass /jira http://localhost:8080/jira
    /// ProxyPassReverse /jira http://localhost:8080/jira
    /// ```
    pub struct ProxypassReverseMismatch {
        id: "proxypass-reverse-mismatch",
        summary: "a `ProxyPassReverse` for a local path whose URL differs from the URL of the `ProxyPass` for the same path in the same context",
        severity: Warning,
        scope: "apache",
        formats: [Apache],
    }
}

impl Rule for ProxypassReverseMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (_, passes) in apache_configs_with_passes(cx) {
            let mut forward = HashMap::new();
            for pass in passes.iter().filter(|p| !p.reverse) {
                if let Target::Url(url) = pass.target {
                    forward.entry((pass.vhost, trimmed(pass.local.0))).or_insert(url);
                }
            }
            for pass in passes.iter().filter(|p| p.reverse) {
                let Target::Url(url) = pass.target else { continue };
                let Some(target) = forward.get(&(pass.vhost, trimmed(pass.local.0))) else { continue };
                if trimmed(url.text) == trimmed(target.text) {
                    continue;
                }
                let message = format!(
                    "`ProxyPassReverse {}` rewrites `{}`, but `ProxyPass` sends to `{}`",
                    pass.local.0, url.text, target.text
                );
                sink.emit(url.span, "not the ProxyPass URL", message)
                    .related(target.span, "ProxyPass URL")
                    .help(format!("use the `ProxyPass` URL: `{}`", target.text));
            }
        }
    }
}
