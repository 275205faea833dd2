//! Backends: where a proxy balances requests among servers. An HAProxy `backend` or `listen`
//! section, or an Apache `balancer://` cluster, with its servers, balancing algorithm,
//! session persistence and health checks; routes point at them.

use foldhash::{HashMap, HashMapExt};

use super::apache::Enclosing;
use super::{Affinity, Backend, HealthCheck, ProxyKind, Server, Topology};
use crate::source::Span;
use crate::syntax::apache::{Config as ApacheConfig, Directive};
use crate::syntax::haproxy::keywords::options;
use crate::syntax::haproxy::{Config as HaproxyConfig, Section, Statement};
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
        let defaults = config.defaults_of(index);
        let servers = haproxy_servers(section, defaults);
        if servers.is_empty() {
            continue;
        }
        // The section's own setting, else its defaults'.
        let own_or_default = |words: &'static [&'static str]| {
            let own = section.find(words).last();
            own.or_else(|| defaults.and_then(|d| d.find(words).last()))
        };
        let balance = own_or_default(&["balance"]).and_then(|s| {
            let algorithm = s.args().first()?;
            Some((algorithm.text.to_ascii_lowercase(), algorithm.span))
        });
        let persistence = HAPROXY_PERSISTENCE.iter().find_map(|&words| own_or_default(words)).map(|s| s.span);
        let mut affinity = Affinity::default();
        if let Some(cookie) = own_or_default(&["cookie"]).filter(|c| c.modifier().is_none()) {
            let args = cookie.args();
            affinity.template = args.iter().any(|w| w.unknown);
            let mode = args.iter().skip(1).any(|w| matches!(w.text, "insert" | "rewrite" | "prefix"));
            match args.first() {
                Some(name) if mode => affinity.cookie = Some((name.text.to_string(), cookie.span)),
                _ => affinity.passive_cookie = Some(cookie.span),
            }
        }
        // A stick rule needs a table: the section's own, or one it names.
        let has_table = section.find(&["stick-table"]).next().is_some();
        affinity.stick = HAPROXY_PERSISTENCE
            .iter()
            .skip(1)
            .flat_map(|&words| section.find(words))
            .find(|s| has_table || s.args().iter().any(|w| w.text == "table"))
            .map(|s| s.span);
        if let Some((algorithm, span)) = &balance {
            let hashed = own_or_default(&["hash-type"]).is_some();
            let pins = matches!(algorithm.as_str(), "source" | "url_param" | "uri" if algorithm != "uri" || hashed)
                || algorithm.starts_with("hdr(")
                || algorithm.starts_with("rdp-cookie");
            if pins {
                affinity.pinning = Some(*span);
            }
        }
        let tcp = super::routes::mode(section, defaults) == "tcp";
        by_section.insert(index, topology.backends.len());
        topology.backends.push(Backend {
            kind: ProxyKind::Haproxy,
            name: section.name().to_string(),
            at: section.header,
            servers,
            balance,
            persistence,
            tcp,
            affinity,
            health: haproxy_health(section, defaults),
        });
    }
    by_section
}

/// The `server` and `server-template` lines of a section, with what each says.
fn haproxy_servers(section: &Section<'_>, defaults: Option<&Section<'_>>) -> Vec<Server> {
    // A server takes the `default-server` line last before it in the section, else its
    // defaults section's.
    let mut inherited = defaults.and_then(|d| d.find(&["default-server"]).last()).is_some_and(|d| checks(d, false));
    let mut servers = Vec::new();
    for line in &section.statements {
        if line.is(&["default-server"]) {
            inherited = checks(line, false);
            continue;
        }
        let template_line = line.is(&["server-template"]);
        if !template_line && !line.is(&["server"]) {
            continue;
        }
        let args = line.args();
        let (address, count) = if template_line {
            // `server-template PREFIX NUM|LOW-HIGH ADDRESS`.
            let count = args.get(1).and_then(|n| match n.text.split_once('-') {
                Some((low, high)) => Some(high.parse::<usize>().ok()?.saturating_sub(low.parse().ok()?) + 1),
                None => n.text.parse().ok(),
            });
            (args.get(2), count.unwrap_or(1))
        } else {
            (args.get(1), 1)
        };
        let Some(address) = address else { continue };
        let options = options(line);
        let has = |name: &str| options.iter().any(|(w, _)| w.text == name);
        servers.push(Server {
            address: address.span,
            line: line.span,
            count,
            active: !has("backup") && !has("disabled"),
            template: line.words().iter().any(|w| w.unknown),
            cookie: options.iter().find(|(w, _)| w.text == "cookie").and_then(|(_, v)| v.first()).map(|v| v.span),
            route: None,
            check: checks(line, inherited),
            health_uri: None,
        });
    }
    servers
}

