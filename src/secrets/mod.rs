//! Where secrets are: settings named like secrets, and secret values in any text (URL user
//! info, `password=` parameters, credentials headers), so that they never reach any output.

mod names;
mod values;

pub use names::{is_directive_without_secret, is_secret_name};
pub use values::{
    after_secret_word, bare_user_info, in_text, shown, url_password, url_user_info_ranges, url_user_names,
};
