//! Secret values in any text: URL user info, `password=` parameters, credentials headers,
//! and the rest of a broken line after a secret word.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::names::{is_directive_without_secret, is_secret_name};

/// The byte range of the password in a URL's user info (`https://user:PASSWORD@host/`).
pub fn url_password(value: &str) -> Option<(usize, usize)> {
    let authority_start = value.find("://")? + 3;
    let rest = value.get(authority_start..)?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end)?;
    let at = authority.rfind('@')?;
    let colon = authority.get(..at)?.find(':')?;
    (colon + 1 < at).then_some((authority_start + colon + 1, authority_start + at))
}

/// A value as a message may quote it: any password in URL user info replaced by `****`.
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    match url_password(value) {
        Some((from, to)) => {
            let mut masked = value.to_string();
            masked.replace_range(from..to, "****");
            std::borrow::Cow::Owned(masked)
        }
        None => std::borrow::Cow::Borrowed(value),
    }
}

/// Byte ranges of secret values anywhere in a text, whatever its format (a whole file, a
/// comment, a message): values of secret-named `name=value` / `name: value` settings and
/// parameters (`keystorePass="x"`, `jdbc:...?password=x`, `secret=x` of a `ProxyPass`),
/// user info of URLs with a password (`https://user:password@host`), `Authorization:`
/// header values and `Basic` / `Bearer` tokens. Linear in the text.
pub fn in_text(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    named_values(text, &mut found);
    url_user_info(text, &mut found, &mut Vec::new());
    credentials(text, &mut found);
    found
}

/// Byte ranges of the user info of URLs that have no password (`ssh://git@host`,
/// `https://TOKEN@host`): masked where shown, but not secret values to search for in
/// messages, where an ordinary user name (`git`) would mask every word that holds it.
pub fn url_user_names(text: &str) -> Vec<(usize, usize)> {
    let mut names = Vec::new();
    url_user_info(text, &mut Vec::new(), &mut names);
    names
}

/// Byte ranges of secret values written as `name="value"`, `name='value'`, `name=value` or
/// `name: value` with a secret name.
fn named_values(text: &str, found: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut resume = 0;
    // Only the bytes around each `=` and `:` are read: a name reaches back at most to the
    // separator before it, so every byte is read a bounded number of times.
    for separator in memchr::memchr2_iter(b'=', b':', bytes) {
        if separator < resume {
            continue;
        }
        let mut end = separator;
        while end > 0 && matches!(bytes.get(end - 1), Some(b' ' | b'\t')) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && bytes.get(start - 1).is_some_and(|&b| is_name_byte(b)) {
            start -= 1;
        }
        if start == end || !is_secret_name(text.get(start..end).unwrap_or("")) {
            continue;
        }
        let (from, to) = value_at(text, skip_blanks(bytes, separator + 1));
        if to > from {
            found.push((from, to));
        }
        resume = to.max(separator + 1);
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|c| *c == b' ' || *c == b'\t') {
        at += 1;
    }
    at
}

/// The value starting at `at`: quoted (to the closing quote, or the end of the line when
/// there is none on it) or bare (to white space or a delimiter of URLs, connection strings
/// and tags).
fn value_at(text: &str, at: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            // Within the line: a search to the end of the file for each unclosed quote would
            // make many of them quadratic. A value over several lines is masked whole by the
            // parser that reads it.
            let rest = bytes.get(at + 1..).unwrap_or(&[]);
            let len = rest.iter().position(|&c| c == quote || c == b'\n' || c == b'\r').unwrap_or(rest.len());
            (at + 1, at + 1 + len)
        }
        _ => {
            let rest = bytes.get(at..).unwrap_or(&[]);
            let len = rest
                .iter()
                .position(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'&' | b';'))
                .unwrap_or(rest.len());
            (at, at + len)
        }
    }
}

/// The user info of every URL (`scheme://USER:PASSWORD@host`), user name included, into
/// `found` when it has a password and into `names` when it is a user name alone (some
/// services take a token as the user name).
fn url_user_info(text: &str, found: &mut Vec<(usize, usize)>, names: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    for marker in memchr::memmem::find_iter(bytes, b"://") {
        let start = marker + 3;
        let rest = bytes.get(start..).unwrap_or(&[]);
        // The authority ends at the path; every later `://` holds a `/`, so scans never overlap.
        let len = rest
            .iter()
            .position(|c| {
                c.is_ascii_whitespace() || matches!(c, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'\\')
            })
            .unwrap_or(rest.len());
        let authority = rest.get(..len).unwrap_or(&[]);
        if let Some(at) = authority.iter().rposition(|c| *c == b'@').filter(|&at| at > 0) {
            let info = authority.get(..at).unwrap_or(&[]);
            let into = if info.contains(&b':') { &mut *found } else { &mut *names };
            into.push((start, start + at));
        }
    }
}

