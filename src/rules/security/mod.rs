//! Rules about the proxy's own security: management pages and identity headers.

pub mod admin_endpoint_exposed;
pub mod identity_header_spoofable;
