//! Templates in infrastructure repositories (Jinja, ERB, EPP): their tags are masked at the
//! same byte offsets, so the configuration around them parses and every span still points
//! into the file as written.

/// The text to parse, with template tags masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// Same length as the original; tags replaced.
    pub text: String,
    /// The template has control tags (`{% if %}`, `<% if %>`): both branches of a
    /// conditional are in the text, so repeated settings prove nothing.
    pub has_control: bool,
    /// The byte ranges of the branches of each conditional that has more than one (`if`
    /// with `else` or `elif`): a rendering holds one of them, not all.
    pub branches: Vec<(usize, usize)>,
    /// The byte ranges of the output tags masked as values (`{{ port }}`, `<%= @port %>`),
    /// in order: what a repository's defaults may resolve.
    pub outputs: Vec<(usize, usize)>,
}

impl Masked {
    /// Whether `offset` is inside one branch of a conditional that has another.
    pub fn in_alternative(&self, offset: usize) -> bool {
        self.branches.iter().any(|(start, end)| (*start..*end).contains(&offset))
    }
}

/// Masks template tags, or returns `None` when the text has none.
///
/// Control and comment tags (`{% %}`, `{# #}`, `<% %>`, `<%# %>`) become spaces. Output tags
/// (`{{ }}`, `<%= %>`) become `{{____}}`, a value only known at deployment time; in XML, an
/// output tag where an attribute would stand (`<Connector <%= attrs %>/>`, or
/// `<%= key %>=<%= value %>`) becomes spaces instead, since it writes whole attributes. Line
/// breaks inside tags stay, so lines keep their numbers.
pub fn mask(text: &str, xml: bool) -> Option<Masked> {
    if !["{%", "{#", "{{", "<%"].iter().any(|open| text.contains(open)) {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    let mut has_control = false;
    let mut changed = false;
    let mut markup = Markup::default();
    let mut closers = Closers::default();
    let mut conditionals = Conditionals::default();
    let mut outputs = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some((end, kind)) = tag_at(text, i, &mut closers) else {
            if xml {
                markup.step(text.as_bytes(), i);
            }
            i += 1;
            continue;
        };
        let mut end = end;
        let in_attributes = xml && markup.in_tag && markup.quote.is_none();
        let as_value = kind == Tag::Output && !in_attributes;
        if in_attributes && kind == Tag::Output {
            end = assignment_end(text, end, &mut closers);
        }
        has_control |= kind == Tag::Control;
        if kind == Tag::Control {
            conditionals.tag(text.get(i..end).unwrap_or(""), i, end);
        }
        if let Some(tag) = bytes.get_mut(i..end) {
            blank(tag, as_value);
            changed = true;
            if as_value {
                outputs.push((i, end));
            }
        }
        i = end;
    }
    let branches = conditionals.branches;
    changed.then(|| Masked { text: String::from_utf8_lossy(&bytes).into_owned(), has_control, branches, outputs })
}

/// The variable an expression names when it is one plain variable reference and nothing
/// else: `{{ jira_context_path }}`, `{{- x -}}`, `<%= @context %>`, `<%= $port %>`,
/// `{{ .Values.contextPath }}`.
pub fn single_variable(expression: &str) -> Option<&str> {
    let text = expression.trim();
    let inner = if let Some(rest) = text.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
        rest.trim_start_matches('-').trim_end_matches('-')
    } else if let Some(rest) = text.strip_prefix("<%").and_then(|r| r.strip_suffix("%>")) {
        rest.trim_start_matches('-').strip_prefix('=')?.trim_end_matches('-')
    } else {
        return None;
    };
    let name = inner.trim();
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '$'))
        && !name.starts_with(|c: char| c.is_ascii_digit());
    plain.then_some(name)
}

