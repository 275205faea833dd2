//! The real-world corpus (`shared/corpus/real`, from public infrastructure repositories,
//! most of them templates): every file is found with the kind `SOURCES.tsv` gives it, parses
//! without a syntax error unless it is really malformed (each exception below, with its
//! reason), and the whole corpus lints without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

mod common;

use atl_lint::source::FileKind;
use atl_lint::{lint, Options};
use common::{require, shared};

/// Corpus files that really are malformed, and why.
const MALFORMED: [(&str, &str); 0] = [];

fn expected_kind(format: &str) -> Option<FileKind> {
    match format {
        "apache" => Some(FileKind::Apache),
        "haproxy" => Some(FileKind::Haproxy),
        "tomcat-server-xml" => Some(FileKind::TomcatServerXml),
        "bitbucket-properties" => Some(FileKind::BitbucketProperties),
        "nginx" => Some(FileKind::Nginx),
        _ => None,
    }
}

#[test]
fn every_real_file_has_its_kind_and_parses() {
    let real = shared().join("corpus/real");
    let Ok(sources) = std::fs::read_to_string(real.join("SOURCES.tsv")) else {
        require(false, "shared/corpus/real/SOURCES.tsv");
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in sources.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(format)) = (columns.first(), columns.get(4)) else { continue };
        let path = real.join(file);
        let report = lint(&Options { paths: vec![path.clone()], live: Some(false), ..Options::default() })
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let kinds: Vec<Option<FileKind>> = report.linted_files().map(|f| f.kind()).collect();
        match expected_kind(format) {
            Some(kind) if kinds != [Some(kind)] => failures.push(format!("{file}: read as {kinds:?}, not {kind:?}")),
            None if !kinds.is_empty() => failures.push(format!("{file}: a {format} file was linted as {kinds:?}")),
            _ => {}
        }
        let errors: Vec<String> =
            report.diagnostics.iter().filter(|d| d.rule == "syntax-error").map(|d| d.message.clone()).collect();
        let excused = MALFORMED.iter().any(|(name, _)| file.ends_with(name));
        if !errors.is_empty() && !excused {
            failures.push(format!("{file}: {errors:?}"));
        }
        checked += 1;
    }
    assert!(checked >= 60, "{checked} corpus files");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_whole_corpus_lints_in_one_run() {
    let corpus = shared().join("corpus");
    if !require(corpus.is_dir(), "shared/corpus") {
        return;
    }
    let paths: Vec<PathBuf> = vec![corpus.join("real"), corpus.join("debian12")];
    let report = lint(&Options { paths, live: Some(false), ..Options::default() }).expect("lint");
    assert!(report.linted_files().count() > 100);
}

/// Repositories that hold a proxy and an application configuration (`SOURCES.tsv`) whose
/// routes atl-lint cannot link yet, and why.
const UNLINKED: [(&str, &str); 8] = [
    ("c2platform__ansible-dev", "the Apache vhosts are YAML block strings in group_vars, not files"),
    ("jenkins-infra__jenkins-infra", "the Tomcat side lives in the images of other repositories"),
    (
        "jtalks-org__jtalks-infra",
        "the nginx site and the connectors take their ports from Chef resource parameters (`@destination_port`, `@port`) set in recipes",
    ),
    ("johnduhart__puppet-repo", "nginx vhosts declared as Puppet resources; the app modules come from the Forge"),
    ("microdevops-com__atlassian-confluence-formula", "nginx written inline in a Salt state"),
    ("microdevops-com__atlassian-jira-formula", "nginx written inline in a Salt state"),
    (
        "kangeek__infra-docker-compose",
        "the nginx `*.conf.template` files proxy to `proxied.server`, a placeholder no compose service has: they are copied and filled in by hand for each site",
    ),
    (
        "rtyler__infra-puppet@wiki",
        "two proxy layers: the Apache vhost proxies to the nginx cache on 127.0.0.1:8009, which proxies to Confluence (linked); proxy-to-proxy hops are not followed",
    ),
];

