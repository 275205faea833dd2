//! `--write-baseline`: every finding of a run as an `[[ignore-finding]]` entry of the config
//! file, with paths relative to it.

use std::path::Path;

use super::Report;
use crate::config;

/// The `[[ignore-finding]]` entries for every finding of a run, for `--write-baseline`.
pub fn entries(report: &Report, dir: &Path) -> String {
    let mut out = String::from(config::BASELINE_BEGIN);
    out.push('\n');
    for d in &report.diagnostics {
        let Some(source) = report.sources.get(d.primary.span.file) else { continue };
        let path = relative_to(source.path(), dir);
        out.push_str(&format!(
            "[[ignore-finding]]\nrule = {}\npath = {}\nfingerprint = {}\n\n",
            toml_string(d.rule),
            toml_string(&path),
            toml_string(&d.fingerprint)
        ));
    }
    out.push_str(config::BASELINE_END);
    out.push('\n');
    out
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A path relative to `dir` when under it, with `/` separators.
pub fn relative_to(path: &Path, dir: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match absolute.strip_prefix(&dir) {
        Ok(relative) => {
            relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
        }
        Err(_) => absolute.to_string_lossy().into_owned(),
    }
}
