//! `proxy-timeout-too-short`: an inactivity timeout on a route to Bitbucket shorter than a
//! git operation waits for the server.

use foldhash::{HashSet, HashSetExt};

use foldhash::HashMap;

use crate::model::{AppKind, HaproxyTimeout, ProxyKind, Route, Topology};
use crate::rules::queries::ServerSettings;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::{FileId, Span};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags an inactivity timeout below 30 s (`min-proxy-timeout` in the config file, in
    /// seconds) on a route to a linked Bitbucket application, or to its SSH port:
    /// - HAProxy: the frontend's `timeout client` and the backend's `timeout server`, each
    ///   the section's own or its `defaults`' (milliseconds unless a unit says otherwise);
    ///   for SSH routes (`mode tcp`) a `timeout tunnel` in effect replaces both;
    /// - Apache: the `timeout=` of the `BalancerMember` (for a balancer route) or the
    ///   `ProxyPass`, else `ProxyTimeout`, else `Timeout`
    ///   (the virtual host's, else the server config's), Apache's default of 60 s where
    ///   none is set;
    /// - nginx: the `proxy_read_timeout` and `proxy_send_timeout` in effect where the
    ///   `proxy_pass` stands (`location`, then `server`, then `http`, across included
    ///   files), nginx's default of 60 s where none is set.
    ///
    /// Routes to other applications, template values and connect, check, queue and
    /// request-header timeouts are not judged.
    ///
    /// ## Why is this bad?
    /// A `git clone` or `git fetch` of a large repository waits while Bitbucket counts and
    /// compresses objects, with nothing sent; a proxy that gives up first cuts the
    /// operation off. Users see "RPC failed; HTTP 504", "the remote end hung up
    /// unexpectedly" or "Communication breakdown", and the proxy logs 504 or 499.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_read_timeout 10s;
    ///     proxy_pass http://localhost:7990;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location / {
    ///     proxy_read_timeout 300s;
    ///     proxy_pass http://localhost:7990;
    /// }
    /// ```
    ///
    /// ## References
    /// - Atlassian, "HTTP timeouts and errors 502, 503, 504, 499 logged by reverse proxy
    ///   with Bitbucket Data Center".
    /// - Atlassian, "A 'Communication breakdown with Bitbucket' error when cloning git
    ///   repository via HTTPS".
    pub struct ProxyTimeoutTooShort {
        id: "proxy-timeout-too-short",
        summary: "an inactivity timeout below 30 s (`min-proxy-timeout`) on a route to a linked Bitbucket app or its SSH port (HAProxy `timeout client`/`server`/`tunnel`, Apache `ProxyTimeout`/`Timeout`, nginx `proxy_read_timeout`/`proxy_send_timeout`)",
        severity: Warning,
        scope: "connector",
        formats: [Haproxy, Apache, Nginx],
    }
}

impl Rule for ProxyTimeoutTooShort {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let minimum = cx.settings.min_proxy_timeout().saturating_mul(1000);
        // One finding a timeout line (or a route under the default), however many routes.
        let mut reported: HashSet<Span> = HashSet::new();
        let mut passes = Passes::default();
        for (index, route) in topology.routes.iter().enumerate() {
            let connector = topology.route_links.get(index).copied().flatten();
            let app = connector.and_then(|c| topology.connectors.get(c)).and_then(|c| topology.apps.get(c.app));
            let bitbucket = app.is_some_and(|a| a.kind == AppKind::Bitbucket);
            let ssh = has_bitbucket(topology) && route.upstream.port.is_some_and(|p| topology.ssh_ports.contains(&p));
            if !bitbucket && !ssh {
                continue;
            }
            let seconds = |ms: u64| match ms % 1000 {
                0 => format!("{} s", ms / 1000),
                _ => format!("{ms} ms"),
            };
            if route.haproxy.is_some()
                || topology.frontends.get(route.frontend).is_some_and(|f| f.kind == ProxyKind::Apache)
            {
                for (name, ms, span) in other_timeouts(cx, route, ssh, &mut passes) {
                    if ms >= minimum || !reported.insert(span) {
                        continue;
                    }
                    let message = format!(
                        "`{name}` gives up after {} of silence on a route to Bitbucket{}, below {}: a clone or fetch of a large repository is cut off while the server prepares it",
                        seconds(ms),
                        if ssh { "'s SSH port" } else { "" },
                        seconds(minimum)
                    );
                    sink.emit(span, format!("gives up after {}", seconds(ms)), message)
                        .related(route.at, "the route to Bitbucket")
                        .help(format!("raise it to {} or more", seconds(minimum.max(300_000))));
                }
                continue;
            }
            let Some(nginx) = route.nginx else { continue };
            if !bitbucket {
                continue;
            }
            let ingress = topology.frontends.get(route.frontend).is_some_and(|f| f.kind == ProxyKind::Ingress);
            let names = match ingress {
                true => {
                    ["nginx.ingress.kubernetes.io/proxy-read-timeout", "nginx.ingress.kubernetes.io/proxy-send-timeout"]
                }
                false => ["proxy_read_timeout", "proxy_send_timeout"],
            };
            for (name, timeout) in names.into_iter().zip(nginx.timeouts) {
                let Some((ms, set)) = timeout else { continue };
                if ms >= minimum || !reported.insert(set.unwrap_or(route.at)) {
                    continue;
                }
                let wanted = match ingress {
                    true => format!("`{name}: \"{}\"`", (minimum / 1000).max(300)),
                    false => format!("`{name} {}s;`", (minimum / 1000).max(300)),
                };
                match set {
                    Some(span) => {
                        let message = format!(
                            "`{name}` gives up after {} of silence on a route to Bitbucket, below {}: a clone or fetch of a large repository is cut off while the server prepares it",
                            seconds(ms),
                            seconds(minimum)
                        );
                        sink.emit(span, format!("gives up after {}", seconds(ms)), message)
                            .related(route.at, "the route to Bitbucket")
                            .help(format!("raise it: {wanted} or longer"));
                    }
                    None => {
                        let proxy = if ingress { "ingress-nginx" } else { "nginx" };
                        let message = format!(
                            "{proxy}'s default `{name}` of 60 s applies on this route to Bitbucket, below the {} asked for: a clone or fetch of a large repository is cut off while the server prepares it",
                            seconds(minimum)
                        );
                        let help = match ingress {
                            true => format!("annotate the Ingress with {wanted} or longer"),
                            false => format!("set {wanted} or longer in this `location` or its `server`"),
                        };
                        sink.emit(route.at, "60 s default", message).help(help);
                    }
                }
            }
        }
    }
}

