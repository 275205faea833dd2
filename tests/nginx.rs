//! nginx: Debian's `nginx -t` (1.22) is the oracle for the parser and the directive table.
//! nginx stops at its first error. Where that error is a syntax error, atl-lint's first
//! error is on the same line with the same message; an unknown directive, an
//! `unknown-directive` error on that line; a directive not allowed where it stands (in a main
//! configuration, whose contexts are all known), a `misplaced-directive` error there. Where
//! nginx accepts the file, atl-lint reports no such error. Where nginx stops for another
//! reason (a missing certificate, a bad value) at a line of the file, atl-lint has no such
//! error before that line. Inputs: Debian's stock tree, the corpus's nginx files and generated
//! configurations. A file that is not a main configuration is read through
//! `http { include FILE; }`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use atl_lint::diagnostic::Severity;
use atl_lint::discover::{discover, Found};
use atl_lint::source::{FileId, FileKind, SourceFile};
use atl_lint::{lint_found, Options};
use common::{require, shared, temp_dir};

/// What nginx made of a file.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// `syntax is ok` and `test is successful`.
    Accepted,
    /// A syntax error at a line of the file, with nginx's message.
    Syntax(usize, String),
    /// A directive nginx does not know, at a line of the file.
    Unknown(usize),
    /// A directive not allowed where it stands, at a line of the file.
    Misplaced(usize),
    /// Another error, at a line of the file when nginx names one there.
    Stopped(Option<usize>),
}

/// The nginx files of the corpus that are not templates.
fn corpus() -> Vec<PathBuf> {
    let roots = ["corpus/debian12/etc/nginx", "corpus/real/nginx", "corpus/repos"];
    let mut files = Vec::new();
    for root in roots.map(|r| shared().join(r)).iter().filter(|r| r.is_dir()) {
        let found = discover(std::slice::from_ref(root)).expect("discover");
        for file in found.into_iter().filter(|f| f.kind == Some(FileKind::Nginx)) {
            let Ok(bytes) = &file.content else { continue };
            let text = String::from_utf8_lossy(bytes);
            // Templates are for the other tests: nginx cannot read them.
            if ["{{", "{%", "<%"].iter().any(|t| text.contains(t)) {
                continue;
            }
            files.push(file.path);
        }
    }
    files.sort();
    files
}

/// The rules that speak for what `nginx -t` refuses before it starts anything.
const RULES: [&str; 3] = ["syntax-error", "unknown-directive", "misplaced-directive"];

/// atl-lint's first error of those rules: its line, rule and message.
fn ours(path: &Path) -> Option<(usize, String, String)> {
    let bytes = std::fs::read(path).expect("read");
    let found = vec![Found::new(path.to_path_buf(), Some(FileKind::Nginx), Ok(bytes))];
    let report = lint_found(found, &Options { live: Some(false), ..Options::default() });
    report
        .diagnostics
        .iter()
        .filter(|d| RULES.contains(&d.rule) && d.severity == Severity::Error)
        .filter_map(|d| {
            let line = report.sources.get(d.primary.span.file)?.line_col(d.primary.span.start()).0;
            Some((line, d.rule.to_string(), d.message.clone()))
        })
        .min_by_key(|(line, _, _)| *line)
}

/// Whether the file holds a main configuration (an `events` or `http` block at its top).
fn is_main(path: &Path) -> bool {
    let bytes = std::fs::read(path).expect("read");
    let source = SourceFile::read(FileId(0), path.to_path_buf(), "f".into(), Some(FileKind::Nginx), bytes);
    let config = atl_lint::syntax::nginx::parse(&source);
    let main = config.children(None).any(|(_, d)| d.is("events") || d.is("http"));
    main
}

