//! Rules about nginx proxies.

pub mod nginx_proxy_pass_uri;
