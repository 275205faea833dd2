//! `tls-cert-expired`: a certificate the configuration names has expired.

use super::certs::{checked, Inspected};
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// In live mode only: flags a certificate (PEM or DER, every certificate of a bundle, of
    /// an HAProxy `crt` directory or `crt-list`) named by the configuration whose `notAfter`
    /// has passed. The message names the certificate's subject and expiry date; nothing of a
    /// private key in the same file is read into any output.
    ///
    /// ## Why is this bad?
    /// Browsers refuse the site, and Atlassian's application links, DVCS connectors and
    /// mail handlers fail with certificate errors.
    ///
    /// ## Example
    /// `SSLCertificateFile /etc/ssl/certs/jira.pem` holding a certificate that expired.
    ///
    /// Use instead: renew the certificate and reload the server.
    pub struct TlsCertExpired {
        id: "tls-cert-expired",
        summary: "a certificate the configuration names (PEM or DER, every certificate of a bundle, of an HAProxy `crt` directory or `crt-list`) whose `notAfter` has passed (live mode)",
        severity: Error,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsCertExpired {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let Some(live) = cx.live() else { return };
        for (reference, inspected) in checked(cx) {
            let Inspected::Certificates(certificates) = inspected else { continue };
            for certificate in certificates.iter().filter(|c| c.not_after < live.now) {
                let within = certificate.located(reference);
                sink.emit(
                    reference.span,
                    "expired",
                    format!("certificate `{}` expired on {}{within}", certificate.subject, certificate.date),
                )
                .help("renew the certificate and reload the server");
            }
        }
    }
}
