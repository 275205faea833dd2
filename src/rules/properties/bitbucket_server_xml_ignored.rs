//! `bitbucket-server-xml-ignored`: a `server.xml` in a Bitbucket 5+ home, where it does nothing.

use foldhash::{HashMap, HashMapExt};
use std::path::Path;

use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::source::Span;
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags a `shared/server.xml` next to a `shared/bitbucket.properties`: the home of a
    /// Bitbucket 5 or later, which configures its embedded Tomcat from `server.*` keys.
    ///
    /// ## Why is this bad?
    /// Bitbucket 5 and later never read `server.xml`. Proxy settings kept there after an
    /// upgrade (proxyName, scheme, secure) are silently gone, and the file misleads whoever
    /// reads it next.
    ///
    /// ## Example
    /// ```text
    /// /var/atlassian/application-data/bitbucket/shared/bitbucket.properties
    /// /var/atlassian/application-data/bitbucket/shared/server.xml
    /// ```
    ///
    /// Use instead:
    /// ```properties
    /// # shared/bitbucket.properties, with the settings server.xml used to hold
    /// server.proxy-name=git.example.com
    /// server.proxy-port=443
    /// server.scheme=https
    /// server.secure=true
    /// ```
    pub struct BitbucketServerXmlIgnored {
        id: "bitbucket-server-xml-ignored",
        summary: "a `shared/server.xml` next to a `shared/bitbucket.properties`",
        severity: Warning,
        scope: "properties",
        formats: [TomcatServerXml, BitbucketProperties],
    }
}

fn shared_dir(path: &Path) -> Option<&Path> {
    let dir = path.parent()?;
    (dir.file_name()? == "shared").then_some(dir)
}

impl Rule for BitbucketServerXmlIgnored {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let mut properties: HashMap<&Path, Span> = HashMap::new();
        for file in cx.files {
            let Tree::Properties(props) = &file.tree else {
                continue;
            };
            let Some(dir) = shared_dir(file.source.path()) else {
                continue;
            };
            let at = props.entries.first().map_or(Span::file_start(file.source.id()), |e| e.name_span);
            properties.insert(dir, at);
        }
        for file in cx.files {
            let Tree::ServerXml(doc) = &file.tree else {
                continue;
            };
            let Some(dir) = shared_dir(file.source.path()) else {
                continue;
            };
            let Some(&properties_at) = properties.get(dir) else {
                continue;
            };
            let at = doc.elements.first().map_or(Span::file_start(file.source.id()), |e| e.name_span);
            sink.emit(at, "never read", "Bitbucket 5+ ignores `shared/server.xml`; its settings have no effect")
                .related(properties_at, "Bitbucket reads its connector settings here")
                .help("move the connector settings to `server.*` keys in bitbucket.properties and delete server.xml");
        }
    }
}
