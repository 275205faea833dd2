//! Tests of the built binary: exit codes, formats, `explain`, `rules`, stdin, secrets,
//! discovery on hostile directories.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::temp_dir;

fn atl_lint() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atl-lint"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("FORCE_COLOR")
        .env_remove("FORCE_HYPERLINK")
        .env("NO_COLOR", "1");
    command
}

fn run(args: &[&str]) -> Output {
    atl_lint().args(args).output().expect("run atl-lint")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = run(&all);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)))
}

/// A fresh directory under the system temp dir, removed when the guard drops.
#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(run(&["fixtures/connector/connector-secure-missing.ok.xml"]).status.code(), Some(0));
    assert_eq!(run(&["fixtures/connector/connector-secure-missing.xml"]).status.code(), Some(1));
    assert_eq!(run(&["--fail-on", "never", "fixtures/connector/connector-secure-missing.xml"]).status.code(), Some(0));
    // A warning alone does not fail `--fail-on error`, and does fail the default.
    assert_eq!(run(&["fixtures/context_path/context-path-root-slash.xml"]).status.code(), Some(1));
    assert_eq!(
        run(&["--fail-on", "error", "fixtures/context_path/context-path-root-slash.xml"]).status.code(),
        Some(0)
    );
    // Info never fails by default.
    assert_eq!(run(&["fixtures/syntax/file-skipped.xml"]).status.code(), Some(0));
    assert_eq!(run(&["--fail-on", "info", "fixtures/syntax/file-skipped.xml"]).status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let missing = run(&["no/such/path"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no/such/path"), "{}", stderr(&missing));
    let unknown = run(&["--select", "connector-secure-mising", "fixtures"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean `connector-secure-missing`"), "{}", stderr(&unknown));
    assert_eq!(run(&["--format", "yaml", "fixtures"]).status.code(), Some(2));
    assert_eq!(run(&["--config", "no-such.toml", "fixtures"]).status.code(), Some(2));
    // A file named on the command line that cannot be read is a usage error, not a finding.
    let unreadable = run(&["fixtures/cross/file-unreadable/server.xml"]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(stderr(&unreadable).contains("fixtures/cross/file-unreadable/server.xml"));
}

#[test]
fn json_report_has_the_v1_shape_with_one_based_positions() {
    let raw = stdout(&run(&["--format", "json", "fixtures/base_url/base-url-drift.properties"]));
    let order: Vec<usize> = ["\"version\"", "\"tool\"", "\"files\"", "\"diagnostics\"", "\"summary\""]
        .iter()
        .map(|k| raw.find(k).unwrap_or(usize::MAX))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "top-level keys in the documented order: {raw}");
    let report = json(&["fixtures/base_url/base-url-drift.properties"]);
    let mut keys: Vec<&str> = report.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["diagnostics", "files", "summary", "tool", "version"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "atl-lint");
    assert_eq!(report["files"][0]["path"], "fixtures/base_url/base-url-drift.properties");
    assert_eq!(report["files"][0]["kind"], "bitbucket-properties");
    let drift =
        report["diagnostics"].as_array().expect("array").iter().find(|d| d["rule"] == "base-url-drift").expect("drift");
    let mut keys: Vec<&str> = drift.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "column",
            "end_column",
            "end_line",
            "fingerprint",
            "help",
            "label",
            "line",
            "message",
            "path",
            "related",
            "rule",
            "severity"
        ]
    );
    // `setup.baseUrl=https://git.example.com/bitbucket` is line 3; the value starts at column 15.
    assert_eq!((drift["line"].as_u64(), drift["column"].as_u64()), (Some(3), Some(15)));
    assert_eq!((drift["end_line"].as_u64(), drift["end_column"].as_u64()), (Some(3), Some(47)));
    assert_eq!(drift["severity"], "error");
    let related = drift["related"].as_array().expect("related");
    let lines: Vec<u64> = related.iter().filter_map(|r| r["line"].as_u64()).collect();
    assert_eq!(lines, [7, 5], "proxy port, then context path: the order of the message");
    assert_eq!(related[1]["message"], "connector path");
    assert!(drift["message"].as_str().is_some_and(|m| m.contains("path `/bitbucket` vs `server.context-path=/git`")));
    assert_eq!(drift["fingerprint"].as_str().map(str::len), Some(16));
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn fingerprints_survive_edits_elsewhere_in_the_file() {
    let dir = temp_dir("fingerprint");
    let original = std::fs::read_to_string("fixtures/connector/connector-secure-missing.xml").expect("fixture");
    let path = dir.join("server.xml");
    std::fs::write(&path, &original).expect("write");
    let before = json(&[path.to_str().expect("utf-8 path")]);
    std::fs::write(&path, original.replacen("<Server", "<!-- a new comment\n     over two lines -->\n<Server", 1))
        .expect("write");
    let after = json(&[path.to_str().expect("utf-8 path")]);
    let d0 = &before["diagnostics"][0];
    let d1 = &after["diagnostics"][0];
    assert_eq!(d1["line"].as_u64(), d0["line"].as_u64().map(|l| l + 2));
    assert_eq!(d0["fingerprint"], d1["fingerprint"]);
}

#[test]
fn diagnostics_are_sorted_by_path_line_column_rule() {
    let report = json(&["fixtures"]);
    let keys: Vec<(String, u64, u64, String)> = report["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            let text = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (text("path"), d["line"].as_u64().unwrap_or(0), d["column"].as_u64().unwrap_or(0), text("rule"))
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(keys.len() > 30);
}

#[test]
fn human_report_shows_the_line_and_underlines_the_span() {
    let output = run(&["fixtures/connector/connector-secure-missing.xml"]);
    let text = stdout(&output);
    assert!(text.contains("error[connector-secure-missing]"), "{text}");
    assert!(text.contains("fixtures/connector/connector-secure-missing.xml:10:20"), "{text}");
    assert!(text.contains(r#"scheme="https" proxyName="jira.example.com" proxyPort="443"/>"#), "{text}");
    assert!(text.contains("───────┬──────"), "the 14 characters of scheme=\"https\" are underlined:\n{text}");
    assert!(text.contains("help: add `secure=\"true\"`"), "{text}");
    assert!(!text.contains('\u{1b}'), "NO_COLOR means no escapes");
    assert_eq!(stderr(&output).trim(), "1 error, 0 warnings, 0 info in 1 file; 1 fixable with `--fix`");
    let quiet = run(&["-q", "fixtures/connector/connector-secure-missing.xml"]);
    assert_eq!(stderr(&quiet), "");
    let colored = run(&["--color", "always", "fixtures/connector/connector-secure-missing.xml"]);
    assert!(stdout(&colored).contains('\u{1b}'));
}

#[test]
fn select_ignore_and_min_severity_filter_findings() {
    let all = json(&["fixtures/tomcat/unknown-attribute.xml", "fixtures/context_path/context-path-duplicate.xml"]);
    let rules = |report: &serde_json::Value| -> Vec<String> {
        report["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|d| d["rule"].as_str().map(String::from))
            .collect()
    };
    assert!(rules(&all).contains(&"unknown-attribute".to_string()));
    assert!(rules(&all).contains(&"context-path-duplicate".to_string()));
    let selected = json(&[
        "--select",
        "unknown-attribute",
        "fixtures/tomcat/unknown-attribute.xml",
        "fixtures/context_path/context-path-duplicate.xml",
    ]);
    assert!(rules(&selected).iter().all(|r| r == "unknown-attribute"));
    let ignored = json(&[
        "--ignore",
        "unknown-attribute,context-path-root-slash,obsolete-attribute",
        "fixtures/tomcat/unknown-attribute.xml",
    ]);
    assert!(rules(&ignored).is_empty());
    let errors_only = json(&[
        "--min-severity",
        "error",
        "fixtures/tomcat/unknown-attribute.xml",
        "fixtures/context_path/context-path-duplicate.xml",
    ]);
    assert_eq!(rules(&errors_only), ["context-path-duplicate"]);
}

#[test]
fn explain_prints_the_rule_docs() {
    let output = run(&["explain", "connector-scheme-missing"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for part in [
        "# connector-scheme-missing",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "Use instead:",
        "scheme=\"https\"",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let unknown = run(&["explain", "context-path-rootslash"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("`context-path-root-slash`"), "{}", stderr(&unknown));
}

#[test]
fn rules_lists_every_rule_in_each_format() {
    let text = stdout(&run(&["rules"]));
    let listed =
        serde_json::from_slice::<serde_json::Value>(&run(&["rules", "--format", "json"]).stdout).expect("json");
    let markdown = stdout(&run(&["rules", "--format", "markdown"]));
    let ids: Vec<&str> = listed.as_array().expect("array").iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), atl_lint::rules::ALL.len());
    for id in ids {
        assert!(text.lines().any(|l| l.starts_with(id)), "{id}");
        assert!(markdown.contains(&format!("| `{id}` |")), "{id}");
    }
    let first = &listed[0];
    assert!(first["severity"].is_string() && first["formats"].is_array() && first["summary"].is_string());
}

#[test]
fn standard_input_is_linted_under_its_given_name() {
    let mut child = atl_lint()
        .args([
            "--format",
            "json",
            "--stdin-kind",
            "properties",
            "--stdin-filename",
            "shared/bitbucket.properties",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(b"server.scheme=https\nserver.secure=false\njdbc.password=Tops3cret!\n").expect("write");
    drop(input);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["files"][0]["path"], "shared/bitbucket.properties");
    assert_eq!(report["diagnostics"][0]["rule"], "connector-secure-missing");
    assert_eq!(report["diagnostics"][0]["line"], 2);
}

#[test]
fn secret_values_never_appear_in_any_output() {
    let dir = temp_dir("secrets");
    let shared = dir.join("bitbucket/shared");
    std::fs::create_dir_all(&shared).expect("dir");
    std::fs::write(
        shared.join("bitbucket.properties"),
        "setup.baseUrl=https://admin:Url-Pa55word@git.example.com/\n\
         jdbc.url=jdbc:postgresql://bb:Jdbc-Pa55word@db/bitbucket\n\
         jdbc.password=Jdbc-Pa55word\n\
         server.ssl.key-store-password=Store-Pa55word\n\
         server.ssl.key-password=Key-Pa55word\n\
         jdbc.password=Second-Pa55word\n\
         server.scheme=https\n",
    )
    .expect("write");
    std::fs::write(
        shared.join("server.xml"),
        "<Server port=\"8005\"><Service name=\"Catalina\">\n\
         <Connector port=\"8443\" scheme=\"https\" keystorePass=\"Keystore-Pa55word\" keystorePasss=\"Typo-Pa55word\"/>\n\
         <Connector port=\"8009\" protocol=\"AJP/1.3\" address=\"0.0.0.0\" secret=\"Ajp-Pa55word\" secretRequired=\"false\"/>\n\
         <Engine name=\"Catalina\"><Host name=\"localhost\"><Context path=\"/\"/></Host></Engine></Service></Server>\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("extra.properties"),
        "setup.baseUrl=https\\://admin:Escaped-Pa55word@git.example.com/x\n\
         server.proxy-name=https://u:pw@other.example.com\n\
         jdbc.password=Multi\\\n    Line-Pa55word\n\
         #jdbc.password=Commented-Pa55word\n\
         server.context-path=/x/\n\
         jdbc.url=jdbc:postgresql://db/bitbucket\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("old-server.xml"),
        "<Server><Service>\n<!-- <Connector keystorePass=\"Comment-Pa55word\"/> -->\n\
         <Connector port=\"80\" keystorePass=\"Tr&ust;Me-Pa55word\" proxyName=\"https://u:Entity&amp;Pa55word@h\"/>\n\
         <Connector port=\"80\"/></Service></Server>\n",
    )
    .expect("write");
    let secrets = [
        "Url-Pa55word",
        "Jdbc-Pa55word",
        "Store-Pa55word",
        "Key-Pa55word",
        "Second-Pa55word",
        "Keystore-Pa55word",
        "Typo-Pa55word",
        "Ajp-Pa55word",
        "Escaped-Pa55word",
        ":pw@",
        "Line-Pa55word",
        "Commented-Pa55word",
        "Comment-Pa55word",
        "Me-Pa55word",
        "ust;",
        "Entity",
    ];
    let target = dir.to_str().expect("utf-8 path");
    for format in ["human", "json"] {
        let output = run(&["--format", format, "--color", "always", target]);
        let all = format!("{}{}", stdout(&output), stderr(&output));
        for rule in ["property-duplicate-key", "bitbucket-server-xml-ignored", "base-url-drift", "syntax-error"] {
            assert!(all.contains(rule), "{rule} in {all}");
        }
        for secret in secrets {
            assert!(!all.contains(secret), "{secret} leaked in {format} output:\n{all}");
        }
    }
}

#[test]
fn report_goes_to_the_output_file_and_never_over_a_linted_file() {
    let dir = temp_dir("output");
    let report = dir.join("report.json");
    let output =
        run(&["-f", "json", "-o", report.to_str().expect("path"), "fixtures/connector/connector-secure-missing.xml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("1 error"), "a summary still goes to stderr");
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(written["summary"]["errors"], 1);

    let config = dir.join("server.xml");
    let original = std::fs::read("fixtures/connector/connector-secure-missing.xml").expect("fixture");
    std::fs::write(&config, &original).expect("write");
    let refused = run(&["-o", config.to_str().expect("path"), config.to_str().expect("path")]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(std::fs::read(&config).expect("read"), original, "the linted file is untouched");
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let mut child = atl_lint().args(["fixtures"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    let _ = out.read(&mut first);
    drop(out);
    let output = child.wait_with_output().expect("wait");
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    assert_ne!(output.status.code(), Some(101));
}

/// Waits for a child with a deadline, so a hang fails the test instead of the suite.
fn wait_with_deadline(mut child: std::process::Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("atl-lint did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn hostile_directories_finish_promptly_and_lint_everything_else() {
    use std::os::unix::fs::{symlink, PermissionsExt};

    let dir = temp_dir("hostile");
    let conf = dir.join("opt/atlassian/jira/conf");
    std::fs::create_dir_all(&conf).expect("dir");
    std::fs::copy("fixtures/connector/connector-secure-missing.xml", conf.join("server.xml")).expect("copy");
    // A FIFO where a config is expected: opening it would block forever.
    let fifo = dir.join("haproxy.cfg");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    assert!(made, "mkfifo");
    // A symlink loop.
    symlink(&dir, dir.join("opt/loop")).expect("symlink loop");
    // A file that cannot be read: an I/O error, whoever runs the test (root included).
    let shared = dir.join("var/bitbucket/shared");
    std::fs::create_dir_all(&shared).expect("dir");
    symlink("/proc/self/mem", shared.join("bitbucket.properties")).expect("symlink");
    // A file without read permission (effective only when not running as root).
    let locked = dir.join("etc/tomcat/server.xml");
    std::fs::create_dir_all(locked.parent().expect("parent")).expect("dir");
    std::fs::write(&locked, "<Server><Service><Connector port=\"8080\"/></Service></Server>").expect("write");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Binary content under a configuration name.
    std::fs::write(dir.join("etc/tomcat/old-server.xml"), b"\x00\x01\x02binary\x00").expect("write");

    let child = atl_lint()
        .args(["--format", "json", dir.to_str().expect("path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let output = wait_with_deadline(child, Duration::from_secs(20));
    let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let found = |rule: &str, path_end: &str| {
        report["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .any(|d| d["rule"] == rule && d["path"].as_str().is_some_and(|p| p.ends_with(path_end)))
    };
    assert!(found("connector-secure-missing", "opt/atlassian/jira/conf/server.xml"), "{report}");
    // A link into `/proc` is never followed, not even in live mode.
    assert!(found("file-skipped", "shared/bitbucket.properties"), "{report}");
    assert!(found("file-skipped", "etc/tomcat/old-server.xml"), "{report}");
    let paths: Vec<&str> =
        report["files"].as_array().expect("files").iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(
        paths.iter().filter(|p| p.ends_with("jira/conf/server.xml")).count(),
        1,
        "linted once despite the loop: {paths:?}"
    );
    assert!(!paths.iter().any(|p| p.ends_with("haproxy.cfg")), "the FIFO is never opened");
}

#[test]
fn graph_shows_public_url_frontend_route_connector_and_app_with_their_lines() {
    let output = run(&["graph", "fixtures/e2e/apache-name-based-vhosts"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let jira = text.find("https://jira.example.com/\n").expect("Jira's public URL heads a chain");
    let chain: Vec<&str> = text.get(jira..).unwrap_or("").lines().take(5).collect();
    assert!(
        chain[1].contains("frontend   <VirtualHost *:443> (port 443, TLS)") && chain[1].contains("conf.d/jira.conf:2)")
    );
    assert!(chain[2].contains("route      / → http://localhost:8080/") && chain[2].contains("conf.d/jira.conf:15)"));
    assert!(chain[3].contains("connector  :8080 (scheme https, secure, proxyName jira.example.com, proxyPort 443)"));
    assert!(chain[4].contains("app        Jira at /") && chain[4].contains("jira/conf/server.xml:17)"));
    assert!(text.contains("unlinked routes:\n  /synchrony → ws://localhost:8091/synchrony"), "{text}");
    let dot = stdout(&run(&["graph", "--format", "dot", "fixtures/e2e/stash-context-path"]));
    assert!(dot.starts_with("digraph atl_lint {") && dot.contains("r0 -> c0;"), "{dot}");
    let mermaid = stdout(&run(&["graph", "-f", "mermaid", "fixtures/e2e/stash-context-path"]));
    assert!(mermaid.starts_with("flowchart TB\n") && mermaid.contains("c0 --> a0"), "{mermaid}");
    // Top to bottom, a rank a stage; each edge once; what nothing links dashed and grey.
    let dot = stdout(&run(&["graph", "--format", "dot", "fixtures/e2e/apache-name-based-vhosts"]));
    assert!(dot.contains("rankdir=TB;") && dot.contains("{ rank=same; "), "{dot}");
    let edges: Vec<&str> = dot.lines().filter(|l| l.contains(" -> ")).collect();
    let unique: std::collections::HashSet<&&str> = edges.iter().collect();
    assert_eq!(edges.len(), unique.len(), "{dot}");
    let synchrony = dot.lines().find(|l| l.contains("/synchrony → ws://")).expect("the unlinked route");
    assert!(synchrony.contains("style=dashed"), "{synchrony}");
    let linked = dot.lines().find(|l| l.contains("jira.conf:15")).expect("a linked route");
    assert!(!linked.contains("style=dashed"), "{linked}");
    // Template values are shown as written.
    let dot = stdout(&run(&["graph", "--format", "dot", "fixtures/e2e/templates"]));
    assert!(dot.contains("<%= @context_path %>") && dot.contains(":{{ jira_port }}"), "{dot}");
    assert!(!dot.contains("__"), "a masked template value leaks: {dot}");
}

#[test]
fn a_declared_base_url_is_checked_against_connector_and_proxy() {
    let report =
        json(&["--base-url", "jira=https://jira.other.example.com/jira", "fixtures/e2e/apache-two-apps-one-vhost"]);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1, "{report:#}");
    let finding = &diagnostics[0];
    assert_eq!(finding["rule"], "base-url-drift");
    assert_eq!(finding["path"], "--base-url");
    assert_eq!(finding["column"], 6);
    let related: Vec<String> = finding["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| format!("{}:{}", r["path"].as_str().unwrap_or(""), r["line"]))
        .collect();
    assert!(related.iter().any(|r| r.ends_with("opt/atlassian/jira/conf/server.xml:14")), "{related:?}");
    assert!(related.iter().any(|r| r.ends_with("sites-enabled/atlassian.conf:4")), "{related:?}");
    // In SARIF a command-line value is in no file: a logical location, no physical one.
    let sarif = run(&[
        "-f",
        "sarif",
        "--base-url",
        "jira=https://jira.other.example.com/jira",
        "fixtures/e2e/apache-two-apps-one-vhost",
    ]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    let location = &sarif["runs"][0]["results"][0]["locations"][0];
    assert!(location.get("physicalLocation").is_none(), "{location:#}");
    assert_eq!(location["logicalLocations"][0]["fullyQualifiedName"], "--base-url[1]", "{location:#}");
    let malformed = run(&[
        "--base-url",
        "bitbucket=https://atlassian.example.com/bitbucket/",
        "fixtures/e2e/apache-two-apps-one-vhost",
    ]);
    assert!(stderr(&malformed).contains("1 error"), "{}", stderr(&malformed));
    assert!(stdout(&malformed).contains("error[base-url-malformed]"), "{}", stdout(&malformed));
}

/// A repository with a config file: a remapped severity, an ignored rule, a known
/// third-party directive, a declared base URL and one accepted (baseline) finding.
fn configured_repository(name: &str) -> common::TempDir {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.join("sites")).expect("mkdir");
    std::fs::create_dir_all(dir.join("jira/conf")).expect("mkdir");
    std::fs::write(
        dir.join(".atl-lint.toml"),
        "fail-on = \"error\"\nignore = [\"haproxy-acl-unused\"]\nknown-directives = [\"SecRuleEngine\"]\n\n[rules.legacy-access-control]\nseverity = \"error\"\n\n[[app]]\nname = \"jira\"\nbase-url = \"https://jira.example.com/jira-old\"\n\n[[ignore-finding]]\nrule = \"proxypass-trailing-slash\"\npath = \"sites/jira.conf\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("sites/jira.conf"),
        "<VirtualHost *:443>\n    ServerName jira.example.com\n    SSLEngine on\n    ProxyPreserveHost On\n    SecRuleEngine On\n    <Location /jira>\n        Order allow,deny\n    </Location>\n    ProxyPass /jira http://localhost:8080/jira/\n    ProxyPassReverse /jira http://localhost:8080/jira/\n</VirtualHost>\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("jira/conf/server.xml"),
        "<Server port=\"8005\" shutdown=\"SHUTDOWN\"><Service name=\"Catalina\">\n<Connector relaxedPathChars=\"[]|\" relaxedQueryChars=\"[]|{}^\" port=\"8080\" proxyName=\"jira.example.com\" proxyPort=\"443\" scheme=\"https\" secure=\"true\"/>\n<Engine name=\"Catalina\" defaultHost=\"localhost\"><Host name=\"localhost\" appBase=\"webapps\">\n<Context path=\"/jira\" docBase=\"atlassian-jira\"/>\n</Host></Engine></Service></Server>\n",
    )
    .expect("write");
    dir
}

fn rules_and_severities(report: &serde_json::Value) -> Vec<String> {
    let diagnostics = report["diagnostics"].as_array().cloned().unwrap_or_default();
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["rule"].as_str().unwrap_or(""),
                d["severity"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_config_file_remaps_ignores_declares_and_accepts_exactly() {
    let dir = configured_repository("config");
    let output = atl_lint().current_dir(&*dir).args(["-f", "json", "sites", "jira"]).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        rules_and_severities(&report),
        [".atl-lint.toml:10 base-url-drift error", "sites/jira.conf:7 legacy-access-control error",],
        "{report:#}"
    );
    // `fail-on = "error"` in the file: the errors fail the run.
    assert_eq!(output.status.code(), Some(1));
    // --fail-on on the command line wins over the file.
    let never = atl_lint().current_dir(&*dir).args(["--fail-on", "never", "sites", "jira"]).output().expect("run");
    assert_eq!(never.status.code(), Some(0));
    // --no-config: the defaults (the trailing slash is reported, SecRuleEngine is unknown).
    let bare =
        atl_lint().current_dir(&*dir).args(["-f", "json", "--no-config", "sites", "jira"]).output().expect("run");
    let bare: serde_json::Value = serde_json::from_slice(&bare.stdout).expect("json");
    let found = rules_and_severities(&bare);
    assert!(found.iter().any(|f| f.contains("proxypass-trailing-slash")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("unknown-directive")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("legacy-access-control warning")), "{found:?}");
}

#[test]
fn an_unknown_config_key_or_rule_is_a_usage_error_with_a_suggestion() {
    let dir = configured_repository("config-bad");
    std::fs::write(dir.join(".atl-lint.toml"), "fail_on = \"error\"\n").expect("write");
    let output = atl_lint().current_dir(&*dir).arg("sites").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown key `fail_on` in the config file; did you mean `fail-on`?"),
        "{}",
        stderr(&output)
    );
    std::fs::write(dir.join(".atl-lint.toml"), "ignore = [\"proxypass-trailing-slahs\"]\n").expect("write");
    let output = atl_lint().current_dir(&*dir).arg("sites").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `proxypass-trailing-slash`?"), "{}", stderr(&output));
    std::fs::write(dir.join(".atl-lint.toml"), "[rules.tls-legacy-protocol]\nseverty = \"error\"\n").expect("write");
    let output = atl_lint().current_dir(&*dir).arg("sites").output().expect("run");
    assert!(stderr(&output).contains("did you mean `rules.tls-legacy-protocol.severity`?"), "{}", stderr(&output));
}

#[test]
fn a_written_baseline_accepts_every_current_finding_and_only_those() {
    let dir = configured_repository("baseline");
    std::fs::write(dir.join(".atl-lint.toml"), "# team settings\nfail-on = \"warning\"\n").expect("write");
    let before = atl_lint().current_dir(&*dir).arg(".").output().expect("run");
    assert_eq!(before.status.code(), Some(1));
    let written =
        atl_lint().current_dir(&*dir).args(["--write-baseline", ".atl-lint.toml", "."]).output().expect("run");
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let config = std::fs::read_to_string(dir.join(".atl-lint.toml")).expect("read");
    assert!(config.starts_with("# team settings\nfail-on = \"warning\"\n"), "{config}");
    assert!(
        config.contains(
            "[[ignore-finding]]\nrule = \"proxypass-trailing-slash\"\npath = \"sites/jira.conf\"\nfingerprint = "
        ),
        "{config}"
    );
    let after = atl_lint().current_dir(&*dir).arg(".").output().expect("run");
    assert_eq!(after.status.code(), Some(0), "{}{}", stdout(&after), stderr(&after));
    // A new finding is not in the baseline.
    let vhost = std::fs::read_to_string(dir.join("sites/jira.conf")).expect("read");
    std::fs::write(
        dir.join("sites/jira.conf"),
        vhost.replace("</VirtualHost>", "    ProxyRequests On\n</VirtualHost>"),
    )
    .expect("write");
    let new = atl_lint().current_dir(&*dir).args(["-f", "json", "."]).output().expect("run");
    let report: serde_json::Value = serde_json::from_slice(&new.stdout).expect("json");
    assert_eq!(rules_and_severities(&report), ["sites/jira.conf:11 proxy-open-forward error"]);
    // Writing again replaces the earlier baseline.
    atl_lint().current_dir(&*dir).args(["--write-baseline", ".atl-lint.toml", "."]).output().expect("run");
    let config = std::fs::read_to_string(dir.join(".atl-lint.toml")).expect("read");
    assert_eq!(config.matches("atl-lint baseline: begin").count(), 1, "{config}");
}

#[test]
fn a_baseline_entry_that_accepts_nothing_is_reported_where_it_is_written() {
    let dir = configured_repository("baseline-stale");
    std::fs::write(
        dir.join(".atl-lint.toml"),
        "ignore = [\"legacy-access-control\"]\nknown-directives = [\"SecRuleEngine\"]\n\n[[ignore-finding]]\nrule = \"proxypass-trailing-slash\"\npath = \"sites/jira.conf\"\n\n[[ignore-finding]]\nrule = \"proxy-open-forward\"\npath = \"sites/jira.conf\"\n\n[[ignore-finding]]\nrule = \"proxy-open-forward\"\npath = \"sites/old.conf\"\n\n[[ignore-finding]]\nrule = \"connector-scheme-missing\"\npath = \"jira/conf/server.xml\"\n\n[[ignore-finding]]\nrule = \"legacy-access-control\"\npath = \"sites/jira.conf\"\n",
    )
    .expect("write");
    let findings = |args: &[&str]| {
        let output = atl_lint().current_dir(&*dir).args(["--no-live", "-f", "json"]).args(args).output().expect("run");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        let labels: Vec<String> = report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| d["label"].as_str().unwrap_or("").to_string())
            .collect();
        (rules_and_severities(&report), labels, output.status.code())
    };
    // The first entry accepts the trailing-slash finding; the second names a linted file
    // with nothing to accept; the third a file that is gone from the directory linted. The
    // server.xml entry is about a file this run does not read, the last about a rule that
    // does not run: neither is judged.
    let (found, labels, code) = findings(&["sites"]);
    assert_eq!(
        found,
        [".atl-lint.toml:9 unused-suppression warning", ".atl-lint.toml:13 unused-suppression warning"],
        "{labels:?}"
    );
    assert_eq!(
        labels,
        [
            "`proxy-open-forward` reports nothing in `sites/jira.conf`: the entry is stale",
            "`sites/old.conf` no longer exists: the entry is stale"
        ]
    );
    assert_eq!(code, Some(1));
    // From the whole repository the server.xml entry is judged too (its connector is right).
    let (found, _, _) = findings(&["."]);
    let stale: Vec<&String> = found.iter().filter(|f| f.contains("unused-suppression")).collect();
    assert_eq!(stale.len(), 3, "{found:?}");
    assert!(found.iter().any(|f| f == ".atl-lint.toml:17 unused-suppression warning"), "{found:?}");
    // A run that leaves unused-suppression out judges nothing.
    let (found, _, code) = findings(&["--ignore", "unused-suppression", "sites"]);
    assert_eq!((found, code), (Vec::<String>::new(), Some(0)));
    // The human report shows the entry in the config file.
    let human = atl_lint().current_dir(&*dir).args(["--no-live", "--color", "never", "sites"]).output().expect("run");
    assert!(
        stdout(&human).contains("warning[unused-suppression]: baseline entry accepts nothing"),
        "{}",
        stdout(&human)
    );
    assert!(stdout(&human).contains("rule = \"proxy-open-forward\""), "{}", stdout(&human));
    // `.` holds the files found under it (named `sites/jira.conf`, without `./`).
    let dot = atl_lint().current_dir(&*dir).args(["--no-live", "."]).output().expect("run");
    assert!(!stderr(&dot).contains("holds no file"), "{}", stderr(&dot));
}

#[test]
fn a_baseline_and_fingerprints_do_not_depend_on_the_working_directory() {
    let dir = configured_repository("baseline-anywhere");
    std::fs::write(dir.join(".atl-lint.toml"), "fail-on = \"info\"\n").expect("write");
    let parent = dir.parent().expect("parent").to_path_buf();
    let name = dir.file_name().expect("name").to_string_lossy().into_owned();
    let sarif = |cwd: &std::path::Path, path: &str| {
        let output = atl_lint().current_dir(cwd).args(["--no-live", "-f", "sarif", path]).output().expect("run");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("sarif");
        let results = report["runs"][0]["results"].as_array().expect("results").clone();
        let base = report["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().map(str::to_string);
        let located: Vec<String> = results
            .iter()
            .map(|r| {
                let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                format!(
                    "{} {} {} {}",
                    r["ruleId"],
                    artifact["uri"],
                    artifact["uriBaseId"],
                    r["partialFingerprints"]["atlLintFingerprint/v1"]
                )
            })
            .collect();
        (located, base)
    };
    let (from_root, base) = sarif(&dir, ".");
    assert!(from_root.len() >= 2, "{from_root:?}");
    assert!(from_root.iter().all(|r| r.contains(" \"sites/jira.conf\" \"%SRCROOT%\" ")), "{from_root:?}");
    let canonical = std::fs::canonicalize(&*dir).expect("canonical");
    assert!(base.as_deref().is_some_and(|b| b.starts_with("file:///") && b.ends_with('/')), "{base:?}");
    assert_eq!(sarif(&parent, &name).0, from_root, "from the parent directory");
    assert_eq!(sarif(&dir.join("sites"), ".").0, from_root, "from a subdirectory");
    assert_eq!(sarif(&canonical.join("jira"), "..").0, from_root, "from another subdirectory, naming the root");

    let written = atl_lint()
        .current_dir(&*dir)
        .args(["--no-live", "--write-baseline", ".atl-lint.toml", "."])
        .output()
        .expect("run");
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    for (cwd, path) in [(dir.to_path_buf(), "."), (parent.clone(), name.as_str()), (dir.join("sites"), ".")] {
        let output = atl_lint().current_dir(&cwd).args(["--no-live", "-f", "json", path]).output().expect("run");
        assert_eq!(output.status.code(), Some(0), "from {}: {}{}", cwd.display(), stdout(&output), stderr(&output));
    }
}

#[test]
fn a_redirect_unless_the_root_path_names_no_public_path() {
    let dir = common::temp_dir("unless");
    let haproxy = |condition: &str| {
        format!(
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 1m\n    timeout server 1m\n\nfrontend www\n    bind *:443 ssl crt /etc/haproxy/site.pem\n    redirect location /bitbucket {condition} {{ path / }}\n    default_backend bitbucket\n\nbackend bitbucket\n    server bb 127.0.0.1:7990\n"
        )
    };
    std::fs::write(
        dir.join("bitbucket.properties"),
        "server.port=7990\nserver.context-path=/bitbucket\nserver.secure=true\nserver.scheme=https\nserver.proxy-port=443\n",
    )
    .expect("write");
    let graph = |condition: &str| {
        std::fs::write(dir.join("haproxy.cfg"), haproxy(condition)).expect("write");
        let output = atl_lint().current_dir(&*dir).args(["graph", "."]).output().expect("run");
        stdout(&output)
    };
    assert!(graph("if").contains("route      /bitbucket → http://127.0.0.1:7990/bitbucket"), "{}", graph("if"));
    // `unless { path / }` redirects every path but the root: the route still serves `/`.
    let unless = graph("unless");
    assert!(unless.contains("route      / → http://127.0.0.1:7990  "), "{unless}");
}

#[test]
fn every_documented_config_key_is_accepted_and_versions_are_checked() {
    let dir = configured_repository("config-keys");
    std::fs::write(
        dir.join(".atl-lint.toml"),
        "cert-expiry-days = 45\nfail-on = \"error\"\nmin-proxy-timeout = 60\nmin-websocket-idle = 120\nmin-request-body = 1048576\nidentity-headers = [\"X-SSO-Login\"]\n[versions]\nhaproxy = \"2.8\"\napache = \"2.4.58\"\ntomcat = \"9.0\"\n",
    )
    .expect("write");
    let output = atl_lint().current_dir(&*dir).arg("sites").output().expect("run");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", stderr(&output));
    std::fs::write(dir.join(".atl-lint.toml"), "[versions]\nhaproxy = \"latest\"\n").expect("write");
    let output = atl_lint().current_dir(&*dir).arg("sites").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`versions.haproxy` is `latest`"), "{}", stderr(&output));
    std::fs::write(dir.join(".atl-lint.toml"), "[[app]]\nname = \"jira\"\nbase_url = \"https://x\"\n").expect("write");
    let output = atl_lint().current_dir(&*dir).arg("sites").output().expect("run");
    assert!(stderr(&output).contains("did you mean `app.base-url`?"), "{}", stderr(&output));
}

#[test]
fn graph_reads_what_the_lint_reads_root_and_config_apps_included() {
    let dir = common::temp_dir("graph-root");
    let image = dir.join("img");
    std::fs::create_dir_all(image.join("etc/haproxy")).expect("dir");
    std::fs::write(
        image.join("etc/haproxy/haproxy.cfg"),
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 1m\n    timeout server 1m\n\nfrontend www\n    bind *:443 ssl crt /etc/haproxy/site.pem\n    use_backend bitbucket if { path_beg /bitbucket }\n\nbackend bitbucket\n    server bb 127.0.0.1:7990\n",
    )
    .expect("write");
    let shared = image.join("var/atlassian/application-data/bitbucket/shared");
    std::fs::create_dir_all(&shared).expect("dir");
    std::fs::write(
        shared.join("bitbucket.properties"),
        "server.port=7990\nserver.context-path=/bitbucket\nserver.secure=true\nserver.scheme=https\nserver.proxy-port=443\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("graph.toml"),
        "[[app]]\nname = \"bitbucket\"\nbase-url = \"https://git.example.com/bitbucket\"\n",
    )
    .expect("write");
    let output = atl_lint()
        .current_dir(&*dir)
        .args(["graph", "--root", "img", "--config", "graph.toml", "/etc"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("route      /bitbucket → http://127.0.0.1:7990"), "{text}");
    assert!(text.contains("app        Bitbucket at /bitbucket, base URL https://git.example.com/bitbucket"), "{text}");
}

#[test]
fn a_rule_reports_at_most_a_thousand_findings_a_file_and_counts_the_rest() {
    let dir = common::temp_dir("finding-cap");
    std::fs::create_dir_all(dir.join("apache2")).expect("dir");
    std::fs::write(dir.join("apache2/httpd.conf"), "Bogus x\n".repeat(1_500)).expect("write");
    let output = atl_lint()
        .current_dir(&*dir)
        .args(["--no-config", "-f", "json", "--select", "unknown-directive", "."])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let findings = report["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(findings.len(), 1_001);
    let summary: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|d| d["message"].as_str().is_some_and(|m| m.contains("more `unknown-directive`")))
        .collect();
    assert_eq!(summary.len(), 1, "{findings:?}");
    assert!(summary[0]["message"].as_str().is_some_and(|m| m.starts_with("500 more")), "{}", summary[0]);
    assert_eq!(summary[0]["line"], 1);
    assert_eq!(summary[0]["severity"], "error");
}

#[test]
fn the_walk_leaves_out_what_gitignore_and_exclude_say_but_never_a_named_path() {
    let dir = temp_dir("cli-ignore");
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    // The same broken configuration in four places: built output, a legacy role, an
    // ignored file un-ignored by a deeper `.ignore`, and the role that is linted.
    let broken = "frontend www\n    bind :80\n    use_backend missing\n";
    write(".gitignore", "build/\n*.bak.cfg\n");
    write("build/haproxy.cfg", broken);
    write("roles/legacy/haproxy.cfg", broken);
    write("roles/lb/haproxy.cfg", broken);
    write("roles/lb/old.bak.cfg", broken);
    write("roles/lb/.ignore", "!old.bak.cfg\n");
    let root = dir.to_string_lossy().into_owned();
    let files = |args: &[&str]| -> Vec<String> {
        let report = json(&[&["--no-config", "--no-live"], args].concat());
        let mut files: Vec<String> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["rule"] == "haproxy-backend-undefined")
            .filter_map(|d| d["path"].as_str())
            .map(|p| p.strip_prefix(&format!("{root}/")).unwrap_or(p).to_string())
            .collect();
        files.sort();
        files
    };
    assert_eq!(files(&[&root]), ["roles/lb/haproxy.cfg", "roles/lb/old.bak.cfg", "roles/legacy/haproxy.cfg"]);
    assert_eq!(files(&["--exclude", "legacy/", &root]), ["roles/lb/haproxy.cfg", "roles/lb/old.bak.cfg"]);
    assert_eq!(files(&["--no-ignore", "--exclude", "roles/", &root]), ["build/haproxy.cfg"]);
    // A path named on the command line is linted whatever excludes it.
    let named = format!("{root}/build/haproxy.cfg");
    assert_eq!(files(&["--exclude", "*.cfg", &named]), ["build/haproxy.cfg"]);
    // The config file's `exclude` adds to the command line's; a bad glob is a usage error.
    write(".atl-lint.toml", "exclude = [\"roles/lb/\"]\n");
    let report = json(&["--no-live", &root]);
    let paths: Vec<&str> =
        report["diagnostics"].as_array().expect("array").iter().filter_map(|d| d["path"].as_str()).collect();
    assert!(
        paths.iter().all(|p| !p.contains("roles/lb/")) && paths.iter().any(|p| p.contains("roles/legacy/")),
        "{paths:?}"
    );
    let bad = run(&["--no-config", "--exclude", "a{b", &root]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("invalid exclude glob `a{b`"), "{}", stderr(&bad));
}

#[test]
fn obsolete_attributes_follow_the_pinned_tomcat_version() {
    let dir = temp_dir("cli-tomcat-version");
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::write(
        dir.join("server.xml"),
        "<Server><Service name=\"S\"><Connector port=\"8080\" maxThreads=\"100\" compressableMimeType=\"text/html\"/></Service></Server>\n",
    )
    .expect("write");
    let severity = |pinned: Option<&str>| -> Vec<String> {
        let config = dir.join(".atl-lint.toml");
        match pinned {
            Some(version) => std::fs::write(&config, format!("[versions]\ntomcat = \"{version}\"\n")).expect("write"),
            None => std::fs::write(&config, "").expect("write"),
        }
        let report = json(&["--no-live", &dir.to_string_lossy()]);
        report["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(|d| format!("{} {}", d["rule"].as_str().unwrap_or(""), d["severity"].as_str().unwrap_or("")))
            .collect()
    };
    // Unknown version: a note. Tomcat 8.5 reads the name. Tomcat 9 ignores it: the types to
    // compress are lost.
    assert_eq!(severity(None), ["obsolete-attribute info"]);
    assert!(severity(Some("8.5")).is_empty());
    assert_eq!(severity(Some("9.0")), ["obsolete-attribute warning"]);
}

#[test]
fn obsolete_attributes_follow_the_application_version_a_role_installs() {
    let dir = temp_dir("cli-bundled-tomcat");
    let role = dir.join("roles/confluence");
    std::fs::create_dir_all(role.join("templates")).expect("mkdir");
    std::fs::create_dir_all(role.join("defaults")).expect("mkdir");
    std::fs::write(
        role.join("templates/server.xml.j2"),
        "<Server><Service name=\"S\">\n<Connector port=\"{{ confluence_port }}\" maxThreads=\"100\" compressableMimeType=\"text/html\"/>\n</Service></Server>\n",
    )
    .expect("write");
    let findings = |version: &str, pinned: Option<&str>| -> Vec<String> {
        let defaults = format!("---\nconfluence_port: 8090\nconfluence_version: {version}\n");
        std::fs::write(role.join("defaults/main.yml"), defaults).expect("write");
        let config = match pinned {
            Some(tomcat) => format!("[versions]\ntomcat = \"{tomcat}\"\n"),
            None => String::new(),
        };
        std::fs::write(dir.join(".atl-lint.toml"), config).expect("write");
        let report = json(&["--no-live", "--select", "obsolete-attribute", &dir.to_string_lossy()]);
        let list = report["diagnostics"].as_array().cloned().unwrap_or_default();
        list.iter()
            .map(|d| {
                let related: Vec<String> = d["related"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        format!(
                            "{}:{} {}",
                            r["path"].as_str().unwrap_or(""),
                            r["line"],
                            r["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                format!("{} {} {}", d["severity"].as_str().unwrap_or(""), d["line"], related.join("; "))
            })
            .collect()
    };
    // Confluence 6.14 ships Tomcat 9, which ignores the old spelling: the types are lost.
    let shown = "roles/confluence/defaults/main.yml";
    let found = findings("6.14.3", None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("warning 2 "), "{found:?}");
    assert!(
        found[0].ends_with(&format!("{shown}:3 the repository installs Confluence 6.14.3, which ships Tomcat 9.0")),
        "{found:?}"
    );
    // Confluence 6.9 ships Tomcat 8.0, which reads it.
    assert!(findings("6.9.1", None).is_empty());
    // A version the table does not know leaves the Tomcat unknown: a note.
    let unknown = findings("2.1.1", None);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].starts_with("info 2"), "{unknown:?}");
    // `[versions] tomcat` comes first.
    assert!(findings("6.14.3", Some("8.5")).is_empty());
}

#[test]
fn haproxy_keywords_follow_the_pinned_haproxy_line() {
    let dir = temp_dir("cli-haproxy-version");
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::write(
        dir.join("haproxy.cfg"),
        "crt-store web\n    load crt site.pem\n\ndefaults\n    mode http\n    timeout client 5s\n\n\
         frontend fe\n    bind :8080\n    option forwarded\n    bind-process 1\n    default_backend be\n\n\
         backend be\n    server s1 127.0.0.1:8081 guid g1\n",
    )
    .expect("write");
    let findings = |pinned: Option<&str>| -> Vec<String> {
        let config = dir.join(".atl-lint.toml");
        match pinned {
            Some(version) => std::fs::write(&config, format!("[versions]\nhaproxy = \"{version}\"\n")).expect("write"),
            None => std::fs::write(&config, "").expect("write"),
        }
        let report = json(&["--no-live", "--select", "unknown-directive", &dir.to_string_lossy()]);
        report["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(|d| format!("{} {}", d["line"], d["message"].as_str().unwrap_or("")))
            .collect()
    };
    // Unknown version: every keyword some LTS line has is accepted.
    assert!(findings(None).is_empty(), "{:?}", findings(None));
    // 2.6 lacks the 3.0 section (reported once, not per line), `option forwarded` (2.8) and
    // `guid` (3.0); it still has `bind-process`.
    assert_eq!(
        findings(Some("2.6")),
        [
            "1 `crt-store` needs HAProxy 3.0; the configuration targets 2.6",
            "10 `option forwarded` needs HAProxy 2.8; the configuration targets 2.6",
            "15 `guid` needs HAProxy 3.0; the configuration targets 2.6",
        ]
    );
    // 3.2 has them all but no longer `bind-process`.
    assert_eq!(
        findings(Some("3.2.1")),
        ["11 `bind-process` is not in HAProxy 3.2: HAProxy 2.6 was the last to have it"]
    );
}

#[test]
fn graph_names_the_files_an_include_tree_reads_beyond_the_named_path() {
    // Only `apache2.conf` is named: its vhost is read through `IncludeOptional`.
    let output =
        run(&["graph", "--no-config", "--no-live", "fixtures/cross/tls-cert-expired/etc/apache2/apache2.conf"]);
    let text = stdout(&output);
    assert!(
        text.contains("/jira → http://localhost:8080/jira  (fixtures/cross/tls-cert-expired/etc/apache2/sites-enabled/jira.conf:9)"),
        "{text}"
    );
}

#[test]
fn thresholds_in_the_config_file_move_the_limit_rules() {
    let dir = temp_dir("thresholds");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross/proxy-timeout-too-short.ok");
    let rules = ["--select", "proxy-timeout-too-short,request-body-limit-too-small", "-f", "json"];
    let run = |config: &str| {
        std::fs::write(dir.join(".atl-lint.toml"), config).expect("write config");
        let output =
            atl_lint().args(rules).arg("--config").arg(dir.join(".atl-lint.toml")).arg(&fixture).output().expect("run");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        // The nginx tree's findings (the fixture also has HAProxy and Apache in front).
        let found: Vec<(String, String)> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["path"].as_str().is_some_and(|p| p.contains("/nginx/")))
            .map(|d| (d["rule"].as_str().unwrap_or("").to_string(), d["message"].as_str().unwrap_or("").to_string()))
            .collect();
        found
    };
    // Clean with the defaults: 300 s of read timeout, 10m for Bitbucket's 10 MiB.
    assert_eq!(run(""), []);
    let found = run("min-proxy-timeout = 600\nmin-request-body = 104857600\n");
    let rules: Vec<&str> = found.iter().map(|(rule, _)| rule.as_str()).collect();
    // The read timeout set to 300 s, the body limit, and the send timeout at nginx's
    // default of 60 s, in file order.
    assert_eq!(
        rules,
        ["proxy-timeout-too-short", "request-body-limit-too-small", "proxy-timeout-too-short"],
        "{found:#?}"
    );
    assert!(found[0].1.contains("after 300 s of silence") && found[0].1.contains("below 600 s"), "{found:#?}");
    assert!(found[1].1.contains("which accepts 100 MiB (`min-request-body` in the config file)"), "{found:#?}");
    assert!(found[2].1.contains("default `proxy_send_timeout` of 60 s"), "{found:#?}");
}

#[test]
fn completions_man_page_and_version_come_from_the_command_line_definition() {
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef atl-lint"), ("fish", "complete -c atl-lint")] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["fail-on", "statistics", "explain", "graph"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
    let man = stdout(&run(&["manpage"]));
    assert!(man.contains(".TH atl-lint 1"), "{man}");
    for option in ["\\-\\-format", "\\-\\-fail\\-on", "\\-\\-baseline", "\\-\\-live"] {
        let option = option.replace("\\-\\-baseline", "\\-\\-write\\-baseline");
        assert!(man.contains(&option), "the man page lacks {option}");
    }
    let version = stdout(&run(&["--version"]));
    assert!(version.starts_with(&format!("atl-lint {}", env!("CARGO_PKG_VERSION"))), "{version}");
}

#[test]
fn no_silent_no_ops_on_the_command_line() {
    // A mistyped subcommand is not taken for a PATH.
    let output = run(&["explian", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `atl-lint explain`?"), "{}", stderr(&output));
    // A rule named by the start of its id.
    let output = run(&["explain", "connector-secure"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`connector-secure-missing`"), "{}", stderr(&output));
    // A PATH with nothing to lint: a note and exit 0, or exit 2 when files are required.
    let dir = temp_dir("nothing-to-lint");
    std::fs::write(dir.join("notes.txt"), "nothing here\n").expect("write");
    let path = dir.to_string_lossy().into_owned();
    let output = run(&["--no-live", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("holds no file atl-lint reads"), "{}", stderr(&output));
    let output = run(&["--no-live", "--require-files", &path]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    // A PATH with something to lint says nothing of the kind.
    let output = run(&["fixtures/e2e/clean"]);
    assert!(!stderr(&output).contains("holds no file"), "{}", stderr(&output));
}

#[test]
fn a_base_url_may_name_a_compose_service() {
    let dir = temp_dir("base-url-service");
    let compose = "\
services:
  tracker:
    image: atlassian/jira-software:10
    environment:
      ATL_PROXY_NAME: jira.example.org
      ATL_PROXY_PORT: \"443\"
      ATL_TOMCAT_SCHEME: https
      ATL_TOMCAT_SECURE: \"true\"
  tracker-staging:
    image: atlassian/jira-software:10
    environment:
      ATL_PROXY_NAME: staging.example.org
      ATL_PROXY_PORT: \"443\"
      ATL_TOMCAT_SCHEME: https
      ATL_TOMCAT_SECURE: \"true\"
";
    std::fs::write(dir.join("docker-compose.yml"), compose).expect("write");
    let path = dir.to_string_lossy().into_owned();
    // The service's own name picks one of two apps of the same product.
    let report = json(&["--base-url", "tracker=https://jira.example.com", &path]);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1, "{report:#}");
    assert_eq!(diagnostics[0]["rule"], "base-url-drift", "{report:#}");
    let related = diagnostics[0]["related"].as_array().expect("related");
    assert!(related.iter().any(|r| r["line"] == 5), "{report:#}");
    let clean = json(&["--base-url", "tracker-staging=https://staging.example.org", &path]);
    assert_eq!(clean["diagnostics"].as_array().map(Vec::len), Some(0), "{clean:#}");
}
