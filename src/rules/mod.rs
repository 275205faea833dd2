//! Rules: the trait, the declaring macro, the context they read and the registry `ALL`.

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::discover::FileProblem;
use crate::model::Topology;
use crate::settings::{LiveMode, Settings};
use crate::source::{FileId, FileKind, Span};
use crate::syntax::Parsed;
use foldhash::HashMap;

pub use crate::suggest::{edit_distance, nearest};

mod apache;
mod balancer;
mod base_url;
mod connector;
mod context_path;
pub mod fixes;
mod haproxy;
mod nginx;
mod properties;
mod queries;
mod security;
pub mod suppress;
pub(crate) mod syntax;
mod tls;
pub(crate) mod tomcat;

/// What a rule is, independent of what it checks.
#[derive(Debug)]
pub struct RuleMeta {
    /// The stable public id.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// The scope folder (`connector`, `tls`, ...), also the fixtures folder.
    pub scope: &'static str,
    /// The formats it reads.
    pub formats: &'static [FileKind],
    /// What it flags, in one line: the catalogue's, the README table's and SARIF's
    /// `shortDescription`.
    pub summary: &'static str,
    /// Markdown docs, from the rule's doc comment.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The docs with the doc-comment indentation removed.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// What it flags, in one line.
    pub fn summary(&self) -> &'static str {
        self.summary
    }
}

/// A rule's identity; implemented by [`declare_rule!`].
pub trait Describe {
    /// Its metadata.
    fn meta(&self) -> &'static RuleMeta;
}

/// A check over parsed files and the topology.
pub trait Rule: Describe + Sync {
    /// Reports what the rule finds.
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>);

    /// Whether what the rule flags depends on the server's version (a directive or attribute
    /// one version has and another lacks): then it does not report in one branch of a
    /// template conditional that has another, which is likely the other version's form
    /// (`<% if @apache_version < 2.4 %> Order ... <% else %> Require ... <% end %>`).
    fn version_dependent(&self) -> bool {
        false
    }

    /// Reports on the ignore comments once every rule has run and they have been applied:
    /// `unused` are those that suppressed nothing (only `unused-suppression` reads them).
    fn check_suppressions(&self, _cx: &Context<'_>, _unused: &[suppress::Unused], _sink: &mut Sink<'_>) {}
}

/// What rules read: the parsed files, the topology built from them, and the settings.
pub struct Context<'a> {
    /// Parsed files, in discovery order.
    pub files: &'a [Parsed<'a>],
    /// Files that discovery could not lint.
    pub problems: &'a [FileProblem],
    /// The run's settings.
    pub settings: &'a Settings,
    /// Where each file (by id) is in `files`.
    pub file_index: Vec<Option<usize>>,
    /// The certificate files the configurations name, read on first use (live mode).
    pub(crate) certificates: std::sync::OnceLock<Vec<(tls::certs::Reference, tls::certs::Inspected)>>,
    topology: &'a Topology<'a>,
}

impl<'a> Context<'a> {
    /// A context over `files` and the topology built from them.
    pub fn new(
        files: &'a [Parsed<'a>],
        topology: &'a Topology<'a>,
        problems: &'a [FileProblem],
        settings: &'a Settings,
    ) -> Self {
        Context {
            files,
            problems,
            settings,
            file_index: Context::index(files),
            certificates: std::sync::OnceLock::new(),
            topology,
        }
    }

    /// Live mode, when on: files the configuration names are checked on this machine.
    pub fn live(&self) -> Option<&'a LiveMode> {
        self.settings.live.as_ref()
    }

    /// The joined view of every file.
    pub fn topology(&self) -> &Topology<'a> {
        self.topology
    }

    /// Whether `file` is a template with conditionals: both branches are in its text, so a
    /// setting repeated there proves nothing.
    pub fn has_template_control(&self, file: crate::source::FileId) -> bool {
        self.parsed(file).is_some_and(|p| p.source.has_template_control())
    }

    /// The parsed file with id `file`.
    pub fn parsed(&self, file: crate::source::FileId) -> Option<&Parsed<'a>> {
        self.files.get((*self.file_index.get(file.0 as usize)?)?)
    }

    /// Indexes `files` by their ids.
    pub fn index(files: &[Parsed<'_>]) -> Vec<Option<usize>> {
        let mut index = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let id = file.source.id().0 as usize;
            if index.len() <= id {
                index.resize(id + 1, None);
            }
            if let Some(slot) = index.get_mut(id) {
                *slot = Some(i);
            }
        }
        index
    }
}

/// Below this much text a run checks its rules on one thread: starting a second costs more
/// than it saves.
const PARALLEL_TEXT: usize = 1 << 18;

