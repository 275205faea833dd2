//! Apache: the include tree as atl-lint reads it is the tree Apache reads. The oracle is
//! Apache's own configuration dump (`apache2 -t -D DUMP_CONFIG`, run by `apache_reads`):
//! after includes, `Define`/`${NAME}`, `LoadModule` order and `<IfModule>`, atl-lint must
//! list the same directives, in the same order, at the same file and line, with the same
//! arguments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{copy_tree, require, shared, temp_dir};

/// Runs Debian's `apache2` as its start scripts do: with the variables of its `envvars`, and
/// with the run-time directories they name in place (`apache2 -t` checks that they exist).
/// Exit 3: a prerequisite is missing, and the reason is on standard error.
const APACHE2: &str = r#"
command -v apache2 >/dev/null || { echo "apache2 is not installed (Debian: apt-get install apache2)" >&2; exit 3; }
[ -r /usr/lib/apache2/modules/mod_info.so ] || { echo "apache2 has no mod_info" >&2; exit 3; }
if [ -r /etc/apache2/envvars ]; then . /etc/apache2/envvars; fi
for dir in "${APACHE_RUN_DIR:-}" "${APACHE_LOCK_DIR:-}" "${APACHE_LOG_DIR:-}"; do
    [ -z "$dir" ] || [ -d "$dir" ] || mkdir -p "$dir" 2>/dev/null ||
        { echo "apache2 needs $dir, which does not exist and cannot be made here" >&2; exit 3; }
done
exec apache2 "$@"
"#;

/// Apache's own reading of the tree headed by `main` (ServerRoot defaulting to its
/// directory): `apache2 -t -D DUMP_CONFIG` with mod_info loaded lists every directive and
/// section tag that survives includes, `Define`/`${NAME}` and `<IfModule>`/`<IfDefine>`,
/// under `# In file:` and `# LINE:` markers. One `FILE:LINE<TAB>text` entry each; `None` (with
/// the reason printed) when apache2 cannot run here, `Err` with Apache's words when it
/// refuses the tree.
fn apache_reads(main: &Path) -> Option<Result<Vec<String>, String>> {
    let dir = main.parent().unwrap_or(Path::new("/"));
    let output = Command::new("sh")
        .arg("-c")
        .arg(APACHE2)
        .arg("apache2")
        .args(["-t", "-D", "DUMP_CONFIG", "-C", "LoadModule info_module /usr/lib/apache2/modules/mod_info.so", "-f"])
        .arg(main)
        .arg("-d")
        .arg(dir)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        require(false, stderr.trim());
        return None;
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Some(Err(format!("{stdout}{stderr}")));
    }
    let (mut file, mut line) = (String::new(), String::new());
    let mut entries = Vec::new();
    for text in stdout.lines().chain(stderr.lines()) {
        let trimmed = text.trim_start();
        if let Some(name) = text.strip_prefix("# In file: ") {
            file = name.to_string();
        } else if let Some(number) = trimmed.strip_prefix('#').map(str::trim).and_then(|t| t.strip_suffix(':')) {
            if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
                line = number.to_string();
            }
        } else if trimmed.is_empty()
            || trimmed.starts_with('#')
            || text.starts_with("AH")
            || text.starts_with("Syntax OK")
            // Apache's warnings (an undefined `${NAME}`, a module loaded twice).
            || (trimmed.starts_with('[') && trimmed.contains(":warn] "))
        {
        } else {
            entries.push(format!("{file}:{line}\t{trimmed}"));
        }
    }
    Some(Ok(entries))
}

/// Apache's dump of a tree it must accept; `None` when apache2 is not installed.
fn oracle(main: &Path) -> Option<Vec<String>> {
    Some(apache_reads(main)?.unwrap_or_else(|refusal| panic!("apache2 refuses {}:\n{refusal}", main.display())))
}

/// Apache's dump, or `None` when apache2 is absent or refuses the configuration.
fn oracle_if_accepted(main: &Path) -> Option<Vec<String>> {
    apache_reads(main)?.ok()
}

fn ours(main: &Path) -> Vec<String> {
    let dump = atl_lint::apache_dump(main).expect("the tree is readable");
    dump.iter().map(|l| format!("{}:{}\t{}", l.file.display(), l.line, l.text)).collect()
}

/// Compares both dumps line by line and shows the first difference with context.
fn compare(main: &Path) {
    let Some(expected) = oracle(main) else {
        return;
    };
    let actual = ours(main);
    assert!(expected.len() > 3, "the oracle printed almost nothing: {expected:?}");
    let first = expected.iter().zip(&actual).position(|(e, a)| e != a);
    if first.is_none() && expected.len() == actual.len() {
        return;
    }
    let at = first.unwrap_or(expected.len().min(actual.len()));
    let window =
        |lines: &[String]| lines.iter().skip(at.saturating_sub(3)).take(6).cloned().collect::<Vec<_>>().join("\n");
    panic!(
        "{} differs from Apache at entry {at} (Apache {} entries, atl-lint {}):\n--- apache\n{}\n--- atl-lint\n{}",
        main.display(),
        expected.len(),
        actual.len(),
        window(&expected),
        window(&actual)
    );
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).expect("canonical")
}

