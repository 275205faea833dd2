//! `unknown-attribute`: an attribute Tomcat does not know on `<Connector>`, `<Context>`,
//! `<SSLHostConfig>` or `<Certificate>`.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::OnceLock;

use crate::diagnostic::Applicability;
use crate::rules::{declare_rule, fixes, nearest, Context, Rule, Sink};
use crate::syntax::server_xml::Element;
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags an attribute of `<Connector>`, `<Context>`, `<SSLHostConfig>` or `<Certificate>`
    /// that Tomcat (9.0 or 10.1) does not know, and suggests the nearest known name. AJP
    /// connectors and connectors whose `protocol` is a class outside Tomcat are not judged:
    /// they accept attributes of their own.
    ///
    /// ## Why is this bad?
    /// Tomcat does not stop on an unknown attribute: it logs "failed to set property" and
    /// goes on without it. A misspelt `proxyNmae` or `secrue` leaves the proxy settings
    /// unset while the file looks right. Attributes older Tomcats read (`debug`,
    /// `maxProcessors`, `compressableMimeType`) are `obsolete-attribute`'s.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" proxyNmae="jira.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" proxyName="jira.example.com" proxyPort="443" scheme="https" secure="true"/>
    /// ```
    pub struct UnknownAttribute {
        id: "unknown-attribute",
        summary: "an attribute of `<Connector>`, `<Context>`, `<SSLHostConfig>` or `<Certificate>` that Tomcat (9.0 or 10.1) does not know, and suggests the nearest known name",
        severity: Warning,
        scope: "tomcat",
        formats: [TomcatServerXml],
    }
}

/// Element name to its known attributes, from `grammar/tomcat-attributes.txt`.
fn table() -> &'static HashMap<&'static str, HashSet<&'static str>> {
    static TABLE: OnceLock<HashMap<&'static str, HashSet<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut section = "";
        for line in include_str!("../../../grammar/tomcat-attributes.txt").lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            table.entry(section).or_default().insert(line);
        }
        table
    })
}

/// Tomcat capitalises the first letter to find the setter: `ProxyName` is `proxyName`.
fn is_known(known: &HashSet<&str>, name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    let rest = chars.as_str();
    let flipped = |c: char| if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
    known.contains(name) || known.contains(format!("{}{rest}", flipped(first)).as_str())
}

/// Connectors atl-lint can judge: HTTP connectors of Tomcat's own protocol handlers.
fn judged_connector(element: &Element<'_>) -> bool {
    let Some(protocol) = element.attr("protocol") else {
        return true;
    };
    let Some(protocol) = protocol.value.known() else {
        return false;
    };
    protocol.starts_with("HTTP/")
        || (protocol.starts_with("org.apache.coyote.http11.") || protocol.starts_with("org.apache.coyote.http2."))
}

impl Rule for UnknownAttribute {
    fn version_dependent(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let table = table();
        for file in cx.files {
            let Tree::ServerXml(doc) = &file.tree else {
                continue;
            };
            for element in &doc.elements {
                let Some(known) = table.get(element.name) else {
                    continue;
                };
                if element.name == "Connector" && !judged_connector(element) {
                    continue;
                }
                for attribute in &element.attributes {
                    let name = attribute.name.as_ref();
                    // What older Tomcats read is `obsolete-attribute`'s.
                    let obsolete = super::obsolete_attribute::obsolete(element.name, name).is_some();
                    if is_known(known, name) || obsolete || name.contains(':') || crate::syntax::is_unknown(name) {
                        continue;
                    }
                    let case_match = known.iter().find(|k| k.eq_ignore_ascii_case(name)).copied();
                    let suggestion = case_match.or_else(|| nearest(name, known.iter().copied(), 3).into_iter().next());
                    let message = format!("`<{}>` has no attribute `{name}`; Tomcat ignores it", element.name);
                    let diagnostic = sink.emit(attribute.name_span, "unknown attribute", message);
                    match suggestion {
                        Some(s) => {
                            // A name differing only in case is the one meant; a spelling
                            // suggestion may not be.
                            let applicability =
                                if case_match.is_some() { Applicability::Safe } else { Applicability::Unsafe };
                            let taken = element.attr(s).is_some();
                            let edit = (!taken).then(|| fixes::replace(cx, attribute.name_span, s)).flatten();
                            diagnostic.help(format!("did you mean `{s}`?")).fix(fixes::fix(
                                cx,
                                format!("rename it `{s}`"),
                                applicability,
                                edit,
                            ))
                        }
                        None => diagnostic.help("remove it, or check the attribute list of your Tomcat version"),
                    };
                }
            }
        }
    }
}
