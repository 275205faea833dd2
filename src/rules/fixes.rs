//! The edits rules attach to findings: a value replaced in place, or a setting added beside
//! the connector's last one in the same style (quotes, indentation, one per line or not,
//! line endings). No edit touches a template tag: a value a template takes from its
//! repository's defaults is changed where the defaults define it, and otherwise no fix is
//! offered. Every value written into a template, or over a setting a template renders, keeps
//! the file's own quoting and line endings.

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::model::{Connector, Field, Style};
use crate::rules::Context;
use crate::source::{FileKind, SourceFile, Span};
use crate::syntax::Setting;

/// Which rules offer a fix, and when: what each rule's documentation says (as ruff's "fix is
/// sometimes available").
const AVAILABLE: &[(&str, &str)] = &[
    ("base-url-malformed", "Fix is sometimes available (safe): a trailing slash or surrounding whitespace is removed."),
    ("connector-proxy-name-mismatch", "Fix is sometimes available (unsafe): `proxyName` is set to the first host name the proxy serves the app as."),
    ("connector-proxy-name-missing", "Fix is sometimes available (unsafe): `proxyName` is set to the host name the proxy serves, and `proxyPort` to its port when the connector has none."),
    ("connector-proxy-port-mismatch", "Fix is sometimes available (unsafe): `proxyPort` is set to the port the proxy frontend listens on."),
    ("connector-scheme-missing", "Fix is sometimes available (unsafe): `scheme` is set to `https`."),
    ("connector-secure-missing", "Fix is sometimes available: `secure` is set to `true`; safe when the connector's own `scheme` is `https`, unsafe when only the proxy says it is reached over HTTPS."),
    ("context-path-malformed", "Fix is sometimes available: safe when only a trailing slash is dropped, unsafe when the path is rewritten."),
    ("context-path-mismatch", "Fix is sometimes available (unsafe): the app's context path is set to the path the proxy serves and forwards, when the app sets one."),
    ("context-path-root-slash", "Fix is always available (safe) unless the value is a template expression: `path=\"/\"` becomes `path=\"\"`."),
    ("obsolete-attribute", "Fix is sometimes available (safe): `compressableMimeType` is renamed `compressibleMimeType`, an attribute with no effect is removed; `maxProcessors` and `minProcessors` are left to you."),
    ("proxypass-reverse-missing", "Fix is always available (safe) for what it flags: a `ProxyPassReverse` with the `ProxyPass`'s own arguments is added on the line below it."),
    ("proxypass-trailing-slash", "Fix is sometimes available (safe): the upstream URL's trailing slash is made to match the local path's, unless it is a template expression."),
    ("property-duplicate-key", "Fix is sometimes available (safe): the earlier assignment, which has no effect, is removed with its line."),
    ("property-key-typo", "Fix is sometimes available (safe): the key is renamed to the one it names, unless that one is numbered (`.N.`)."),
    ("request-body-limit-too-small", "Fix is sometimes available (unsafe), for nginx: `client_max_body_size` is raised to what the app accepts, or written below the `proxy_pass` that lacks one."),
    ("tls-legacy-protocol", "Fix is sometimes available (safe): a list item that enables only legacy versions is removed, HAProxy's `ssl-min-ver` is raised to `TLSv1.2`; a keyword such as `all` is left to you."),
    ("tls-sslv3-enabled", "Fix is sometimes available (safe): a list item that enables only SSLv3 (or SSLv2) is removed, HAProxy's `ssl-min-ver` is raised to `TLSv1.2`; a keyword such as `all` is left to you."),
    ("unknown-attribute", "Fix is sometimes available: safe when the name differs only in case, unsafe for a spelling suggestion."),
];

/// What a rule's documentation says of its fix: `None` when it has none.
pub fn availability(id: &str) -> Option<&'static str> {
    AVAILABLE.iter().find(|(rule, _)| *rule == id).map(|(_, text)| *text)
}

/// A fix of `edits` (an edit that could be written, or none), `None` when there is none.
/// One that edits a repository's defaults changes the variable everywhere it is used: when
/// another template uses it too, the fix changes more than its finding, so it is unsafe
/// whatever the rule's own fix is.
pub(crate) fn fix(
    cx: &Context<'_>,
    description: impl Into<String>,
    applicability: Applicability,
    edits: impl IntoIterator<Item = Edit>,
) -> Option<Fix> {
    let edits: Vec<Edit> = edits.into_iter().collect();
    let shared = edits.iter().any(|edit| uses(cx, edit.span) > 1);
    Fix::new(description, if shared { Applicability::Unsafe } else { applicability }, edits)
}

