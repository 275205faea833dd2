//! The certificate files a configuration names, and what they hold, for the live-mode
//! certificate rules. Only `CERTIFICATE` blocks are decoded; private keys in the same file
//! are skipped and nothing of a file's content reaches an output but a certificate's
//! subject and validity.

use std::path::{Path, PathBuf};

use crate::discover::{Denied, Scope};
use crate::rules::Context;
use crate::source::Span;
use crate::syntax::{Parsed, Tree};

/// How a named file is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    /// A PEM (or DER) certificate file, possibly a bundle with the key.
    Certificate,
    /// An HAProxy `crt` directory: every certificate file in it.
    Directory,
    /// An HAProxy `crt-list`: a certificate path a line.
    List,
    /// A Java keystore or PKCS#12 file: not inspected.
    Keystore,
}

/// What a named certificate file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The server's own certificate, possibly followed by its chain.
    Leaf,
    /// A separate chain file (`SSLCertificateChainFile`, `certificateChainFile`).
    Chain,
    /// Anything else (a client certificate to a backend, a trust store).
    Other,
}

/// A certificate file a configuration names.
#[derive(Clone, Debug)]
pub(crate) struct Reference {
    /// The path as written.
    pub written: String,
    /// Where it is written.
    pub span: Span,
    /// The file on this machine (under `--root`).
    pub path: PathBuf,
    /// How to read it.
    pub named: Named,
    /// What it is for.
    pub role: Role,
    /// The server it belongs to, for pairing a certificate with its chain file: its file
    /// and the Apache virtual host (`usize::MAX`: the server config) or Tomcat element.
    pub owner: (crate::source::FileId, usize),
}

/// One certificate found in a file.
#[derive(Clone, Debug)]
pub(crate) struct Certificate {
    /// The file it is in.
    pub file: PathBuf,
    /// Its subject (`CN=jira.example.com`).
    pub subject: String,
    /// `notAfter`, seconds since the Unix epoch.
    pub not_after: i64,
    /// `notAfter` as `YYYY-MM-DD`.
    pub date: String,
    /// Its issuer (`CN=R10, O=Let's Encrypt, C=US`).
    pub issuer: String,
}

impl Certificate {
    /// Whether it names itself as its issuer.
    pub fn self_signed(&self) -> bool {
        self.issuer == self.subject
    }
}

impl Certificate {
    /// ` (in `file`)` when the certificate is not in the named file itself (a `crt`
    /// directory or `crt-list`), else nothing.
    pub fn located(&self, reference: &Reference) -> String {
        if self.file == reference.path {
            String::new()
        } else {
            format!(" (in `{}`)", self.file.display())
        }
    }
}

/// What a reference leads to.
#[derive(Debug)]
pub(crate) enum Inspected {
    /// No such file.
    Missing,
    /// The file exists but cannot be read, or holds no certificate atl-lint can decode.
    Unknown,
    /// The certificates found.
    Certificates(Vec<Certificate>),
}

/// Every certificate file the configurations name, each read once a run however many rules
/// look at it.
pub(crate) fn checked<'c>(cx: &'c Context<'_>) -> &'c [(Reference, Inspected)] {
    cx.certificates.get_or_init(|| {
        let Some(live) = cx.live() else { return Vec::new() };
        // The server reads its certificates wherever they are, but never from `/proc`,
        // `/dev` and the like, and links inside a `--root` image resolve inside it.
        let scope = Scope::new(Some(&live.root), Vec::new(), true);
        references(cx, &scope)
            .into_iter()
            .map(|reference| {
                let inspected = inspect(&reference, &scope);
                (reference, inspected)
            })
            .collect()
    })
}

/// Certificate files larger than this are not read.
const MAX_CERT_FILE: u64 = 1 << 20;

