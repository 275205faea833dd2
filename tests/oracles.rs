//! Oracle tests: the properties parser against Java's own `Properties.load`, and every real
//! configuration in the shared corpus through the whole pipeline without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use atl_lint::source::{FileId, SourceFile};
use atl_lint::syntax::properties;
use atl_lint::{lint, Options};
use common::{require, shared};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

/// One tricky properties file: separators, escapes, continuations, comments, line endings,
/// Latin-1 and UTF-8 bytes.
fn tricky(rng: &mut Rng) -> Vec<u8> {
    let keys: &[&[u8]] = &[
        b"server.proxy-name",
        b"k",
        b"a\\ b",
        b"x\\:y",
        b"e\\=q",
        b"",
        b"caf\xe9",
        b"caf\xc3\xa9",
        b"tab\\tkey",
        b"\\u0041bc",
        b"dup",
        b"dup",
        b"#notcomment",
        b"!bang",
        b"u\\\n  v",
        b"sp\\ ",
        b"\\\\",
    ];
    let separators: &[&[u8]] = &[b"=", b":", b" ", b"\t", b" = ", b" : ", b"\x0c", b"", b"  =  ", b"==", b":="];
    let values: &[&[u8]] = &[
        b"git.example.com",
        b"",
        b"  trailing  ",
        b"a\\\n   b",
        b"odd\\\\\\\n next",
        b"even\\\\",
        b"\\u00e9\\u4e2d",
        b"\\u00zz",
        b"\\u12",
        b"x\\",
        b"\\t\\n\\r\\f\\b\\z",
        b"caf\xe9",
        b"\xe2\x82\xac",
        b"=x=y:z",
        b"#value",
        b"line\\\r\n  cont",
        b"line\\\r  cont",
        b"\\\n",
        b"\\ud83d\\ude00",
        b"a\\\n\n b",
        b"\\\\\\\\\\\n c",
    ];
    let prefixes: &[&[u8]] =
        &[b"", b"  ", b"\t", b"\x0c ", b"# comment\n", b"! comment \\\n", b"\n", b"\r\n", b"   # indented\n"];
    let endings: &[&[u8]] = &[b"\n", b"\r\n", b"\r", b"\\\n", b"\n\n"];
    let mut out = Vec::new();
    for _ in 0..(1 + rng.below(8)) {
        out.extend_from_slice(rng.pick(prefixes));
        out.extend_from_slice(rng.pick(keys));
        out.extend_from_slice(rng.pick(separators));
        out.extend_from_slice(rng.pick(values));
        out.extend_from_slice(rng.pick(endings));
    }
    if rng.below(4) == 0 {
        // No final newline, sometimes ending in a lone backslash.
        while out.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            out.pop();
        }
        if rng.below(2) == 0 {
            out.push(b'\\');
        }
    }
    out
}

