//! TLS protocol sets as each application reads its protocol settings, and OpenSSL's
//! cipher-string evaluator (shared by all formats).

mod ciphers;
mod protocols;

pub use ciphers::{ciphers, weak_ciphers, CipherTable, Suite};
pub use protocols::{listed_protocols, tomcat_protocols, Enabled, Protocol};
