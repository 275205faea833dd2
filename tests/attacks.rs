//! The attack suite: what a pull request can plant in a repository, or a server's
//! configuration can name, tried against the built binary. No canary from outside the tree
//! (a file beside it, the process environment) may reach any output, nothing outside the
//! tree may be opened (checked with strace where it can run), no write may go through a
//! link, and every case finishes within its bound.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::io::Write as _;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{require, temp_dir, TempDir};

/// Every case finishes well within this, on any input.
const BOUND: Duration = Duration::from_secs(20);

/// The secret of the files outside the tree.
const FILE_CANARY: &str = "CANARYFILE7q3Z";

/// The secret in the process environment (`/proc/self/environ`).
const ENV_CANARY: &str = "CANARYENV9k2W";

const FORMATS: [&str; 4] = ["human", "json", "sarif", "github"];

/// A scratch area: `repo/` (a git work tree, the tree linted) and `outside/` beside it,
/// holding files that look like configuration and carry the canary.
struct Scene {
    dir: TempDir,
}

impl Scene {
    fn new(name: &str) -> Scene {
        let dir = temp_dir(&format!("attack-{name}"));
        let scene = Scene { dir };
        std::fs::create_dir_all(scene.repo().join(".git")).expect("repo");
        let outside = scene.outside();
        std::fs::create_dir_all(&outside).expect("outside");
        let lines = format!("{FILE_CANARY} one\n{FILE_CANARY}=two\nfrontend {FILE_CANARY}\n  {FILE_CANARY} three\n");
        for name in ["secret.cfg", "secret.conf", "server.xml", "haproxy.cfg"] {
            std::fs::write(outside.join(name), &lines).expect("canary");
        }
        scene
    }

    fn repo(&self) -> PathBuf {
        self.dir.join("repo")
    }

    fn outside(&self) -> PathBuf {
        self.dir.join("outside")
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.repo().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, text).expect("write");
    }

    fn link(&self, relative: &str, target: impl AsRef<Path>) {
        let path = self.repo().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        symlink(target, path).expect("symlink");
    }
}

/// Runs the binary in `cwd` with the canary in its environment, killed past the bound.
fn run_in(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atl-lint"));
    command.current_dir(cwd).args(args).env("ATL_ATTACK_SECRET", ENV_CANARY).env("NO_COLOR", "1");
    spawn_bounded(command, stdin)
}

fn spawn_bounded(mut command: Command, stdin: Option<&[u8]>) -> Output {
    let mut child = command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    // Read the pipes while waiting, so that a large report cannot block the child.
    let (mut out, mut err) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            panic!("atl-lint {:?} did not finish within {BOUND:?}", command.get_args().collect::<Vec<_>>());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output { status, stdout: out_reader.join().expect("stdout"), stderr: err_reader.join().expect("stderr") }
}

/// Asserts no canary in either stream.
fn assert_clean(output: &Output, case: &str) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for canary in [FILE_CANARY, ENV_CANARY] {
            assert!(!text.contains(canary), "{case}: {canary} in {stream}:\n{text}");
        }
    }
}

/// Runs every report format and `graph` in every format; asserts no canary anywhere and
/// returns the JSON report.
fn lint_everywhere(cwd: &Path, args: &[&str], case: &str) -> serde_json::Value {
    for format in FORMATS {
        let mut all = vec!["--no-config", "-f", format];
        all.extend_from_slice(args);
        let output = run_in(cwd, &all, None);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{case} ({format}): {}", stderr(&output));
        assert_clean(&output, &format!("{case} ({format})"));
    }
    for format in ["text", "dot", "mermaid"] {
        let mut all = vec!["graph", "-f", format];
        all.extend(args.iter().copied().filter(|a| !a.starts_with("--root") && !a.starts_with("--live")));
        if args.iter().any(|a| a.starts_with("--root")) {
            continue;
        }
        let output = run_in(cwd, &all, None);
        assert_clean(&output, &format!("{case} (graph {format})"));
    }
    let mut all = vec!["--no-config", "-f", "json"];
    all.extend_from_slice(args);
    serde_json::from_slice(&run_in(cwd, &all, None).stdout).expect("json report")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The findings of a rule, as `path: message`.
fn findings(report: &serde_json::Value, rule: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| format!("{}: {}", d["path"].as_str().unwrap_or(""), d["message"].as_str().unwrap_or("")))
        .collect()
}

