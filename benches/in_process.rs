//! In-process benchmarks: each parser, the cipher-string evaluator and whole lints, on
//! configurations from `../shared/bench/gen.py` and the pathological shapes of
//! `bench/shapes.py` (`cargo bench`; whole runs against the native checkers are
//! `bench/compare.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use atl_lint::source::{FileId, FileKind, SourceFile};

fn main() {
    divan::main();
    let _ = std::fs::remove_dir_all(work_dir());
}

/// The sizes benchmarked (the number of backends, virtual hosts or application homes).
const SIZES: [usize; 2] = [100, 1000];

/// Where generated inputs are kept for the run.
fn work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("atl-lint-bench-{}", std::process::id()))
}

/// `gen.py KIND N`, generated once per run.
fn generated(kind: &str, n: usize) -> PathBuf {
    let name = if kind == "haproxy" { format!("{kind}-{n}.cfg") } else { format!("{kind}-{n}") };
    let out = work_dir().join(name);
    if !out.exists() {
        let _ = std::fs::create_dir_all(work_dir());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen.py");
        let status = Command::new("python3").arg(&script).arg(kind).arg(n.to_string()).arg(&out).status();
        assert!(status.is_ok_and(|s| s.success()), "python3 {} {kind} {n} failed", script.display());
    }
    out
}

/// `bench/shapes.py SHAPE COUNT`, generated once per run: a shape that once cost quadratic
/// time or memory.
fn shape(name: &str, count: usize) -> PathBuf {
    let out = work_dir().join(format!("shape-{name}-{count}"));
    if !out.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/shapes.py");
        let status = Command::new("python3").arg(&script).arg(name).arg(count.to_string()).arg(&out).status();
        assert!(status.is_ok_and(|s| s.success()), "python3 {} {name} {count} failed", script.display());
    }
    out
}

fn source(path: &Path, kind: FileKind) -> SourceFile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFile::new(FileId(0), path.to_path_buf(), path.display().to_string(), Some(kind), bytes)
}

/// Every file of a generated tree, of one kind.
fn files_of(root: &Path, kind: FileKind) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let name = entry.file_name().to_string_lossy();
        let matches = match kind {
            FileKind::Apache => name.ends_with(".conf"),
            FileKind::TomcatServerXml => name == "server.xml",
            FileKind::BitbucketProperties => name == "bitbucket.properties",
            FileKind::Haproxy => name == "haproxy.cfg",
            FileKind::Nginx => name == "nginx.conf",
            FileKind::Compose => name.contains("compose"),
            FileKind::DotEnv => name == ".env",
            FileKind::HelmValues => name == "values.yaml",
            FileKind::Kube => name.ends_with(".yaml") && name != "values.yaml",
            FileKind::Traefik => name.starts_with("traefik."),
        };
        if matches {
            out.push(source(entry.path(), kind));
        }
    }
    assert!(!out.is_empty(), "no {} files under {}", kind.name(), root.display());
    out
}

#[divan::bench(args = SIZES)]
fn parse_haproxy(bencher: divan::Bencher, n: usize) {
    let file = source(&generated("haproxy", n), FileKind::Haproxy);
    bencher.bench(|| atl_lint::syntax::parse(divan::black_box(&file)).map(|p| p.source.id()));
}

#[divan::bench(args = SIZES)]
fn parse_apache(bencher: divan::Bencher, n: usize) {
    let files = files_of(&generated("apache", n), FileKind::Apache);
    bencher.bench(|| files.iter().filter_map(atl_lint::syntax::parse).count());
}

#[divan::bench(args = SIZES)]
fn parse_server_xml(bencher: divan::Bencher, n: usize) {
    let files = files_of(&generated("tree", n), FileKind::TomcatServerXml);
    bencher.bench(|| files.iter().filter_map(atl_lint::syntax::parse).count());
}

#[divan::bench(args = SIZES)]
fn parse_properties(bencher: divan::Bencher, n: usize) {
    let files = files_of(&generated("tree", n), FileKind::BitbucketProperties);
    bencher.bench(|| files.iter().filter_map(atl_lint::syntax::parse).count());
}

#[divan::bench(args = ["HIGH:!aNULL:!MD5", "ALL:+RC4:@STRENGTH:-3DES", "ECDHE+AESGCM:EECDH+CHACHA20:!SHA1"])]
fn cipher_string(value: &str) -> Option<usize> {
    atl_lint::tls::weak_ciphers(divan::black_box(value)).map(|weak| weak.len())
}

fn lint(path: PathBuf) -> usize {
    let options = atl_lint::Options { paths: vec![path], ..atl_lint::Options::default() };
    atl_lint::lint(&options).map_or(0, |report| report.diagnostics.len())
}

#[divan::bench(args = SIZES)]
fn lint_haproxy(bencher: divan::Bencher, n: usize) {
    let path = generated("haproxy", n);
    bencher.bench(|| lint(path.clone()));
}

#[divan::bench(args = SIZES)]
fn lint_tree(bencher: divan::Bencher, n: usize) {
    let path = generated("tree", n);
    bencher.bench(|| lint(path.clone()));
}

#[divan::bench]
fn lint_e2e_fixtures() -> usize {
    lint(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/e2e"))
}

/// The pathological shapes at about 1 MiB each (`bench/compare.sh shapes` runs them whole,
/// with their memory).
#[divan::bench(
    args = [("proxypass", 20_000), ("nested", 30_000), ("template", 349_525), ("lines", 100_000), ("if", 47_000), ("value", 1_048_576)],
    sample_count = 5,
    sample_size = 1
)]
fn lint_shape(bencher: divan::Bencher, (name, count): (&str, usize)) {
    let path = shape(name, count);
    bencher.bench(|| lint(path.clone()));
}
