//! Attacks on secrecy: every form a secret takes in a proxy setup, each with a canary value of
//! its own, must stay out of every output (human, JSON, SARIF, GitHub, `graph` in all its
//! formats, the `--diff` of the fixes), and control sequences from the input must never reach a terminal raw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::temp_dir;

/// The marker every canary value carries: it must appear in no output.
const MARK: &str = "x7Q";

fn atl_lint(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atl-lint"));
    command.current_dir(dir).env_remove("FORCE_COLOR").env_remove("NO_COLOR");
    command
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Writes `files` under `dir` (parents created).
fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
}

/// Every output of a lint of `dir` (every format, colour on and off) and of `graph` (every
/// format), with `extra` arguments to both.
fn every_output(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    let lint = |args: &[&str]| {
        let mut all = vec!["--min-severity", "info", "--no-live", "--fail-on", "never"];
        all.extend_from_slice(args);
        all.extend_from_slice(extra);
        all.push(".");
        atl_lint(dir).args(&all).output().expect("run atl-lint")
    };
    for format in ["human", "json", "sarif", "github"] {
        for color in ["never", "always"] {
            let output = lint(&["--format", format, "--color", color]);
            outputs.push((format!("{format} --color {color}"), text(&output)));
        }
    }
    // The fixes as a diff: context lines around each edit, secrets masked as in snippets.
    let output = lint(&["--diff", "--unsafe-fixes"]);
    outputs.push(("--diff --unsafe-fixes".to_string(), text(&output)));
    for format in ["text", "dot", "mermaid"] {
        let mut args = vec!["graph", "--format", format];
        args.extend_from_slice(extra);
        args.push(".");
        let output = atl_lint(dir).args(&args).output().expect("run atl-lint graph");
        outputs.push((format!("graph --format {format}"), text(&output)));
    }
    outputs
}

/// Lints `files` and checks that no canary reaches any output, and that the run did report
/// findings on the files (so the canaries' lines were shown).
fn assert_no_canary(name: &str, files: &[(&str, &str)], extra: &[&str], expected_rules: &[&str]) {
    let dir = temp_dir(&format!("secrets-{name}"));
    write(&dir, files);
    let outputs = every_output(&dir, extra);
    // Every canary that leaked anywhere, to tell each form apart.
    let mut leaked: Vec<String> = outputs
        .iter()
        .flat_map(|(what, out)| {
            out.match_indices("CANARY_").map(move |(at, _)| {
                let number: String = out.get(at + 7..).unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
                format!("{number} in `{what}`")
            })
        })
        .collect();
    leaked.sort();
    leaked.dedup();
    assert!(leaked.is_empty(), "{name}: canaries leaked: {leaked:#?}");
    for (what, out) in &outputs {
        assert!(!out.contains(MARK) && !out.contains("CANARY"), "{name}: a canary leaked in `{what}`:\n{out}");
    }
    let (_, json) = outputs.iter().find(|(what, _)| what.starts_with("json")).expect("json output");
    for rule in expected_rules {
        assert!(json.contains(&format!("\"rule\": \"{rule}\"")), "{name}: no `{rule}` finding:\n{json}");
    }
}

