//! Rules about reading files at all.

pub mod file_skipped;
pub mod file_unreadable;
pub mod invalid_suppression;
pub mod misplaced_directive;
pub mod module_not_loaded;
pub mod removed_directive;
pub mod syntax_error;
pub mod unknown_directive;
pub mod unused_suppression;
