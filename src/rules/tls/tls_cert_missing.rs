//! `tls-cert-missing`: a certificate file the configuration names does not exist.

use super::certs::{checked, Inspected};
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// In live mode only (`atl-lint /etc`, `--live`): flags a certificate file that a
    /// configuration names and that does not exist under `--root`: HAProxy `crt` and
    /// `crt-list`, Apache `SSLCertificateFile`/`SSLCertificateChainFile`, nginx
    /// `ssl_certificate` (in the files a main configuration includes), Tomcat
    /// `certificateFile`/`certificateKeystoreFile`, `server.ssl.key-store`.
    ///
    /// ## Why is this bad?
    /// The server refuses to start (HAProxy: "unable to stat SSL certificate", Apache:
    /// "SSLCertificateFile: file does not exist or is empty", nginx: `cannot load
    /// certificate`), usually at the next restart
    /// after a renewal script wrote the certificate somewhere else.
    ///
    /// ## Example
    /// ```text
    /// bind :443 ssl crt /etc/haproxy/certs/jira.pem
    /// ```
    /// where `/etc/haproxy/certs/jira.pem` does not exist.
    ///
    /// Use instead: the path the certificate is really at.
    pub struct TlsCertMissing {
        id: "tls-cert-missing",
        summary: "a certificate file the configuration names that does not exist on this machine (live mode)",
        severity: Error,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsCertMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for (reference, inspected) in checked(cx) {
            let missing = match inspected {
                Inspected::Missing => true,
                // A keystore is not read, but it must be there.
                _ => !reference.path.exists() && std::fs::symlink_metadata(&reference.path).is_err(),
            };
            if missing {
                sink.emit(
                    reference.span,
                    "no such file",
                    format!(
                        "`{}` does not exist on this machine (looked at `{}`)",
                        reference.written,
                        reference.path.display()
                    ),
                )
                .help("point the setting at the certificate's real path, or install the certificate there");
            }
        }
    }
}
