//! `identity-header-spoofable`: a proxy that sets the header an application trusts for the
//! user's identity, in a way that lets the client's own copy through.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::{ProxyKind, Route};
use crate::rules::queries::apache_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::haproxy::{Section, Statement};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a proxy that sets an identity header (`X-Forwarded-User`, `X-Remote-User`,
    /// `Remote-User`, `X-Auth-User`, `X-WEBAUTH-USER`, ... and those `identity-headers`
    /// lists in the config file) for a route to a linked application in a way that lets a
    /// header of that name sent by the client reach the application:
    /// - HAProxy: `http-request add-header H`, or `http-request set-header H ... if|unless`
    ///   with no unconditional `del-header H` or `set-header H` before it (the frontend's
    ///   rules, then the backend's, in file order);
    /// - Apache: `RequestHeader add|append|merge|setifempty H`, or `RequestHeader set H`
    ///   with `env=` or `expr=` and no unconditional `RequestHeader set H` or `unset H` in the
    ///   same virtual host (or the server config); or a `RequestHeader set H` that stands only
    ///   inside a `<Location P>`, `<LocationMatch>` or `<If>` while the virtual host proxies
    ///   paths outside it to the same application and nothing unsets `H` there.
    ///
    /// Unconditional `set-header`/`RequestHeader set` (which replace whatever the client
    /// sent, `<Location />` included), response headers and `X-Forwarded-For`/`-Proto`/`-Host`/`-Port` are not
    /// flagged.
    ///
    /// ## Why is this bad?
    /// Header-based single sign-on trusts the header to name the authenticated user. When the
    /// proxy adds its value next to the client's, or sets it only sometimes, a client that
    /// sends `X-Remote-User: admin` itself logs in as `admin`.
    ///
    /// ## Example
    /// ```haproxy
    /// backend jira
    ///     http-request set-header X-Remote-User %[var(txn.user)] if { var(txn.user) -m found }
    ///     server jira 127.0.0.1:8080
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// backend jira
    ///     http-request del-header X-Remote-User
    ///     http-request set-header X-Remote-User %[var(txn.user)] if { var(txn.user) -m found }
    ///     server jira 127.0.0.1:8080
    /// ```
    ///
    /// ## References
    /// - resolution, "HTTP Header Authentication": the proxy must always overwrite the header;
    ///   passing the client's value through "is a massive security issue".
    pub struct IdentityHeaderSpoofable {
        id: "identity-header-spoofable",
        summary: "a proxy that sets an identity header (`X-Remote-User`, `X-Forwarded-User`, ...) for a route to a linked app while the client's own copy can still reach the app",
        severity: Error,
        scope: "security",
        formats: [Haproxy, Apache],
    }
}

/// Headers that carry the authenticated user's identity (compared without case).
const IDENTITY: [&str; 12] = [
    "x-forwarded-user",
    "x-forwarded-email",
    "x-forwarded-preferred-username",
    "x-remote-user",
    "remote-user",
    "remote_user",
    "x-auth-user",
    "x-authenticated-user",
    "x-webauth-user",
    "x-auth-request-user",
    "x-auth-request-email",
    "x_forwarded_user",
];

impl Rule for IdentityHeaderSpoofable {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let extra: Vec<String> = cx.settings.config.identity_headers.iter().map(|h| h.to_ascii_lowercase()).collect();
        let identity = |name: &str| {
            let name = name.to_ascii_lowercase();
            IDENTITY.contains(&name.as_str()) || extra.contains(&name)
        };
        let topology = cx.topology();
        let linked: Vec<&Route> = topology
            .routes
            .iter()
            .enumerate()
            .filter(|(i, _)| topology.route_links.get(*i).copied().flatten().is_some())
            .map(|(_, r)| r)
            .collect();
        haproxy(cx, sink, &linked, &identity);
        apache(cx, sink, &linked, &identity);
    }
}

