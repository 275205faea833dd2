//! Which setting names name a secret: secret words, their misspellings within two edits,
//! and the directives named like secrets that hold none.

/// The words a secret setting's name is made of. A name segment within two edits of one of
/// them (`keystorePasword`, `setup.sysadmin.pasword`, `db-passwd`) names a secret.
const SECRET_WORDS: [&[u8]; 6] = [b"password", b"passwd", b"secret", b"token", b"credential", b"credentials"];

/// Name segments within two edits of a secret word that name ordinary settings: the value of
/// `secure="true"` is what `connector-secure-missing` shows.
const ORDINARY_SEGMENTS: [&[u8]; 17] = [
    b"secure", b"secured", b"sect", b"select", b"sacred", b"passed", b"passes", b"passive", b"taken", b"then", b"tone",
    b"open", b"socket", b"sockets", b"spoken", b"broken", b"woken",
];

/// Whole segments that name a secret without being close to one of [`SECRET_WORDS`].
const SECRET_SEGMENTS: [&[u8]; 4] = [b"pwd", b"passphrase", b"apikey", b"pass"];

/// Whether a setting name (a Tomcat attribute, a properties key, an `Define`/`SetEnv`
/// variable, a parameter of a URL or connection string) names a secret.
///
/// Covers the names Tomcat and Bitbucket use for passwords (`keystorePass`,
/// `certificateKeystorePassword`, `jdbc.password`, `server.ssl.key-store-password`, ...), any
/// name that contains `pass` (`password`, `passphrase`, `keystorePasss`), `secret`, `token` or
/// `credential`, and any name with a segment (split at `.`, `-`, `_` and camelCase humps)
/// within two edits of `password`, `passwd`, `secret`, `token` or `credential(s)`. Masking a
/// value too many is harmless; one too few leaks it.
pub fn is_secret_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    // Most names (`check`, `maxconn`, addresses) lack the letters of every secret word: one
    // pass over the bytes and no allocation for them.
    if !may_name_secret(letter_set(bytes)) {
        return false;
    }
    // Switches about secrets (`secretRequired`, `...token.enabled`) are not secrets themselves.
    if ends_with_ignore_case(bytes, b"required") || ends_with_ignore_case(bytes, b"enabled") {
        return false;
    }
    // Names that point at a Kubernetes secret rather than hold one: `secretName`,
    // `existingSecretRef`, the charts' `usernameSecretKey` (the key that holds the name).
    if [&b"secretname"[..], b"secretref", b"namesecretkey"].iter().any(|s| ends_with_ignore_case(bytes, s)) {
        return false;
    }
    mentions_secret_word(name) || segments(bytes).any(secret_segment)
}

/// The letters of each of [`SECRET_WORDS`], one bit each.
const SECRET_WORD_LETTERS: [u32; 6] = letter_sets(SECRET_WORDS);

/// The letters of each of [`SECRET_SEGMENTS`], one bit each.
const SECRET_SEGMENT_LETTERS: [u32; 4] = letter_sets(SECRET_SEGMENTS);

/// The letter set of each word. Evaluated at compile time, where an index out of range is
/// a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const fn letter_sets<const N: usize>(words: [&[u8]; N]) -> [u32; N] {
    let mut sets = [0; N];
    let mut i = 0;
    while i < N {
        sets[i] = letter_set(words[i]);
        i += 1;
    }
    sets
}

/// Whether a name with these letters can name a secret: two edits leave all but two of a
/// secret word's letters (and `pass`, `secret`, `token`, `credential` inside it leave all).
fn may_name_secret(letters: u32) -> bool {
    SECRET_WORD_LETTERS.iter().any(|set| (set & !letters).count_ones() <= 2)
        || SECRET_SEGMENT_LETTERS.iter().any(|set| set & !letters == 0)
}

fn ends_with_ignore_case(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes.len() >= suffix.len()
        && bytes.get(bytes.len() - suffix.len()..).is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

/// The words anywhere in the name, segments or not (`keystorepass`, `sslpassword`).
fn mentions_secret_word(name: &str) -> bool {
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
    let harmless = lower.replace("bypass", "").replace("passthrough", "").replace("compass", "");
    ["pass", "secret", "token", "credential"].iter().any(|word| harmless.contains(word))
}

/// The segments of a name: runs of letters and digits, split again where a lower-case letter
/// is followed by an upper-case one (`keystorePass`) or an acronym ends (`SSLPassword`).
fn segments(name: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i <= name.len() {
            let at = i;
            i += 1;
            let byte = name.get(at).copied();
            let cut = match byte {
                None => true,
                Some(b) if !b.is_ascii_alphanumeric() => true,
                Some(b) if b.is_ascii_uppercase() && at > start => {
                    let before = name.get(at - 1).copied().unwrap_or(b' ');
                    let after = name.get(at + 1).copied().unwrap_or(b' ');
                    before.is_ascii_lowercase()
                        || before.is_ascii_digit()
                        || (before.is_ascii_uppercase() && after.is_ascii_lowercase())
                }
                Some(_) => false,
            };
            if !cut {
                continue;
            }
            let segment = name.get(start..at).unwrap_or(&[]);
            // A separator starts the next segment after itself; a hump starts it at itself.
            start = if byte.is_some_and(|b| b.is_ascii_alphanumeric()) { at } else { at + 1 };
            if !segment.is_empty() {
                return Some(segment);
            }
        }
        None
    })
}

