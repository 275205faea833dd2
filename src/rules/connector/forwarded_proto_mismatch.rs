//! `forwarded-proto-mismatch`: a proxy that tells the application the wrong scheme in
//! `X-Forwarded-Proto`.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::apache::vhost_of;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::{FileId, Span};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a constant `X-Forwarded-Proto` that disagrees with the scheme of the listener
    /// it is sent from, on a route to an application that takes its scheme from that
    /// header: a Tomcat app with a `RemoteIpValve` whose `protocolHeader` is
    /// `X-Forwarded-Proto`, or Bitbucket with `server.forward-headers-strategy` `native` or
    /// `framework` in `bitbucket.properties`.
    /// - Apache: `RequestHeader set X-Forwarded-Proto "http"` in a TLS virtual host, or
    ///   `"https"` in a plain one that proxies;
    /// - HAProxy: an unconditional `http-request set-header X-Forwarded-Proto http|https` in
    ///   a frontend with listeners of the other scheme that proxy (a TLS frontend sending
    ///   `http`, a plain one sending `https`, or one mixing both).
    /// - Traefik: an entry point with `forwardedHeaders.insecure` (in its static
    ///   configuration, or `--entrypoints.NAME.forwardedheaders.insecure` on a compose
    ///   command line), which passes on whatever `X-Forwarded-Proto` a client sends.
    ///
    /// Values taken from the connection (`%[ssl_fc,iif(https,http)]`, an `if { ssl_fc }`
    /// pair, `expr=%{REQUEST_SCHEME}`, `env=`), listeners that only redirect, and
    /// applications that ignore the header are not judged.
    ///
    /// ## Why is this bad?
    /// The application builds its redirects and absolute links with the scheme the header
    /// names. Behind TLS it then sends users to `http://` (a redirect loop with the proxy's
    /// own redirect to HTTPS, or mixed-content errors); on plain HTTP it sends them to an
    /// `https://` address nothing serves.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend www
    ///     bind :443 ssl crt /etc/haproxy/bitbucket.pem
    ///     http-request set-header X-Forwarded-Proto http
    ///     default_backend bitbucket
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend www
    ///     bind :443 ssl crt /etc/haproxy/bitbucket.pem
    ///     http-request set-header X-Forwarded-Proto https
    ///     default_backend bitbucket
    /// ```
    ///
    /// ## References
    /// - Atlassian's Data Center Helm charts: for Bitbucket, "if present, the value of
    ///   x-forwarded-proto header will trump" `server.scheme`.
    /// - Atlassian, Bitbucket container documentation: `SERVER_FORWARD_HEADERS_STRATEGY`.
    pub struct ForwardedProtoMismatch {
        id: "forwarded-proto-mismatch",
        summary: "a constant `X-Forwarded-Proto` that disagrees with its listener's scheme (HAProxy `set-header`, Apache `RequestHeader set`), or one clients choose (Traefik's `forwardedHeaders.insecure`), on a route to an app that honours the header",
        severity: Warning,
        scope: "connector",
        formats: [Apache, Haproxy, Traefik, Compose, TomcatServerXml, BitbucketProperties],
    }
}

/// Where a header line applies: an HAProxy frontend (its header line), or an Apache
/// virtual host (its file and container index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Scope {
    Haproxy(Span),
    Apache(FileId, usize),
}

