//! HAProxy: every configuration of HAProxy's own test suite and examples goes through the
//! pipeline without a panic, and `haproxy -c` (2.6) is the oracle for what is refused for a
//! syntax or keyword reason: atl-lint, targeting HAProxy 2.6.12 (`[versions] haproxy`), reports an
//! error on each line haproxy refuses, and no syntax or keyword error on a configuration
//! haproxy accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use atl_lint::diagnostic::{Diagnostic, Severity};
use atl_lint::discover::Found;
use atl_lint::source::FileKind;
use atl_lint::syntax::haproxy::keywords::keywords;
use atl_lint::{lint_found, Options};
use common::{require, shared};

/// The rules that speak for what `haproxy -c` refuses before it starts anything.
const SYNTAX_RULES: [&str; 6] = [
    "syntax-error",
    "unknown-directive",
    "removed-directive",
    "misplaced-directive",
    "haproxy-acl-undefined",
    "haproxy-backend-undefined",
];

/// Stands for "some line": HAProxy and atl-lint name different lines for the same problem.
const ANY_LINE: usize = 0;

/// Fragments of haproxy's messages for refusals of syntax or keyword kind.
const SYNTAX_MESSAGES: [&str; 24] = [
    "has the same name as",
    "no such ACL",
    "missing closing '}'",
    "unable to find required",
    "unknown keyword",
    "unmatched quote",
    "unmatched brace",
    "forbidden first char",
    "truncated or invalid hexadecimal",
    "too many words",
    "Missing LF",
    "Stray NUL",
    "not supported anymore",
    "not supported any more",
    "doesn't exist anymore",
    "unknown directive",
    "non-terminated '.if'",
    "with no matching '.if'",
    "after '.else'",
    "unparsable conditional",
    "Unexpected argument",
    "not allowed in",
    "but got '",
    "unknown option",
];

fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["corpus/haproxy-regtests", "corpus/haproxy-examples", "corpus/real/haproxy"] {
        if let Ok(entries) = std::fs::read_dir(shared().join(dir)) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.push(shared().join("corpus/debian12/etc/haproxy/haproxy.cfg"));
    files.retain(|p| p.is_file());
    files.sort();
    files
}

/// atl-lint's error lines from the syntax rules, and whether it found any.
fn lint_lines(path: &Path) -> BTreeSet<usize> {
    let bytes = std::fs::read(path).expect("corpus file");
    let found = vec![Found::new(path.to_path_buf(), Some(FileKind::Haproxy), Ok(bytes))];
    let mut options = Options::default();
    options.config.versions.push(("haproxy".into(), "2.6.12".into()));
    let report = lint_found(found, &options);
    let line_of =
        |d: &Diagnostic| report.sources.get(d.primary.span.file).map(|f| f.line_col(d.primary.span.start()).0);
    let errors = report.diagnostics.iter().filter(|d| SYNTAX_RULES.contains(&d.rule) && d.severity == Severity::Error);
    let mut lines: BTreeSet<usize> = errors.clone().filter_map(line_of).collect();
    // A section the targeted line lacks is reported once, at its header; haproxy refuses each
    // line inside it as well, up to the next section.
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
    let numbered: Vec<(usize, Option<&str>)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.split_whitespace().next())).collect();
    let is_header = |word: Option<&str>| word.is_some_and(|w| keywords().sections.contains(w));
    for header in errors.filter(|d| d.message.contains("needs HAProxy")).filter_map(line_of) {
        let body = numbered.iter().skip(header).take_while(|(_, word)| !is_header(*word)).map(|(n, _)| *n);
        lines.extend(body);
    }
    lines
}

