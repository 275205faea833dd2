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
