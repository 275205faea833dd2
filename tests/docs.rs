//! The README stays true: its rule table is generated from the code, every option of the
//! command line is documented, and CI runs the README's test command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::Command;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn readme_rule_table_matches_the_code() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the {START:?} / {END:?} markers");
    };
    let table = atl_lint::cli::catalogue_markdown();
    let current = readme.get(start + START.len()..end).unwrap_or("");
    if current == table {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{START}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write("README.md", updated).expect("write README.md");
        return;
    }
    panic!("the README rule table is out of date: run `UPDATE_README=1 cargo test --test docs`");
}

/// `docs/rules/<id>.md`: each rule's page, as `atl-lint explain` prints it, for the links of
/// SARIF's `helpUri` and of Bitbucket's annotations. Generated from the code and kept in sync
/// here (`UPDATE_README=1` writes them); no page is left for a rule that is gone.
#[test]
fn every_rule_has_its_page_in_docs_rules() {
    let dir = std::path::Path::new("docs/rules");
    let update = std::env::var_os("UPDATE_README").is_some();
    let mut stale = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for rule in atl_lint::rules::ALL {
        let id = rule.meta().id;
        ids.insert(format!("{id}.md"));
        let page = atl_lint::cli::rule_page(id).expect("a known rule");
        let path = dir.join(format!("{id}.md"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if update {
                std::fs::create_dir_all(dir).expect("mkdir docs/rules");
                std::fs::write(&path, &page).expect("write the page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !ids.contains(&name) {
            if update {
                std::fs::remove_file(entry.path()).expect("remove a page of no rule");
            } else {
                stale.push(format!("{name} (no such rule)"));
            }
        }
    }
    assert!(stale.is_empty(), "run `UPDATE_README=1 cargo test --test docs`; out of date: {stale:?}");
}

#[test]
fn readme_documents_every_option() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let help = Command::new(env!("CARGO_BIN_EXE_atl-lint")).arg("--help").output().expect("run --help");
    let help = String::from_utf8_lossy(&help.stdout);
    let options: Vec<&str> = help
        .split_whitespace()
        .map(|w| w.trim_end_matches(','))
        .filter(|w| w.starts_with("--") && w.len() > 2 && !matches!(*w, "--help" | "--version"))
        .collect();
    assert!(options.len() > 10, "{options:?}");
    for option in options {
        assert!(
            readme.contains(&format!("`{option}")) || readme.contains(&format!(" {option}")),
            "README lacks {option}"
        );
    }
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let ci = std::fs::read_to_string(".ci/run").expect(".ci/run");
    assert!(readme.contains("```sh\ncargo test\n```"), "README's test command");
    let runs_it =
        ci.lines().any(|l| l.split('|').next().map(|c| c.trim().trim_end_matches("2>&1").trim()) == Some("cargo test"));
    assert!(runs_it, ".ci/run must run `cargo test`");
}

/// Every place that names a release (the README's downloads, image and pre-commit `rev`, the
/// docker hook's image, the action's examples) names the tag of the version being built, so
/// a release that bumps `Cargo.toml` cannot leave a snippet pointing at the previous one.
#[test]
fn release_snippets_name_the_current_tag() {
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let mut named = 0;
    for file in ["README.md", ".pre-commit-hooks.yaml", "action.yml"] {
        let text = std::fs::read_to_string(file).expect(file);
        // A tag is `v` and three dot-separated numbers after `rev: `, `@`, `:` or `/`.
        for (at, _) in text.match_indices('v') {
            let before = text[..at].chars().last();
            if !matches!(before, Some(' ' | '@' | ':' | '/' | '-' | '`' | '(')) {
                continue;
            }
            let rest = &text[at + 1..];
            let version: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let version = version.trim_end_matches('.');
            if version.split('.').count() != 3 || version.split('.').any(str::is_empty) {
                continue;
            }
            assert_eq!(format!("v{version}"), tag, "{file} names v{version}");
            named += 1;
        }
    }
    assert!(named >= 6, "{named} release tags found");
}
