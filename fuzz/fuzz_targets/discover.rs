//! A generated tree of files, links and includes beside files holding a canary: linted as a
//! repository and as a server image, no panic, no hang and no canary in any output.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    atl_lint::fuzzing::lint_tree(data);
});