/// Every certificate file the linted configurations name, resolved on this machine.
fn references(cx: &Context<'_>, scope: &Scope) -> Vec<Reference> {
    let mut out = Vec::new();
    // A template is rendered for another machine: its paths say nothing about this one.
    for file in cx.files.iter().filter(|f| !f.source.is_template()) {
        let dir = file.source.path().parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |written: &str, base: &Path| -> PathBuf {
            if written.starts_with('/') {
                scope.under_root(Path::new(written))
            } else {
                base.join(written)
            }
        };
        match &file.tree {
            Tree::Haproxy(config) => {
                let crt_base = config
                    .sections
                    .iter()
                    .filter(|s| s.kind() == "global")
                    .flat_map(|s| s.find(&["crt-base"]))
                    .filter_map(|s| s.args().first())
                    .map(|w| resolve(w.text, &dir))
                    .last()
                    .unwrap_or_else(|| dir.clone());
                for statement in config.sections.iter().flat_map(|s| s.statements.iter()) {
                    if !statement.is(&["bind"]) && !statement.is(&["server"]) && !statement.is(&["default-server"]) {
                        continue;
                    }
                    let words = statement.args();
                    let role = if statement.is(&["bind"]) { Role::Leaf } else { Role::Other };
                    for (i, word) in words.iter().enumerate() {
                        let named = match word.text {
                            "crt" => Named::Certificate,
                            "crt-list" => Named::List,
                            _ => continue,
                        };
                        let Some(value) = words.get(i + 1).filter(|v| !v.unknown) else { continue };
                        let path = resolve(value.text, &crt_base);
                        let directory = named == Named::Certificate && scope.locate(&path).is_ok_and(|p| p.is_dir());
                        let named = if directory { Named::Directory } else { named };
                        let owner = (file.source.id(), 0);
                        out.push(Reference {
                            written: value.text.to_string(),
                            span: value.span,
                            path,
                            named,
                            role,
                            owner,
                        });
                    }
                }
            }
            // An Apache file no main configuration includes is not read by the server.
            Tree::Apache(_) if cx.topology().apache_trees.root(file.source.id()).is_none() => {}
            Tree::Apache(config) => {
                let server_root = apache_server_root(cx, file).unwrap_or_else(|| dir.clone());
                for directive in config.directives.iter().filter(|d| !d.skipped) {
                    if !directive.is("SSLCertificateFile") && !directive.is("SSLCertificateChainFile") {
                        continue;
                    }
                    let Some(value) = directive.args().first().filter(|v| !v.unknown) else { continue };
                    let path = resolve(value.text, &server_root);
                    let role = if directive.is("SSLCertificateFile") { Role::Leaf } else { Role::Chain };
                    let vhost = crate::model::apache::vhost_of(config, directive.block()).unwrap_or(usize::MAX);
                    out.push(Reference {
                        written: value.text.to_string(),
                        span: value.span,
                        path,
                        named: Named::Certificate,
                        role,
                        owner: (file.source.id(), vhost),
                    });
                }
            }
            Tree::ServerXml(doc) => {
                // Tomcat resolves relative paths against CATALINA_BASE: `conf/..`.
                let base = dir.parent().map(Path::to_path_buf).unwrap_or_else(|| dir.clone());
                for (index, element) in doc.elements.iter().enumerate() {
                    for setting in &element.attributes {
                        let (named, role) = match setting.name.as_ref() {
                            "certificateFile" | "SSLCertificateFile" => (Named::Certificate, Role::Leaf),
                            "certificateChainFile" | "SSLCertificateChainFile" => (Named::Certificate, Role::Chain),
                            "certificateKeystoreFile" | "keystoreFile" => (Named::Keystore, Role::Other),
                            _ => continue,
                        };
                        let Some(text) = setting.value.known() else { continue };
                        let text = text.trim();
                        let path = resolve(text.strip_prefix("file:").unwrap_or(text), &base);
                        let owner = (file.source.id(), index);
                        out.push(Reference {
                            written: text.to_string(),
                            span: setting.value.span,
                            path,
                            named,
                            role,
                            owner,
                        });
                    }
                }
            }
            Tree::Properties(props) => {
                for entry in &props.entries {
                    let key = crate::model::relaxed(&entry.name);
                    let (named, role) = match key.as_str() {
                        "server.ssl.certificate" => (Named::Certificate, Role::Leaf),
                        "server.ssl.trustcertificate" => (Named::Certificate, Role::Other),
                        "server.ssl.keystore" => (Named::Keystore, Role::Other),
                        _ => continue,
                    };
                    let Some(text) = entry.value.known() else { continue };
                    let text = text.trim();
                    let path = resolve(text.strip_prefix("file:").unwrap_or(text), &dir);
                    let owner = (file.source.id(), 0);
                    out.push(Reference { written: text.to_string(), span: entry.value.span, path, named, role, owner });
                }
            }
            // nginx's certificates are read from its include trees below.
            Tree::Nginx(_)
            | Tree::Compose(_)
            | Tree::DotEnv(_)
            | Tree::HelmValues(_)
            | Tree::Kube(_)
            | Tree::Traefik(_) => {}
        }
    }
    nginx_references(cx, scope, &mut out);
    out
}

/// The `ssl_certificate` files of the nginx include trees: only what a main configuration
/// reads (a stock snippet such as `snippets/snakeoil.conf` names a certificate that a server
/// without it never loads), relative paths under the main configuration's directory, each
/// line once however often a snippet is included.
fn nginx_references(cx: &Context<'_>, scope: &Scope, out: &mut Vec<Reference>) {
    let mut seen = foldhash::HashSet::default();
    for view in cx.topology().nginx_views().filter(|v| v.spliced.main) {
        let Some(main) = cx.parsed(view.spliced.root).filter(|p| !p.source.is_template()) else { continue };
        let prefix = main.source.path().parent().map(Path::to_path_buf).unwrap_or_default();
        for (_, directive) in view.directives().filter(|(_, d)| d.is("ssl_certificate")) {
            let Some(value) = directive.args().first().filter(|v| !v.unknown) else { continue };
            // A certificate in a variable (`$ssl_server_name`) is loaded per connection, and
            // `data:` is the certificate itself.
            if value.text.contains('$') || value.text.starts_with("data:") || !seen.insert(value.span) {
                continue;
            }
            let path = if value.text.starts_with('/') {
                scope.under_root(Path::new(value.text))
            } else {
                prefix.join(value.text)
            };
            out.push(Reference {
                written: value.text.to_string(),
                span: value.span,
                path,
                named: Named::Certificate,
                role: Role::Leaf,
                owner: (value.span.file, 0),
            });
        }
    }
}

