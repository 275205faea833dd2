//! `request-header-limit-mismatch`: a proxy that accepts request headers larger than the
//! application's connector, or an Apache header limit too small for the applications.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::model::{Connector, Style};
use crate::rules::queries::ServerSettings;
use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::{FileId, Span};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a route to a linked application where the proxy accepts request headers larger
    /// than the application's connector does (`maxHttpHeaderSize`, 8192 bytes by default;
    /// Bitbucket's `server.max-http-header-size`, 8 KB by default):
    /// - Apache: a `LimitRequestFieldSize` or `LimitRequestLine` set in the route's virtual
    ///   host, else in the server configuration (the route's file or another file of its
    ///   include tree), above the connector's limit;
    /// - HAProxy: a `tune.bufsize` set in `global`, less `tune.maxrewrite` (set, else
    ///   1024), above the connector's limit.
    ///
    /// Also flags an Apache `LimitRequestFieldSize` or `LimitRequestLine` below 4096 on a
    /// route to an application. Limits left at the proxy's default (Apache's 8190, HAProxy's
    /// 16384 buffer) are not judged, nor template values.
    ///
    /// ## Why is this bad?
    /// Kerberos and SAML single sign-on put large tokens in the `Authorization` header and
    /// cookies; users in many groups exceed 8 KB. An administrator who raises the limit at
    /// the proxy only moves the failure: Tomcat answers "400 Request header is too large"
    /// and the login fails for exactly those users. Limits below 4 KB (the CIS hardening
    /// values of 1024 and 512) refuse long Jira JQL URLs and Atlassian's cookies.
    ///
    /// ## Example
    /// ```apache
    /// <VirtualHost *:443>
    ///     LimitRequestFieldSize 65536
    ///     ProxyPass / http://localhost:8080/
    /// </VirtualHost>
    /// ```
    ///
    /// with `<Connector port="8080" protocol="HTTP/1.1"/>` in Jira's `server.xml`.
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" protocol="HTTP/1.1" maxHttpHeaderSize="65536"/>
    /// ```
    ///
    /// ## References
    /// - Jespa, "Increase the header size": raise Tomcat's `maxHttpHeaderSize` for users in
    ///   many groups.
    /// - CIS Apache HTTP Server 2.4 Benchmark, Level 2, 10.1 and 10.3.
    pub struct RequestHeaderLimitMismatch {
        id: "request-header-limit-mismatch",
        summary: "a proxy that accepts request headers larger than the linked connector's `maxHttpHeaderSize` (Apache `LimitRequestFieldSize`/`LimitRequestLine`, HAProxy `tune.bufsize`), or an Apache limit below 4096",
        severity: Warning,
        scope: "connector",
        formats: [Apache, Haproxy, TomcatServerXml, BitbucketProperties],
    }
}

/// Tomcat's and Bitbucket's default header limit.
const CONNECTOR_DEFAULT: u64 = 8192;
/// Below this, Apache's limits refuse ordinary Atlassian requests.
const APACHE_FLOOR: u64 = 4096;
const APACHE_NAMES: [&str; 2] = ["LimitRequestFieldSize", "LimitRequestLine"];

/// A proxy limit as written: its value in bytes, the directive, and its text.
#[derive(Clone, Debug)]
struct Limit {
    bytes: u64,
    span: Span,
    shown: String,
}

