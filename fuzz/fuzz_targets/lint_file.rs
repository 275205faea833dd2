//! Any bytes as a one-file tree whose kind is sniffed from the content: no panic, spans inside
//! the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    atl_lint::fuzzing::lint_bytes(data, None, "etc/config.conf");
});
