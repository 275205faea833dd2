//! Rules about Apache httpd: `ProxyPass`, `ProxyPassReverse`, virtual hosts, access control.

pub mod legacy_access_control;
pub mod proxy_open_forward;
pub mod proxypass_reverse_mismatch;
pub mod proxypass_reverse_missing;
pub mod proxypass_shadowed;
pub mod proxypass_trailing_slash;
pub mod servername_has_path;
pub mod websocket_proxy_missing;

pub(crate) use crate::model::apache::{vhost_of, Pass, Target};
pub(crate) use crate::model::url::{trimmed, url_path};