impl Rule for RequestHeaderLimitMismatch {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let topology = cx.topology();
        let mut apache = ServerSettings::new(&APACHE_NAMES);
        let mut haproxy: HashMap<FileId, Option<Limit>> = HashMap::new();
        let mut reported: HashSet<(Span, Span)> = HashSet::new();
        let mut too_small: HashSet<Span> = HashSet::new();
        for (index, route) in topology.routes.iter().enumerate() {
            let Some(connector) = topology.route_links.get(index).copied().flatten() else { continue };
            let Some(connector) = topology.connectors.get(connector) else { continue };
            if connector.ajp {
                continue;
            }
            let limits: Vec<Limit> = if let Some(details) = route.haproxy {
                let file = details.frontend_header.file;
                haproxy.entry(file).or_insert_with(|| haproxy_limit(cx, file)).iter().cloned().collect()
            } else if route.nginx.is_none() {
                apache.at(cx, route.at).into_iter().flatten().filter_map(apache_limit).collect()
            } else {
                continue;
            };
            if limits.is_empty() {
                continue;
            }
            let Some((accepted, setting)) = connector_limit(connector) else { continue };
            for limit in &limits {
                if route.haproxy.is_none() && limit.bytes < APACHE_FLOOR {
                    if too_small.insert(limit.span) {
                        let what = match limit.shown.to_ascii_lowercase().contains("limitrequestline") {
                            true => "request lines",
                            false => "header fields",
                        };
                        let message = format!(
                            "{} refuses {what} over {} bytes on a route to an Atlassian application: long JQL searches, SSO tokens and the applications' cookies exceed it and get 400 or 413",
                            limit.shown, limit.bytes
                        );
                        sink.emit(limit.span, "below 4096", message).related(route.at, "the route").help(
                            "set it to 8190 (Apache's default) or more, matching the connector's `maxHttpHeaderSize`",
                        );
                    }
                    continue;
                }
                if limit.bytes <= accepted {
                    continue;
                }
                let at = setting.unwrap_or(connector.at);
                if !reported.insert((at, limit.span)) {
                    continue;
                }
                let attribute = match &connector.style {
                    Style::Tomcat => "maxHttpHeaderSize".to_string(),
                    Style::Spring(prefix) => format!("{prefix}max-http-header-size"),
                    Style::Env(family) => {
                        crate::model::containers::setting_variable(*family, "max-header-size").to_string()
                    }
                };
                let (label, said) = match setting {
                    Some(_) => (format!("accepts {accepted} bytes"), format!("`{attribute}` is {accepted}")),
                    None => (
                        format!("{accepted} bytes by default"),
                        format!("`{attribute}` is not set, so it accepts {accepted} bytes"),
                    ),
                };
                let message = format!(
                    "the proxy accepts request headers of up to {} bytes ({}) but this connector's {said}: users with large SSO or Kerberos headers pass the proxy and get Tomcat's \"400 Request header is too large\"",
                    limit.bytes, limit.shown
                );
                let help = match connector.style {
                    Style::Tomcat => format!("set `maxHttpHeaderSize=\"{}\"` on the connector", limit.bytes),
                    Style::Spring(_) => format!("set `{attribute}={}` in bitbucket.properties", limit.bytes),
                    Style::Env(_) => format!("set `{attribute}={}` in the service's environment", limit.bytes),
                };
                sink.emit(at, label, message).related(limit.span, "the proxy's limit").help(help);
            }
        }
    }
}

/// The header limit a connector accepts, and its setting (`None`: the default); `None`
/// when the value cannot be read.
fn connector_limit(connector: &Connector<'_>) -> Option<(u64, Option<Span>)> {
    let Some(setting) = connector.max_header_size else { return Some((CONNECTOR_DEFAULT, None)) };
    let text = setting.value.known()?.trim();
    let bytes = match connector.style {
        Style::Tomcat | Style::Env(crate::model::containers::Family::Tomcat) => text.parse().ok()?,
        Style::Spring(_) | Style::Env(crate::model::containers::Family::Spring) => data_size(text)?,
    };
    Some((bytes, Some(setting.span)))
}

/// A Spring Boot data size: bytes, or a number with `B`, `KB`, `MB` or `GB`.
fn data_size(text: &str) -> Option<u64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number: u64 = text.get(..digits)?.parse().ok()?;
    let scale: u64 = match text.get(digits..)?.trim() {
        "" | "B" => 1,
        "KB" => 1 << 10,
        "MB" => 1 << 20,
        "GB" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(scale)
}

/// The HAProxy header room of a file: `tune.bufsize` as set in `global`, less
/// `tune.maxrewrite` (set, else 1024).
fn haproxy_limit(cx: &Context<'_>, file: FileId) -> Option<Limit> {
    let Tree::Haproxy(config) = &cx.parsed(file)?.tree else { return None };
    let global = config.sections.iter().filter(|s| s.kind() == "global");
    let value = |words: &'static [&'static str]| {
        global.clone().flat_map(|s| s.find(words)).last().and_then(|line| {
            let value = line.args().first().filter(|v| !v.unknown)?;
            Some((value.text.parse::<u64>().ok()?, line.span, value.text.to_string()))
        })
    };
    let (bufsize, span, shown) = value(&["tune.bufsize"])?;
    let (maxrewrite, how) = value(&["tune.maxrewrite"]).map_or((1024, "its default"), |(bytes, _, _)| (bytes, "set"));
    let shown = format!("`tune.bufsize {shown}` less `tune.maxrewrite` ({how} {maxrewrite})");
    Some(Limit { bytes: bufsize.saturating_sub(maxrewrite), span, shown })
}

/// A `LimitRequestFieldSize`/`LimitRequestLine` directive's value.
fn apache_limit(directive: &crate::syntax::apache::Directive<'_>) -> Option<Limit> {
    let value = directive.args().first().filter(|v| !v.unknown)?;
    let bytes = value.text.trim().parse().ok()?;
    Some(Limit { bytes, span: directive.span, shown: format!("`{} {}`", directive.name().text, value.text) })
}
