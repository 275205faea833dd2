//! The fixture harness: every rule triggers on its `fixtures/<scope>/<rule-id>.*` files and
//! stays silent on its `<rule-id>.ok.*` files; the human output of each trigger is a snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

use atl_lint::report::human::{self, Style};
use atl_lint::rules::ALL;
use atl_lint::{lint, Options};

/// Fixture paths for a rule: (must trigger, must not trigger).
fn fixtures(scope: &str, id: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut triggering = Vec::new();
    let mut clean = Vec::new();
    let dir = Path::new("fixtures").join(scope);
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(rest) = name.strip_prefix(id).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        if rest.starts_with("ok.") {
            clean.push(path);
        } else {
            triggering.push(path);
        }
    }
    let cross = Path::new("fixtures/cross");
    if cross.join(id).is_dir() {
        triggering.push(cross.join(id));
    }
    if cross.join(format!("{id}.ok")).is_dir() {
        clean.push(cross.join(format!("{id}.ok")));
    }
    (triggering, clean)
}

/// When the certificate fixtures are judged: 2030-01-01T00:00:00Z.
const FIXTURE_NOW: i64 = 1_893_456_000;

/// The rules a suppression fixture names in its ignore comments: `unused-suppression` judges
/// a comment only for rules that ran, so they run with it.
fn suppressed_rules(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lists = text.split("ignore[").skip(1).filter_map(|rest| rest.split_once(']').map(|(list, _)| list));
    lists.flat_map(|list| list.split(',').map(|id| id.trim().to_string())).filter(|id| !id.is_empty()).collect()
}