/// Whether the run has a Bitbucket app, whose SSH port routes may reach.
fn has_bitbucket(topology: &Topology<'_>) -> bool {
    topology.apps.iter().any(|a| a.kind == AppKind::Bitbucket)
}

/// Each Apache file's `ProxyPass` and `BalancerMember` lines by span, found once a file,
/// and the `ProxyTimeout` and `Timeout` in effect where they stand.
struct Passes {
    lines: HashMap<FileId, HashMap<Span, usize>>,
    settings: ServerSettings<'static>,
}

impl Default for Passes {
    fn default() -> Self {
        Passes { lines: HashMap::default(), settings: ServerSettings::new(&TIMEOUTS) }
    }
}

/// Apache's inactivity timeouts, the proxy's first.
const TIMEOUTS: [&str; 2] = ["ProxyTimeout", "Timeout"];

/// The HAProxy or Apache inactivity timeouts in effect on a route: the setting as written,
/// in milliseconds, and where it is (settings that are not written are not judged, except
/// Apache's, whose default of 60 s passes).
fn other_timeouts(cx: &Context<'_>, route: &Route, ssh: bool, passes: &mut Passes) -> Vec<(String, u64, Span)> {
    if let Some(details) = route.haproxy {
        let Some(parsed) = cx.parsed(details.frontend_header.file) else { return Vec::new() };
        let judged = |name: &str, timeout: Option<HaproxyTimeout>| {
            let timeout = timeout?;
            Some((format!("timeout {name} {}", parsed.source.slice(timeout.value)), timeout.ms?, timeout.line))
        };
        if ssh {
            if let Some(tunnel) = details.tunnel {
                return judged("tunnel", Some(tunnel)).into_iter().collect();
            }
        }
        return [judged("client", details.client), judged("server", details.server)].into_iter().flatten().collect();
    }
    // Apache: the `ProxyPass` line's `timeout=`, else the virtual host's or the server's
    // `ProxyTimeout`, else their `Timeout`.
    let Some(Tree::Apache(config)) = cx.parsed(route.at.file).map(|p| &p.tree) else { return Vec::new() };
    let lines = passes.lines.entry(route.at.file).or_insert_with(|| {
        let members = config.directives.iter().enumerate().filter(|(_, d)| !d.skipped);
        members.filter(|(_, d)| d.is("ProxyPass") || d.is("BalancerMember")).map(|(i, d)| (d.span, i)).collect()
    });
    let Some(pass) = lines.get(&route.at).and_then(|&i| config.directives.get(i)) else { return Vec::new() };
    // A balancer route: the member's own `timeout=` comes first.
    let member = route
        .backend
        .and_then(|b| cx.topology().backends.get(b))
        .and_then(|b| b.servers.iter().find(|s| s.address == route.upstream.span))
        .and_then(|s| lines.get(&s.line))
        .and_then(|&i| config.directives.get(i));
    if let Some(key) = member.and_then(timeout_key).or_else(|| timeout_key(pass)) {
        let value = key.text.split_once('=').map_or("", |(_, v)| v);
        return match value.trim().parse::<u64>() {
            Ok(seconds) if !key.unknown => vec![(key.text.to_string(), seconds.saturating_mul(1000), key.span)],
            _ => Vec::new(),
        };
    }
    // The virtual host's, else the server config's of the include tree.
    let settings = passes.settings.at(cx, pass.span);
    for (name, line) in TIMEOUTS.iter().zip(settings) {
        let Some(line) = line else { continue };
        let Some(value) = line.args().first().filter(|v| !v.unknown) else { return Vec::new() };
        let Ok(seconds) = value.text.trim().parse::<u64>() else { return Vec::new() };
        return vec![(format!("{name} {}", value.text), seconds.saturating_mul(1000), line.span)];
    }
    Vec::new()
}

/// The `timeout=` key of a `ProxyPass` or `BalancerMember` line.
fn timeout_key<'d>(directive: &'d crate::syntax::apache::Directive<'_>) -> Option<crate::syntax::words::WordRef<'d>> {
    directive.args().iter().find(|a| a.text.to_ascii_lowercase().starts_with("timeout="))
}
