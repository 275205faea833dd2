//! Which settings hold secrets, so that their values never reach any output.

/// Whether a Tomcat attribute or a properties key names a secret setting.
///
/// Covers the names Tomcat and Bitbucket use for passwords (`keystorePass`,
/// `certificateKeystorePassword`, `jdbc.password`, `server.ssl.key-store-password`, ...), any
/// name that contains `pass` (`password`, `passphrase`, a misspelt `keystorePasss`), `secret`,
/// `token` or `credential`. Masking a value too many is harmless; one too few leaks it.
pub fn is_secret_name(name: &str) -> bool {
    // Most names hold none of the words: one pass over the bytes and no allocation for them.
    const WORDS: [&[u8]; 4] = [b"pass", b"secret", b"token", b"credential"];
    let bytes = name.as_bytes();
    let mentions = (0..bytes.len()).any(|i| {
        let rest = bytes.get(i..).unwrap_or(&[]);
        matches!(rest.first().map(u8::to_ascii_lowercase), Some(b'p' | b's' | b't' | b'c'))
            && WORDS.iter().any(|w| rest.get(..w.len()).is_some_and(|r| r.eq_ignore_ascii_case(w)))
    });
    if !mentions {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    // Switches about secrets (`secretRequired`, `...token.enabled`) are not secrets themselves.
    if lower.ends_with("required") || lower.ends_with("enabled") {
        return false;
    }
    let harmless = lower.replace("bypass", "").replace("passthrough", "").replace("compass", "");
    ["pass", "secret", "token", "credential"].iter().any(|word| harmless.contains(word))
}

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

/// Byte ranges, within a comment's text, of secret values written as `name="value"`,
/// `name='value'`, `name=value` or `name: value` (a commented-out connector or property).
pub fn in_comment(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut name_start = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let name_char = b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_');
        if name_char {
            name_start.get_or_insert(i);
            i += 1;
            continue;
        }
        let Some(start) = name_start.take() else {
            i += 1;
            continue;
        };
        let name = text.get(start..i).unwrap_or("");
        let mut j = i;
        while bytes.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
            j += 1;
        }
        if !matches!(bytes.get(j), Some(b'=' | b':')) || !is_secret_name(name) {
            i += 1;
            continue;
        }
        j += 1;
        while bytes.get(j).is_some_and(|c| *c == b' ' || *c == b'\t') {
            j += 1;
        }
        let (value_start, end) = match bytes.get(j) {
            Some(&quote @ (b'"' | b'\'')) => {
                let close =
                    text.get(j + 1..).and_then(|rest| rest.find(char::from(quote))).map_or(text.len(), |k| j + 1 + k);
                (j + 1, close)
            }
            _ => {
                let rest = text.get(j..).unwrap_or("");
                (j, j + rest.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(rest.len()))
            }
        };
        if end > value_start {
            found.push((value_start, end));
        }
        i = end.max(i + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::{in_comment, is_secret_name, shown, url_password};

    #[test]
    fn commented_out_secrets_are_found() {
        let text = r#" <Connector port="8443" keystorePass="changeit" secretRequired="false"/> "#;
        let found: Vec<&str> = in_comment(text).iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(found, ["changeit"]);
        let line = "jdbc.password=OldSecret1";
        assert_eq!(in_comment(line).iter().map(|&(a, b)| &line[a..b]).collect::<Vec<_>>(), ["OldSecret1"]);
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

    #[test]
    fn recognises_the_secret_settings_of_tomcat_and_bitbucket() {
        for name in [
            "keystorePass",
            "truststorePass",
            "certificateKeystorePassword",
            "certificateKeyPassword",
            "secret",
            "requiredSecret",
            "jdbc.password",
            "server.ssl.key-store-password",
            "server.ssl.key-password",
            "setup.sysadmin.password",
            "plugin.auth.token",
            "db-pass",
            "keystorePasss",
            "ldap.credentials",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["secretRequired", "port", "proxyName", "server.port", "secure", "compression", "bypass"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
