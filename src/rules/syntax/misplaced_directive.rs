//! `misplaced-directive`: a directive in a section where HAProxy rejects or ignores it.

use crate::diagnostic::Severity;
use crate::rules::queries::{haproxy_configs, keyword_span, statements};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::haproxy::keywords::{keywords, Cell, PROXY_COLUMNS};

declare_rule! {
    /// ## What it does
    /// Flags an HAProxy keyword in a section type that does not take it: `bind` in a
    /// `backend`, `use_backend` in a `backend`, `balance` in a `frontend`, `acl` in an
    /// unnamed `defaults`, any keyword before the first section. Where HAProxy refuses the
    /// keyword the finding is an error; where it only ignores it with a warning, a warning;
    /// an `option` that HAProxy ignores there (Atlassian's `option httplog` in a backend)
    /// is noted at `info`. For Apache httpd: a directive outside the contexts its module allows
    /// (`ProxyRequests` inside `<Location>`, `Listen` inside `<VirtualHost>`, `Require` at
    /// server level), per `grammar/apache-directives.txt`. For nginx: a directive in a block
    /// none of its modules allows it in (`listen` in a `location`, `proxy_pass` in a
    /// `server`), per `grammar/nginx-directives.txt`, where the block's context is known: a
    /// main configuration, `conf.d/*.conf` and `sites-*/*` (included in `http`), and the
    /// blocks inside any file.
    ///
    /// ## Why is this bad?
    /// A refused keyword stops HAProxy from starting. An ignored one does nothing: the
    /// listener, the routing rule or the balancing the line describes does not exist.
    ///
    /// ## Example
    /// ```haproxy
    /// backend bitbucket_http_backend
    ///     bind *:7990
    ///     server bitbucket01 localhost:7990
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bind *:7990
    ///     default_backend bitbucket_http_backend
    /// backend bitbucket_http_backend
    ///     server bitbucket01 localhost:7990
    /// ```
    pub struct MisplacedDirective {
        id: "misplaced-directive",
        summary: "an HAProxy keyword in a section type that does not take it",
        severity: Error,
        scope: "syntax",
        formats: [Haproxy, Apache, Nginx],
    }
}

impl Rule for MisplacedDirective {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        apache(cx, sink);
        nginx(cx, sink);
        let table = keywords();
        for config in haproxy_configs(cx.files) {
            for (section, statement) in statements(config) {
                let Some(keyword) = statement.keyword().filter(|k| !k.unknown) else { continue };
                let Some(section) = section else {
                    let known = table.known_anywhere(statement);
                    if known {
                        sink.emit(keyword.span, "outside any section", format!("`{}` stands before any section", keyword.text))
                            .help("move it into the `global`, `defaults`, `frontend`, `backend` or `listen` section it belongs to");
                    }
                    continue;
                };
                if let Some(modifier) = statement.modifier() {
                    let found = if section.is_proxy() {
                        table.proxy_keyword(statement).map(|(key, _, _)| key)
                    } else {
                        table.plain_keyword(section.kind(), statement)
                    };
                    // Options whose name is new to the table still take `no`.
                    let negatable = found.is_none_or(|key| table.negatable.contains(key) || key.starts_with("option "));
                    if !negatable {
                        let message = format!(
                            "`{}` cannot take `{}`: only options, `log` and a few keywords can",
                            keyword.text, modifier.text
                        );
                        sink.emit(modifier.span.cover(keyword.span), "not negatable", message)
                            .help(format!("remove `{}`, or the line", modifier.text));
                    }
                }
                if !section.is_proxy() {
                    continue;
                }
                let Some((key, words, cells)) = table.proxy_keyword(statement) else { continue };
                let Some(column) = PROXY_COLUMNS.iter().position(|c| *c == section.kind()) else { continue };
                let anonymous_defaults = section.kind() == "defaults" && section.name.is_none();
                let cell = cells.get(column).copied().unwrap_or(Cell::Allowed);
                let (severity, label, message) = match cell {
                    Cell::Allowed => continue,
                    Cell::NamedDefaultsOnly if !anonymous_defaults => continue,
                    Cell::NamedDefaultsOnly => (
                        Severity::Error,
                        "not here",
                        format!("`{key}` is not allowed in an unnamed `defaults` section"),
                    ),
                    Cell::Rejected => (
                        Severity::Error,
                        "not here",
                        format!("`{key}` is not allowed in a `{}` section", section.kind()),
                    ),
                    Cell::Ignored => {
                        let severity = if key.starts_with("option ") { Severity::Info } else { Severity::Warning };
                        (severity, "ignored here", format!("`{key}` is ignored in a `{}` section", section.kind()))
                    }
                };
                let Some(span) = keyword_span(statement, words) else { continue };
                let allowed: Vec<&str> = PROXY_COLUMNS
                    .iter()
                    .zip(cells.iter())
                    .filter(|(_, c)| **c == Cell::Allowed)
                    .map(|(n, _)| *n)
                    .collect();
                let help = match (cell, allowed.as_slice()) {
                    (Cell::NamedDefaultsOnly, _) => {
                        "name the `defaults` section, or move the line into the proxies".to_string()
                    }
                    (_, []) => "remove it".to_string(),
                    (_, [one]) => format!("it belongs in a `{one}` section"),
                    (_, [rest @ .., last]) => format!("it belongs in a `{}` or `{last}` section", rest.join("`, `")),
                };
                sink.emit(span, label, message).severity(severity).help(help);
            }
        }
    }
}

