//! `atl-lint --root TREE /etc` on a server's filesystem built in a temporary directory:
//! Debian's Apache tree with a Jira vhost, HAProxy in front of a Bitbucket whose home only a
//! systemd unit names, Jira under /opt, certificates made here (valid, expired, expiring in
//! 10 days, one missing), and the hostile files a real /etc holds. Every planted problem is
//! reported at its file and line, nothing else at warning or above, no byte of a private
//! key in any output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

use common::{copy_tree, require, shared, temp_dir};

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn openssl(args: &[&str], dir: &Path) -> bool {
    let output = Command::new("openssl").args(args).current_dir(dir).output();
    if let Ok(output) = &output {
        if !output.status.success() {
            eprintln!("openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        }
    }
    output.is_ok_and(|o| o.status.success())
}

/// A self-signed certificate valid for `days` from now, and a certificate that expired in
/// 2021 (made with `openssl ca`, which takes explicit dates); returns false without openssl.
fn certificates(dir: &Path) -> bool {
    std::fs::create_dir_all(dir.join("new")).expect("mkdir");
    write(&dir.join("index.txt"), "");
    write(&dir.join("serial"), "01\n");
    write(
        &dir.join("ca.cnf"),
        "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = new\nserial = serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n",
    );
    let self_signed = |name: &str, subject: &str, days: &str| {
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-days",
                days,
                "-subj",
                subject,
            ],
            dir,
        )
    };
    self_signed("valid", "/CN=jira.example.com", "365")
        && self_signed("expiring", "/CN=bitbucket.example.com", "10")
        && self_signed("ca", "/CN=Test CA", "3650")
        && openssl(
            &[
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "old.key",
                "-out",
                "old.csr",
                "-subj",
                "/CN=old.example.com",
            ],
            dir,
        )
        && openssl(
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-in",
                "old.csr",
                "-out",
                "old.pem",
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20210101000000Z",
                "-notext",
            ],
            dir,
        )
}

struct Server {
    _dir: common::TempDir,
    root: PathBuf,
    keys: Vec<String>,
}