/// The directory of the main configuration an Apache file is read through.
fn apache_server_root(cx: &Context<'_>, file: &Parsed<'_>) -> Option<PathBuf> {
    let root = cx.topology().apache_trees.root(file.source.id())?;
    cx.parsed(root)?.source.path().parent().map(Path::to_path_buf)
}

/// Reads what a reference names: the certificates of a file, of every file of a `crt`
/// directory, or of every file of a `crt-list`.
fn inspect(reference: &Reference, scope: &Scope) -> Inspected {
    let files = match reference.named {
        Named::Keystore => return Inspected::Unknown,
        Named::Certificate => vec![reference.path.clone()],
        Named::Directory => directory_files(&reference.path, scope),
        Named::List => match read_bounded(&reference.path, scope) {
            Ok(bytes) => {
                let base = reference.path.parent().unwrap_or(Path::new("/"));
                list_files(&String::from_utf8_lossy(&bytes), base, scope)
            }
            Err(missing) => return if missing { Inspected::Missing } else { Inspected::Unknown },
        },
    };
    let mut certificates = Vec::new();
    for file in files {
        match read_bounded(&file, scope) {
            Ok(bytes) => certificates.extend(decode(&bytes, &file)),
            Err(true) if reference.named == Named::Certificate => return Inspected::Missing,
            Err(_) => {}
        }
    }
    if certificates.is_empty() {
        Inspected::Unknown
    } else {
        Inspected::Certificates(certificates)
    }
}

/// A file's bytes; `Err(true)` when it does not exist, `Err(false)` when it cannot or may
/// not be read.
fn read_bounded(path: &Path, scope: &Scope) -> Result<Vec<u8>, bool> {
    scope.read(path, MAX_CERT_FILE).map_err(|denied: Denied| denied.is_missing())
}

/// The files HAProxy loads from a `crt` directory (not its `.key`, `.ocsp`, `.issuer`,
/// `.sctl` companions), sorted.
fn directory_files(dir: &Path, scope: &Scope) -> Vec<PathBuf> {
    let Ok(real) = scope.locate(dir) else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(real) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| dir.join(e.file_name()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            !name.starts_with('.') && ![".key", ".ocsp", ".issuer", ".sctl"].iter().any(|s| name.ends_with(s))
        })
        .collect();
    files.sort();
    files
}

/// The certificate paths of a `crt-list`: the first word of each line that is not a comment.
fn list_files(text: &str, base: &Path, scope: &Scope) -> Vec<PathBuf> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .map(|p| if p.starts_with('/') { scope.under_root(Path::new(p)) } else { base.join(p) })
        .collect()
}

/// The certificates of a PEM file (only `CERTIFICATE` blocks), or of a DER file.
fn decode(bytes: &[u8], file: &Path) -> Vec<Certificate> {
    let mut out = Vec::new();
    let pem_like = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    if pem_like {
        for pem in x509_parser::pem::Pem::iter_from_buffer(bytes).flatten() {
            if pem.label != "CERTIFICATE" && pem.label != "TRUSTED CERTIFICATE" {
                continue;
            }
            if let Ok(certificate) = pem.parse_x509() {
                out.push(describe(&certificate, file));
            }
        }
    } else if let Ok((_, certificate)) = x509_parser::parse_x509_certificate(bytes) {
        out.push(describe(&certificate, file));
    }
    out
}

fn describe(certificate: &x509_parser::certificate::X509Certificate<'_>, file: &Path) -> Certificate {
    let not_after = certificate.validity().not_after.to_datetime();
    let date = not_after.date();
    Certificate {
        file: file.to_path_buf(),
        subject: certificate.subject().to_string(),
        not_after: not_after.unix_timestamp(),
        date: format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()),
        issuer: certificate.issuer().to_string(),
    }
}

/// The system's trust bundles (Debian's, then Red Hat's).
const SYSTEM_BUNDLES: [&str; 2] = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"];

/// System trust bundles larger than this are not read.
const MAX_BUNDLE_FILE: u64 = 8 << 20;

/// The subjects of the certificate authorities the machine trusts (live mode): a leaf
/// issued by one of them straight away needs no chain.
pub(crate) fn system_roots(cx: &Context<'_>) -> foldhash::HashSet<String> {
    let mut out = foldhash::HashSet::default();
    let Some(live) = cx.live() else { return out };
    let scope = Scope::new(Some(&live.root), Vec::new(), true);
    for bundle in SYSTEM_BUNDLES {
        let path = scope.under_root(Path::new(bundle));
        let Ok(bytes) = scope.read(&path, MAX_BUNDLE_FILE) else { continue };
        out.extend(decode(&bytes, &path).into_iter().map(|c| c.subject));
    }
    out
}
