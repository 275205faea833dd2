//! `base-url-malformed`: a base URL that is not an absolute http(s) URL without extras.

use crate::diagnostic::Applicability;
use crate::rules::{declare_rule, fixes, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a base URL (`setup.baseUrl`) that is not an absolute `http` or `https` URL, or
    /// that has a query, a fragment, user info or a trailing slash.
    ///
    /// ## Why is this bad?
    /// The application builds every link in e-mails, gadgets, webhooks and application links
    /// by appending paths to the base URL. A trailing slash doubles it (`//rest/api`), a query
    /// or fragment lands in the middle of every link, and user info leaks credentials into
    /// every page.
    ///
    /// ## Example
    /// ```properties
    /// setup.baseUrl=https://git.example.com/bitbucket/
    /// ```
    ///
    /// Use instead:
    /// ```properties
    /// setup.baseUrl=https://git.example.com/bitbucket
    /// ```
    pub struct BaseUrlMalformed {
        id: "base-url-malformed",
        summary: "a base URL (`setup.baseUrl`) that is not an absolute `http` or `https` URL, or that has a query, a fragment, user info or a trailing slash",
        severity: Error,
        scope: "base_url",
        formats: [BitbucketProperties],
    }
}

/// What is wrong with a base URL, if anything.
fn defect(text: &str) -> Option<String> {
    let url = match url::Url::parse(text) {
        Ok(url) => url,
        Err(_) => return Some("is not an absolute URL".into()),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Some(format!("has scheme `{}`; a base URL is `http` or `https`", url.scheme()));
    }
    if text != text.trim() {
        return Some("has surrounding whitespace".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some("contains user info".into());
    }
    if url.query().is_some() {
        return Some("has a query".into());
    }
    if url.fragment().is_some() {
        return Some("has a fragment".into());
    }
    if text.ends_with('/') {
        return Some("ends with `/`".into());
    }
    None
}

impl Rule for BaseUrlMalformed {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for base in &cx.topology().base_urls {
            let Some(text) = base.setting.value.known() else {
                continue;
            };
            let Some(defect) = defect(text) else { continue };
            // User info may carry a password: name the defect, never the value.
            let shown = if defect == "contains user info" {
                "base URL".to_string()
            } else {
                format!("base URL `{}`", crate::secrets::shown(text))
            };
            // Whitespace and a trailing slash are the same URL without them.
            let clean = text.trim().trim_end_matches('/');
            let edit = (defect == "ends with `/`" || defect == "has surrounding whitespace")
                .then(|| fixes::set_value(cx, base.setting, clean))
                .flatten();
            let fix = fixes::fix(cx, format!("write `{clean}`"), Applicability::Safe, edit);
            sink.emit(base.setting.value.span, "base URL", format!("{shown} {defect}"))
                .help("write `scheme://host[:port][/path]`, with no trailing slash, query, fragment or user info")
                .fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::defect;

    #[test]
    fn only_clean_absolute_http_urls_pass() {
        for ok in ["https://git.example.com", "https://git.example.com/bitbucket", "http://h:7990/x"] {
            assert_eq!(defect(ok), None, "{ok}");
        }
        for bad in [
            "git.example.com",
            "https://h/x/",
            "https://h/",
            "ftp://h",
            "https://u:p@h",
            "https://h/x?a=1",
            "https://h/x#f",
        ] {
            assert!(defect(bad).is_some(), "{bad}");
        }
    }
}
