//! `tls-cert-expiring`: a certificate the configuration names expires soon.

use super::certs::{checked, Inspected, Named};
use crate::diagnostic::Severity;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// In live mode only: flags a certificate named by the configuration that expires within
    /// 30 days (`cert-expiry-days` in the config file), with its subject and expiry date.
    /// Java keystores and PKCS#12 files (`certificateKeystoreFile`, `server.ssl.key-store`)
    /// are not opened: they are reported at `info` as not inspected, never guessed.
    ///
    /// ## Why is this bad?
    /// Renewal has failed or was forgotten; in a few days users see certificate errors.
    ///
    /// ## Example
    /// `bind :443 ssl crt /etc/haproxy/certs/bitbucket.pem` whose certificate expires next
    /// week.
    ///
    /// Use instead: renew it now.
    pub struct TlsCertExpiring {
        id: "tls-cert-expiring",
        summary: "a certificate the configuration names that expires within 30 days (`cert-expiry-days` in the config file), with its subject and expiry date (live mode)",
        severity: Warning,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsCertExpiring {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let Some(live) = cx.live() else { return };
        let horizon = live.now.saturating_add(i64::from(live.expiry_days) * 86_400);
        for (reference, inspected) in checked(cx) {
            if reference.named == Named::Keystore {
                if reference.path.is_file() {
                    sink.emit(
                        reference.span,
                        "not inspected",
                        format!(
                            "keystore `{}` is not inspected: atl-lint reads PEM and DER certificates only",
                            reference.written
                        ),
                    )
                    .severity(Severity::Info)
                    .help("check its expiry with `keytool -list -v -keystore ...`");
                }
                continue;
            }
            let Inspected::Certificates(certificates) = inspected else { continue };
            for certificate in certificates.iter().filter(|c| c.not_after >= live.now && c.not_after < horizon) {
                let days = (certificate.not_after - live.now) / 86_400;
                let within = certificate.located(reference);
                sink.emit(
                    reference.span,
                    "expires soon",
                    format!(
                        "certificate `{}` expires on {} (in {days} days){within}",
                        certificate.subject, certificate.date
                    ),
                )
                .help("renew the certificate before it expires");
            }
        }
    }
}