/// How many template tags of the run render the defaults literal at `span`.
fn uses(cx: &Context<'_>, span: Span) -> usize {
    if cx.parsed(span.file).is_some() {
        return 0;
    }
    let resolutions = cx.files.iter().flat_map(|f| f.source.resolutions());
    resolutions.filter(|r| r.resolved.origins.iter().any(|o| o.literal.is_some_and(|(l, _)| l == span))).count()
}

/// The source of a linted file.
fn source<'a>(cx: &Context<'a>, span: Span) -> Option<&'a SourceFile> {
    cx.parsed(span.file).map(|p| p.source)
}

/// `span` replaced by `content`, unless it touches a template tag.
pub(crate) fn replace(cx: &Context<'_>, span: Span, content: impl Into<String>) -> Option<Edit> {
    let source = source(cx, span)?;
    (!source.touches_template(span.start(), span.end())).then(|| Edit { span, content: content.into() })
}

/// `content` inserted where `span` ends, unless a template tag is there.
pub(crate) fn insert(cx: &Context<'_>, span: Span, content: impl Into<String>) -> Option<Edit> {
    replace(cx, Span::new(span.file, span.end(), span.end()), content)
}

/// The quote around the value at `span`, when there is one.
fn quote_around(source: &SourceFile, span: Span) -> Option<u8> {
    let bytes = source.text().as_bytes();
    let after = *bytes.get(span.end())?;
    let before = *bytes.get(span.start().checked_sub(1)?)?;
    (matches!(after, b'"' | b'\'') && after == before).then_some(after)
}

/// `value` as it may be written at `span` of `source` (inside the quotes already there):
/// escaped for the format, or `None` when it cannot be written there as it is.
fn written(source: &SourceFile, span: Span, value: &str) -> Option<String> {
    if value.contains(['\n', '\r', '\0']) {
        return None;
    }
    let quote = quote_around(source, span);
    match source.kind()? {
        FileKind::TomcatServerXml => {
            let mut out = value.replace('&', "&amp;").replace('<', "&lt;");
            if let Some(q) = quote {
                out = out.replace(char::from(q), if q == b'"' { "&quot;" } else { "&apos;" });
            }
            Some(out)
        }
        FileKind::BitbucketProperties | FileKind::DotEnv => {
            let plain = !value.contains(['\\', '#', '!', '"', '\'', '$']) && value.trim() == value;
            plain.then(|| value.to_string())
        }
        FileKind::Compose | FileKind::Kube => {
            // `- KEY=value`: the value is part of a string, whatever it reads as.
            let in_string = span.start().checked_sub(1).and_then(|i| source.text().as_bytes().get(i)) == Some(&b'=');
            let safe = !value.contains(['"', '\'', '\\', '$']) && !value.contains(" #") && !value.contains(": ");
            let typed = quote.is_none() && !in_string && needs_yaml_quotes(value);
            // A plain `true` would be a boolean (which Kubernetes refuses for a variable):
            // written in quotes, as the image reads it.
            safe.then(|| if typed { format!("\"{value}\"") } else { value.to_string() })
        }
        FileKind::Apache | FileKind::Nginx | FileKind::Haproxy => {
            let bare = !value.is_empty() && !value.contains([' ', '\t', '"', '\'', '\\', '#', ';', '{', '}']);
            (bare || quote.is_some() && !value.contains(['"', '\'', '\\'])).then(|| value.to_string())
        }
        _ => None,
    }
}

/// Whether a YAML plain scalar `value` would not read back as the same string.
fn needs_yaml_quotes(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || value.trim() != value
        || matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n")
        || value.parse::<f64>().is_ok()
        || value.starts_with(['-', '?', '[', '{', '!', '&', '*', '|', '>', '@', '`', '"', '\'', '%'])
        || value.contains(": ")
        || value.contains(" #")
        || value.ends_with(':')
}