fn server(name: &str) -> Option<Server> {
    let corpus = shared().join("corpus/debian12/etc/apache2");
    if !require(corpus.is_dir(), "shared/corpus/debian12") {
        return None;
    }
    let dir = temp_dir(name);
    let root = std::fs::canonicalize(&*dir).expect("canonical");
    let certs = root.join("work-certs");
    if !require(certificates(&certs), "openssl") {
        return None;
    }
    // Apache: Debian's tree, the proxy modules enabled, a Jira vhost enabled by symlink.
    let apache = root.join("etc/apache2");
    copy_tree(&corpus, &apache);
    for module in ["proxy.load", "proxy.conf", "proxy_http.load", "ssl.load", "socache_shmcb.load", "headers.load"] {
        symlink(format!("../mods-available/{module}"), apache.join("mods-enabled").join(module)).expect("symlink");
    }
    write(
        &apache.join("sites-available/jira.conf"),
        "<VirtualHost *:443>\n    ServerName jira.example.com\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/certs/jira.pem\n    SSLCertificateKeyFile /etc/ssl/private/jira.key\n    ProxyRequests Off\n    ProxyPreserveHost On\n    ProxyPass /jira http://localhost:8080/jira\n    ProxyPassReverse /jira http://localhost:8080/jira\n</VirtualHost>\n",
    );
    symlink("../sites-available/jira.conf", apache.join("sites-enabled/jira.conf")).expect("symlink");
    // Certificates where the configurations name them.
    let copy = |from: &str, to: &str| {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(certs.join(from), to).expect("copy");
    };
    copy("valid.pem", "etc/ssl/certs/jira.pem");
    copy("valid.key", "etc/ssl/private/jira.key");
    copy("old.pem", "etc/haproxy/certs/old.pem");
    // HAProxy takes certificate and key in one PEM bundle.
    let bundle = format!(
        "{}{}",
        std::fs::read_to_string(certs.join("expiring.pem")).expect("read"),
        std::fs::read_to_string(certs.join("expiring.key")).expect("read")
    );
    write(&root.join("etc/haproxy/certs/bitbucket.pem"), &bundle);
    let keys: Vec<String> = ["valid.key", "expiring.key"]
        .iter()
        .flat_map(|k| {
            std::fs::read_to_string(certs.join(k)).unwrap_or_default().lines().map(str::to_string).collect::<Vec<_>>()
        })
        .filter(|l| !l.starts_with("-----"))
        .collect();
    std::fs::remove_dir_all(&certs).expect("remove");
    write(
        &root.join("etc/haproxy/haproxy.cfg"),
        "global\n    log /dev/log local0\n    ssl-default-bind-options ssl-min-ver TLSv1.2\n\ndefaults\n    mode http\n    option forwardfor\n    timeout connect 5s\n    timeout client 1m\n    timeout server 1m\n\nfrontend bitbucket\n    bind *:443 ssl crt /etc/haproxy/certs/bitbucket.pem\n    redirect location /bitbucket if { path -i / }\n    default_backend bitbucket\n\nfrontend retired\n    bind *:8443 ssl crt /etc/haproxy/certs/old.pem\n    bind *:9443 ssl crt /etc/haproxy/certs/missing.pem\n    http-request deny\n\nbackend bitbucket\n    server bb 127.0.0.1:7990 check\n\nlisten ssh\n    bind *:7999\n    mode tcp\n    server bb 127.0.0.1:7999 check\n",
    );
    // Bitbucket's home is where only its systemd unit says.
    write(
        &root.join("etc/systemd/system/bitbucket.service"),
        "[Unit]\nDescription=Atlassian Bitbucket\n\n[Service]\nType=forking\nUser=atlbitbucket\nEnvironment=\"BITBUCKET_HOME=/data/bitbucket-home\"\nExecStart=/opt/atlassian/bitbucket/bin/start-bitbucket.sh\n",
    );
    write(
        &root.join("data/bitbucket-home/shared/bitbucket.properties"),
        "server.port=7990\nserver.secure=true\nserver.scheme=https\nserver.proxy-port=443\nserver.proxy-name=bitbucket.example.com\n",
    );
    // Jira under /opt, its connector missing `secure`.
    write(
        &root.join("opt/atlassian/jira/conf/server.xml"),
        "<Server port=\"8005\" shutdown=\"SHUTDOWN\">\n  <Service name=\"Catalina\">\n    <Connector relaxedPathChars=\"[]|\" relaxedQueryChars=\"[]|{}^\" port=\"8080\" protocol=\"HTTP/1.1\" proxyName=\"jira.example.com\" proxyPort=\"443\"\n               scheme=\"https\"/>\n    <Engine name=\"Catalina\" defaultHost=\"localhost\">\n      <Host name=\"localhost\" appBase=\"webapps\">\n        <Context path=\"/jira\" docBase=\"${catalina.home}/atlassian-jira\"/>\n      </Host>\n    </Engine>\n  </Service>\n</Server>\n",
    );
    // Other programs' configuration that looks like ours: Debian's stock nginx (`include`
    // lines, `*.conf`, `sites-enabled/`), and XML whose text has lines starting like HAProxy
    // sections.
    copy_tree(&shared().join("corpus/debian12/etc/nginx"), &root.join("etc/nginx"));
    write(
        &root.join("etc/dbus-1/system.d/org.example.Backend.conf"),
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\">\n<busconfig>\n  <policy context=\"default\">\n    <allow send_destination=\"org.example.Backend\"/>\n  </policy>\n  <description>\nglobal defaults for the\nbackend service and its\nfrontend\n  </description>\n</busconfig>\n",
    );
    // What else a real /etc holds: a FIFO, a symlink loop, a huge file, a binary file,
    // Latin-1 with CRLF line ends.
    let fifo = Command::new("mkfifo").arg(root.join("etc/haproxy/haproxy-pipe.cfg")).status();
    assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    symlink("..", root.join("etc/apache2/conf-available/loop")).expect("symlink");
    let big = std::fs::File::create(root.join("etc/haproxy/haproxy-huge.cfg")).expect("create");
    big.set_len(100 << 20).expect("sparse file");
    write(&root.join("etc/apache2/conf-available/blob.conf"), "\u{0}\u{1}\u{2}ELF\u{0}\u{0}binary");
    std::fs::write(root.join("etc/apache2/conf-available/latin1.conf"), b"# caf\xe9\r\nServerTokens Prod\r\n")
        .expect("write");
    Some(Server { _dir: dir, root, keys })
}

fn run(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atl-lint")).arg("--root").arg(root).args(args).output().expect("run atl-lint")
}

