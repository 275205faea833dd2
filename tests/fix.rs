//! `--fix`, `--unsafe-fixes`, `--diff` and `--fix-only`, run as a user runs them on copies of
//! the fixtures: every fix resolves its finding and changes nothing else, applying twice
//! changes nothing, `--diff` writes nothing, the whole broken deployments end with only what
//! has no fix, and a templated role is fixed in its defaults file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use atl_lint::rules::ALL;
use common::temp_dir;

/// The repository's directory, where `fixtures/` is.
fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<path>` of the repository.
fn fixture(path: &str) -> PathBuf {
    repository().join("fixtures").join(path)
}

/// `value` as the snapshot `name` in `tests/snapshots`.
fn snapshot(name: &str, value: &str) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, value);
    });
}

/// Runs atl-lint in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_atl-lint"))
        .current_dir(dir)
        .env_remove("FORCE_HYPERLINK")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run atl-lint");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Copies a file or a directory tree.
fn copy(from: &Path, to: &Path) {
    let metadata = std::fs::symlink_metadata(from).expect("stat");
    if metadata.file_type().is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(from).expect("link"), to).expect("symlink");
    } else if from.is_dir() {
        std::fs::create_dir_all(to).expect("create");
        for entry in std::fs::read_dir(from).expect("read").flatten() {
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy");
    }
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).expect("read").flatten().map(|e| e.path()));
        } else {
            // A dangling link reads as nothing.
            out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap_or_default());
        }
    }
    out
}

/// The findings of a JSON report.
fn findings(json: &str) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    report["diagnostics"].as_array().cloned().unwrap_or_default()
}

/// The triggering fixtures of a rule: `fixtures/<scope>/<id>.*` but `.ok.`, and
/// `fixtures/cross/<id>`.
fn triggering(scope: &str, id: &str) -> Vec<PathBuf> {
    let root = fixture("");
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(root.join(scope)).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    found.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.strip_prefix(id).and_then(|r| r.strip_prefix('.')).is_some_and(|rest| !rest.starts_with("ok."))
    });
    if root.join("cross").join(id).is_dir() {
        found.push(root.join("cross").join(id));
    }
    found.sort();
    found
}

/// The fixture copied into `dir` under its own name, which is returned.
fn copied(fixture: &Path, dir: &Path) -> String {
    let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
    copy(fixture, &dir.join(&name));
    name
}

/// Whether the findings of a JSON report hold a fix of `applicability` (`None`: any).
fn with_fix(findings: &[serde_json::Value], applicability: Option<&str>) -> usize {
    findings
        .iter()
        .filter(|f| f.get("fix").is_some_and(|fix| applicability.is_none_or(|a| fix["applicability"] == a)))
        .count()
}

#[test]
fn every_fix_resolves_its_finding_changes_nothing_else_and_is_idempotent() {
    let work = temp_dir("fix-fixtures");
    let mut diffs = String::new();
    let mut fixed_rules = Vec::new();
    for rule in ALL {
        let meta = rule.meta();
        // Certificates are judged on a machine at a fixed time; none has a fix.
        if meta.id.starts_with("tls-cert-") {
            continue;
        }
        for (n, fixture) in triggering(meta.scope, meta.id).iter().enumerate() {
            let select = ["--no-config", "--select", meta.id];
            let case = work.join(format!("{}-{n}", meta.id));
            std::fs::create_dir_all(&case).unwrap();
            let name = copied(fixture, &case);
            let original = contents(&case);
            let (_, json, _) = run(&case, &[&name, "-f", "json", select[0], select[1], select[2]]);
            let before = findings(&json);
            let fixable = with_fix(&before, None);
            if fixable == 0 {
                continue;
            }
            fixed_rules.push(meta.id);
            // `--diff` writes nothing and exits 1.
            let (code, diff, stderr) =
                run(&case, &[&name, "--diff", "--unsafe-fixes", select[0], select[1], select[2]]);
            assert_eq!(code, 1, "{name}: {stderr}");
            assert_eq!(contents(&case), original, "{name}: --diff wrote");
            assert!(!stderr.contains("not applied"), "{name}: {stderr}");
            diffs.push_str(&format!("### {} ({name})\n{diff}", meta.id));
            // Every fix applied: the rule's findings left are those without one.
            let (_, json, stderr) =
                run(&case, &[&name, "--unsafe-fixes", "-f", "json", select[0], select[1], select[2]]);
            let after = findings(&json);
            assert_eq!(after.len(), before.len() - fixable, "{name}: {json}\n{stderr}");
            assert_eq!(with_fix(&after, None), 0, "{name}");
            let fixed = contents(&case);
            let edited: Vec<String> = before
                .iter()
                .filter_map(|f| f.get("fix"))
                .flat_map(|fix| fix["edits"].as_array().cloned().unwrap_or_default())
                .map(|e| e["path"].as_str().unwrap().to_string())
                .collect();
            for (path, bytes) in &original {
                let named = edited.iter().any(|e| Path::new(e).ends_with(path) || path.ends_with(e));
                assert!(named || fixed.get(path) == Some(bytes), "{name}: {} changed: {edited:?}", path.display());
            }
            assert_ne!(fixed, original, "{name}: nothing written");
            // Applying again changes nothing, and the whole lint still parses the result.
            let (code, diff, _) = run(&case, &[&name, "--diff", "--unsafe-fixes", select[0], select[1], select[2]]);
            assert_eq!((code, diff.as_str()), (0, ""), "{name}: a second pass would change more");
            let (_, _, stderr) = run(&case, &[&name, "--fix-only", "--unsafe-fixes", select[0], select[1], select[2]]);
            assert!(stderr.contains("fixed 0 findings in 0 files"), "{name}: {stderr}");
            assert_eq!(contents(&case), fixed, "{name}: the second pass wrote");
            let (_, json, _) = run(&case, &[&name, "-f", "json", "--no-config", "--select", "syntax-error"]);
            assert!(findings(&json).is_empty(), "{name}: the fixed file does not parse: {json}");
            // `--fix` alone applies only the safe ones.
            let safe = with_fix(&before, Some("safe"));
            let case = work.join(format!("{}-{n}-safe", meta.id));
            std::fs::create_dir_all(&case).unwrap();
            copied(fixture, &case);
            let (_, json, _) = run(&case, &[&name, "--fix", "-f", "json", select[0], select[1], select[2]]);
            let after = findings(&json);
            assert_eq!(after.len(), before.len() - safe, "{name}: --fix");
            assert_eq!(with_fix(&after, Some("safe")), 0, "{name}: --fix");
        }
    }
    // Every rule whose documentation promises a fix has a fixture that shows it, and only those.
    fixed_rules.dedup();
    let documented: Vec<&str> =
        ALL.iter().map(|r| r.meta().id).filter(|id| atl_lint::rules::fixes::availability(id).is_some()).collect();
    assert_eq!(fixed_rules, documented);
    snapshot("fix__fixture_diffs", &diffs);
}

#[test]
fn broken_deployments_keep_only_what_has_no_fix() {
    let work = temp_dir("fix-e2e");
    let root = fixture("e2e");
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).collect();
    scenarios.sort();
    let mut summary = String::new();
    for scenario in scenarios {
        let name = copied(&scenario, &work);
        let (_, diff, _) = run(&work, &[&name, "--diff", "--unsafe-fixes"]);
        let (_, json, stderr) = run(&work, &[&name, "--unsafe-fixes", "-f", "json"]);
        assert!(!stderr.contains("not applied") && !stderr.contains("not written"), "{name}: {stderr}");
        let left = findings(&json);
        assert_eq!(with_fix(&left, None), 0, "{name}: a fix is left: {json}");
        let (code, again, _) = run(&work, &[&name, "--diff", "--unsafe-fixes"]);
        assert_eq!((code, again.as_str()), (0, ""), "{name}: a second pass would change more");
        let rules: Vec<String> =
            left.iter().map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["path"].as_str().unwrap())).collect();
        summary.push_str(&format!("### {name}\n{diff}left: {rules:#?}\n"));
    }
    snapshot("fix__e2e", &summary);
}

#[test]
fn a_templated_role_is_fixed_in_its_defaults_file_and_its_template_is_untouched() {
    let work = temp_dir("fix-role");
    let fixture = fixture("e2e/ansible-role-scheme-defaults");
    let name = copied(&fixture, &work);
    let template = work.join(&name).join("templates/server.xml.j2");
    let template_before = std::fs::read(&template).unwrap();
    let (code, _, stderr) = run(&work, &[&name, "--unsafe-fixes"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("fixed 2 findings in 1 file"), "{stderr}");
    assert_eq!(std::fs::read(&template).unwrap(), template_before, "a template value was rewritten");
    let defaults = std::fs::read_to_string(work.join(&name).join("defaults/main.yml")).unwrap();
    assert!(defaults.contains("jira_scheme: https\n") && defaults.contains("jira_secure: \"true\"\n"), "{defaults}");
    // Safe fixes alone change nothing here: both are unsafe.
    let again = work.join("again");
    std::fs::create_dir_all(&again).unwrap();
    copied(&fixture, &again);
    let (code, _, stderr) = run(&again, &[&name, "--fix"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("fixed 0 findings in 0 files") && stderr.contains("2 fixable with `--unsafe-fixes`"),
        "{stderr}"
    );
}

#[test]
fn fixes_are_never_written_through_a_symbolic_link_nor_from_standard_input() {
    let work = temp_dir("fix-link");
    let fixture = fixture("e2e/nginx-broken");
    let name = copied(&fixture, &work);
    let xml = work.join(&name).join("opt/atlassian/jira/conf/server.xml");
    // Inside the tree, by a name atl-lint does not read on its own.
    let real = xml.with_file_name("server.xml.real");
    std::fs::rename(&xml, &real).unwrap();
    std::os::unix::fs::symlink("server.xml.real", &xml).unwrap();
    let before = std::fs::read(&real).unwrap();
    let (_, _, stderr) = run(&work, &[&name, "--unsafe-fixes"]);
    assert!(stderr.contains("is a symbolic link; fixes are never written through one"), "{stderr}");
    assert_eq!(std::fs::read(&real).unwrap(), before);
    let (code, _, stderr) = run(&work, &["-", "--fix", "--stdin-kind", "tomcat"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("standard input cannot be fixed"), "{stderr}");
}

#[test]
fn json_and_sarif_carry_the_fix() {
    let root = repository();
    let (_, json, _) = run(root, &["fixtures/e2e/ansible-role-scheme-defaults", "-f", "json"]);
    let found = findings(&json);
    let fix = &found[0]["fix"];
    assert_eq!(fix["applicability"], "unsafe");
    assert_eq!(fix["description"], "set `scheme=\"https\"`");
    let edit = &fix["edits"][0];
    assert_eq!(edit["path"], "fixtures/e2e/ansible-role-scheme-defaults/defaults/main.yml");
    assert_eq!((edit["line"].as_u64(), edit["column"].as_u64()), (Some(5), Some(14)));
    assert_eq!((edit["end_line"].as_u64(), edit["end_column"].as_u64()), (Some(5), Some(18)));
    assert_eq!(edit["end_byte"].as_u64().unwrap() - edit["start_byte"].as_u64().unwrap(), 4);
    assert_eq!(edit["content"], "https");
    let (_, sarif, _) = run(root, &["fixtures/e2e/ansible-role-scheme-defaults", "-f", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let change = &sarif["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "fixtures/e2e/ansible-role-scheme-defaults/defaults/main.yml");
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["deletedRegion"]["startLine"], 5);
    assert_eq!(replacement["deletedRegion"]["startColumn"], 14);
    assert_eq!(replacement["deletedRegion"]["endColumn"], 18);
    assert_eq!(replacement["insertedContent"]["text"], "https");
    // The human report says which fix applies with which flag.
    let (_, human, stderr) = run(root, &["fixtures/e2e/ansible-role-scheme-defaults"]);
    assert!(human.contains("fix (unsafe, with `--unsafe-fixes`): set `scheme=\"https\"`"), "{human}");
    assert!(stderr.contains("; 2 fixable with `--unsafe-fixes`"), "{stderr}");
}

#[test]
fn live_mode_writes_only_with_fix_given() {
    let work = temp_dir("fix-live");
    let fixture = fixture("e2e/nginx-broken");
    let name = copied(&fixture, &work);
    let dir = work.join(&name);
    let before = contents(&dir);
    let (code, _, stderr) = run(&work, &["--live", "--unsafe-fixes", &name]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("only with `--fix` given explicitly"), "{stderr}");
    let (code, _, stderr) = run(&work, &["--live", "--fix-only", &name]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(contents(&dir), before);
    let (_, _, stderr) = run(&work, &["--live", "--fix", "--unsafe-fixes", &name]);
    assert!(stderr.contains("fixed 5 findings in 2 files"), "{stderr}");
    assert_ne!(contents(&dir), before);
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u64, column as u64)
}

#[test]
fn every_json_fix_object_is_whole_and_its_ranges_agree() {
    let root = repository();
    let (_, json, _) = run(root, &["fixtures", "-f", "json", "--no-config"]);
    let mut checked = 0;
    for finding in findings(&json) {
        let Some(fix) = finding.get("fix") else { continue };
        assert!(fix["description"].as_str().is_some_and(|d| !d.is_empty()), "{fix}");
        assert!(matches!(fix["applicability"].as_str(), Some("safe" | "unsafe")), "{fix}");
        let edits = fix["edits"].as_array().unwrap();
        assert!(!edits.is_empty(), "{fix}");
        for edit in edits {
            let text = std::fs::read_to_string(root.join(edit["path"].as_str().unwrap())).unwrap();
            let (start, end) =
                (edit["start_byte"].as_u64().unwrap() as usize, edit["end_byte"].as_u64().unwrap() as usize);
            assert!(start <= end && end <= text.len(), "{edit}");
            assert_eq!(line_column(&text, start), (edit["line"].as_u64().unwrap(), edit["column"].as_u64().unwrap()));
            assert_eq!(
                line_column(&text, end),
                (edit["end_line"].as_u64().unwrap(), edit["end_column"].as_u64().unwrap())
            );
            assert!(edit["content"].is_string(), "{edit}");
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} edits");
}

#[test]
fn a_default_two_templates_use_is_fixed_only_as_unsafe() {
    let work = temp_dir("fix-shared-default");
    let role = work.join("role");
    std::fs::create_dir_all(role.join("defaults")).unwrap();
    std::fs::create_dir_all(role.join("templates")).unwrap();
    std::fs::write(role.join("defaults/main.yml"), "---\njira_context_path: /jira/\n").unwrap();
    std::fs::write(
        role.join("templates/server.xml.j2"),
        "<Server port=\"8005\" shutdown=\"SHUTDOWN\">\n  <Service name=\"Catalina\">\n    <Connector port=\"8080\" protocol=\"HTTP/1.1\"/>\n    <Engine name=\"Catalina\" defaultHost=\"localhost\">\n      <Host name=\"localhost\" appBase=\"webapps\">\n        <Context path=\"{{ jira_context_path }}\" docBase=\"${catalina.home}/atlassian-jira\"/>\n      </Host>\n    </Engine>\n  </Service>\n</Server>\n",
    )
    .unwrap();
    let (_, json, _) = run(&work, &["role", "-f", "json", "--no-config", "--select", "context-path-malformed"]);
    let alone = findings(&json);
    assert_eq!(alone.len(), 1, "{json}");
    assert_eq!(alone[0]["fix"]["applicability"], "safe", "{json}");
    assert_eq!(alone[0]["fix"]["edits"][0]["path"], "defaults/main.yml", "{json}");
    // The vhost renders the same default: changing it changes the vhost's location too.
    std::fs::write(
        role.join("templates/jira.conf.j2"),
        "<VirtualHost *:80>\n    ServerName jira.example.com\n    <Location {{ jira_context_path }}>\n        Require all granted\n    </Location>\n</VirtualHost>\n",
    )
    .unwrap();
    let (_, json, _) = run(&work, &["role", "-f", "json", "--no-config", "--select", "context-path-malformed"]);
    let shared = findings(&json);
    assert_eq!(shared[0]["fix"]["applicability"], "unsafe", "{json}");
    let before = contents(&role);
    let (_, _, stderr) = run(&work, &["role", "--fix", "--no-config", "--select", "context-path-malformed"]);
    assert!(stderr.contains("fixed 0 findings"), "{stderr}");
    assert_eq!(contents(&role), before);
}

#[test]
fn a_file_whose_links_lead_elsewhere_than_under_root_is_not_written() {
    let work = temp_dir("fix-root-link");
    let fixture = fixture("connector/connector-scheme-missing.xml");
    // On this machine: `host/app/server.xml`. In the image under `--root`: `etc/app`, an
    // absolute link to the same path, which under the root is a copy of its own.
    let host = work.join("host/app");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::copy(&fixture, host.join("server.xml")).unwrap();
    let root = work.join("root");
    let inside = root.join(host.strip_prefix("/").unwrap());
    std::fs::create_dir_all(&inside).unwrap();
    std::fs::copy(&fixture, inside.join("server.xml")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::os::unix::fs::symlink(&host, root.join("etc/app")).unwrap();
    let before = (std::fs::read(host.join("server.xml")).unwrap(), std::fs::read(inside.join("server.xml")).unwrap());
    let root_arg = root.to_string_lossy().into_owned();
    let (_, _, stderr) =
        run(&work, &["--root", &root_arg, "/etc/app/server.xml", "--no-config", "--fix", "--unsafe-fixes"]);
    assert!(stderr.contains("leads elsewhere on this machine than where it was read"), "{stderr}");
    let after = (std::fs::read(host.join("server.xml")).unwrap(), std::fs::read(inside.join("server.xml")).unwrap());
    assert_eq!(after, before);
}
