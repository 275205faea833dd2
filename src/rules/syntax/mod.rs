//! Rules about reading files at all.

pub mod file_skipped;
pub mod file_unreadable;
pub mod syntax_error;