/// Whether one name segment is a secret word or a misspelling of one.
fn secret_segment(segment: &[u8]) -> bool {
    // Longer than any secret word and two edits: cannot match; skip the work.
    let mut lower = [0u8; 16];
    let Some(lower) = lower.get_mut(..segment.len()) else { return false };
    for (to, from) in lower.iter_mut().zip(segment) {
        *to = from.to_ascii_lowercase();
    }
    let lower: &[u8] = lower;
    if SECRET_SEGMENTS.contains(&lower) {
        return true;
    }
    if lower.len() < 4 || ORDINARY_SEGMENTS.contains(&lower) {
        return false;
    }
    let letters = letter_set(lower);
    SECRET_WORDS.iter().zip(SECRET_WORD_LETTERS).any(|(word, set)| {
        // `token` is short: a different first letter makes too many ordinary words (`open`).
        let short = word.len() < 6;
        // Two edits remove at most two of the word's letters: a cheap test that spares
        // almost every segment the edit-distance table.
        let missing = (set & !letters).count_ones();
        lower.len().abs_diff(word.len()) <= 2
            && missing <= 2
            && (!short || lower.first() == word.first())
            && within_two_edits(lower, word)
    })
}

/// The set of ASCII letters in a word whatever their case, one bit each.
const fn letter_set(mut word: &[u8]) -> u32 {
    let mut set = 0;
    while let [b, rest @ ..] = word {
        let b = b.to_ascii_lowercase();
        if b.is_ascii_lowercase() {
            set |= 1 << (b - b'a');
        }
        word = rest;
    }
    set
}

/// Levenshtein distance of two short byte strings is at most two.
fn within_two_edits(a: &[u8], b: &[u8]) -> bool {
    // One row of the edit-distance table; both strings are at most 16 bytes here.
    let mut row = [0usize; 17];
    let Some(row) = row.get_mut(..=b.len()) else { return false };
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, &x) in a.iter().enumerate() {
        let mut diagonal = i;
        let mut smallest = i + 1;
        let mut left = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let cost = if x == y { diagonal } else { diagonal + 1 };
            let value = cost.min(up + 1).min(left + 1);
            diagonal = up;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
            left = value;
            smallest = smallest.min(value);
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        if smallest > 2 {
            return false;
        }
    }
    row.last().is_some_and(|&d| d <= 2)
}

/// Apache directives named like secrets whose arguments are none: `ProxyPass*` passes
/// requests, `PassEnv` names variables, the others are switches.
pub fn is_directive_without_secret(name: &str) -> bool {
    // nginx spells them with `_` (`server_tokens`).
    let lower = name.to_ascii_lowercase().replace(['_', '-'], "");
    lower.starts_with("proxypass")
        || ["passenv", "servertokens", "cgipassauth", "sslpassphrasedialog"].contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn recognises_secret_names_and_their_misspellings() {
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
            "keystorePasword",
            "setup.sysadmin.pasword",
            "LDAP_BIND_PASSWORD",
            "DB_PASSWD",
            "AuthLDAPBindPassword",
            "api_secet",
            "access-tokn",
            "db.pwd",
            "SSLPassPhrase",
            "credentails",
            "awsSecretKey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        let ordinary = [
            "secretRequired",
            "secretName",
            "existingSecretRef",
            "nameSecretKey",
            "port",
            "proxyName",
            "proxyPort",
            "server.port",
            "secure",
            "compression",
            "bypass",
            "session",
            "scheme",
            "protocol",
            "server",
            "section",
            "sslProtocol",
            "SSLEnabled",
            "address",
            "redirectPort",
            "connectionTimeout",
            "server.secure",
            "server.session.cookie.secure",
            "server.contextPath",
            "setup.baseUrl",
            "setup.displayName",
            "server.proxy-name",
            "server.scheme",
            "keystoreFile",
            "keyAlias",
            "ciphers",
            "path",
            "docBase",
            "reloadable",
            "ProxyPreserveHost",
            "RequestHeader",
            "option",
            "httpchk",
            "timeout",
            "backend",
            "frontend",
            "listen",
            "default_backend",
            "use_backend",
            "ServerName",
            "VirtualHost",
            "X-Forwarded-Proto",
            "select",
            "sector",
            "open",
            "then",
            "taken",
            "spoken",
            "script",
            "street",
        ];
        for name in ordinary {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    /// Every name of the tables the rules use (Tomcat attributes, Bitbucket keys, Apache
    /// directives, HAProxy keywords) and every attribute or key of the fixtures is a secret
    /// only when it really names one.
    #[test]
    fn names_in_the_tables_and_fixtures_are_secrets_only_when_they_name_one() {
        let tables = [
            include_str!("../../grammar/tomcat-attributes.txt"),
            include_str!("../../grammar/bitbucket-keys.txt"),
            include_str!("../../grammar/apache-directives.txt"),
            include_str!("../../grammar/haproxy-keywords.txt"),
        ];
        let mut names: Vec<String> = Vec::new();
        for table in tables {
            for line in table.lines().filter(|l| !l.trim_start().starts_with('#')) {
                names.extend(
                    line.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ',' | '|' | '='))
                        .map(str::to_string),
                );
            }
        }
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut stack = vec![fixtures];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    // Attribute names and properties keys: the word before `=`.
                    for piece in text.split('=') {
                        let name =
                            piece.rsplit(|c: char| c.is_whitespace() || c == '<' || c == '"').next().unwrap_or("");
                        names.push(name.to_string());
                    }
                }
            }
        }
        names.sort();
        names.dedup();
        let secret: Vec<&str> =
            names.iter().map(String::as_str).filter(|n| !n.is_empty() && is_secret_name(n)).collect();
        let expected_words = ["pass", "secret", "token", "credential", "pwd"];
        let unexpected: Vec<&&str> =
            secret.iter().filter(|n| !expected_words.iter().any(|w| n.to_ascii_lowercase().contains(w))).collect();
        assert!(unexpected.is_empty(), "ordinary names taken for secrets: {unexpected:?}");
    }
}
