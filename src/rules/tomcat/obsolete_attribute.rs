//! `obsolete-attribute`: an attribute that an older Tomcat read and today's ignores.

use crate::defaults::bundled::Bundled;
use crate::diagnostic::Applicability;
use crate::diagnostic::Severity;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};
use crate::source::SourceFile;
use crate::syntax::server_xml::Element;
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Notes an attribute that an older Tomcat read and Tomcat 7 and later ignore, as
    /// Atlassian's own `server.xml` of past years carries them: `debug`,
    /// `useURIValidationHack`, `maxSpareThreads`, `minProcessors`/`maxProcessors`, and
    /// `compressableMimeType` (renamed `compressibleMimeType`; read until Tomcat 8.5). The
    /// Tomcat version comes from `[versions] tomcat` in `.atl-lint.toml`, else from the Tomcat
    /// or application version the repository's defaults install (`tomcat_version: 8.5.99`;
    /// `jira_version: 7.12.1`, which ships Tomcat 8.5 as `grammar/atlassian-tomcat.txt`
    /// records): an attribute that version
    /// still reads is not noted, and one it ignores where something is lost is a warning. One case is a warning whatever the version: `maxProcessors` without
    /// `maxThreads`, where the intended cap on request threads is silently replaced by
    /// Tomcat's default of 200.
    ///
    /// ## Why is this bad?
    /// Mostly it is not: Tomcat logs that it could not set the property and goes on. But the
    /// file says something that is not so, and where the old name carried a limit (a thread
    /// cap, the types to compress) that limit is gone.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8090" minProcessors="5" maxProcessors="75" debug="0"
    ///            useURIValidationHack="false" protocol="HTTP/1.1"/>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8090" maxThreads="75" protocol="HTTP/1.1"/>
    /// ```
    pub struct ObsoleteAttribute {
        id: "obsolete-attribute",
        summary: "an attribute that an older Tomcat read and Tomcat 7 and later ignore (`debug`, `maxProcessors`, `compressableMimeType`, ...)",
        severity: Info,
        scope: "tomcat",
        formats: [TomcatServerXml],
    }
}

/// An attribute older Tomcats read: the elements it stood on, the last Tomcat major version
/// that read it, and what to say of it.
pub(super) struct Obsolete {
    /// The attribute.
    pub name: &'static str,
    /// The elements it was read on.
    pub elements: &'static [&'static str],
    /// The last major version that read it.
    pub last: u32,
    /// The first version that ignores it, as Tomcat numbers it.
    pub since: &'static str,
    /// Why it is gone, and what replaces it.
    pub why: &'static str,
}

/// Attributes of Atlassian's `server.xml` templates of the Tomcat 4 to 8 era.
pub(super) const OBSOLETE: [Obsolete; 6] = [
    Obsolete {
        name: "debug",
        elements: &["Connector", "Context"],
        last: 5,
        since: "5.5",
        why: "logging is set in Tomcat's logging configuration",
    },
    Obsolete {
        name: "useURIValidationHack",
        elements: &["Connector"],
        last: 6,
        since: "7",
        why: "a setting of Tomcat 4's connector",
    },
    Obsolete {
        name: "maxSpareThreads",
        elements: &["Connector"],
        last: 6,
        since: "7",
        why: "the thread pool shrinks by itself",
    },
    Obsolete {
        name: "minProcessors",
        elements: &["Connector"],
        last: 6,
        since: "7",
        why: "Tomcat 4's name, replaced by `minSpareThreads`",
    },
    Obsolete {
        name: "maxProcessors",
        elements: &["Connector"],
        last: 6,
        since: "7",
        why: "Tomcat 4's name, replaced by `maxThreads`",
    },
    Obsolete {
        name: "compressableMimeType",
        elements: &["Connector"],
        last: 8,
        since: "9",
        why: "the old spelling of `compressibleMimeType`, read until Tomcat 8.5",
    },
];

/// The obsolete attribute `name` is on `element`, if it is one.
pub(super) fn obsolete(element: &str, name: &str) -> Option<&'static Obsolete> {
    OBSOLETE.iter().find(|o| o.name.eq_ignore_ascii_case(name) && o.elements.contains(&element))
}

/// The Tomcat major version a file targets: the config file's (`[versions] tomcat = "8.5"`),
/// else the one the application version its repository installs ships, with where that
/// version is pinned.
fn pinned<'f>(cx: &Context<'_>, source: &'f SourceFile) -> Option<(u32, Option<&'f Bundled>)> {
    if let Some((major, _)) = cx.settings.config.version("tomcat") {
        return Some((major, None));
    }
    source.bundled().map(|bundled| (bundled.tomcat.0, Some(bundled)))
}

/// `maxProcessors` where no `maxThreads` takes its place: the cap it meant is lost.
fn cap_lost(element: &Element<'_>, name: &str) -> bool {
    name.eq_ignore_ascii_case("maxProcessors") && element.attr("maxThreads").is_none()
}

impl Rule for ObsoleteAttribute {
    fn version_dependent(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for file in cx.files {
            let Tree::ServerXml(doc) = &file.tree else { continue };
            let (pinned, bundled) = pinned(cx, file.source).unzip();
            let bundled = bundled.flatten();
            for element in &doc.elements {
                for attribute in &element.attributes {
                    let name = attribute.name.as_ref();
                    let Some(old) = obsolete(element.name, name) else { continue };
                    if pinned.is_some_and(|version| version <= old.last) {
                        continue;
                    }
                    let message = format!("`{name}` has had no effect since Tomcat {}: {}", old.since, old.why);
                    let lost = cap_lost(element, name) || (pinned.is_some() && old.last >= 7);
                    let finding = sink.emit(attribute.name_span, "obsolete", message);
                    if lost {
                        finding.severity = Severity::Warning;
                    }
                    if let Some(bundled) = bundled {
                        let (major, minor) = bundled.tomcat;
                        let label = match bundled.product {
                            "Tomcat" => format!("the repository installs Tomcat {}", bundled.version),
                            product => format!(
                                "the repository installs {product} {}, which ships Tomcat {major}.{minor}",
                                bundled.version
                            ),
                        };
                        finding.related(bundled.origin.span, label);
                    }
                    // What the help names exactly: the new name, or nothing.
                    let fix = match name.to_ascii_lowercase().as_str() {
                        "maxprocessors" => {
                            finding.help("set `maxThreads` to the cap you meant (Tomcat's default is 200)");
                            None
                        }
                        "minprocessors" => {
                            finding.help("remove it, or set `minSpareThreads`");
                            None
                        }
                        "compressablemimetype" => {
                            finding.help("rename it `compressibleMimeType`");
                            let taken = element.attr("compressibleMimeType").is_some();
                            let edit =
                                (!taken).then(|| fixes::replace(cx, attribute.name_span, "compressibleMimeType"));
                            fixes::fix(cx, "rename it `compressibleMimeType`", Applicability::Safe, edit.flatten())
                        }
                        _ => {
                            finding.help("remove it");
                            let edit = fixes::remove_attribute(cx, attribute);
                            fixes::fix(cx, format!("remove `{name}`"), Applicability::Safe, edit)
                        }
                    };
                    finding.fix(fix);
                }
            }
        }
    }
}
