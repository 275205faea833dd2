//! `haproxy-acl-undefined`: a condition using an ACL the proxy never defines.

use foldhash::{HashSet, HashSetExt};

use super::{declared_acls, describe, PREDEFINED_ACLS};
use crate::rules::queries::haproxy_configs;
use crate::rules::{declare_rule, nearest, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a named ACL in an `if`/`unless` condition that no `acl` line above it in the same
    /// proxy defines and that is not one of HAProxy's predefined ACLs (`TRUE`, `METH_GET`,
    /// `HTTP_1.1`, ...), and a brace glued to a word (`{path`), which HAProxy reads as an ACL
    /// name. Anonymous ACLs (`{ path -i / }`) define themselves. In HAProxy 2.6 ACLs are not
    /// inherited from a `defaults` section.
    ///
    /// ## Why is this bad?
    /// HAProxy refuses the configuration ("no such ACL"). ACLs are local to their proxy and
    /// must be defined before use: an ACL defined in the frontend does not exist in the
    /// backend.
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
        summary: "a named ACL in an `if`/`unless` condition that no `acl` line above it in the same proxy defines and that is not one of HAProxy's predefined ACLs (`TRUE`, `METH_GET`, `HTTP_1.1`, ...), and a brace glued to a word (`{path`), which HAProxy reads as an ACL name",
        severity: Error,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxyAclUndefined {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for config in haproxy_configs(cx.files) {
            for section in config.sections.iter().filter(|s| s.is_proxy()) {
                let all: HashSet<&str> = declared_acls(section).map(|w| w.text).collect();
                // HAProxy resolves a condition when it reads it: only ACLs defined above count.
                let mut defined: HashSet<&str> = HashSet::new();
                for statement in &section.statements {
                    if statement.is(&["acl"]) {
                        if let Some(name) = statement.args().first() {
                            defined.insert(name.text.as_ref());
                        }
                        continue;
                    }
                    let Some(condition) = statement.condition() else { continue };
                    for (name, span) in condition.acl_names() {
                        if name.starts_with('{') || name.ends_with('}') {
                            sink.emit(
                                span,
                                "not a separate brace",
                                format!("`{name}` is read as an ACL name: anonymous ACL braces must be separate words"),
                            )
                            .help("write `{ criterion args }` with spaces around both braces");
                            break;
                        }
                        if defined.contains(name) || PREDEFINED_ACLS.contains(&name) {
                            continue;
                        }
                        let (message, help) = if all.contains(name) {
                            (
                                format!(
                                    "ACL `{name}` is used before the `acl` line that defines it in {}",
                                    describe(section)
                                ),
                                "move the `acl` line above the rules that use it".to_string(),
                            )
                        } else {
                            let help = match nearest(name, all.iter().copied(), 3).first() {
                                Some(near) => format!("did you mean `{near}`? ACLs are local to their proxy"),
                                None => format!("define it with `acl {name} <criterion>` above this line; ACLs are local to their proxy"),
                            };
                            (format!("ACL `{name}` is not defined in {}", describe(section)), help)
                        };
                        sink.emit(span, "undefined ACL", message).help(help);
                    }
                }
            }
        }
    }
}
