//! Rules about context paths (Tomcat `<Context path>`, `server.context-path`).

pub mod context_path_duplicate;
pub mod context_path_malformed;
pub mod context_path_mismatch;
pub mod context_path_root_slash;