#[test]
fn apache_secrets_never_appear() {
    // Each secret line sits next to a line a rule flags, so that snippets show it.
    let vhost = "\
<VirtualHost *:80>
    Define LDAP_BIND_PASSWORD CANARY_1_x7Q
    ServerName jira.example.com/jira
    SetEnv DB_PASSWORD CANARY_2_x7Q
    ProxyPass /a/ http://localhost:8080/a
    DBDParams \"host=db user=jira password=CANARY_3_x7Q dbname=jira\"
    ProxyPass /b/ http://localhost:8080/b
    RequestHeader set Authorization \"Basic CANARY_4_x7Q\"
    ProxyPass /c/ http://localhost:8080/c
    Header set Proxy-Authorization \"CANARY_5_x7Q\"
    ProxyPass /jira/ ajp://localhost:8009/jira secret=CANARY_6_x7Q
    BalancerMember balancer://conf ajp://localhost:8010 secret=CANARY_7_x7Q
    ProxyPass /confluence/ balancer://conf
    ProxyPass /ldap/ http://localhost:8080/${LDAP_BIND_PASSWORD}
    ProxyPass /db http://admin:CANARY_8_x7Q@localhost:8090/db/
    Redirect /old https://u:CANARY_9_x7Q@jira.example.com/
    AuthLDAPBindPassword CANARY_10_x7Q
    <Location /broken
        AuthLDAPBindPassword CANARY_11_x7Q
</VirtualHost>
";
    assert_no_canary(
        "apache",
        &[("apache2.conf", "Listen 80\nInclude sites/*.conf\n"), ("sites/jira.conf", vhost)],
        &[],
        &["proxypass-trailing-slash", "syntax-error"],
    );
}

#[test]
fn haproxy_secrets_never_appear() {
    // Each secret line sits next to a line a rule flags (an unknown keyword, an undefined
    // ACL or backend), so that snippets show it.
    let config = "\
global
    setenv DB_PASS CANARY_1_x7Q
    bogus-keyword 1
userlist admins
    user admin insecure-password \"CANARY_2_x7Q
    user ops password CANARY_3_x7Q
defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend www
    bind :80
    stats auth admin:CANARY_4_x7Q
    use_backend nowhere if { path /x }
    redirect location https://u:CANARY_5_x7Q@jira.example.com/ if old_path
    http-request set-header Authorization \"Bearer CANARY_6_x7Q\" if old_path
    http-request set-header X-Copy CANARY_7_x7Q if old_path
    http-request set-header X-Env \"${DB_PASS}\" if old_path
    default_backend jira
backend jira
    option httpchk GET /status HTTP/1.1\\r\\nHost:\\ jira\\r\\nAuthorization:\\ Basic\\ CANARY_8_x7Q
    server jira1 127.0.0.1:8080 check
";
    let properties = "server.port=7990\njdbc.password=CANARY_7_x7Q\n";
    assert_no_canary(
        "haproxy",
        &[("haproxy.cfg", config), ("bitbucket/shared/bitbucket.properties", properties)],
        &[],
        &["syntax-error", "unknown-directive", "haproxy-acl-undefined", "haproxy-backend-undefined"],
    );
}

#[test]
fn tomcat_secrets_never_appear() {
    let server = "\
<?xml version=\"1.0\" encoding=\"utf-8\"?>
<Server port=\"8005\" shutdown=\"SHUTDOWN\">
    <Service name=\"Catalina\">
        <Connector port=\"8080\" protocol=\"HTTP/1.1\" scheme=\"https\" proxyName=\"jira.example.com\"
                   proxyPort=\"443\" keystorePasword=\"CANARY_1_x7Q\"/>
        <Connector port=\"8443\" protocol=\"HTTP/1.1\" keystorePass=CANARY_2_x7Q scheme=\"https\"/>
        <Engine name=\"Catalina\" defaultHost=\"localhost\">
            <Host name=\"localhost\" appBase=\"webapps\">
                <Parameter name=\"ldap.bindPassword\" value=\"CANARY_4_x7Q\"/>
                <Context path=\"/jira/\" docBase=\"atlassian-jira\">
                    <Environment name=\"DB_PASSWORD\" value=\"CANARY_3_x7Q\" type=\"java.lang.String\"/>
                </Context>
                <Resource name=\"jdbc/JiraDS\" auth=\"Container\"
                          url=\"jdbc:postgresql://db/jira?user=jira&amp;password=CANARY_5_x7Q\"/>
                <Context path=\"/confluence/\" docBase=\"confluence\"/>
            </Host>
        </Engine>
    </Service>
</Server>
";
    assert_no_canary(
        "tomcat",
        &[("conf/server.xml", server)],
        &[],
        &["unknown-attribute", "syntax-error", "connector-secure-missing", "context-path-malformed"],
    );
}