#[test]
fn a_server_filesystem_is_found_and_every_planted_problem_reported() {
    let Some(server) = server("live-server") else { return };
    let root = &server.root;
    let started = Instant::now();
    let output = run(root, &["-f", "json", "/etc"]);
    let elapsed = started.elapsed();
    eprintln!("atl-lint --root TREE /etc took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(20), "the run must not hang: {elapsed:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let strip = |p: &str| p.strip_prefix(&format!("{}/", root.display())).unwrap_or(p).to_string();
    let found: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| {
            format!("{}:{} {}", strip(d["path"].as_str().unwrap_or("")), d["line"], d["rule"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        found,
        [
            // The Bitbucket home the systemd unit names, linked from HAProxy: no context path.
            "data/bitbucket-home/shared/bitbucket.properties:1 context-path-mismatch",
            // Debian's own mod_ssl defaults (`SSLProtocol all -SSLv3`), linted on their own
            // although not enabled here.
            "etc/apache2/mods-available/ssl.conf:71 tls-legacy-protocol",
            "etc/haproxy/haproxy.cfg:13 tls-cert-expiring",
            "etc/haproxy/haproxy.cfg:18 tls-cert-expired",
            "etc/haproxy/haproxy.cfg:19 tls-cert-missing",
            // Jira under /opt, linked from the Debian vhost that terminates TLS.
            "opt/atlassian/jira/conf/server.xml:4 connector-secure-missing",
        ],
        "{report:#}"
    );
    let messages: Vec<&str> =
        report["diagnostics"].as_array().expect("array").iter().filter_map(|d| d["message"].as_str()).collect();
    let expiring = messages.iter().find(|m| m.contains("CN=bitbucket.example.com")).expect("expiring message");
    assert!(
        expiring.contains("expires on 20") && (expiring.contains("in 9 days") || expiring.contains("in 10 days")),
        "{expiring}"
    );
    assert!(
        messages.iter().any(|m| m.contains("certificate `CN=old.example.com` expired on 2021-01-01")),
        "{messages:?}"
    );
    let secure = report["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .find(|d| d["rule"] == "connector-secure-missing")
        .expect("secure");
    let related = secure["related"][0]["path"].as_str().unwrap_or("");
    assert!(related.ends_with("etc/apache2/sites-enabled/jira.conf"), "{related}");
    // The hostile files: skipped or linted, never a hang.
    let info: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["severity"] == "info")
        .map(|d| format!("{} {}", strip(d["path"].as_str().unwrap_or("")), d["rule"].as_str().unwrap_or("")))
        .collect();
    assert!(info.contains(&"etc/haproxy/haproxy-huge.cfg file-skipped".to_string()), "{info:?}");
    assert!(info.contains(&"etc/apache2/conf-available/blob.conf file-skipped".to_string()), "{info:?}");
    // Debian's stock nginx is read as nginx, with nothing to say; D-Bus XML is not HAProxy.
    assert!(info.iter().all(|i| !i.starts_with("etc/nginx/")), "{info:?}");
    assert!(info.iter().all(|i| !i.starts_with("etc/dbus-1")), "{info:?}");
    let files: Vec<String> =
        report["files"].as_array().expect("files").iter().map(|f| strip(f["path"].as_str().unwrap_or(""))).collect();
    // The enabled site is shown by the path nginx reads it by.
    for stock in ["etc/nginx/nginx.conf", "etc/nginx/sites-enabled/default", "etc/nginx/mime.types"] {
        assert!(files.contains(&stock.to_string()), "{stock} in {files:?}");
    }
    assert!(files.contains(&"etc/apache2/conf-available/latin1.conf".to_string()), "{files:?}");
    // The summary line names the homes.
    let human = run(root, &["/etc"]);
    let summary = String::from_utf8_lossy(&human.stderr);
    assert!(
        summary.contains("homes: ")
            && summary.contains("data/bitbucket-home")
            && summary.contains("opt/atlassian/jira"),
        "{summary}"
    );
    // No byte of a private key in any output.
    for format in ["human", "json", "sarif", "github"] {
        let output = run(root, &["-f", format, "/etc"]);
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!text.contains("PRIVATE KEY"), "{format}");
        for line in &server.keys {
            assert!(!text.contains(line.as_str()), "{format} output holds key material");
        }
    }
}

#[test]
fn a_directory_the_user_cannot_read_is_reported_once() {
    let Some(server) = server("live-unreadable") else { return };
    let root = &server.root;
    let secret = root.join("etc/haproxy/private");
    write(&secret.join("haproxy.cfg"), "global\n");
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mode = |m: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(m)).expect("chmod");
    };
    mode(0o000);
    let binary = env!("CARGO_BIN_EXE_atl-lint");
    let output = if is_root {
        // root reads everything: run as `nobody`, where the machine allows it.
        Command::new("runuser")
            .args(["-u", "nobody", "--", binary, "-f", "json", "--root"])
            .arg(root)
            .arg("/etc")
            .output()
    } else {
        Command::new(binary).args(["-f", "json", "--root"]).arg(root).arg("/etc").output()
    };
    mode(0o755);
    let report: Option<serde_json::Value> = output.ok().and_then(|o| serde_json::from_slice(&o.stdout).ok());
    let Some(report) = report else {
        require(false, "a user without access to a directory (runuser -u nobody)");
        return;
    };
    let unreadable: Vec<&serde_json::Value> =
        report["diagnostics"].as_array().expect("array").iter().filter(|d| d["rule"] == "file-unreadable").collect();
    assert_eq!(unreadable.len(), 1, "{report:#}");
    assert!(unreadable[0]["path"].as_str().unwrap_or("").ends_with("etc/haproxy/private"), "{report:#}");
}

#[test]
fn this_machines_own_etc_and_root_are_linted_without_error_or_hang() {
    for path in ["/etc", "/"] {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_atl-lint"))
            .args(["-q", "--no-config", "-f", "json", path])
            .output()
            .expect("run");
        assert!(matches!(output.status.code(), Some(0 | 1)), "{path}: {}", String::from_utf8_lossy(&output.stderr));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert!(report["summary"]["files"].is_number());
        assert!(started.elapsed() < Duration::from_secs(60), "{path} took {:?}", started.elapsed());
    }
}