/// The lines haproxy refuses for a syntax or keyword reason (empty: accepted, or refused
/// for another reason only), and whether it refused at all.
fn haproxy_lines(path: &Path) -> (BTreeSet<usize>, bool) {
    let dir = path.parent().unwrap_or(Path::new("."));
    let output = Command::new("haproxy").arg("-c").arg("-f").arg(path).current_dir(dir).output().expect("run haproxy");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let name = path.to_string_lossy();
    let mut lines = BTreeSet::new();
    for line in stderr.lines().filter(|l| l.contains("[ALERT]")) {
        // Names a Lua script registers exist only when the script loads (here it cannot).
        if !SYNTAX_MESSAGES.iter().any(|m| line.contains(m)) || line.contains("'lua.") {
            continue;
        }
        // "no such ACL" after an `acl` line that haproxy refused (an unknown fetch method, which
        // atl-lint does not judge) is that line's consequence, not a separate problem.
        if let Some(acl) = line.split("no such ACL : '").nth(1).and_then(|r| r.split('\'').next()) {
            if text.lines().any(|l| l.split_whitespace().take(2).eq(["acl", acl])) {
                continue;
            }
        }
        // HAProxy names the last line for an unclosed `.if`; atl-lint names the `.if` itself.
        if line.contains("non-terminated '.if'") {
            lines.insert(ANY_LINE);
            continue;
        }
        let Some(at) = line.find(&format!("{name}:")) else { continue };
        let rest = line.get(at + name.len() + 1..).unwrap_or("");
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(number) = digits.parse() {
            lines.insert(number);
        }
    }
    (lines, output.status.code() == Some(1))
}

#[test]
fn haproxy_corpus_goes_through_the_pipeline() {
    let files = corpus();
    if !require(files.len() > 300, "shared/corpus with HAProxy's test configurations") {
        return;
    }
    for path in &files {
        let _ = lint_lines(path);
    }
}

