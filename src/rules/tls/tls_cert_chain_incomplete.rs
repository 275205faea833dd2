//! `tls-cert-chain-incomplete`: a server certificate served without its intermediate.

use foldhash::HashSet;

use super::certs::{checked, system_roots, Certificate, Inspected, Role};
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::FileId;
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// In live mode only: flags a server certificate the configuration names (Apache
    /// `SSLCertificateFile`, nginx `ssl_certificate`, an HAProxy `bind … crt` file or each
    /// file of a `crt` directory or `crt-list`, Tomcat `certificateFile`, Bitbucket
    /// `server.ssl.certificate`) whose first certificate is not self-signed, is not followed
    /// in the file by the certificate that issued it, and has no separate chain file for the
    /// same server (`SSLCertificateChainFile` in the virtual host or the server config,
    /// `certificateChainFile` on the same element, HAProxy's `issuers-chain-path`). A leaf
    /// issued straight by an authority in the system's trust bundle
    /// (`/etc/ssl/certs/ca-certificates.crt`, `/etc/pki/tls/certs/ca-bundle.crt`) needs no
    /// chain and is not flagged, nor is an expired one (`tls-cert-expired` reports it).
    /// Only certificate blocks are read; nothing of a private key reaches any output.
    ///
    /// ## Why is this bad?
    /// A browser that has seen the intermediate before fills the gap, so the site seems to
    /// work; other browsers, `curl`, `git`, and Java clients fail with "unable to get local
    /// issuer certificate" or "PKIX path building failed". Application links between
    /// Atlassian products, Bitbucket's clones over HTTPS and Jira's DVCS connectors break.
    ///
    /// ## Example
    /// `SSLCertificateFile /etc/ssl/certs/jira.pem` holding only the certificate the CA
    /// issued for `jira.example.com`.
    ///
    /// Use instead: append the intermediate certificate(s) the CA sent (its "chain" or
    /// "fullchain" file) after the server certificate in that file, or name them with
    /// `SSLCertificateChainFile`.
    pub struct TlsCertChainIncomplete {
        id: "tls-cert-chain-incomplete",
        summary: "a server certificate (not self-signed) named by the configuration that is not followed by its issuer and has no chain file, so clients without the intermediate fail (live mode)",
        severity: Warning,
        scope: "tls",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx],
    }
}

impl Rule for TlsCertChainIncomplete {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let Some(live) = cx.live() else { return };
        let references = checked(cx);
        // The servers that name a chain file: their file and virtual host or element.
        let chained: HashSet<(FileId, usize)> = references
            .iter()
            .filter(|(r, inspected)| r.role == Role::Chain && matches!(inspected, Inspected::Certificates(_)))
            .map(|(r, _)| r.owner)
            .collect();
        let mut roots = None;
        for (reference, inspected) in references {
            let Inspected::Certificates(certificates) = inspected else { continue };
            if reference.role != Role::Leaf
                || chained.contains(&reference.owner)
                || chained.contains(&(reference.owner.0, usize::MAX))
                || haproxy_completes_chains(cx, reference.owner.0)
            {
                continue;
            }
            // Each file of a directory or list is a bundle of its own.
            for bundle in certificates.chunk_by(|a, b| a.file == b.file) {
                let Some(leaf) = bundle.first() else { continue };
                // An expired certificate is replaced, chain and all: `tls-cert-expired` says so.
                if leaf.not_after < live.now
                    || leaf.self_signed()
                    || bundle.get(1).is_some_and(|next| next.subject == leaf.issuer)
                {
                    continue;
                }
                if roots.get_or_insert_with(|| system_roots(cx)).contains(&leaf.issuer) {
                    continue;
                }
                sink.emit(reference.span, "no intermediate", message(leaf, bundle.get(1), &leaf.located(reference)))
                    .help("append the intermediate certificate(s) the CA issued (its chain or fullchain file) after the server certificate in this file");
            }
        }
    }
}

/// What the finding says of a leaf and what follows it.
fn message(leaf: &Certificate, next: Option<&Certificate>, within: &str) -> String {
    let followed = match next {
        Some(next) => format!("is followed by `{}` instead", next.subject),
        None => "is not followed by it".to_string(),
    };
    format!(
        "certificate `{}`{within} was issued by `{}` but {followed}, and no chain file is configured: clients that do not already hold that intermediate (curl, git, Java, application links) refuse the connection",
        leaf.subject, leaf.issuer
    )
}

/// HAProxy builds chains itself from `issuers-chain-path` (2.2+).
fn haproxy_completes_chains(cx: &Context<'_>, file: FileId) -> bool {
    let Some(Tree::Haproxy(config)) = cx.parsed(file).map(|p| &p.tree) else { return false };
    config.sections.iter().filter(|s| s.kind() == "global").any(|s| s.find(&["issuers-chain-path"]).next().is_some())
}
