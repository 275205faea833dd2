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
}
