//! Every output format on the whole-deployment fixtures: JSON, SARIF and GitHub outputs are
//! snapshots; every SARIF document validates against the official SARIF 2.1.0 schema
//! (Python's `jsonschema` is the validator); every GitHub line is a workflow command as
//! GitHub parses it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{require, shared, temp_dir};

fn atl_lint(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_atl-lint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("FORCE_HYPERLINK")
        .args(args)
        .output()
        .expect("run atl-lint");
    assert!(output.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/e2e"))
        .expect("e2e")
        .flatten()
        .map(|e| PathBuf::from("fixtures/e2e").join(e.file_name()))
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn json_sarif_and_github_outputs_of_the_deployments_are_stable() {
    for dir in scenarios() {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let path = dir.to_string_lossy().into_owned();
        let json = atl_lint(&["-f", "json", &path]);
        let github = atl_lint(&["-f", "github", &path]);
        let sarif: serde_json::Value = serde_json::from_str(&atl_lint(&["-f", "sarif", &path])).expect("sarif is JSON");
        // The rule catalogue is the same in every document; the results are the report.
        let results = serde_json::to_string_pretty(&sarif["runs"][0]["results"]).expect("results");
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("json__{name}"), json);
            insta::assert_snapshot!(format!("github__{name}"), github);
            insta::assert_snapshot!(format!("sarif__{name}"), results);
        });
    }
}

#[test]
fn github_lines_are_workflow_commands() {
    let mut checked = 0;
    for dir in scenarios() {
        let path = dir.to_string_lossy().into_owned();
        for line in atl_lint(&["-f", "github", &path]).lines() {
            checked += 1;
            let (command, rest) = line.strip_prefix("::").and_then(|l| l.split_once(' ')).expect(line);
            assert!(matches!(command, "error" | "warning" | "notice"), "{line}");
            let (properties, message) = rest.split_once("::").expect(line);
            assert!(!message.contains('\n') && !message.contains('\r'), "{line}");
            let keys: Vec<&str> = properties.split(',').map(|p| p.split_once('=').expect(line).0).collect();
            assert_eq!(keys, ["file", "line", "col", "endLine", "endColumn", "title"], "{line}");
            for property in properties.split(',') {
                let value = property.split_once('=').map_or("", |(_, v)| v);
                assert!(!value.contains(':') && !value.is_empty(), "{line}");
            }
        }
    }
    assert!(checked > 10, "the deployments gave only {checked} annotations");
}

#[test]
fn every_sarif_document_validates_against_the_schema() {
    let validator = Command::new("python3").args(["-c", "import jsonschema"]).status();
    if !require(validator.is_ok_and(|s| s.success()), "python3 with jsonschema (pip install jsonschema)")
        || !require(
            shared().join("reference/sarif-schema-2.1.0.json").is_file(),
            "shared/reference/sarif-schema-2.1.0.json",
        )
    {
        return;
    }
    let dir = temp_dir("sarif");
    let mut documents = Vec::new();
    let mut inputs: Vec<PathBuf> = scenarios();
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross")).expect("cross").flatten()
    {
        inputs.push(PathBuf::from("fixtures/cross").join(entry.file_name()));
    }
    inputs.sort();
    for (i, input) in inputs.iter().enumerate() {
        let sarif = atl_lint(&["-f", "sarif", &input.to_string_lossy()]);
        let file = dir.join(format!("{i}.sarif"));
        std::fs::write(&file, sarif).expect("write");
        documents.push(file);
    }
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        validator = jsonschema.Draft7Validator(schema)\n\
        bad = 0\n\
        for path in sys.argv[2:]:\n\
        \x20   errors = list(validator.iter_errors(json.load(open(path))))\n\
        \x20   for e in errors[:3]:\n\
        \x20       print(path, list(e.absolute_path), e.message)\n\
        \x20   bad += len(errors)\n\
        sys.exit(1 if bad else 0)\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(shared().join("reference/sarif-schema-2.1.0.json"))
        .args(&documents)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(documents.len() > 20);
    // The fixes' `artifactChanges` are among what was validated.
    let with_fixes =
        documents.iter().filter(|d| std::fs::read_to_string(d).unwrap().contains("\"artifactChanges\"")).count();
    assert!(with_fixes >= 10, "only {with_fixes} documents carry fixes");
}

