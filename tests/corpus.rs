//! The real-world corpus (`shared/corpus/real`, from public infrastructure repositories,
//! most of them templates): every file is found with the kind `SOURCES.tsv` gives it, parses
//! without a syntax error unless it is really malformed (each exception below, with its
//! reason), and the whole corpus lints without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

mod common;

use atl_lint::source::FileKind;
use atl_lint::{lint, Options};
use common::{require, shared};

/// Corpus files that really are malformed, and why.
const MALFORMED: [(&str, &str); 0] = [];

fn expected_kind(format: &str) -> Option<FileKind> {
    match format {
        "apache" => Some(FileKind::Apache),
        "haproxy" => Some(FileKind::Haproxy),
        "tomcat-server-xml" => Some(FileKind::TomcatServerXml),
        "bitbucket-properties" => Some(FileKind::BitbucketProperties),
        // nginx is not a format atl-lint reads: such files are left alone.
        _ => None,
    }
}

#[test]
fn every_real_file_has_its_kind_and_parses() {
    let real = shared().join("corpus/real");
    let Ok(sources) = std::fs::read_to_string(real.join("SOURCES.tsv")) else {
        require(false, "shared/corpus/real/SOURCES.tsv");
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in sources.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(format)) = (columns.first(), columns.get(4)) else { continue };
        let path = real.join(file);
        let report = lint(&Options { paths: vec![path.clone()], live: Some(false), ..Options::default() })
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let kinds: Vec<Option<FileKind>> = report.linted_files().map(|f| f.kind()).collect();
        match expected_kind(format) {
            Some(kind) if kinds != [Some(kind)] => failures.push(format!("{file}: read as {kinds:?}, not {kind:?}")),
            None if !kinds.is_empty() => failures.push(format!("{file}: a {format} file was linted as {kinds:?}")),
            _ => {}
        }
        let errors: Vec<String> =
            report.diagnostics.iter().filter(|d| d.rule == "syntax-error").map(|d| d.message.clone()).collect();
        let excused = MALFORMED.iter().any(|(name, _)| file.ends_with(name));
        if !errors.is_empty() && !excused {
            failures.push(format!("{file}: {errors:?}"));
        }
        checked += 1;
    }
    assert!(checked >= 60, "{checked} corpus files");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_whole_corpus_lints_in_one_run() {
    let corpus = shared().join("corpus");
    if !require(corpus.is_dir(), "shared/corpus") {
        return;
    }
    let paths: Vec<PathBuf> = vec![corpus.join("real"), corpus.join("debian12")];
    let report = lint(&Options { paths, live: Some(false), ..Options::default() }).expect("lint");
    assert!(report.linted_files().count() > 100);
}

/// Whole repositories (`shared/corpus/repos`, each with its defaults files): none has a
/// syntax error, and how many files each lints and how many routes it links to a connector
/// are pinned in a snapshot, so that a change in what the join finds shows.
#[test]
fn whole_repositories_lint_without_syntax_errors_and_link_as_pinned() {
    let repos = shared().join("corpus/repos");
    if !require(repos.is_dir(), "shared/corpus/repos") {
        return;
    }
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&repos).expect("repos").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "repositories found: {}", dirs.len());
    let mut table = String::new();
    let mut errors = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let report = lint(&Options { paths: vec![dir.clone()], live: Some(false), ..Options::default() })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        errors.extend(
            report.diagnostics.iter().filter(|d| d.rule == "syntax-error").map(|d| format!("{name}: {}", d.message)),
        );
        table.push_str(&format!(
            "{name}: {} files, {} linked routes\n",
            report.linted_files().count(),
            report.linked_routes
        ));
    }
    assert!(errors.is_empty(), "{errors:#?}");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("corpus-repos-linking", table);
    });
}
