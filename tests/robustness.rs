//! No input makes atl-lint panic, and every finding points inside its file: mangled
//! versions of every fixture, random bytes for every parser, and the inputs the fuzzers once
//! crashed on go through the whole pipeline (parse, model, every rule, every report format).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use atl_lint::fuzzing::lint_bytes;
use atl_lint::source::FileKind;

mod common;

use common::Rng;

/// Pieces that stress the parsers: quotes, markup, escapes, line ends, multi-byte text.
const PIECES: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"\"",
    b"'",
    b"&",
    b"&#x",
    b"&quot;",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"\\",
    b"\\u",
    b"\\u00",
    b"\n",
    b"\r",
    b"\r\n",
    b"=",
    b":",
    b"#",
    b"${",
    b"{",
    b"}",
    b";",
    b"{{",
    b"}}",
    b"\xc3\xa9",
    b"\xe9",
    b"\xff\xfe",
    b"\x00",
    b"port=\"",
    b"</Server>",
    b"\"${",
    b"$",
    b"\\x",
    b"{ ",
    b" }",
    b".if ",
    b".endif\n",
    b"\nfrontend x\n",
    b" if !",
    b" ssl ",
    b" ciphers ",
    b"<Connector ",
    b"server.port=",
    b"SSLEnabled=\"true\"",
    b"protocols=\"all",
    b"\xf0\x9f\x98",
];

fn mangle(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..(1 + rng.below(6)) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 => out.truncate(at),
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                out.splice(at..at, piece.iter().copied());
            }
            2 => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                if let Some(byte) = out.get_mut(at) {
                    *byte = (rng.next() & 0xff) as u8;
                }
            }
        }
    }
    out
}

#[test]
fn mangled_fixtures_never_panic() {
    let mut seeds: Vec<(Vec<u8>, FileKind)> = Vec::new();
    for scope in ["connector", "properties", "tomcat", "context_path", "tls", "base_url", "syntax", "haproxy", "apache"]
    {
        for entry in std::fs::read_dir(format!("fixtures/{scope}")).expect("fixtures").flatten() {
            let path = entry.path();
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("xml") => FileKind::TomcatServerXml,
                Some("properties") => FileKind::BitbucketProperties,
                Some("cfg") => FileKind::Haproxy,
                Some("conf") => FileKind::Apache,
                _ => continue,
            };
            if let Ok(bytes) = std::fs::read(&path) {
                seeds.push((bytes, kind));
            }
        }
    }
    assert!(seeds.len() > 30);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..3000 {
        let (seed, kind) = &seeds[round % seeds.len()];
        let bytes = mangle(&mut rng, seed);
        let name = match kind {
            FileKind::TomcatServerXml => "shared/server.xml",
            FileKind::Haproxy => "etc/haproxy/haproxy.cfg",
            FileKind::Apache => "etc/apache2/sites-enabled/jira.conf",
            _ => "shared/bitbucket.properties",
        };
        lint_bytes(&bytes, Some(*kind), name);
        if round % 8 == 0 {
            // The same bytes with their kind sniffed from the content.
            lint_bytes(&bytes, None, "etc/config.conf");
        }
    }
}

