//! `haproxy-acl-unused`: an ACL that no condition uses.

use foldhash::HashSet;

use super::declared_acls;
use crate::rules::queries::haproxy_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Notes an `acl` that no `if`/`unless` condition of its own proxy uses. ACLs are local
    /// to their section: HAProxy 2.6 does not pass those of a `defaults` section on.
    ///
    /// ## Why is this bad?
    /// It is harmless to HAProxy, but usually the trace of a rule that was removed or that
    /// uses a misspelt name, and it makes the routing harder to read.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend www
    ///     acl is_jira path_beg /jira
    ///     acl is_wiki path_beg /wiki
    ///     use_backend jira if is_jira
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend www
    ///     acl is_jira path_beg /jira
    ///     use_backend jira if is_jira
    /// ```
    pub struct HaproxyAclUnused {
        id: "haproxy-acl-unused",
        summary: "an `acl` that no `if`/`unless` condition of its own proxy uses",
        severity: Info,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxyAclUnused {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in haproxy_configs(cx.files) {
            for section in config.sections.iter().filter(|s| s.is_proxy()) {
                let used: HashSet<&str> = section
                    .statements
                    .iter()
                    .filter_map(|st| st.condition())
                    .flat_map(|c| c.acl_names().into_iter().map(|(name, _)| name))
                    .collect();
                for name in declared_acls(section) {
                    if !used.contains(name.text) {
                        sink.emit(name.span, "never used", format!("ACL `{}` is never used in a condition", name.text))
                            .help("remove it, or use it in a rule");
                    }
                }
            }
        }
    }
}