#[test]
fn bitbucket_secrets_never_appear() {
    let properties = "\
setup.baseUrl=https://git.example.com/bitbucket
server.proxy-name=admin:CANARY_1_x7Q@git.example.com
server.scheme=https
server.secure=true
setup.sysadmin.pasword=CANARY_2_x7Q
jdbc.url=jdbc:postgresql://db.example.com:5432/bitbucket?user=bb&password=CANARY_3_x7Q
jdbc.url=jdbc:sqlserver://db;user=bb;pwd=CANARY_4_x7Q
plugin.auth.tokn=CANARY_5_x7Q
setup.baseUrl=https://CANARY_6_x7Q@git.example.com/bitbucket
";
    assert_no_canary(
        "bitbucket",
        &[("shared/bitbucket.properties", properties)],
        &[],
        &["property-key-typo", "property-duplicate-key", "base-url-malformed"],
    );
}

/// A role's defaults: a secret-named variable is never resolved, a value holding a password
/// is never resolved, a resolved value in a secret-named attribute is masked, and the lines
/// around a default a finding points at are not shown.
#[test]
fn template_defaults_never_show_secrets() {
    let defaults = "\
---
jira_db_password: CANARY_10_x7Q
ks: CANARY_11_x7Q
jira_port: 8080
neighbour: CANARY_12_x7Q
jira_db_url: \"postgresql://jira:CANARY_13_x7Q@db/jira\"
loop_a: \"{{ loop_b }}\"
loop_b: \"{{ loop_a }}\"
";
    let server = "\
<Server port=\"8005\" shutdown=\"SHUTDOWN\">
  <Service name=\"Catalina\">
    <Connector port=\"{{ jira_port }}\" scheme=\"https\" keystorePass=\"{{ ks }}\" proxyName=\"{{ jira_db_password }}\"
               proxyPort=\"{{ loop_a }}\" redirectPort=\"{{ jira_db_url }}\"/>
    <Engine name=\"Catalina\" defaultHost=\"localhost\">
      <Host name=\"localhost\" appBase=\"webapps\"><Context path=\"\" docBase=\"jira\"/></Host>
    </Engine>
  </Service>
</Server>
";
    let vhost =
        "<VirtualHost *:443>\n  SSLEngine on\n  ProxyPass / http://localhost:{{ jira_port }}/\n</VirtualHost>\n";
    assert_no_canary(
        "template-defaults",
        &[
            ("role/defaults/main.yml", defaults),
            ("role/tasks/main.yml", "- debug: msg=x\n"),
            ("role/templates/server.xml.j2", server),
            ("role/templates/vhost.conf.j2", vhost),
        ],
        &[],
        &["connector-secure-missing"],
    );
}

#[test]
fn base_urls_from_the_command_line_and_config_never_show_their_user_info() {
    let haproxy = "\
defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend www
    bind :443 ssl crt /etc/haproxy/site.pem
    use_backend jira if { path_beg /jira }
backend jira
    server jira1 127.0.0.1:8080
";
    let server = "\
<Server port=\"8005\" shutdown=\"SHUTDOWN\"><Service name=\"Catalina\">
<Connector port=\"8080\" protocol=\"HTTP/1.1\" scheme=\"https\" secure=\"true\" proxyName=\"jira.example.com\" proxyPort=\"443\"/>
<Engine name=\"Catalina\" defaultHost=\"localhost\"><Host name=\"localhost\" appBase=\"webapps\">
<Context path=\"/jira\" docBase=\"atlassian-jira\"/></Host></Engine></Service></Server>
";
    let config = "[[app]]\nname = \"jira\"\nbase-url = \"https://cfg:CANARY_1_x7Q@other.example.com/jira/\"\n";
    assert_no_canary(
        "base-url",
        &[("haproxy.cfg", haproxy), ("jira/conf/server.xml", server), (".atl-lint.toml", config)],
        &["--base-url", "jira=https://cli:CANARY_2_x7Q@wrong.example.com/jira/"],
        &["base-url-malformed"],
    );
}

