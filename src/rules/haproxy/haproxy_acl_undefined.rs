//! `haproxy-acl-undefined`: a condition using an ACL the proxy never defines.

use std::collections::HashSet;

use super::{configs, declared_acls, describe, PREDEFINED_ACLS};
use crate::rules::{declare_rule, nearest, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a named ACL in an `if`/`unless` condition that no `acl` line of that proxy (or
    /// of the `defaults` section it inherits from) defines and that is not one of HAProxy's
    /// predefined ACLs (`TRUE`, `METH_GET`, `HTTP_1.1`, ...). Anonymous ACLs
    /// (`{ path -i / }`) define themselves.
    ///
    /// ## Why is this bad?
    /// HAProxy refuses the configuration ("no such ACL"). ACLs are local to their proxy: an
    /// ACL defined in the frontend does not exist in the backend.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend www
    ///     acl is_bitbucket path_beg /bitbucket
    ///     use_backend bitbucket if is_bitbuckt
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend www
    ///     acl is_bitbucket path_beg /bitbucket
    ///     use_backend bitbucket if is_bitbucket
    /// ```
    pub struct HaproxyAclUndefined {
        id: "haproxy-acl-undefined",
        severity: Error,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxyAclUndefined {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in configs(cx.files) {
            for (index, section) in config.sections.iter().enumerate().filter(|(_, s)| s.is_proxy()) {
                let mut defined: HashSet<&str> = declared_acls(section).map(|w| w.text.as_ref()).collect();
                if section.kind() != "defaults" {
                    if let Some(defaults) = config.defaults_of(index) {
                        defined.extend(declared_acls(defaults).map(|w| w.text.as_ref()));
                    }
                }
                for statement in &section.statements {
                    let Some(condition) = statement.condition() else { continue };
                    for (name, span) in condition.acl_names() {
                        if defined.contains(name) || PREDEFINED_ACLS.contains(&name) {
                            continue;
                        }
                        let message = format!("ACL `{name}` is not defined in {}", describe(section));
                        let diagnostic = sink.emit(span, "undefined ACL", message);
                        match nearest(name, defined.iter().copied(), 3).first() {
                            Some(near) => diagnostic.help(format!("did you mean `{near}`? ACLs are local to their proxy")),
                            None => diagnostic.help(format!("define it with `acl {name} <criterion>` in this section; ACLs are local to their proxy")),
                        };
                    }
                }
            }
        }
    }
}
