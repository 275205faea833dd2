//! No input makes atl-lint panic: mangled versions of every fixture go through the whole
//! pipeline (parse, model, every rule, both report formats).

use std::path::PathBuf;

use atl_lint::discover::Found;
use atl_lint::report::{human, json};
use atl_lint::source::FileKind;
use atl_lint::{lint_found, Options};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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
    for scope in ["connector", "context_path", "tls", "base_url", "syntax", "haproxy"] {
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
    for round in 0..4000 {
        let (seed, kind) = &seeds[round % seeds.len()];
        let bytes = mangle(&mut rng, seed);
        let name = match kind {
            FileKind::TomcatServerXml => "shared/server.xml",
            FileKind::Haproxy => "etc/haproxy/haproxy.cfg",
            FileKind::Apache => "etc/apache2/sites-enabled/jira.conf",
            _ => "shared/bitbucket.properties",
        };
        let found = vec![Found::new(PathBuf::from(name), Some(*kind), Ok(bytes))];
        let report = lint_found(found, &Options::default());
        let _ = human::render(&report, human::Style { color: false, width: 80 });
        let _ = json::render(&report);
    }
}
