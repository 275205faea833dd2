//! Which settings hold secrets, so that their values never reach any output.

/// Whether a Tomcat attribute or a properties key names a secret setting.
///
/// Covers the names Tomcat and Bitbucket use for passwords (`keystorePass`,
/// `certificateKeystorePassword`, `jdbc.password`, `server.ssl.key-store-password`, ...), any
/// name that contains `pass` (`password`, `passphrase`, a misspelt `keystorePasss`), `secret`,
/// `token` or `credential`. Masking a value too many is harmless; one too few leaks it.
pub fn is_secret_name(name: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::{is_secret_name, url_password};

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