/// Whether a `server`, `server-template` or `default-server` line checks its server:
/// `check` on it, else `inherited`; `no-check` turns it off.
pub fn checks(line: &Statement<'_>, inherited: bool) -> bool {
    let words: Vec<&str> = options(line).iter().map(|(name, _)| name.text).collect();
    if words.contains(&"no-check") {
        return false;
    }
    inherited || words.contains(&"check")
}

/// The HTTP health check in effect for a section: `option httpchk` (its own, else its
/// defaults'; `no option httpchk` turns it off), whose URI a `http-check send ... uri U`
/// replaces.
fn haproxy_health(section: &Section<'_>, defaults: Option<&Section<'_>>) -> Option<HealthCheck> {
    let own = section.find(&["option", "httpchk"]).last();
    let httpchk = own.or_else(|| defaults.and_then(|d| d.find(&["option", "httpchk"]).last()))?;
    if httpchk.modifier().is_some() {
        return None;
    }
    // `option httpchk`, `option httpchk URI`, `option httpchk METHOD URI [VERSION]`.
    let args = httpchk.args().from(1);
    let written = match args.len() {
        0 => None,
        1 => args.first(),
        _ => args.get(1),
    };
    let mut check = HealthCheck {
        uri: match written {
            None => Some("/".to_string()),
            Some(word) => (!word.unknown).then(|| word.text.to_string()),
        },
        span: httpchk.span,
    };
    let send = |s: &Section<'_>| -> Option<(Option<String>, Span)> {
        let line = s.find(&["http-check", "send"]).filter(|l| l.args().iter().any(|w| w.text == "uri")).last()?;
        let words = line.args();
        let at = words.iter().position(|w| w.text == "uri")?;
        let uri = words.get(at + 1)?;
        Some(((!uri.unknown).then(|| uri.text.to_string()), line.span))
    };
    if let Some((uri, span)) = send(section).or_else(|| if own.is_none() { defaults.and_then(send) } else { None }) {
        check = HealthCheck { uri, span };
    }
    Some(check)
}

/// A `BalancerMember` URL and its line.
#[derive(Clone, Copy)]
pub(super) struct Member<'c> {
    /// The member's URL.
    pub url: WordRef<'c>,
    /// The `BalancerMember` line.
    pub directive: &'c Directive<'c>,
}

/// Adds a backend for each `balancer://` cluster of an Apache file that has members (by
/// `members`, the cluster names lowercased without a trailing `/`); returns them by name.
pub(super) fn add_apache(
    topology: &mut Topology<'_>,
    config: &ApacheConfig<'_>,
    members: &HashMap<String, Vec<Member<'_>>>,
) -> HashMap<String, usize> {
    let settings = cluster_settings(config);
    let templates = health_templates(config);
    let mut names: Vec<&String> = members.keys().collect();
    names.sort();
    let mut by_name = HashMap::new();
    for name in names {
        let Some(list) = members.get(name).filter(|m| !m.is_empty()) else { continue };
        let Some(first) = list.first() else { continue };
        let cluster = settings.get(name).cloned().unwrap_or_default();
        let servers = list.iter().map(|m| apache_server(m, &templates)).collect();
        let template = cluster.sticky.as_ref().is_some_and(|s| s.2);
        let affinity = Affinity {
            cookie: cluster.sticky.map(|(name, span, _)| (name, span)),
            cookie_set: cluster.cookie_set,
            template,
            ..Affinity::default()
        };
        by_name.insert(name.clone(), topology.backends.len());
        topology.backends.push(Backend {
            kind: ProxyKind::Apache,
            name: name.clone(),
            at: cluster.tag.unwrap_or(first.url.span),
            servers,
            balance: cluster.balance,
            persistence: affinity.cookie.as_ref().map(|c| c.1),
            tcp: false,
            affinity,
            health: None,
        });
    }
    by_name
}

