//! Every product's image behind every proxy kind in one compose stack: set up as the
//! image's documentation and the proxy's Atlassian guide say, the stack lints clean and
//! its route links; with the scheme variable left out, `connector-scheme-missing` points
//! at the service's `environment:` with the proxy's TLS as the related place.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::temp_dir;

/// A product's image: its name, port, variables and public path.
struct Product {
    service: &'static str,
    image: &'static str,
    port: u16,
    /// The path the proxy serves and forwards (Crowd's image serves `/crowd`).
    path: &'static str,
    /// Bitbucket reads Spring Boot's `SERVER_*`, the others the entrypoint's `ATL_*`.
    spring: bool,
}

const PRODUCTS: [Product; 5] = [
    Product { service: "jira", image: "atlassian/jira-software:9.12", port: 8080, path: "/", spring: false },
    Product { service: "confluence", image: "atlassian/confluence:8.5", port: 8090, path: "/", spring: false },
    Product { service: "bitbucket", image: "atlassian/bitbucket:8.19", port: 7990, path: "/", spring: true },
    Product { service: "bamboo", image: "atlassian/bamboo:10.2", port: 8085, path: "/", spring: false },
    Product { service: "crowd", image: "atlassian/crowd:6.1", port: 8095, path: "/crowd", spring: false },
];

const PROXIES: [&str; 4] = ["nginx", "apache", "haproxy", "traefik"];

fn host(product: &Product) -> String {
    format!("{}.example.com", product.service)
}

/// The app's service: the proxy's name, port and scheme in its environment.
fn app_service(product: &Product, with_scheme: bool, labels: &str) -> String {
    let (name, port, scheme, secure) = match product.spring {
        true => ("SERVER_PROXY_NAME", "SERVER_PROXY_PORT", "SERVER_SCHEME", "SERVER_SECURE"),
        false => ("ATL_PROXY_NAME", "ATL_PROXY_PORT", "ATL_TOMCAT_SCHEME", "ATL_TOMCAT_SECURE"),
    };
    let scheme = if with_scheme { format!("      {scheme}: https\n") } else { String::new() };
    format!(
        "  {service}:\n    image: {image}\n    environment:\n      {name}: {host}\n      {port}: \"443\"\n{scheme}      {secure}: \"true\"\n{labels}",
        service = product.service,
        image = product.image,
        host = host(product),
    )
}

