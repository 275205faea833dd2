//! Rules about nginx proxies.

pub mod nginx_proxy_pass_uri;
pub mod proxy_header_inheritance_lost;
