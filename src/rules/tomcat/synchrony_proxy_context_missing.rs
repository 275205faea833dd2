//! `synchrony-proxy-context-missing`: Confluence behind a proxy that sends nothing to
//! Synchrony, without the internal Synchrony proxy either.

use foldhash::{HashSet, HashSetExt};

use super::obsolete_attribute::obsolete;
use crate::model::SYNCHRONY_PORT;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::FileId;
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a Confluence `server.xml` (its main `<Context>`'s `docBase` ends in
    /// `confluence`) with no live `<Context>` whose path ends in `/synchrony-proxy`, when the
    /// scanned proxy configuration routes to Confluence but no route sends anything to
    /// Synchrony's port 8091 (a `ProxyPass`, a `balancer://` member, a `RewriteRule [P]`
    /// to `ws://…:8091`, an HAProxy server or an nginx `proxy_pass`). A path written as
    /// `${confluence.context.path}/synchrony-proxy` counts as present. Not judged: a
    /// `server.xml` scanned without any proxy configuration that routes to it, and one of a
    /// Confluence older than Synchrony (before 6.0: the repository installs such a version,
    /// `[versions] tomcat` or the installed Confluence's Tomcat is older than 8, or the file
    /// carries attributes only Tomcat 6 and older read, such as `minProcessors` or `debug`).
    ///
    /// ## Why is this bad?
    /// The browser reaches Synchrony, the collaborative editor's service, either through a
    /// proxy route to port 8091 or through Confluence's internal Synchrony proxy at
    /// `<context path>/synchrony-proxy`. With neither, the editor never loads: pages open
    /// read-only, or show "Trying to connect to Synchrony" until they give up.
    ///
    /// ## Example
    /// ```xml
    /// <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false">
    ///     <Context path="" docBase="../confluence" reloadable="false" useHttpOnly="true"/>
    /// </Host>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false">
    ///     <Context path="" docBase="../confluence" reloadable="false" useHttpOnly="true"/>
    ///     <Context path="${confluence.context.path}/synchrony-proxy" docBase="../synchrony-proxy"
    ///              reloadable="false" useHttpOnly="true"/>
    /// </Host>
    /// ```
    ///
    /// or route `/synchrony` to `http://localhost:8091/synchrony` in the proxy, with
    /// WebSocket upgrades.
    ///
    /// ## References
    /// - Atlassian, "Possible Confluence and Synchrony configurations": the internal
    ///   Synchrony proxy, and the reverse proxy that must support WebSocket connections.
    /// - Atlassian, "Troubleshooting Collaborative Editing".
    pub struct SynchronyProxyContextMissing {
        id: "synchrony-proxy-context-missing",
        summary: "a Confluence `server.xml` without the `/synchrony-proxy` Context behind a proxy that routes to Confluence but sends nothing to Synchrony (port 8091)",
        severity: Warning,
        scope: "tomcat",
        formats: [TomcatServerXml, Apache, Haproxy, Nginx],
    }
}

impl Rule for SynchronyProxyContextMissing {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        if topology.routes.iter().any(|r| r.upstream.port == Some(SYNCHRONY_PORT)) {
            return;
        }
        // The first route to each Confluence app without the internal proxy.
        let mut seen: HashSet<usize> = HashSet::new();
        for (index, route) in topology.routes.iter().enumerate() {
            let Some(connector) = topology.route_links.get(index).copied().flatten() else { continue };
            let Some(app_index) = topology.connectors.get(connector).map(|c| c.app) else { continue };
            let Some(app) = topology.apps.get(app_index) else { continue };
            let Some(proxy) = app.synchrony_proxy.filter(|p| !p.present) else { continue };
            if !seen.insert(app_index) || predates_synchrony(cx, app.file) {
                continue;
            }
            let message = "Confluence has no `/synchrony-proxy` Context and no scanned proxy route sends anything to Synchrony (port 8091): the browser cannot reach the collaborative editor, which never loads";
            sink.emit(proxy.host, "no `<Context path=\".../synchrony-proxy\">` here", message)
                .related(route.at, "the route to Confluence; none goes to Synchrony")
                .help("add `<Context path=\"${confluence.context.path}/synchrony-proxy\" docBase=\"../synchrony-proxy\" reloadable=\"false\" useHttpOnly=\"true\"/>` to this `<Host>`, or route `/synchrony` to `http://localhost:8091/synchrony` with WebSocket upgrades");
        }
    }
}

/// Whether the Confluence of `file` is older than Synchrony (Confluence 6.0, which ships
/// Tomcat 8): as the repository pins it, as `[versions] tomcat` says, or as the file's
/// attributes of Tomcat 6 and older tell.
fn predates_synchrony(cx: &Context<'_>, file: FileId) -> bool {
    if cx.settings.config.version("tomcat").is_some_and(|(major, _)| major < 8) {
        return true;
    }
    let Some(parsed) = cx.parsed(file) else { return false };
    if let Some(bundled) = parsed.source.bundled() {
        let major = bundled.version.split('.').next().and_then(|m| m.trim().parse::<u32>().ok());
        if bundled.tomcat.0 < 8 || (bundled.product == "Confluence" && major.is_some_and(|m| m < 6)) {
            return true;
        }
    }
    let Tree::ServerXml(doc) = &parsed.tree else { return false };
    doc.elements
        .iter()
        .any(|element| element.attributes.iter().any(|a| obsolete(element.name, &a.name).is_some_and(|o| o.last <= 6)))
}