/// Runs `nginx -t` on the file (through a wrapper when it is not a main configuration).
fn theirs(path: &Path, scratch: &Path, n: usize) -> Verdict {
    let path = std::fs::canonicalize(path).expect("canonical path");
    let config = if is_main(&path) {
        path.clone()
    } else {
        let wrapper = scratch.join(format!("wrapper-{n}.conf"));
        let text = format!("events {{}}\nhttp {{\ninclude \"{}\";\n}}\n", path.display());
        std::fs::write(&wrapper, text).expect("write wrapper");
        wrapper
    };
    let prefix = format!("{}/", scratch.display());
    let output = Command::new("nginx")
        .args(["-t", "-q", "-e", "stderr", "-p", &prefix, "-c"])
        .arg(&config)
        .output()
        .expect("run nginx");
    if output.status.success() {
        return Verdict::Accepted;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some(line) = stderr.lines().find(|l| l.contains("[emerg]")) else { return Verdict::Stopped(None) };
    // `2026/12/04 14:54:46 [emerg] 4690#4690: unexpected "c" in /x.conf:2`
    let message = line.split("[emerg] ").nth(1).and_then(|m| m.split_once(": ")).map_or("", |(_, m)| m);
    let marker = format!(" in {}:", path.display());
    let Some((text, number)) = message.rsplit_once(&marker) else { return Verdict::Stopped(None) };
    let Ok(number) = number.trim().parse::<usize>() else { return Verdict::Stopped(None) };
    if text.starts_with("unexpected") || text.starts_with("too long parameter") {
        Verdict::Syntax(number, text.to_string())
    } else if text.starts_with("unknown directive") {
        Verdict::Unknown(number)
    } else if text.ends_with("directive is not allowed here") {
        Verdict::Misplaced(number)
    } else {
        Verdict::Stopped(Some(number))
    }
}

/// Whether atl-lint's first error agrees with what nginx did (`main`: the file is a main
/// configuration, whose every context is known).
fn agrees(verdict: &Verdict, ours: Option<&(usize, String, String)>, main: bool) -> bool {
    match (verdict, ours) {
        (Verdict::Accepted, found) => found.is_none(),
        (Verdict::Syntax(line, message), Some((ours, rule, text))) => {
            line == ours && rule == "syntax-error" && message == text
        }
        (Verdict::Unknown(line), Some((ours, rule, _))) => line == ours && rule == "unknown-directive",
        (Verdict::Misplaced(line), Some((ours, rule, _))) if main => line == ours && rule == "misplaced-directive",
        (Verdict::Syntax(..) | Verdict::Unknown(_), None) => false,
        (Verdict::Misplaced(_), None) => !main,
        (Verdict::Misplaced(line) | Verdict::Stopped(Some(line)), Some((ours, _, _))) => ours >= line,
        (Verdict::Stopped(_), _) => true,
    }
}

#[test]
fn nginx_dash_t_is_the_oracle_for_the_parser() {
    let available = Command::new("nginx").arg("-v").output().is_ok_and(|o| o.status.success());
    if !require(available, "nginx (Debian package nginx)") {
        return;
    }
    if !require(shared().join("corpus").is_dir(), "shared/corpus with Debian's nginx tree and the nginx corpus") {
        return;
    }
    let scratch = temp_dir("nginx-oracle");
    std::fs::create_dir_all(scratch.join("logs")).expect("logs");
    let corpus = corpus();
    let from_corpus = corpus.len();
    let generated = generated(&scratch);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (n, path) in corpus.iter().chain(generated.iter()).enumerate() {
        let verdict = theirs(path, &scratch, n);
        let ours = ours(path);
        let kind = match verdict {
            Verdict::Accepted => "accepted",
            Verdict::Syntax(..) => "syntax",
            Verdict::Unknown(_) => "unknown",
            Verdict::Misplaced(_) => "misplaced",
            Verdict::Stopped(_) => "stopped",
        };
        *counts.entry(kind).or_default() += 1;
        if !agrees(&verdict, ours.as_ref(), is_main(path)) {
            disagreements.push(format!("{}: nginx {verdict:?}, atl-lint {ours:?}", path.display()));
        }
    }
    eprintln!("nginx oracle: {from_corpus} corpus files, {} generated, {counts:?}", generated.len());
    assert!(from_corpus >= 10, "the corpus has nginx files");
    assert!(counts.get("syntax").copied().unwrap_or(0) >= 10, "syntax errors are exercised: {counts:?}");
    assert!(counts.get("accepted").copied().unwrap_or(0) >= 10, "accepted files are exercised: {counts:?}");
    assert!(counts.get("unknown").copied().unwrap_or(0) >= 2, "unknown directives are exercised: {counts:?}");
    assert!(counts.get("misplaced").copied().unwrap_or(0) >= 2, "misplaced directives are exercised: {counts:?}");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Generated configurations: an Atlassian setup, then one change each at the tokenizer's
/// edges; with `ATL_LINT_ORACLE_INPUTS`, that many more with two or three changes at once.
fn generated(dir: &Path) -> Vec<PathBuf> {
    let base = "events {}\nhttp {\n    # Jira and Confluence behind nginx\n    \
        map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    \
        upstream jira { server 127.0.0.1:8080; }\n    server {\n        listen 127.0.0.1:18080;\n        \
        server_name jira.example.com;\n        client_max_body_size 10m;\n        location /jira {\n            \
        proxy_set_header X-Forwarded-Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            \
        proxy_pass http://jira/jira;\n        }\n        location /synchrony {\n            proxy_http_version 1.1;\n            \
        proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection \"Upgrade\";\n            \
        proxy_pass http://127.0.0.1:8091/synchrony;\n        }\n        \
        if ($request_method = \"TRACE\") { return 405; }\n    }\n}\n";
    let long = |n: usize| "a".repeat(n);
    let mutations: Vec<(&str, String)> = vec![
        ("", String::new()),
        ("server_name jira.example.com;", "server_name jira.example.com".into()),
        ("client_max_body_size 10m;", "client_max_body_size 10m;\n;".into()),
        ("\"Upgrade\";", "\"Upgrade\"x;".into()),
        ("\"Upgrade\";", "\"Upgrade\")x;".into()),
        ("\"Upgrade\";", "\"Upgrade;".into()),
        ("\"Upgrade\";", "'Upgrade';".into()),
        ("\"Upgrade\";", "\"Up\\\"gr\\\\ade\\n\";".into()),
        ("\"Upgrade\";", "\"Upgrade\"{".into()),
        ("proxy_http_version 1.1;", "proxy_http_version 1.1 }".into()),
        ("proxy_http_version 1.1;", "proxy_http_version 1.1;\n{".into()),
        ("proxy_pass http://jira/jira;", "proxy_pass http://jira/jira;\n}".into()),
        ("    }\n}\n", "    }\n".into()),
        ("    }\n}\n", "    }\n}\n}\n".into()),
        ("    }\n}\n", "    }\n}".into()),
        ("    }\n}\n", "    }\n} # the end".into()),
        ("    }\n}\n", "    }\n}\nevents".into()),
        ("    }\n}\n", "    }\n}\n\"unterminated".into()),
        ("    }\n}\n", "    }\n}\nenv a\\".into()),
        ("server_name jira.example.com;", "server_name jira.example.com a#b c}d;".into()),
        ("server_name jira.example.com;", "server_name a\\ b a\\;b;".into()),
        ("server_name jira.example.com;", format!("server_name {};", long(4095))),
        ("server_name jira.example.com;", format!("server_name {};", long(4096))),
        ("server_name jira.example.com;", format!("server_name {} ;", long(4095))),
        ("server_name jira.example.com;", format!("server_name \"{}\";", long(4200))),
        ("server_name jira.example.com;", format!("server_name jira.example.com;\n#{}\n", long(5000))),
        ("server_name jira.example.com;", format!("server_name jira.example.com;{}", " ".repeat(5000))),
        ("server_name jira.example.com;", "server_name jira.example.com;\n\n\n# a\n#b\n".into()),
        ("$host;", "${host}x;".into()),
        ("$host;", "x${host;".into()),
        ("$host;", "$host{".into()),
        ("location /jira {", "location ~ ^/ji{2}ra {".into()),
        ("location /jira {", "location ~ \"^/ji{2}ra\" {".into()),
        ("= \"TRACE\")", "= TRACE)".into()),
        ("= \"TRACE\")", "= \"TRACE\" )".into()),
        ("if ($request_method", "if ( $request_method".into()),
        ("events {}", "events {}\n;".into()),
        ("events {}", "events {} }".into()),
        ("events {}", "events { worker_connections 64; }".into()),
        ("events {}", "events {\n\tworker_connections\t64;\r\n}".into()),
        ("proxy_http_version 1.1;", "proxy_http_verison 1.1;".into()),
        ("client_max_body_size 10m;", "client_max_body_size 10m;\n        listen_backlog 10;".into()),
        ("proxy_http_version 1.1;", "proxy_http_version 1.1;\n            listen 127.0.0.1:18081;".into()),
        ("client_max_body_size 10m;", "client_max_body_size 10m;\n        map $a $b { default 1; }".into()),
        ("events {}", "events {}\nproxy_pass http://x;".into()),
        ("events {}", "events { listen 80; }".into()),
        ("{ return 405; }", "{ return 405; proxy_set_header X a; }".into()),
        ("{ return 405; }", "{ return 405; set $x 1; }".into()),
        ("upstream jira {", "upstream jira {\n        ip_hash;\n        sticky cookie x;".into()),
        (
            "proxy_http_version 1.1;",
            "proxy_http_version 1.1;\n            content_by_lua_block { ngx.say(\"}\") }".into(),
        ),
    ];
    let write = |name: String, text: &str| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write generated config");
        path
    };
    let apply = |text: &str, (from, to): &(&str, String)| {
        if from.is_empty() {
            text.to_string()
        } else {
            text.replacen(from, to, 1)
        }
    };
    let mut paths: Vec<PathBuf> =
        mutations.iter().enumerate().map(|(i, m)| write(format!("generated-{i:02}.conf"), &apply(base, m))).collect();
    // CRLF line ends throughout.
    paths.push(write("generated-crlf.conf".into(), &base.replace('\n', "\r\n")));
    let mut rng = common::Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..common::scale(0) {
        let mut text = base.to_string();
        for _ in 0..2 + rng.below(2) {
            text = apply(&text, &mutations[rng.below(mutations.len())]);
        }
        paths.push(write(format!("combined-{i:05}.conf"), &text));
    }
    paths
}

/// The files of the tree `main` heads, as `nginx -T` prints them (the order nginx first
/// reads them), or nginx's error when it refuses the tree.
fn dumped_files(main: &Path, prefix: &Path) -> Result<Vec<PathBuf>, String> {
    let output = Command::new("nginx")
        .args(["-T", "-q", "-e", "stderr", "-p"])
        .arg(format!("{}/", prefix.display()))
        .arg("-c")
        .arg(main)
        .output()
        .expect("run nginx");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let files = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("# configuration file ").and_then(|l| l.strip_suffix(':')))
        .map(PathBuf::from)
        .collect();
    Ok(files)
}