#[test]
fn debians_stock_tree_reads_as_apache_reads_it() {
    let corpus = shared().join("corpus/debian12/etc/apache2");
    if !require(corpus.is_dir(), "shared/corpus/debian12") {
        return;
    }
    let dir = temp_dir("apache-debian");
    copy_tree(&corpus, &dir.join("apache2"));
    let main = canonical(&dir.join("apache2")).join("apache2.conf");
    let dump = ours(&main);
    assert!(dump.iter().any(|l| l.contains("/sites-enabled/000-default.conf:") && l.contains("/var/log/apache2/")));
    compare(&main);
}

#[test]
fn a_generated_tree_of_200_virtual_hosts_reads_as_apache_reads_it() {
    let generator = shared().join("bench/gen.py");
    if !require(generator.is_file(), "shared/bench/gen.py") {
        return;
    }
    let dir = temp_dir("apache-generated");
    let status = Command::new("python3").arg(generator).args(["apache", "200"]).arg(dir.join("apache")).status();
    if !require(status.is_ok_and(|s| s.success()), "python3 to run the benchmark generator") {
        return;
    }
    compare(&canonical(&dir.join("apache")).join("apache2.conf"));
}

const MODULES: &str = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
    LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n";

#[test]
fn continuations_quotes_defines_and_conditions_read_as_apache_reads_them() {
    let dir = temp_dir("apache-hand");
    let root = canonical(&dir);
    std::fs::create_dir_all(root.join("inc/deeper")).expect("mkdir");
    let main = format!(
        "{MODULES}ServerName localhost\n\
         Define PORT 8080\n\
         Define ON\n\
         Listen ${{PORT}}\n\
         ErrorLog {root}/error.log\n\
         PidFile {root}/apache.pid\n\
         <IfDefine ON>\n\
         \x20 <IfModule mod_proxy.c>\n\
         \x20   ProxyTimeout 10\n\
         \x20 </IfModule>\n\
         \x20 <IfModule !mod_proxy.c>\n\
         \x20   ServerAdmin   admin@example.com   \n\
         \x20   <IfDefine !OFF>\n\
         \x20     ServerSignature On\n\
         \x20   </IfDefine>\n\
         \x20 </IfModule>\n\
         </IfDefine>\n\
         LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n\
         <IfModule proxy_module>\n\
         ProxyTimeout 20\n\
         </IfModule>\n\
         <VirtualHost *:${{PORT}}>\n\
         \x20  ServerAlias a.example.com \\\n\
         \x20    b.example.com   \\\n\
         c.example.com\n\
         \x20  Header  set X-Quoted \"a \\\"b\\\" c\"\n\
         \x20  Header set X-Single 'one two'\n\
         \x20  ServerAlias d.example.com # a trailing hash is an argument\n\
         \x20  # a comment line\n\
         <Location /empty>\n\
         </Location>\n\
         <Location /full>\n\
         \x20  Header set X-In-Location 1\n\
         </Location>\n\
         Include inc/*.conf\n\
         </VirtualHost>\n\
         UnDefine PORT\n\
         ServerAdmin ${{PORT}}\n\
         <IfVersion >= 2.4>\n\
         TraceEnable off\n\
         </IfVersion>\n\
         <IfVersion < 2.4>\n\
         TraceEnable on\n\
         </IfVersion>\n\
         IncludeOptional inc/none-*.conf\n\
         Include inc/deeper\n",
        root = root.display()
    );
    std::fs::write(root.join("apache2.conf"), main).expect("write");
    std::fs::write(root.join("inc/a.conf"), "Define INNER yes\nServerSignature Off\n\n").expect("write");
    std::fs::write(root.join("inc/b.conf"), "<IfDefine INNER>\nKeepAlive On\n</IfDefine>\n").expect("write");
    std::fs::write(root.join("inc/deeper/z.conf"), "Timeout 30\n").expect("write");
    std::fs::write(root.join("inc/deeper/a.conf"), "Timeout \\\n  60\n").expect("write");
    compare(&root.join("apache2.conf"));
}