impl Rule for ForwardedProtoMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        if topology.apps.iter().all(|a| a.forwarded_proto.is_none()) {
            return;
        }
        // The header lines that set a constant scheme, by where they apply.
        let mut lines: Vec<(Scope, Span, &'static str)> = Vec::new();
        // Each Apache directive's container, to place the routes.
        let mut blocks: HashMap<Span, Option<usize>> = HashMap::new();
        for parsed in cx.files {
            match &parsed.tree {
                Tree::Haproxy(config) => {
                    for section in config.sections.iter().filter(|s| matches!(s.kind(), "frontend" | "listen")) {
                        for statement in section.find(&["http-request", "set-header"]) {
                            let args = statement.args();
                            let (Some(name), Some(value)) = (args.get(1), args.get(2)) else { continue };
                            if statement.condition().is_some() || value.unknown || args.len() != 3 {
                                continue;
                            }
                            if let (true, Some(scheme)) =
                                (name.text.eq_ignore_ascii_case("x-forwarded-proto"), constant(value.text))
                            {
                                lines.push((Scope::Haproxy(section.header), statement.span, scheme));
                            }
                        }
                    }
                }
                Tree::Apache(config) => {
                    for directive in config.directives.iter().filter(|d| !d.skipped) {
                        blocks.insert(directive.span, directive.block());
                        if !directive.is("RequestHeader") {
                            continue;
                        }
                        let args = directive.args();
                        let (Some(action), Some(name), Some(value)) = (args.get(0), args.get(1), args.get(2)) else {
                            continue;
                        };
                        // A fourth word is `env=`/`expr=` or an early/late flag: not judged.
                        if args.len() != 3 || value.unknown || !action.text.eq_ignore_ascii_case("set") {
                            continue;
                        }
                        let Some(vhost) = vhost_of(config, directive.block()) else { continue };
                        if let (true, Some(scheme)) =
                            (name.text.eq_ignore_ascii_case("x-forwarded-proto"), constant(value.text))
                        {
                            lines.push((Scope::Apache(parsed.source.id(), vhost), directive.span, scheme));
                        }
                    }
                }
                _ => {}
            }
        }
        trusted_clients(topology, sink);
        if lines.is_empty() {
            return;
        }
        // The routes to honouring apps, by where they stand: (route, connector).
        let mut routes: HashMap<Scope, Vec<(usize, usize)>> = HashMap::new();
        for (index, route) in topology.routes.iter().enumerate() {
            let Some(connector) = topology.route_links.get(index).copied().flatten() else { continue };
            let honours = topology
                .connectors
                .get(connector)
                .and_then(|c| topology.apps.get(c.app))
                .is_some_and(|a| a.forwarded_proto.is_some());
            if !honours {
                continue;
            }
            let scope = match route.haproxy {
                Some(details) => Scope::Haproxy(details.frontend_header),
                None => {
                    let Some(&block) = blocks.get(&route.at) else { continue };
                    let Some(Tree::Apache(config)) = cx.parsed(route.at.file).map(|p| &p.tree) else { continue };
                    let Some(vhost) = vhost_of(config, block) else { continue };
                    Scope::Apache(route.at.file, vhost)
                }
            };
            routes.entry(scope).or_default().push((index, connector));
        }
        let mut reported: HashSet<Span> = HashSet::new();
        for (scope, line, scheme) in lines {
            let Some(found) = routes.get(&scope) else { continue };
            // The first route whose listener has the other scheme.
            let wrong = found.iter().find(|(route, _)| {
                let tls = topology
                    .routes
                    .get(*route)
                    .and_then(|r| topology.frontends.get(r.frontend))
                    .map(|f| f.tls.is_some());
                tls.is_some_and(|tls| (scheme == "https") != tls)
            });
            let Some(&(route, connector)) = wrong else { continue };
            let (Some(route), Some(connector)) = (topology.routes.get(route), topology.connectors.get(connector))
            else {
                continue;
            };
            let Some(app) = topology.apps.get(connector.app) else { continue };
            if !reported.insert(line) {
                continue;
            }
            let actual = if scheme == "https" { "http" } else { "https" };
            let message = format!(
                "`X-Forwarded-Proto` is always `{scheme}`, but this route is served over {actual}, and {} takes its scheme from the header: it builds `{scheme}://` redirects and links for {actual} users",
                app.kind.name()
            );
            let diagnostic = sink.emit(line, format!("always `{scheme}`"), message);
            diagnostic.related(route.at, format!("a route served over {actual}"));
            if let Some(at) = app.forwarded_proto {
                diagnostic.related(at, "reads `X-Forwarded-Proto`");
            }
            if let Some(setting) = connector.scheme {
                diagnostic.related(setting.span, "the connector's scheme");
            }
            diagnostic.help(match scope {
                Scope::Haproxy(_) => "derive it from the connection: `http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]`",
                Scope::Apache(..) => "write the listener's scheme, or derive it: `RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}`",
            });
        }
    }
}

/// Traefik entry points that pass on the client's `X-Forwarded-Proto` (`insecure`), on a
/// route to an app that takes its scheme from it: one finding per setting.
fn trusted_clients(topology: &crate::model::Topology<'_>, sink: &mut Sink<'_>) {
    let trusting: HashMap<usize, Span> = topology.trusting_frontends.iter().copied().collect();
    let mut reported: HashSet<Span> = HashSet::new();
    for (index, route) in topology.routes.iter().enumerate() {
        let Some(&at) = trusting.get(&route.frontend) else { continue };
        let connector = topology.route_links.get(index).copied().flatten().and_then(|c| topology.connectors.get(c));
        let Some(app) = connector.and_then(|c| topology.apps.get(c.app)) else { continue };
        let Some(reads) = app.forwarded_proto else { continue };
        if !reported.insert(at) {
            continue;
        }
        let message = format!(
            "Traefik passes on the `X-Forwarded-Proto` a client sends (`forwardedHeaders.insecure`), and {} takes its scheme from the header: any client chooses the scheme of the redirects and links it is sent",
            app.kind.name()
        );
        sink.emit(at, "clients' headers trusted", message)
            .related(route.at, "a route to the app")
            .related(reads, "reads `X-Forwarded-Proto`")
            .help("trust only the proxies in front of Traefik: `forwardedHeaders.trustedIPs` with their addresses");
    }
}

/// `http` or `https` written as a constant (quotes removed by the parser; case ignored).
fn constant(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "http" => Some("http"),
        "https" => Some("https"),
        _ => None,
    }
}