fn run(path: &Path, id: &str) -> atl_lint::report::Report {
    let mut select = vec![id.to_string()];
    if id == "unused-suppression" {
        select.extend(suppressed_rules(path).into_iter().filter(|s| atl_lint::rules::find(s).is_some()));
    }
    let mut options = Options { paths: vec![path.to_path_buf()], select: Some(select), ..Options::default() };
    if id.starts_with("tls-cert-") {
        // A server's filesystem in a directory: `atl-lint --root DIR /etc`.
        options = Options {
            paths: vec![PathBuf::from("/etc")],
            root: Some(path.to_path_buf()),
            live: Some(true),
            now: Some(FIXTURE_NOW),
            ..options
        };
    }
    lint(&options).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The width the human snapshots are rendered at: an 80-column terminal.
const WIDTH: usize = 80;

/// Whether every word of each finding's message and help is shown whole in the human report:
/// wrapped at the terminal's width, a word may move to the next line but never be cut.
fn no_word_broken(report: &atl_lint::report::Report, rendered: &str) -> Result<(), String> {
    let redactor = report.redactor();
    let flat = rendered.lines().map(|l| l.trim_start_matches([' ', '│', '·', '×', '⚠', '☞'])).collect::<Vec<_>>();
    for d in &report.diagnostics {
        for text in std::iter::once(&d.message).chain(&d.help) {
            let shown = atl_lint::report::escape_controls(&redactor.scrub(text)).into_owned();
            for word in shown.split_whitespace() {
                if !flat.iter().any(|line| line.contains(word)) {
                    return Err(format!("`{word}` of `{shown}` is cut across lines:\n{rendered}"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn every_rule_triggers_on_its_fixtures_and_is_silent_on_the_ok_ones() {
    let mut failures = Vec::new();
    for rule in ALL {
        let meta = rule.meta();
        let (triggering, clean) = fixtures(meta.scope, meta.id);
        if triggering.is_empty() || clean.is_empty() {
            failures.push(format!(
                "{}: needs fixtures/{}/{}.<ext> and {}.ok.<ext> (or fixtures/cross/...)",
                meta.id, meta.scope, meta.id, meta.id
            ));
            continue;
        }
        for path in &triggering {
            let report = run(path, meta.id);
            if !report.diagnostics.iter().any(|d| d.rule == meta.id) {
                failures.push(format!("{}: does not trigger on {}", meta.id, path.display()));
                continue;
            }
            let name = path.to_string_lossy().trim_start_matches("fixtures/").replace('/', "__");
            let rendered = human::render(&report, Style { color: false, width: WIDTH, links: false });
            if let Err(broken) = no_word_broken(&report, &rendered) {
                failures.push(format!("{}: {broken}", path.display()));
            }
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(name, rendered);
            });
        }
        for path in &clean {
            let report = run(path, meta.id);
            // A fixture that is not read, or read as no format, would be silent for nothing.
            let linted = report.linted_files().count();
            let named = path.is_dir() || report.linted_files().any(|f| f.path() == path);
            if linted == 0 || !named {
                failures.push(format!("{}: the ok fixture {} was not parsed", meta.id, path.display()));
            }
            if meta.id == "unused-suppression" {
                // Its suppressions must be needed: without them, the rules they name fire.
                let bare = atl_lint::lint(&Options {
                    paths: vec![path.clone()],
                    select: Some(suppressed_rules(path)),
                    no_ignore_comments: true,
                    ..Options::default()
                })
                .expect("lint");
                if bare.diagnostics.is_empty() {
                    failures.push(format!("{}: the suppressions of {} suppress nothing", meta.id, path.display()));
                }
            }
            for d in &report.diagnostics {
                failures.push(format!("{}: triggers on the ok fixture {}: {}", meta.id, path.display(), d.message));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
    let mut strays = Vec::new();
    for scope in std::fs::read_dir("fixtures").expect("fixtures dir").flatten() {
        let scope_name = scope.file_name().to_string_lossy().into_owned();
        if scope_name == "e2e" {
            continue;
        }
        for entry in std::fs::read_dir(scope.path()).expect("scope dir").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id = name.split('.').next().unwrap_or("");
            let owner = ALL.iter().find(|r| r.meta().id == id);
            let in_scope = owner.is_some_and(|r| scope_name == "cross" || r.meta().scope == scope_name);
            if !ids.contains(&id) || !in_scope {
                strays.push(format!("fixtures/{scope_name}/{name}"));
            }
        }
    }
    assert!(strays.is_empty(), "fixtures that no rule of that scope owns: {strays:?}");
}

#[test]
fn false_ifdefine_and_ifmodule_bodies_in_an_include_tree_are_not_read() {
    let report =
        lint(&Options { paths: vec![PathBuf::from("fixtures/cross/module-not-loaded.ok")], ..Options::default() })
            .expect("lint");
    let found: Vec<String> = report.diagnostics.iter().map(|d| format!("{}: {}", d.rule, d.message)).collect();
    assert!(found.is_empty(), "{found:#?}");
    // The same vhost read on its own (no main configuration) is judged whole.
    let alone = lint(&Options {
        paths: vec![PathBuf::from("fixtures/cross/module-not-loaded.ok/etc/apache2/sites-enabled/jira.conf")],
        ..Options::default()
    })
    .expect("lint");
    assert!(alone.diagnostics.iter().any(|d| d.rule == "unknown-directive" && d.message.contains("JkMount")));
}

/// Atlassian's documented setups: nothing at warning or above.
const DOCUMENTED: [&str; 26] = [
    "templates",
    "clean",
    "bitbucket-haproxy-ssl",
    "stash-context-path",
    "apache-two-apps-one-vhost",
    "apache-name-based-vhosts",
    "confluence-synchrony",
    "confluence-nginx",
    "jira-nginx",
    "bitbucket-nginx",
    "jira-dc-apache",
    "bitbucket-dc-apache",
    "confluence-dc-haproxy",
    "confluence-dc-apache",
    "jira-dc-nginx",
    "compose-jira-nginx",
    "compose-bitbucket-haproxy",
    "compose-confluence-apache",
    "helm-jira-dc",
    "compose-confluence-traefik",
    "compose-crowd-nginx",
    "k8s-confluence-dc",
    "k8s-jira-gateway",
    "traefik-confluence-dc",
    "compose-bamboo-apache",
    "compose-bitbucket-traefik",
];

#[test]
fn whole_deployments_lint_as_their_snapshots_say() {
    let mut scenarios: Vec<PathBuf> =
        std::fs::read_dir("fixtures/e2e").expect("e2e dir").flatten().map(|e| e.path()).collect();
    scenarios.sort();
    assert!(scenarios.len() >= 2);
    for dir in scenarios {
        // A deployment's own `.atl-lint.toml` (what the files cannot tell), as the CLI reads it.
        let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
        let config_file = dir.join(atl_lint::config::FILE_NAME);
        let config = match config_file.is_file() {
            true => atl_lint::config::load(&config_file, &ids).expect("config"),
            false => atl_lint::config::Config::default(),
        };
        let report = lint(&Options { paths: vec![dir.clone()], config, ..Options::default() }).expect("lint");
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name == "bitbucket-haproxy" {
            // Atlassian's recipe verbatim: only its `option httplog` in the backend, at info.
            let found: Vec<_> = report.diagnostics.iter().map(|d| (d.rule, d.severity)).collect();
            assert_eq!(found, [("misplaced-directive", atl_lint::diagnostic::Severity::Info)]);
        }
        if DOCUMENTED.contains(&name.as_str()) {
            let found: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity >= atl_lint::diagnostic::Severity::Warning)
                .map(|d| format!("{}: {}", d.rule, d.message))
                .collect();
            assert!(found.is_empty(), "the documented setup {name} has findings: {found:#?}");
            // Both sides: two files, or a chart's values that hold the Ingress and the app.
            assert!(report.linted_files().count() >= 2 || report.linked_routes >= 1, "{name}");
        }
        let human = human::render(&report, Style { color: false, width: WIDTH, links: false });
        if let Err(broken) = no_word_broken(&report, &human) {
            panic!("{name}: {broken}");
        }
        let rendered = format!("{human}\n{}", report.summary_line());
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("e2e__{name}"), rendered);
        });
    }
}

#[test]
fn unrelated_deployments_in_one_repository_do_not_link_across() {
    // Two roles, each an Apache virtual host in front of a Tomcat at the root on port 8080:
    // only directory proximity tells them apart.
    let dir = std::env::temp_dir().join(format!("atl-lint-roles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server_xml = |name: &str, docbase: &str| {
        // Confluence deploys its internal Synchrony proxy, as shipped.
        let extra = if name == "confluence" {
            "<Context path=\"/synchrony-proxy\" docBase=\"../synchrony-proxy\"/>\n"
        } else {
            ""
        };
        format!(
            "<Server port=\"8005\" shutdown=\"SHUTDOWN\"><Service name=\"Catalina\">\n<Connector port=\"8080\" protocol=\"HTTP/1.1\" relaxedPathChars=\"[]|\" relaxedQueryChars=\"[]|\" proxyName=\"{name}.example.com\" proxyPort=\"443\" scheme=\"https\" secure=\"true\"/>\n<Engine name=\"Catalina\" defaultHost=\"localhost\"><Host name=\"localhost\" appBase=\"webapps\">\n<Context path=\"\" docBase=\"{docbase}\"/>\n{extra}</Host></Engine></Service></Server>\n"
        )
    };
    let vhost = |name: &str| {
        format!(
            "<VirtualHost *:443>\n    ServerName {name}.example.com\n    SSLEngine on\n    ProxyPreserveHost On\n    ProxyPass / http://localhost:8080/\n    ProxyPassReverse / http://localhost:8080/\n</VirtualHost>\n"
        )
    };
    for (role, docbase) in [("jira", "atlassian-jira"), ("confluence", "../confluence")] {
        let root = dir.join("roles").join(role);
        std::fs::create_dir_all(root.join("files")).expect("mkdir");
        std::fs::create_dir_all(root.join("templates")).expect("mkdir");
        std::fs::write(root.join(format!("files/{role}.conf")), vhost(role)).expect("write");
        std::fs::write(root.join("templates/server.xml"), server_xml(role, docbase)).expect("write");
    }
    let report = lint(&Options { paths: vec![dir.clone()], ..Options::default() }).expect("lint");
    let found: Vec<String> = report.diagnostics.iter().map(|d| format!("{}: {}", d.rule, d.message)).collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(report.linked_routes, 2);
    // A host renamed in one role is reported in that role only.
    std::fs::write(dir.join("roles/jira/files/jira.conf"), vhost("jira-new")).expect("write");
    let report = lint(&Options { paths: vec![dir.clone()], ..Options::default() }).expect("lint");
    let mismatch: Vec<_> = report.diagnostics.iter().filter(|d| d.rule == "connector-proxy-name-mismatch").collect();
    assert_eq!(mismatch.len(), 1, "{:#?}", report.diagnostics);
    let files: Vec<String> = std::iter::once(&mismatch[0].primary)
        .chain(&mismatch[0].related)
        .filter_map(|l| report.sources.get(l.span.file).map(|s| s.display().to_string()))
        .collect();
    assert!(files.iter().all(|f| f.contains("roles/jira/")), "{files:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn findings(path: &Path, options: Options) -> Vec<String> {
    let report = lint(&Options { paths: vec![path.to_path_buf()], ..options }).expect("lint");
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = report.sources.get(d.primary.span.file).expect("source");
            let name = source.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            format!("{name}:{} {}", source.line_col(d.primary.span.start()).0, d.rule)
        })
        .collect()
}

#[test]
fn ignore_comments_silence_exactly_their_finding_in_every_format() {
    let dir = std::env::temp_dir().join(format!("atl-lint-suppress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("etc/apache2/sites-available")).expect("mkdir");
    std::fs::create_dir_all(dir.join("etc/haproxy")).expect("mkdir");
    std::fs::create_dir_all(dir.join("opt/atlassian/jira/conf")).expect("mkdir");
    std::fs::create_dir_all(dir.join("shared")).expect("mkdir");
    std::fs::write(
        dir.join("etc/apache2/sites-available/jira.conf"),
        "<VirtualHost *:443>\n    ServerName jira.example.com\n    SSLEngine on\n    ProxyPreserveHost On\n    # atl-lint: ignore[proxypass-trailing-slash] the upstream adds it\n    ProxyPass /jira/ http://localhost:8080/jira-old\n    ProxyPassReverse /jira/ http://localhost:8080/jira\n    # atl-lint: ignore[proxy-open-forward]\n    ProxyRequests Off\n</VirtualHost>\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("etc/haproxy/haproxy.cfg"),
        "defaults\n    mode http\n    option forwardfor\n    timeout client 1m\n    timeout server 1m\n    timeout connect 5s\n\nfrontend fe\n    bind :80\n    acl old path_beg /old # atl-lint: ignore[haproxy-acl-unused]\n    acl older path_beg /older\n    default_backend be\n\nbackend be\n    server s 127.0.0.1:8090\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("opt/atlassian/jira/conf/server.xml"),
        "<Server port=\"8005\" shutdown=\"SHUTDOWN\">\n  <Service name=\"Catalina\">\n    <!-- atl-lint: ignore[unknown-attribute] -->\n    <Connector port=\"8080\" fooBar=\"1\" proxyName=\"jira.example.com\" proxyPort=\"443\"\n               bazQux=\"2\"/>\n    <Connector port=\"8081\" quux=\"1\"/>\n    <Engine name=\"Catalina\" defaultHost=\"localhost\"><Host name=\"localhost\" appBase=\"webapps\">\n      <Context path=\"/jira\" docBase=\"atlassian-jira\"/>\n    </Host></Engine>\n  </Service>\n</Server>\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("shared/bitbucket.properties"),
        "# atl-lint: ignore-file[property-key-typo]\nserver.proxy-nmae=a.example.com\nserver.port=7990\n# atl-lint: ignore[property-duplicate-key]\nserver.port=7991\n",
    )
    .expect("write");
    let found = findings(&dir, Options::default());
    let expected = [
        // The suppressed trailing slash is gone; the same line's other problem stays.
        "jira.conf:6 context-path-mismatch",
        "jira.conf:7 proxypass-trailing-slash",
        // Nothing to suppress on `ProxyRequests Off`.
        "jira.conf:8 unused-suppression",
        "haproxy.cfg:11 haproxy-acl-unused",
        // The second line of the suppressed element is part of it; the next element is not.
        "server.xml:4 connector-scheme-missing",
        "server.xml:6 unknown-attribute",
    ];
    for want in expected {
        assert!(found.iter().any(|f| f == want), "missing {want} in {found:#?}");
    }
    for gone in [
        "jira.conf:6 proxypass-trailing-slash",
        "haproxy.cfg:10 haproxy-acl-unused",
        "server.xml:4 unknown-attribute",
        "server.xml:5 unknown-attribute",
        "bitbucket.properties:2 property-key-typo",
        "bitbucket.properties:5 property-duplicate-key",
    ] {
        assert!(!found.iter().any(|f| f == gone), "{gone} should be suppressed: {found:#?}");
    }
    // A cross-file finding is suppressed at its related location too.
    let xml = dir.join("opt/atlassian/jira/conf/server.xml");
    let text = std::fs::read_to_string(&xml).expect("read");
    std::fs::write(
        &xml,
        text.replace("    <Engine", "    <!-- atl-lint: ignore[context-path-mismatch] -->\n    <Engine")
            .replace("<Context path", "<!-- atl-lint: ignore[context-path-mismatch] -->\n      <Context path"),
    )
    .expect("write");
    let found = findings(&dir, Options::default());
    assert!(!found.iter().any(|f| f.ends_with(" context-path-mismatch")), "{found:#?}");
    // --no-ignore-comments reports everything.
    let all = findings(&dir, Options { no_ignore_comments: true, ..Options::default() });
    assert!(all.iter().any(|f| f == "jira.conf:6 proxypass-trailing-slash"), "{all:#?}");
    assert!(!all.iter().any(|f| f.ends_with("unused-suppression")), "{all:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An nginx `server` is a frontend a `listen`: one that listens on 80 and on 443 with TLS
/// reaches its connector both ways, unless it sends plain requests to https; one that only
/// redirects proxies nothing.
#[test]
fn nginx_servers_are_a_frontend_per_listen() {
    let dir = std::env::temp_dir().join(format!("atl-lint-listens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server_xml = "<Server port=\"8005\" shutdown=\"SHUTDOWN\">\n  <Service name=\"Catalina\">\n    <Connector port=\"8080\" protocol=\"HTTP/1.1\" proxyName=\"jira.example.com\" proxyPort=\"443\" scheme=\"https\" secure=\"true\"/>\n    <Engine name=\"Catalina\" defaultHost=\"localhost\">\n      <Host name=\"localhost\" appBase=\"webapps\">\n        <Context path=\"\" docBase=\"x\"/>\n      </Host>\n    </Engine>\n  </Service>\n</Server>\n";
    let site = |extra: &str| {
        format!(
            "server {{\n    listen 80;\n    listen 443 ssl;\n    listen [::]:443 ssl;\n    server_name jira.example.com;\n{extra}    location / {{\n        client_max_body_size 10m;\n        proxy_set_header X-Forwarded-Host $host;\n        proxy_pass http://127.0.0.1:8080;\n    }}\n}}\n"
        )
    };
    let cases = [
        ("both", site(""), vec!["server.xml:3 connector-shared-by-http-and-https"]),
        ("redirect", site("    if ($scheme = http) { return 301 https://$host$request_uri; }\n"), vec![]),
        // A plain server that only redirects, and the TLS one: nothing reaches the
        // connector over plain HTTP.
        (
            "split",
            format!(
                "server {{\n    listen 80;\n    server_name jira.example.com;\n    return 301 https://$host$request_uri;\n    location / {{ proxy_pass http://127.0.0.1:8080; }}\n}}\n{}",
                site("").replace("    listen 80;\n", "")
            ),
            vec![],
        ),
    ];
    for (name, text, expected) in cases {
        let case = dir.join(name);
        std::fs::create_dir_all(case.join("etc/nginx/conf.d")).expect("dir");
        std::fs::create_dir_all(case.join("opt/atlassian/jira/conf")).expect("dir");
        std::fs::write(case.join("etc/nginx/conf.d/jira.conf"), &text).expect("write");
        std::fs::write(case.join("opt/atlassian/jira/conf/server.xml"), server_xml).expect("write");
        let found = findings(&case, Options { live: Some(false), ..Options::default() });
        assert_eq!(found, expected, "{name}:\n{text}");
        let report =
            lint(&Options { paths: vec![case.clone()], live: Some(false), ..Options::default() }).expect("lint");
        assert!(report.linked_routes >= 1, "{name}: the TLS route reaches the connector");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