/// A `BalancerMember` as a server: `route=`, `status=` and its health check.
fn apache_server(member: &Member<'_>, templates: &HashMap<String, Vec<(String, String, Span, bool)>>) -> Server {
    let params = params(member.directive);
    let value = |name: &str| params.iter().rev().find(|p| p.0.eq_ignore_ascii_case(name));
    // `status=+H` (hot standby), `D` (disabled), `S` (stopped) take no requests.
    let active = value("status").is_none_or(|s| {
        let mut sign = '+';
        let mut off = false;
        for c in s.1.chars() {
            match c {
                '+' | '-' => sign = c,
                'H' | 'h' | 'D' | 'd' | 'S' | 's' if sign == '+' => off = true,
                _ => {}
            }
        }
        !off
    });
    // Its own `hcuri=`/`hcmethod=`, else those of the `ProxyHCTemplate` it names.
    let template = value("hctemplate").and_then(|t| templates.get(&t.1.to_ascii_lowercase()));
    let from_template = |name: &str| {
        template.and_then(|t| t.iter().rev().find(|p| p.0.eq_ignore_ascii_case(name))).map(|p| (p.1.as_str(), p.2, p.3))
    };
    let hc = |name: &str| value(name).map(|p| (p.1.as_str(), p.2, p.3)).or_else(|| from_template(name));
    let method = hc("hcmethod").map(|m| m.0.to_ascii_uppercase());
    let http = method.as_deref().is_some_and(|m| m != "TCP");
    let member_path = super::url::parse_url(member.url.text, member.url.span).map(|u| u.path.to_string());
    let base = member_path.unwrap_or_default();
    let health_uri = match hc("hcuri") {
        Some((_, _, true)) => None,
        Some((uri, span, false)) => Some((format!("{}{}", base.trim_end_matches('/'), uri), span)),
        None if http => Some((if base.is_empty() { "/".to_string() } else { base.clone() }, member.url.span)),
        None => None,
    };
    Server {
        address: member.url.span,
        line: member.directive.span,
        count: 1,
        active,
        template: member.directive.args().iter().any(|w| w.unknown),
        cookie: None,
        route: value("route").filter(|r| !r.1.is_empty()).map(|r| (r.1.clone(), r.2)),
        check: http,
        health_uri,
    }
}

/// A directive's `name=value` words: name, value, where, and whether it is a template value.
fn params(directive: &Directive<'_>) -> Vec<(String, String, Span, bool)> {
    let args = directive.args();
    args.iter()
        .filter_map(|w| {
            let (name, value) = w.text.split_once('=')?;
            Some((name.to_string(), value.to_string(), w.span, w.unknown))
        })
        .collect()
}

/// `ProxyHCTemplate NAME param=value ...` lines by lowercased name.
fn health_templates(config: &ApacheConfig<'_>) -> HashMap<String, Vec<(String, String, Span, bool)>> {
    let mut out = HashMap::new();
    for directive in config.directives.iter().filter(|d| d.is("ProxyHCTemplate") && !d.skipped) {
        if let Some(name) = directive.args().first() {
            out.insert(name.text.to_ascii_lowercase(), params(directive));
        }
    }
    out
}

/// What a cluster's `<Proxy>`, `ProxySet` and `ProxyPass` lines say.
#[derive(Clone, Default)]
struct Cluster {
    /// `lbmethod=`, lowercased.
    balance: Option<(String, Span)>,
    /// `stickysession=`: the names, where, and whether a template value.
    sticky: Option<(String, Span, bool)>,
    /// The `<Proxy balancer://...>` tag.
    tag: Option<Span>,
    /// A `Header` line sets the sticky cookie (`ROUTEID` when there is none) in the server
    /// config or in a virtual host that proxies to the cluster.
    cookie_set: bool,
}