/// Runs the rules the settings select over `cx`, applies the ignore comments, then lets the
/// rules judge the comments; returns the findings in the order of [`ALL`].
pub fn run(cx: &Context<'_>) -> Vec<Diagnostic> {
    let rules: Vec<&'static dyn Rule> = ALL.iter().copied().filter(|r| cx.settings.selected(r.meta().id)).collect();
    let mut findings = check_all(cx, &rules);
    for finding in &mut findings {
        with_defaults(cx, finding);
    }
    let dependent: Vec<&str> = rules.iter().filter(|r| r.version_dependent()).map(|r| r.meta().id).collect();
    findings.retain(|d| {
        !dependent.contains(&d.rule)
            || !cx.parsed(d.primary.span.file).is_some_and(|p| p.source.in_template_alternative(d.primary.span.start()))
    });
    if cx.settings.ignore_comments {
        let unused = suppress::apply(cx.files, &mut findings);
        for rule in &rules {
            let mut sink = Sink::new(rule.meta(), &mut findings);
            rule.check_suppressions(cx, &unused, &mut sink);
            sink.finish();
        }
    }
    findings
}

/// Where a finding's spans hold template values that the repository's defaults gave, says
/// so: the message names each default, and a related span points at the line defining it.
fn with_defaults(cx: &Context<'_>, finding: &mut Diagnostic) {
    let spans: Vec<Span> = std::iter::once(&finding.primary).chain(&finding.related).map(|l| l.span).collect();
    let mut named: Vec<String> = Vec::new();
    for span in spans {
        let Some(parsed) = cx.parsed(span.file) else { continue };
        for resolution in parsed.source.resolutions_in(span) {
            let tag = parsed.source.text().get(resolution.start..resolution.end).unwrap_or("");
            let tag: String = if tag.chars().count() > 60 { "the template value".into() } else { format!("`{tag}`") };
            for (k, origin) in resolution.resolved.origins.iter().enumerate() {
                if finding.related.iter().any(|l| l.span == origin.span) {
                    continue;
                }
                let shown = format!("`{}`", origin.shown);
                let label =
                    if k == 0 { format!("the default of {tag}") } else { format!("which {tag} is defined through") };
                finding.related(origin.span, label);
                if k == 0 {
                    named.push(shown);
                }
            }
        }
    }
    if !named.is_empty() {
        let noun = if named.len() == 1 { "default" } else { "defaults" };
        finding.message = format!("{} (with the {noun} {})", finding.message, named.join(", "));
    }
}

/// Every rule's findings, in the order of `rules`. Large runs share the rules among the
/// machine's cores; every rule reads the same parsed files and topology and none writes to
/// them.
fn check_all(cx: &Context<'_>, rules: &[&'static dyn Rule]) -> Vec<Diagnostic> {
    let text: usize = cx.files.iter().map(|f| f.source.text().len()).sum();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let workers = if text < PARALLEL_TEXT { 1 } else { cores.min(rules.len()) };
    let job = |i: usize| -> Option<(usize, Vec<Diagnostic>)> {
        let rule = rules.get(i)?;
        let mut out = Vec::new();
        let mut sink = Sink::new(rule.meta(), &mut out);
        rule.check(cx, &mut sink);
        sink.finish();
        Some((i, out))
    };
    let jobs = rules.len();
    // Each worker takes the next job not yet taken, so a slow one does not hold the others.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n >= jobs {
                break;
            }
            done.extend(job(n));
        }
        done
    };
    let mut done: Vec<(usize, Vec<Diagnostic>)> = if workers <= 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut done = work();
            for helper in helpers {
                match helper.join() {
                    Ok(more) => done.extend(more),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            done
        })
    };
    done.sort_unstable_by_key(|(i, _)| *i);
    // The longest list grows to hold the others, each freed once moved: collecting into a new
    // list would hold every finding twice when one rule finds most of them.
    let total: usize = done.iter().map(|(_, found)| found.len()).sum();
    let longest = done.iter().enumerate().max_by_key(|(_, (_, found))| found.len()).map_or(0, |(k, _)| k);
    let mut lists = done.into_iter().map(|(_, found)| found);
    let before: Vec<Diagnostic> = lists.by_ref().take(longest).flatten().collect();
    let mut all = lists.next().unwrap_or_default();
    all.reserve_exact(total.saturating_sub(all.len()));
    all.splice(0..0, before);
    for mut found in lists {
        all.append(&mut found);
    }
    all
}

/// How many findings one rule reports in one file: past this a file is not configuration a
/// person reads finding by finding, and every further finding would cost time and memory
/// for nothing. The rest are counted and said in one finding.
pub const MAX_FINDINGS_PER_FILE: usize = 1_000;

