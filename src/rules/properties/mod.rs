//! Rules about `bitbucket.properties`: its keys, and the files it makes Bitbucket ignore.

pub mod bitbucket_server_xml_ignored;
pub mod property_duplicate_key;
pub mod property_key_typo;