/// The variable a template value stands for, as a key two values can be compared by: the
/// expression of its one output tag (`{{ jira_port }}`, `{{ jira_port | int }}`,
/// `<%= node['jira']['port'] %>`, `<%= @port %>`, `${JIRA_PORT}`) without filters, with
/// index and attribute spellings made one (`node[:jira][:port]` is `node.jira.port`).
/// `None` when the value is not exactly one such tag or the expression is more than a
/// variable.
pub fn variable_key(value: &str) -> Option<String> {
    let text = value.trim();
    let inner = if let Some(rest) = text.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
        rest.trim_start_matches('-').trim_end_matches('-')
    } else if let Some(rest) = text.strip_prefix("<%").and_then(|r| r.strip_suffix("%>")) {
        rest.trim_start_matches('-').strip_prefix('=')?.trim_end_matches('-')
    } else if let Some(rest) = text.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        rest.split_once(":-").map_or(rest, |(name, _)| name)
    } else {
        return None;
    };
    // Jinja filters (`| int`, `| default(8080)`) do not change which variable it is.
    let expression = inner.split('|').next().unwrap_or("").trim();
    let mut key = String::with_capacity(expression.len());
    let mut rest = expression;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            let close = rest.find(']')?;
            let index = rest.get(1..close)?.trim();
            let index = index.trim_start_matches(':').trim_matches(['\'', '"']);
            if index.is_empty() || !index.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')) {
                return None;
            }
            key.push('.');
            key.push_str(index);
            rest = rest.get(close + 1..)?;
        } else if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '$' | ':') {
            key.push(c);
            rest = rest.get(c.len_utf8()..)?;
        } else {
            return None;
        }
    }
    let key = key.trim_start_matches('.').to_string();
    (!key.is_empty() && !key.starts_with(|c: char| c.is_ascii_digit())).then_some(key)
}

/// What a template tag does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    /// `{{ x }}`, `<%= x %>`: writes a value.
    Output,
    /// `{% if %}`, `<% if %>`: decides what is written.
    Control,
    /// `{# #}`, `<%# %>`.
    Comment,
}

/// The closing markers, and for each the offset from which the text is known not to hold it.
///
/// A file of unclosed openers would otherwise search to its end once per opener; once a
/// search from some offset fails, every search from further on fails too.
#[derive(Default)]
struct Closers {
    absent_from: [Option<usize>; CLOSERS.len()],
}

/// Every marker that closes a tag.
const CLOSERS: [&str; 4] = ["}}", "%}", "#}", "%>"];

impl Closers {
    /// The offset of the first `close` at or after `from`.
    fn find(&mut self, text: &str, from: usize, close: &str) -> Option<usize> {
        let slot = CLOSERS.iter().position(|c| *c == close)?;
        let absent = self.absent_from.get_mut(slot)?;
        if absent.is_some_and(|start| start <= from) {
            return None;
        }
        let found = text.get(from..)?.find(close).map(|k| from + k);
        if found.is_none() {
            *absent = Some(absent.map_or(from, |start| start.min(from)));
        }
        found
    }
}

/// The open blocks of a template's control tags, to find the branches of its conditionals.
#[derive(Default)]
struct Conditionals {
    /// Per open block: for a conditional, where each of its branches starts (and the
    /// finished ones); `None` for another block (`for`, `each do`, `case`).
    open: Vec<Option<Vec<(usize, usize)>>>,
    /// Where the current branch of each open conditional started.
    starts: Vec<usize>,
    /// Branches of finished conditionals that had more than one.
    branches: Vec<(usize, usize)>,
}

/// How deep blocks of one template may nest before the rest is not tracked.
const MAX_TEMPLATE_DEPTH: usize = 256;

impl Conditionals {
    /// A control tag from `start` to `end`: Jinja (`{% if %}`, `{% elif %}`, `{% else %}`,
    /// `{% endif %}`, `{% for %}`...), ERB (`<% if %>`, `<% unless %>`, `<% elsif %>`,
    /// `<% else %>`, `<% end %>`, `<% x.each do |y| %>`) or EPP (`<% if $x { %>`,
    /// `<% } else { %>`, `<% } %>`).
    fn tag(&mut self, tag: &str, start: usize, end: usize) {
        let inner =
            tag.get(2..tag.len().saturating_sub(2)).unwrap_or("").trim_matches(['-', '%', ' ', '\t', '\n', '\r']);
        let word = inner.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
        let closes_brace = inner.starts_with('}');
        let opens_brace = inner.ends_with('{');
        let rest = inner.trim_start_matches('}').trim_start();
        let branch = matches!(word, "else" | "elif" | "elsif")
            || (closes_brace && (rest.starts_with("else") || rest.starts_with("elsif")));
        if branch {
            if let (Some(Some(finished)), Some(from)) = (self.open.last_mut(), self.starts.last_mut()) {
                finished.push((*from, start));
                *from = end;
            }
            return;
        }
        let closes = word.starts_with("end") || (closes_brace && !opens_brace);
        if closes {
            let (Some(frame), Some(from)) = (self.open.pop(), self.starts.pop()) else { return };
            if let Some(mut finished) = frame {
                finished.push((from, start));
                if finished.len() > 1 {
                    self.branches.extend(finished);
                }
            }
            return;
        }
        let conditional = matches!(word, "if" | "unless");
        let block = conditional
            || matches!(
                word,
                "for" | "block" | "macro" | "call" | "filter" | "with" | "case" | "while" | "until" | "begin"
            )
            || inner.ends_with(" do")
            || inner.contains(" do |")
            || opens_brace;
        if block && self.open.len() < MAX_TEMPLATE_DEPTH {
            self.open.push(conditional.then(Vec::new));
            self.starts.push(end);
        }
    }
}