/// How many findings one rule reports in a whole run (GitHub code scanning takes 25,000
/// results a run, for every rule together).
pub const MAX_FINDINGS_PER_RUN: usize = 10_000;

/// Collects one rule's diagnostics, at most [`MAX_FINDINGS_PER_FILE`] a file and
/// [`MAX_FINDINGS_PER_RUN`] in all.
pub struct Sink<'o> {
    meta: &'static RuleMeta,
    out: &'o mut Vec<Diagnostic>,
    /// Findings reported and not reported, by file.
    per_file: HashMap<FileId, (usize, usize)>,
    /// Findings reported in all.
    reported: usize,
    /// What a finding past the limits is written into, and then forgotten.
    dropped: Diagnostic,
}

impl<'o> Sink<'o> {
    /// A sink for `meta` writing to `out`.
    pub fn new(meta: &'static RuleMeta, out: &'o mut Vec<Diagnostic>) -> Self {
        let dropped = Sink::finding(meta, Span::file_start(FileId(0)), String::new(), String::new());
        Sink { meta, out, per_file: HashMap::default(), reported: 0, dropped }
    }

    fn finding(meta: &'static RuleMeta, span: Span, label: String, message: String) -> Diagnostic {
        Diagnostic {
            rule: meta.id,
            severity: meta.severity,
            message: crate::diagnostic::exact(message),
            primary: Label { span, message: label },
            related: Vec::new(),
            help: None,
            fingerprint: String::new(),
            fix: None,
        }
    }

    /// Reports a finding at `span`, labelled `label`.
    pub fn emit(&mut self, span: Span, label: impl Into<String>, message: impl Into<String>) -> &mut Diagnostic {
        let counts = self.per_file.entry(span.file).or_default();
        if counts.0 >= MAX_FINDINGS_PER_FILE || self.reported >= MAX_FINDINGS_PER_RUN {
            counts.1 += 1;
            self.dropped = Sink::finding(self.meta, span, String::new(), String::new());
            return &mut self.dropped;
        }
        counts.0 += 1;
        self.reported += 1;
        self.out.push(Sink::finding(self.meta, span, label.into(), message.into()));
        match self.out.last_mut() {
            Some(finding) => finding,
            None => &mut self.dropped,
        }
    }

    /// Reports, for each file where findings were left out, how many: one finding at the
    /// start of the file.
    pub fn finish(self) {
        let mut left_out: Vec<(FileId, usize)> =
            self.per_file.into_iter().filter(|(_, (_, dropped))| *dropped > 0).map(|(f, (_, d))| (f, d)).collect();
        left_out.sort_unstable();
        for (file, count) in left_out {
            let message = format!(
                "{count} more `{}` findings in this file are not shown: a rule reports at most {MAX_FINDINGS_PER_FILE} a file and {MAX_FINDINGS_PER_RUN} a run",
                self.meta.id
            );
            let mut summary = Sink::finding(self.meta, Span::file_start(file), "more findings".into(), message);
            summary.help = Some("fix the findings shown, or lint this file on its own, to see the rest".into());
            self.out.push(summary);
        }
    }
}

/// Declares a rule: its doc comment becomes its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $name:ident {
            id: $id:literal,
            summary: $summary:literal,
            severity: $severity:ident,
            scope: $scope:literal,
            formats: [$($format:ident),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        $vis struct $name;

        impl $crate::rules::Describe for $name {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                    id: $id,
                    summary: $summary,
                    severity: $crate::diagnostic::Severity::$severity,
                    scope: $scope,
                    formats: &[$($crate::source::FileKind::$format),*],
                    docs: concat!($($doc, "\n"),+),
                };
                &META
            }
        }
    };
}
pub(crate) use declare_rule;

