//! The property the fuzz targets and the robustness tests check: any bytes, read as a given
//! format (or sniffed), go through the whole pipeline without a panic, and every finding
//! points inside the file, on character boundaries, and renders in every format.

use std::path::PathBuf;

use crate::discover::Found;
use crate::report::graph::GraphFormat;
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
            let source = report.sources.get(span.file);
            assert!(source.is_some(), "{}: span in no file", d.rule);
            let Some(source) = source else { continue };
            assert!(
                span.start() <= span.end() && span.end() <= source.text().len(),
                "{}: span {span:?} outside the file",
                d.rule
            );
            assert!(
                source.text().is_char_boundary(span.start()) && source.text().is_char_boundary(span.end()),
                "{}: span {span:?} splits a character",
                d.rule
            );
        }
    }
    let _ = crate::report::json::render(&report);
    let _ = crate::report::sarif::render(&report);
    let _ = crate::report::github::render(&report);
    let _ =
        crate::report::human::render(&report, crate::report::human::Style { color: false, width: 100, links: false });
}

/// The secret of the files beside a generated tree: it must never reach an output.
pub const TREE_CANARY: &str = "FUZZCANARY";

/// Builds a tree from `data` in a scratch directory beside files that hold [`TREE_CANARY`]
/// and lints it as a repository and as a server image; panics when the canary reaches any
/// output (every report format and `graph`).
///
/// `data` is read as lines: `f PATH TEXT` a file (`|` a line break), `l PATH TARGET` a
/// symbolic link, `d PATH` a directory. In a text or a target, `@OUT@` stands for the
/// directory of canaries and `@TREE@` for the tree. Paths are kept inside the tree.
pub fn lint_tree(data: &[u8]) {
    let base = std::env::temp_dir().join(format!("atl-lint-fuzz-tree-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (tree, outside) = (base.join("tree"), base.join("outside"));
    if std::fs::create_dir_all(&tree).and_then(|()| std::fs::create_dir_all(outside.join("d"))).is_err() {
        return;
    }
    let canary = format!("{TREE_CANARY} x\nServerName {TREE_CANARY}\nfrontend {TREE_CANARY}\n  {TREE_CANARY}=1\n");
    for name in ["secret.conf", "haproxy.cfg", "server.xml", "d/x.conf", "envvars"] {
        let _ = std::fs::write(outside.join(name), &canary);
    }
    let text = String::from_utf8_lossy(data);
    // The tree itself must not spell the canary (a file named after it is no leak).
    if text.contains(TREE_CANARY) {
        return;
    }
    let expand = |s: &str| s.replace("@OUT@", &outside.to_string_lossy()).replace("@TREE@", &tree.to_string_lossy());
    for line in text.lines().take(64) {
        let mut parts = line.splitn(3, ' ');
        let (Some(op), Some(path)) = (parts.next(), parts.next()) else { continue };
        let rest = expand(parts.next().unwrap_or(""));
        let Some(path) = inside(&tree, path) else { continue };
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = match op {
            "f" => std::fs::write(&path, rest.replace('|', "\n")),
            "l" => std::os::unix::fs::symlink(&rest, &path),
            "d" => std::fs::create_dir_all(&path),
            _ => Ok(()),
        };
    }
    let runs = [
        Options { paths: vec![tree.clone()], live: Some(false), ..Options::default() },
        Options { paths: vec![PathBuf::from("/")], root: Some(tree.clone()), live: Some(true), ..Options::default() },
    ];
    for options in &runs {
        let Ok(report) = crate::lint(options) else { continue };
        let outputs = [
            crate::report::json::render(&report),
            crate::report::sarif::render(&report),
            crate::report::github::render(&report),
            crate::report::human::render(
                &report,
                crate::report::human::Style { color: false, width: 100, links: false },
            ),
            report.summary_line(),
        ];
        for output in outputs {
            assert!(!output.contains(TREE_CANARY), "a file outside the tree reached the output:\n{output}");
        }
    }
    for format in [GraphFormat::Text, GraphFormat::Dot, GraphFormat::Mermaid] {
        let options = Options { paths: vec![tree.clone()], live: Some(false), ..Options::default() };
        if let Ok(graph) = crate::graph(&options, format) {
            assert!(!graph.contains(TREE_CANARY), "a file outside the tree reached the graph:\n{graph}");
        }
    }
    let _ = std::fs::remove_dir_all(&base);
}

/// A generated path kept inside `tree`: plain names only, at most four deep.
fn inside(tree: &std::path::Path, path: &str) -> Option<PathBuf> {
    let plain = |part: &&str| {
        !part.is_empty()
            && *part != "."
            && *part != ".."
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    let parts: Vec<&str> = path.split('/').filter(plain).take(4).collect();
    (!parts.is_empty()).then(|| parts.iter().fold(tree.to_path_buf(), |dir, part| dir.join(part)))
}
