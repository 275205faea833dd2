//! Backends: where a proxy balances requests among servers. An HAProxy `backend` or `listen`
//! section, or an Apache `balancer://` cluster, with its servers, balancing algorithm and
//! session persistence; routes point at them.

use foldhash::{HashMap, HashMapExt};

use super::{Backend, ProxyKind, Topology};
use crate::source::Span;
use crate::syntax::apache::Config as ApacheConfig;
use crate::syntax::haproxy::Config as HaproxyConfig;
use crate::syntax::words::WordRef;

/// HAProxy statements that keep a client on one server: a persistence cookie, or a stick
/// table rule.
const HAPROXY_PERSISTENCE: [&[&str]; 5] =
    [&["cookie"], &["stick", "on"], &["stick", "match"], &["stick", "store-request"], &["stick", "store-response"]];

/// Adds a backend for each `backend` and `listen` section that has servers; returns the
/// backend of each such section, by section index.
pub(super) fn add_haproxy(topology: &mut Topology<'_>, config: &HaproxyConfig<'_>) -> HashMap<usize, usize> {
    let mut by_section = HashMap::new();
    for (index, section) in config.sections.iter().enumerate() {
        if !matches!(section.kind(), "backend" | "listen") {
            continue;
        }
        let servers: Vec<Span> = section.find(&["server"]).filter_map(|s| s.args().get(1).map(|a| a.span)).collect();
        if servers.is_empty() {
            continue;
        }
        // The section's own setting, else its defaults'.
        let own_or_default = |words: &'static [&'static str]| {
            let own = section.find(words).last();
            own.or_else(|| config.defaults_of(index).and_then(|d| d.find(words).last()))
        };
        let balance = own_or_default(&["balance"]).and_then(|s| {
            let algorithm = s.args().first()?;
            Some((algorithm.text.to_ascii_lowercase(), algorithm.span))
        });
        let persistence = HAPROXY_PERSISTENCE.iter().find_map(|&words| own_or_default(words)).map(|s| s.span);
        by_section.insert(index, topology.backends.len());
        topology.backends.push(Backend {
            kind: ProxyKind::Haproxy,
            name: section.name().to_string(),
            at: section.header,
            servers,
            balance,
            persistence,
        });
    }
    by_section
}

/// Adds a backend for each `balancer://` cluster of an Apache file that has members (by
/// `members`, the cluster names lowercased without a trailing `/`); returns them by name.
pub(super) fn add_apache(
    topology: &mut Topology<'_>,
    config: &ApacheConfig<'_>,
    members: &HashMap<String, Vec<WordRef<'_>>>,
) -> HashMap<String, usize> {
    let settings = cluster_settings(config);
    let mut names: Vec<&String> = members.keys().collect();
    names.sort();
    let mut by_name = HashMap::new();
    for name in names {
        let Some(servers) = members.get(name).filter(|m| !m.is_empty()) else { continue };
        let Some(first) = servers.first() else { continue };
        let (balance, persistence) = settings.get(name).cloned().unwrap_or_default();
        by_name.insert(name.clone(), topology.backends.len());
        topology.backends.push(Backend {
            kind: ProxyKind::Apache,
            name: name.clone(),
            at: first.span,
            servers: servers.iter().map(|w| w.span).collect(),
            balance,
            persistence,
        });
    }
    by_name
}

/// What a cluster's `lbmethod=` and `stickysession=` say, from `ProxySet` (naming the
/// cluster or inside its `<Proxy>`) and from the `ProxyPass` lines that send to it.
type ClusterSettings = HashMap<String, (Option<(String, Span)>, Option<Span>)>;

