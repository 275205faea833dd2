//! Puppet manifests: the parameter defaults of each `class name (...)` and the variables a
//! class body assigns at its top level (`class jira::params { $port = 8080 }`).

/// A class's variable with its default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The class (`jira`, `jira::params`).
    pub class: String,
    /// The variable without `$`.
    pub name: String,
    /// The expression assigned, trimmed.
    pub value: String,
    /// The byte range of the definition (`$port = 8080`).
    pub at: (usize, usize),
}

/// Every class parameter with a default, and every top-level assignment of a class body.
pub fn variables(text: &str) -> Vec<Variable> {
    let tokens = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        i += 1;
        if token.text != "class" {
            continue;
        }
        let Some(name) = tokens.get(i).filter(|t| is_class_name(t.text)) else { continue };
        let class = name.text.trim_start_matches("::").to_string();
        i += 1;
        if tokens.get(i).is_some_and(|t| t.text == "(") {
            let end = closing(&tokens, i).unwrap_or(tokens.len());
            definitions(&tokens, i + 1, end, &class, text, &mut out);
            i = end + 1;
        }
        while tokens.get(i).is_some_and(|t| t.text != "{") {
            i += 1;
        }
        if tokens.get(i).is_some() {
            let end = closing(&tokens, i).unwrap_or(tokens.len());
            definitions(&tokens, i + 1, end, &class, text, &mut out);
            i = end + 1;
        }
    }
    out
}

/// The `$name = value` definitions between tokens `from` and `to` at their top level, a
/// value running to the next `,` or line end outside brackets.
fn definitions(tokens: &[Token<'_>], from: usize, to: usize, class: &str, text: &str, out: &mut Vec<Variable>) {
    let mut i = from;
    while i < to {
        let Some(token) = tokens.get(i) else { break };
        if matches!(token.text, "(" | "[" | "{") {
            i = closing(tokens, i).map_or(to, |end| end + 1);
            continue;
        }
        let is_assignment = token.text.starts_with('$')
            && tokens.get(i + 1).is_some_and(|t| t.text == "=")
            && !tokens.get(i + 2).is_some_and(|t| matches!(t.text, "=" | ">" | "~"));
        if !is_assignment {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        let value_start = tokens.get(j).map_or(token.end, |t| t.start);
        let mut value_end = value_start;
        while j < to {
            let Some(t) = tokens.get(j) else { break };
            if t.text == "," || (t.line_start && j > i + 2) {
                break;
            }
            if matches!(t.text, "(" | "[" | "{") {
                let end = closing(tokens, j).unwrap_or(to).min(to);
                value_end = tokens.get(end).map_or(value_end, |e| e.end);
                j = end + 1;
                continue;
            }
            value_end = t.end;
            j += 1;
        }
        let name = token.text.trim_start_matches('$').to_string();
        let value = text.get(value_start..value_end).unwrap_or("").trim().to_string();
        out.push(Variable { class: class.to_string(), name, value, at: (token.start, value_end) });
        i = j;
    }
}

/// The index of the token that closes the bracket at `open`.
fn closing(tokens: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, token) in tokens.iter().enumerate().skip(open) {
        match token.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

fn is_class_name(text: &str) -> bool {
    let name = text.trim_start_matches("::");
    !name.is_empty()
        && name.split("::").all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// A token of Puppet code: a word, a string, or one punctuation character.
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// The first token on its line.
    line_start: bool,
}

/// The tokens of `text`, without comments.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while bytes.get(i).is_some_and(|b| *b != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'\'' | b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    if c == b'\\' {
                        i += 1;
                    } else if c == b {
                        break;
                    }
                }
            }
            b'$' | b':' | b'_' | b'-' | b'.' => {
                i += 1;
                while bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.' | b'-'))
                {
                    i += 1;
                }
            }
            c if c.is_ascii_alphanumeric() => {
                while bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.')) {
                    i += 1;
                }
            }
            _ => {
                // One character (UTF-8 sequences whole).
                i += text.get(i..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
            }
        }
        let end = i.min(text.len());
        if let Some(word) = text.get(start..end) {
            out.push(Token { text: word, start, end, line_start });
        }
        line_start = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn class_parameters_and_body_variables() {
        let text = "# jira\nclass jira (\n  Integer $port = 8080,\n  Optional[String[1]] $proxy_name = undef,\n  Hash $opts = { 'a' => 1, 'b' => [2, 3] },\n  String $scheme = $jira::params::scheme, # c\n  $context = '/jira'\n) inherits jira::params {\n  $x = 1\n  if $y { $z = 2 }\n}\nclass jira::params {\n  $scheme = 'https'\n}\n";
        let found = variables(text);
        let got: Vec<(&str, &str, &str)> =
            found.iter().map(|v| (v.class.as_str(), v.name.as_str(), v.value.as_str())).collect();
        assert_eq!(
            got,
            [
                ("jira", "port", "8080"),
                ("jira", "proxy_name", "undef"),
                ("jira", "opts", "{ 'a' => 1, 'b' => [2, 3] }"),
                ("jira", "scheme", "$jira::params::scheme"),
                ("jira", "context", "'/jira'"),
                ("jira", "x", "1"),
                ("jira::params", "scheme", "'https'"),
            ]
        );
        let port = found.first().expect("port");
        assert_eq!(text.get(port.at.0..port.at.1), Some("$port = 8080"));
    }
}
