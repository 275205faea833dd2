//! atl-lint: lints reverse-proxy setups in front of Atlassian server applications.
#![allow(missing_docs)]
pub mod secrets;
pub mod source;
pub mod syntax;