fn cluster_settings(config: &ApacheConfig<'_>) -> ClusterSettings {
    let key = |text: &str| text.trim_end_matches('/').to_ascii_lowercase();
    let proxy = config.per_block(None, |outer, index, block| if block.is("Proxy") { Some(index) } else { outer });
    let mut out: ClusterSettings = HashMap::new();
    for directive in config.directives.iter().filter(|d| !d.skipped) {
        let args = directive.args();
        let (cluster, params) = if directive.is("ProxySet") {
            match args.first().filter(|a| a.text.to_ascii_lowercase().starts_with("balancer://")) {
                Some(name) => (Some(key(name.text)), 1),
                None => {
                    let around = directive.block().and_then(|b| proxy.get(b).copied().flatten());
                    let name =
                        around.and_then(|b| config.blocks.get(b)).and_then(|b| b.args().first().map(|a| key(a.text)));
                    (name, 0)
                }
            }
        } else if directive.is("ProxyPass") {
            // `balancer://name/path`: the cluster is the URL up to its path.
            let target = args.get(1).map(|a| a.text.to_ascii_lowercase());
            let cluster = target.and_then(|t| {
                let name = t.strip_prefix("balancer://")?;
                Some(format!("balancer://{}", name.split('/').next().unwrap_or(name)))
            });
            (cluster, 2)
        } else {
            continue;
        };
        let Some(cluster) = cluster.filter(|c| c.starts_with("balancer://")) else { continue };
        for param in args.iter().skip(params) {
            let Some((name, value)) = param.text.split_once('=') else { continue };
            let entry = out.entry(cluster.clone()).or_default();
            if name.eq_ignore_ascii_case("lbmethod") {
                entry.0 = Some((value.to_ascii_lowercase(), param.span));
            } else if name.eq_ignore_ascii_case("stickysession") && !value.is_empty() {
                entry.1 = Some(param.span);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::source::{FileId, FileKind, SourceFile};

    /// A backend as the tests compare it: name, servers, algorithm, persistence as written,
    /// and how many routes point at it.
    type Shown = (String, usize, Option<String>, Option<String>, usize);

    /// The backends of one file.
    fn backends(kind: FileKind, text: &str) -> Vec<Shown> {
        let source = SourceFile::new(FileId(0), "f".into(), "f".into(), Some(kind), text.as_bytes().to_vec());
        let parsed: Vec<_> = crate::syntax::parse(&source).into_iter().collect();
        let topology = crate::model::build(&parsed, Default::default(), Default::default(), &[]);
        let shown = |span: Option<crate::source::Span>| span.map(|s| source.slice(s).to_string());
        (0..topology.backends.len())
            .filter_map(|i| {
                let b = topology.backends.get(i)?;
                let routes = topology.routes.iter().filter(|r| r.backend == Some(i)).count();
                Some((b.name.clone(), b.servers.len(), b.balance.clone().map(|(a, _)| a), shown(b.persistence), routes))
            })
            .collect()
    }

    #[test]
    fn haproxy_backends_take_balance_and_persistence_from_their_defaults() {
        let text = "\
defaults
    mode http
    balance roundrobin
frontend www
    bind :80
    use_backend jira if { path_beg /jira }
    default_backend confluence
backend jira
    cookie JSESSIONID prefix nocache
    server a 10.0.0.1:8080 check cookie a
    server b 10.0.0.2:8080 check cookie b
backend confluence
    balance source
    server c 10.0.0.3:8090
listen stats
    bind :9000
";
        let found = backends(FileKind::Haproxy, text);
        assert_eq!(
            found,
            [
                ("jira".into(), 2, Some("roundrobin".into()), Some("cookie JSESSIONID prefix nocache".into()), 2),
                ("confluence".into(), 1, Some("source".into()), None, 1),
            ]
        );
    }

    #[test]
    fn apache_clusters_take_lbmethod_and_stickysession_from_proxyset_and_proxypass() {
        let text = "\
<Proxy balancer://jira>
    BalancerMember http://h1:8080
    BalancerMember http://h2:8080
    ProxySet lbmethod=byrequests
</Proxy>
ProxyPass /jira balancer://jira/jira stickysession=JSESSIONID|jsessionid
BalancerMember balancer://wiki http://h3:8090
ProxyPass /wiki balancer://wiki/wiki
";
        let found = backends(FileKind::Apache, text);
        assert_eq!(
            found,
            [
                (
                    "balancer://jira".into(),
                    2,
                    Some("byrequests".into()),
                    Some("stickysession=JSESSIONID|jsessionid".into()),
                    2
                ),
                ("balancer://wiki".into(), 1, None, None, 1),
            ]
        );
    }
}