/// Every rule, in catalogue order.
pub static ALL: &[&dyn Rule] = &[
    &syntax::syntax_error::SyntaxError,
    &syntax::file_unreadable::FileUnreadable,
    &syntax::file_skipped::FileSkipped,
    &syntax::unknown_directive::UnknownDirective,
    &syntax::removed_directive::RemovedDirective,
    &syntax::misplaced_directive::MisplacedDirective,
    &syntax::module_not_loaded::ModuleNotLoaded,
    &syntax::unused_suppression::UnusedSuppression,
    &syntax::invalid_suppression::InvalidSuppression,
    &context_path::context_path_root_slash::ContextPathRootSlash,
    &context_path::context_path_malformed::ContextPathMalformed,
    &context_path::context_path_mismatch::ContextPathMismatch,
    &context_path::context_path_duplicate::ContextPathDuplicate,
    &connector::connector_secure_missing::ConnectorSecureMissing,
    &connector::connector_scheme_missing::ConnectorSchemeMissing,
    &connector::connector_scheme_mismatch::ConnectorSchemeMismatch,
    &connector::connector_shared_by_http_and_https::ConnectorSharedByHttpAndHttps,
    &connector::connector_proxy_port_mismatch::ConnectorProxyPortMismatch,
    &connector::connector_proxy_port_invalid::ConnectorProxyPortInvalid,
    &connector::connector_proxy_name_malformed::ConnectorProxyNameMalformed,
    &connector::connector_proxy_name_mismatch::ConnectorProxyNameMismatch,
    &connector::connector_proxy_name_missing::ConnectorProxyNameMissing,
    &connector::connector_port_duplicate::ConnectorPortDuplicate,
    &connector::upstream_port_unmatched::UpstreamPortUnmatched,
    &connector::ajp_connector_exposed::AjpConnectorExposed,
    &connector::compression_double::CompressionDouble,
    &connector::request_body_limit_too_small::RequestBodyLimitTooSmall,
    &connector::proxy_timeout_too_short::ProxyTimeoutTooShort,
    &tomcat::unknown_attribute::UnknownAttribute,
    &tomcat::obsolete_attribute::ObsoleteAttribute,
    &tomcat::connector_relaxed_chars_missing::ConnectorRelaxedCharsMissing,
    &properties::property_key_typo::PropertyKeyTypo,
    &properties::property_duplicate_key::PropertyDuplicateKey,
    &properties::bitbucket_server_xml_ignored::BitbucketServerXmlIgnored,
    &tls::tls_sslv3_enabled::TlsSslv3Enabled,
    &tls::tls_legacy_protocol::TlsLegacyProtocol,
    &tls::tls_weak_cipher::TlsWeakCipher,
    &tls::tls_cert_missing::TlsCertMissing,
    &tls::tls_cert_expired::TlsCertExpired,
    &tls::tls_cert_expiring::TlsCertExpiring,
    &tls::tls_cert_chain_incomplete::TlsCertChainIncomplete,
    &base_url::base_url_malformed::BaseUrlMalformed,
    &base_url::base_url_drift::BaseUrlDrift,
    &apache::proxypass_trailing_slash::ProxypassTrailingSlash,
    &apache::proxypass_reverse_missing::ProxypassReverseMissing,
    &apache::proxypass_reverse_mismatch::ProxypassReverseMismatch,
    &apache::proxypass_shadowed::ProxypassShadowed,
    &apache::proxy_open_forward::ProxyOpenForward,
    &apache::servername_has_path::ServernameHasPath,
    &apache::websocket_proxy_missing::WebsocketProxyMissing,
    &apache::legacy_access_control::LegacyAccessControl,
    &haproxy::haproxy_backend_undefined::HaproxyBackendUndefined,
    &haproxy::haproxy_acl_undefined::HaproxyAclUndefined,
    &haproxy::haproxy_acl_unused::HaproxyAclUnused,
    &haproxy::haproxy_ssl_without_crt::HaproxySslWithoutCrt,
    &haproxy::haproxy_forwardfor_missing::HaproxyForwardforMissing,
    &haproxy::haproxy_ssh_in_http_mode::HaproxySshInHttpMode,
    &haproxy::haproxy_health_check_unused::HaproxyHealthCheckUnused,
    &haproxy::websocket_idle_timeout_short::WebsocketIdleTimeoutShort,
    &connector::request_header_limit_mismatch::RequestHeaderLimitMismatch,
    &connector::forwarded_proto_mismatch::ForwardedProtoMismatch,
    &tomcat::synchrony_proxy_context_missing::SynchronyProxyContextMissing,
    &security::admin_endpoint_exposed::AdminEndpointExposed,
    &security::identity_header_spoofable::IdentityHeaderSpoofable,
    &balancer::lb_session_affinity_missing::LbSessionAffinityMissing,
    &balancer::lb_sticky_route_mismatch::LbStickyRouteMismatch,
    &balancer::lb_health_check_not_status::LbHealthCheckNotStatus,
    &nginx::nginx_proxy_pass_uri::NginxProxyPassUri,
    &nginx::proxy_header_inheritance_lost::ProxyHeaderInheritanceLost,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_docs_have_the_fixed_headings() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
        for rule in ALL {
            let docs = rule.meta().markdown();
            for heading in ["## What it does", "## Why is this bad?", "## Example", "Use instead:"] {
                assert!(docs.contains(heading), "{} lacks {heading}", rule.meta().id);
            }
            // One line that names what is flagged, as the catalogue and SARIF show it.
            let summary = rule.meta().summary();
            let id = rule.meta().id;
            assert!(summary.len() >= 15 && !summary.ends_with(['.', ':']), "{id}: {summary}");
            assert!(!summary.to_lowercase().starts_with("in live mode"), "{id}: {summary}");
        }
    }
}