/// nginx: a directive in a context none of its modules allows (`"listen" directive is not
/// allowed here`), where the context is known.
fn nginx(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let table = crate::syntax::nginx_directives::directives();
    let tops = crate::syntax::nginx_directives::included_tops(cx.topology().nginx_views());
    for file in cx.files {
        let crate::syntax::Tree::Nginx(config) = &file.tree else { continue };
        let included = tops.get(&file.source.id()).copied();
        let places = crate::syntax::nginx_directives::places(file.source, config, included);
        for (directive, placed) in config.directives.iter().zip(&places) {
            let (true, Some(place)) = (placed.checked, placed.place()) else { continue };
            let name = directive.name();
            let Some(definitions) = table.by_name.get(name.text) else { continue };
            if definitions.iter().any(|d| d.contexts.contains(&place)) {
                continue;
            }
            let mut allowed: Vec<&str> = definitions.iter().flat_map(|d| d.contexts.iter().copied()).collect();
            allowed.dedup();
            let shown = |context: &str| match context {
                "main" => "the top level".to_string(),
                "server_if" => "`if` in `server`".to_string(),
                "location_if" => "`if` in `location`".to_string(),
                "stream_server" => "`server` in `stream`".to_string(),
                "stream_upstream" => "`upstream` in `stream`".to_string(),
                "mail_server" => "`server` in `mail`".to_string(),
                other => format!("`{other}`"),
            };
            let at = match place {
                "main" => "at the top level".to_string(),
                other => format!("in {}", shown(other)),
            };
            let list: Vec<String> = allowed.iter().map(|c| shown(c)).collect();
            sink.emit(name.span, "not allowed here", format!("`{}` is not allowed {at}", name.text))
                .help(format!("nginx allows it in: {}", list.join(", ")));
        }
    }
}

/// Apache: directives (and containers) outside the contexts their module allows.
fn apache(cx: &Context<'_>, sink: &mut Sink<'_>) {
    use crate::rules::queries::{apache_configs, places};
    use crate::syntax::apache_directives::Place;
    let table = crate::syntax::apache_directives::directives();
    for config in apache_configs(cx.files) {
        let places = places(config);
        let items = config.named_items();
        for (name, span, block) in items {
            let Some((written, definitions)) = table.get(&name) else { continue };
            let place = block.and_then(|b| places.get(b)).copied().unwrap_or(Place::Server);
            if definitions.iter().any(|d| d.contexts.contains(&place.token())) {
                continue;
            }
            let allowed: Vec<&str> = definitions
                .first()
                .map(|d| d.contexts.iter().copied().filter(|c| *c != "htaccess").collect())
                .unwrap_or_default();
            let where_ = match place.token() {
                "server" => "at server level",
                "vhost" => "inside `<VirtualHost>`",
                _ => "inside a directory context (`<Directory>`, `<Location>`, `<Files>`, `<Proxy>`)",
            };
            let shown = written.trim_start_matches('<');
            sink.emit(span, "not allowed here", format!("`{shown}` is not allowed {where_}"))
                .help(format!("Apache allows it in: {}", allowed.join(", ")));
        }
    }
}
