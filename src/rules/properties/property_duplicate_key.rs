//! `property-duplicate-key`: a key set twice in one properties file.

use foldhash::{HashMap, HashMapExt};

use crate::diagnostic::Applicability;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a key that is set again further down the same properties file, pointing at
    /// both assignments.
    /// In a template with conditionals (`{% if %}`, `<% if %>`) repeats are not judged: both
    /// branches of a conditional are in the text.
    ///
    /// ## Why is this bad?
    /// Java keeps only the last value, silently. Whoever edits the first occurrence (the one
    /// they find first) changes nothing; a proxy setting fixed at the top of the file stays
    /// broken because of a forgotten line at the bottom.
    ///
    /// ## Example
    /// ```properties
    /// server.proxy-name=git.example.com
    /// server.proxy-port=443
    /// server.proxy-name=old-git.example.com
    /// ```
    ///
    /// Use instead:
    /// ```properties
    /// server.proxy-name=git.example.com
    /// server.proxy-port=443
    /// ```
    pub struct PropertyDuplicateKey {
        id: "property-duplicate-key",
        summary: "a key that is set again further down the same properties file, pointing at both assignments",
        severity: Warning,
        scope: "properties",
        formats: [BitbucketProperties],
    }
}

impl Rule for PropertyDuplicateKey {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for file in cx.files {
            let Tree::Properties(props) = &file.tree else {
                continue;
            };
            // In a template, `{% if %}` branches may each set a key: repeats are not judged.
            if file.source.has_template_control() {
                continue;
            }
            let mut previous = HashMap::new();
            for entry in &props.entries {
                let key = entry.name.as_ref();
                if let Some(earlier) = previous.insert(key, entry.span) {
                    sink.emit(
                        entry.name_span,
                        "set again here; this value wins",
                        format!("`{key}` is set twice; the earlier value is ignored"),
                    )
                    .related(earlier, "earlier value, ignored")
                    .help("keep one assignment")
                    .fix(fixes::fix(
                        cx,
                        format!("remove the earlier `{key}`"),
                        Applicability::Safe,
                        fixes::remove_lines(cx, earlier),
                    ));
                }
            }
        }
    }
}
