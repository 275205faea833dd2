//! Which settings hold secrets, so that their values never reach any output.

/// Whether a Tomcat attribute or a properties key names a secret setting.
///
/// Matches the names Tomcat and Bitbucket use for passwords (`keystorePass`,
/// `certificateKeystorePassword`, `jdbc.password`, `server.ssl.key-store-password`, ...) and
/// any name that contains `password`, `passphrase`, `secret` or `token`, or ends in `Pass` /
/// `-pass`.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Switches about secrets (`secretRequired`, `...token.enabled`) are not secrets themselves.
    if lower.ends_with("required") || lower.ends_with("enabled") {
        return false;
    }
    ["password", "passphrase", "secret", "token", "passwd"]
        .iter()
        .any(|word| lower.contains(word))
        || name.ends_with("Pass")
        || lower.ends_with("-pass")
        || lower.ends_with(".pass")
        || lower.ends_with("_pass")
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

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
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "secretRequired",
            "port",
            "proxyName",
            "server.port",
            "secure",
            "compression",
            "bypass",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
