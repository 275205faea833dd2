//! `unknown-directive`: a keyword, option or action HAProxy does not know where it stands.

use foldhash::HashMap;

use crate::rules::queries::{haproxy_configs, removed, statements, RULE_KEYWORDS};
use crate::rules::{declare_rule, nearest, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::haproxy::keywords::{keywords, options, Keywords};
use crate::syntax::haproxy::{Section, Statement};

declare_rule! {
    /// ## What it does
    /// Flags an HAProxy keyword that is not valid in its section, an `option` HAProxy does not
    /// have, a `bind`/`server` option or an `http-request`/`tcp-request` action it does not
    /// know, and suggests the nearest known name ("did you mean `bind`?"). The table is
    /// HAProxy 2.6's (`grammar/haproxy-keywords.txt`). For Apache httpd: a directive or
    /// container that no Apache 2.4 module defines (`grammar/apache-directives.txt`, every
    /// Debian module); directives inside `<IfModule>` for a third-party module are not judged.
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
        formats: [Haproxy, Apache],
    }
}

impl Rule for UnknownDirective {
    fn version_dependent(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        apache(cx, sink);
        let table = keywords();
        for config in haproxy_configs(cx.files) {
            for (section, statement) in statements(config) {
                let Some(keyword) = statement.keyword().filter(|k| !k.unknown) else { continue };
                if removed(section, statement).is_some() {
                    continue;
                }
                match section {
                    Some(section) if section.is_proxy() => proxy_statement(table, section, statement, sink),
                    Some(section) => {
                        if table.plain.contains_key(section.kind())
                            && table.plain_keyword(section.kind(), statement).is_none()
                        {
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

fn proxy_statement(table: &Keywords, section: &Section<'_>, statement: &Statement<'_>, sink: &mut Sink<'_>) {
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
            None => diagnostic.help("check the spelling against the HAProxy 2.6 configuration manual"),
        };
        return;
    };
    if RULE_KEYWORDS.contains(&key) {
        let Some(action) = statement.words().get(usize::from(statement.modifier().is_some()) + words) else { return };
        let name = action.text.split('(').next().unwrap_or(action.text);
        if action.unknown || table.knows_action(key, action.text) != Some(false) {
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
        let known = if key == "bind" { &table.bind } else { &table.server };
        for (option, _) in options(statement) {
            if option.unknown || known.contains_key(option.text) {
                continue;
            }
            let message = format!("`{key}` has no option `{}`", option.text);
            let diagnostic = sink.emit(option.span, "unknown option", message);
            match nearest(option.text, known.keys().copied(), 3).first() {
                Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                None => diagnostic.help(format!("see the `{key}` options of HAProxy 2.6")),
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
            if table.get(directive.name().text).is_none() && !listed {
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
        None => diagnostic.help("check the spelling, or load the module that defines it"),
    };
}

fn report<'k>(sink: &mut Sink<'_>, span: Span, name: &str, place: &str, known: impl Iterator<Item = &'k str>) {
    let message = format!("unknown keyword `{name}` {place}");
    let diagnostic = sink.emit(span, "unknown keyword", message);
    match nearest(name, known, 3).first() {
        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
        None => diagnostic.help("check the spelling against the HAProxy 2.6 configuration manual"),
    };
}
