//! `module-not-loaded`: an Apache directive whose module the configuration never loads.

use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags an Apache directive whose module is not loaded when Apache reads it (never, or
    /// only by a later `LoadModule`), in a file read through a main configuration that
    /// loads modules, when the directive is not inside
    /// `<IfModule>` for that module: `ProxyPass` without `mod_proxy`, `SSLEngine` without
    /// `mod_ssl`. Files linted on their own (a vhost in a repository, a disabled site) are
    /// never judged: their server's modules are unknown. Modules compiled into Debian's
    /// apache2 count as loaded.
    ///
    /// ## Why is this bad?
    /// Apache refuses to start: "Invalid command 'ProxyPass', perhaps misspelled or defined
    /// by a module not included in the server configuration". On Debian the fix is usually
    /// `a2enmod proxy_http`.
    ///
    /// ## Example
    /// ```apache
    /// LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    ///
    /// Use instead:
    /// ```apache
    /// LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
    /// LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
    /// LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
    /// ProxyPass /jira http://localhost:8080/jira
    /// ```
    pub struct ModuleNotLoaded {
        id: "module-not-loaded",
        summary: "an Apache directive whose module is not loaded when Apache reads it (never, or only by a later `LoadModule`), in a file read through a main configuration that loads modules, when the directive is not inside `<IfModule>` for that module",
        severity: Error,
        scope: "syntax",
        formats: [Apache],
    }
}

impl Rule for ModuleNotLoaded {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let table = crate::syntax::apache_directives::directives();
        for file in cx.files {
            let Tree::Apache(config) = &file.tree else { continue };
            let Some(tree) = cx.topology().apache_tree(file.source) else { continue };
            // A tree that loads no module is not a server whose modules atl-lint can know.
            if !tree.loads_modules {
                continue;
            }
            let directives = config
                .directives
                .iter()
                .map(|d| (d.name().text.to_string(), d.name().span, d.block(), d.unloaded, d.skipped));
            let blocks = config
                .blocks
                .iter()
                .map(|b| (format!("<{}", b.name().text), b.name().span, b.parent, b.unloaded, b.skipped));
            for (written, span, block, unloaded, skipped) in directives.chain(blocks) {
                if !unloaded || skipped {
                    continue;
                }
                let Some((name, definitions)) = table.get(&written) else { continue };
                if guarded(config, block, definitions) {
                    continue;
                }
                // As the file writes it: Apache's own table has `order`, `allow`, `deny`.
                let name: &str = if name.eq_ignore_ascii_case(&written) { &written } else { name };
                let name = name.trim_start_matches('<');
                let Some(definition) = definitions.first() else { continue };
                let load = table.load_names.get(definition.module).copied().unwrap_or(definition.module);
                let later = definitions.iter().any(|d| tree.modules.contains(d.module));
                let message = if later {
                    format!(
                        "`{name}` needs `{}`, which this configuration loads only after this line",
                        definition.module
                    )
                } else {
                    format!("`{name}` needs `{}`, which this configuration does not load", definition.module)
                };
                let hint = load.strip_suffix("_module").unwrap_or(load);
                let help = if later {
                    format!("move `LoadModule {load} ...` before the first use of `{name}`")
                } else if definition.module == "mod_access_compat.c" {
                    format!("`{name}` is Apache 2.2 access control: use `Require` (`Require all granted`, `Require ip ...`), or load `{load}`")
                } else {
                    format!("load it (`LoadModule {load} ...`, on Debian `a2enmod {hint}`), or remove the directive")
                };
                sink.emit(span, "module not loaded", message).help(help);
            }
            if !tree.modules.contains(WSTUNNEL) {
                websocket_upstreams(config, sink);
            }
        }
    }
}

/// The module that proxies `ws://` and `wss://` upstreams.
const WSTUNNEL: &str = "mod_proxy_wstunnel.c";

/// `ws://` / `wss://` upstreams of `ProxyPass`, `ProxyPassMatch` and `RewriteRule [P]` in a
/// tree without `mod_proxy_wstunnel`: Apache starts, and every WebSocket request fails.
fn websocket_upstreams(config: &crate::syntax::apache::Config<'_>, sink: &mut Sink<'_>) {
    let proxying = ["ProxyPass", "ProxyPassMatch", "RewriteRule"];
    for directive in config.directives.iter().filter(|d| !d.skipped && proxying.iter().any(|n| d.is(n))) {
        let upstream = directive.args().iter().find(|a| {
            let lower = a.text.to_ascii_lowercase();
            lower.starts_with("ws://") || lower.starts_with("wss://")
        });
        let Some(upstream) = upstream else { continue };
        let message = format!(
            "the WebSocket upstream `{}` needs `{WSTUNNEL}`, which this configuration does not load",
            upstream.text
        );
        sink.emit(upstream.span, "module not loaded", message)
            .help("load it (`LoadModule proxy_wstunnel_module ...`, on Debian `a2enmod proxy_wstunnel`)");
    }
}

/// Whether the directive stands inside `<IfModule>` naming one of its modules.
fn guarded(
    config: &crate::syntax::apache::Config<'_>,
    block: Option<usize>,
    definitions: &[crate::syntax::apache_directives::Definition],
) -> bool {
    let table = crate::syntax::apache_directives::directives();
    config.ancestors(block).filter(|b| b.is("IfModule")).any(|b| {
        let Some(name) = b.args().first() else { return false };
        table.module_source(name.text).is_some_and(|source| definitions.iter().any(|d| d.module == source))
    })
}