/// A setting's value set to `value`: in place, or, when the value is one template tag the
/// repository's defaults give a one-line literal, where that literal is written.
pub(crate) fn set_value(cx: &Context<'_>, setting: &Setting<'_>, value: &str) -> Option<Edit> {
    let span = setting.value.span;
    let source = source(cx, span)?;
    // A value written through a variable (`${JIRA_SCHEME:-http}`, `${proxy.name}`) is set
    // where the variable is, not here.
    if source.text().get(span.start()..span.end())?.contains('$') {
        return None;
    }
    if !source.touches_template(span.start(), span.end()) {
        return Some(Edit { span, content: written(source, span, value)? });
    }
    let [resolution] = source.resolutions_in(span) else { return None };
    if (resolution.start, resolution.end) != (span.start(), span.end()) {
        return None;
    }
    // The tag's own variable, defined as a literal (not through another variable).
    let [origin] = resolution.resolved.origins.as_slice() else { return None };
    let (literal, quoted) = origin.literal?;
    // The value is rendered into the template as it is: nothing to escape, there or here.
    if value.contains(['\n', '\r', '"', '\'', '\\', '&', '<', '>']) {
        return None;
    }
    let content = if !quoted && needs_yaml_quotes(value) { format!("\"{value}\"") } else { value.to_string() };
    Some(Edit { span: literal, content })
}

/// The edits that make a connector's `fields` read their values: each setting's value
/// replaced, and those it lacks written after its last one, as that one is written; `None`
/// when one of them cannot be written.
pub(crate) fn set_fields(cx: &Context<'_>, connector: &Connector<'_>, fields: &[(Field, &str)]) -> Option<Vec<Edit>> {
    if !names_fit(cx, connector) {
        return None;
    }
    let mut edits = Vec::new();
    let mut absent = Vec::new();
    for &(field, value) in fields {
        match connector.get(field) {
            Some(setting) => edits.push(set_value(cx, setting, value)?),
            None => absent.push((connector.name(field), value)),
        }
    }
    if !absent.is_empty() {
        edits.push(add_settings(cx, connector, &absent)?);
    }
    Some(edits)
}

/// A new setting `name` = `value` after the connector's last one, in its style (one the
/// connector model has no field for, such as the context path).
pub(crate) fn add_setting(cx: &Context<'_>, connector: &Connector<'_>, name: &str, value: &str) -> Option<Edit> {
    if !names_fit(cx, connector) {
        return None;
    }
    add_settings(cx, connector, &[(name.to_string(), value)])
}

/// Whether the connector's file names its settings as [`Connector::name`] does: a chart's
/// values name the image's variables differently.
fn names_fit(cx: &Context<'_>, connector: &Connector<'_>) -> bool {
    let kind = source(cx, Span::file_start(connector.file)).and_then(SourceFile::kind);
    !matches!(connector.style, Style::Env(_))
        || matches!(kind, Some(FileKind::Compose | FileKind::DotEnv | FileKind::Kube))
}

/// New settings, each `name` = `value`, after the connector's last one, in its style.
fn add_settings(cx: &Context<'_>, connector: &Connector<'_>, settings: &[(String, &str)]) -> Option<Edit> {
    let last = connector.last?;
    let source = source(cx, last.span)?;
    if last.span.file != connector.file || source.touches_template(last.span.end(), last.span.end()) {
        return None;
    }
    let text = source.text();
    let line = source.line_index(last.name_span.start());
    let (line_start, _) = source.line_range(line);
    let mut content = String::new();
    match connector.style {
        Style::Tomcat => {
            // Not inside a conditional among the attributes.
            if has_control(text.get(connector.at.start()..last.span.end())?) {
                return None;
            }
            // On a line of its own, indented as the last one, when that one starts its line.
            let before = text.get(line_start..last.span.start())?;
            let separator =
                if before.trim().is_empty() { format!("{}{before}", newline(source, line)) } else { " ".to_string() };
            let quote = quote_around(source, last.value.span).map_or('"', char::from);
            for (name, value) in settings {
                let value = written(source, last.value.span, value)?;
                content.push_str(&format!("{separator}{name}={quote}{value}{quote}"));
            }
            insert(cx, last.span, content)
        }
        Style::Spring(_) | Style::Env(_) => {
            // The last line copied with the name and value replaced (comment dropped), or
            // its two lines (a manifest's `- name:` and `value:`); which lines a rendering
            // keeps, a template's conditionals decide.
            let value_span = last.value.span;
            let lines = source.line_index(value_span.end()).checked_sub(line);
            if source.has_template_control()
                || !matches!(lines, Some(0 | 1))
                || value_span.start() < last.name_span.end()
            {
                return None;
            }
            let lead = text.get(line_start..last.name_span.start())?;
            let between = text.get(last.name_span.end()..value_span.start())?;
            // Two lines: the name is the value of the first (`- name: X`), the key kept.
            let written_name = text.get(last.name_span.start()..last.name_span.end())?;
            let two_lines = lines == Some(1) && written_name != last.name;
            let first_line = between.split('\n').next().unwrap_or("");
            if two_lines && !first_line.contains(last.name.as_ref()) {
                return None;
            }
            // A closing quote after the value, when one opens before it.
            let after = text.as_bytes().get(value_span.end()).copied().filter(|b| matches!(b, b'"' | b'\''));
            let opened = |q: u8| (lead.bytes().chain(between.bytes()).filter(|&b| b == q).count()) % 2 == 1;
            let close = after.filter(|&q| opened(q)).map(char::from).map(String::from).unwrap_or_default();
            for (name, value) in settings {
                let value = written(source, value_span, value)?;
                let copy = match two_lines {
                    true => format!("{lead}{written_name}{}", between.replacen(last.name.as_ref(), name, 1)),
                    false => format!("{lead}{name}{between}"),
                };
                content.push_str(&format!("{}{copy}{value}{close}", newline(source, line)));
            }
            // After the value's line.
            let (_, end) = source.line_range(source.line_index(value_span.end()));
            insert(cx, Span::new(connector.file, end, end), content)
        }
    }
}