fn haproxy(cx: &Context<'_>, sink: &mut Sink<'_>, linked: &[&Route], identity: &dyn Fn(&str) -> bool) {
    let mut said: HashSet<Span> = HashSet::new();
    for route in linked {
        let Some(details) = route.haproxy else { continue };
        let Some(file) = cx.parsed(details.frontend_header.file) else { continue };
        let Tree::Haproxy(config) = &file.tree else { continue };
        let section = |header: Span| config.sections.iter().find(|s| s.header == header);
        let (Some(frontend), Some(backend)) = (section(details.frontend_header), section(details.backend_header))
        else {
            continue;
        };
        let sections: Vec<&Section<'_>> =
            if frontend.header == backend.header { vec![frontend] } else { vec![frontend, backend] };
        // The request rules in the order HAProxy runs them, and the headers replaced or
        // deleted unconditionally so far.
        let mut cleared: HashSet<String> = HashSet::new();
        for line in sections.iter().flat_map(|s| s.find(&["http-request"])) {
            let Some((action, name)) = header_action(line) else { continue };
            let lower = name.text.to_ascii_lowercase();
            let conditional = line.condition().is_some();
            match action.as_str() {
                "del-header" | "set-header" if !conditional => {
                    cleared.insert(lower);
                    continue;
                }
                "add-header" if identity(name.text) => {}
                "set-header" if identity(name.text) && !cleared.contains(&lower) => {}
                _ => continue,
            }
            if name.unknown || !said.insert(line.span) {
                continue;
            }
            let message = match action.as_str() {
                "add-header" => format!(
                    "`http-request add-header {}` adds the proxy's value beside any the client sent: a client that sends `{}` itself chooses who it is",
                    name.text, name.text
                ),
                _ => format!(
                    "`http-request set-header {}` only replaces the client's value when its condition holds, and nothing deletes it before: a client that sends `{}` itself chooses who it is",
                    name.text, name.text
                ),
            };
            sink.emit(line.span, "client's value gets through", message)
                .related(route.at, "the route to the app")
                .help(format!("put `http-request del-header {}` before it (unconditionally)", name.text));
        }
    }
}

/// `http-request add-header|set-header|del-header NAME`: the action and the name.
fn header_action<'s>(line: &'s Statement<'_>) -> Option<(String, crate::syntax::words::WordRef<'s>)> {
    let args = line.args();
    let action = args.first()?.text.to_ascii_lowercase();
    if !matches!(action.as_str(), "add-header" | "set-header" | "del-header") {
        return None;
    }
    Some((action, args.get(1)?))
}

fn apache(cx: &Context<'_>, sink: &mut Sink<'_>, linked: &[&Route], identity: &dyn Fn(&str) -> bool) {
    let topology = cx.topology();
    for config in apache_configs(cx.files) {
        let vhosts =
            config.per_block(None, |outer, index, block| if block.is("VirtualHost") { Some(index) } else { outer });
        let vhost_of = |block: Option<usize>| block.and_then(|b| vhosts.get(b).copied().flatten());
        // Per virtual host (`None`: the server config), the identity headers an
        // unconditional `RequestHeader set` or `unset` replaces.
        let mut cleared: HashMap<Option<usize>, HashSet<String>> = HashMap::new();
        let mut candidates = Vec::new();
        for directive in config.directives.iter().filter(|d| !d.skipped && d.is("RequestHeader")) {
            let args = directive.args();
            let (Some(action), Some(name)) = (args.first(), args.get(1)) else { continue };
            if name.unknown || !identity(name.text) {
                continue;
            }
            let action = action.text.to_ascii_lowercase();
            let conditional = args.iter().skip(2).any(|a| {
                let a = a.text.to_ascii_lowercase();
                a.starts_with("env=") || a.starts_with("expr=")
            });
            let vhost = vhost_of(directive.block());
            let scope = path_scope(config, directive.block());
            match action.as_str() {
                "unset" | "set" if !conditional && scope.is_none() => {
                    cleared.entry(vhost).or_default().insert(name.text.to_ascii_lowercase());
                }
                // An unset inside a `<Location>` clears the header there only.
                "unset" => {}
                "add" | "append" | "merge" | "setifempty" | "set" => {
                    candidates.push((directive, action, name, vhost, scope));
                }
                _ => {}
            }
        }
        for (directive, action, name, vhost, scope) in candidates {
            let lower = name.text.to_ascii_lowercase();
            let covered = |v: Option<usize>| cleared.get(&v).is_some_and(|c| c.contains(&lower));
            if action == "set" && (covered(vhost) || covered(None)) {
                continue;
            }
            let conditional = directive.args().iter().skip(2).any(|a| {
                let a = a.text.to_ascii_lowercase();
                a.starts_with("env=") || a.starts_with("expr=")
            });
            if let (Some(scope), "set", false) = (&scope, action.as_str(), conditional) {
                scoped_set(cx, sink, directive, name, vhost.and_then(|v| config.blocks.get(v)).map(|b| b.span), scope);
                continue;
            }
            // A route to a linked app through this virtual host (or, from the server config,
            // through this file).
            let file = directive.span.file;
            let host_span = vhost.and_then(|v| config.blocks.get(v)).map(|b| b.span);
            let route = linked.iter().find(|r| {
                let Some(frontend) = topology.frontends.get(r.frontend) else { return false };
                frontend.kind == ProxyKind::Apache
                    && frontend.at.file == file
                    && host_span.is_none_or(|span| frontend.at == span)
            });
            let Some(route) = route else { continue };
            let message = match action.as_str() {
                "set" => format!(
                    "`RequestHeader set {}` applies only when its condition holds, and nothing unsets the header otherwise: a client that sends `{}` itself chooses who it is",
                    name.text, name.text
                ),
                "setifempty" => format!(
                    "`RequestHeader setifempty {}` keeps the client's value when it sends one: a client that sends `{}` itself chooses who it is",
                    name.text, name.text
                ),
                _ => format!(
                    "`RequestHeader {action} {}` keeps the client's value beside the proxy's: a client that sends `{}` itself chooses who it is",
                    name.text, name.text
                ),
            };
            sink.emit(directive.span, "client's value gets through", message)
                .related(route.at, "the route to the app")
                .help(format!(
                    "put `RequestHeader unset {} early` first, or use an unconditional `RequestHeader set`",
                    name.text
                ));
        }
    }
}