/// The template tag starting at `i`: where it ends and what it is.
fn tag_at(text: &str, i: usize, closers: &mut Closers) -> Option<(usize, Tag)> {
    let rest = text.get(i..)?;
    let (close, kind) = if rest.starts_with("{{") {
        ("}}", Tag::Output)
    } else if rest.starts_with("{%") {
        ("%}", Tag::Control)
    } else if rest.starts_with("{#") {
        ("#}", Tag::Comment)
    } else if rest.starts_with("<%") {
        let marker = rest.get(2..).and_then(|r| r.trim_start_matches('-').chars().next());
        match marker {
            Some('=') => ("%>", Tag::Output),
            Some('#') => ("%>", Tag::Comment),
            _ => ("%>", Tag::Control),
        }
    } else {
        return None;
    };
    let end = closers.find(text, i.checked_add(2)?, close)? + close.len();
    Some((end, kind))
}

/// After an output tag in attribute position, the rest of a templated assignment
/// (`=<%= value %>`, `= "..."`), so the whole attribute is masked.
fn assignment_end(text: &str, end: usize, closers: &mut Closers) -> usize {
    let rest = text.get(end..).unwrap_or("");
    let after_space = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let Some(value) = rest.get(after_space..).and_then(|r| r.strip_prefix('=')) else { return end };
    let value_start = end + after_space + 1;
    let value = value.trim_start_matches([' ', '\t']);
    let value_at = value_start + (text.get(value_start..).map_or(0, |r| r.len()) - value.len());
    if let Some((tag_end, Tag::Output)) = tag_at(text, value_at, closers) {
        return tag_end;
    }
    match value.chars().next() {
        Some(quote @ ('"' | '\'')) => value.get(1..).and_then(|v| v.find(quote)).map_or(end, |k| value_at + 1 + k + 1),
        _ => end,
    }
}

/// Where the XML scanner is: inside a tag, inside a quoted attribute value.
#[derive(Default)]
struct Markup {
    in_tag: bool,
    quote: Option<u8>,
}

impl Markup {
    fn step(&mut self, bytes: &[u8], i: usize) {
        let Some(&b) = bytes.get(i) else { return };
        match (self.in_tag, self.quote, b) {
            (false, _, b'<') => self.in_tag = bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'/'),
            (true, None, b'>') => self.in_tag = false,
            (true, None, b'"' | b'\'') => self.quote = Some(b),
            (true, Some(q), c) if c == q => self.quote = None,
            _ => {}
        }
    }
}

/// Overwrites a tag: spaces, or `{{__}}` for an output tag; line breaks stay.
fn blank(tag: &mut [u8], output: bool) {
    let len = tag.len();
    for (k, byte) in tag.iter_mut().enumerate() {
        if matches!(*byte, b'\n' | b'\r') {
            continue;
        }
        *byte = match (output, k) {
            (true, 0 | 1) => b'{',
            (true, k) if k + 2 >= len => b'}',
            (true, _) => b'_',
            (false, _) => b' ',
        };
    }
}

#[cfg(test)]
mod tests {
    use super::{mask, single_variable};

    #[test]
    fn plain_variable_references_are_recognised() {
        assert_eq!(single_variable("{{ jira_context_path }}"), Some("jira_context_path"));
        assert_eq!(single_variable("{{- x -}}"), Some("x"));
        assert_eq!(single_variable("<%= @context %>"), Some("@context"));
        assert_eq!(single_variable("<%= $port -%>"), Some("$port"));
        assert_eq!(single_variable("<%= $port %>"), Some("$port"));
        assert_eq!(single_variable("{{ .Values.contextPath }}"), Some(".Values.contextPath"));
        assert_eq!(single_variable("{{ path | default('/') }}"), None);
        assert_eq!(single_variable("/{{ app }}"), None);
    }