/// `ESC ] 0 ; x BEL ESC [ 2 J`: sets the terminal's title, then clears the screen.
const ATTACK: &str = "\u{1b}]0;x\u{7}\u{1b}[2J";

#[test]
fn control_sequences_from_the_input_never_reach_the_terminal() {
    let dir = temp_dir("secrets-controls");
    // U+009B is CSI for terminals that read C1 controls (a Latin-1 file decodes to it).
    let name = format!("sites/evil{ATTACK}\u{9b}2J.conf");
    let vhost = format!(
        "<VirtualHost *:80>\n    ServerName jira.example.com/{ATTACK}\n    ProxyPass /a{ATTACK}/ http://localhost:8080/a\n    # {ATTACK} \u{9b}2J\n</VirtualHost>\n"
    );
    write(&dir, &[("apache2.conf", "Listen 80\nInclude sites/*.conf\n"), (name.as_str(), vhost.as_str())]);
    let outputs = every_output(&dir, &[]);
    for (what, out) in &outputs {
        assert!(!out.contains('\u{7}') && !out.contains('\u{9b}'), "control characters reached `{what}`:\n{out:?}");
        if !what.ends_with("always") {
            assert!(!out.contains('\u{1b}'), "an escape character reached `{what}`:\n{out:?}");
        }
        // With colours on, the only escape sequences are the renderer's own colours (SGR).
        for (at, _) in out.match_indices('\u{1b}') {
            let window = out.as_bytes().get(at..(at + 24).min(out.len())).unwrap_or(&[]);
            let sequence = String::from_utf8_lossy(window);
            let end = sequence.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(0);
            let parameters = sequence.get(2..end).unwrap_or("x");
            assert!(
                sequence.starts_with("\u{1b}[")
                    && sequence.get(end..=end) == Some("m")
                    && parameters.chars().all(|c| c.is_ascii_digit() || c == ';'),
                "not a colour sequence in `{what}`: {sequence:?}"
            );
        }
    }
    let (_, human) = outputs.iter().find(|(what, _)| what == "human --color never").expect("human output");
    assert!(human.contains("\\x1b]0;x\\x07"), "the file name is shown escaped:\n{human}");
    let (_, json) = outputs.iter().find(|(what, _)| what.starts_with("json")).expect("json output");
    assert!(json.contains("\\u001b]0;x\\u0007") && json.contains("\\u009b2J"), "JSON escapes them:\n{json}");
}

#[test]
fn compose_secrets_never_appear() {
    let compose = "\
services:
  jira:
    image: atlassian/jira-software
    env_file: jira.env
    environment:
      ATL_JDBC_PASSWORD: 'CANARY_1_x7Q'
      ATL_PROXY_NAME: jira.example.com
      ATL_PROXY_PORT: \"443\"
      ATL_DB_PASSWORD: ${DB_PASSWORD}
      ATL_JDBC_URL: jdbc:postgresql://jira:CANARY_2_x7Q@db/jira
  db:
    image: postgres
    environment:
      - POSTGRES_PASSWORD=CANARY_3_x7Q
  nginx:
    image: nginx
    volumes:
      - ./jira.conf:/etc/nginx/conf.d/default.conf
  traefik:
    image: traefik:v3
    command: --entrypoints.websecure.address=:443 --api.insecure=true
    labels:
      - \"traefik.http.middlewares.auth.basicauth.users=admin:CANARY_7_x7Q\"
      - \"traefik.http.routers.api.rule=Host(`traefik.example.com`)\"
";
    let nginx = "server {\n    listen 443 ssl;\n    location / {\n        proxy_pass http://jira:8080;\n    }\n}\n";
    assert_no_canary(
        "compose",
        &[
            ("docker-compose.yml", compose),
            (".env", "DB_PASSWORD=CANARY_4_x7Q\nnot a line CANARY_5_x7Q password\n"),
            ("jira.env", "ATL_LDAP_SECRET=CANARY_6_x7Q\nATL_TOMCAT_SECURE=false\n"),
            ("jira.conf", nginx),
        ],
        &[],
        &["connector-scheme-missing", "connector-secure-missing", "syntax-error"],
    );
}

