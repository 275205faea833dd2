//! Any cipher string through the OpenSSL cipher-list evaluator: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = atl_lint::tls::weak_ciphers(text);
    }
});