    #[test]
    fn tags_are_masked_in_place() {
        let text = "{% if ssl %}\nserver.scheme=https\n{% endif %}\nserver.port=<%= @port %>\n{# note #}\n";
        let masked = mask(text, false).expect("masked");
        assert_eq!(masked.text.len(), text.len());
        assert_eq!(
            masked.text,
            "            \nserver.scheme=https\n           \nserver.port={{________}}\n          \n"
        );
        assert!(masked.has_control);
    }

    #[test]
    fn plain_text_and_output_only_templates() {
        assert_eq!(mask("server.port=7990\n", false), None);
        let masked = mask("port=\"<%= @port %>\"", true).expect("masked");
        assert!(!masked.has_control);
        assert_eq!(mask("a <% unclosed", false), None);
    }

    #[test]
    fn unclosed_openers_do_not_hide_later_tags() {
        let text = "a {% b {{ c }} d {# e <%= f %> {{ g";
        let masked = mask(text, false).expect("masked");
        assert_eq!(masked.text, "a {% b {{___}} d {# e {{____}} {{ g");
        let unclosed = "{{ ".repeat(10_000);
        assert_eq!(mask(&unclosed, false), None);
    }

    #[test]
    fn xml_output_tags_in_attribute_position_write_attributes() {
        let text = "<Connector port=\"{{ p | default(\"80\") }}\" <%= key %>=<%= \"'#{v}'\" %> <%= extra %>/>";
        let masked = mask(text, true).expect("masked");
        assert_eq!(masked.text.len(), text.len());
        assert!(masked.text.starts_with("<Connector port=\"{{"), "{}", masked.text);
        assert!(masked.text.trim_end_matches("/>").trim_end().ends_with('"'), "{}", masked.text);
    }

    #[test]
    fn variables_are_keyed_whatever_their_spelling() {
        let key = |text: &str| super::variable_key(text);
        assert_eq!(key("{{ jira_port }}").as_deref(), Some("jira_port"));
        assert_eq!(key("{{- jira_port | int -}}").as_deref(), Some("jira_port"));
        assert_eq!(key("{{ jira_port | default(8080) }}").as_deref(), Some("jira_port"));
        assert_eq!(key("<%= node['jira']['port'] %>"), key("<%= node[:jira][:port] %>"));
        assert_eq!(key("<%= node[\"jira\"][\"port\"] %>").as_deref(), Some("node.jira.port"));
        assert_eq!(key("<%= @port %>").as_deref(), Some("@port"));
        assert_eq!(key("<%= $jira::port %>").as_deref(), Some("$jira::port"));
        assert_eq!(key("${JIRA_PORT:-8080}").as_deref(), Some("JIRA_PORT"));
        assert_eq!(key("{{ .Values.jira.port }}").as_deref(), Some("Values.jira.port"));
        for other in ["8080", "{{ a + b }}", "{{ a }}{{ b }}", "x{{ a }}", "{{ 1 }}"] {
            assert_eq!(key(other), None, "{other}");
        }
    }

    #[test]
    fn branches_of_conditionals_with_an_alternative_are_found() {
        let branches = |text: &str| -> Vec<String> {
            let masked = mask(text, false).expect("masked");
            masked.branches.iter().map(|(a, b)| text.get(*a..*b).unwrap_or("").trim().to_string()).collect()
        };
        let jinja = "{% if old %}Order a{% elif mid %}X{% else %}Require b{% endif %}{% if x %}alone{% endif %}";
        assert_eq!(branches(jinja), ["Order a", "X", "Require b"]);
        let erb = "<% if @v < 2.4 -%>\nOrder\n<% else -%>\nRequire\n<% end -%>\n<% @a.each do |x| -%>\nA\n<% end -%>\n";
        assert_eq!(branches(erb), ["Order", "Require"]);
        let epp = "<% if $old { -%>\nOrder\n<% } else { -%>\nRequire\n<% } -%>\n<% $a.each |$x| { -%>A<% } -%>";
        assert_eq!(branches(epp), ["Order", "Require"]);
        // An unclosed or stray tag leaves the rest alone.
        assert!(branches("{% endif %}{% else %}{% if a %}x{% else %}y").is_empty());
    }
}