#[test]
fn haproxy_dash_c_is_the_oracle_for_syntax_and_keywords() {
    let available = Command::new("haproxy").arg("-v").output().is_ok_and(|o| o.status.success());
    if !require(available, "haproxy (Debian package haproxy)") {
        return;
    }
    let with_corpus = !corpus().is_empty()
        || require(false, "shared/corpus with HAProxy's test configurations (the generated ones run alone)");
    let mut refused = 0;
    let mut accepted = 0;
    let mut problems: BTreeMap<String, String> = BTreeMap::new();
    for path in corpus().iter().chain(generated().iter()) {
        let (theirs, failed) = haproxy_lines(path);
        let ours = lint_lines(path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !theirs.is_empty() {
            refused += 1;
            // HAProxy stops at some errors; every line it names must have our error.
            let missed: Vec<&usize> =
                theirs.iter().filter(|l| !ours.contains(l) && (**l != ANY_LINE || ours.is_empty())).collect();
            if !missed.is_empty() {
                problems.insert(name, format!("haproxy refuses lines {theirs:?}, atl-lint reports {ours:?}"));
            }
        } else if !failed {
            accepted += 1;
            if !ours.is_empty() {
                problems.insert(name, format!("haproxy accepts it, atl-lint reports errors on lines {ours:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("atl-lint-haproxy-{}", std::process::id())));
    eprintln!(
        "haproxy oracle: {refused} refused for syntax or keywords, {accepted} accepted, {} disagreements",
        problems.len()
    );
    let least_accepted = if with_corpus { 40 } else { 1 };
    assert!(refused >= 10 && accepted >= least_accepted, "the inputs must exercise both outcomes");
    let listed: Vec<String> = problems.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    assert!(problems.is_empty(), "{}", listed.join("\n"));
}

/// Generated configurations: the Atlassian recipe, then one mutation each.
fn generated() -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("atl-lint-haproxy-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let base = "global\n    log /dev/log local0\n    maxconn 1000\n    ssl-default-bind-options ssl-min-ver TLSv1.2\n\
                defaults\n    mode http\n    option httplog\n    timeout connect 5s\n    timeout client 50s\n    timeout server 50s\n\
                frontend fe\n    bind 127.0.0.1:18080\n    acl is_api path_beg /rest\n    http-request deny if is_api !{ src 127.0.0.1 }\n    use_backend be if is_api\n    default_backend be\n\
                backend be\n    option forwardfor\n    option httpchk GET /status\n    balance roundrobin\n    server s1 127.0.0.1:7990 check maxconn 50\n";
    let mutations: [(&str, &str); 34] = [
        ("    maxconn 1000\n", "    maxconn 1000\n.if 0\n.if foo(a)\n.endif\n.include x\n.notice a b\n.endif\n"),
        ("    maxconn 1000\n", "    maxconn 1000\n.if 1\n.elif foo(a)\n.endif\n.if feature(OPENSSL)\n.else\n    reqadd x\n.endif\n"),
        ("    maxconn 1000\n", "    maxconn 1000\n.if version_atleast(2.6.13)\n    bogus\n.endif\n.if -1\n.endif\n.if 0x10\n.endif\n"),
        ("    use_backend be if is_api\n", "    use_backend be if is_later\n    acl is_later path /later\n"),
        ("    use_backend be if is_api\n", "    use_backend be if { path -i /x\n"),
        ("    use_backend be if is_api\n", "    use_backend be if {path -i / }\n"),
        ("    use_backend be if is_api\n", "    use_backend be if { path / } }\n"),
        ("    default_backend be\n", "    default_backend bee\n"),
        ("frontend fe\n", "defaults named\n    mode http\n    acl is_x path /x\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\nfrontend fe from named\n    http-request deny if is_x\n"),
        ("    bind 127.0.0.1:18080\n", "    bind 127.0.0.1:18080\n    no bind 127.0.0.1:18081\n"),
        ("", ""),
        ("    bind 127.0.0.1:18080\n", "    bindd 127.0.0.1:18080\n"),
        ("    option forwardfor\n", "    option fowardfor\n"),
        ("check maxconn 50", "chek maxconn 50"),
        ("    balance roundrobin\n", "    balance roundrobin\n    reqadd X-Proto:\\ https\n"),
        ("    balance roundrobin\n", "    balance roundrobin\n    option forceclose\n"),
        ("    balance roundrobin\n", "    balance roundrobin\n    appsession JSESSIONID len 52 timeout 3h\n"),
        ("    timeout server 50s\n", "    timeout server 50s\n    bind 127.0.0.1:18081\n"),
        ("    timeout server 50s\n", "    timeout server 50s\n    acl x path /\n"),
        ("global\n", "mode http\nglobal\n"),
        ("    use_backend be if is_api\n", "    use_backend be if \"is_api\n"),
        ("    use_backend be if is_api\n", "    http-request set-header X-A \"${}\"\n"),
        ("    use_backend be if is_api\n", "    http-request set-header X-A a\\xZZ\n"),
        ("    use_backend be if is_api\n", "    http-request frobnicate\n"),
        ("    maxconn 1000\n", "    maxconn 1000\n    daemonn\n"),
        ("    maxconn 1000\n", "    maxconn 1000\n.if 1\n    daemon\n"),
        ("    maxconn 1000\n", "    maxconn 1000\n.endif\n"),
        ("    maxconn 1000\n", "    maxconn 1000\n.include other.cfg\n"),
        (
            "    maxconn 1000\n",
            "    maxconn 1000\n.if version_atleast(2.4)\n    daemon\n.else\n    bogus-keyword\n.endif\n",
        ),
        ("    maxconn 1000\n", "    maxconn 1000\n.notice \"hello\" extra\n"),
        ("    maxconn 1000\n", "    maxconn 1000 # trailing comment\n    log-tag \"haproxy\"'-'bitbucket\n"),
        ("    bind 127.0.0.1:18080\n", "    bind 127.0.0.1:18080\n    bind 127.0.0.1:18443 ssl-min-ver TLSv1.3\n"),
        ("    server s1", "    default-server inter 3s fall 3\n    server s1"),
        ("    option httpchk GET /status\n", "    option httpchk\n    http-check send meth GET uri /status\n"),
    ];
    let mut paths: Vec<PathBuf> = mutations
        .iter()
        .enumerate()
        .map(|(i, (from, to))| {
            let text = if from.is_empty() { base.to_string() } else { base.replacen(from, to, 1) };
            let path = dir.join(format!("generated-{i:02}.cfg"));
            std::fs::write(&path, text).expect("write generated config");
            path
        })
        .collect();
    // Then two or three mutations at once, as many as asked for (none by default).
    let mut rng = common::Rng(0x2545_f491_4f6c_dd1d);
    let mut next = |n: usize| rng.below(n);
    for i in 0..common::scale(0) {
        let mut text = base.to_string();
        for _ in 0..2 + next(2) {
            let (from, to) = mutations[next(mutations.len())];
            if !from.is_empty() {
                text = text.replacen(from, to, 1);
            }
        }
        let path = dir.join(format!("combined-{i:05}.cfg"));
        std::fs::write(&path, text).expect("write generated config");
        paths.push(path);
    }
    paths
}
