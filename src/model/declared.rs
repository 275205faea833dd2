//! Base URLs declared outside the files: `--base-url` values and the config file's
//! `[[app]]` entries, with spans into the sources they are shown as.

use std::borrow::Cow;

use super::DeclaredBaseUrl;
use crate::config::Config;
use crate::discover::inputs::{Sources, BASE_URL_SOURCE};
use crate::source::{SourceFile, Span};
use crate::syntax::{Setting, Value};

/// Every declared base URL: `--base-url` values and the config file's `[[app]]` entries.
pub fn declared<'s>(sources: &'s Sources, config: &'s Config) -> Vec<DeclaredBaseUrl<'s>> {
    let mut out: Vec<DeclaredBaseUrl<'s>> =
        sources.base_urls.and_then(|id| sources.map.get(id)).map(command_line).unwrap_or_default();
    let Some(source) = sources.config.and_then(|id| sources.map.get(id)) else { return out };
    for app in &config.apps {
        let (start, end) = app.span;
        let value_span = Span::new(source.id(), (start + 1).min(end), end.saturating_sub(1).max(start));
        let setting = Setting {
            name: Cow::Borrowed("base-url"),
            name_span: Span::new(source.id(), start, end),
            value: Value::new(Cow::Borrowed(app.base_url.as_str()), value_span),
            span: Span::new(source.id(), start, end),
        };
        out.push(DeclaredBaseUrl { app: app.name.as_deref(), setting });
    }
    out
}

/// The `--base-url` values, one a line of their source: `[APP=]URL`.
fn command_line(source: &SourceFile) -> Vec<DeclaredBaseUrl<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in source.text().split('\n') {
        let end = start + line.len();
        // `APP=` stands before the URL's `://`.
        let head = line.split("://").next().unwrap_or(line);
        let (app, url_start) = match head.split_once('=').filter(|_| line.contains("://")) {
            Some((app, _)) => (Some(app), app.len() + 1),
            None => (None, 0),
        };
        let url = line.get(url_start..).unwrap_or("");
        let name_span = Span::new(source.id(), start, start + url_start.saturating_sub(1));
        let value = Value::new(Cow::Borrowed(url), Span::new(source.id(), start + url_start, end));
        let setting = Setting {
            name: Cow::Borrowed(BASE_URL_SOURCE),
            name_span,
            value,
            span: Span::new(source.id(), start, end),
        };
        out.push(DeclaredBaseUrl { app, setting });
        start = end + 1;
    }
    out
}