#[test]
fn absolute_includes_are_found_in_the_checkout_and_reported_at_the_symlink() {
    let dir = temp_dir("apache-checkout");
    // A repository checkout: live mode stays off, so nothing is read from this machine's /etc.
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    let etc = dir.join("etc/apache2");
    std::fs::create_dir_all(etc.join("sites-available")).expect("mkdir");
    std::fs::create_dir_all(etc.join("sites-enabled")).expect("mkdir");
    std::fs::write(
        etc.join("apache2.conf"),
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n\
         Define SITES /etc/apache2/sites-enabled\n\
         IncludeOptional ${SITES}/*.conf\n",
    )
    .expect("write");
    std::fs::write(
        etc.join("sites-available/jira.conf"),
        "<VirtualHost *:80>\n    ServerName jira.example.com\n    ProxyPass /jira \\\n        http://localhost:8080/jira\n</VirtualHost>\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("../sites-available/jira.conf", etc.join("sites-enabled/jira.conf")).expect("symlink");
    let options = atl_lint::Options { paths: vec![dir.join("etc")], ..Default::default() };
    let report = atl_lint::lint(&options).expect("lint");
    let finding = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "module-not-loaded")
        .expect("ProxyPass without mod_proxy is reported");
    let source = report.sources.get(finding.primary.span.file).expect("source");
    assert!(source.display().ends_with("etc/apache2/sites-enabled/jira.conf"), "{}", source.display());
    assert_eq!(source.line_col(finding.primary.span.start()).0, 3);
}

/// Pieces of configuration Apache's reader treats specially, combined at random.
const SNIPPETS: [&str; 16] = [
    "Define PORT 8080\n",
    "Define ON\n",
    "UnDefine ON\n",
    "ServerAdmin port-${PORT}@example.com\n",
    "ServerAdmin admin@${HOST}\n",
    "<IfDefine ON>\nKeepAlive On\n</IfDefine>\n",
    "<IfDefine !ON>\n  <IfDefine !OFF>\n    KeepAlive Off\n  </IfDefine>\n</IfDefine>\n",
    "<IfModule headers_module>\nHeader set X-A 1\n</IfModule>\n",
    "<IfModule !mod_headers.c>\nTimeout 20\n</IfModule>\n",
    "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n",
    "<IfModule mod_proxy.c>\n  <IfModule proxy_module>\n    ProxyTimeout 5\n  </IfModule>\n</IfModule>\n",
    "ServerAlias a.example.com \\\n   b.example.com\\\nc.example.com\n",
    "Header set X-Q \"a \\\"b\\\" c\"\nHeader   set X-S 'one two'   \n",
    "<VirtualHost *:8081>\nServerName v.example.com\n<Location /empty>\n</Location>\n<Location /full>\nHeader set X-L 1\n</Location>\nInclude inc/*.conf\n</VirtualHost>\n",
    "Include inc/deeper\n",
    "# a comment \\\nServerSignature Off # not a comment\n",
];

#[test]
fn a_checkout_without_the_stock_files_gets_a_note_not_an_error_and_a_server_gets_the_error() {
    let dir = temp_dir("apache-partial");
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    let etc = dir.join("etc/apache2");
    std::fs::create_dir_all(&etc).expect("mkdir");
    std::fs::write(etc.join("apache2.conf"), "Include ports.conf\nInclude conf/jira.conf\n").expect("write");
    std::fs::create_dir_all(etc.join("conf")).expect("mkdir");
    let findings = |live: bool| -> Vec<String> {
        let options = atl_lint::Options { paths: vec![dir.join("etc")], live: Some(live), ..Default::default() };
        let options = if live {
            atl_lint::Options { paths: vec!["/etc".into()], root: Some(dir.to_path_buf()), ..options }
        } else {
            options
        };
        let report = atl_lint::lint(&options).expect("lint");
        let line = |d: &atl_lint::diagnostic::Diagnostic| {
            report.sources.get(d.primary.span.file).map_or(0, |s| s.line_col(d.primary.span.start()).0)
        };
        report.diagnostics.iter().map(|d| format!("{}:{} {:?}", line(d), d.rule, d.severity)).collect()
    };
    // In a repository, the stock `ports.conf` is a note; the repository's own missing
    // include stays an error.
    assert_eq!(findings(false), ["1:file-skipped Info", "2:syntax-error Error"]);
    // On a server, both are errors: Apache will not start.
    assert_eq!(findings(true), ["1:syntax-error Error", "2:syntax-error Error"]);
}

#[test]
fn generated_configurations_read_as_apache_reads_them() {
    let available = Command::new("apache2").arg("-v").output().is_ok_and(|o| o.status.success());
    if !require(available, "apache2 (Debian package) for the Apache oracle") {
        return;
    }
    let dir = temp_dir("apache-generated-snippets");
    let root = canonical(&dir);
    std::fs::create_dir_all(root.join("inc/deeper")).expect("mkdir");
    std::fs::write(root.join("inc/a.conf"), "ServerSignature Off\n").expect("write");
    std::fs::write(root.join("inc/deeper/b.conf"), "Timeout \\\n  45\n").expect("write");
    let mut rng = common::Rng(0x9e37_79b9_7f4a_7c15);
    let mut next = |n: usize| rng.below(n);
    let (mut compared, mut refused) = (0, 0);
    for _ in 0..common::scale(40) {
        let mut text =
            format!("{MODULES}ServerName localhost\nErrorLog {0}/error.log\nPidFile {0}/apache.pid\n", root.display());
        for _ in 0..3 + next(5) {
            text.push_str(SNIPPETS[next(SNIPPETS.len())]);
        }
        let main = root.join("apache2.conf");
        std::fs::write(&main, &text).expect("write");
        let Some(expected) = oracle_if_accepted(&main) else {
            refused += 1;
            continue;
        };
        let actual = ours(&main);
        assert_eq!(actual, expected, "differs from Apache on:\n{text}");
        compared += 1;
    }
    eprintln!("apache oracle: {compared} generated configurations compared, {refused} refused by Apache");
    assert!(compared > refused, "most generated configurations must be valid");
}