/// Each cluster's settings, from `ProxySet` (naming the cluster or inside its `<Proxy>`),
/// from the `ProxyPass` lines that send to it, and from `Header` lines that set cookies.
fn cluster_settings(config: &ApacheConfig<'_>) -> HashMap<String, Cluster> {
    let key = |text: &str| text.trim_end_matches('/').to_ascii_lowercase();
    let proxy = config.per_block(None, |outer, index, block| if block.is("Proxy") { Some(index) } else { outer });
    let enclosing = Enclosing::of(config);
    let mut out: HashMap<String, Cluster> = HashMap::new();
    for block in config.blocks.iter().filter(|b| b.is("Proxy")) {
        let Some(name) = block.args().first().map(|a| key(a.text)).filter(|n| n.starts_with("balancer://")) else {
            continue;
        };
        out.entry(name).or_default().tag.get_or_insert(block.span);
    }
    // The cookies `Header` sets, by virtual host (`None`: the server config).
    let mut cookies: Vec<(Option<usize>, String)> = Vec::new();
    let mut vhosts: HashMap<String, Vec<Option<usize>>> = HashMap::new();
    for directive in config.directives.iter().filter(|d| !d.skipped) {
        let args = directive.args();
        if directive.is("Header") {
            let mut words = args
                .iter()
                .skip_while(|w| w.text.eq_ignore_ascii_case("always") || w.text.eq_ignore_ascii_case("onsuccess"));
            let action = words.next().map(|w| w.text.to_ascii_lowercase());
            let header = words.next().filter(|w| w.text.eq_ignore_ascii_case("Set-Cookie"));
            let value = words.next();
            if let (Some("add" | "set" | "append" | "merge"), Some(_), Some(value)) = (action.as_deref(), header, value)
            {
                if let Some((name, _)) = value.text.split_once('=') {
                    cookies.push((enclosing.vhost(directive.block()), name.trim().to_string()));
                }
            }
            continue;
        }
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
            // `balancer://name/path`: the cluster is the URL up to its path. Inside a
            // `<Location>` the path is implied and the URL is the first argument.
            let at = match args.get(1).is_some_and(|a| a.text.to_ascii_lowercase().starts_with("balancer://")) {
                true => 1,
                false => 0,
            };
            let target = args.get(at).map(|a| a.text.to_ascii_lowercase());
            let cluster = target.and_then(|t| {
                let name = t.strip_prefix("balancer://")?;
                Some(format!("balancer://{}", name.split('/').next().unwrap_or(name)))
            });
            if let Some(cluster) = &cluster {
                vhosts.entry(cluster.clone()).or_default().push(enclosing.vhost(directive.block()));
            }
            (cluster, at + 1)
        } else {
            continue;
        };
        let Some(cluster) = cluster.filter(|c| c.starts_with("balancer://")) else { continue };
        for param in args.iter().skip(params) {
            let Some((name, value)) = param.text.split_once('=') else { continue };
            let entry = out.entry(cluster.clone()).or_default();
            if name.eq_ignore_ascii_case("lbmethod") {
                entry.balance = Some((value.to_ascii_lowercase(), param.span));
            } else if name.eq_ignore_ascii_case("stickysession") && !value.is_empty() {
                entry.sticky = Some((value.to_string(), param.span, param.unknown));
            }
        }
    }
    for (name, cluster) in &mut out {
        // Without a `stickysession`, whether the usual `ROUTEID` cookie is set.
        let sticky = cluster.sticky.as_ref().map_or("ROUTEID", |(sticky, _, _)| sticky.as_str());
        let in_scope = vhosts.get(name).map_or(&[][..], Vec::as_slice);
        cluster.cookie_set = sticky.split('|').any(|wanted| {
            cookies.iter().any(|(vhost, cookie)| cookie == wanted && (vhost.is_none() || in_scope.contains(vhost)))
        });
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
