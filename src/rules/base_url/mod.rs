//! Rules about an application's base URL.

pub mod base_url_drift;
pub mod base_url_malformed;