/// An attribute removed with the blank that set it apart: its whole line when it is alone
/// on it, else the blank before it (or after it, when it starts its line).
pub(crate) fn remove_attribute(cx: &Context<'_>, attribute: &Setting<'_>) -> Option<Edit> {
    let source = source(cx, attribute.span)?;
    let text = source.text();
    let (start, end) = (attribute.span.start(), attribute.span.end());
    let line = source.line_index(start);
    let (line_start, line_end) = source.line_range(line);
    let blank = |t: &str| t.bytes().all(|b| b == b' ' || b == b'\t');
    let before = text.get(line_start..start)?;
    let rest = text.get(end..line_end)?;
    let (from, to) = if blank(before) && blank(rest) && source.line_index(end) == line {
        // Alone on its line: the line goes, with its line ending.
        let next = source.line_range(line + 1).0;
        (line_start, next.max(line_end))
    } else if blank(before) {
        (start, end + (rest.len() - rest.trim_start_matches([' ', '\t']).len()))
    } else {
        (before.trim_end_matches([' ', '\t']).len() + line_start, end)
    };
    replace(cx, Span::new(attribute.span.file, from, to), "")
}

/// A word of a directive (quotes included in its span) rewritten as `value`, in the same
/// quotes; `None` when the value cannot be written there as it is.
pub(crate) fn replace_word(cx: &Context<'_>, span: Span, value: &str) -> Option<Edit> {
    let raw = source(cx, span)?.text().get(span.start()..span.end())?;
    let quote = raw.chars().next().filter(|c| matches!(c, '"' | '\''));
    let content = match quote {
        Some(q) if !value.contains([q, '\\']) => format!("{q}{value}{q}"),
        None if !value.is_empty() && !value.contains([' ', '\t', '"', '\'', '\\', '#']) => value.to_string(),
        _ => return None,
    };
    replace(cx, span, content)
}

/// The last word of `span` (`ssl-min-ver TLSv1.0`) rewritten as `value`.
pub(crate) fn replace_last_word(cx: &Context<'_>, span: Span, value: &str) -> Option<Edit> {
    let raw = source(cx, span)?.text().get(span.start()..span.end())?;
    let start = raw.rfind([' ', '\t']).map_or(0, |i| i + 1);
    (start > 0).then(|| replace(cx, Span::new(span.file, span.start() + start, span.end()), value)).flatten()
}

