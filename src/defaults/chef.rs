//! Chef attribute files (`attributes/*.rb`): `default['jira']['port'] = 8080`, with the
//! precedence words Chef has (`default`, `normal`, `override`, the old `set`, `set_unless`),
//! `node.` in front or not, and `['x']`, `["x"]` and `[:x]` spellings alike.

use super::expr::dotted_path;

/// One assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The key, as templates name it (`node.jira.port`).
    pub key: String,
    /// The Ruby expression assigned, trimmed, without a trailing comment.
    pub value: String,
    /// The precedence: higher wins (default 0, normal 1, override 2).
    pub level: u8,
    /// The byte offset of the assignment, and of the end of its line.
    pub at: (usize, usize),
}

/// Every attribute assignment of an attribute file, in order.
pub fn assignments(text: &str) -> Vec<Assignment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        let Some(found) = assignment(trimmed) else { continue };
        out.push(Assignment { at: (start + indent, start + body.trim_end().len()), ..found });
    }
    out
}

/// An assignment on one line.
fn assignment(line: &str) -> Option<Assignment> {
    let rest = line.strip_prefix("node.").unwrap_or(line);
    let (word, level) = [
        ("force_override", 2),
        ("override", 2),
        ("force_default", 0),
        ("default", 0),
        ("normal", 1),
        ("set_unless", 1),
        ("set", 1),
    ]
    .into_iter()
    .find(|(word, _)| rest.starts_with(word) && rest.get(word.len()..).is_some_and(|r| r.starts_with('[')))?;
    let rest = rest.get(word.len()..)?;
    // The index chain ends at the `=` outside brackets and quotes.
    let mut depth = 0usize;
    let mut quote = None;
    let mut equals = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, '=') if depth == 0 => {
                equals = Some(i);
                break;
            }
            _ => {}
        }
    }
    let equals = equals?;
    let path = rest.get(..equals)?.trim();
    let value = rest.get(equals + 1..)?;
    if value.starts_with(['=', '~']) {
        return None;
    }
    let key = format!("node.{}", dotted_path(path)?.trim_start_matches('.'));
    Some(Assignment { key, value: without_comment(value).trim().to_string(), level, at: (0, 0) })
}

/// A Ruby line's code without its trailing `#` comment (a `#` inside a string or `#{}` is
/// not one).
fn without_comment(code: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in code.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q && prev != '\\' => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') => return code.get(..i).unwrap_or(code),
            _ => {}
        }
        prev = c;
    }
    code
}

#[cfg(test)]
mod tests {
    use super::assignments;

    #[test]
    fn every_spelling_of_an_attribute() {
        let text = "# c\ndefault['jira']['port'] = 8080 # the port\nnode.default[:jira][:scheme] = 'https'\n  override[\"jira\"][\"context\"] = \"/jira\"\nnormal['x'] ||= 1\nif node['a'] == 1\nputs default\n";
        let found = assignments(text);
        let keys: Vec<(&str, &str, u8)> = found.iter().map(|a| (a.key.as_str(), a.value.as_str(), a.level)).collect();
        assert_eq!(
            keys,
            [("node.jira.port", "8080", 0), ("node.jira.scheme", "'https'", 0), ("node.jira.context", "\"/jira\"", 2)]
        );
        let first = found.first().expect("one");
        assert_eq!(text.get(first.at.0..first.at.1), Some("default['jira']['port'] = 8080 # the port"));
    }
}