/// Where a container limits a directive to some requests: a `<Location>` or
/// `<LocationMatch>` (its path, or the literal start of its pattern), or an `<If>`-like
/// condition (`None`). `<Location />` limits nothing.
#[derive(Debug)]
struct PathScope {
    container: String,
    prefix: Option<String>,
}

/// The innermost container below the virtual host that limits a directive to some requests.
fn path_scope(config: &crate::syntax::apache::Config<'_>, block: Option<usize>) -> Option<PathScope> {
    for container in config.ancestors(block) {
        if container.is("VirtualHost") {
            return None;
        }
        let argument = container.args().first().map(|a| a.text.to_string()).unwrap_or_default();
        let shown = format!("<{} {argument}>", container.name().text);
        if container.is("Location") {
            let path = argument.trim_end_matches('/').to_string();
            if path.is_empty() {
                return None;
            }
            return Some(PathScope { container: shown, prefix: Some(path) });
        }
        if container.is("LocationMatch") {
            let literal: String = argument
                .trim_start_matches('^')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
                .collect();
            let literal = literal.trim_end_matches('/').to_string();
            return Some(PathScope { container: shown, prefix: (!literal.is_empty()).then_some(literal) });
        }
        if container.is("If") || container.is("ElseIf") || container.is("Else") {
            return Some(PathScope { container: shown, prefix: None });
        }
    }
    None
}

/// An unconditional `RequestHeader set` inside a `<Location>` or `<If>`: flagged when the
/// same virtual host proxies requests outside it to an app that a route inside it reaches.
fn scoped_set(
    cx: &Context<'_>,
    sink: &mut Sink<'_>,
    directive: &crate::syntax::apache::Directive<'_>,
    name: crate::syntax::words::WordRef<'_>,
    host: Option<Span>,
    scope: &PathScope,
) {
    let topology = cx.topology();
    let under = |public: &str| match &scope.prefix {
        Some(prefix) => public == prefix || public.strip_prefix(prefix.as_str()).is_some_and(|r| r.starts_with('/')),
        None => false,
    };
    // The linked routes of this virtual host with their apps.
    let routes: Vec<(&Route, usize)> = topology
        .routes
        .iter()
        .enumerate()
        .filter_map(|(i, route)| {
            let connector = topology.route_links.get(i).copied().flatten()?;
            let frontend = topology.frontends.get(route.frontend)?;
            let here = frontend.kind == ProxyKind::Apache
                && frontend.at.file == directive.span.file
                && host.is_none_or(|span| frontend.at == span);
            here.then_some((route, topology.connectors.get(connector)?.app))
        })
        .collect();
    // Apps reached inside the container: by a route under its path, or one whose path
    // contains it (`ProxyPass /` serves `<Location /secure>` too).
    let inside: HashSet<usize> = routes
        .iter()
        .filter(|(route, _)| {
            let public = route.public.as_deref().unwrap_or("");
            match &scope.prefix {
                Some(prefix) => under(public) || prefix.starts_with(public),
                None => true,
            }
        })
        .map(|(_, app)| *app)
        .collect();
    let outside = routes.iter().find(|(route, app)| {
        inside.contains(app) && route.public.as_deref().is_some_and(|public| scope.prefix.is_none() || !under(public))
    });
    let Some((route, _)) = outside else { return };
    let message = format!(
        "`RequestHeader set {}` applies only inside `{}`, but this virtual host proxies other requests to the same app, where nothing removes the client's copy: a client that sends `{}` itself chooses who it is",
        name.text, scope.container, name.text
    );
    sink.emit(directive.span, "only inside this container", message)
        .related(route.at, "a route outside it")
        .help(format!("add `RequestHeader unset {} early` to the virtual host, outside the container", name.text));
}
