//! Rules about HAProxy proxies: backends, ACLs, TLS listeners.

pub mod haproxy_acl_undefined;
pub mod haproxy_acl_unused;
pub mod haproxy_backend_undefined;
pub mod haproxy_forwardfor_missing;
pub mod haproxy_health_check_unused;
pub mod haproxy_ssh_in_http_mode;
pub mod haproxy_ssl_without_crt;
pub mod websocket_idle_timeout_short;

use crate::syntax::haproxy::Section;

/// ACLs HAProxy defines itself (configuration manual, section 7.4).
pub(crate) const PREDEFINED_ACLS: [&str; 22] = [
    "FALSE",
    "HTTP",
    "HTTP_1.0",
    "HTTP_1.1",
    "HTTP_2.0",
    "HTTP_CONTENT",
    "HTTP_URL_ABS",
    "HTTP_URL_SLASH",
    "HTTP_URL_STAR",
    "LOCALHOST",
    "METH_CONNECT",
    "METH_DELETE",
    "METH_GET",
    "METH_HEAD",
    "METH_OPTIONS",
    "METH_POST",
    "METH_PUT",
    "METH_TRACE",
    "RDP_COOKIE",
    "REQ_CONTENT",
    "TRUE",
    "WAIT_END",
];

/// The names the `acl` lines of a section declare, with the name's word.
pub(crate) fn declared_acls<'s>(section: &'s Section<'_>) -> impl Iterator<Item = crate::syntax::haproxy::WordRef<'s>> {
    section.find(&["acl"]).filter_map(|s| s.args().first()).filter(|w| !w.unknown)
}

/// A section's name for messages: `frontend `fe``.
pub(crate) fn describe(section: &Section<'_>) -> String {
    match section.name() {
        "" => format!("the unnamed `{}` section", section.kind()),
        name => format!("{} `{name}`", section.kind()),
    }
}