/// Whole repositories (`shared/corpus/repos`, each with its defaults files): none has a
/// syntax error, how many files each lints and how many routes it links to a connector are
/// pinned in a snapshot (so that a change in what the join finds shows), and every
/// repository that holds both a proxy and an application configuration links a route,
/// unless [`UNLINKED`] says why not.
#[test]
fn whole_repositories_lint_without_syntax_errors_and_link_as_pinned() {
    let repos = shared().join("corpus/repos");
    if !require(repos.is_dir(), "shared/corpus/repos") {
        return;
    }
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&repos).expect("repos").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "repositories found: {}", dirs.len());
    let mut table = String::new();
    let mut errors = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let report = lint(&Options { paths: vec![dir.clone()], live: Some(false), ..Options::default() })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        errors.extend(
            report.diagnostics.iter().filter(|d| d.rule == "syntax-error").map(|d| format!("{name}: {}", d.message)),
        );
        let resolved: usize = report.sources.iter().map(|s| s.resolutions().len()).sum();
        table.push_str(&format!(
            "{name}: {} files, {} template values from defaults, {} linked routes\n",
            report.linted_files().count(),
            resolved,
            report.linked_routes
        ));
    }
    assert!(errors.is_empty(), "{errors:#?}");
    // Every repository with a proxy and an app links, or is listed with its reason.
    let sources = std::fs::read_to_string(repos.join("SOURCES.tsv")).expect("SOURCES.tsv");
    let mut unlinked = Vec::new();
    for line in sources.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (Some(dir), Some(proxy), Some(apps)) = (columns.first(), columns.get(4), columns.get(5)) else { continue };
        if *proxy == "none" || *apps == "none" || UNLINKED.iter().any(|(name, _)| name == dir) {
            continue;
        }
        let linked = table.lines().any(|l| l.starts_with(&format!("{dir}:")) && !l.ends_with(" 0 linked routes"));
        if !linked {
            unlinked.push(*dir);
        }
    }
    assert!(unlinked.is_empty(), "repositories with a proxy and an app that link nothing: {unlinked:?}");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("corpus-repos-linking", table);
    });
}

/// Debian's stock nginx tree (its `sites-enabled/default` the absolute link Debian ships)
/// and a D-Bus policy file (XML whose text lines start with `global` and `backend`, as in a
/// real one under `/usr/share/dbus-1`): the nginx files are read as nginx and the policy as
/// nothing, so a server with both packages reports nothing above `info` for them.
#[test]
fn nginx_and_dbus_files_report_nothing_above_info() {
    let stock = shared().join("corpus/debian12/etc/nginx");
    if !require(stock.is_dir(), "shared/corpus/debian12/etc/nginx") {
        return;
    }
    // Debian's link is absolute: it resolves only where nginx is installed (`.ci/run` does).
    let installed = std::path::Path::new("/etc/nginx/sites-available/default").is_file();
    if !require(installed, "nginx's /etc/nginx/sites-available/default (apt-get install nginx)") {
        return;
    }
    let dir = common::temp_dir("dbus");
    let nginx = dir.join("etc/nginx");
    common::copy_tree(&stock, &nginx);
    let policy = "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n \
        \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig>\n  <!--\n\
        global policy: backend services listen on the system bus\n\
        backend daemons own their names; defaults below\n  -->\n  <policy context=\"default\">\n    \
        <allow own=\"org.example.Backend\"/>\n  </policy>\n</busconfig>\n";
    std::fs::write(dir.join("org.example.Backend.conf"), policy).expect("write");
    let report = lint(&Options { paths: vec![nginx, dir.to_path_buf()], live: Some(false), ..Options::default() })
        .expect("lint");
    let loud: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity > atl_lint::diagnostic::Severity::Info)
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    let nginx_files = report.linted_files().filter(|f| f.kind() == Some(FileKind::Nginx)).count();
    assert!(nginx_files >= 10, "{nginx_files} files read as nginx");
    assert!(report.linted_files().all(|f| f.kind() == Some(FileKind::Nginx)), "the policy is not read");
}

/// Atlassian's own Helm charts: each chart's `values.yaml` (the defaults, no Ingress) lints
/// with nothing above `info`, and so does each test configuration of the charts (an Ingress
/// on ingress-nginx, AWS, Azure or Google load balancers, linked to the app of its file).
#[test]
fn atlassian_chart_values_lint_clean() {
    let charts = shared().join("corpus/repos/atlassian__data-center-helm-charts/src");
    if !require(charts.is_dir(), "shared/corpus/repos/atlassian__data-center-helm-charts") {
        return;
    }
    let report = lint(&Options { paths: vec![charts], live: Some(false), ..Options::default() }).expect("lint");
    let found: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= atl_lint::diagnostic::Severity::Warning)
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    let values = report.linted_files().filter(|f| f.path().ends_with("values.yaml")).count();
    assert!(values >= 5, "values files read: {values}");
    assert!(report.linked_routes >= 10, "linked routes: {}", report.linked_routes);
}

/// jenkins-infra's wiki: Apache on 443 proxies to an nginx cache that listens on
/// `127.0.0.1:8009` and proxies to Confluence, whose `proxyPort` is 443. The loopback
/// listener is a hop between proxies, not the port users reach: no mismatch, and no fix
/// that would write `proxyPort="8009"`.
#[test]
fn a_proxy_listening_on_loopback_is_not_the_public_port() {
    let repo = shared().join("corpus/repos/rtyler__infra-puppet");
    if !require(repo.is_dir(), "shared/corpus/repos/rtyler__infra-puppet") {
        return;
    }
    let options = Options {
        paths: vec![repo],
        live: Some(false),
        select: Some(vec!["connector-proxy-port-mismatch".into(), "connector-proxy-name-missing".into()]),
        ..Options::default()
    };
    let report = lint(&options).expect("lint");
    let wrong: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| {
            d.rule == "connector-proxy-port-mismatch" || d.fix.as_ref().is_some_and(|f| f.description.contains("8009"))
        })
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