/// Every finding of the deployments as the JSON report has them, with the rendering of
/// another format, for the tests of each format's shape.
fn deployments_in(format: &str) -> Vec<(serde_json::Value, String)> {
    scenarios()
        .iter()
        .map(|dir| {
            let path = dir.to_string_lossy().into_owned();
            let json: serde_json::Value = serde_json::from_str(&atl_lint(&["-f", "json", &path])).expect("json");
            (json, atl_lint(&["-f", format, &path]))
        })
        .collect()
}

#[test]
fn concise_prints_one_line_a_finding_with_path_line_column_severity_rule_and_message() {
    let mut checked = 0;
    for (json, concise) in deployments_in("concise") {
        let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
        let lines: Vec<&str> = concise.lines().collect();
        assert_eq!(lines.len(), diagnostics.len(), "{concise}");
        for (d, line) in diagnostics.iter().zip(&lines) {
            let expected = format!(
                "{}:{}:{}: {}[{}] {}",
                d["path"].as_str().expect("path"),
                d["line"],
                d["column"],
                d["severity"].as_str().expect("severity"),
                d["rule"].as_str().expect("rule"),
                d["message"].as_str().expect("message")
            );
            assert_eq!(*line, expected);
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn rule_ids_are_hyperlinks_to_their_pages_where_asked_and_plain_text_otherwise() {
    let run = |force: Option<&str>, args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_atl-lint"));
        command.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("FORCE_HYPERLINK").env("NO_COLOR", "1");
        if let Some(force) = force {
            command.env("FORCE_HYPERLINK", force);
        }
        let output = command.args(args).arg("fixtures/e2e/nginx-broken").output().expect("run");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let rule = "connector-scheme-missing";
    let link = format!(
        "\u{1b}]8;;{}/blob/main/docs/rules/{rule}.md\u{1b}\\{rule}\u{1b}]8;;\u{1b}\\",
        env!("CARGO_PKG_REPOSITORY")
    );
    for args in [&["-f", "concise"][..], &["-f", "human"], &["--statistics"]] {
        let linked = run(Some("1"), args);
        assert!(linked.contains(&link), "{args:?}: {linked:?}");
        // The page a link opens exists.
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/rules/{rule}.md")).is_file());
        for plain in [run(None, args), run(Some("0"), args)] {
            assert!(plain.contains(rule) && !plain.contains('\u{1b}'), "{args:?}: {plain:?}");
        }
    }
    // Aligned as without links: each link's escapes taken out, the text is the same.
    let plain = run(None, &["--statistics"]);
    let mut linked = run(Some("1"), &["--statistics"]);
    while let Some(start) = linked.find("\u{1b}]8;;") {
        let Some(end) = linked[start + 5..].find("\u{1b}\\").map(|e| start + 5 + e + 2) else { break };
        linked.replace_range(start..end, "");
    }
    assert_eq!(linked, plain);
}

#[test]
fn statistics_count_the_findings_of_each_rule() {
    let output = Command::new(env!("CARGO_BIN_EXE_atl-lint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--statistics", "-f", "json", "fixtures/e2e"])
        .output()
        .expect("run");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("json");
    let all: serde_json::Value = serde_json::from_str(&atl_lint(&["-f", "json", "fixtures/e2e"])).expect("json");
    let diagnostics = all["diagnostics"].as_array().expect("diagnostics");
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().expect("count")).sum();
    assert_eq!(total as usize, diagnostics.len());
    for row in &rows {
        let n = diagnostics.iter().filter(|d| d["rule"] == row["rule"]).count();
        assert_eq!(row["count"].as_u64(), Some(n as u64), "{row}");
    }
    let counts: Vec<u64> = rows.iter().map(|r| r["count"].as_u64().unwrap_or(0)).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most frequent first: {counts:?}");
    let text = atl_lint(&["--statistics", "fixtures/e2e"]);
    let first = text.lines().next().expect("a line");
    let words: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(
        words,
        [
            rows[0]["count"].to_string(),
            rows[0]["rule"].as_str().unwrap_or("").to_string(),
            rows[0]["severity"].as_str().unwrap_or("").to_string()
        ]
    );
}

/// GitLab's Code Quality report: an array of issues with `description`, `check_name`,
/// `fingerprint` (unique), `severity` (one of GitLab's five) and `location.path` with
/// `location.lines.begin` (GitLab's documentation, "Code Quality report format").
#[test]
fn gitlab_code_quality_has_the_documented_shape() {
    let mut checked = 0;
    for (json, gitlab) in deployments_in("gitlab") {
        let issues: Vec<serde_json::Value> = serde_json::from_str(&gitlab).expect("an array");
        let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
        assert_eq!(issues.len(), diagnostics.len());
        let mut fingerprints = std::collections::HashSet::new();
        for (issue, d) in issues.iter().zip(diagnostics) {
            assert!(issue["description"].as_str().is_some_and(|t| t.starts_with(d["message"].as_str().unwrap_or("?"))));
            assert_eq!(issue["check_name"], d["rule"]);
            assert!(fingerprints.insert(issue["fingerprint"].as_str().expect("fingerprint").to_string()));
            let severity = issue["severity"].as_str().expect("severity");
            assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity), "{severity}");
            assert_eq!(issue["location"]["path"], d["path"]);
            assert_eq!(issue["location"]["lines"]["begin"], d["line"]);
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}

/// Bitbucket Code Insights (Bitbucket Cloud's reports API): a report with `title`,
/// `report_type`, `result` and `data`, and annotations with a unique `external_id`,
/// `annotation_type`, `path`, `line`, `summary` (at most 450 characters), `details`,
/// `severity` and `link`, each from its documented values.
#[test]
fn bitbucket_code_insights_has_the_documented_shape() {
    let mut checked = 0;
    for (json, bitbucket) in deployments_in("bitbucket") {
        let document: serde_json::Value = serde_json::from_str(&bitbucket).expect("json");
        let report = &document["report"];
        assert_eq!(report["title"], "atl-lint");
        assert!(["SECURITY", "COVERAGE", "TEST", "BUG"].contains(&report["report_type"].as_str().unwrap_or("")));
        let errors_or_warnings =
            json["summary"]["errors"].as_u64().unwrap_or(0) + json["summary"]["warnings"].as_u64().unwrap_or(0);
        let result = if errors_or_warnings > 0 { "FAILED" } else { "PASSED" };
        assert_eq!(report["result"], result, "{report}");
        for datum in report["data"].as_array().expect("data") {
            assert!(datum["title"].is_string() && datum["type"] == "NUMBER" && datum["value"].is_u64(), "{datum}");
        }
        let annotations = document["annotations"].as_array().expect("annotations");
        let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
        assert_eq!(annotations.len(), diagnostics.len());
        let mut ids = std::collections::HashSet::new();
        for (a, d) in annotations.iter().zip(diagnostics) {
            assert!(ids.insert(a["external_id"].as_str().expect("external_id").to_string()));
            assert!(["VULNERABILITY", "CODE_SMELL", "BUG"].contains(&a["annotation_type"].as_str().unwrap_or("")));
            assert_eq!(a["path"], d["path"]);
            assert_eq!(a["line"], d["line"]);
            let summary = a["summary"].as_str().expect("summary");
            assert!(summary.chars().count() <= 450 && summary.starts_with(d["rule"].as_str().unwrap_or("?")));
            assert!(a["details"].is_string());
            assert!(["LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(&a["severity"].as_str().unwrap_or("")));
            assert!(a["link"]
                .as_str()
                .is_some_and(|l| l.ends_with(&format!("/docs/rules/{}.md", d["rule"].as_str().unwrap_or("?")))));
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}