/// The proxy's service and its configuration file (path and text), or none for Traefik,
/// whose router is in the app's labels.
fn proxy(product: &Product, kind: &str) -> (String, Option<(&'static str, String)>) {
    let (service, host, port, path) = (product.service, host(product), product.port, product.path);
    // The path as forwarded: nothing after the port for the root, else the same path.
    let forwarded = if path == "/" { String::new() } else { path.to_string() };
    match kind {
        "nginx" => {
            let conf = format!(
                "server {{\n    listen 443 ssl;\n    server_name {host};\n    ssl_certificate /etc/nginx/certs/{host}.crt;\n    ssl_certificate_key /etc/nginx/certs/{host}.key;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    client_max_body_size 100m;\n\n    location {path} {{\n        proxy_set_header X-Forwarded-Host $host;\n        proxy_set_header X-Forwarded-Server $host;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_set_header Host $host;\n        proxy_read_timeout 600s;\n        proxy_send_timeout 600s;\n        proxy_pass http://{service}:{port}{forwarded};\n    }}\n}}\n"
            );
            let compose = "  nginx:\n    image: nginx:1.27\n    ports:\n      - \"443:443\"\n    volumes:\n      - ./proxy/site.conf:/etc/nginx/conf.d/default.conf:ro\n";
            (compose.to_string(), Some(("proxy/site.conf", conf)))
        }
        "apache" => {
            let target = if path == "/" { "/".to_string() } else { path.to_string() };
            let conf = format!(
                "<VirtualHost *:443>\n    ServerName {host}\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/certs/{host}.pem\n    SSLCertificateKeyFile /etc/ssl/private/{host}.key\n\n    ProxyRequests Off\n    ProxyPreserveHost On\n    ProxyPass {path} http://{service}:{port}{target}\n    ProxyPassReverse {path} http://{service}:{port}{target}\n</VirtualHost>\n"
            );
            let compose = "  httpd:\n    image: httpd:2.4\n    ports:\n      - \"443:443\"\n    volumes:\n      - ./proxy/site.conf:/usr/local/apache2/conf/extra/site.conf:ro\n";
            (compose.to_string(), Some(("proxy/site.conf", conf)))
        }
        "haproxy" => {
            let conf = format!(
                "defaults\n    mode http\n    timeout connect 5s\n    timeout client 600s\n    timeout server 600s\n\nfrontend www\n    bind *:443 ssl crt /etc/haproxy/certs/{host}.pem\n    option forwardfor\n    default_backend app\n\nbackend app\n    server {service}1 {service}:{port} check\n"
            );
            let compose = "  haproxy:\n    image: haproxy:2.8\n    ports:\n      - \"443:443\"\n    volumes:\n      - ./proxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro\n";
            (compose.to_string(), Some(("proxy/haproxy.cfg", conf)))
        }
        _ => {
            let compose = "  traefik:\n    image: traefik:v3.1\n    command:\n      - \"--providers.docker=true\"\n      - \"--entrypoints.websecure.address=:443\"\n      - \"--certificatesresolvers.le.acme.tlschallenge=true\"\n    ports:\n      - \"443:443\"\n";
            (compose.to_string(), None)
        }
    }
}

/// Traefik's router for the app, in its labels.
fn traefik_labels(product: &Product) -> String {
    let (service, host, port, path) = (product.service, host(product), product.port, product.path);
    let rule = match path {
        "/" => format!("Host(`{host}`)"),
        _ => format!("Host(`{host}`) && PathPrefix(`{path}`)"),
    };
    format!(
        "    labels:\n      - \"traefik.http.routers.{service}.rule={rule}\"\n      - \"traefik.http.routers.{service}.entrypoints=websecure\"\n      - \"traefik.http.routers.{service}.tls.certresolver=le\"\n      - \"traefik.http.services.{service}.loadbalancer.server.port={port}\"\n"
    )
}

/// Writes the stack into `dir`.
fn write_stack(dir: &Path, product: &Product, kind: &str, with_scheme: bool) {
    let labels = if kind == "traefik" { traefik_labels(product) } else { String::new() };
    let (proxy_service, config) = proxy(product, kind);
    let compose = format!("services:\n{}\n{proxy_service}", app_service(product, with_scheme, &labels));
    std::fs::write(dir.join("docker-compose.yml"), compose).expect("write compose");
    if let Some((path, text)) = config {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write proxy");
    }
}

/// The JSON report, and the summary line (which counts the linked routes).
fn lint(dir: &Path) -> (serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_atl-lint"))
        .args(["--no-config", "-f", "json", "."])
        .current_dir(dir)
        .output()
        .expect("run atl-lint");
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    let human = Command::new(env!("CARGO_BIN_EXE_atl-lint"))
        .args(["--no-config", "."])
        .current_dir(dir)
        .output()
        .expect("run atl-lint");
    (json, String::from_utf8_lossy(&human.stderr).into_owned())
}

#[test]
fn every_product_behind_every_proxy_kind() {
    for product in &PRODUCTS {
        for kind in PROXIES {
            let name = format!("{}-{kind}", product.service);
            let dir = temp_dir(&format!("stack-{name}"));
            write_stack(&dir, product, kind, true);
            let (report, summary) = lint(&dir);
            let found: Vec<String> = report["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .iter()
                .filter(|d| d["severity"] != "info")
                .map(|d| format!("{} {}:{} {}", d["rule"], d["path"], d["line"], d["message"]))
                .collect();
            assert!(found.is_empty(), "{name}: the documented stack has findings: {found:#?}");
            assert!(summary.contains("(1 linked route"), "{name}: {summary}");

            let dir = temp_dir(&format!("stack-{name}-broken"));
            write_stack(&dir, product, kind, false);
            let (report, _) = lint(&dir);
            let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
            let missing = diagnostics.iter().find(|d| d["rule"] == "connector-scheme-missing");
            let Some(missing) = missing else { panic!("{name}: no connector-scheme-missing: {report:#}") };
            // The service's `environment:` key, with the proxy's TLS as the related place.
            assert_eq!(
                (missing["path"].as_str(), missing["line"].as_u64()),
                (Some("docker-compose.yml"), Some(4)),
                "{name}"
            );
            let related = missing["related"].as_array().expect("related");
            assert!(!related.is_empty(), "{name}: {missing:#}");
        }
    }
}

/// A workload whose environment also comes from a Secret the run cannot read: any of the
/// image's variables may be set there, so none is said to be missing; a `tls: []` Ingress
/// ends no TLS.
#[test]
fn an_environment_the_run_cannot_read_is_not_judged() {
    let manifests = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: jira
spec:
  template:
    metadata:
      labels:
        app: jira
    spec:
      containers:
        - name: jira
          image: atlassian/jira-software:10
          envFrom:
            - secretRef:
                name: jira-proxy
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
spec:
  ingressClassName: nginx
  tls:
    - hosts: [jira.example.com]
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
    let dir = temp_dir("kube-open-env");
    std::fs::write(dir.join("jira.yaml"), manifests).expect("write");
    let (report, summary) = lint(&dir);
    assert!(summary.contains("(1 linked route"), "{summary}");
    let rules: Vec<&str> =
        report["diagnostics"].as_array().expect("diagnostics").iter().filter_map(|d| d["rule"].as_str()).collect();
    assert!(!rules.iter().any(|r| r.starts_with("connector-")), "{report:#}");
    // Without the secret, the same workload has no scheme behind the Ingress's TLS; with
    // `tls: []`, the Ingress ends no TLS and nothing is missing.
    let plain =
        manifests.replace("          envFrom:\n            - secretRef:\n                name: jira-proxy\n", "");
    std::fs::write(dir.join("jira.yaml"), &plain).expect("write");
    let (report, _) = lint(&dir);
    assert!(report.to_string().contains("connector-scheme-missing"), "{report:#}");
    std::fs::write(dir.join("jira.yaml"), plain.replace("  tls:\n    - hosts: [jira.example.com]\n", "  tls: []\n"))
        .expect("write");
    let (report, _) = lint(&dir);
    assert!(!report.to_string().contains("connector-scheme-missing"), "{report:#}");
}