/// What our parser makes of a file: the map, or `None` when Java would refuse it.
fn ours(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    let source = SourceFile::new(FileId(0), PathBuf::from("p"), "p".into(), None, bytes.to_vec());
    let props = properties::parse(&source);
    if !props.problems.is_empty() {
        return None;
    }
    Some(props.map().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn java_available() -> bool {
    Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn properties_parser_agrees_with_java_properties_load() {
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles/PropertiesOracle.java");
    if !require(java_available(), "java (a JDK) for the properties oracle") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("atl-lint-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for path in files_under(&shared().join("corpus")) {
        let name = path.to_string_lossy().into_owned();
        if name.contains(".properties") {
            inputs.push((name, std::fs::read(&path).expect("corpus file")));
        }
    }
    let corpus_count = inputs.len();
    if require(shared().join("corpus").is_dir(), "shared/corpus (its properties files)") {
        assert!(corpus_count >= 5, "expected the corpus's properties files, found {corpus_count}");
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..common::scale(600) {
        inputs.push((format!("generated #{i}"), tricky(&mut rng)));
    }
    let mut paths = Vec::new();
    for (i, (_, bytes)) in inputs.iter().enumerate() {
        let path = dir.join(format!("{i}.properties"));
        std::fs::write(&path, bytes).expect("write input");
        paths.push(path);
    }
    let output = Command::new("java").arg(&oracle).args(&paths).output().expect("run the oracle");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success(), "oracle failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("oracle prints UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), inputs.len(), "one oracle line per input");
    let mut disagreements = Vec::new();
    let mut refused = 0;
    for ((name, bytes), line) in inputs.iter().zip(&lines) {
        let java: BTreeMap<String, String> = serde_json::from_str(line).expect("oracle JSON");
        let java_refused = java.len() == 1 && java.get("error").is_some_and(|e| e.contains("Malformed"));
        refused += usize::from(java_refused);
        let agrees = match ours(bytes) {
            None => java_refused,
            Some(map) => map == java,
        };
        if !agrees {
            disagreements.push(format!(
                "{name}: {:?}\n  java: {line}\n  ours: {:?}",
                String::from_utf8_lossy(bytes),
                ours(bytes)
            ));
        }
    }
    eprintln!(
        "properties oracle: {} inputs ({corpus_count} from the corpus), {refused} refused by Java, {} disagreements",
        inputs.len(),
        disagreements.len()
    );
    assert!(refused > 0 && refused < inputs.len(), "the generated inputs must exercise both outcomes");
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn every_real_tomcat_and_properties_file_goes_through_the_pipeline() {
    let corpus = shared().join("corpus");
    if !require(corpus.is_dir(), "shared/corpus") {
        return;
    }
    let mut paths: Vec<PathBuf> = Vec::new();
    for sub in ["real/tomcat-server-xml", "real/bitbucket-properties", "debian12/etc/tomcat10"] {
        paths.extend(files_under(&corpus.join(sub)));
    }
    paths.push(shared().join("reference/tomcat10-debian-server.xml"));
    assert!(paths.len() > 40, "corpus files found: {}", paths.len());
    for path in &paths {
        let options = Options { paths: vec![path.clone()], ..Options::default() };
        let report = lint(&options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(report.linted_files().count(), 1, "{} was not linted", path.display());
        // Templates included: their tags are masked, so what remains is well-formed.
        let errors: Vec<_> =
            report.diagnostics.iter().filter(|d| d.rule == "syntax-error").map(|d| &d.message).collect();
        assert!(errors.is_empty(), "{} is well-formed but got {errors:?}", path.display());
    }
}

#[test]
fn cipher_string_evaluation_agrees_with_openssl() {
    let openssl_ok = Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
    if !require(openssl_ok, "openssl") {
        return;
    }
    let strings = include_str!("../grammar/cipher-strings.txt");
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for rules in strings.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let output =
            Command::new("openssl").args(["ciphers", "-ciphersuites", "", rules]).output().expect("run openssl");
        let theirs: Vec<String> = if output.status.success() {
            String::from_utf8_lossy(&output.stdout)
                .trim()
                .split(':')
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect()
        } else {
            Vec::new()
        };
        let ours: Vec<String> = atl_lint::tls::ciphers()
            .evaluate(rules, atl_lint::tls::Suite::in_openssl3)
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.name.to_string())
            .collect();
        checked += 1;
        if ours != theirs {
            disagreements.push(format!("{rules}\n  openssl: {theirs:?}\n  ours:    {ours:?}"));
        }
    }
    eprintln!("cipher strings: {checked} compared with openssl, {} disagreements", disagreements.len());
    assert!(checked >= 50, "need at least 50 cipher strings, have {checked}");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn every_apache_file_in_the_corpus_parses_without_a_syntax_error() {
    let corpus = shared().join("corpus");
    if !require(corpus.is_dir(), "shared/corpus") {
        return;
    }
    let mut paths = files_under(&corpus.join("real/apache"));
    paths.extend(files_under(&corpus.join("debian12/etc/apache2")).into_iter().filter(|p| p.is_file()));
    assert!(paths.len() > 50, "apache corpus files found: {}", paths.len());
    for path in &paths {
        let bytes = std::fs::read(path).expect("corpus file");
        let found =
            vec![atl_lint::discover::Found::new(path.clone(), Some(atl_lint::source::FileKind::Apache), Ok(bytes))];
        let report = atl_lint::lint_found(found, &Options::default());
        let errors: Vec<_> =
            report.diagnostics.iter().filter(|d| d.rule == "syntax-error").map(|d| &d.message).collect();
        assert!(errors.is_empty(), "{} got {errors:?}", path.display());
    }
}