#[test]
fn helm_values_secrets_never_appear() {
    let values = "\
replicaCount: 3
ingress:
  create: true
  nginx: false
  host: jira.example.com
database:
  credentials:
    password: CANARY_1_x7Q
jira:
  additionalEnvironmentVariables:
    - name: ATL_JDBC_PASSWORD
      value: CANARY_2_x7Q
    - name: ATL_PROXY_PORT
      value: \"443\"
    - name: X
      value: \"https://u:CANARY_3_x7Q@jira.example.com/\"
  license:
    secretKey: CANARY_4_x7Q
";
    assert_no_canary("helm", &[("values.yaml", values)], &[], &["lb-session-affinity-missing"]);
}

#[test]
fn kubernetes_secrets_never_appear() {
    let manifests = "\
apiVersion: v1
kind: Secret
metadata:
  name: jira-db
stringData:
  url: CANARY_1_x7Q
data:
  password: CANARY_2_x7Q
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: jira-env
data:
  ATL_JDBC_PASSWORD: CANARY_3_x7Q
  ATL_PROXY_NAME: jira.example.org
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: jira
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: jira
    spec:
      containers:
        - name: jira
          image: atlassian/jira-software
          envFrom:
            - configMapRef:
                name: jira-env
          env:
            - name: ATL_DB_PASSWORD
              value: CANARY_4_x7Q
            - name: X
              value: \"https://u:CANARY_5_x7Q@jira.example.com/\"
---
apiVersion: v1
kind: Service
metadata:
  name: jira
spec:
  selector:
    app: jira
  ports:
    - port: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: jira
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: CANARY_6_x7Q
spec:
  ingressClassName: nginx
  tls:
    - secretName: jira-tls
  rules:
    - host: jira.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: jira
                port:
                  number: 8080
";
    let expected = ["lb-session-affinity-missing", "connector-proxy-name-mismatch"];
    assert_no_canary("kubernetes", &[("jira.yaml", manifests)], &[], &expected);
}

#[test]
fn traefik_secrets_never_appear() {
    let dynamic = "\
[http.routers.jira]
rule = \"Host(`jira.example.com`)\"
entryPoints = [\"websecure\"]
service = \"jira\"
middlewares = [\"auth\"]

[http.middlewares.auth.basicAuth]
users = [\"admin:CANARY_1_x7Q\"]

[http.services.jira.loadBalancer]
[[http.services.jira.loadBalancer.servers]]
url = \"http://u:CANARY_2_x7Q@jira-1.internal:8080\"
[[http.services.jira.loadBalancer.servers]]
url = \"http://jira-2.internal:8080\"
";
    let static_config = "\
entryPoints:
  websecure:
    address: \":443\"
    http:
      tls: {}
api:
  insecure: true
certificatesResolvers:
  le:
    acme:
      eab:
        hmacEncoded: CANARY_3_x7Q
pilot:
  token: CANARY_4_x7Q
";
    let server_xml = "<Server><Service name=\"Catalina\"><Connector port=\"8080\" proxyName=\"jira.example.org\"/>\
<Engine name=\"Catalina\"><Host name=\"localhost\"><Context path=\"\"/></Host></Engine></Service></Server>\n";
    let files = [("dynamic.toml", dynamic), ("traefik.yml", static_config), ("server.xml", server_xml)];
    let expected = ["admin-endpoint-exposed", "lb-session-affinity-missing", "connector-scheme-missing"];
    assert_no_canary("traefik", &files, &[], &expected);
}