/// atl-lint's files of the first tree it reads under `options`' paths.
fn tree_files(options: &Options) -> Vec<PathBuf> {
    let trees = atl_lint::nginx_files(options).expect("nginx trees");
    assert_eq!(trees.len(), 1, "one main configuration: {trees:?}");
    trees.into_iter().next().unwrap_or_default()
}

/// Rewrites every `/etc/nginx/` in the files (and symbolic links) under `dir` to
/// `to/etc/nginx/`, so that nginx reads the copy where a server reads `/etc/nginx`.
fn relocate(dir: &Path, to: &Path) {
    let from = "/etc/nginx/";
    let replacement = format!("{}/etc/nginx/", to.display());
    for entry in std::fs::read_dir(dir).expect("read copy").flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).expect("link").to_string_lossy().replace(from, &replacement);
            std::fs::remove_file(&path).expect("remove link");
            std::os::unix::fs::symlink(target, &path).expect("symlink");
        } else if meta.is_dir() {
            relocate(&path, to);
        } else {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            std::fs::write(&path, text.replace(from, &replacement)).expect("rewrite");
        }
    }
}

#[test]
fn debian_tree_is_read_in_the_order_nginx_dash_capital_t_prints_it() {
    let available = Command::new("nginx").arg("-v").output().is_ok_and(|o| o.status.success());
    if !require(available, "nginx (Debian package nginx)") {
        return;
    }
    let stock = shared().join("corpus/debian12/etc/nginx");
    if !require(stock.is_dir(), "shared/corpus/debian12/etc/nginx") {
        return;
    }
    let scratch = temp_dir("nginx-tree");
    let (ours_root, theirs_root) = (scratch.join("ours"), scratch.join("theirs"));
    common::copy_tree(&stock, &ours_root.join("etc/nginx"));
    common::copy_tree(&stock, &theirs_root.join("etc/nginx"));
    relocate(&theirs_root, &theirs_root);
    std::fs::create_dir_all(theirs_root.join("logs")).expect("logs");
    let theirs =
        dumped_files(&theirs_root.join("etc/nginx/nginx.conf"), &theirs_root).expect("nginx accepts Debian's tree");
    let theirs: Vec<PathBuf> =
        theirs.iter().map(|p| Path::new("/").join(p.strip_prefix(&theirs_root).unwrap_or(p))).collect();
    let options = Options { paths: vec!["/etc/nginx".into()], root: Some(ours_root.clone()), ..Options::default() };
    let ours: Vec<PathBuf> =
        tree_files(&options).iter().map(|p| Path::new("/").join(p.strip_prefix(&ours_root).unwrap_or(p))).collect();
    assert!(theirs.iter().any(|p| p.ends_with("sites-enabled/default")), "{theirs:?}");
    assert_eq!(ours, theirs);
    // Read as nginx reads it, the stock tree has nothing to report.
    let report = atl_lint::lint(&options).expect("lint");
    let findings: Vec<String> = report.diagnostics.iter().map(|d| format!("{}: {}", d.rule, d.message)).collect();
    assert!(findings.is_empty(), "{findings:#?}");
}

