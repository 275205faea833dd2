//! Rules about Tomcat's `server.xml` as Tomcat reads it, beyond the connectors' proxy settings.

pub mod obsolete_attribute;
pub mod unknown_attribute;