/// The user info of a host written without a scheme (`user:password@host`, a
/// `proxyName` or `server.proxy-name` set to an authority): the part before the last `@`, when
/// it holds a `:` (a mail address does not).
pub fn bare_user_info(value: &str) -> Option<(usize, usize)> {
    if value.contains("://") || value.contains(char::is_whitespace) {
        return None;
    }
    let at = value.rfind('@')?;
    value.get(..at)?.contains(':').then_some((0, at))
}

/// Byte ranges of the user info of every URL in a text (`scheme://USER:PASSWORD@host`).
pub fn url_user_info_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut names = Vec::new();
    url_user_info(text, &mut found, &mut names);
    found.extend(names);
    found.sort_unstable();
    found
}

/// Markers of credentials in headers, found in one pass whatever their case.
fn credential_markers() -> Option<&'static AhoCorasick> {
    static MARKERS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    MARKERS
        .get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(["authorization", "basic", "bearer"])
                .ok()
        })
        .as_ref()
}

/// `Authorization: VALUE` (and `Proxy-Authorization:`) to the end of the header, and the
/// token after `Basic` or `Bearer`, also where spaces are escaped (`Basic\ TOKEN`, HAProxy's
/// `option httpchk`) or encoded (`Basic%20TOKEN`).
fn credentials(text: &str, found: &mut Vec<(usize, usize)>) {
    let Some(markers) = credential_markers() else { return };
    let bytes = text.as_bytes();
    let mut covered = 0;
    for marker in markers.find_iter(text) {
        let (start, end) = (marker.start(), marker.end());
        // A header name starts a word, or follows an escaped line break (`\r\nAuthorization:`).
        let before = start.checked_sub(2).and_then(|at| bytes.get(at..start)).unwrap_or(&[]);
        let word_start = start == 0
            || bytes.get(start - 1).is_some_and(|b| !b.is_ascii_alphanumeric())
            || matches!(before, [b'\\', b'n' | b'r' | b't']);
        if start < covered || !word_start {
            continue;
        }
        let value = if marker.pattern().as_usize() == 0 {
            if bytes.get(end) != Some(&b':') {
                continue;
            }
            header_value(bytes, end + 1)
        } else {
            scheme_token(bytes, end)
        };
        if let Some((from, to)) = value {
            found.push((from, to));
            covered = to;
        }
    }
}

/// Length of a separator at `at`: a blank, an escaped blank (`\ `) or an encoded one (`%20`).
fn separator(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b' ' | b'\t') => 1,
        Some(b'\\') if bytes.get(at + 1) == Some(&b' ') => 2,
        Some(b'%') if bytes.get(at + 1..at + 3) == Some(b"20") => 3,
        _ => 0,
    }
}

fn skip_separators(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match separator(bytes, at) {
            0 => return at,
            n => at += n,
        }
    }
}

/// A header's value: to the end of the line, a quote, or an escaped line break (`\r\n`).
fn header_value(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let from = skip_separators(bytes, at);
    let mut to = from;
    while let Some(&b) = bytes.get(to) {
        let escaped_break = b == b'\\' && matches!(bytes.get(to + 1), Some(b'r' | b'n'));
        if matches!(b, b'\n' | b'\r' | b'"' | b'\'') || escaped_break {
            break;
        }
        to += 1;
    }
    (to > from).then_some((from, to))
}

/// The token after an authentication scheme's name.
fn scheme_token(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    if separator(bytes, at) == 0 {
        return None;
    }
    let from = skip_separators(bytes, at);
    let rest = bytes.get(from..)?;
    let len = rest
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'.' | b'_' | b'~' | b'-')))
        .unwrap_or(rest.len());
    let token = rest.get(..len)?;
    // A credential (base64, a JWT, a random string) has a digit, a symbol or an inner
    // capital; a word of prose (`AuthName "Basic Authentication"`, `# Basic Settings`) has
    // none, and masking it would mask that word in every message.
    let inner_capital = token.get(1..).is_some_and(|t| t.iter().any(u8::is_ascii_uppercase));
    let credential_like = inner_capital || token.iter().any(|c| !c.is_ascii_alphabetic());
    (len > 0 && credential_like).then_some((from, from + len))
}

