//! Rules about Tomcat's `server.xml` as Tomcat reads it, beyond the connectors' proxy settings.

pub mod connector_relaxed_chars_missing;
pub mod obsolete_attribute;
pub mod synchrony_proxy_context_missing;
pub mod unknown_attribute;

use crate::rules::Context;
use crate::source::{FileId, Span};

/// The Tomcat a file runs on, as far as the run knows it: `[versions] tomcat`, else the
/// Tomcat the repository installs (its own version, or the line the application version
/// ships). The major and minor version, the patch level when known, and where the
/// repository pins it with what it says.
pub(crate) struct TomcatRelease {
    pub major: u32,
    pub minor: u32,
    pub patch: Option<u32>,
    pub pinned: Option<(Span, String)>,
}

impl TomcatRelease {
    /// The release as shown: `8.5.40`, or `8.5` when the patch level is not known.
    pub fn shown(&self) -> String {
        match self.patch {
            Some(patch) => format!("{}.{}.{patch}", self.major, self.minor),
            None => format!("{}.{}", self.major, self.minor),
        }
    }

    /// Whether it is before `major.minor.patch` on the same line (`None`: the patch level
    /// is not known); another line answers by its line.
    pub fn before(&self, major: u32, minor: u32, patch: u32) -> Option<bool> {
        if (self.major, self.minor) != (major, minor) {
            return Some((self.major, self.minor) < (major, minor));
        }
        self.patch.map(|p| p < patch)
    }
}

pub(crate) fn tomcat_release(cx: &Context<'_>, file: FileId) -> Option<TomcatRelease> {
    if let Some(release) = cx.settings.config.release("tomcat") {
        return Some(TomcatRelease { major: release.major, minor: release.minor, patch: release.patch, pinned: None });
    }
    let bundled = cx.parsed(file)?.source.bundled()?;
    let (major, minor) = bundled.tomcat;
    let label = match bundled.product {
        "Tomcat" => format!("the repository installs Tomcat {}", bundled.version),
        product => format!("the repository installs {product} {}, which ships Tomcat {major}.{minor}", bundled.version),
    };
    // The patch level is known only when the repository names Tomcat's own version.
    let patch = (bundled.product == "Tomcat").then(|| bundled.version.split('.').nth(2)?.parse().ok()).flatten();
    Some(TomcatRelease { major, minor, patch, pinned: Some((bundled.origin.span, label)) })
}
