//! The property the fuzz targets and the robustness tests check: any bytes, read as a given
//! format (or sniffed), go through the whole pipeline without a panic, and every finding
//! points inside the file, on character boundaries, and renders in every format.

use std::path::PathBuf;

use crate::discover::Found;
use crate::source::FileKind;
use crate::{lint_found, Options};

/// Lints `data` as a file named `name` (of `kind`, or sniffed); panics when a finding's span
/// falls outside the file or off a character boundary.
pub fn lint_bytes(data: &[u8], kind: Option<FileKind>, name: &str) {
    let path = PathBuf::from(name);
    let kind = kind.or_else(|| crate::discover::kind_of(&path, data));
    let found = vec![Found::new(path, kind, Ok(data.to_vec()))];
    let report = lint_found(found, &Options { live: Some(false), ..Options::default() });
    for d in &report.diagnostics {
        for span in std::iter::once(d.primary.span).chain(d.related.iter().map(|l| l.span)) {
            let Some(source) = report.sources.get(span.file) else { panic!("{}: span in no file", d.rule) };
            assert!(
                span.start() <= span.end() && span.end() <= source.text.len(),
                "{}: span {span:?} outside the file",
                d.rule
            );
            assert!(
                source.text.is_char_boundary(span.start()) && source.text.is_char_boundary(span.end()),
                "{}: span {span:?} splits a character",
                d.rule
            );
        }
    }
    let _ = crate::report::json::render(&report);
    let _ = crate::report::sarif::render(&report);
    let _ = crate::report::github::render(&report);
    let _ = crate::report::human::render(&report, crate::report::human::Style { color: false, width: 100 });
}
