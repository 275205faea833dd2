//! Rules about connectors (Tomcat `<Connector>`, `server.*` keys) and their files.

pub mod ajp_connector_exposed;
pub mod bitbucket_server_xml_ignored;
pub mod connector_port_duplicate;
pub mod connector_proxy_name_malformed;
pub mod connector_proxy_port_invalid;
pub mod connector_proxy_port_mismatch;
pub mod connector_scheme_missing;
pub mod connector_secure_missing;
pub mod property_duplicate_key;
pub mod property_key_typo;
pub mod unknown_attribute;
