//! Any bytes, read as this format through the whole pipeline (YAML and TOML): no panic,
//! and every finding's spans inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    atl_lint::fuzzing::lint_bytes(data, Some(atl_lint::source::FileKind::Traefik), "traefik.yml");
    atl_lint::fuzzing::lint_bytes(data, Some(atl_lint::source::FileKind::Traefik), "traefik.toml");
});
