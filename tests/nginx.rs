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
