//! `legacy-access-control`: Apache 2.2 `Order`/`Allow`/`Deny`/`Satisfy` in 2.4.

use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Apache 2.2 access control (`Order`, `Allow`, `Deny`, `Satisfy`) in an Apache 2.4
    /// configuration.
    ///
    /// ## Why is this bad?
    /// In 2.4 these work only through `mod_access_compat`, and mixing them with 2.4's
    /// `Require` gives surprising results: the old and new rules are combined in ways that can
    /// open what was meant to be closed. Old Atlassian guides still show `Order deny,allow`.
    /// Where the configuration does not load `mod_access_compat` at all, Apache refuses the
    /// line: `module-not-loaded` reports it, as an error, instead.
    ///
    /// ## Example
    /// ```apache
    /// <Proxy *>
    ///     Order deny,allow
    ///     Allow from all
    /// </Proxy>
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// <Proxy *>
    ///     Require all granted
    /// </Proxy>
    /// ```
    pub struct LegacyAccessControl {
        id: "legacy-access-control",
        summary: "Apache 2.2 access control (`Order`, `Allow`, `Deny`, `Satisfy`) in an Apache 2.4 configuration",
        severity: Warning,
        scope: "apache",
        formats: [Apache],
    }
}

impl Rule for LegacyAccessControl {
    fn version_dependent(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for file in cx.files {
            let crate::syntax::Tree::Apache(config) = &file.tree else { continue };
            // Where the tree does not load `mod_access_compat`, `module-not-loaded` reports each
            // of these as the error Apache stops at; saying "2.2 syntax" again is noise.
            let loads_modules = cx.topology().apache_tree(file.source).is_some_and(|t| t.loads_modules);
            let reported_unloaded = loads_modules && cx.settings.selected("module-not-loaded");
            for directive in &config.directives {
                if reported_unloaded && directive.unloaded {
                    continue;
                }
                let Some(old) = ["Order", "Allow", "Deny", "Satisfy"].into_iter().find(|n| directive.is(n)) else {
                    continue;
                };
                // Guarded for Apache 2.2 (`<IfModule !mod_authz_core.c>`), or inside an
                // `<IfVersion>` / `<IfModule>` Apache does not read.
                let guarded = config.ancestors(directive.block()).any(|b| {
                    let first = b.args().first().map_or("", |a| a.text);
                    b.is("IfModule") && (first.starts_with("!mod_authz_core") || first.starts_with("mod_access_compat"))
                });
                if guarded || directive.skipped {
                    continue;
                }
                let help = match old {
                    "Satisfy" => "use `<RequireAny>`/`<RequireAll>` with `Require` rules",
                    _ => "use `Require all granted`, `Require all denied` or `Require ip ...`",
                };
                sink.emit(
                    directive.name().span,
                    "Apache 2.2 syntax",
                    format!("`{old}` is Apache 2.2 access control; 2.4 uses `Require`"),
                )
                .help(help);
            }
        }
    }
}