/// Where the rest of a line that does not parse (or of a comment) must be masked: after its
/// first secret-named word (`insecure-password "never closed`), as no parser can tell where
/// the value ends.
pub fn after_secret_word(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut start = None;
    for i in 0..=bytes.len() {
        match bytes.get(i) {
            Some(&b) if is_name_byte(b) => {
                start.get_or_insert(i);
            }
            _ => {
                if let Some(from) = start.take() {
                    let word = line.get(from..i).unwrap_or("");
                    // `auth` is followed by `user:password` (HAProxy's `stats auth`).
                    let secret = is_secret_name(word) && !is_directive_without_secret(word);
                    if secret || word.eq_ignore_ascii_case("auth") {
                        return Some(i);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{after_secret_word, in_text, shown, url_password};

    fn found(text: &str) -> Vec<&str> {
        let mut ranges = in_text(text);
        ranges.sort_unstable();
        ranges.iter().map(|&(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn commented_out_secrets_are_found() {
        let text = r#" <Connector port="8443" keystorePass="changeit" secretRequired="false"/> "#;
        assert_eq!(found(text), ["changeit"]);
        assert_eq!(found("jdbc.password=OldSecret1"), ["OldSecret1"]);
    }

    #[test]
    fn finds_parameters_of_urls_and_connection_strings() {
        assert_eq!(found("jdbc:postgresql://db/bb?user=bb&password=P1&ssl=true"), ["P1"]);
        assert_eq!(found("jdbc:sqlserver://db;user=bb;pwd=P2;database=x"), ["P2"]);
        assert_eq!(found("ProxyPass / ajp://app:8009/ secret=P3 timeout=5"), ["P3"]);
        assert_eq!(found("DBDParams \"host=db user=x pass=P4 dbname=y\""), ["P4"]);
        assert_eq!(found("token: P5"), ["P5"]);
        assert_eq!(found("<Connector keystorePass=P6 port=\"1\">"), ["P6"]);
    }

    #[test]
    fn finds_user_info_of_urls() {
        assert_eq!(found("redirect location https://u:P1@example.com/x"), ["u:P1"]);
        assert_eq!(found("https://TOKEN@github.com/o/r"), Vec::<&str>::new());
        assert_eq!(super::url_user_names("ssh://git@host:7999 https://T@h"), [(6, 9), (28, 29)]);
        assert_eq!(super::url_user_info_ranges("https://T@h x://u:p@h"), [(8, 9), (16, 19)]);
        assert_eq!(found("https://example.com/a@b"), Vec::<&str>::new());
        assert_eq!(found("x://://@://a:p@b"), ["a:p"]);
        assert_eq!(super::bare_user_info("admin:P1@git.example.com"), Some((0, 8)));
        assert_eq!(super::bare_user_info("jira@example.com"), None);
        assert_eq!(super::bare_user_info("https://u:p@h"), None);
    }

    #[test]
    fn finds_credentials_headers() {
        assert_eq!(found(r#"RequestHeader set Authorization "Basic P1==""#), ["P1=="]);
        assert_eq!(found(r"option httpchk GET / HTTP/1.1\r\nAuthorization:\ Basic\ P2\r\nHost:\ x"), [r"Basic\ P2"]);
        assert_eq!(found("Proxy-Authorization: P3"), ["P3"]);
        assert_eq!(found("http-request set-header X-Auth bearer%20P4"), ["P4"]);
        assert_eq!(found("AuthType Basic\nAuthBasicProvider file"), Vec::<&str>::new());
        assert_eq!(found("basically basic"), Vec::<&str>::new());
        assert_eq!(found("AuthName \"Basic Authentication\"\n# Basic Settings"), Vec::<&str>::new());
        assert_eq!(found("Bearer eyJhbGciOi.eyJzdWIi.sig"), ["eyJhbGciOi.eyJzdWIi.sig"]);
    }

    /// Unclosed quotes, URLs without paths and schemes without tokens, many times over: each
    /// is read once (a rescan of the rest of the text for each would take minutes here).
    #[test]
    fn hostile_texts_are_scanned_in_linear_time() {
        let started = std::time::Instant::now();
        for line in ["password=\"x", "a://b:c@d", "Basic \\ %20", "Authorization:", "x://://://", "token:'"] {
            let text = format!("{line}\n").repeat(100_000);
            in_text(&text);
            in_text(&text.replace('\n', " "));
            after_secret_word(&text.replace('\n', " "));
        }
        assert_eq!(in_text(&"password=\"x\n".repeat(3)).len(), 3);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }

    #[test]
    fn masks_after_the_secret_word_of_a_broken_line() {
        let line = r#"  user admin insecure-password "P1 never closed"#;
        assert_eq!(after_secret_word(line).map(|at| &line[at..]), Some(r#" "P1 never closed"#));
        assert_eq!(after_secret_word("bind :443 ssl crt \"/x.pem"), None);
        assert_eq!(after_secret_word("ProxyPass /a \"http://b/"), None);
        assert_eq!(
            after_secret_word(" stats auth admin:P1").map(|at| &" stats auth admin:P1"[at..]),
            Some(" admin:P1")
        );
    }

    #[test]
    fn shown_values_hide_url_passwords() {
        assert_eq!(shown("https://u:pw@jira.example.com/x"), "https://u:****@jira.example.com/x");
        assert_eq!(shown("https://jira.example.com"), "https://jira.example.com");
    }

    #[test]
    fn finds_passwords_in_url_user_info() {
        let url = "jdbc:postgresql://bitbucket:s3cret@db:5432/bb";
        assert_eq!(url_password(url).map(|(a, b)| &url[a..b]), Some("s3cret"));
        assert_eq!(url_password("https://git.example.com:443/x"), None);
        assert_eq!(url_password("https://user@host/"), None);
    }
}
