//! Debian's `envvars`: the variables Apache's start scripts export before Apache reads
//! its configuration.

use foldhash::{HashMap, HashMapExt};

/// Variables a Debian `envvars` script exports: `NAME=value` lines, `$NAME` and `${NAME}`
/// expanded from earlier ones (unknown ones empty, as the shell does), the last
/// assignment winning.
pub(super) fn envvars(script: &str) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    for line in script.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, value)) = line.split_once('=') else { continue };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = value.trim_matches(['"', '\'']);
        let expanded = expand_shell(value, &vars);
        vars.insert(name.to_string(), expanded);
    }
    vars
}

fn expand_shell(value: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(dollar) = rest.find('$') {
        out.push_str(rest.get(..dollar).unwrap_or(""));
        let after = rest.get(dollar + 1..).unwrap_or("");
        let (name, used) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(close) => (braced.get(..close).unwrap_or(""), close + 2),
                None => (braced, after.len()),
            },
            None => {
                let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (after.get(..len).unwrap_or(""), len)
            }
        };
        out.push_str(vars.get(name).map_or("", String::as_str));
        rest = after.get(used..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_envvars_are_exported_with_their_suffix_expanded() {
        let vars = envvars(
            "unset HOME\nif [ x ] ; then\n\tSUFFIX=\"-${APACHE_CONFDIR##/etc/apache2-}\"\nelse\n\tSUFFIX=\nfi\nexport APACHE_RUN_DIR=/var/run/apache2$SUFFIX\nexport APACHE_LOG_DIR=/var/log/apache2${SUFFIX}\n",
        );
        assert_eq!(vars.get("APACHE_RUN_DIR").map(String::as_str), Some("/var/run/apache2"));
        assert_eq!(vars.get("APACHE_LOG_DIR").map(String::as_str), Some("/var/log/apache2"));
    }
}