/// A list item that enables only what is flagged (`TLSv1` in `TLSv1,TLSv1.2`, `+TLSv1.1` in
/// `-all +TLSv1.1 +TLSv1.2`) removed with one separator beside it. When no item that stays
/// (TLS 1.2, 1.3, `all`) is in the list, the first enabling item becomes `TLSv1.2` (with its
/// `+`) and the others go: a list that enables nothing stops the server. `setting` is the
/// name before the list (`SSLProtocol`), which is not one of its items. Returns the edit and
/// what it does.
pub(crate) fn remove_list_item(cx: &Context<'_>, span: Span, setting: &str) -> Option<(Edit, String)> {
    let source = source(cx, span)?;
    // HAProxy's options are words of a `bind` line, not a list of versions.
    if source.kind() == Some(FileKind::Haproxy) {
        return None;
    }
    let text = source.text();
    let item = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'!' | b'_');
    let separator = |b: u8| matches!(b, b',' | b' ' | b'\t');
    let bytes = text.as_bytes();
    // The list: the items and separators around the span, up to the setting's name.
    let mut from = span.start();
    while from > 0 && bytes.get(from - 1).is_some_and(|b| item(*b) || separator(*b)) {
        from -= 1;
    }
    let mut to = span.end();
    while bytes.get(to).is_some_and(|b| item(*b) || separator(*b)) {
        to += 1;
    }
    let others: Vec<(usize, &str)> = text
        .get(from..to)?
        .split([',', ' ', '\t'])
        .scan(from, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some((start, word))
        })
        .filter(|(start, word)| !word.is_empty() && *start != span.start() && !word.eq_ignore_ascii_case(setting))
        .collect();
    // Another item enables a version that stays (TLS 1.2 or 1.3, or `all`): this one can
    // go. Otherwise removing it might leave nothing enabled, which no server starts with.
    let modern = |word: &str| {
        let word = word.trim_start_matches('+').to_ascii_lowercase();
        word.contains("1.2") || word.contains("1.3") || word.contains("12") || word.contains("13") || word == "all"
    };
    let enabling = |word: &str| !word.starts_with(['-', '!']);
    // With none, the first enabling item becomes TLSv1.2 and the others go.
    let first = !others.iter().any(|(start, word)| *start < span.start() && enabling(word));
    if others.iter().any(|(_, word)| enabling(word) && modern(word)) || !first {
        let mut after = span.end();
        while bytes.get(after).is_some_and(|b| separator(*b)) {
            after += 1;
        }
        let raw = text.get(span.start()..span.end())?;
        let what = format!("remove `{raw}` from `{setting}`");
        if after > span.end() && bytes.get(after).copied().is_some_and(item) {
            return replace(cx, Span::new(span.file, span.start(), after), "").map(|e| (e, what));
        }
        let mut before = span.start();
        while before > 0 && bytes.get(before - 1).is_some_and(|b| separator(*b)) {
            before -= 1;
        }
        let edit = (before < span.start()).then(|| replace(cx, Span::new(span.file, before, span.end()), ""));
        return edit.flatten().map(|e| (e, what));
    }
    // Else it becomes the one version that is not flagged.
    let raw = text.get(span.start()..span.end())?;
    let sign = if raw.starts_with('+') { "+" } else { "" };
    let what = format!("write `{sign}TLSv1.2` for `{raw}` in `{setting}`");
    replace(cx, span, format!("{sign}TLSv1.2")).map(|e| (e, what))
}

/// The lines of `span` removed whole, with their line ending (a property with its
/// continuation lines); `None` in a template with conditionals, whose branches decide which
/// lines a rendering keeps.
pub(crate) fn remove_lines(cx: &Context<'_>, span: Span) -> Option<Edit> {
    let source = source(cx, span)?;
    if source.has_template_control() {
        return None;
    }
    let (start, _) = source.line_range(source.line_index(span.start()));
    let last = source.line_index(span.end().saturating_sub(1).max(span.start()));
    let end = source.line_range(last + 1).0.max(source.line_range(last).1);
    replace(cx, Span::new(span.file, start, end), "")
}

/// A line inserted after the line where `span` ends, indented as the line where it starts
/// (`line` receives the indentation and writes the line without its line ending).
pub(crate) fn line_after(cx: &Context<'_>, span: Span, line: impl FnOnce(&str) -> Option<String>) -> Option<Edit> {
    let source = source(cx, span)?;
    let first = source.line_index(span.start());
    let (start, _) = source.line_range(first);
    let text = source.text();
    let indent: String = text.get(start..)?.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let last = source.line_index(span.end().saturating_sub(1).max(span.start()));
    let (_, end) = source.line_range(last);
    let content = line(&indent)?;
    insert(cx, Span::new(span.file, end, end), format!("{}{content}", newline(source, last)))
}

/// The line ending of line `line` (`\r\n` or `\n`), as a new line after it is written.
fn newline(source: &SourceFile, line: usize) -> &'static str {
    let (_, end) = source.line_range(line);
    let text = source.text();
    // The last line may have none: then the file's own.
    let crlf = match text.as_bytes().get(end) {
        Some(&byte) => byte == b'\r',
        None => text.contains("\r\n"),
    };
    if crlf {
        "\r\n"
    } else {
        "\n"
    }
}

/// Whether template text holds a control tag (`{% if %}`, `<% if %>`, not an output tag).
fn has_control(text: &str) -> bool {
    text.contains("{%") || text.match_indices("<%").any(|(i, _)| !text.get(i + 2..).is_some_and(|t| t.starts_with('=')))
}
