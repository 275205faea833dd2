//! `unknown-directive`: a keyword, option or action HAProxy does not know where it stands.

use foldhash::HashMap;

use crate::rules::queries::{haproxy_configs, keyword_span, removed, statements, RULE_KEYWORDS};
use crate::rules::{declare_rule, nearest, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::haproxy::keywords::{keywords, options, Keywords, Line, Lines};
use crate::syntax::haproxy::{Section, Statement};

declare_rule! {
    /// ## What it does
    /// Flags an HAProxy keyword that is not valid in its section, an `option` HAProxy does not
    /// have, a `bind`/`server` option or an `http-request`/`tcp-request` action it does not
    /// know, and suggests the nearest known name ("did you mean `bind`?"). The tables cover
    /// the HAProxy LTS lines 2.4 to 3.2 (`grammar/haproxy-keywords.txt`,
    /// `grammar/haproxy-versions.txt`): a keyword that some of those lines have is accepted,
    /// unless `[versions] haproxy` in `.atl-lint.toml` names a line that lacks it ("`crt-store`
    /// needs HAProxy 3.0"). For Apache httpd: a directive or
    /// container that no Apache 2.4 module defines (`grammar/apache-directives.txt`, every
    /// Debian module); directives inside `<IfModule>` for a third-party module are not judged.
    /// For nginx: a directive that no module of Debian's nginx 1.22 defines
    /// (`grammar/nginx-directives.txt`); the lines of `map`, `types` and other data blocks,
    /// and whatever stands inside an unknown block, are not judged; for a directive of NGINX
    /// Plus's own modules (`sticky`, `health_check`, `ntlm`, ...) the finding says so.
    /// Third-party and NGINX Plus directives go in `known-directives`.
    ///
    /// ## Why is this bad?
    /// `haproxy -c` refuses the configuration ("unknown keyword 'bindd' in 'frontend'
    /// section"), so a reload fails.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bindd *:443 ssl crt /etc/haproxy/certAndKey.pem
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     bind *:443 ssl crt /etc/haproxy/certAndKey.pem
    /// ```
    pub struct UnknownDirective {
        id: "unknown-directive",
        summary: "an HAProxy keyword that is not valid in its section, an `option` HAProxy does not have, a `bind`/`server` option or an `http-request`/`tcp-request` action it does not know, and suggests the nearest known name (\"did you mean `bind`?\")",
        severity: Error,
        scope: "syntax",
        formats: [Haproxy, Apache, Nginx],
    }
}

impl Rule for UnknownDirective {
    fn version_dependent(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        apache(cx, sink);
        nginx(cx, sink);
        let table = keywords();
        let target = Target { line: cx.settings.config.version("haproxy") };
        for config in haproxy_configs(cx.files) {
            for section in &config.sections {
                target.check(sink, "sections", section.keyword.text.as_ref(), section.keyword.span, "section");
            }
            for (section, statement) in statements(config) {
                let Some(keyword) = statement.keyword().filter(|k| !k.unknown) else { continue };
                // A section the target lacks is reported once, at its header.
                if section.is_some_and(|s| target.lacking("sections", s.kind()).is_some()) {
                    continue;
                }
                if removed(section, statement).is_some() {
                    continue;
                }
                match section {
                    Some(section) if section.is_proxy() => proxy_statement(table, &target, section, statement, sink),
                    Some(section) => {
                        let found = table.plain_keyword(section.kind(), statement);
                        if let Some(key) = found {
                            let span = keyword_span(statement, key.split(' ').count()).unwrap_or(keyword.span);
                            target.check(sink, section.kind(), key, span, "keyword");
                        } else if table.plain.contains_key(section.kind()) {
                            let known = table.plain.get(section.kind()).into_iter().flatten().copied();
                            report(
                                sink,
                                keyword.span,
                                keyword.text,
                                &format!("in a `{}` section", section.kind()),
                                known,
                            );
                        }
                    }
                    None => {
                        // Keywords valid in some section are `misplaced-directive`'s business.
                        let anywhere = table.known_anywhere(statement);
                        if !anywhere {
                            let known = table.sections.iter().copied();
                            report(sink, keyword.span, keyword.text, "outside any section", known);
                        }
                    }
                }
            }
        }
    }
}

/// The HAProxy line the configuration targets, if `[versions] haproxy` names one.
struct Target {
    line: Option<Line>,
}

impl Target {
    /// The targeted line and the lines that have `key` of a table section, when the targeted
    /// line lacks it.
    fn lacking(&self, section: &str, key: &str) -> Option<(Line, Lines)> {
        let line = self.line?;
        keywords().lines(section, key).filter(|lines| !lines.has(line)).map(|lines| (line, lines))
    }

    /// Reports `key` of a table section when the targeted line lacks it.
    fn check(&self, sink: &mut Sink<'_>, section: &str, key: &str, span: Span, what: &str) {
        let Some((line, lines)) = self.lacking(section, key) else { return };
        let name = key.trim_end_matches('*');
        let message = version_message(name, lines, line);
        sink.emit(span, format!("{what} of another HAProxy version"), message).help(format!(
            "`[versions] haproxy` in `.atl-lint.toml` targets {}.{}: change it if this runs on another HAProxy",
            line.0, line.1
        ));
    }
}

/// "`crt-store` needs HAProxy 3.0; the configuration targets 2.6".
fn version_message(name: &str, lines: Lines, target: Line) -> String {
    let (major, minor) = target;
    match lines.last {
        Some(last) if last < target => {
            format!("`{name}` is not in HAProxy {major}.{minor}: HAProxy {}.{} was the last to have it", last.0, last.1)
        }
        _ => format!(
            "`{name}` needs HAProxy {}.{}; the configuration targets {major}.{minor}",
            lines.first.0, lines.first.1
        ),
    }
}

fn proxy_statement(
    table: &Keywords,
    target: &Target,
    section: &Section<'_>,
    statement: &Statement<'_>,
    sink: &mut Sink<'_>,
) {
    let Some(keyword) = statement.keyword() else { return };
    let Some((key, words, _)) = table.proxy_keyword(statement) else {
        let is_option = keyword.text == "option";
        let (span, name, candidates): (Span, String, Vec<&str>) = match statement.args().first() {
            Some(second) if is_option || table.proxy.keys().any(|k| k.split(' ').next() == Some(keyword.text)) => {
                let prefix = format!("{} ", keyword.text);
                let seconds = table.proxy.keys().filter_map(|k| k.strip_prefix(prefix.as_str())).collect();
                (second.span, format!("{} {}", keyword.text, second.text), seconds)
            }
            _ => (
                keyword.span,
                keyword.text.to_string(),
                table.proxy.keys().map(|k| k.split(' ').next().unwrap_or(k)).collect(),
            ),
        };
        let (prefix, last) = match name.rsplit_once(' ') {
            Some((first, last)) => (format!("{first} "), last.to_string()),
            None => (String::new(), name.clone()),
        };
        let mut candidates = candidates;
        candidates.sort_unstable();
        candidates.dedup();
        let message = format!("unknown keyword `{name}` in a `{}` section", section.kind());
        let diagnostic = sink.emit(span, "unknown keyword", message);
        match nearest(&last, candidates, 3).first() {
            Some(near) => diagnostic.help(format!("did you mean `{prefix}{near}`?")),
            None => diagnostic.help("check the spelling against the HAProxy configuration manual"),
        };
        return;
    };
    if let Some(span) = keyword_span(statement, words) {
        target.check(sink, "proxy", key, span, "keyword");
    }
    if RULE_KEYWORDS.contains(&key) {
        let Some(action) = statement.words().get(usize::from(statement.modifier().is_some()) + words) else { return };
        let name = action.text.split('(').next().unwrap_or(action.text);
        if action.unknown {
            return;
        }
        if let Some(entry) = table.action_entry(key, action.text) {
            target.check(sink, key, entry, action.span, "action");
            return;
        }
        if table.knows_action(key, action.text) != Some(false) {
            return;
        }
        let known = table.actions.get(key).into_iter().flatten().map(|a| a.trim_end_matches('*'));
        let message = format!("`{key}` has no action `{name}`");
        let diagnostic = sink.emit(action.span, "unknown action", message);
        if let Some(near) = nearest(name, known, 3).first() {
            diagnostic.help(format!("did you mean `{near}`?"));
        }
        return;
    }
    if matches!(key, "bind" | "server" | "default-server") {
        let (kind, known) = if key == "bind" { ("bind", &table.bind) } else { ("server", &table.server) };
        for (option, _) in options(statement) {
            if known.contains_key(option.text) {
                target.check(sink, kind, option.text, option.span, "option");
                continue;
            }
            if option.unknown {
                continue;
            }
            let message = format!("`{key}` has no option `{}`", option.text);
            let diagnostic = sink.emit(option.span, "unknown option", message);
            match nearest(option.text, known.keys().copied(), 3).first() {
                Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                None => diagnostic.help(format!("see the `{key}` options in the HAProxy configuration manual")),
            };
        }
    }
}

/// Apache: directives and containers no module of the table defines.
fn apache(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let table = crate::syntax::apache_directives::directives();
    let names = || table.by_name.values().map(|(name, _)| *name);
    let mut directives = Suggestions::new(names().filter(|n| !n.starts_with('<')));
    let mut containers = Suggestions::new(names().filter(|n| n.starts_with('<')));
    for file in cx.files {
        let crate::syntax::Tree::Apache(config) = &file.tree else { continue };
        let guards = crate::rules::queries::unknown_module_guards(config);
        let guarded = |block: Option<usize>| block.and_then(|b| guards.get(b)).copied().unwrap_or(false);
        for directive in &config.directives {
            if directive.name().unknown || guarded(directive.block()) {
                continue;
            }
            // Apache does not read the body of a false `<IfModule>` / `<IfDefine>`.
            if directive.skipped {
                continue;
            }
            let listed = cx.settings.known_directives().iter().any(|k| k.eq_ignore_ascii_case(directive.name().text));
            // What 2.4 removed is `removed-directive`'s.
            let removed = super::removed_directive::apache_removed(directive.name().text).is_some();
            if table.get(directive.name().text).is_none() && !listed && !removed {
                let message = format!("unknown directive `{}`: no Apache 2.4 module defines it", directive.name().text);
                suggest(
                    sink.emit(directive.name().span, "unknown directive", message),
                    directives.nearest(directive.name().text),
                );
            }
        }
        for block in &config.blocks {
            let container = format!("<{}", block.name().text);
            if block.name().unknown || table.get(&container).is_some() || guarded(block.parent) || block.skipped {
                continue;
            }
            let message = format!("unknown container `{container}>`: no Apache 2.4 module defines it");
            suggest(sink.emit(block.name().span, "unknown container", message), containers.nearest(&container));
        }
    }
}

/// Directives of NGINX Plus's own modules (the nginx.org documentation marks them "part of
/// our commercial subscription"), which Atlassian's NGINX Plus load-balancer article uses.
const NGINX_PLUS: [&str; 24] = [
    "api",
    "auth_jwt",
    "auth_jwt_claim_set",
    "auth_jwt_header_set",
    "auth_jwt_key_file",
    "auth_jwt_key_request",
    "auth_jwt_leeway",
    "auth_jwt_require",
    "auth_jwt_type",
    "health_check",
    "health_check_timeout",
    "keyval",
    "keyval_zone",
    "least_time",
    "match",
    "ntlm",
    "queue",
    "session_log",
    "session_log_format",
    "session_log_zone",
    "state",
    "status_zone",
    "sticky",
    "sticky_cookie_insert",
];

/// nginx: directives no stock module defines (`grammar/nginx-directives.txt`), unless the
/// config file lists them as known; what stands inside an unknown block is that block's own.
fn nginx(cx: &Context<'_>, sink: &mut Sink<'_>) {
    let table = crate::syntax::nginx_directives::directives();
    let mut names = Suggestions::new(table.by_name.keys().copied());
    let tops = crate::syntax::nginx_directives::included_tops(cx.topology().nginx_views());
    for file in cx.files {
        let crate::syntax::Tree::Nginx(config) = &file.tree else { continue };
        let included = tops.get(&file.source.id()).copied();
        let places = crate::syntax::nginx_directives::places(file.source, config, included);
        for (directive, placed) in config.directives.iter().zip(&places) {
            let name = directive.name();
            if !placed.checked || name.unknown || table.by_name.contains_key(name.text) {
                continue;
            }
            if cx.settings.known_directives().iter().any(|k| k == name.text) {
                continue;
            }
            // As open-source nginx does, but saying where the directive comes from.
            if NGINX_PLUS.contains(&name.text) {
                let message = format!(
                    "unknown directive `{}`: an NGINX Plus directive, which open-source nginx refuses",
                    name.text
                );
                sink.emit(name.span, "NGINX Plus only", message)
                    .help("on NGINX Plus, list it in `known-directives` in `.atl-lint.toml`; on open-source nginx, use what its modules offer (`ip_hash` for `sticky`)");
                continue;
            }
            let message = format!("unknown directive `{}`: no module of nginx 1.22 defines it", name.text);
            let finding = sink.emit(name.span, "unknown directive", message);
            match names.nearest(name.text) {
                Some(near) => finding.help(format!("did you mean `{near}`?")),
                None => finding.help(
                    "check the spelling; a third-party module's directive goes in `known-directives` in `.atl-lint.toml`",
                ),
            };
        }
    }
}

/// Known names, lowercased once, and the nearest one already found for each unknown name: a
/// file can repeat one misspelling on every line.
struct Suggestions<'k> {
    known: Vec<(String, &'k str)>,
    found: HashMap<String, Option<&'k str>>,
}

impl<'k> Suggestions<'k> {
    fn new(known: impl Iterator<Item = &'k str>) -> Self {
        Suggestions { known: known.map(|k| (k.to_ascii_lowercase(), k)).collect(), found: HashMap::default() }
    }

    /// The known name nearest to `name`, ignoring case, when one is close.
    fn nearest(&mut self, name: &str) -> Option<&'k str> {
        let lower = name.to_ascii_lowercase();
        if let Some(found) = self.found.get(&lower) {
            return *found;
        }
        let near = nearest(&lower, self.known.iter().map(|(l, _)| l.as_str()), 3);
        let found = near.first().and_then(|n| self.known.iter().find(|(l, _)| l == n)).map(|(_, original)| *original);
        self.found.insert(lower, found);
        found
    }
}

/// Adds the nearest known name, when one is close, to a finding.
fn suggest(diagnostic: &mut crate::diagnostic::Diagnostic, near: Option<&str>) {
    match near {
        Some(original) => diagnostic.help(format!("did you mean `{}`?", original.trim_start_matches('<'))),
        None => diagnostic.help(
            "check the spelling, or load the module that defines it; a third-party module's directive goes in `known-directives` in `.atl-lint.toml`",
        ),
    };
}

fn report<'k>(sink: &mut Sink<'_>, span: Span, name: &str, place: &str, known: impl Iterator<Item = &'k str>) {
    let message = format!("unknown keyword `{name}` {place}");
    let diagnostic = sink.emit(span, "unknown keyword", message);
    match nearest(name, known, 3).first() {
        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
        None => diagnostic.help("check the spelling against the HAProxy configuration manual"),
    };
}