/// Generated trees: files in nested directories with names that sort differently by byte
/// and by letter, included by globs, relative and absolute paths, twice, and hidden.
#[test]
fn generated_include_trees_are_read_as_nginx_reads_them() {
    let available = Command::new("nginx").arg("-v").output().is_ok_and(|o| o.status.success());
    if !require(available, "nginx (Debian package nginx)") {
        return;
    }
    let scratch = temp_dir("nginx-includes");
    let names = ["a.conf", "B.conf", "b-1.conf", "b.conf", "b1.conf", "_x.conf", ".hidden.conf", "z", "Z.conf"];
    let dirs = ["conf.d", "sites-enabled", "snippets/sub", "x"];
    let mut rng = common::Rng(0x2545_f491_4f6c_dd1d);
    let (mut compared, mut refused) = (0, 0);
    for n in 0..common::scale(0).max(80) {
        let dir = scratch.join(format!("tree-{n:03}"));
        std::fs::create_dir_all(dir.join("logs")).expect("logs");
        // Files numbered in reading depth: a file includes only later ones, so no cycle.
        let mut files: Vec<PathBuf> = Vec::new();
        for _ in 0..3 + rng.below(8) {
            let rel = Path::new(dirs[rng.below(dirs.len())]).join(names[rng.below(names.len())]);
            if !files.contains(&rel) {
                files.push(rel);
            }
        }
        // A file includes only files of later directories (a glob matches whole
        // directories), so that there is no cycle but the one made on purpose.
        let level = |rel: &Path| dirs.iter().position(|d| rel.starts_with(d)).unwrap_or(0);
        let include_line = |rng: &mut common::Rng, files: &[PathBuf], above: Option<usize>| -> Option<String> {
            let later: Vec<&PathBuf> = files.iter().filter(|f| above.is_none_or(|a| level(f) > a)).collect();
            let target = later.get(rng.below(later.len().max(1)))?;
            let parent = target.parent().unwrap_or(Path::new("")).display().to_string();
            let written = match rng.below(12) {
                0..=2 => target.display().to_string(),
                3 => dir.join(target).display().to_string(),
                4 | 5 => format!("{parent}/*"),
                6..=8 => format!("{parent}/*.conf"),
                9 | 10 => format!("{}/{parent}/[ab]*", dir.display()),
                _ => format!("{parent}/.*"),
            };
            Some(format!("include {written};\n"))
        };
        for rel in &files {
            let mut text = format!("add_header X-File-{n}-{} v;\n", rel.display());
            for _ in 0..rng.below(3) {
                text.extend(include_line(&mut rng, &files, Some(level(rel))));
            }
            if rng.below(30) == 0 {
                text.push_str(&format!("include {};\n", rel.display()));
            }
            // Included in `http`, a `server` setting is misplaced.
            if rng.below(30) == 0 {
                text.push_str("listen 80;\n");
            }
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).expect("dir");
            std::fs::write(&path, text).expect("write");
        }
        let mut main = String::from("events {}\nhttp {\n");
        for _ in 0..1 + rng.below(4) {
            main.extend(include_line(&mut rng, &files, None));
        }
        if rng.below(8) == 0 {
            main.push_str("include missing.conf;\n");
        }
        main.push_str("}\n");
        std::fs::write(dir.join("nginx.conf"), &main).expect("write main");
        let options = Options { paths: vec![dir.clone()], live: Some(false), ..Options::default() };
        match dumped_files(&dir.join("nginx.conf"), &dir) {
            Ok(theirs) => {
                assert_eq!(tree_files(&options), theirs, "{}:\n{main}", dir.display());
                compared += 1;
            }
            Err(stderr) => {
                // nginx stops at an include that names no file or hands it a directory:
                // atl-lint says so, naming the same path.
                // A cycle crashes nginx with nothing said.
                let named = stderr.split('"').nth(1).unwrap_or_default().to_string();
                let crashed = stderr.trim().is_empty();
                let report = atl_lint::lint(&options).expect("lint");
                if stderr.contains("directive is not allowed here in ") {
                    let at = stderr.lines().next().and_then(|l| l.rsplit_once(" in ")).map(|(_, at)| at.trim());
                    let misplaced = report.diagnostics.iter().any(|d| {
                        let source = report.sources.get(d.primary.span.file);
                        let line = source.map(|s| s.line_col(d.primary.span.start()).0);
                        let place = source.zip(line).map(|(s, l)| format!("{}:{l}", s.path().display()));
                        d.rule == "misplaced-directive" && place.as_deref() == at
                    });
                    assert!(misplaced, "{stderr}\n{main}\n{:#?}", report.diagnostics);
                    refused += 1;
                    continue;
                }
                assert!(crashed || stderr.contains("open()") || stderr.contains("pread()"), "{stderr}\n{main}");
                let said = report.diagnostics.iter().any(|d| {
                    let cycle = crashed && d.message.contains("inside itself");
                    d.rule == "syntax-error" && (cycle || d.message.contains(&format!("\"{named}\"")))
                });
                assert!(said, "{stderr}\n{main}\n{:#?}", report.diagnostics);
                refused += 1;
            }
        }
    }
    eprintln!("nginx include trees: {compared} compared with `nginx -T`, {refused} refused by both");
    assert!(compared >= 20 && refused >= 1, "{compared} compared, {refused} refused");
}