/// Files the run opened, by strace (`None` when strace cannot trace here).
fn opened(cwd: &Path, args: &[&str]) -> Option<Vec<String>> {
    let trace = cwd.join("../strace.txt");
    let mut command = Command::new("strace");
    command
        .current_dir(cwd)
        .args(["-f", "-qq", "-s", "4096", "-e", "trace=open,openat,openat2", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_atl-lint"))
        .args(args)
        .env("ATL_ATTACK_SECRET", ENV_CANARY);
    let output = command.stdout(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    let text = std::fs::read_to_string(&trace).ok()?;
    if output.status.code().is_none_or(|c| c > 2) || text.is_empty() {
        return None;
    }
    let mut paths = Vec::new();
    for line in text.lines() {
        // `PID openat(AT_FDCWD, "path", FLAGS) = 3`: only opens that succeeded.
        let Some((call, result)) = line.rsplit_once(") = ") else { continue };
        if result.trim_start().starts_with('-') {
            continue;
        }
        let Some(path) = call.split('"').nth(1) else { continue };
        let path = if path.starts_with('/') { PathBuf::from(path) } else { cwd.join(path) };
        paths.push(path.to_string_lossy().into_owned());
    }
    Some(paths)
}

/// What the Rust runtime and the loader open before and beside any input.
fn runtime(path: &str) -> bool {
    // glibc reads `/proc/self/maps` to find the main thread's stack; std reads the cgroup
    // files to count the cores it may use.
    [
        "/etc/ld.so.cache",
        "/lib",
        "/usr/lib",
        "/proc/self/maps",
        "/proc/self/cgroup",
        "/proc/self/mountinfo",
        "/sys/fs/cgroup/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Asserts that the run opened nothing outside `tree` but the runtime's own files.
fn assert_confined(cwd: &Path, args: &[&str], tree: &Path, case: &str) {
    if !require(Command::new("strace").arg("-V").output().is_ok(), "strace") {
        return;
    }
    let Some(paths) = opened(cwd, args) else {
        require(false, "strace able to trace (ptrace allowed)");
        return;
    };
    let tree = std::fs::canonicalize(tree).expect("tree");
    let escaped: Vec<&String> = paths
        .iter()
        .filter(|p| !runtime(p))
        .filter(|p| !std::fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p)).starts_with(&tree))
        .collect();
    assert!(escaped.is_empty(), "{case}: opened outside the tree: {escaped:?}");
}

#[test]
fn the_environment_never_reaches_any_output() {
    let scene = Scene::new("environ");
    scene.write("conf/httpd.conf", "ServerName a.example.com\nInclude /proc/self/environ\nInclude /proc/1/environ\n");
    scene.link("haproxy.cfg", "/proc/self/environ");
    let report = lint_everywhere(&scene.repo(), &["."], "environ");
    let skipped = findings(&report, "file-skipped");
    assert!(skipped.iter().any(|f| f.contains("Include /proc/self/environ")), "{skipped:?}");
    assert!(skipped.iter().any(|f| f.starts_with("haproxy.cfg: ")), "{skipped:?}");
    assert_confined(&scene.repo(), &["-f", "json", "."], &scene.repo(), "environ");
}

#[test]
fn links_out_of_the_repository_are_not_followed() {
    let scene = Scene::new("links");
    scene.link("haproxy.cfg", "../outside/haproxy.cfg");
    scene.link("etc/tomcat/server.xml", scene.outside().join("server.xml"));
    scene.link("etc/secrets", scene.outside());
    scene.link("up", "..");
    scene.write("ok/haproxy.cfg", "global\n  daemon\ndefaults\n  mode http\n");
    let report = lint_everywhere(&scene.repo(), &["."], "links");
    let skipped = findings(&report, "file-skipped");
    for path in ["haproxy.cfg", "etc/tomcat/server.xml", "etc/secrets"] {
        assert!(skipped.iter().any(|f| f.starts_with(&format!("{path}: "))), "{path}: {skipped:?}");
    }
    assert_confined(&scene.repo(), &["-f", "json", "."], &scene.repo(), "links");
    // A file named on the command line is held to the same test.
    let output = run_in(&scene.repo(), &["-f", "json", "haproxy.cfg"], None);
    assert_clean(&output, "named link");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn includes_cannot_climb_out_or_read_the_host() {
    let scene = Scene::new("includes");
    let absolute = scene.outside().join("secret.conf");
    scene.write(
        "apache/httpd.conf",
        &format!(
            "ServerRoot .\nInclude {}\nInclude ../../outside/secret.conf\nInclude ../../../../../../../{}\nIncludeOptional ../../outside/*\nIncludeOptional /etc/*\nIncludeOptional /proc/*\nInclude /proc/self/pagemap\n",
            absolute.display(),
            absolute.display()
        ),
    );
    scene.link("apache/conf.d/evil.conf", &absolute);
    scene.write("apache/more.conf", "Include conf.d/*.conf\n");
    let report = lint_everywhere(&scene.repo(), &["."], "includes");
    let skipped = findings(&report, "file-skipped");
    assert!(skipped.len() >= 6, "{skipped:#?}");
    assert!(skipped.iter().all(|f| !f.contains("Include conf.d/*.conf")), "the link is reported once: {skipped:#?}");
    assert_confined(&scene.repo(), &["-f", "json", "."], &scene.repo(), "includes");
}

#[test]
fn nginx_includes_cannot_climb_out_read_the_host_or_loop() {
    let scene = Scene::new("nginx-includes");
    let absolute = scene.outside().join("secret.conf");
    scene.write(
        "nginx/nginx.conf",
        &format!(
            "events {{}}\nhttp {{\ninclude {};\ninclude ../../outside/secret.conf;\ninclude ../../outside/*;\ninclude /etc/*;\ninclude /proc/self/environ;\ninclude conf.d/*.conf;\ninclude nginx.conf;\n}}\n",
            absolute.display()
        ),
    );
    scene.link("nginx/conf.d/evil.conf", &absolute);
    scene.write("nginx/conf.d/a.conf", "include conf.d/b.conf;\n");
    scene.write("nginx/conf.d/b.conf", "include conf.d/a.conf;\n");
    let report = lint_everywhere(&scene.repo(), &["."], "nginx-includes");
    let skipped = findings(&report, "file-skipped");
    assert!(skipped.iter().any(|f| f.contains("evil.conf")), "{skipped:#?}");
    let cycles: Vec<String> =
        findings(&report, "syntax-error").into_iter().filter(|f| f.contains("inside itself")).collect();
    assert_eq!(cycles.len(), 2, "the main file and the pair of snippets: {cycles:#?}");
    assert_confined(&scene.repo(), &["-f", "json", "."], &scene.repo(), "nginx-includes");
}

#[test]
fn a_server_image_is_read_as_a_chroot() {
    let scene = Scene::new("image");
    let image = scene.repo().join("img");
    let outside = scene.outside();
    scene.write(
        "img/etc/apache2/apache2.conf",
        &format!(
            "Include ../../../../../../{0}/secret.conf\nInclude {0}/secret.conf\nIncludeOptional sites-enabled/*.conf\nIncludeOptional /proc/*\n",
            outside.display()
        ),
    );
    // Absolute links inside an image point into the image, never at this machine.
    scene.link("img/etc/apache2/sites-enabled/jira.conf", outside.join("secret.conf"));
    scene.link("img/etc/haproxy/haproxy.cfg", outside.join("haproxy.cfg"));
    scene.link("img/opt/atlassian/jira", &outside);
    scene.link("img/etc/up", "../../../../../../../../..");
    scene.write(
        "img/etc/haproxy/ssl.cfg",
        &format!("frontend www\n  bind :443 ssl crt {}/secret.cfg\n  default_backend b\nbackend b\n  server s 127.0.0.1:8080\n", outside.display()),
    );
    let args = ["--root", "img", "--live", "/etc"];
    let report = lint_everywhere(&scene.repo(), &args, "image");
    assert!(report["summary"]["files"].as_u64().is_some(), "{report}");
    let mut json = vec!["--no-config", "-f", "json"];
    json.extend_from_slice(&args);
    assert_confined(&scene.repo(), &json, &image, "image");
}

#[test]
fn reports_and_baselines_are_never_written_through_a_link() {
    let scene = Scene::new("writes");
    scene.write("haproxy.cfg", "frontend www\n  bind :80\n  default_backend missing\n");
    let victim = scene.outside().join("victim");
    std::fs::write(&victim, "precious\n").expect("victim");
    scene.link("atl-lint.sarif", &victim);
    scene.link("baseline.toml", &victim);
    scene.link("dangling.json", scene.outside().join("created-through-link"));
    for args in [
        vec!["-f", "sarif", "-o", "atl-lint.sarif", "."],
        vec!["--write-baseline", "baseline.toml", "."],
        vec!["-f", "json", "-o", "dangling.json", "."],
    ] {
        let output = run_in(&scene.repo(), &args, None);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("symbolic link"), "{args:?}: {}", stderr(&output));
    }
    assert_eq!(std::fs::read_to_string(&victim).ok().as_deref(), Some("precious\n"));
    assert!(!scene.outside().join("created-through-link").exists());
    // Not a regular file: a directory, a FIFO (which would block).
    std::fs::create_dir_all(scene.repo().join("out-dir")).expect("dir");
    let fifo = scene.repo().join("out.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()), "mkfifo");
    for target in ["out-dir", "out.fifo"] {
        let output = run_in(&scene.repo(), &["-f", "json", "-o", target, "."], None);
        assert_eq!(output.status.code(), Some(2), "{target}: {}", stderr(&output));
    }
    // An ordinary file is written, and written again.
    for _ in 0..2 {
        let output = run_in(&scene.repo(), &["-f", "json", "-o", "report.json", "."], None);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scene.repo().join("report.json")).expect("report"))
            .expect("json");
    assert_eq!(written["version"], 1);
}

#[test]
fn odd_files_never_hang_or_exhaust_memory() {
    let scene = Scene::new("hangs");
    scene.write("etc/apache2/apache2.conf", "Include conf.d/*.conf\nIncludeOptional /proc/*\n");
    let fifo = scene.repo().join("etc/apache2/envvars");
    assert!(Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()), "mkfifo");
    scene.link("etc/apache2/conf.d/zero.conf", "/dev/zero");
    scene.link("etc/apache2/conf.d/random.conf", "/dev/urandom");
    let sparse = scene.repo().join("etc/apache2/conf.d/sparse.conf");
    std::fs::File::create(&sparse).and_then(|f| f.set_len(2 << 30)).expect("sparse");
    let fifo_cfg = scene.repo().join("haproxy.cfg");
    assert!(Command::new("mkfifo").arg(&fifo_cfg).status().is_ok_and(|s| s.success()), "mkfifo");
    let report = lint_everywhere(&scene.repo(), &["."], "hangs");
    let skipped = findings(&report, "file-skipped");
    assert!(skipped.iter().any(|f| f.contains("sparse.conf") && f.contains("over the 16 MiB")), "{skipped:#?}");
    // The same tree as a server image: the FIFO `envvars` beside the main configuration.
    let output = run_in(&scene.dir, &["-f", "json", "--root", "repo", "/etc"], None);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", stderr(&output));
    // A sparse config file, and standard input without end.
    let config = scene.repo().join(".atl-lint.toml");
    std::fs::File::create(&config).and_then(|f| f.set_len(6 << 30)).expect("sparse config");
    let output = run_in(&scene.repo(), &["."], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("over the"), "{}", stderr(&output));
    std::fs::remove_file(&config).expect("remove");
    let endless = vec![b'#'; 40 << 20];
    let output = run_in(&scene.repo(), &["-f", "json", "--stdin-kind", "haproxy", "-"], Some(&endless));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(findings(&report, "file-skipped").iter().any(|f| f.contains("over the 16 MiB")), "{report}");
    let binary = b"global\n\0\0\0".to_vec();
    let output = run_in(&scene.repo(), &["-f", "json", "--stdin-kind", "haproxy", "-"], Some(&binary));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(findings(&report, "file-skipped").iter().any(|f| f.contains("binary")), "{report}");
}

#[test]
fn failures_are_clear() {
    let scene = Scene::new("failures");
    scene.write("haproxy.cfg", "global\n");
    let output = run_in(&scene.repo(), &["--config", "/dev/zero", "."], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not a regular file"), "{}", stderr(&output));
    // A config file planted as a link to a file elsewhere is not read.
    scene.link(".atl-lint.toml", scene.outside().join("secret.cfg"));
    let output = run_in(&scene.repo(), &["."], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_clean(&output, "config link");
    std::fs::remove_file(scene.repo().join(".atl-lint.toml")).expect("remove");
    // An unreadable directory named as PATH is a usage error, as an unreadable file is.
    let locked = scene.repo().join("locked");
    std::fs::create_dir_all(&locked).expect("dir");
    std::fs::write(locked.join("haproxy.cfg"), "global\n").expect("write");
    let mode = |m: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(m)).expect("chmod");
    };
    mode(0o000);
    let binary = env!("CARGO_BIN_EXE_atl-lint");
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let runuser = Command::new("runuser").arg("--version").output().is_ok_and(|o| o.status.success());
    if is_root && !require(runuser, "runuser (util-linux), to run as a user without access to a directory") {
        mode(0o755);
        return;
    }
    let output = if is_root {
        let mut command = Command::new("runuser");
        command.current_dir(scene.repo()).args(["-u", "nobody", "--", binary, "locked"]);
        spawn_bounded(command, None)
    } else {
        run_in(&scene.repo(), &["locked"], None)
    };
    mode(0o755);
    if require(!stderr(&output).contains("runuser:"), "a user without access to a directory (runuser -u nobody)") {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains("cannot lint `locked`"), "{}", stderr(&output));
    }
}

#[test]
fn sarif_uris_are_valid_whatever_the_file_name() {
    let scene = Scene::new("uris");
    let name = "odd name\n%[]#?.cfg";
    std::fs::write(scene.repo().join(name), "frontend www\n  bind :80\n  default_backend missing\n").expect("write");
    let output = run_in(&scene.repo(), &["--no-config", "-f", "sarif", "."], None);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("sarif");
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(!uris.is_empty(), "{sarif}");
    for uri in uris {
        assert!(
            uri.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%!$&'()*+,;=:@".contains(&b)),
            "not a valid relative URI: {uri:?}"
        );
        assert!(uri.starts_with("odd%20name%0A%25%5B%5D%23%3F.cfg"), "{uri}");
    }
}

#[test]
fn pathological_shapes_finish_within_their_bound() {
    // The shapes that once took minutes or gigabytes, at about 1 MiB each (the benchmark,
    // `bash bench/compare.sh shapes`, measures them in a release build).
    let scene = Scene::new("shapes");
    let mut shapes: Vec<(&str, String, &str)> = Vec::new();
    let passes: String = (0..20_000).map(|i| format!("    ProxyPass /app{i} http://localhost:8080/app{i}\n")).collect();
    shapes.push(("proxypass/httpd.conf", format!("<VirtualHost *:80>\n{passes}</VirtualHost>\n"), "human"));
    let nested = format!(
        "{}ProxyPass / http://localhost:8080/\n{}",
        "<IfModule mod_proxy.c>\n".repeat(30_000),
        "</IfModule>\n".repeat(30_000)
    );
    shapes.push(("nested/httpd.conf", nested, "human"));
    shapes.push(("template/bitbucket.properties.j2", format!("server.port=7990\n{}", "{{ ".repeat(349_525)), "human"));
    shapes.push(("lines/httpd.conf", "x\n".repeat(524_288), "human"));
    shapes.push(("sarif/httpd.conf", "x\n".repeat(300_000), "sarif"));
    shapes.push((
        "if/haproxy.cfg",
        format!("global\n{}{}", ".if defined(X)\n".repeat(47_000), ".endif\n".repeat(47_000)),
        "human",
    ));
    shapes.push(("value/bitbucket.properties", format!("server.context-path=/{}\n", "x".repeat(1 << 20)), "human"));
    for (path, text, format) in &shapes {
        scene.write(path, text);
        let dir = path.split('/').next().unwrap_or(path);
        let started = Instant::now();
        let output = run_in(&scene.repo(), &["-q", "--no-config", "-f", format, dir], None);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{path}: {}", stderr(&output));
        eprintln!("{path}: {:?}", started.elapsed());
    }
}