#[test]
fn random_bytes_never_panic_in_any_parser() {
    let kinds = [
        (Some(FileKind::Haproxy), "haproxy.cfg"),
        (Some(FileKind::Apache), "apache2.conf"),
        (Some(FileKind::TomcatServerXml), "server.xml"),
        (Some(FileKind::BitbucketProperties), "bitbucket.properties"),
        (Some(FileKind::Nginx), "nginx.conf"),
        (Some(FileKind::Compose), "docker-compose.yml"),
        (Some(FileKind::HelmValues), "values.yaml"),
        (Some(FileKind::Kube), "jira.yaml"),
        (Some(FileKind::Traefik), "traefik.yml"),
        (Some(FileKind::Traefik), "traefik.toml"),
        (Some(FileKind::DotEnv), ".env"),
        (None, "x.conf"),
    ];
    let alphabet: Vec<u8> =
        PIECES.iter().flat_map(|p| p.iter().copied()).chain(b"abc 01\t/.;,%".iter().copied()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..1500 {
        let len = rng.below(400);
        let bytes: Vec<u8> = (0..len)
            .map(|_| if rng.below(4) == 0 { (rng.next() & 0xff) as u8 } else { alphabet[rng.below(alphabet.len())] })
            .collect();
        let (kind, name) = kinds[round % kinds.len()];
        lint_bytes(&bytes, kind, name);
    }
}

#[test]
fn inputs_the_fuzzers_crashed_on_stay_fixed() {
    let targets = std::fs::read_dir("tests/fuzz-regressions").expect("tests/fuzz-regressions");
    let mut replayed = 0;
    for target in targets.flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        let kind = match name.as_str() {
            "haproxy" => Some(FileKind::Haproxy),
            "apache" => Some(FileKind::Apache),
            "server_xml" => Some(FileKind::TomcatServerXml),
            "properties" => Some(FileKind::BitbucketProperties),
            "nginx" => Some(FileKind::Nginx),
            "compose" => Some(FileKind::Compose),
            "helm_values" => Some(FileKind::HelmValues),
            "kube" => Some(FileKind::Kube),
            "traefik" => Some(FileKind::Traefik),
            _ => None,
        };
        for input in std::fs::read_dir(target.path()).expect("dir").flatten() {
            let bytes = std::fs::read(input.path()).expect("read");
            if name == "ciphers" {
                let _ = atl_lint::tls::weak_ciphers(&String::from_utf8_lossy(&bytes));
            } else if name == "discover" {
                atl_lint::fuzzing::lint_tree(&bytes);
            } else {
                lint_bytes(&bytes, kind, "etc/config.conf");
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "the fuzz regressions were not found");
}

/// YAML aliases nest without growing the file: ten levels of ten references each stand for
/// ten billion scalars. The compose and Helm readers share the nodes, merge keys copy one
/// level, and the walk for secrets stops at its budget, so the run stays quick.
#[test]
fn yaml_alias_bombs_stay_small() {
    let mut text = String::from("x-0: &l0 [\"password=1\", a, a, a, a, a, a, a, a, a]\n");
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("x-{level}: &l{level} [{refs}]\n"));
    }
    text.push_str("x-env: &env\n  ATL_PROXY_NAME: jira.example.com\n");
    text.push_str(
        "services:\n  jira:\n    image: atlassian/jira-software\n    environment:\n      <<: *env\n    labels: *l9\n",
    );
    let started = std::time::Instant::now();
    lint_bytes(text.as_bytes(), Some(FileKind::Compose), "docker-compose.yml");
    let values = text.replace("services:", "replicaCount: 2\ningress:\n  create: true\njira:\n  x: *l9\nservices:");
    lint_bytes(values.as_bytes(), Some(FileKind::HelmValues), "values.yaml");
    let manifests = text.replace("services:", "apiVersion: v1\nkind: List\nitems: *l9\nservices:");
    lint_bytes(manifests.as_bytes(), Some(FileKind::Kube), "jira.yaml");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}

/// Manifests where every service selects every workload, and every Ingress path names one
/// of them: the selections are capped, so the join stays near linear in the file.
#[test]
fn services_selecting_many_workloads_stay_quick() {
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: jira-{i}\nspec:\n  template:\n    metadata:\n      labels:\n        app: jira\n    spec:\n      containers:\n        - name: jira\n          image: atlassian/jira-software\n"
        ));
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: jira\nspec:\n  selector:\n    app: jira\n  ports:\n    - port: {}\n      targetPort: 8080\n",
            8000 + i % 100
        ));
    }
    text.push_str("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: jira\nspec:\n  rules:\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "    - host: h{i}.example.com\n      http:\n        paths:\n          - path: /\n            backend:\n              service:\n                name: jira\n                port:\n                  number: 8000\n"
        ));
    }
    let started = std::time::Instant::now();
    lint_bytes(text.as_bytes(), Some(FileKind::Kube), "jira.yaml");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}
